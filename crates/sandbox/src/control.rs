//! The JSON control API under `/sandbox/`: play users and read what the bot
//! did. Errors are `{"error": "…"}` with a 4xx status. Every endpoint is
//! documented with a curl example in the README's sandbox section.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::error::SandboxError;
use crate::flood::FloodConfig;
use crate::types::{Chat, User};
use crate::users::ButtonRef;
use crate::{Sandbox, bot_api};

/// Longest wait a `GET …/messages?wait=N` may ask for.
const MAX_WAIT_SECONDS: u64 = 60;

pub(crate) fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/status", get(status))
        .route("/messages", post(send_message))
        .route("/callbacks", post(press_button))
        .route("/callbacks/{id}", get(callback_query))
        .route("/updates/{update_id}/redeliver", post(redeliver))
        .route("/chats", get(chats))
        .route("/chats/{chat_id}/messages", get(chat_messages))
        .route("/files/{file_id}", get(file))
        .route("/commands", get(commands))
        .route("/commands/visible", get(visible_commands))
        .route("/flood", get(flood).put(set_flood).delete(clear_flood))
        .route("/counters", get(counters))
        .fallback(|| async {
            SandboxError::InvalidRequest("no such control endpoint; see README".to_owned())
                .with_status(404)
        })
}

type Answer = Result<Response, SandboxError>;

fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, SandboxError> {
    serde_json::from_slice(bytes)
        .map_err(|error| SandboxError::InvalidRequest(format!("JSON body: {error}")))
}

fn path<T>(path: Result<Path<T>, PathRejection>) -> Result<T, SandboxError> {
    path.map(|Path(value)| value)
        .map_err(|rejection| SandboxError::InvalidRequest(rejection.body_text()))
}

fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, SandboxError> {
    query
        .map(|Query(value)| value)
        .map_err(|rejection| SandboxError::InvalidRequest(rejection.body_text()))
}

impl SandboxError {
    fn with_status(self, status: u16) -> Response {
        let status =
            axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::BAD_REQUEST);
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}

async fn status(State(sandbox): State<Sandbox>) -> Response {
    let token = &sandbox.config().token;
    let base = sandbox.public_url().unwrap_or_default();
    Json(json!({
        "bot": sandbox.bot(),
        "token": token,
        "bot_api_url": format!("{base}/bot{token}/"),
        "pending_updates": sandbox.pending_updates(),
        "webhook": sandbox.webhook(),
        "flood": sandbox.flood(),
        "counters": sandbox.counters(),
    }))
    .into_response()
}

#[derive(Deserialize)]
struct SendMessage {
    from: User,
    text: String,
    /// Omitted: the user's private chat.
    #[serde(default)]
    chat: Option<Chat>,
}

async fn send_message(State(sandbox): State<Sandbox>, bytes: Bytes) -> Answer {
    let request: SendMessage = body(&bytes)?;
    let chat = request.chat.unwrap_or_else(|| Chat::private(&request.from));
    let sent = sandbox.send_text_in(&chat, &request.from, &request.text)?;
    Ok(Json(sent).into_response())
}

#[derive(Deserialize)]
struct PressButton {
    from: User,
    /// Omitted: the user's private chat.
    #[serde(default)]
    chat_id: Option<i64>,
    message_id: i32,
    #[serde(default)]
    callback_data: Option<String>,
    #[serde(default)]
    button_text: Option<String>,
}

async fn press_button(State(sandbox): State<Sandbox>, bytes: Bytes) -> Answer {
    let request: PressButton = body(&bytes)?;
    let button = match (request.callback_data, request.button_text) {
        (Some(data), None) => ButtonRef::CallbackData(data),
        (None, Some(text)) => ButtonRef::Text(text),
        _ => {
            return Err(SandboxError::InvalidRequest(
                "give exactly one of callback_data and button_text".to_owned(),
            ));
        }
    };
    let chat_id = request.chat_id.unwrap_or(request.from.id);
    let pressed = sandbox.press(&request.from, chat_id, request.message_id, &button)?;
    Ok(Json(pressed).into_response())
}

async fn callback_query(
    State(sandbox): State<Sandbox>,
    id: Result<Path<String>, PathRejection>,
) -> Answer {
    let id = path(id)?;
    let query = sandbox
        .callback_query(&id)
        .ok_or(SandboxError::UnknownCallbackQuery(id))?;
    Ok(Json(query).into_response())
}

async fn redeliver(
    State(sandbox): State<Sandbox>,
    update_id: Result<Path<u32>, PathRejection>,
) -> Answer {
    let update_id = path(update_id)?;
    sandbox.redeliver_update(update_id)?;
    Ok(Json(json!({ "update_id": update_id })).into_response())
}

async fn chats(State(sandbox): State<Sandbox>) -> Response {
    Json(sandbox.chats()).into_response()
}

#[derive(Deserialize)]
struct MessagesQuery {
    /// Include the users' messages, not only the bot's.
    #[serde(default)]
    all: bool,
    /// Wait until the bot has sent at least this many messages to the chat.
    #[serde(default)]
    wait: Option<usize>,
    /// Seconds to wait (default 10, at most 60); on time-out the answer is
    /// what is there, still 200.
    #[serde(default)]
    timeout: Option<u64>,
}

async fn chat_messages(
    State(sandbox): State<Sandbox>,
    chat_id: Result<Path<i64>, PathRejection>,
    params: Result<Query<MessagesQuery>, QueryRejection>,
) -> Answer {
    let chat_id = path(chat_id)?;
    let params = query(params)?;
    if let Some(count) = params.wait {
        let timeout = Duration::from_secs(params.timeout.unwrap_or(10).min(MAX_WAIT_SECONDS));
        // A time-out is not an error here: the caller reads what arrived.
        let _ = sandbox.wait_for_messages(chat_id, count, timeout).await;
    }
    let messages = if params.all {
        sandbox.transcript(chat_id)
    } else {
        sandbox.messages(chat_id)
    };
    Ok(Json(messages).into_response())
}

async fn file(
    State(sandbox): State<Sandbox>,
    file_id: Result<Path<String>, PathRejection>,
) -> Answer {
    let file_id = path(file_id)?;
    let state = sandbox.state();
    match state.files.get(&file_id) {
        Some(file) if file.bytes.is_some() => Ok(bot_api::file_response(file)),
        _ => Err(SandboxError::UnknownFile(file_id)),
    }
}

async fn commands(State(sandbox): State<Sandbox>) -> Response {
    Json(sandbox.commands()).into_response()
}

#[derive(Deserialize)]
struct VisibleQuery {
    chat_id: i64,
    /// Defaults to the chat id (a private chat's user).
    #[serde(default)]
    user_id: Option<i64>,
    #[serde(default)]
    language_code: String,
}

async fn visible_commands(
    State(sandbox): State<Sandbox>,
    params: Result<Query<VisibleQuery>, QueryRejection>,
) -> Answer {
    let params = query(params)?;
    let user_id = params.user_id.unwrap_or(params.chat_id);
    Ok(
        Json(sandbox.visible_commands(params.chat_id, user_id, &params.language_code))
            .into_response(),
    )
}

async fn flood(State(sandbox): State<Sandbox>) -> Response {
    Json(json!({ "flood": sandbox.flood() })).into_response()
}

async fn set_flood(State(sandbox): State<Sandbox>, bytes: Bytes) -> Answer {
    let config: FloodConfig = body(&bytes)?;
    sandbox.set_flood(Some(config))?;
    Ok(Json(json!({ "flood": sandbox.flood() })).into_response())
}

async fn clear_flood(State(sandbox): State<Sandbox>) -> Answer {
    sandbox.set_flood(None)?;
    Ok(Json(json!({ "flood": null })).into_response())
}

async fn counters(State(sandbox): State<Sandbox>) -> Response {
    Json(sandbox.counters()).into_response()
}
