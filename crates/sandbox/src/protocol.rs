//! The Bot API envelope: `{"ok":true,"result":…}` on success and
//! `{"ok":false,"error_code":…,"description":…}` on failure, with the HTTP
//! status equal to `error_code`, exactly as `api.telegram.org` answers.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

/// A Bot API failure: the status code and Telegram's own description text.
///
/// Descriptions are Telegram's verbatim where Telegram has one, because client
/// libraries (teloxide's `ApiError`) match on the exact string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code} {description}")]
pub struct ApiError {
    pub code: u16,
    pub description: String,
    pub retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(code: u16, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            retry_after: None,
        }
    }

    /// 400 with the `Bad Request: ` prefix Telegram puts on every client error.
    pub fn bad_request(reason: impl std::fmt::Display) -> Self {
        Self::new(400, format!("Bad Request: {reason}"))
    }

    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized")
    }

    pub fn not_found() -> Self {
        Self::new(404, "Not Found")
    }

    pub fn conflict(reason: impl std::fmt::Display) -> Self {
        Self::new(409, format!("Conflict: {reason}"))
    }

    pub fn too_many_requests(retry_after: u32) -> Self {
        Self {
            code: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            retry_after: Some(retry_after),
        }
    }

    pub fn chat_not_found() -> Self {
        Self::bad_request("chat not found")
    }

    /// A required parameter that is missing (Telegram: "chat_id is empty").
    pub fn missing(parameter: &str) -> Self {
        Self::bad_request(format_args!("{parameter} is empty"))
    }

    pub fn can_t_parse_entities(reason: impl std::fmt::Display) -> Self {
        Self::bad_request(format_args!("can't parse entities: {reason}"))
    }

    pub fn envelope(&self) -> Value {
        let mut body = json!({
            "ok": false,
            "error_code": self.code,
            "description": self.description,
        });
        if let Some(retry_after) = self.retry_after {
            body["parameters"] = json!({ "retry_after": retry_after });
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::BAD_REQUEST);
        (status, axum::Json(self.envelope())).into_response()
    }
}

/// A successful answer; `description` is set by the few methods where Telegram
/// adds one (setWebhook's "Webhook was set").
#[derive(Debug, Serialize)]
pub struct ApiOk {
    ok: bool,
    result: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'static str>,
}

impl ApiOk {
    pub fn new(result: Value) -> Self {
        Self {
            ok: true,
            result,
            description: None,
        }
    }

    pub fn with_description(result: Value, description: &'static str) -> Self {
        Self {
            ok: true,
            result,
            description: Some(description),
        }
    }
}

impl IntoResponse for ApiOk {
    fn into_response(self) -> Response {
        (StatusCode::OK, axum::Json(self)).into_response()
    }
}

pub type ApiResult = Result<ApiOk, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_error_carries_retry_after_in_parameters() {
        let body = ApiError::too_many_requests(7).envelope();
        assert_eq!(body["error_code"], 429);
        assert_eq!(body["parameters"]["retry_after"], 7);
        assert_eq!(body["description"], "Too Many Requests: retry after 7");
    }

    #[test]
    fn an_ordinary_error_has_no_parameters() {
        let body = ApiError::chat_not_found().envelope();
        assert_eq!(
            body,
            json!({"ok": false, "error_code": 400, "description": "Bad Request: chat not found"})
        );
    }
}
