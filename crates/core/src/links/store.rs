//! SQL for `links`: create, find, list, revoke, extend, and the status predicates
//! every query about link state shares.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr,
};

use super::entity::{self, Column, Entity};
use super::{
    ExpiryChange, Extension, Link, LinkError, LinkKey, LinkKind, LinkSelection, LinkStatus,
    NewLink, UseLimit,
};
use crate::campaigns;
use crate::users::TgUserId;

/// Titles are shown cut to fit a message; the store keeps what the operator wrote.
pub(super) const MAX_TITLE: usize = 4096;
/// Telegram's limit for a message text.
pub(super) const MAX_WELCOME: usize = 4096;
const MAX_UTM: usize = 256;
/// Fresh keys to try when a random key collides with an existing one.
const KEY_ATTEMPTS: usize = 4;

/// The SQL form of [`Link::status`]; both must agree (a test checks it).
pub(crate) fn status_condition(status: LinkStatus, now: DateTime<Utc>) -> Condition {
    let not_revoked = Column::RevokedAt.is_null();
    let used = Condition::all()
        .add(Column::MaxUses.is_not_null())
        .add(Expr::col(Column::UseCount).gte(Expr::col(Column::MaxUses)));
    let expired = Condition::all()
        .add(Column::ExpiresAt.is_not_null())
        .add(Column::ExpiresAt.lte(now));
    match status {
        LinkStatus::Revoked => Condition::all().add(Column::RevokedAt.is_not_null()),
        LinkStatus::Used => Condition::all().add(not_revoked).add(used),
        LinkStatus::Expired => Condition::all()
            .add(not_revoked)
            .add(used.not())
            .add(expired),
        LinkStatus::Active => Condition::all()
            .add(not_revoked)
            .add(used.not())
            .add(expired.not()),
    }
}

pub(super) fn check_text(
    field: &'static str,
    value: &Option<String>,
    max: usize,
) -> Result<(), LinkError> {
    match value {
        Some(text) if text.chars().count() > max => Err(LinkError::invalid(
            field,
            format!("at most {max} characters"),
        )),
        Some(text) if text.contains('\0') => {
            Err(LinkError::invalid(field, "contains a NUL character"))
        }
        _ => Ok(()),
    }
}

fn resolve_max_uses(kind: LinkKind, uses: UseLimit) -> Result<Option<i64>, LinkError> {
    match uses {
        UseLimit::KindDefault => Ok(kind.default_max_uses()),
        UseLimit::Unlimited => Ok(None),
        UseLimit::Max(n) if n >= 1 => Ok(Some(n)),
        UseLimit::Max(n) => Err(LinkError::invalid(
            "max_uses",
            format!("must be at least 1, got {n}"),
        )),
    }
}

/// Creates an order or campaign link with a fresh random key.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: NewLink,
    now: DateTime<Utc>,
) -> Result<Link, LinkError> {
    let kind = new.kind.unwrap_or(LinkKind::Order);
    if kind == LinkKind::Referral {
        return Err(LinkError::invalid(
            "kind",
            "referral links are made per user by referral_for",
        ));
    }
    let max_uses = resolve_max_uses(kind, new.uses)?;
    check_text("title", &new.title, MAX_TITLE)?;
    check_text("welcome_text", &new.welcome_text, MAX_WELCOME)?;
    for (field, value) in [
        ("utm_source", &new.utm_source),
        ("utm_medium", &new.utm_medium),
        ("utm_campaign", &new.utm_campaign),
    ] {
        check_text(field, value, MAX_UTM)?;
    }
    let attrs = new.attrs.unwrap_or_else(|| serde_json::json!({}));
    if !attrs.is_object() {
        return Err(LinkError::invalid("attrs", "must be a JSON object"));
    }
    if let Some(expires_at) = new.expires_at
        && expires_at <= now
    {
        return Err(LinkError::invalid("expires_at", "must be in the future"));
    }
    let campaign = match &new.campaign {
        Some(name) => {
            let name = campaigns::parse_name(name)
                .map_err(|e| LinkError::invalid("campaign", e.to_string()))?;
            Some(campaigns::ensure(db, &name, now).await?)
        }
        None => None,
    };

    let mut last_error = None;
    for _ in 0..KEY_ATTEMPTS {
        let key = LinkKey::generate();
        let row = entity::ActiveModel {
            key: Set(key.as_str().to_owned()),
            kind: Set(kind.as_str().to_owned()),
            product_id: Set(new.product_id),
            order_log_id: Set(new.order_log_id),
            attrs: Set(attrs.clone()),
            title: Set(new.title.clone()),
            welcome_text: Set(new.welcome_text.clone()),
            campaign_id: Set(campaign.as_ref().map(|c| c.id)),
            utm_source: Set(new.utm_source.clone()),
            utm_medium: Set(new.utm_medium.clone()),
            utm_campaign: Set(new.utm_campaign.clone()),
            max_uses: Set(max_uses),
            use_count: Set(0),
            expires_at: Set(new.expires_at),
            revoked_at: Set(None),
            referrer_id: Set(None),
            created_by: Set(new.created_by),
            created_at: Set(now),
            ..Default::default()
        };
        match Entity::insert(row).exec(db).await {
            Ok(_) => {
                return find(db, &key)
                    .await?
                    .ok_or_else(|| LinkError::NotFound(key.as_str().to_owned()));
            }
            Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                tracing::warn!(%key, "random link key collided; trying another");
                last_error = Some(error);
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(last_error
        .map(LinkError::from)
        .unwrap_or_else(|| LinkError::Corrupt("no key could be generated".into())))
}

/// `user`'s personal referral link, created on first request. Concurrent calls
/// for one user end with one link.
pub async fn referral_for<C: ConnectionTrait>(
    db: &C,
    user: TgUserId,
    now: DateTime<Utc>,
) -> Result<Link, LinkError> {
    if let Some(model) = Entity::find()
        .filter(Column::ReferrerId.eq(user.get()))
        .one(db)
        .await?
    {
        return Link::from_model(model, None);
    }
    let row = entity::ActiveModel {
        key: Set(LinkKey::generate_referral().as_str().to_owned()),
        kind: Set(LinkKind::Referral.as_str().to_owned()),
        product_id: Set(None),
        order_log_id: Set(None),
        attrs: Set(serde_json::json!({})),
        title: Set(None),
        welcome_text: Set(None),
        campaign_id: Set(None),
        utm_source: Set(None),
        utm_medium: Set(None),
        utm_campaign: Set(None),
        max_uses: Set(None),
        use_count: Set(0),
        expires_at: Set(None),
        revoked_at: Set(None),
        referrer_id: Set(Some(user.get())),
        created_by: Set(Some(user.get())),
        created_at: Set(now),
        ..Default::default()
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::ReferrerId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let model = Entity::find()
        .filter(Column::ReferrerId.eq(user.get()))
        .one(db)
        .await?
        .ok_or_else(|| LinkError::Corrupt(format!("referral link of {user} vanished")))?;
    Link::from_model(model, None)
}

pub async fn find<C: ConnectionTrait>(db: &C, key: &LinkKey) -> Result<Option<Link>, LinkError> {
    let Some(model) = Entity::find()
        .filter(Column::Key.eq(key.as_str()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    with_campaign_names(db, vec![model])
        .await
        .map(|mut links| links.pop())
}

/// The first of `candidates` that exists, in order.
pub(crate) async fn find_first<C: ConnectionTrait>(
    db: &C,
    candidates: &[&LinkKey],
) -> Result<Option<entity::Model>, DbErr> {
    if candidates.is_empty() {
        return Ok(None);
    }
    let keys: Vec<&str> = candidates.iter().map(|k| k.as_str()).collect();
    let mut found = Entity::find()
        .filter(Column::Key.is_in(keys.clone()))
        .all(db)
        .await?;
    found.sort_by_key(|m| keys.iter().position(|k| *k == m.key));
    Ok(found.into_iter().next())
}

/// A link by its row id (callback buttons carry ids, which are shorter than keys).
pub async fn find_by_id<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Link>, LinkError> {
    let Some(model) = model_by_id(db, id).await? else {
        return Ok(None);
    };
    with_campaign_names(db, vec![model])
        .await
        .map(|mut links| links.pop())
}

pub(crate) async fn model_by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<entity::Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub(super) async fn with_campaign_names<C: ConnectionTrait>(
    db: &C,
    models: Vec<entity::Model>,
) -> Result<Vec<Link>, LinkError> {
    let names = campaigns::names_by_id(db, models.iter().filter_map(|m| m.campaign_id)).await?;
    models
        .into_iter()
        .map(|m| {
            let name = m.campaign_id.and_then(|id| names.get(&id).cloned());
            Link::from_model(m, name)
        })
        .collect()
}

/// Sort orders for listings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LinkSort {
    #[default]
    Newest,
    Oldest,
    MostUsed,
    ExpiresSoonest,
}

/// Which links to list, in which order, which page.
#[derive(Debug, Clone, Default)]
pub struct LinkListing {
    pub selection: LinkSelection,
    pub sort: LinkSort,
    /// Page size; 0 means the default of 50.
    pub limit: u64,
    /// Zero-based page number.
    pub page: u64,
}

impl LinkListing {
    /// The first `limit` links of `selection`, newest first.
    pub fn newest(selection: LinkSelection, limit: u64) -> Self {
        Self {
            selection,
            limit,
            ..Self::default()
        }
    }
}

/// One page of a listing, with the total across all pages.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &LinkListing,
    now: DateTime<Utc>,
) -> Result<Page<Link>, LinkError> {
    let Some(selection) = filter.selection.resolve(db).await? else {
        // A campaign name that matches nothing: nothing to list.
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            page: filter.page,
            per_page: per_page(filter),
        });
    };
    let mut query = Entity::find().filter(selection.condition(now));
    query = match filter.sort {
        LinkSort::Newest => query
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::Id),
        LinkSort::Oldest => query
            .order_by_asc(Column::CreatedAt)
            .order_by_asc(Column::Id),
        LinkSort::MostUsed => query
            .order_by_desc(Column::UseCount)
            .order_by_desc(Column::Id),
        LinkSort::ExpiresSoonest => query
            .order_by(Expr::col(Column::ExpiresAt).is_null(), sea_orm::Order::Asc)
            .order_by_asc(Column::ExpiresAt)
            .order_by_desc(Column::Id),
    };
    let per_page = per_page(filter);
    let total = query.clone().count(db).await?;
    let models = query
        .offset(filter.page.saturating_mul(per_page))
        .limit(per_page)
        .all(db)
        .await?;
    Ok(Page {
        items: with_campaign_names(db, models).await?,
        total,
        page: filter.page,
        per_page,
    })
}

fn per_page(filter: &LinkListing) -> u64 {
    if filter.limit == 0 {
        50
    } else {
        Ord::min(filter.limit, 10_000)
    }
}

/// What `revoke` did.
#[derive(Debug, Clone)]
pub struct Revocation {
    pub link: Link,
    /// False when the link had been revoked before; its time is left as it was.
    pub newly_revoked: bool,
}

pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    key: &LinkKey,
    now: DateTime<Utc>,
) -> Result<Revocation, LinkError> {
    let updated = Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now))
        .filter(Column::Key.eq(key.as_str()))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    let link = find(db, key)
        .await?
        .ok_or_else(|| LinkError::NotFound(key.to_string()))?;
    Ok(Revocation {
        link,
        newly_revoked: updated == 1,
    })
}

/// Gives a link a new expiry and/or more uses. Adding uses is one atomic
/// statement, so it never loses a concurrent redemption.
pub async fn extend<C: ConnectionTrait>(
    db: &C,
    key: &LinkKey,
    change: Extension,
    now: DateTime<Utc>,
) -> Result<Link, LinkError> {
    if change.expiry.is_none() && change.more_uses.is_none() {
        return Err(LinkError::invalid(
            "extend",
            "give a new expiry or more uses",
        ));
    }
    let mut update = Entity::update_many()
        .filter(Column::Key.eq(key.as_str()))
        .filter(Column::RevokedAt.is_null());
    match change.expiry {
        Some(ExpiryChange::At(at)) if at <= now => {
            return Err(LinkError::invalid("expires_at", "must be in the future"));
        }
        Some(ExpiryChange::At(at)) => update = update.col_expr(Column::ExpiresAt, Expr::value(at)),
        Some(ExpiryChange::Never) => {
            update = update.col_expr(
                Column::ExpiresAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
        }
        None => {}
    }
    if let Some(more) = change.more_uses {
        if more < 1 {
            return Err(LinkError::invalid(
                "uses",
                format!("must add at least 1 use, got {more}"),
            ));
        }
        update = update.col_expr(Column::MaxUses, Expr::col(Column::MaxUses).add(more));
    }
    let updated = update.exec(db).await?.rows_affected;
    let link = find(db, key)
        .await?
        .ok_or_else(|| LinkError::NotFound(key.to_string()))?;
    if updated == 0 {
        return Err(LinkError::Revoked(key.to_string()));
    }
    Ok(link)
}
