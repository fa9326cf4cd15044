//! `GET /healthz`: 200 when the database takes a write within
//! `HEALTH_DEADLINE`, 503 otherwise. A read is not enough: a read-only SQLite
//! file answers reads while every write fails.
//!
//! The probe is an upsert of one row of `settings` (`health_probe`, the time
//! of the last check), so it needs no table of its own.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use startlink_core::DatabaseConnection;

/// The longest `/healthz` takes to answer.
pub const HEALTH_DEADLINE: Duration = Duration::from_secs(2);
/// The `settings` key the probe writes.
pub const PROBE_KEY: &str = "health_probe";

/// `/healthz` on `db`, with the security headers every response has. `serve`
/// and `web` merge it next to the application (and the bot's webhook).
pub fn routes(db: DatabaseConnection) -> Router {
    crate::router::security_headers(
        Router::new()
            .route("/healthz", get(healthz))
            .with_state(db)
            .layer(axum::middleware::map_response(no_store)),
    )
}

async fn no_store(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

async fn healthz(State(db): State<DatabaseConnection>) -> impl IntoResponse {
    match probe(&db).await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(problem) => {
            tracing::warn!("health check failed: {problem}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

/// A write the database must take within `HEALTH_DEADLINE`.
pub async fn probe(db: &DatabaseConnection) -> Result<(), String> {
    let now = startlink_core::time::now();
    let value = now.to_rfc3339();
    let write = startlink_core::settings::set(db, PROBE_KEY, &value, now);
    match tokio::time::timeout(HEALTH_DEADLINE, write).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(format!("the database refused a write: {error}")),
        Err(_) => Err(format!(
            "the database did not take a write within {} s",
            HEALTH_DEADLINE.as_secs()
        )),
    }
}
