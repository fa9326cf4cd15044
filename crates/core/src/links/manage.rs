//! Editing a link from the panel or the API (title, welcome text, expiry, use
//! limit), and key lookups for listings that carry link ids.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entity::{Column, Entity};
use super::store::{MAX_TITLE, MAX_WELCOME, check_text, find};
use super::{ExpiryChange, Link, LinkError, LinkKey};

/// A change to a link; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkUpdate {
    pub title: Option<Option<String>>,
    pub welcome_text: Option<Option<String>>,
    pub expiry: Option<ExpiryChange>,
    /// `Some(None)`: unlimited. Never below the uses already taken.
    pub max_uses: Option<Option<i64>>,
}

impl LinkUpdate {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Applies `change` in one statement that also checks, atomically with any
/// concurrent redemption, that the link is not revoked and that a new use
/// limit is not below the uses already taken.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    key: &LinkKey,
    change: LinkUpdate,
    now: DateTime<Utc>,
) -> Result<Link, LinkError> {
    if change.is_empty() {
        return Err(LinkError::invalid(
            "update",
            "give at least one of title, welcome_text, expires_at, max_uses",
        ));
    }
    let mut update = Entity::update_many()
        .filter(Column::Key.eq(key.as_str()))
        .filter(Column::RevokedAt.is_null());
    if let Some(title) = change.title {
        check_text("title", &title, MAX_TITLE)?;
        update = update.col_expr(Column::Title, Expr::value(title));
    }
    if let Some(welcome) = change.welcome_text {
        check_text("welcome_text", &welcome, MAX_WELCOME)?;
        update = update.col_expr(Column::WelcomeText, Expr::value(welcome));
    }
    match change.expiry {
        Some(ExpiryChange::At(at)) if at <= now => {
            return Err(LinkError::invalid("expires_at", "must be in the future"));
        }
        Some(ExpiryChange::At(at)) => update = update.col_expr(Column::ExpiresAt, Expr::value(at)),
        Some(ExpiryChange::Never) => {
            update = update.col_expr(
                Column::ExpiresAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        }
        None => {}
    }
    if let Some(max_uses) = change.max_uses {
        if let Some(max) = max_uses {
            if max < 1 {
                return Err(LinkError::invalid(
                    "max_uses",
                    format!("must be at least 1, got {max}"),
                ));
            }
            update = update.filter(Column::UseCount.lte(max));
        }
        update = update.col_expr(Column::MaxUses, Expr::value(max_uses));
    }
    let updated = update.exec(db).await?.rows_affected;
    let link = find(db, key)
        .await?
        .ok_or_else(|| LinkError::NotFound(key.to_string()))?;
    if updated == 0 {
        if link.revoked_at.is_some() {
            return Err(LinkError::Revoked(key.to_string()));
        }
        return Err(LinkError::invalid(
            "max_uses",
            format!(
                "must not be below the {} uses already taken",
                link.use_count
            ),
        ));
    }
    Ok(link)
}

/// Keys of the given link ids, for listings of events and users.
pub async fn keys_by_id<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, LinkKey>, LinkError> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut keys = HashMap::with_capacity(ids.len());
    for model in Entity::find().filter(Column::Id.is_in(ids)).all(db).await? {
        let key = LinkKey::parse(&model.key).map_err(|e| {
            LinkError::Corrupt(format!("link {} has key {:?}: {e}", model.id, model.key))
        })?;
        keys.insert(model.id, key);
    }
    Ok(keys)
}
