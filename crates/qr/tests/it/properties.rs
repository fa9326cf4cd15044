//! Random text: either a code that reads back exactly, or a clear refusal.

use proptest::prelude::*;
use startlink_qr::{Format, ModuleShape, QrError, QrStyle, render};

use crate::decode::{reads_exactly, texts};

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>().prop_map(|s| s.chars().take(120).collect()),
        2 => "[ -~]{0,400}",
        1 => "\\PC{500,1500}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn random_text_reads_back_exactly_or_is_refused(
        text in any_text(),
        svg in any::<bool>(),
        rounded in any::<bool>(),
    ) {
        let style = QrStyle {
            format: if svg { Format::Svg } else { Format::Png },
            modules: if rounded { ModuleShape::Rounded } else { ModuleShape::Square },
            size: 640,
            ..QrStyle::default()
        };
        match render(&text, &style) {
            Ok(qr) => {
                let found = texts(&qr);
                prop_assert!(reads_exactly(&found, &text), "{} bytes read as {:?}", text.len(), found);
            }
            Err(QrError::TooLong { bytes, .. }) => prop_assert_eq!(bytes, text.len()),
            Err(QrError::EmptyText) => prop_assert!(text.is_empty()),
            Err(other) => prop_assert!(false, "unexpected error for {} bytes: {other}", text.len()),
        }
    }
}
