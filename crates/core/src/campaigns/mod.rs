//! Campaigns: named groups of links (a poster run, an ad, a channel post).

pub(crate) mod entity;
mod scan;
mod store;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use scan::{CampaignActivity, activity, scan};
pub use store::{ensure, find_by_name, list, names_by_id};

/// A stored campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<entity::Model> for Campaign {
    fn from(m: entity::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            utm_source: m.utm_source,
            utm_medium: m.utm_medium,
            utm_campaign: m.utm_campaign,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("campaign name must be 1-128 characters without control characters")]
pub struct CampaignNameError;

/// Validates a campaign name: trimmed, 1-128 characters, no control characters.
pub fn parse_name(input: &str) -> Result<String, CampaignNameError> {
    let name = input.trim();
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        return Err(CampaignNameError);
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Navro'z 2026  ").unwrap(), "Navro'z 2026");
        assert_eq!(parse_name("Oʻzbekiston <b>").unwrap(), "Oʻzbekiston <b>");
        for bad in ["", "   ", "a\nb", &"x".repeat(129)] {
            assert!(parse_name(bad).is_err(), "{bad:?}");
        }
    }
}
