//! API tokens for scripts: a random secret shown once, stored as its SHA-256,
//! with the scopes it grants.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::entity::api_token;

/// Every token starts with this, so a bearer credential is told apart from a JWT
/// without parsing, and a leaked one is easy to grep for.
pub const TOKEN_PREFIX: &str = "slk_";
/// Random symbols after the prefix: 40 × 6 bits = 240 bits.
const TOKEN_SYMBOLS: usize = 40;

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Scope {
    /// Read links, their QR codes, campaigns.
    #[serde(rename = "links:read")]
    LinksRead,
    /// Create, edit and revoke links.
    #[serde(rename = "links:write")]
    LinksWrite,
    /// Read link events (opens).
    #[serde(rename = "events:read")]
    EventsRead,
    /// Read Telegram users.
    #[serde(rename = "users:read")]
    UsersRead,
    /// Read statistics.
    #[serde(rename = "stats:read")]
    StatsRead,
    /// Download exports (XLSX, CSV) and PDF reports.
    #[serde(rename = "exports:read")]
    ExportsRead,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Self::LinksRead,
        Self::LinksWrite,
        Self::EventsRead,
        Self::UsersRead,
        Self::StatsRead,
        Self::ExportsRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LinksRead => "links:read",
            Self::LinksWrite => "links:write",
            Self::EventsRead => "events:read",
            Self::UsersRead => "users:read",
            Self::StatsRead => "stats:read",
            Self::ExportsRead => "exports:read",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == input)
    }

    /// Whether the scope only reads.
    pub fn is_read(self) -> bool {
        !matches!(self, Self::LinksWrite)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error(
        "unknown scope {0:?}; scopes are links:read, links:write, events:read, users:read, stats:read, exports:read"
    )]
    Unknown(String),
    #[error("give at least one scope")]
    Empty,
}

/// Parses `links:read,links:write`; sorted, without duplicates.
pub fn parse_scopes(input: &str) -> Result<Vec<Scope>, ScopeError> {
    let mut scopes = Vec::new();
    for part in input.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        scopes.push(Scope::parse(part).ok_or_else(|| ScopeError::Unknown(part.to_owned()))?);
    }
    scopes.sort_unstable();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(ScopeError::Empty);
    }
    Ok(scopes)
}

pub(crate) fn join_scopes(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The secret of a new token, returned once by `create_token`.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    pub(crate) fn generate() -> Self {
        Self(format!(
            "{TOKEN_PREFIX}{}",
            super::random_text(TOKEN_SYMBOLS)
        ))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(***)")
    }
}

/// What the table stores for a secret. A plain hash is enough: the secret has
/// 240 random bits, so there is nothing to brute-force, and it lets the lookup
/// be one indexed equality instead of an argon2 run per request.
pub(crate) fn hash_secret(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// A stored API token (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    pub(crate) fn from_model(m: api_token::Model) -> Self {
        // A scope this version does not know grants nothing rather than failing.
        let scopes = m
            .scopes
            .split(',')
            .filter_map(|s| Scope::parse(s.trim()))
            .collect();
        Self {
            id: m.id,
            name: m.name,
            scopes,
            created_by: m.created_by,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_sorted_and_deduplicated() {
        assert_eq!(
            parse_scopes("stats:read, links:read,links:read").unwrap(),
            vec![Scope::LinksRead, Scope::StatsRead]
        );
        assert_eq!(
            parse_scopes("links:read,links:delete"),
            Err(ScopeError::Unknown("links:delete".into()))
        );
        assert_eq!(parse_scopes(" , "), Err(ScopeError::Empty));
        for scope in Scope::ALL {
            assert_eq!(serde_json::to_value(scope).unwrap(), scope.as_str());
        }
    }

    #[test]
    fn secrets_are_prefixed_random_and_hashed_to_hex() {
        let a = TokenSecret::generate();
        let b = TokenSecret::generate();
        assert!(a.expose().starts_with(TOKEN_PREFIX));
        assert_eq!(a.expose().len(), TOKEN_PREFIX.len() + TOKEN_SYMBOLS);
        assert_ne!(a, b);
        let hash = hash_secret(a.expose());
        assert_eq!(hash.len(), 64);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(format!("{a:?}"), "TokenSecret(***)");
    }
}
