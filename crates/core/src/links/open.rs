//! `open`: what happens when someone sends `/start <payload>`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IdenStatic, Set, TransactionSession,
    TransactionTrait,
};

use super::entity::{self as link_entity, Column};
use super::payload::StartPayload;
use super::{Link, LinkError, LinkKind, store};
use crate::analytics::rollup::LinkFacts;
use crate::events::{self, NewEvent, Outcome};
use crate::inbox::{self, UpdateRef};
use crate::users::{self, Attribution, TgProfile, TgUserId};
use crate::{campaigns, time};

/// What `open` did.
#[derive(Debug, Clone)]
pub struct Opened {
    pub outcome: Outcome,
    /// The link the payload named, as it stood after this open; `None` for
    /// `NotFound` and `Invalid`.
    pub link: Option<Link>,
    /// Whether this was the first time the user was seen.
    pub new_user: bool,
    /// Language the user chose with `/lang`, if any.
    pub user_lang: Option<String>,
    /// This Telegram update had been handled before: the answer is the first
    /// handling's, and nothing new was recorded.
    pub duplicate: bool,
}

/// Handles one `/start <payload>` from `user` at `at`, in one transaction:
/// records the user (new users are attributed to the link, first touch only),
/// takes a use of the link when one is left, and records exactly one event.
///
/// Taking a use is a conditional `UPDATE` (not revoked, not expired, uses left)
/// plus the `redemptions` row, never a read followed by a write, so it holds
/// under concurrent opens in one process and across processes.
pub async fn open<C>(
    db: &C,
    payload: &str,
    user: &TgProfile,
    at: DateTime<Utc>,
) -> Result<Opened, LinkError>
where
    C: ConnectionTrait + TransactionTrait,
{
    open_update(db, payload, user, at, None).await
}

/// [`open`] for a Telegram update stored in the bot's inbox: handling the same
/// stored update again (after a crash, or by a second process) records
/// nothing and answers as the first time — from that update's own event,
/// which is always this user's.
pub async fn open_update<C>(
    db: &C,
    payload: &str,
    user: &TgProfile,
    at: DateTime<Utc>,
    update: Option<UpdateRef>,
) -> Result<Opened, LinkError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if let Some(update) = update
        && let Some(first) = inbox::event_of(db, update).await?
    {
        return replay(db, user, first).await;
    }
    let at = time::truncate(at);
    let parsed = StartPayload::parse(payload);
    // Read outside the transaction: SQLite transactions must start with a write
    // to wait for the lock instead of failing with SQLITE_BUSY. Nothing below
    // trusts this read for the decision to take a use.
    let found = match &parsed {
        Ok(payload) => store::find_first(db, &payload.candidates()).await?,
        Err(_) => None,
    };
    let attribution = found
        .as_ref()
        .map(|m| Attribution {
            first_link_id: Some(m.id),
            first_campaign_id: m.campaign_id,
            referred_by: m.referrer_id.filter(|referrer| *referrer != user.id.get()),
        })
        .unwrap_or_default();

    let txn = db.begin().await?;
    let touched = users::touch(&txn, user, attribution, at).await?;
    let (outcome, model) = match (&parsed, found) {
        (Err(_), _) => (Outcome::Invalid, None),
        (Ok(_), None) => (Outcome::NotFound, None),
        (Ok(_), Some(m)) if m.revoked_at.is_some() => (Outcome::Revoked, Some(m)),
        (Ok(_), Some(m)) => {
            let (outcome, model) = take_use(&txn, m, user.id, at).await?;
            (outcome, Some(model))
        }
    };
    let link = match &model {
        Some(m) => Some(LinkFacts {
            kind: m
                .kind
                .parse::<LinkKind>()
                .map_err(|_| LinkError::Corrupt(format!("link {} has kind {:?}", m.id, m.kind)))?,
            campaign_id: m.campaign_id,
        }),
        None => None,
    };
    let event = NewEvent {
        link_id: model.as_ref().map(|m| m.id),
        link,
        user: user.id,
        outcome,
        payload: model.is_none().then_some(payload),
        new_user: touched.is_new,
        at,
    };
    let event_id = events::record(&txn, event).await?;
    if let Some(update) = update
        && !inbox::attach_event(&txn, update, event_id).await?
    {
        // Another handling of this update committed first: keep nothing of ours.
        txn.rollback().await?;
        let first = inbox::event_of(db, update)
            .await?
            .ok_or_else(|| LinkError::Corrupt(format!("update {} lost its event", update.id())))?;
        return replay(db, user, first).await;
    }
    txn.commit().await?;
    Ok(Opened {
        outcome,
        link: with_campaign(db, model).await?,
        new_user: touched.is_new,
        user_lang: touched.lang,
        duplicate: false,
    })
}

async fn with_campaign<C: ConnectionTrait>(
    db: &C,
    model: Option<link_entity::Model>,
) -> Result<Option<Link>, LinkError> {
    let Some(m) = model else { return Ok(None) };
    let campaign = match m.campaign_id {
        Some(id) => campaigns::names_by_id(db, [id]).await?.remove(&id),
        None => None,
    };
    Link::from_model(m, campaign).map(Some)
}

/// The answer first given to an update, from the event it caused. The event
/// must be `user`'s: an answer never crosses to another user.
async fn replay<C: ConnectionTrait>(
    db: &C,
    user: &TgProfile,
    event_id: i64,
) -> Result<Opened, LinkError> {
    let first = events::find(db, event_id)
        .await?
        .ok_or_else(|| LinkError::Corrupt(format!("event {event_id} is missing")))?;
    if first.tg_user_id != user.id.get() {
        return Err(LinkError::Corrupt(format!(
            "event {event_id} belongs to another user than the update's"
        )));
    }
    let model = match first.link_id {
        Some(id) => store::model_by_id(db, id).await?,
        None => None,
    };
    let lang = users::find(db, user.id).await?.and_then(|u| u.lang);
    Ok(Opened {
        outcome: first.outcome,
        link: with_campaign(db, model).await?,
        new_user: first.new_user,
        user_lang: lang,
        duplicate: true,
    })
}

async fn take_use<C: ConnectionTrait>(
    txn: &C,
    mut link: link_entity::Model,
    user: TgUserId,
    at: DateTime<Utc>,
) -> Result<(Outcome, link_entity::Model), LinkError> {
    let claimed = redemption::Entity::insert(redemption::ActiveModel {
        link_id: Set(link.id),
        tg_user_id: Set(user.get()),
        at: Set(at),
    })
    .on_conflict(
        OnConflict::columns([redemption::Column::LinkId, redemption::Column::TgUserId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    if claimed == 0 {
        return Ok((Outcome::AlreadyYours, link));
    }

    let take = Query::update()
        .table(link_entity::Entity)
        .value(Column::UseCount, Expr::col(Column::UseCount).add(1))
        .and_where(Column::Id.eq(link.id))
        .and_where(Column::RevokedAt.is_null())
        .cond_where(
            sea_orm::Condition::any()
                .add(Column::ExpiresAt.is_null())
                .add(Column::ExpiresAt.gt(at)),
        )
        .cond_where(
            sea_orm::Condition::any()
                .add(Column::MaxUses.is_null())
                .add(Expr::col(Column::UseCount).lt(Expr::col(Column::MaxUses))),
        )
        .returning_col(Column::UseCount)
        .to_owned();
    if let Some(row) = txn.query_one(&take).await? {
        link.use_count = row.try_get("", Column::UseCount.as_str())?;
        let outcome = match link.kind.parse::<LinkKind>() {
            Ok(LinkKind::Order) => Outcome::Redeemed,
            _ => Outcome::Accepted,
        };
        return Ok((outcome, link));
    }

    // No use left for us: drop the claim made above (still ours alone, uncommitted)
    // and say why, from the row as it is now.
    redemption::Entity::delete_by_id((link.id, user.get()))
        .exec(txn)
        .await?;
    let current = store::model_by_id(txn, link.id).await?.unwrap_or(link);
    let outcome = if current.revoked_at.is_some() {
        Outcome::Revoked
    } else if current.expires_at.is_some_and(|e| e <= at) {
        Outcome::Expired
    } else {
        Outcome::AlreadyUsed
    };
    Ok((outcome, current))
}

/// The `redemptions` table: who took a use of which link.
pub(crate) mod redemption {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "redemptions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub link_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub tg_user_id: i64,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
