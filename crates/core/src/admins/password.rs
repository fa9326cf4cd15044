//! Password rules (length, a zxcvbn strength estimate, not the user name)
//! and argon2id hashing.

use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::Username;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted; argon2 would take more, but nobody types more.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Passwords that appear on every list attackers try first (lowercased). The
/// length rule already refuses most; these are the long ones people still pick.
const WELL_KNOWN: &[&str] = &[
    "admin123",
    "administrator",
    "password",
    "password123",
    "password1234",
    "passw0rd1234",
    "qwertyuiop",
    "qwertyuiop123",
    "qwerty123456",
    "1qaz2wsx3edc",
    "123456789012",
    "1234567890123",
    "12345678910",
    "iloveyou1234",
    "changeme1234",
    "letmein12345",
    "welcome12345",
    "startlink123",
    "adminadmin123",
    "admin1234567",
    "administrator1",
    "parol12345678",
    "qwerty12345678",
];

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is too short: at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("the password is too long: at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    #[error("the password is a well-known one (like admin123 or password…); choose another")]
    WellKnown,
    #[error("the password repeats one character; choose another")]
    OneCharacter,
    #[error("the password contains the user name; choose one that does not")]
    ContainsUsername,
    /// zxcvbn's estimate is below [`MIN_STRENGTH`]; `hint` is its warning.
    #[error(
        "the password is too easy to guess{hint}; use a few unrelated words or a password manager"
    )]
    TooWeak { hint: String },
}

/// Least zxcvbn score (0-4) accepted: 3 is "safely unguessable" for an
/// online attack and hard for an offline one (10^8-10^10 guesses).
pub const MIN_STRENGTH: u8 = 3;

/// Words that mark a configuration secret as a placeholder copied from an
/// example (`your-256-bit-secret-change-me-please-now`), not a random value.
const PLACEHOLDER_WORDS: [&str; 14] = [
    "secret",
    "change",
    "your",
    "example",
    "placeholder",
    "replace",
    "default",
    "password",
    "please",
    "sample",
    "insert",
    "dummy",
    "testing",
    "qwerty",
];

/// Least zxcvbn estimate of guesses (as log10) for a configuration secret:
/// 10^16 is about 53 bits, above any phrase of words or pattern zxcvbn knows.
/// (zxcvbn-rs caps its estimate at u64::MAX, about 10^19.3, which any random
/// value of 20 or more characters reaches.)
const MIN_SECRET_GUESSES_LOG10: f64 = 16.0;

/// Whether a configuration secret (`JWT_SECRET`) looks chosen by a person or
/// copied from an example rather than random: placeholder words, or a
/// zxcvbn estimate below 10^16 guesses (repeats, sequences, keyboard walks).
pub fn secret_is_guessable(secret: &str) -> bool {
    let lower = secret.to_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|word| lower.contains(word)) {
        return true;
    }
    // zxcvbn's cost grows with length; random secrets are judged on a prefix.
    let prefix: String = secret.chars().take(64).collect();
    zxcvbn::zxcvbn(&prefix, &[]).guesses_log10() < MIN_SECRET_GUESSES_LOG10
}

/// A password that passed the rules. Its text never appears in `Debug`.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// A password for `username`: long enough, not well known, not
    /// containing the user name, and scoring at least [`MIN_STRENGTH`] in
    /// zxcvbn with the user name as a known input.
    pub fn parse(input: &str, username: &Username) -> Result<Self, PasswordError> {
        let chars = input.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong);
        }
        let lower = input.to_lowercase();
        if WELL_KNOWN.contains(&lower.as_str())
            || lower.starts_with("password")
            || lower.starts_with("admin123")
        {
            return Err(PasswordError::WellKnown);
        }
        let mut distinct = input.chars();
        if let Some(first) = distinct.next()
            && distinct.all(|c| c == first)
        {
            return Err(PasswordError::OneCharacter);
        }
        // Names of one or two characters are inside too many good passwords;
        // zxcvbn still weighs them as a known input.
        let name = username.as_str().to_lowercase();
        if name.chars().count() >= 3 && lower.contains(&name) {
            return Err(PasswordError::ContainsUsername);
        }
        let estimate = zxcvbn::zxcvbn(input, &[username.as_str()]);
        if u8::from(estimate.score()) < MIN_STRENGTH {
            let hint = estimate
                .feedback()
                .and_then(|f| f.warning())
                .map(|w| format!(" ({})", w.to_string().trim_end_matches('.').to_lowercase()))
                .unwrap_or_default();
            return Err(PasswordError::TooWeak { hint });
        }
        Ok(Self(input.to_owned()))
    }

    /// A random password of 20 symbols from the key alphabet (120 bits).
    pub fn generate() -> Self {
        Self(super::random_text(20))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane).
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// The PHC string (`$argon2id$v=19$m=…`) for `password`, with a fresh salt.
pub(crate) fn hash(password: &Password) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0_u8; 16];
    #[allow(clippy::expect_used)] // same reasoning as link keys: no randomness, no security
    getrandom::fill(&mut salt).expect("the operating system's random source is unavailable");
    let salt = SaltString::encode_b64(&salt)?;
    Ok(hasher()
        .hash_password(password.expose().as_bytes(), &salt)?
        .to_string())
}

/// argon2's own check, allocating its memory: the reference the tests hold
/// [`verify_in`] to.
#[cfg(test)]
pub(crate) fn verify(password: &str, stored: &str) -> bool {
    use argon2::password_hash::PasswordVerifier as _;
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// argon2's working memory, kept by a thread that checks many passwords
/// (the web server's password checkers) and reused for each: asking malloc
/// for 19 MiB per check left glibc's arenas holding hundreds of megabytes.
pub struct CheckMemory(Vec<argon2::Block>);

impl CheckMemory {
    /// Enough for hashes made with this module's parameters; grows for others.
    pub fn new() -> Self {
        Self(vec![
            argon2::Block::default();
            Params::default().block_count()
        ])
    }
}

impl Default for CheckMemory {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for CheckMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CheckMemory({} KiB)", self.0.len())
    }
}

/// [`verify`] in `memory`, allocating nothing the size of argon2's memory.
pub(crate) fn verify_in(password: &str, stored: &str, memory: &mut CheckMemory) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_bytes = [0_u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if memory.0.len() < params.block_count() {
        memory
            .0
            .resize(params.block_count(), argon2::Block::default());
    }
    let mut out = vec![0_u8; expected.len()];
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        &mut out,
        &mut memory.0,
    );
    // `Output`'s equality is constant-time.
    hashed.is_ok() && argon2::password_hash::Output::new(&out).is_ok_and(|out| out == expected)
}

/// A valid hash of a password nobody knows, verified against when the user
/// does not exist, so that a wrong user name takes as long as a wrong password.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&Password::generate()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholder_and_patterned_secrets_are_guessable_and_random_ones_not() {
        use super::secret_is_guessable;
        for weak in [
            "your-256-bit-secret-change-me-please-now",
            "abcdefghabcdefghabcdefghabcdefgh",
            "0123456789012345678901234567890123456789",
            "qwertyuiopasdfghjklzxcvbnm123456",
            "supersupersupersupersupersupersuper",
        ] {
            assert!(secret_is_guessable(weak), "{weak}");
        }
        for random in [
            "k3X9pQ2vL7mN8rT4wZ6yB1cD5fG0hJ2s",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "pAE0YY/POyjr6JzcIrSguWM/GsWCaWfNpCn//IMoSMZRDfJjhJmRIkOcTS0rIqLy",
        ] {
            assert!(!secret_is_guessable(random), "{random}");
        }
    }

    use super::*;

    fn user(name: &str) -> Username {
        Username::parse(name).unwrap()
    }

    #[test]
    fn checking_in_reused_memory_agrees_with_checking_afresh() {
        let password = Password::parse("correct horse battery", &user("ali")).unwrap();
        let stored = hash(&password).unwrap();
        let mut memory = CheckMemory::new();
        for _ in 0..2 {
            for attempt in ["correct horse battery", "correct horse batterY", ""] {
                assert_eq!(
                    verify_in(attempt, &stored, &mut memory),
                    verify(attempt, &stored),
                    "{attempt}"
                );
            }
            assert!(verify_in("correct horse battery", &stored, &mut memory));
        }
        assert!(!verify_in(
            "correct horse battery",
            "not a hash",
            &mut memory
        ));
        let mut small = CheckMemory(Vec::new());
        assert!(verify_in("correct horse battery", &stored, &mut small));
    }

    #[test]
    fn short_and_well_known_passwords_are_refused() {
        for (input, expected) in [
            ("short", PasswordError::TooShort),
            ("admin123", PasswordError::TooShort),
            ("elevenchars", PasswordError::TooShort),
            ("Password123!", PasswordError::WellKnown),
            ("password-for-the-shop", PasswordError::WellKnown),
            ("ADMIN12345678", PasswordError::WellKnown),
            ("qwertyuiop123", PasswordError::WellKnown),
            ("aaaaaaaaaaaaaaaa", PasswordError::OneCharacter),
        ] {
            assert_eq!(
                Password::parse(input, &user("ali")).unwrap_err(),
                expected,
                "{input:?}"
            );
        }
        assert_eq!(
            Password::parse(&"x1".repeat(200), &user("ali")).unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn guessable_passwords_of_twelve_characters_are_refused() {
        for input in [
            "qwertyuiop12",
            "P@ssw0rd1234",
            "abcdefghijkl",
            "zaqxswcdevfr",
        ] {
            assert!(
                matches!(
                    Password::parse(input, &user("ali")),
                    Err(PasswordError::TooWeak { .. })
                ),
                "{input:?}: {:?}",
                Password::parse(input, &user("ali")).map(|_| ())
            );
        }
    }

    #[test]
    fn a_password_containing_the_user_name_is_refused() {
        for (name, input) in [
            ("dilnoza.karimova", "dilnoza.karimova"),
            ("dilnoza", "Dilnoza-2026-shop!x"),
            ("Shopkeeper", "my shopkeeper secret 9"),
        ] {
            assert_eq!(
                Password::parse(input, &user(name)).unwrap_err(),
                PasswordError::ContainsUsername,
                "{name:?} / {input:?}"
            );
        }
    }

    #[test]
    fn the_refusal_says_why() {
        let error = Password::parse("qwertyuiop12", &user("ali")).unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with("the password is too easy to guess"),
            "{text}"
        );
        assert_eq!(
            Password::parse("ali-ali-ali-ali-1", &user("ali"))
                .unwrap_err()
                .to_string(),
            "the password contains the user name; choose one that does not"
        );
    }

    #[test]
    fn a_strong_password_of_ones_own_is_accepted() {
        for good in [
            "correct horse battery staple",
            "Oʻzbekiston-tog'lari-2026!",
            "vivid otter ledger 73",
        ] {
            assert!(
                Password::parse(good, &user("ali")).is_ok(),
                "{good:?}: {:?}",
                Password::parse(good, &user("ali")).map(|_| ())
            );
        }
    }

    #[test]
    fn a_hash_is_argon2id_and_verifies_only_the_same_password() {
        let password = Password::parse("correct horse battery", &user("ali")).unwrap();
        let stored = hash(&password).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$"), "{stored}");
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterY", &stored));
        assert!(!verify("correct horse battery", "not a hash"));
        assert_ne!(
            stored,
            hash(&password).unwrap(),
            "each hash has its own salt"
        );
    }

    #[test]
    fn generated_passwords_pass_the_rules_and_differ() {
        let a = Password::generate();
        assert!(Password::parse(a.expose(), &user("ali")).is_ok());
        assert_ne!(a.expose(), Password::generate().expose());
        assert_eq!(format!("{a:?}"), "Password(***)");
    }
}
