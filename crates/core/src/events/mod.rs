//! Link events: every open of every link, with who, when and what came of it.

pub(crate) mod entity;
mod scan;
mod store;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::vocab::vocabulary;

pub use scan::{EventRow, scan};
pub use store::{EventFilter, NewEvent, count_by_outcome, find, list, record};

/// What opening a link came to. Stored in `link_events.outcome` as the snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The user took a use of an order link (for a one-time link, the only one).
    Redeemed,
    /// The user opens a link he already took a use of; nothing new is counted.
    AlreadyYours,
    /// A campaign or referral link counted this user.
    Accepted,
    /// Every use of the link is taken, by other users.
    AlreadyUsed,
    Expired,
    Revoked,
    /// A well-formed payload that is not one of our links.
    NotFound,
    /// A payload Telegram's rules or our key format reject.
    Invalid,
}

vocabulary!(
    Outcome,
    "outcome",
    [
        "redeemed",
        "already_yours",
        "accepted",
        "already_used",
        "expired",
        "revoked",
        "not_found",
        "invalid",
    ]
);

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Self::Redeemed,
        Self::AlreadyYours,
        Self::Accepted,
        Self::AlreadyUsed,
        Self::Expired,
        Self::Revoked,
        Self::NotFound,
        Self::Invalid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Redeemed => "redeemed",
            Self::AlreadyYours => "already_yours",
            Self::Accepted => "accepted",
            Self::AlreadyUsed => "already_used",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::NotFound => "not_found",
            Self::Invalid => "invalid",
        }
    }

    /// Whether this open took a use of the link.
    pub fn counted(self) -> bool {
        matches!(self, Self::Redeemed | Self::Accepted)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stored open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: i64,
    pub link_id: Option<i64>,
    pub tg_user_id: i64,
    pub outcome: Outcome,
    /// The raw payload, kept for opens that matched no link.
    pub payload: Option<String>,
    pub new_user: bool,
    pub at: DateTime<Utc>,
}

impl Event {
    fn from_model(m: entity::Model) -> Self {
        Self {
            id: m.id,
            link_id: m.link_id,
            tg_user_id: m.tg_user_id,
            // Unknown text can only come from a newer version writing the table;
            // showing it as invalid beats failing the whole listing.
            outcome: m.outcome.parse().unwrap_or(Outcome::Invalid),
            payload: m.payload,
            new_user: m.new_user,
            at: m.at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_names_round_trip_and_match_serde() {
        for outcome in Outcome::ALL {
            assert_eq!(outcome.as_str().parse(), Ok(outcome));
            assert_eq!(serde_json::to_value(outcome).unwrap(), outcome.as_str());
        }
        assert!("redeemed!".parse::<Outcome>().is_err());
    }
}
