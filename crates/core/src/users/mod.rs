//! Telegram users: who they are, when we first saw them, and who brought them.

pub(crate) mod entity;
mod scan;
mod store;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use scan::{UserRow, scan};
pub use store::{UserFilter, count_referred, count_since, find, list, set_lang, touch};

/// A Telegram user id. User ids are positive and fit in 52 bits; we accept up to
/// 2^53 so a future widening does not break us.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TgUserId(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a Telegram user id (a positive whole number below 2^53)")]
pub struct TgUserIdError(String);

impl TgUserId {
    const MAX: i64 = 1 << 53;

    pub fn new(id: i64) -> Result<Self, TgUserIdError> {
        if id > 0 && id < Self::MAX {
            Ok(Self(id))
        } else {
            Err(TgUserIdError(id.to_string()))
        }
    }

    pub fn parse(input: &str) -> Result<Self, TgUserIdError> {
        input
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| Self::new(id).ok())
            .ok_or_else(|| TgUserIdError(input.to_owned()))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for TgUserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for TgUserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TgUserId({})", self.0)
    }
}

impl std::str::FromStr for TgUserId {
    type Err = TgUserIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// What a Telegram update tells us about its sender. Strings are stored as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TgProfile {
    pub id: TgUserId,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub language_code: Option<String>,
}

impl TgProfile {
    pub fn new(id: TgUserId) -> Self {
        Self {
            id,
            username: None,
            first_name: None,
            language_code: None,
        }
    }
}

/// A stored Telegram user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TgUser {
    pub id: i64,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub language_code: Option<String>,
    /// Language chosen with `/lang`, overriding `language_code`.
    pub lang: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub referred_by: Option<i64>,
    pub first_link_id: Option<i64>,
    pub first_campaign_id: Option<i64>,
}

impl From<entity::Model> for TgUser {
    fn from(m: entity::Model) -> Self {
        Self {
            id: m.id,
            username: m.username,
            first_name: m.first_name,
            language_code: m.language_code,
            lang: m.lang,
            first_seen_at: m.first_seen_at,
            last_seen_at: m.last_seen_at,
            referred_by: m.referred_by,
            first_link_id: m.first_link_id,
            first_campaign_id: m.first_campaign_id,
        }
    }
}

/// What [`touch`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touched {
    pub is_new: bool,
    /// Language chosen with `/lang`, if any.
    pub lang: Option<String>,
}

/// First-touch attribution, written only when the user is new.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attribution {
    pub first_link_id: Option<i64>,
    pub first_campaign_id: Option<i64>,
    pub referred_by: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_ids_must_be_positive_and_below_two_to_the_53() {
        assert!(TgUserId::new(1).is_ok());
        assert!(TgUserId::new(7_000_000_000).is_ok());
        assert!(TgUserId::new((1 << 53) - 1).is_ok());
        for bad in [0, -1, 1 << 53, i64::MAX, i64::MIN] {
            assert!(TgUserId::new(bad).is_err(), "{bad}");
        }
        assert!(TgUserId::parse(" 42 ").is_ok());
        for bad in ["", "abc", "1e3", "-5", "99999999999999999999"] {
            assert!(TgUserId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
