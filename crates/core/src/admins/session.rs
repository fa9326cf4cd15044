//! Server-side sessions: one `admin_sessions` row per login, named by a
//! random id that the access token (JWT `sid`) carries. A session is live
//! while it has not ended, has not expired, and its admin exists and is not
//! disabled; every authenticated request checks that, so logging out, a
//! password change, disabling or deleting an admin take effect at once.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::entity::{admin, admin_session};
use super::{Admin, AdminError};

/// `last_seen_at` is refreshed at most this often.
const LAST_SEEN_GRANULARITY: Duration = Duration::minutes(1);
/// Session ids: 26 symbols of the 64-symbol key alphabet, 156 bits.
const SESSION_ID_CHARS: usize = 26;

/// One login's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSession {
    pub id: String,
    pub admin_id: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

impl From<admin_session::Model> for AdminSession {
    fn from(m: admin_session::Model) -> Self {
        Self {
            id: m.id,
            admin_id: m.admin_id,
            created_at: m.created_at,
            expires_at: m.expires_at,
            ended_at: m.ended_at,
            last_seen_at: m.last_seen_at,
        }
    }
}

/// Starts a session for `admin`, live until `now + ttl` unless ended before.
pub async fn start_session<C: ConnectionTrait>(
    db: &C,
    admin: &Admin,
    now: DateTime<Utc>,
    ttl: std::time::Duration,
) -> Result<AdminSession, AdminError> {
    let ttl = Duration::from_std(ttl)
        .map_err(|_| AdminError::Corrupt("session lifetime out of range".into()))?;
    let row = admin_session::Model {
        id: super::random_text(SESSION_ID_CHARS),
        admin_id: admin.id,
        created_at: now,
        expires_at: now + ttl,
        ended_at: None,
        last_seen_at: Some(now),
    };
    let active = admin_session::ActiveModel {
        id: Set(row.id.clone()),
        admin_id: Set(row.admin_id),
        created_at: Set(row.created_at),
        expires_at: Set(row.expires_at),
        ended_at: Set(None),
        last_seen_at: Set(row.last_seen_at),
    };
    admin_session::Entity::insert(active)
        .exec_without_returning(db)
        .await?;
    Ok(row.into())
}

/// The admin and session `session_id` names when the session is live at
/// `now` for `admin_id`; `None` otherwise.
pub async fn live_session<C: ConnectionTrait>(
    db: &C,
    session_id: &str,
    admin_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<(Admin, AdminSession)>, AdminError> {
    let Some(row) = admin_session::Entity::find_by_id(session_id.to_owned())
        .filter(admin_session::Column::AdminId.eq(admin_id))
        .filter(admin_session::Column::EndedAt.is_null())
        .filter(admin_session::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(model) = admin::Entity::find_by_id(admin_id)
        .filter(admin::Column::DisabledAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mut session = AdminSession::from(row);
    if session
        .last_seen_at
        .is_none_or(|at| at + LAST_SEEN_GRANULARITY <= now)
    {
        admin_session::Entity::update_many()
            .col_expr(admin_session::Column::LastSeenAt, Expr::value(now))
            .filter(admin_session::Column::Id.eq(session.id.as_str()))
            .exec(db)
            .await?;
        session.last_seen_at = Some(now);
    }
    Ok(Some((Admin::from_model(model)?, session)))
}

/// Ends one session (logout); `false` when it had ended already or never was.
pub async fn end_session<C: ConnectionTrait>(
    db: &C,
    session_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, AdminError> {
    let ended = admin_session::Entity::update_many()
        .col_expr(admin_session::Column::EndedAt, Expr::value(now))
        .filter(admin_session::Column::Id.eq(session_id))
        .filter(admin_session::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    Ok(ended.rows_affected == 1)
}

/// Ends every live session of an admin; how many.
pub async fn end_sessions_of<C: ConnectionTrait>(
    db: &C,
    admin_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, AdminError> {
    let ended = admin_session::Entity::update_many()
        .col_expr(admin_session::Column::EndedAt, Expr::value(now))
        .filter(admin_session::Column::AdminId.eq(admin_id))
        .filter(admin_session::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    Ok(ended.rows_affected)
}

/// How many sessions of an admin are live at `now`.
pub async fn count_live_sessions<C: ConnectionTrait>(
    db: &C,
    admin_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, AdminError> {
    use sea_orm::PaginatorTrait as _;
    Ok(admin_session::Entity::find()
        .filter(admin_session::Column::AdminId.eq(admin_id))
        .filter(admin_session::Column::EndedAt.is_null())
        .filter(admin_session::Column::ExpiresAt.gt(now))
        .count(db)
        .await?)
}

/// Deletes sessions that ended or expired before `before`; how many.
pub async fn prune_sessions<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
) -> Result<u64, AdminError> {
    let deleted = admin_session::Entity::delete_many()
        .filter(
            admin_session::Column::ExpiresAt
                .lt(before)
                .or(admin_session::Column::EndedAt.lt(before)),
        )
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
