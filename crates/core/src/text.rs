//! The one rule for names people type and other people read (admin user
//! names, campaign names): trimmed, in Unicode NFC, and free of characters
//! that are invisible or change the direction of the text around them, so
//! that two names that look alike are one name, or one of them is refused.

use unicode_normalization::UnicodeNormalization as _;

/// Why a name is refused. `field` names the input, as the caller calls it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("{field} is empty")]
    Empty { field: String },
    #[error(
        "{field} contains the invisible or text-direction character U+{code:04X}; type it again without it"
    )]
    Invisible { field: String, code: u32 },
    #[error("{field} contains the control character U+{code:04X}")]
    Control { field: String, code: u32 },
}

/// `raw` trimmed and in NFC, or why it cannot be a name. Composed and
/// decomposed spellings of one name (`é` and `e` + U+0301) come out equal.
pub fn identifier(field: &str, raw: &str) -> Result<String, IdentifierError> {
    let name: String = raw.trim().nfc().collect();
    if name.is_empty() {
        return Err(IdentifierError::Empty {
            field: field.to_owned(),
        });
    }
    for c in name.chars() {
        if c.is_control() {
            return Err(IdentifierError::Control {
                field: field.to_owned(),
                code: u32::from(c),
            });
        }
        if is_invisible(c) {
            return Err(IdentifierError::Invisible {
                field: field.to_owned(),
                code: u32::from(c),
            });
        }
    }
    Ok(name)
}

/// Format characters (Unicode category Cf) and other characters that draw
/// nothing or reorder what is drawn: zero-width spaces and joiners, the bidi
/// marks, embeddings, overrides and isolates, fillers, tags, and separators
/// other than the plain space.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E007F}'
    ) || (c.is_whitespace() && c != ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_name_is_trimmed_and_kept() {
        assert_eq!(identifier("name", "  Spring ").unwrap(), "Spring");
        assert_eq!(identifier("name", "Oʻzbek 2026").unwrap(), "Oʻzbek 2026");
    }

    #[test]
    fn composed_and_decomposed_spellings_are_one_name() {
        let composed = identifier("name", "Caf\u{00E9}").unwrap();
        let decomposed = identifier("name", "Cafe\u{0301}").unwrap();
        assert_eq!(composed, decomposed);
        assert_eq!(composed, "Caf\u{00E9}");
    }

    #[test]
    fn invisible_and_direction_characters_are_refused() {
        for (input, code) in [
            ("Spring\u{200B}", 0x200B),
            ("Spr\u{200C}ing", 0x200C),
            ("Spr\u{200D}ing", 0x200D),
            ("Spring\u{200E}", 0x200E),
            ("Spring\u{200F}", 0x200F),
            ("\u{202E}gnirpS", 0x202E),
            ("Spr\u{202A}ing", 0x202A),
            ("Spr\u{2066}ing", 0x2066),
            ("Spr\u{2069}ing", 0x2069),
            ("Spr\u{2060}ing", 0x2060),
            ("\u{FEFF}Spring", 0xFEFF),
            ("Spr\u{00AD}ing", 0x00AD),
            ("Spr\u{061C}ing", 0x061C),
            ("Spr\u{00A0}ing", 0x00A0),
            ("Spr\u{3164}ing", 0x3164),
            ("Spr\u{E0041}ing", 0xE0041),
        ] {
            assert_eq!(
                identifier("name", input),
                Err(IdentifierError::Invisible {
                    field: "name".into(),
                    code
                }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn control_characters_and_empty_names_are_refused() {
        assert!(matches!(
            identifier("name", "Spr\ning"),
            Err(IdentifierError::Control { code: 0x0A, .. })
        ));
        assert!(matches!(
            identifier("name", " \u{0007}"),
            Err(IdentifierError::Control { code: 7, .. })
        ));
        assert!(matches!(
            identifier("campaign", "   "),
            Err(IdentifierError::Empty { .. })
        ));
    }

    #[test]
    fn the_error_says_which_field_and_which_character() {
        let error = identifier("user name", "Spring\u{200F}").unwrap_err();
        assert_eq!(
            error.to_string(),
            "user name contains the invisible or text-direction character U+200F; type it again without it"
        );
    }
}
