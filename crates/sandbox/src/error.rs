//! Errors of the control side (playing users, reading chats), as opposed to
//! Bot API errors, which are `protocol::ApiError` in Telegram's envelope.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SandboxError {
    #[error("invalid user: {0}")]
    InvalidUser(String),
    #[error("invalid chat: {0}")]
    InvalidChat(String),
    #[error("the message text is empty")]
    EmptyText,
    #[error("the message text is {0} UTF-16 code units long; Telegram allows 4096")]
    TextTooLong(usize),
    #[error("chat {0} is unknown to the sandbox")]
    UnknownChat(i64),
    #[error("message {message_id} not found in chat {chat_id}")]
    UnknownMessage { chat_id: i64, message_id: i32 },
    #[error("message {message_id} in chat {chat_id} was deleted by the bot")]
    MessageDeleted { chat_id: i64, message_id: i32 },
    #[error("message {message_id} in chat {chat_id} was sent by a user, not the bot")]
    NotFromBot { chat_id: i64, message_id: i32 },
    #[error(
        "message {message_id} in chat {chat_id} has no callback button {wanted}; its buttons: {available}"
    )]
    NoSuchButton {
        chat_id: i64,
        message_id: i32,
        wanted: String,
        available: String,
    },
    #[error("user {user_id} is not in the private chat {chat_id}")]
    NotInChat { user_id: i64, chat_id: i64 },
    #[error("callback query {0} is unknown")]
    UnknownCallbackQuery(String),
    #[error("update {0} is not among the last 1,000 updates")]
    UnknownUpdate(u32),
    #[error(
        "{0} updates are waiting for the bot, the sandbox's cap; let the bot confirm some first"
    )]
    QueueFull(usize),
    #[error(
        "timed out after {timeout:?} waiting for {expected} bot messages in chat {chat_id}; {got} arrived: {seen}"
    )]
    Timeout {
        chat_id: i64,
        expected: usize,
        got: usize,
        timeout: Duration,
        seen: String,
    },
    #[error("timed out after {timeout:?} waiting for the bot to answer callback query {id}")]
    CallbackTimeout { id: String, timeout: Duration },
    #[error("invalid flood configuration: {0}")]
    InvalidFlood(String),
    #[error("file {0} is unknown or its bytes were not uploaded")]
    UnknownFile(String),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl SandboxError {
    pub fn status(&self) -> StatusCode {
        use SandboxError::*;
        match self {
            UnknownChat(_)
            | UnknownMessage { .. }
            | UnknownCallbackQuery(_)
            | UnknownFile(_)
            | UnknownUpdate(_) => StatusCode::NOT_FOUND,
            MessageDeleted { .. } => StatusCode::GONE,
            QueueFull(_) => StatusCode::SERVICE_UNAVAILABLE,
            Timeout { .. } | CallbackTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            NotInChat { .. } => StatusCode::FORBIDDEN,
            InvalidUser(_)
            | InvalidChat(_)
            | EmptyText
            | TextTooLong(_)
            | NotFromBot { .. }
            | NoSuchButton { .. }
            | InvalidFlood(_)
            | InvalidRequest(_) => StatusCode::BAD_REQUEST,
        }
    }
}

/// `{"error": "…"}` with the status from [`SandboxError::status`].
impl IntoResponse for SandboxError {
    fn into_response(self) -> Response {
        (
            self.status(),
            axum::Json(json!({ "error": self.to_string() })),
        )
            .into_response()
    }
}
