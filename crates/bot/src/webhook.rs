//! Receiving updates by webhook: our own route, so the secret header is checked
//! in constant time before anything is read, an update is stored in the inbox
//! before Telegram gets its 2xx, and stopping one replica never deletes the
//! webhook that the others still serve.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use teloxide::types::Update;

use crate::intake::Intake;
use crate::settings::WebhookSecret;

pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

#[derive(Clone)]
struct Receiver {
    secret: WebhookSecret,
    intake: Intake,
}

/// The route for `path`, feeding `intake`.
pub(crate) fn route(path: &str, secret: WebhookSecret, intake: Intake) -> Router {
    Router::new()
        .route(path, post(receive))
        .with_state(Receiver { secret, intake })
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !receiver.secret.matches(given) {
        tracing::warn!("webhook request without the right secret token refused");
        return StatusCode::UNAUTHORIZED;
    }
    let update: Update = match serde_json::from_slice(&body) {
        Ok(update) => update,
        Err(error) => {
            tracing::warn!("webhook body is not a Telegram update: {error}");
            return StatusCode::BAD_REQUEST;
        }
    };
    match receiver.intake.accept(update).await {
        Ok(()) => StatusCode::OK,
        // Not stored: Telegram delivers it again.
        Err(error) => {
            tracing::error!("webhook update not taken in: {error}");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
