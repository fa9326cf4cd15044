//! `GET /metrics`: Prometheus text. Behind `stats:read` like the statistics
//! (Prometheus sends a bearer token with `authorization` in its scrape config).

use std::fmt::Write as _;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use startlink_core::events;

use crate::auth::{Authorized, StatsRead};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// HTTP requests and latency of this process, the bot's updates by type (when
/// the bot runs in this process), opens by outcome, the database pool.
#[utoipa::path(
    get, path = "/metrics", tag = "stats",
    security(("bearer" = ["stats:read"])),
    responses(
        (status = 200, content_type = "text/plain; version=0.0.4", body = String),
        (status = 401, body = ErrorBody),
    ),
)]
pub async fn metrics(
    _: Authorized<StatsRead>,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let mut out = String::new();
    state.metrics.render(&mut out);
    if let Some(bot) = &state.bot {
        bot.render_metrics(&mut out);
    }
    out.push_str(
        "# HELP startlink_link_opens_total Opens of links recorded in the database, by outcome.\n",
    );
    out.push_str("# TYPE startlink_link_opens_total counter\n");
    for (outcome, n) in events::count_by_outcome(&state.db).await? {
        let _ = writeln!(
            out,
            "startlink_link_opens_total{{outcome=\"{outcome}\"}} {n}"
        );
    }
    let (open, idle) = startlink_core::db::pool_connections(&state.db);
    out.push_str("# HELP startlink_db_pool_connections Database pool connections by state.\n");
    out.push_str("# TYPE startlink_db_pool_connections gauge\n");
    let _ = writeln!(
        out,
        "startlink_db_pool_connections{{state=\"idle\"}} {idle}"
    );
    let _ = writeln!(
        out,
        "startlink_db_pool_connections{{state=\"in_use\"}} {}",
        (open as usize).saturating_sub(idle)
    );
    Ok((
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        out,
    )
        .into_response())
}
