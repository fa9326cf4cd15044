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

/// Every text found by rqrr (quirc's corner-based locator) and, when rqrr
/// finds nothing, by rxing (ZXing's centre-based one, as in phone scanners).
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
    let found: Vec<Vec<u8>> = image
        .detect_grids()
        .into_iter()
        .filter_map(|grid| {
            let mut bytes = Vec::new();
            grid.decode_to(&mut bytes).ok().map(|_| bytes)
        })
        .collect();
    if !found.is_empty() {
        return found;
    }
    let mut hints = rxing::DecodeHints {
        TryHarder: Some(true),
        CharacterSet: Some("UTF-8".to_owned()),
        ..rxing::DecodeHints::default()
    };
    rxing::helpers::detect_in_luma_with_hints(
        luma,
        w as u32,
        h as u32,
        Some(rxing::BarcodeFormat::QR_CODE),
        &mut hints,
    )
    .map(|result| vec![result.getText().as_bytes().to_vec()])
    .unwrap_or_default()
}

/// Asserts that `qr` holds exactly one code, reading exactly `text`.
pub fn assert_reads(qr: &RenderedQr, text: &str, case: &str) {
    let found = texts(qr);
    assert_eq!(
        found,
        vec![text.as_bytes().to_vec()],
        "{case}: decoded {:?}",
        found
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect::<Vec<_>>()
    );
}
