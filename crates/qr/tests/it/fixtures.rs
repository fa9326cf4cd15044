//! Logos made on the spot (and the JPEGs committed in `tests/fixtures`).

use std::sync::Arc;

use startlink_qr::Logo;
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Transform};

pub const SHORT_LINK: &str = "https://t.me/shop_bot?start=9W_LFTJjfiIa";
/// The longest start link Telegram allows: a 32-character bot name and a
/// 64-character payload.
pub const LONG_LINK: &str = "https://t.me/a_very_long_shop_name_for_tests_bot?start=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A `w × h` PNG: a red rectangle with a white disc (when there is room for
/// one), opaque or, with `alpha` below 255, translucent.
pub fn png_logo(w: u32, h: u32, alpha: u8) -> Vec<u8> {
    let mut pixmap = Pixmap::new(w, h).unwrap();
    let mut paint = Paint::default();
    paint.set_color_rgba8(0xe1, 0x1d, 0x48, alpha);
    pixmap.fill_rect(
        tiny_skia::Rect::from_xywh(0.0, 0.0, w as f32, h as f32).unwrap(),
        &paint,
        Transform::identity(),
        None,
    );
    let r = w.min(h) as f32 / 3.0;
    if let Some(disc) =
        PathBuilder::from_circle(w as f32 / 2.0, h as f32 / 2.0, r).filter(|_| r >= 2.0)
    {
        paint.set_color_rgba8(255, 255, 255, alpha);
        pixmap.fill_path(
            &disc,
            &paint,
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
    pixmap.encode_png().unwrap()
}

pub fn logo(w: u32, h: u32) -> Arc<Logo> {
    Arc::new(Logo::from_bytes(&png_logo(w, h, 255)).unwrap())
}

pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub const SVG_LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80" viewBox="0 0 120 80">
<rect width="120" height="80" rx="12" fill="#0f172a"/>
<circle cx="60" cy="40" r="24" fill="#f59e0b"/>
</svg>"##;
