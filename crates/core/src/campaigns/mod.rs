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
pub enum CampaignNameError {
    #[error(transparent)]
    Identifier(#[from] crate::text::IdentifierError),
    #[error("campaign name is longer than {MAX_NAME} characters")]
    TooLong,
}

/// Longest campaign name, in characters.
pub const MAX_NAME: usize = 128;

/// Validates a campaign name, which identifies the campaign: trimmed, in NFC,
/// 1-128 characters, no control, invisible or text-direction characters
/// (`crate::text::identifier`), so `Spring` and `Spring` + a zero-width space
/// cannot be two campaigns.
pub fn parse_name(input: &str) -> Result<String, CampaignNameError> {
    let name = crate::text::identifier("campaign name", input)?;
    if name.chars().count() > MAX_NAME {
        return Err(CampaignNameError::TooLong);
    }
    Ok(name)
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

    #[test]
    fn lookalike_campaign_names_are_one_name_or_refused() {
        assert_eq!(parse_name("Spring").unwrap(), "Spring");
        for hidden in [
            "Spring\u{200B}",
            "Spring\u{200F}",
            "\u{202E}Spring",
            "Spr\u{2060}ing",
        ] {
            let error = parse_name(hidden).unwrap_err().to_string();
            assert!(error.contains("campaign name"), "{hidden:?}: {error}");
        }
        assert_eq!(
            parse_name("Jose\u{0301}").unwrap(),
            parse_name("Jos\u{00E9}").unwrap()
        );
    }
}
