//! Every module shape × eye shape × error-correction level × logo × gradient,
//! for real t.me links and for text filling a code to capacity: every image
//! decodes back to exactly its text, read from the returned bytes.

use startlink_qr::{
    Color, EcLevel, EyeShape, Format, Gradient, GradientKind, ModuleShape, QrStyle, Variant, render,
};

use crate::decode::assert_reads;
use crate::fixtures::{LONG_LINK, SHORT_LINK, logo};

const MODULES: [ModuleShape; 3] = [ModuleShape::Square, ModuleShape::Rounded, ModuleShape::Dots];
const EYES: [EyeShape; 3] = [EyeShape::Square, EyeShape::Rounded, EyeShape::Circle];
const LEVELS: [EcLevel; 4] = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];

fn styles(format: Format) -> Vec<(String, QrStyle)> {
    let mut all = Vec::new();
    let brand_logo = logo(200, 200);
    for modules in MODULES {
        for eyes in EYES {
            for ec in LEVELS {
                for with_logo in [false, true] {
                    // Linear and radial take turns, so both meet every shape.
                    let kind = if (modules as usize + eyes as usize + ec as usize).is_multiple_of(2)
                    {
                        GradientKind::Linear
                    } else {
                        GradientKind::Radial
                    };
                    for gradient in [None, Some(kind)] {
                        let style = QrStyle {
                            format,
                            size: 480,
                            ec: Some(ec),
                            modules,
                            eyes,
                            foreground: Color::rgb(0x1e, 0x3a, 0x8a),
                            gradient: gradient.map(|kind| Gradient {
                                kind,
                                to: Color::rgb(0x7c, 0x3a, 0xed),
                            }),
                            eye_color: with_logo.then_some(Color::rgb(0x0f, 0x17, 0x2a)),
                            logo: with_logo.then(|| brand_logo.clone()),
                            ..QrStyle::default()
                        };
                        let name = format!(
                            "{format:?} {modules:?} modules, {eyes:?} eyes, EC {ec}, logo {with_logo}, gradient {gradient:?}"
                        );
                        all.push((name, style));
                    }
                }
            }
        }
    }
    all
}

fn run_matrix(format: Format, texts: &[&str]) {
    let mut logos_drawn = 0;
    for (name, style) in styles(format) {
        for text in texts {
            let case = format!("{name}, {} bytes", text.len());
            let qr = render(text, &style).unwrap_or_else(|e| panic!("{case}: {e}"));
            assert_eq!(qr.format, format, "{case}");
            assert_eq!(
                qr.ec,
                style.ec.unwrap(),
                "{case}: the insisted level is kept"
            );
            assert_reads(&qr, text, &case);
            if style.logo.is_none() {
                // Every shape is readable as drawn: nothing to give up.
                assert_eq!(
                    qr.variant,
                    Variant::AsRequested,
                    "{case}: {:?}",
                    qr.degraded
                );
            } else if matches!(style.ec, Some(EcLevel::Q | EcLevel::H)) {
                // High levels have room for a logo, and keep it.
                assert!(
                    matches!(qr.variant, Variant::AsRequested | Variant::SmallerLogo),
                    "{case}: {:?} {:?}",
                    qr.variant,
                    qr.degraded
                );
            }
            if qr.variant != Variant::NoLogo && style.logo.is_some() {
                logos_drawn += 1;
            }
        }
    }
    assert!(
        logos_drawn >= 3 * 3 * 2 * 3 * texts.len(),
        "logos drawn: {logos_drawn}"
    );
}

#[test]
fn every_png_style_of_a_real_link_decodes_to_the_link() {
    run_matrix(Format::Png, &[SHORT_LINK, LONG_LINK]);
}

#[test]
fn every_svg_style_of_a_real_link_decodes_to_the_link() {
    run_matrix(Format::Svg, &[SHORT_LINK, LONG_LINK]);
}

/// Mixed scripts (Uzbek Latin with ʻ, Cyrillic, emoji) repeated to exactly
/// the byte capacity of the level: the biggest code, version 40.
fn text_at_capacity(level: EcLevel) -> String {
    let sample = "Oʻzbekiston gʻalaba Ўзбекистон 🚀 ";
    let mut text = String::new();
    for c in sample.chars().cycle() {
        if text.len() + c.len_utf8() > level.max_bytes() {
            break;
        }
        text.push(c);
    }
    while text.len() < level.max_bytes() {
        text.push('.');
    }
    text
}

#[test]
fn arbitrary_text_up_to_capacity_decodes_at_every_level_in_both_formats() {
    for ec in LEVELS {
        let text = text_at_capacity(ec);
        assert_eq!(text.len(), ec.max_bytes());
        for (format, modules) in [
            (Format::Png, ModuleShape::Square),
            (Format::Png, ModuleShape::Rounded),
            (Format::Svg, ModuleShape::Dots),
        ] {
            let style = QrStyle {
                format,
                size: 720,
                ec: Some(ec),
                modules,
                eyes: EyeShape::Rounded,
                ..QrStyle::default()
            };
            let case = format!("{format:?} {modules:?} EC {ec} at capacity");
            let qr = render(&text, &style).unwrap_or_else(|e| panic!("{case}: {e}"));
            assert_eq!(qr.version, 40, "{case}");
            assert_reads(&qr, &text, &case);
        }
    }
}

#[test]
fn a_caption_adds_height_below_the_code_and_the_code_still_reads() {
    for format in [Format::Png, Format::Svg] {
        let plain = QrStyle {
            format,
            ..QrStyle::default()
        };
        let captioned = QrStyle {
            caption: Some("Skanerlang — oʻzbekcha, Сканируйте".to_owned()),
            ..plain.clone()
        };
        let without = render(SHORT_LINK, &plain).unwrap();
        let with = render(SHORT_LINK, &captioned).unwrap();
        assert_eq!(with.width_px, without.width_px);
        assert!(with.height_px > without.height_px + 30, "{format:?}");
        assert_reads(&with, SHORT_LINK, &format!("{format:?} with caption"));
        if format == Format::Svg {
            let svg = String::from_utf8(with.bytes).unwrap();
            assert!(
                !svg.contains("<text"),
                "captions are outlines, no font needed"
            );
        }
    }
}

#[test]
fn the_print_preset_is_an_svg_at_level_q_with_a_wide_margin() {
    let qr = render(SHORT_LINK, &QrStyle::preset(startlink_qr::Preset::Print)).unwrap();
    assert_eq!((qr.format, qr.ec), (Format::Svg, EcLevel::Q));
    assert_reads(&qr, SHORT_LINK, "print preset");
}
