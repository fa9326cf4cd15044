//! Password rules and argon2id hashing.

use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

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
}

/// A password that passed the rules. Its text never appears in `Debug`.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(input: &str) -> Result<Self, PasswordError> {
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

/// Whether `password` matches the PHC string `stored`. A malformed stored hash
/// matches nothing. The comparison inside argon2 is constant-time.
pub(crate) fn verify(password: &str, stored: &str) -> bool {
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
    use super::*;

    #[test]
    fn checking_in_reused_memory_agrees_with_checking_afresh() {
        let password = Password::parse("correct horse battery").unwrap();
        let stored = hash(&password).unwrap();
        let mut memory = CheckMemory::new();
        for _ in 0..2 {
            assert!(verify_in("correct horse battery", &stored, &mut memory));
            assert!(!verify_in("correct horse batterY", &stored, &mut memory));
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
            assert_eq!(Password::parse(input).unwrap_err(), expected, "{input:?}");
        }
        assert_eq!(
            Password::parse(&"x1".repeat(200)).unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn a_twelve_character_password_of_ones_own_is_accepted() {
        for good in ["correct horse", "Oʻzbekiston2026", "12 chars ok!"] {
            assert!(Password::parse(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn a_hash_is_argon2id_and_verifies_only_the_same_password() {
        let password = Password::parse("correct horse battery").unwrap();
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
        assert!(Password::parse(a.expose()).is_ok());
        assert_ne!(a.expose(), Password::generate().expose());
        assert_eq!(format!("{a:?}"), "Password(***)");
    }
}
