//! `GET /api/v1/audit` (the `admin` role), and [`note`], how handlers record
//! what they did.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use startlink_core::audit::{self, Actor, AuditError, AuditQuery, AuditRecord, Entry};
use startlink_core::time;
use utoipa::{IntoParams, ToSchema};

use super::instant;
use crate::auth::AdminRole;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Records `entry` right after the write it describes. A failure is logged,
/// not answered: the write has happened, and a 500 would make the client
/// repeat it. Writes that are one core transaction record inside it instead.
pub(crate) async fn note(state: &AppState, actor: &Actor, entry: Entry) {
    let action = entry.action;
    if let Err(error) = audit::record(&state.db, actor, entry, time::now()).await {
        tracing::error!(%action, actor = %actor.name, "audit log write failed: {error:#}");
    }
}

impl From<AuditError> for ApiError {
    fn from(error: AuditError) -> Self {
        match error {
            AuditError::Invalid(message) => Self::Invalid(message),
            other => Self::Internal(anyhow::Error::new(other).context("audit log")),
        }
    }
}

/// Which audit rows to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListAudit {
    /// Rows at or after this instant: RFC 3339, or a local date/time in `TIMEZONE`.
    #[param(format = DateTime, example = "2026-01-01T00:00:00Z")]
    pub since: Option<String>,
    /// The actor's name, exactly (admin user name, token name, Telegram name, CLI user).
    pub actor: Option<String>,
    /// An action (`link.create`) or an object kind (`link`) for all of its actions.
    pub action: Option<String>,
    /// The previous page's `next_before`, for the next (older) page.
    pub before: Option<i64>,
    /// Rows per page, 1-500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
}

/// A page of audit rows, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPageOut {
    pub entries: Vec<AuditRecord>,
    /// Pass as `before` for the next (older) page; null on the last page.
    pub next_before: Option<i64>,
}

/// Who did what, newest first: writes, logins, failed logins, logouts.
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "admin",
    security(("bearer" = [])),
    params(ListAudit),
    responses(
        (status = 200, body = AuditPageOut),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin with the admin role", body = ErrorBody),
        (status = 400, body = ErrorBody),
    ),
)]
pub async fn list(
    _: AdminRole,
    State(state): State<AppState>,
    Query(query): Query<ListAudit>,
) -> Result<Json<AuditPageOut>, ApiError> {
    let since = query
        .since
        .as_deref()
        .map(|s| instant("since", s, state.timezone))
        .transpose()?;
    let page = audit::list(
        &state.db,
        &AuditQuery {
            since,
            actor: query.actor,
            action: query.action,
            before: query.before,
            limit: query.limit.unwrap_or(100),
        },
    )
    .await?;
    Ok(Json(AuditPageOut {
        entries: page.entries,
        next_before: page.next_before,
    }))
}
