//! The Bot API transport: token check, parameters, dispatch, envelope.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::Sandbox;
use crate::methods;
use crate::params::Params;
use crate::protocol::ApiError;

/// `/{bot<token>}/{method}`, GET or POST.
pub(crate) async fn call(
    State(sandbox): State<Sandbox>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: Request,
) -> Response {
    let Ok(Path((bot_token, method))) = path else {
        return ApiError::not_found().into_response();
    };
    let Some(token) = bot_token.strip_prefix("bot") else {
        return ApiError::not_found().into_response();
    };
    if token != sandbox.config().token {
        return ApiError::unauthorized().into_response();
    }
    let Some(method) = methods::canonical_name(&method) else {
        return ApiError::not_found().into_response();
    };
    sandbox.count_request(method);
    let params = match Params::from_request(request).await {
        Ok(params) => params,
        Err(error) => return error.into_response(),
    };
    let outcome = methods::dispatch(&sandbox, method, params).await;
    match &outcome {
        Ok(_) => tracing::debug!(method, "Bot API call answered"),
        Err(error) => {
            tracing::debug!(method, code = error.code, description = %error.description, "Bot API call refused")
        }
    }
    outcome.into_response()
}

/// `/file/{bot<token>}/{file_path}`: the bytes of an uploaded file.
pub(crate) async fn download(
    State(sandbox): State<Sandbox>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Ok(Path((bot_token, file_path))) = path else {
        return ApiError::not_found().into_response();
    };
    if bot_token.strip_prefix("bot") != Some(sandbox.config().token.as_str()) {
        return ApiError::unauthorized().into_response();
    }
    let state = sandbox.state();
    match state.files.by_path(&file_path) {
        Some(file) => file_response(file),
        None => ApiError::not_found().into_response(),
    }
}

pub(crate) fn file_response(file: &crate::state::files::StoredFile) -> Response {
    let Some(bytes) = file.bytes.clone() else {
        return ApiError::not_found().into_response();
    };
    let mime = file
        .view
        .mime_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let mut response = Body::from(bytes).into_response();
    let content_type = HeaderValue::from_str(&mime)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    response
}

impl Sandbox {
    pub(crate) fn count_request(&self, method: &str) {
        let mut state = self.state();
        state.counters.requests += 1;
        *state
            .counters
            .requests_by_method
            .entry(method.to_owned())
            .or_default() += 1;
    }
}
