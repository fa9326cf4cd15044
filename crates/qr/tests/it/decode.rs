//! Independent readers of what `render` returns: the PNG file decoded as a
//! file, the SVG rasterised by resvg as a viewer would, both read by rqrr.

use startlink_qr::{Format, RenderedQr};
use tiny_skia::{Pixmap, Transform};

/// Decodes the image bytes and returns the texts of every QR code found.
pub fn texts(qr: &RenderedQr) -> Vec<Vec<u8>> {
    let pixmap = match qr.format {
        Format::Png => {
            assert!(qr.bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
            Pixmap::decode_png(&qr.bytes).expect("the PNG decodes")
        }
        Format::Svg => rasterize_svg(&qr.bytes, qr.width_px),
    };
    assert_eq!(
        (pixmap.width(), pixmap.height()),
        (qr.width_px, qr.height_px),
        "reported size"
    );
    read(&pixmap)
}

pub fn rasterize_svg(svg: &[u8], width: u32) -> Pixmap {
    let text = std::str::from_utf8(svg).expect("SVG is UTF-8");
    assert!(
        text.starts_with("<svg"),
        "not an SVG: {}",
        &text[..text.len().min(60)]
    );
    let tree = resvg::usvg::Tree::from_str(text, &resvg::usvg::Options::default())
        .expect("the SVG parses");
    let scale = width as f32 / tree.size().width();
    let height = (tree.size().height() * scale).round() as u32;
    let mut pixmap = Pixmap::new(width, height).unwrap();
    resvg::render(
        &tree,
        Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
}

/// What each reader makes of the image: rqrr (quirc's corner-based locator,
/// raw bytes) and rxing (ZXing's centre-based one, text as phones show it).
/// A reader that finds no code adds nothing.
pub fn read(pixmap: &Pixmap) -> Vec<Vec<u8>> {
    let (w, h) = (pixmap.width() as usize, pixmap.height() as usize);
    let data = pixmap.data();
    let luma: Vec<u8> = (0..w * h)
        .map(|i| {
            let px = &data[i * 4..][..4];
            // Over white, as paper or a screen would show a transparent pixel.
            let white = 255 - u32::from(px[3]);
            let sum = (u32::from(px[0]) + white) * 77
                + (u32::from(px[1]) + white) * 150
                + (u32::from(px[2]) + white) * 29;
            (sum >> 8).min(255) as u8
        })
        .collect();
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| luma[y * w + x]);
    let mut found: Vec<Vec<u8>> = image
        .detect_grids()
        .into_iter()
        .filter_map(|grid| {
            let mut bytes = Vec::new();
            grid.decode_to(&mut bytes).ok().map(|_| bytes)
        })
        .collect();
    let mut hints = rxing::DecodeHints {
        TryHarder: Some(true),
        CharacterSet: Some("UTF-8".to_owned()),
        ..rxing::DecodeHints::default()
    };
    if let Ok(result) = rxing::helpers::detect_in_luma_with_hints(
        luma,
        w as u32,
        h as u32,
        Some(rxing::BarcodeFormat::QR_CODE),
        &mut hints,
    ) {
        found.push(result.getText().as_bytes().to_vec());
    }
    found
}

/// At least one reader found the code, and every reading is exactly `text`.
pub fn reads_exactly(found: &[Vec<u8>], text: &str) -> bool {
    !found.is_empty() && found.iter().all(|bytes| bytes == text.as_bytes())
}

/// Asserts that `qr` reads exactly `text` with every reader that finds it.
pub fn assert_reads(qr: &RenderedQr, text: &str, case: &str) {
    let found = texts(qr);
    assert!(
        reads_exactly(&found, text),
        "{case}: decoded {:?}",
        found
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect::<Vec<_>>()
    );
}
