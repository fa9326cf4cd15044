//! `LinkKey`: the random, unguessable identifier carried in `?start=<key>`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Telegram's alphabet for start parameters, exactly 64 symbols, so one random byte
/// masked to 6 bits picks a symbol without bias.
pub const KEY_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Prefix of personal referral links.
pub const REFERRAL_PREFIX: &str = "r_";

/// Why a string is not a link key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key is empty")]
    Empty,
    #[error("the key has {len} characters; keys have at least {min}", min = LinkKey::MIN_LEN)]
    TooShort { len: usize },
    #[error("the key has {len} characters; Telegram allows at most {max}", max = LinkKey::MAX_LEN)]
    TooLong { len: usize },
    #[error("character {ch:?} at position {position} is not allowed (only A-Z a-z 0-9 _ -)")]
    BadChar { ch: char, position: usize },
}

/// A validated link key: `MIN_LEN..=MAX_LEN` characters of [`KEY_ALPHABET`].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LinkKey(String);

impl LinkKey {
    /// Shortest key we accept. The user's Python version made 11-character keys
    /// (`secrets.token_urlsafe(8)`); 8 leaves room for hand-made ones.
    pub const MIN_LEN: usize = 8;
    /// Telegram's limit for a start parameter.
    pub const MAX_LEN: usize = 64;
    /// 12 symbols × 6 bits = 72 bits of entropy.
    pub const DEFAULT_LEN: usize = 12;

    /// A fresh random key for an order or campaign link. It never starts with the
    /// referral prefix, so a key alone tells a referral link apart, nor with `-`,
    /// which command lines take for an option and spreadsheets for a formula.
    pub fn generate() -> Self {
        loop {
            let key = random_symbols(Self::DEFAULT_LEN);
            if !key.starts_with(REFERRAL_PREFIX) && !key.starts_with('-') {
                return Self(key);
            }
        }
    }

    /// A fresh random key for a personal referral link: `r_` and 12 random symbols.
    pub fn generate_referral() -> Self {
        Self(format!(
            "{REFERRAL_PREFIX}{}",
            random_symbols(Self::DEFAULT_LEN)
        ))
    }

    pub fn parse(input: &str) -> Result<Self, KeyError> {
        check_alphabet(input)?;
        let len = input.len();
        if len < Self::MIN_LEN {
            return Err(KeyError::TooShort { len });
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_referral(&self) -> bool {
        self.0.starts_with(REFERRAL_PREFIX)
    }
}

/// Checks emptiness, the 64-character limit and the alphabet, in that order.
/// Shared by keys, start payloads and the URL builder.
pub(crate) fn check_alphabet(input: &str) -> Result<(), KeyError> {
    if input.is_empty() {
        return Err(KeyError::Empty);
    }
    let len = input.chars().count();
    if len > LinkKey::MAX_LEN {
        return Err(KeyError::TooLong { len });
    }
    if let Some((position, ch)) = input.chars().enumerate().find(|(_, ch)| !is_key_char(*ch)) {
        return Err(KeyError::BadChar { ch, position });
    }
    Ok(())
}

pub(crate) fn is_key_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'
}

fn random_symbols(len: usize) -> String {
    let mut bytes = vec![0_u8; len];
    // The OS random source failing means no secure key can be made at all;
    // there is nothing sensible to continue with.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    bytes
        .iter()
        .map(|b| char::from(KEY_ALPHABET[usize::from(b & 63)]))
        .collect()
}

impl fmt::Display for LinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkKey({})", self.0)
    }
}

impl AsRef<str> for LinkKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LinkKey {
    type Error = KeyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<LinkKey> for String {
    fn from(key: LinkKey) -> Self {
        key.0
    }
}

impl std::str::FromStr for LinkKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_generated_key_has_twelve_symbols_of_the_alphabet() {
        let key = LinkKey::generate();
        assert_eq!(key.as_str().len(), LinkKey::DEFAULT_LEN);
        assert!(key.as_str().bytes().all(|b| KEY_ALPHABET.contains(&b)));
        assert!(!key.is_referral());
    }

    #[test]
    fn generated_keys_do_not_repeat_and_are_not_sequential() {
        let keys: Vec<_> = (0..10_000).map(|_| LinkKey::generate()).collect();
        let unique: HashSet<_> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len());
        let same_prefix = keys
            .windows(2)
            .filter(|w| w[0].as_str()[..6] == w[1].as_str()[..6])
            .count();
        assert_eq!(same_prefix, 0, "consecutive keys share a 6-symbol prefix");
        assert!(
            keys.iter().all(|k| !k.as_str().starts_with('-')),
            "a key never starts with '-' (an option to a shell, a formula to a spreadsheet)"
        );
    }

    #[test]
    fn every_symbol_of_the_alphabet_turns_up() {
        let seen: HashSet<u8> = (0..2_000)
            .flat_map(|_| LinkKey::generate().as_str().as_bytes().to_vec())
            .collect();
        assert_eq!(seen.len(), 64);
    }

    #[test]
    fn a_referral_key_starts_with_r_underscore() {
        let key = LinkKey::generate_referral();
        assert!(key.is_referral());
        assert_eq!(key.as_str().len(), 14);
        assert!(LinkKey::parse(key.as_str()).is_ok());
    }

    #[test]
    fn malformed_keys_are_rejected_with_the_reason() {
        let long = "a".repeat(65);
        let cases: &[(&str, KeyError)] = &[
            ("", KeyError::Empty),
            ("abc", KeyError::TooShort { len: 3 }),
            (&long, KeyError::TooLong { len: 65 }),
            (
                "abcd efgh",
                KeyError::BadChar {
                    ch: ' ',
                    position: 4,
                },
            ),
            (
                "abcdefg=",
                KeyError::BadChar {
                    ch: '=',
                    position: 7,
                },
            ),
            (
                "ключключ",
                KeyError::BadChar {
                    ch: 'к',
                    position: 0,
                },
            ),
            (
                "abc<b>defg",
                KeyError::BadChar {
                    ch: '<',
                    position: 3,
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                LinkKey::parse(input).as_ref(),
                Err(expected),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn a_key_of_exactly_64_symbols_is_accepted() {
        assert!(LinkKey::parse(&"Z".repeat(64)).is_ok());
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".*") {
            let _ = LinkKey::parse(&s);
        }

        #[test]
        fn valid_keys_round_trip(s in "[A-Za-z0-9_-]{8,64}") {
            let key = LinkKey::parse(&s).unwrap();
            prop_assert_eq!(key.as_str(), s.as_str());
            let json = serde_json::to_string(&key).unwrap();
            prop_assert_eq!(serde_json::from_str::<LinkKey>(&json).unwrap(), key);
        }
    }
}
