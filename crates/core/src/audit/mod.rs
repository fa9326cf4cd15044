//! The audit log: who (an admin, an API token, a Telegram operator, the CLI)
//! did what (an [`Action`]) to which object, when and from which address.
//! Every write by a person or a script is one row; so are logins, failed
//! logins and logouts. Rows are kept until [`prune`] removes old ones.

mod entity;
mod store;

use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use store::{AuditPage, AuditQuery, MAX_PAGE, list, prune, record};

/// What kind of caller acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A panel or API login.
    Admin,
    /// An API token (`slk_…`).
    Token,
    /// An operator in the Telegram bot.
    Telegram,
    /// The `startlink` command line, on the server.
    Cli,
}

impl ActorKind {
    pub const ALL: [Self; 4] = [Self::Admin, Self::Token, Self::Telegram, Self::Cli];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Token => "token",
            Self::Telegram => "telegram",
            Self::Cli => "cli",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == input)
    }
}

/// Who acted, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    /// The admin's, token's or Telegram user's id; none for the CLI, or for a
    /// failed login by a name that is no admin.
    pub id: Option<i64>,
    /// The admin's user name, the token's name, the operator's Telegram name
    /// (or id), the CLI's operating-system user.
    pub name: String,
    /// The client's IP address, when it came over the network.
    pub address: Option<String>,
}

impl Actor {
    pub fn admin(admin: &crate::admins::Admin) -> Self {
        Self::new(ActorKind::Admin, Some(admin.id), &admin.username)
    }

    pub fn token(token: &crate::admins::ApiToken) -> Self {
        Self::new(ActorKind::Token, Some(token.id), &token.name)
    }

    /// A Telegram operator: `name` is the user name (without `@`) when there
    /// is one, else the id.
    pub fn telegram(user_id: i64, name: Option<&str>) -> Self {
        let name = name.map_or_else(|| user_id.to_string(), str::to_owned);
        Self::new(ActorKind::Telegram, Some(user_id), &name)
    }

    /// The command line, run as operating-system user `name`.
    pub fn cli(name: &str) -> Self {
        Self::new(ActorKind::Cli, None, name)
    }

    pub fn new(kind: ActorKind, id: Option<i64>, name: &str) -> Self {
        Self {
            kind,
            id,
            name: name.to_owned(),
            address: None,
        }
    }

    /// The same actor, coming from `address`.
    pub fn from_address(mut self, address: Option<IpAddr>) -> Self {
        self.address = address.map(|a| a.to_string());
        self
    }
}

macro_rules! actions {
    ($($variant:ident => $text:literal, $doc:literal;)*) => {
        /// What was done. Stored as `object.verb`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum Action {
            $(#[doc = $doc] #[serde(rename = $text)] $variant,)*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }
        }
    };
}

actions! {
    LinkCreate => "link.create", "A link was created.";
    LinkUpdate => "link.update", "A link's title, welcome text, expiry or use limit changed.";
    LinkRevoke => "link.revoke", "A link was revoked.";
    LinkExtend => "link.extend", "A link got a new expiry or more uses.";
    LinkBulk => "link.bulk", "Several links were changed at once.";
    ExportDownload => "export.download", "A spreadsheet export was downloaded.";
    ReportDownload => "report.download", "A PDF report was downloaded.";
    AdminCreate => "admin.create", "An admin was added.";
    AdminPassword => "admin.password", "An admin's password was changed.";
    AdminDisable => "admin.disable", "An admin was disabled.";
    AdminEnable => "admin.enable", "An admin was enabled again.";
    AdminDelete => "admin.delete", "An admin was deleted.";
    TokenCreate => "token.create", "An API token was created.";
    TokenRevoke => "token.revoke", "An API token was revoked.";
    Login => "auth.login", "An admin logged in.";
    LoginFailed => "auth.login_failed", "A login was refused (wrong name or password, disabled).";
    Logout => "auth.logout", "An admin logged out.";
}

impl Action {
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == input)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row to record: an action, the object it concerns, optional detail.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub action: Action,
    /// The object's kind (`link`, `admin`, `token`, `export`, `report`) and
    /// its key or id.
    pub object: Option<(String, String)>,
    pub detail: Option<serde_json::Value>,
}

impl Entry {
    pub fn new(action: Action) -> Self {
        Self {
            action,
            object: None,
            detail: None,
        }
    }

    pub fn object(mut self, kind: &str, key: impl fmt::Display) -> Self {
        self.object = Some((kind.to_owned(), key.to_string()));
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = Some(detail);
        self
    }

    /// An entry about `link`: its key, and its kind, campaign, order, limit
    /// and expiry as they are after the change. Every transport records link
    /// writes through this, so the rows look alike.
    pub fn link(action: Action, link: &crate::links::Link) -> Self {
        Self::new(action)
            .object("link", &link.key)
            .detail(serde_json::json!({
                "kind": link.kind.as_str(),
                "campaign": link.campaign,
                "product_id": link.product_id,
                "order_log_id": link.order_log_id,
                "max_uses": link.max_uses,
                "expires_at": link.expires_at,
            }))
    }
}

/// `AUDIT_RETENTION_DAYS`: how long entries are kept; `None` (unset or
/// empty) keeps them forever.
pub fn retention(input: Option<&str>) -> Result<Option<chrono::Duration>, AuditError> {
    let Some(text) = input.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match text.parse::<u32>() {
        Ok(days @ 1..=36_500) => Ok(Some(chrono::Duration::days(i64::from(days)))),
        _ => Err(AuditError::Invalid(format!(
            "AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 36500, or empty to keep everything; not {text:?}"
        ))),
    }
}

/// A stored audit row, as the API, the panel and `startlink audit --json`
/// show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// `object.verb`, e.g. `link.create`.
    pub action: String,
    pub object_kind: Option<String>,
    pub object_key: Option<String>,
    /// The client's IP address.
    pub address: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub detail: Option<serde_json::Value>,
}

/// Why recording or reading the audit log failed.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{0}")]
    Invalid(String),
    #[error("stored audit data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error")]
    Db(#[from] sea_orm::DbErr),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_actor_kinds_round_trip_through_their_names() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(*action));
            assert!(action.as_str().contains('.'), "{action}");
        }
        for kind in ActorKind::ALL {
            assert_eq!(ActorKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Action::parse("link"), None);
    }

    #[test]
    fn retention_is_days_or_forever() {
        assert_eq!(retention(None).unwrap(), None);
        assert_eq!(retention(Some(" ")).unwrap(), None);
        assert_eq!(
            retention(Some("90")).unwrap(),
            Some(chrono::Duration::days(90))
        );
        for bad in ["0", "-1", "1.5", "ninety", "36501"] {
            assert!(retention(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_telegram_operator_without_a_user_name_is_named_by_id() {
        assert_eq!(Actor::telegram(42, None).name, "42");
        assert_eq!(Actor::telegram(42, Some("ali")).name, "ali");
        let from = Actor::cli("root").from_address(Some([10, 0, 0, 1].into()));
        assert_eq!(from.address.as_deref(), Some("10.0.0.1"));
    }
}
