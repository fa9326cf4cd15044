//! `StartPayload`: whatever arrives after `/start`, parsed once at the edge.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::key::{KeyError, LinkKey, check_alphabet};

/// Prefix Telegram reserves for its affiliate programme's start parameters.
pub const AFFILIATE_PREFIX: &str = "_tgr_";

/// aiogram's `encode_payload`: URL-safe base64 with the `=` padding stripped.
/// Padding is tolerated on input, trailing bits must be canonical.
const AIOGRAM: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a start payload is not one we can look up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the payload is empty")]
    Empty,
    #[error("the payload has {len} characters; Telegram allows at most 64")]
    TooLong { len: usize },
    #[error("character {ch:?} at position {position} is not allowed in a payload")]
    BadChar { ch: char, position: usize },
    #[error("the payload is neither a link key nor an encoded one")]
    Undecodable,
}

/// A start payload that passed Telegram's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartPayload {
    /// One of our links. `key` is the payload as it came; `decoded` is what it
    /// decodes to when it is also valid aiogram base64 of a key (links made by the
    /// Python version). Which one exists is for the database to say; the raw key wins.
    Link {
        key: LinkKey,
        decoded: Option<LinkKey>,
    },
    /// Telegram's affiliate programme (`_tgr_…`): not one of our links.
    Affiliate(String),
}

impl StartPayload {
    pub fn parse(input: &str) -> Result<Self, PayloadError> {
        check_alphabet(input).map_err(|error| match error {
            KeyError::Empty => PayloadError::Empty,
            KeyError::TooLong { len } => PayloadError::TooLong { len },
            KeyError::BadChar { ch, position } => PayloadError::BadChar { ch, position },
            KeyError::TooShort { .. } => PayloadError::Undecodable,
        })?;
        if let Some(code) = input.strip_prefix(AFFILIATE_PREFIX) {
            return Ok(Self::Affiliate(code.to_owned()));
        }
        let decoded = decode_aiogram(input);
        match LinkKey::parse(input) {
            Ok(key) => Ok(Self::Link { key, decoded }),
            // A decodable payload is always longer than the key inside it, so a
            // payload too short to be a key cannot hold one either.
            Err(_) => Err(PayloadError::Undecodable),
        }
    }

    /// Keys to look up, the raw payload first.
    pub fn candidates(&self) -> Vec<&LinkKey> {
        match self {
            Self::Link { key, decoded } => std::iter::once(key).chain(decoded.as_ref()).collect(),
            Self::Affiliate(_) => Vec::new(),
        }
    }
}

/// aiogram's `create_start_link(bot, key, encode=True)`, for tests and the importer.
pub fn encode_aiogram(key: &LinkKey) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_str())
}

fn decode_aiogram(input: &str) -> Option<LinkKey> {
    let bytes = AIOGRAM.decode(input).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    LinkKey::parse(&text).ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn key(s: &str) -> LinkKey {
        LinkKey::parse(s).unwrap()
    }

    #[test]
    fn a_raw_key_is_a_link_payload() {
        let parsed = StartPayload::parse("Ab3_-xYz09Qw").unwrap();
        assert_eq!(parsed.candidates(), vec![&key("Ab3_-xYz09Qw")]);
    }

    #[test]
    fn an_aiogram_encoded_key_decodes_to_the_key() {
        // secrets.token_urlsafe(8) as the Python version made them, then encode=True.
        let original = key("A9x2JK3sdQw");
        let payload = encode_aiogram(&original);
        assert_eq!(payload, "QTl4MkpLM3NkUXc");
        let parsed = StartPayload::parse(&payload).unwrap();
        assert_eq!(
            parsed.candidates(),
            vec![&key("QTl4MkpLM3NkUXc"), &original]
        );
    }

    #[test]
    fn padding_left_on_an_encoded_key_is_not_allowed_by_telegram() {
        assert_eq!(
            StartPayload::parse("QTl4MkpLM3NkUXc="),
            Err(PayloadError::BadChar {
                ch: '=',
                position: 15
            })
        );
    }

    #[test]
    fn an_affiliate_payload_is_recognised() {
        assert_eq!(
            StartPayload::parse("_tgr_abcDEF123").unwrap(),
            StartPayload::Affiliate("abcDEF123".into())
        );
        assert!(
            StartPayload::parse("_tgr_x")
                .unwrap()
                .candidates()
                .is_empty()
        );
    }

    #[test]
    fn a_payload_longer_than_64_chars_is_rejected() {
        assert_eq!(
            StartPayload::parse(&"a".repeat(65)),
            Err(PayloadError::TooLong { len: 65 })
        );
    }

    #[test]
    fn malformed_payloads_are_rejected_with_the_reason() {
        let cases: &[(&str, PayloadError)] = &[
            ("", PayloadError::Empty),
            ("abc", PayloadError::Undecodable),
            (
                "a b",
                PayloadError::BadChar {
                    ch: ' ',
                    position: 1,
                },
            ),
            (
                "<script>",
                PayloadError::BadChar {
                    ch: '<',
                    position: 0,
                },
            ),
            (
                "%2F%2Fevil",
                PayloadError::BadChar {
                    ch: '%',
                    position: 0,
                },
            ),
            (
                "abc\0defgh",
                PayloadError::BadChar {
                    ch: '\0',
                    position: 3,
                },
            ),
            (
                "ключ",
                PayloadError::BadChar {
                    ch: 'к',
                    position: 0,
                },
            ),
            (
                "x\u{202e}cod.exe",
                PayloadError::BadChar {
                    ch: '\u{202e}',
                    position: 1,
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                StartPayload::parse(input).as_ref(),
                Err(expected),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn a_payload_decoding_to_garbage_is_only_a_raw_key() {
        // "________" decodes to bytes that are not UTF-8 text of a key.
        let parsed = StartPayload::parse("________").unwrap();
        assert_eq!(parsed.candidates().len(), 1);
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_arbitrary_strings(s in "\\PC{0,80}") {
            let _ = StartPayload::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let s = String::from_utf8_lossy(&bytes);
            let _ = StartPayload::parse(&s);
        }

        #[test]
        fn every_key_round_trips_through_aiogram_encoding(s in "[A-Za-z0-9_-]{8,48}") {
            let original = key(&s);
            let payload = encode_aiogram(&original);
            let parsed = StartPayload::parse(&payload).unwrap();
            prop_assert!(parsed.candidates().contains(&&original));
        }

        #[test]
        fn anything_accepted_obeys_telegrams_rules(s in "[ -~]{0,70}") {
            if StartPayload::parse(&s).is_ok() {
                prop_assert!(s.len() <= 64);
                prop_assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
            }
        }
    }
}
