//! Who may use the panel and the API: admins (user name, argon2id password
//! hash, role) and API tokens (hashed secret, scopes).

pub(crate) mod entity;
mod manage;
mod password;
mod session;
mod store;
mod token;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use manage::{delete_admin, disable_admin, enable_admin, set_password};
pub use password::{
    CheckMemory, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, MIN_STRENGTH, Password, PasswordError,
    secret_is_guessable,
};
pub use session::{
    AdminSession, count_live_sessions, end_session, end_sessions_of, live_session, prune_sessions,
    start_session,
};
pub use store::{
    Credentials, authenticate, authenticate_token, count_admins, create_admin, create_token,
    credentials, ensure_first_admin, find_admin, find_admin_by_id, list_admins, list_tokens,
    record_login, revoke_token,
};
pub use token::{ApiToken, Scope, ScopeError, TOKEN_PREFIX, TokenSecret, parse_scopes};

/// What an admin may do in the panel and the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including other admins and API tokens.
    Admin,
    /// Reads everything, changes nothing.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 2] = [Self::Admin, Self::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == input)
    }

    pub fn can_write(self) -> bool {
        self == Self::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An admin's login name: 1-64 letters, digits or `_ . @ -`, in NFC and
/// through [`crate::text::identifier`] (no invisible or bidi characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error(transparent)]
    Identifier(#[from] crate::text::IdentifierError),
    #[error("user name {0:?} is not valid: 1-64 letters, digits or _ . @ -")]
    Shape(String),
}

impl Username {
    pub fn parse(input: &str) -> Result<Self, UsernameError> {
        let name = crate::text::identifier("user name", input)?;
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '-');
        if name.chars().count() > 64 || !name.chars().all(allowed) {
            return Err(UsernameError::Shape(input.to_owned()));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored admin (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Admin {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Set while the admin may not log in.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl Admin {
    fn from_model(m: entity::admin::Model) -> Result<Self, AdminError> {
        let role = Role::parse(&m.role)
            .ok_or_else(|| AdminError::Corrupt(format!("admin {} has role {:?}", m.id, m.role)))?;
        Ok(Self {
            id: m.id,
            username: m.username,
            role,
            created_at: m.created_at,
            last_login_at: m.last_login_at,
            disabled_at: m.disabled_at,
        })
    }
}

/// Why an admin or token operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("an admin called {0} exists already")]
    Exists(String),
    #[error("there is no admin called {0}")]
    NotFound(String),
    #[error("{0} is the last enabled admin with the admin role; add or enable another first")]
    LastAdmin(String),
    #[error("token name must be 1-128 characters without control characters")]
    TokenName,
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error")]
    Db(#[from] sea_orm::DbErr),
    #[error("audit log: {0}")]
    Audit(#[from] crate::audit::AuditError),
}

/// `len` random symbols of the link-key alphabet (6 bits each).
fn random_text(len: usize) -> String {
    let mut bytes = vec![0_u8; len];
    #[allow(clippy::expect_used)] // without OS randomness no secret can be made at all
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    bytes
        .iter()
        .map(|b| char::from(crate::links::KEY_ALPHABET[usize::from(b & 63)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_short_and_plain() {
        assert_eq!(
            Username::parse(" ali.k@shop ").unwrap().as_str(),
            "ali.k@shop"
        );
        assert_eq!(Username::parse("Oʻzbek").unwrap().as_str(), "Oʻzbek");
        for bad in ["", "   ", "a b", "<script>", "al\ni", &"x".repeat(65)] {
            assert!(Username::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_user_name_with_an_invisible_or_bidi_character_is_refused() {
        assert_eq!(Username::parse("Spring").unwrap().as_str(), "Spring");
        for bad in [
            "Spring\u{200B}",
            "Spring\u{200F}",
            "Spr\u{202E}ing",
            "Spring\u{200E}",
        ] {
            assert!(
                matches!(Username::parse(bad), Err(UsernameError::Identifier(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn composed_and_decomposed_user_names_are_equal() {
        assert_eq!(
            Username::parse("Jose\u{0301}").unwrap(),
            Username::parse("Jos\u{00E9}").unwrap()
        );
    }

    #[test]
    fn only_admins_write() {
        assert!(Role::Admin.can_write());
        assert!(!Role::Viewer.can_write());
        assert_eq!(Role::parse("viewer"), Some(Role::Viewer));
        assert_eq!(Role::parse("root"), None);
    }
}
