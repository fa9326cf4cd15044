//! Errors on the panel's pages: the same statuses as the API's `ApiError`,
//! shown as a small HTML page instead of JSON.
//!
//! The one 422 left in the application is the panel's own: a form shown
//! again with the refused value and its message (links, admins, tokens) is
//! answered 422, the convention for "this form, corrected, may be sent
//! again" that browsers and form libraries read; it is HTML for a person,
//! not in the OpenAPI document. Everything else, API and panel, is 400.

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

#[derive(Debug)]
pub struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

macro_rules! via_api_error {
    ($($error:ty),*) => {$(
        impl From<$error> for PageError {
            fn from(error: $error) -> Self {
                Self(ApiError::from(error))
            }
        }
    )*};
}

via_api_error!(
    startlink_core::admins::AdminError,
    startlink_core::analytics::AnalyticsError,
    startlink_core::links::LinkError,
    startlink_core::vocab::ParseError,
    sea_orm::DbErr
);

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
    out
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, _) = self.0.status_and_code();
        if status.is_server_error() {
            // ApiError logs the cause and keeps the text opaque.
            let _ = self.0.into_response();
            return page(
                status,
                "Something went wrong; the server log has the details.",
            );
        }
        page(status, &self.0.to_string())
    }
}

fn page(status: axum::http::StatusCode, message: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{code} · startlink</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body><main><h1>{code}</h1><p class=\"error\">{message}</p><p><a href=\"/\">Dashboard</a> · <a href=\"/links\">Links</a></p></main></body></html>",
        code = status.as_u16(),
        message = escape(message),
    );
    (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_escaped_and_the_status_kept() {
        let response = PageError(ApiError::NotFound("no link with key <x>".into())).into_response();
        assert_eq!(response.status(), 404);
        assert_eq!(
            escape("<a href='x'>&\""),
            "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;"
        );
    }
}
