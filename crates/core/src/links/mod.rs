//! Links: what a key means (an order, a campaign, a referral), its limits and state.
//!
//! Opening a link (`open`) is the one entry point for a Telegram `/start`; it ties
//! links, users and events together in one transaction.

pub(crate) mod entity;
mod key;
mod manage;
pub(crate) mod open;
mod payload;
pub(crate) mod scan;
mod selection;
mod store;
mod url;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::vocab::vocabulary;

pub use key::{KEY_ALPHABET, KeyError, LinkKey, REFERRAL_PREFIX};
pub use manage::{LinkUpdate, keys_by_id, update};
pub use open::{Opened, open, open_update};
pub use payload::{AFFILIATE_PREFIX, PayloadError, StartPayload, encode_aiogram};
pub use scan::scan;
pub use selection::{CampaignRef, LinkSelection, ResolvedSelection, SelectionError, SelectionText};
pub(crate) use store::status_condition;
pub use store::{
    LinkListing, LinkSort, Page, Revocation, create, extend, find, find_by_id, list, referral_for,
    revoke,
};
pub use url::{AdminRight, BotUsername, LinkBuilder, UrlError};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// One customer's order; one-time unless told otherwise.
    Order,
    /// A poster, an ad, a post; unlimited unless capped.
    Campaign,
    /// A user's personal link; one per user, unlimited.
    Referral,
}

vocabulary!(LinkKind, "kind", ["order", "campaign", "referral"]);

impl LinkKind {
    pub const ALL: [LinkKind; 3] = [Self::Order, Self::Campaign, Self::Referral];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Order => "order",
            Self::Campaign => "campaign",
            Self::Referral => "referral",
        }
    }

    /// `max_uses` when the creator says nothing.
    pub fn default_max_uses(self) -> Option<i64> {
        match self {
            Self::Order => Some(1),
            Self::Campaign | Self::Referral => None,
        }
    }
}

impl fmt::Display for LinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a link stands at a given instant. Precedence: revoked, used, expired, active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    Active,
    Used,
    Expired,
    Revoked,
}

vocabulary!(
    LinkStatus,
    "status",
    ["active", "used", "expired", "revoked"]
);

impl LinkStatus {
    pub const ALL: [LinkStatus; 4] = [Self::Active, Self::Used, Self::Expired, Self::Revoked];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Used => "used",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

impl fmt::Display for LinkStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many uses a new link allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UseLimit {
    /// One for an order link, unlimited for a campaign.
    #[default]
    KindDefault,
    Max(i64),
    Unlimited,
}

/// Everything needed to create a link. Strings are stored exactly as given.
#[derive(Debug, Clone, Default)]
pub struct NewLink {
    pub kind: Option<LinkKind>,
    pub product_id: Option<i64>,
    pub order_log_id: Option<i64>,
    /// Free-form JSON object for the shop's own data.
    pub attrs: Option<serde_json::Value>,
    pub title: Option<String>,
    pub welcome_text: Option<String>,
    /// Campaign name; created on first use.
    pub campaign: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub uses: UseLimit,
    pub expires_at: Option<DateTime<Utc>>,
    /// Telegram id of the operator creating it (none from the CLI).
    pub created_by: Option<i64>,
}

/// A change to a link's limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extension {
    pub expiry: Option<ExpiryChange>,
    /// Uses to add to a capped link (an unlimited link stays unlimited).
    pub more_uses: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryChange {
    At(DateTime<Utc>),
    Never,
}

/// A stored link. Shown to people through [`LinkView`].
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub id: i64,
    pub key: LinkKey,
    pub kind: LinkKind,
    pub product_id: Option<i64>,
    pub order_log_id: Option<i64>,
    pub attrs: serde_json::Value,
    pub title: Option<String>,
    pub welcome_text: Option<String>,
    pub campaign: Option<String>,
    pub campaign_id: Option<i64>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub max_uses: Option<i64>,
    pub use_count: i64,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub referrer_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl Link {
    pub fn status(&self, now: DateTime<Utc>) -> LinkStatus {
        if self.revoked_at.is_some() {
            LinkStatus::Revoked
        } else if self.max_uses.is_some_and(|max| self.use_count >= max) {
            LinkStatus::Used
        } else if self.expires_at.is_some_and(|at| at <= now) {
            LinkStatus::Expired
        } else {
            LinkStatus::Active
        }
    }

    /// `https://t.me/<bot>?start=<key>`, when the bot's name is known.
    pub fn url(&self, builder: Option<&LinkBuilder>) -> Option<String> {
        builder.and_then(|b| b.start(self.key.as_str()).ok())
    }

    /// The link as the CLI, the API and the links export show it.
    pub fn view(&self, builder: Option<&LinkBuilder>, now: DateTime<Utc>) -> LinkView {
        LinkView {
            key: self.key.clone(),
            url: self.url(builder),
            kind: self.kind,
            status: self.status(now),
            product_id: self.product_id,
            order_log_id: self.order_log_id,
            title: self.title.clone(),
            welcome_text: self.welcome_text.clone(),
            campaign: self.campaign.clone(),
            utm_source: self.utm_source.clone(),
            utm_medium: self.utm_medium.clone(),
            utm_campaign: self.utm_campaign.clone(),
            max_uses: self.max_uses,
            use_count: self.use_count,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            referrer_id: self.referrer_id,
            created_by: self.created_by,
            created_at: self.created_at,
            attrs: self.attrs.clone(),
        }
    }

    pub(crate) fn from_model(
        m: entity::Model,
        campaign: Option<String>,
    ) -> Result<Self, LinkError> {
        let key = LinkKey::parse(&m.key)
            .map_err(|e| LinkError::Corrupt(format!("link {} has key {:?}: {e}", m.id, m.key)))?;
        let kind = m
            .kind
            .parse::<LinkKind>()
            .map_err(|_| LinkError::Corrupt(format!("link {} has kind {:?}", m.id, m.kind)))?;
        Ok(Self {
            id: m.id,
            key,
            kind,
            product_id: m.product_id,
            order_log_id: m.order_log_id,
            attrs: m.attrs,
            title: m.title,
            welcome_text: m.welcome_text,
            campaign,
            campaign_id: m.campaign_id,
            utm_source: m.utm_source,
            utm_medium: m.utm_medium,
            utm_campaign: m.utm_campaign,
            max_uses: m.max_uses,
            use_count: m.use_count,
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
            referrer_id: m.referrer_id,
            created_by: m.created_by,
            created_at: m.created_at,
        })
    }
}

/// A link as every surface shows it: the API's and the CLI's JSON, the
/// OpenAPI schema (feature `openapi`) and the links export's columns — the
/// same names, in [`LinkView::FIELDS`]' order. Internal ids stay out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Link))]
pub struct LinkView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub key: LinkKey,
    /// `https://t.me/<bot>?start=<key>`; null while the bot's name is unknown.
    pub url: Option<String>,
    pub kind: LinkKind,
    /// At the moment of the answer.
    pub status: LinkStatus,
    pub product_id: Option<i64>,
    pub order_log_id: Option<i64>,
    pub title: Option<String>,
    pub welcome_text: Option<String>,
    /// Campaign name.
    pub campaign: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    /// Null: unlimited.
    pub max_uses: Option<i64>,
    pub use_count: i64,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// For a referral link: the Telegram id of the user it belongs to.
    pub referrer_id: Option<i64>,
    /// Telegram id of the operator who created it.
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// The shop's own data, a JSON object.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attrs: serde_json::Value,
}

impl LinkView {
    /// The field names, in order: JSON keys and the links export's columns.
    pub const FIELDS: [&'static str; 20] = [
        "key",
        "url",
        "kind",
        "status",
        "product_id",
        "order_log_id",
        "title",
        "welcome_text",
        "campaign",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "max_uses",
        "use_count",
        "expires_at",
        "revoked_at",
        "referrer_id",
        "created_by",
        "created_at",
        "attrs",
    ];
}

/// Why a link operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("no link with key {0}")]
    NotFound(String),
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("link {0} is revoked; a revoked link cannot be changed")]
    Revoked(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error")]
    Db(#[from] sea_orm::DbErr),
}

impl LinkError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn link(max_uses: Option<i64>, use_count: i64) -> Link {
        Link {
            id: 1,
            key: LinkKey::generate(),
            kind: LinkKind::Order,
            product_id: Some(123),
            order_log_id: Some(9876),
            attrs: serde_json::json!({}),
            title: None,
            welcome_text: None,
            campaign: None,
            campaign_id: None,
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            max_uses,
            use_count,
            expires_at: None,
            revoked_at: None,
            referrer_id: None,
            created_by: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn status_follows_revoked_used_expired_active_precedence() {
        let now = Utc::now();
        let mut l = link(Some(1), 0);
        assert_eq!(l.status(now), LinkStatus::Active);
        l.expires_at = Some(now);
        assert_eq!(l.status(now), LinkStatus::Expired, "expiry is exclusive");
        l.expires_at = Some(now + Duration::microseconds(1));
        assert_eq!(l.status(now), LinkStatus::Active);
        l.use_count = 1;
        assert_eq!(l.status(now), LinkStatus::Used);
        l.revoked_at = Some(now);
        assert_eq!(l.status(now), LinkStatus::Revoked);
        assert_eq!(link(None, 1_000_000).status(now), LinkStatus::Active);
    }

    #[test]
    fn a_link_view_serialises_as_its_fields_in_order() {
        let mut l = link(Some(1), 0);
        l.referrer_id = Some(42);
        let builder = LinkBuilder::new(BotUsername::parse("shop_bot").unwrap());
        let text = serde_json::to_string(&l.view(Some(&builder), Utc::now())).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let names: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(names.len(), LinkView::FIELDS.len(), "{text}");
        let mut at = 0;
        for name in LinkView::FIELDS {
            let quoted = format!("\"{name}\":");
            let found = text[at..]
                .find(&quoted)
                .unwrap_or_else(|| panic!("{name} missing or out of order in {text}"));
            at += found + quoted.len();
        }
        assert!(json.get("id").is_none() && json.get("campaign_id").is_none());
        assert_eq!(json["kind"], "order");
        assert_eq!(json["status"], "active");
        assert_eq!(json["referrer_id"], 42);
        assert_eq!(
            json["url"],
            format!("https://t.me/shop_bot?start={}", l.key)
        );
    }
}
