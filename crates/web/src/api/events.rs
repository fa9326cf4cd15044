//! `GET /api/v1/events`: opens of links, newest first.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use startlink_core::events::{self, EventFilter, Outcome};
use startlink_core::links;
use startlink_core::users::TgUserId;
use utoipa::{IntoParams, ToSchema};

use super::{instant, link_key};
use crate::auth::{Authorized, EventsRead};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::state::AppState;

const MAX_EVENTS: u64 = 1_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListEvents {
    /// Only opens of the link with this key.
    pub link: Option<String>,
    /// Only opens by this Telegram user id.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 9_007_199_254_740_991_i64)]
    pub user: Option<String>,
    /// `redeemed`, `already_yours`, `accepted`, `already_used`, `expired`, `revoked`, `not_found` or `invalid`.
    #[param(schema_with = super::schema::outcome)]
    pub outcome: Option<String>,
    /// From this instant (inclusive): RFC 3339 or a local time in `TIMEZONE`.
    #[param(format = DateTime, example = "2026-01-01T00:00:00Z")]
    pub from: Option<String>,
    /// Until this instant (exclusive).
    #[param(format = DateTime, example = "2026-12-31T00:00:00Z")]
    pub to: Option<String>,
    /// At most this many, 1-1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u64>,
}

/// One open of a link.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    /// The link opened; null when the payload matched no link.
    pub link_key: Option<String>,
    pub tg_user_id: i64,
    pub outcome: String,
    /// The raw payload, kept for opens that matched no link.
    pub payload: Option<String>,
    /// Whether this open brought a user we had not seen before.
    pub new_user: bool,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub events: Vec<EventOut>,
}

/// Opens of links, newest first, with filters.
#[utoipa::path(
    get, path = "/api/v1/events", tag = "events",
    security(("bearer" = ["events:read"])),
    params(ListEvents),
    responses((status = 200, body = EventList), (status = 400, description = "An unknown outcome, a bad date or limit", body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, description = "No link has the key given as `link`", body = ErrorBody)),
)]
pub async fn list(
    _: Authorized<EventsRead>,
    State(state): State<AppState>,
    Query(query): Query<ListEvents>,
) -> Result<Json<EventList>, ApiError> {
    let tz = state.timezone;
    let link_id = match query.link.as_deref() {
        Some(key) => {
            let key = link_key(key)?;
            let link = links::find(&state.db, &key)
                .await?
                .ok_or_else(|| ApiError::NotFound(format!("no link with key {key}")))?;
            Some(link.id)
        }
        None => None,
    };
    let limit = query.limit.unwrap_or(100);
    if limit == 0 || limit > MAX_EVENTS {
        return Err(ApiError::invalid(format!("limit: 1 to {MAX_EVENTS}")));
    }
    let filter = EventFilter {
        link_id,
        tg_user_id: query
            .user
            .as_deref()
            .map(|u| TgUserId::parse(u).map_err(|e| ApiError::invalid(format!("user: {e}"))))
            .transpose()?,
        outcome: query
            .outcome
            .as_deref()
            .map(str::parse::<Outcome>)
            .transpose()?,
        from: query
            .from
            .as_deref()
            .map(|f| instant("from", f, tz))
            .transpose()?,
        to: query
            .to
            .as_deref()
            .map(|t| instant("to", t, tz))
            .transpose()?,
        limit,
    };
    let found = events::list(&state.db, &filter).await?;
    let keys = links::keys_by_id(&state.db, found.iter().filter_map(|e| e.link_id)).await?;
    Ok(Json(EventList {
        events: found
            .into_iter()
            .map(|e| EventOut {
                id: e.id,
                link_key: e
                    .link_id
                    .and_then(|id| keys.get(&id))
                    .map(|k| k.as_str().to_owned()),
                tg_user_id: e.tg_user_id,
                outcome: e.outcome.as_str().to_owned(),
                payload: e.payload,
                new_user: e.new_user,
                at: e.at,
            })
            .collect(),
    }))
}
