//! Bad input is a clear error that names it, never a panic.

use startlink_qr::{Color, EcLevel, Format, QrError, QrStyle, render};

use crate::fixtures::SHORT_LINK;

#[test]
fn text_longer_than_any_code_is_a_capacity_error() {
    let text = "ы".repeat(EcLevel::L.max_bytes());
    let error = render(&text, &QrStyle::default()).unwrap_err();
    assert!(
        matches!(error, QrError::TooLong { ec: EcLevel::L, .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&text.len().to_string()) && message.contains("2953"),
        "{message}"
    );
}

#[test]
fn an_insisted_level_is_not_lowered_to_fit() {
    let text = "x".repeat(EcLevel::H.max_bytes() + 1);
    let style = QrStyle {
        ec: Some(EcLevel::H),
        ..QrStyle::default()
    };
    let error = render(&text, &style).unwrap_err();
    assert!(
        matches!(
            error,
            QrError::TooLong {
                ec: EcLevel::H,
                max: 1273,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn empty_text_is_refused() {
    assert!(matches!(
        render("", &QrStyle::default()),
        Err(QrError::EmptyText)
    ));
}

#[test]
fn bad_styles_are_refused_with_the_value_that_failed() {
    let base = QrStyle::default();
    let cases: Vec<(&str, QrStyle, &str)> = vec![
        (
            "size 0",
            QrStyle {
                size: 0,
                ..base.clone()
            },
            "size 0 px",
        ),
        (
            "size huge",
            QrStyle {
                size: 100_000,
                ..base.clone()
            },
            "100000 px",
        ),
        (
            "margin",
            QrStyle {
                margin: 99,
                ..base.clone()
            },
            "margin 99",
        ),
        (
            "logo scale",
            QrStyle {
                logo_scale: 0.9,
                ..base.clone()
            },
            "logo scale 0.9",
        ),
        (
            "light foreground",
            QrStyle {
                foreground: Color::rgb(0xee, 0xee, 0x00),
                ..base.clone()
            },
            "#eeee00",
        ),
        (
            "inverted",
            QrStyle {
                foreground: Color::WHITE,
                background: Color::BLACK,
                ..base.clone()
            },
            "#ffffff",
        ),
        (
            "light gradient end",
            QrStyle {
                gradient: Some(startlink_qr::Gradient {
                    kind: startlink_qr::GradientKind::Linear,
                    to: Color::rgb(0xf0, 0xf0, 0xf0),
                }),
                ..base.clone()
            },
            "gradient colour #f0f0f0",
        ),
        (
            "light eyes",
            QrStyle {
                eye_color: Some(Color::rgb(0xdd, 0xdd, 0xff)),
                ..base.clone()
            },
            "eye colour",
        ),
    ];
    for (name, style, expected) in cases {
        let error = render(SHORT_LINK, &style).expect_err(name).to_string();
        assert!(error.contains(expected), "{name}: {error}");
    }
}

#[test]
fn a_size_too_small_for_the_text_says_how_many_pixels_are_needed() {
    let text = "y".repeat(1000);
    for format in [Format::Png, Format::Svg] {
        let style = QrStyle {
            size: 120,
            format,
            ..QrStyle::default()
        };
        let error = render(&text, &style).unwrap_err();
        assert!(
            matches!(error, QrError::SizeTooSmall { size: 120, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("at least"), "{error}");
    }
}

#[test]
fn bad_colours_name_the_input() {
    for input in ["", "#12", "blue", "#1234567", "#ggg"] {
        let error = input.parse::<Color>().unwrap_err().to_string();
        assert!(error.contains(&format!("{input:?}")), "{input:?}: {error}");
    }
}

#[test]
fn japanese_and_mixed_script_text_reads_back_byte_for_byte() {
    // UTF-8 for these contains byte pairs in Shift JIS ranges, which an
    // encoder could take for Kanji mode; scanners would then show other text.
    for text in [
        "あいうえお",
        "日本語テキスト",
        "東京 https://t.me/x?start=あ",
        "Ўзбек 漢字 ß",
    ] {
        for format in [Format::Png, Format::Svg] {
            let style = QrStyle {
                format,
                ..QrStyle::default()
            };
            let qr = render(text, &style).unwrap_or_else(|e| panic!("{text}: {e}"));
            crate::decode::assert_reads(&qr, text, text);
        }
    }
}
