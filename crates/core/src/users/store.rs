//! SQL for `tg_users`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Set};

use super::entity::{self, Column, Entity};
use super::{Attribution, TgProfile, TgUser, TgUserId, Touched};

/// Records that `profile` was seen at `at`: refreshes a known user's profile and
/// leaves his attribution alone, or inserts a new user with `attribution` (first
/// touch). Says whether the user is new, and his chosen language. Safe under concurrent calls for the
/// same user: exactly one of them sees `true`.
///
/// Known users are the common case, so the `UPDATE` comes first: one statement
/// for them, two for a new user.
pub async fn touch<C: ConnectionTrait>(
    db: &C,
    profile: &TgProfile,
    attribution: Attribution,
    at: DateTime<Utc>,
) -> Result<Touched, DbErr> {
    if let Some(known) = refresh(db, profile, at).await? {
        return Ok(known);
    }
    let row = entity::ActiveModel {
        id: Set(profile.id.get()),
        username: Set(profile.username.clone()),
        first_name: Set(profile.first_name.clone()),
        language_code: Set(profile.language_code.clone()),
        lang: Set(None),
        first_seen_at: Set(at),
        last_seen_at: Set(at),
        referred_by: Set(attribution.referred_by),
        first_link_id: Set(attribution.first_link_id),
        first_campaign_id: Set(attribution.first_campaign_id),
    };
    let inserted = Entity::insert(row)
        .on_conflict(OnConflict::column(Column::Id).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    if inserted == 1 {
        return Ok(Touched {
            is_new: true,
            lang: None,
        });
    }
    // A concurrent first open of the same user inserted him in between.
    Ok(refresh(db, profile, at).await?.unwrap_or(Touched {
        is_new: false,
        lang: None,
    }))
}

async fn refresh<C: ConnectionTrait>(
    db: &C,
    profile: &TgProfile,
    at: DateTime<Utc>,
) -> Result<Option<Touched>, DbErr> {
    let updated = Entity::update_many()
        .col_expr(Column::Username, Expr::value(profile.username.clone()))
        .col_expr(Column::FirstName, Expr::value(profile.first_name.clone()))
        .col_expr(
            Column::LanguageCode,
            Expr::value(profile.language_code.clone()),
        )
        .col_expr(Column::LastSeenAt, Expr::value(at))
        .filter(Column::Id.eq(profile.id.get()))
        .exec_with_returning(db)
        .await?;
    Ok(updated.into_iter().next().map(|m| Touched {
        is_new: false,
        lang: m.lang,
    }))
}

/// Sets the language a user chose with `/lang` (`None`: follow Telegram's).
/// Returns whether the user exists.
pub async fn set_lang<C: ConnectionTrait>(
    db: &C,
    id: TgUserId,
    lang: Option<&str>,
) -> Result<bool, DbErr> {
    let updated = Entity::update_many()
        .col_expr(Column::Lang, Expr::value(lang.map(str::to_owned)))
        .filter(Column::Id.eq(id.get()))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: TgUserId) -> Result<Option<TgUser>, DbErr> {
    Ok(Entity::find_by_id(id.get())
        .one(db)
        .await?
        .map(TgUser::from))
}

/// How many users joined through `referrer`'s personal link.
pub async fn count_referred<C: ConnectionTrait>(db: &C, referrer: TgUserId) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::ReferredBy.eq(referrer.get()))
        .count(db)
        .await
}

/// Which users to list; newest first.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Case-insensitive substring of username or first name, or an exact id.
    pub search: Option<String>,
    /// Page size; 0 means the default of 50.
    pub limit: u64,
    /// Zero-based page number.
    pub page: u64,
}

/// One page of users and the total across all pages.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &UserFilter,
) -> Result<(Vec<TgUser>, u64), DbErr> {
    use sea_orm::sea_query::{Condition, ExprTrait as _, Func, LikeExpr};
    use sea_orm::{QueryOrder, QuerySelect};

    let mut query = Entity::find();
    if let Some(text) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let mut pattern = String::from("%");
        for ch in text.to_lowercase().chars() {
            if matches!(ch, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(ch);
        }
        pattern.push('%');
        let like = |column: Column| {
            Expr::expr(Func::lower(Expr::col(column)))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        let mut any = Condition::any()
            .add(like(Column::Username))
            .add(like(Column::FirstName));
        if let Ok(id) = text.parse::<i64>() {
            any = any.add(Column::Id.eq(id));
        }
        query = query.filter(any);
    }
    let per_page = if filter.limit == 0 {
        50
    } else {
        Ord::min(filter.limit, 1_000)
    };
    let total = query.clone().count(db).await?;
    let users = query
        .order_by_desc(Column::FirstSeenAt)
        .order_by_desc(Column::Id)
        .offset(filter.page.saturating_mul(per_page))
        .limit(per_page)
        .all(db)
        .await?
        .into_iter()
        .map(TgUser::from)
        .collect();
    Ok((users, total))
}

/// Users first seen at or after `since` (all users when `None`).
pub async fn count_since<C: ConnectionTrait>(
    db: &C,
    since: Option<DateTime<Utc>>,
) -> Result<u64, DbErr> {
    let mut query = Entity::find();
    if let Some(since) = since {
        query = query.filter(Column::FirstSeenAt.gte(since));
    }
    query.count(db).await
}
