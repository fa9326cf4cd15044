//! The self-check: read the pixels back with decoders independent of the
//! encoder, and demand exactly the text.
//!
//! Two readers, because they locate a code differently. rqrr (a port of
//! quirc) is fast but finds a code by the corners of its finder patterns, so
//! it cannot place round eyes. rxing (a port of ZXing, the reader inside most
//! phone scanners) finds the centres of the finder patterns instead, and
//! interprets the data as phones do. rxing reads first and its reading is
//! final; rqrr is asked only when rxing finds no code at all.
//!
//! Both read the image as a camera a little farther away would: area-averaged
//! by a whole factor down to about [`READ_PX_PER_MODULE`] pixels per module.
//! The picture is the same; the blur only makes the check stricter, and
//! reading 16 times fewer pixels is what makes checking every image affordable.

use rxing::{BarcodeFormat, DecodeHints};
use tiny_skia::Pixmap;

/// Pixels per module the readers get: enough for both to locate and sample.
pub(crate) const READ_PX_PER_MODULE: f32 = 4.0;

/// `Ok` when a reader finds exactly `text` in the image; otherwise what each saw.
/// `px_per_module` is the image's scale, from which the reading scale follows.
pub(crate) fn decodes_to(pixmap: &Pixmap, px_per_module: f32, text: &str) -> Result<(), String> {
    let factor = ((px_per_module / READ_PX_PER_MODULE).floor() as usize).max(1);
    let (w, h, luma) = luma(pixmap, factor);
    // A reading of other text is final: it is what a phone would show.
    let zxing = match read_zxing(luma.clone(), w as u32, h as u32, text) {
        Read::Exact => return Ok(()),
        Read::Other(what) => return Err(format!("rxing read {what}")),
        Read::Nothing(reason) => reason,
    };
    match read_rqrr(&luma, w, h, text) {
        Ok(()) => Ok(()),
        Err(reason) => Err(format!("rxing: {zxing}; rqrr: {reason}")),
    }
}

enum Read {
    Exact,
    Other(String),
    Nothing(String),
}

/// Grey levels, each the mean of a `factor × factor` block. Premultiplied
/// pixels are taken over white: what a camera sees of a transparent pixel.
fn luma(pixmap: &Pixmap, factor: usize) -> (usize, usize, Vec<u8>) {
    let (w, h) = (pixmap.width() as usize, pixmap.height() as usize);
    let (out_w, out_h) = (w / factor, h / factor);
    let data = pixmap.data();
    let mut sums = vec![0u32; out_w];
    let mut out = Vec::with_capacity(out_w * out_h);
    for row in data
        .chunks_exact(w * 4)
        .take(out_h * factor)
        .collect::<Vec<_>>()
        .chunks(factor)
    {
        sums.fill(0);
        for line in row {
            for (sum, block) in sums.iter_mut().zip(line.chunks_exact(4 * factor)) {
                for px in block.chunks_exact(4) {
                    let white = 255 - u32::from(px[3]);
                    *sum += (u32::from(px[0]) + white) * 77
                        + (u32::from(px[1]) + white) * 150
                        + (u32::from(px[2]) + white) * 29;
                }
            }
        }
        let divisor = (factor * factor * 256) as u32;
        out.extend(sums.iter().map(|&s| (s / divisor).min(255) as u8));
    }
    (out_w, out_h, out)
}

fn read_rqrr(luma: &[u8], w: usize, h: usize, text: &str) -> Result<(), String> {
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| luma[y * w + x]);
    let grids = image.detect_grids();
    if grids.is_empty() {
        return Err("found no code".to_owned());
    }
    let mut seen = Vec::new();
    for grid in grids {
        let mut bytes = Vec::new();
        match grid.decode_to(&mut bytes) {
            Ok(_) if bytes == text.as_bytes() => return Ok(()),
            Ok(_) => seen.push(format!("read {} other bytes", bytes.len())),
            Err(error) => seen.push(format!("{error}")),
        }
    }
    Err(seen.join(", "))
}

fn read_zxing(luma: Vec<u8>, w: u32, h: u32, text: &str) -> Read {
    let mut hints = DecodeHints {
        TryHarder: Some(true),
        CharacterSet: Some("UTF-8".to_owned()),
        ..DecodeHints::default()
    };
    match rxing::helpers::detect_in_luma_with_hints(
        luma,
        w,
        h,
        Some(BarcodeFormat::QR_CODE),
        &mut hints,
    ) {
        Ok(found) if found.getText() == text => Read::Exact,
        Ok(found) => Read::Other(format!(
            "{} other characters",
            found.getText().chars().count()
        )),
        Err(error) => Read::Nothing(error.to_string()),
    }
}
