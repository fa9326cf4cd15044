//! Receiving updates by webhook: our own route, so the secret header is checked
//! in constant time before anything is read, and so stopping one replica never
//! deletes the webhook that the others still serve.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use futures_util::{Stream, StreamExt as _};
use teloxide::stop::{StopToken, mk_stop_token};
use teloxide::types::Update;
use teloxide::update_listeners::{StatefulListener, UpdateListener};
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

use crate::settings::WebhookSecret;

pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

type UpdateStream = Pin<Box<dyn Stream<Item = Result<Update, Infallible>> + Send>>;

struct Inbox {
    secret: WebhookSecret,
    updates: mpsc::UnboundedSender<Update>,
}

/// The listener's state: the incoming updates, ended when stopped.
pub(crate) struct Listening {
    stream: UpdateStream,
    stop: StopToken,
}

fn stream_of(state: &mut Listening) -> &mut UpdateStream {
    &mut state.stream
}

fn stop_of(state: &mut Listening) -> StopToken {
    state.stop.clone()
}

/// A route for `path` and the update listener it feeds.
pub(crate) fn route(
    path: &str,
    secret: WebhookSecret,
) -> (Router, impl UpdateListener<Err = Infallible> + use<>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (stop, stopped) = mk_stop_token();
    let stream: UpdateStream =
        Box::pin(UnboundedReceiverStream::new(rx).map(Ok).take_until(stopped));
    let inbox = Arc::new(Inbox {
        secret,
        updates: tx,
    });
    let router = Router::new().route(path, post(receive)).with_state(inbox);
    let listener = StatefulListener::new(Listening { stream, stop }, stream_of, stop_of);
    (router, listener)
}

async fn receive(State(inbox): State<Arc<Inbox>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !inbox.secret.matches(given) {
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
    match inbox.updates.send(update) {
        Ok(()) => StatusCode::OK,
        // Stopping: Telegram retries, and another replica may take it.
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}
