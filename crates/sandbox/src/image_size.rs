//! Recognises the image formats Telegram takes as photos and reads their
//! dimensions from the header, without decoding (and without an image crate).

/// `(format extension, width, height)`, or `None` when the bytes are not a
/// PNG, JPEG, GIF or WebP image Telegram would process.
pub fn probe(bytes: &[u8]) -> Option<(&'static str, u32, u32)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        // IHDR is the first chunk: width and height big-endian at 16..24.
        return Some(("png", be32(bytes, 16)?, be32(bytes, 20)?));
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some((
            "gif",
            u32::from(le16(bytes, 6)?),
            u32::from(le16(bytes, 8)?),
        ));
    }
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let (width, height) = jpeg_size(bytes)?;
        return Some(("jpg", width, height));
    }
    if bytes.len() >= 30 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        let (width, height) = webp_size(bytes)?;
        return Some(("webp", width, height));
    }
    None
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn le24(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 3)?;
    Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
}

/// Walks the marker segments to the first start-of-frame.
fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        while *bytes.get(at)? != 0xFF {
            at += 1;
        }
        while *bytes.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *bytes.get(at)?;
        at += 1;
        if matches!(marker, 0xD8 | 0x01 | 0xD0..=0xD7) {
            continue;
        }
        let length = usize::from(be16(bytes, at)?);
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            return Some((
                u32::from(be16(bytes, at + 5)?),
                u32::from(be16(bytes, at + 3)?),
            ));
        }
        at += length;
    }
}

fn webp_size(bytes: &[u8]) -> Option<(u32, u32)> {
    match bytes.get(12..16)? {
        b"VP8X" => Some((le24(bytes, 24)? + 1, le24(bytes, 27)? + 1)),
        b"VP8L" => {
            let bits = u32::from_le_bytes(bytes.get(21..25)?.try_into().ok()?);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8 " => Some((
            u32::from(le16(bytes, 26)? & 0x3FFF),
            u32::from(le16(bytes, 28)? & 0x3FFF),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The signature and IHDR chunk of a 3×2 PNG.
    pub const PNG_3X2_HEADER: &[u8] = &[
        0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0,
        0, 0, 3, 0, 0, 0, 2, 8, 6, 0, 0, 0,
    ];

    #[test]
    fn png_dimensions_come_from_ihdr() {
        assert_eq!(probe(PNG_3X2_HEADER), Some(("png", 3, 2)));
    }

    #[test]
    fn gif_and_jpeg_dimensions_are_read() {
        assert_eq!(probe(b"GIF89a\x05\x00\x04\x00rest"), Some(("gif", 5, 4)));
        // SOI, APP0 (length 4), SOF0: length, precision, height 0x0010, width 0x0020.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0, 0x10, 0, 0x20, 3,
        ];
        assert_eq!(probe(&jpeg), Some(("jpg", 32, 16)));
    }

    #[test]
    fn text_and_truncated_images_are_not_photos() {
        assert_eq!(probe(b"hello, not an image"), None);
        assert_eq!(probe(&PNG_3X2_HEADER[..18]), None);
        assert_eq!(probe(&[0xFF, 0xD8, 0xFF]), None);
        assert_eq!(probe(b""), None);
    }
}
