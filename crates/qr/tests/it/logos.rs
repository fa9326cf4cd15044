//! Logos of every kind and shape: drawn in a cleared area, never over modules,
//! and the code always reads.

use std::sync::Arc;

use startlink_qr::{EcLevel, Format, Logo, Preset, QrError, QrStyle, Variant, render};
use tiny_skia::Pixmap;

use crate::decode::assert_reads;
use crate::fixtures::{LONG_LINK, SHORT_LINK, SVG_LOGO, fixture, logo, png_logo};

fn brand_with(logo: Arc<Logo>) -> QrStyle {
    QrStyle {
        logo: Some(logo),
        ..QrStyle::preset(Preset::Brand)
    }
}

#[test]
fn logos_of_extreme_aspect_ratios_and_sizes_still_read() {
    for (w, h) in [
        (1, 1),
        (3, 2),
        (1000, 20),
        (20, 1000),
        (4000, 400),
        (2000, 2000),
        (16, 9),
    ] {
        let logo = logo(w, h);
        for format in [Format::Png, Format::Svg] {
            for text in [SHORT_LINK, LONG_LINK] {
                let style = QrStyle {
                    format,
                    ..brand_with(logo.clone())
                };
                let case = format!("{w}x{h} logo, {format:?}, {} bytes", text.len());
                let qr = render(text, &style).unwrap_or_else(|e| panic!("{case}: {e}"));
                assert_eq!(qr.ec, EcLevel::H, "{case}: a logo asks for level H");
                assert_reads(&qr, text, &case);
                assert_ne!(qr.variant, Variant::NoLogo, "{case}: {:?}", qr.degraded);
                if format == Format::Png {
                    assert!(red_pixels(&qr.bytes) > 0, "{case}: the logo is drawn");
                }
            }
        }
    }
}

/// Pixels where red dominates: the logo's, since the brand code is blue on white.
fn red_pixels(png: &[u8]) -> usize {
    let pixmap = Pixmap::decode_png(png).unwrap();
    pixmap
        .pixels()
        .iter()
        .filter(|p| i32::from(p.red()) - i32::from(p.green()) > 60)
        .count()
}

#[test]
fn a_logo_and_a_style_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Logo>();
    shareable::<QrStyle>();
    let style = brand_with(logo(64, 64));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let style = style.clone();
            std::thread::spawn(move || render(SHORT_LINK, &style).map(|qr| qr.bytes.len()))
        })
        .collect();
    for thread in threads {
        assert!(thread.join().unwrap().unwrap() > 0);
    }
}

#[test]
fn jpeg_svg_and_transparent_png_logos_load_and_read() {
    let logos = [
        ("baseline JPEG", Logo::from_path(&fixture("logo.jpg"))),
        (
            "progressive JPEG",
            Logo::from_path(&fixture("logo-progressive.jpg")),
        ),
        ("greyscale JPEG", Logo::from_path(&fixture("logo-gray.jpg"))),
        ("SVG", Logo::from_bytes(SVG_LOGO.as_bytes())),
        ("translucent PNG", Logo::from_bytes(&png_logo(300, 300, 90))),
        ("transparent PNG", Logo::from_bytes(&png_logo(300, 300, 0))),
    ];
    for (name, logo) in logos {
        let logo = Arc::new(logo.unwrap_or_else(|e| panic!("{name}: {e}")));
        for format in [Format::Png, Format::Svg] {
            let style = QrStyle {
                format,
                ..brand_with(logo.clone())
            };
            let qr = render(SHORT_LINK, &style).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_ne!(
                qr.variant,
                Variant::NoLogo,
                "{name} {format:?}: {:?}",
                qr.degraded
            );
            assert_reads(&qr, SHORT_LINK, &format!("{name} logo, {format:?}"));
        }
    }
}

/// With a fully transparent logo, whatever shows at the centre is what the
/// code itself put there: it must be bare background, because the modules
/// under a logo are cleared rather than painted over.
#[test]
fn the_modules_under_a_logo_are_cleared_not_painted_over() {
    let invisible = Arc::new(Logo::from_bytes(&png_logo(100, 100, 0)).unwrap());
    let style = QrStyle {
        logo: Some(invisible),
        ..QrStyle::default()
    };
    let qr = render(LONG_LINK, &style).unwrap();
    assert_eq!(qr.variant, Variant::AsRequested);
    let pixmap = Pixmap::decode_png(&qr.bytes).unwrap();
    let (cx, cy) = (pixmap.width() / 2, pixmap.height() / 2);
    let span = pixmap.width() / 12;
    for y in cy - span..cy + span {
        for x in cx - span..cx + span {
            let px = pixmap.pixel(x, y).unwrap();
            assert_eq!(
                (px.red(), px.green(), px.blue()),
                (255, 255, 255),
                "at {x},{y}"
            );
        }
    }
    let without = render(LONG_LINK, &QrStyle::default()).unwrap();
    let plain = Pixmap::decode_png(&without.bytes).unwrap();
    let dark_at_centre = (cy - span..cy + span)
        .flat_map(|y| (cx - span..cx + span).map(move |x| (x, y)))
        .filter(|&(x, y)| plain.pixel(x, y).unwrap().red() < 128)
        .count();
    assert!(dark_at_centre > 0, "without a logo the centre has modules");
}

#[test]
fn insisting_on_a_low_level_shrinks_or_drops_the_logo_and_says_so() {
    let logo = logo(300, 300);
    let at = |ec| {
        let style = QrStyle {
            ec: Some(ec),
            logo: Some(logo.clone()),
            ..QrStyle::default()
        };
        render(LONG_LINK, &style).unwrap()
    };
    let (low, high) = (at(EcLevel::L), at(EcLevel::H));
    assert_eq!((low.ec, high.ec), (EcLevel::L, EcLevel::H));
    assert_reads(&low, LONG_LINK, "level L with a logo");
    if low.variant == Variant::NoLogo {
        let reason = low.degraded.unwrap_or_default();
        assert!(reason.contains("no room for a logo"), "{reason}");
    }
    assert_eq!(high.variant, Variant::AsRequested, "{:?}", high.degraded);
}

#[test]
fn one_logo_serves_many_codes_of_different_sizes() {
    let logo = logo(640, 480);
    for size in [300, 600, 300, 1024, 600] {
        let style = QrStyle {
            size,
            ..brand_with(logo.clone())
        };
        let qr = render(SHORT_LINK, &style).unwrap();
        assert_eq!(qr.width_px, size);
        assert_reads(&qr, SHORT_LINK, &format!("{size} px"));
    }
}

#[test]
fn a_corrupt_image_is_a_clear_error() {
    let mut truncated = png_logo(50, 50, 255);
    truncated.truncate(truncated.len() / 2);
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("truncated PNG", truncated, "not a valid PNG"),
        (
            "PNG header only",
            b"\x89PNG\r\n\x1a\nrubbish".to_vec(),
            "not a valid PNG",
        ),
        (
            "JPEG header only",
            vec![0xff, 0xd8, 0xff, 0xe0, 0, 0],
            "not a valid JPEG",
        ),
        (
            "broken SVG",
            b"<svg xmlns='http://www.w3.org/2000/svg'><rect".to_vec(),
            "not a valid SVG",
        ),
        (
            "a text file",
            b"hello, this is not an image".to_vec(),
            "not a PNG, JPEG or SVG",
        ),
    ];
    for (name, bytes, expected) in cases {
        let error = Logo::from_bytes(&bytes).expect_err(name).to_string();
        assert!(error.contains(expected), "{name}: {error}");
        assert!(!error.contains('\n'), "{name}: one line: {error}");
    }
}

#[test]
fn a_missing_logo_file_is_an_error_that_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-logo.png");
    let error = Logo::from_path(&path).expect_err("missing file");
    assert!(matches!(error, QrError::LogoRead { .. }));
    let message = error.to_string();
    assert!(message.contains("no-such-logo.png"), "{message}");
}

#[test]
fn an_svg_logo_cannot_read_local_files() {
    let path = fixture("logo.jpg");
    let sneaky = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image width="10" height="10" xlink:href="{}"/></svg>"#,
        path.display()
    );
    let logo = Arc::new(Logo::from_bytes(sneaky.as_bytes()).unwrap());
    let qr = render(SHORT_LINK, &brand_with(logo)).unwrap();
    assert_reads(&qr, SHORT_LINK, "svg logo with a file href");
    let pixmap = Pixmap::decode_png(&qr.bytes).unwrap();
    let centre = pixmap
        .pixel(pixmap.width() / 2, pixmap.height() / 2)
        .unwrap();
    // The JPEG is red at its centre's surroundings; the logo must stay empty.
    assert_eq!(
        (centre.red(), centre.green(), centre.blue()),
        (255, 255, 255)
    );
}
