//! Which links: campaign, creator, kind, status and search text. The one
//! description listings, figures and exports share, and its one parser from
//! the text values the CLI, the API and the panel receive.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr, SimpleExpr};
use sea_orm::{ConnectionTrait, DbErr};

use super::entity::{Column, Entity};
use super::store::status_condition;
use super::{LinkKind, LinkStatus};
use crate::campaigns;
use crate::users::TgUserId;
use crate::vocab::ParseError;

/// A campaign, by name (as the operator types it) or by id (as the panel links it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CampaignRef {
    Id(i64),
    Name(String),
}

impl std::fmt::Display for CampaignRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Id(id) => write!(f, "#{id}"),
            Self::Name(name) => f.write_str(name),
        }
    }
}

/// Which links: a link matches when it passes every field set; `Default`
/// selects every link. Events are selected through their link, users through
/// the link they first came through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkSelection {
    pub campaign: Option<CampaignRef>,
    /// Telegram id of the links' creator.
    pub creator: Option<i64>,
    pub kind: Option<LinkKind>,
    /// The links' status at the instant the selection is evaluated.
    pub status: Option<LinkStatus>,
    /// Case-insensitive text in the key, title or welcome text.
    pub search: Option<String>,
}

/// A [`LinkSelection`] as text, as query strings, forms and CLI flags carry
/// it; blank values are absent. Transports fill it from their own parameter
/// names (`creator`, `created_by`) and call [`LinkSelection::parse`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectionText {
    /// Campaign name, exact.
    pub campaign: Option<String>,
    /// A Telegram user id.
    pub creator: Option<String>,
    /// `order`, `campaign` or `referral`.
    pub kind: Option<String>,
    /// `active`, `used`, `expired` or `revoked`.
    pub status: Option<String>,
    pub search: Option<String>,
}

/// A selection value that is not one of those accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {value:?} is not {accepted}")]
pub struct SelectionError {
    /// The field as the caller named it (`kind`, `status`, `creator`).
    pub field: &'static str,
    pub value: String,
    /// What would have been accepted.
    pub accepted: String,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl From<ParseError> for SelectionError {
    fn from(error: ParseError) -> Self {
        Self {
            field: error.field,
            value: error.value,
            accepted: format!("one of {}", error.accepted.join(", ")),
        }
    }
}

/// The one place a kind or status is read from text: the vocabulary's own
/// `FromStr`, so the message is the one every surface shows.
fn parse_kind(text: &str) -> Result<LinkKind, SelectionError> {
    Ok(text.parse::<LinkKind>()?)
}

fn parse_status(text: &str) -> Result<LinkStatus, SelectionError> {
    Ok(text.parse::<LinkStatus>()?)
}

impl LinkSelection {
    /// Reads a selection from text. `creator_field` is what the caller calls
    /// the creator (`creator`, or `created_by` in the links list), so the
    /// error names the parameter the user gave.
    pub fn parse(
        text: &SelectionText,
        creator_field: &'static str,
    ) -> Result<Self, SelectionError> {
        let creator = given(&text.creator)
            .map(|id| {
                TgUserId::parse(id)
                    .map(TgUserId::get)
                    .map_err(|_| SelectionError {
                        field: creator_field,
                        value: id.to_owned(),
                        accepted: "a Telegram user id (a positive whole number)".to_owned(),
                    })
            })
            .transpose()?;
        Ok(Self {
            campaign: given(&text.campaign).map(|c| CampaignRef::Name(c.to_owned())),
            creator,
            kind: given(&text.kind).map(parse_kind).transpose()?,
            status: given(&text.status).map(parse_status).transpose()?,
            search: given(&text.search).map(str::to_owned),
        })
    }

    /// The links of one creator.
    pub fn created_by(creator: i64) -> Self {
        Self {
            creator: Some(creator),
            ..Self::default()
        }
    }

    /// Whether every link matches (no field set).
    pub fn is_everything(&self) -> bool {
        *self == Self::default()
    }

    /// Looks the campaign up by name; `None` when no campaign has that name
    /// (then no link matches, which callers report or show as they need).
    pub async fn resolve<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<Option<ResolvedSelection>, DbErr> {
        let campaign_id = match &self.campaign {
            None => None,
            Some(CampaignRef::Id(id)) => Some(*id),
            Some(CampaignRef::Name(name)) => {
                match campaigns::find_by_name(db, name.trim()).await? {
                    Some(campaign) => Some(campaign.id),
                    None => return Ok(None),
                }
            }
        };
        Ok(Some(ResolvedSelection {
            selection: self.clone(),
            campaign_id,
        }))
    }
}

/// A [`LinkSelection`] whose campaign has been looked up: builds the SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvedSelection {
    pub selection: LinkSelection,
    pub campaign_id: Option<i64>,
}

impl ResolvedSelection {
    /// Every link.
    pub fn everything() -> Self {
        Self::default()
    }

    /// Whether every link matches.
    pub fn is_everything(&self) -> bool {
        self.selection.is_everything()
    }

    /// The same selection without the campaign.
    pub fn without_campaign(&self) -> Self {
        Self {
            selection: LinkSelection {
                campaign: None,
                ..self.selection.clone()
            },
            campaign_id: None,
        }
    }

    /// The SQL condition on the `links` table at `now`, qualified so it can
    /// sit in a join or a subquery. Rows of an outer join that have no link
    /// never match a non-empty selection.
    pub(crate) fn condition(&self, now: DateTime<Utc>) -> Condition {
        let col = |c: Column| Expr::col((Entity, c));
        let mut all = Condition::all();
        if self.is_everything() {
            return all;
        }
        let s = &self.selection;
        all = all.add(col(Column::Id).is_not_null());
        if let Some(id) = self.campaign_id {
            all = all.add(col(Column::CampaignId).eq(id));
        }
        if let Some(creator) = s.creator {
            all = all.add(col(Column::CreatedBy).eq(creator));
        }
        if let Some(kind) = s.kind {
            all = all.add(col(Column::Kind).eq(kind.as_str()));
        }
        if let Some(status) = s.status {
            // Its columns (revoked_at, max_uses, use_count, expires_at) exist
            // only in `links` among the tables joined to it.
            all = all.add(status_condition(status, now));
        }
        if let Some(text) = s.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            all = all.add(search_condition(text));
        }
        all
    }
}

/// A `LIKE` pattern matching `text` anywhere, wildcards in it taken literally.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// Key, title or welcome text contains `text`, case-insensitively.
fn search_condition(text: &str) -> Condition {
    // SQLite's LOWER() folds ASCII only: the text as typed is matched too, so
    // "Ўзбек" finds "Ўзбекистон" on both engines (PostgreSQL also folds it).
    let lowered = like_pattern(&text.to_lowercase());
    let typed = like_pattern(text);
    let mut any = Condition::any();
    for column in [Column::Key, Column::Title, Column::WelcomeText] {
        let lower: SimpleExpr = Func::lower(Expr::col((Entity, column))).into();
        any = any
            .add(Expr::expr(lower).like(LikeExpr::new(lowered.clone()).escape('\\')))
            .add(Expr::col((Entity, column)).like(LikeExpr::new(typed.clone()).escape('\\')));
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(field: &str, value: &str) -> SelectionText {
        let mut text = SelectionText::default();
        let slot = match field {
            "campaign" => &mut text.campaign,
            "creator" => &mut text.creator,
            "kind" => &mut text.kind,
            "status" => &mut text.status,
            _ => &mut text.search,
        };
        *slot = Some(value.to_owned());
        text
    }

    #[test]
    fn text_values_are_read_trimmed_and_blank_ones_are_absent() {
        let parsed = LinkSelection::parse(
            &SelectionText {
                campaign: Some(" Spring ".into()),
                creator: Some(" 42 ".into()),
                kind: Some("campaign".into()),
                status: Some(" revoked".into()),
                search: Some(" poster ".into()),
            },
            "creator",
        )
        .unwrap();
        assert_eq!(
            parsed,
            LinkSelection {
                campaign: Some(CampaignRef::Name("Spring".into())),
                creator: Some(42),
                kind: Some(LinkKind::Campaign),
                status: Some(LinkStatus::Revoked),
                search: Some("poster".into()),
            }
        );
        let blank = SelectionText {
            campaign: Some("".into()),
            creator: Some("  ".into()),
            kind: Some("".into()),
            status: Some(" ".into()),
            search: Some("".into()),
        };
        assert!(
            LinkSelection::parse(&blank, "creator")
                .unwrap()
                .is_everything()
        );
    }

    #[test]
    fn a_bad_value_is_refused_naming_the_field_the_value_and_what_is_accepted() {
        let cases = [
            (
                "kind",
                "poster",
                "kind: \"poster\" is not one of order, campaign, referral",
            ),
            (
                "status",
                "dead",
                "status: \"dead\" is not one of active, used, expired, revoked",
            ),
            (
                "creator",
                "-5",
                "creator: \"-5\" is not a Telegram user id (a positive whole number)",
            ),
            (
                "creator",
                "ali",
                "creator: \"ali\" is not a Telegram user id (a positive whole number)",
            ),
            (
                "kind",
                "poster",
                "kind: \"poster\" is not one of order, campaign, referral",
            ),
        ];
        for (field, value, message) in cases {
            let error = LinkSelection::parse(&text(field, value), "creator").unwrap_err();
            assert_eq!(error.to_string(), message, "{field}={value:?}");
            assert_eq!(error.field, field);
        }
    }

    #[test]
    fn the_creator_is_named_as_the_caller_calls_it() {
        let error = LinkSelection::parse(&text("creator", "x"), "created_by").unwrap_err();
        assert!(
            error.to_string().starts_with("created_by: \"x\""),
            "{error}"
        );
    }

    #[test]
    fn like_wildcards_in_search_text_are_taken_literally() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(like_pattern("ABC"), "%ABC%");
    }
}
