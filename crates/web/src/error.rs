//! `ApiError`: the one place where failures become HTTP statuses and JSON
//! bodies `{"error": code, "message": text}`.
//!
//! A failure because the database cannot be reached (refused, lost, the
//! pool timed out) is not a bug: it answers 503 with `Retry-After`, however
//! deep in a domain error it arrived ([`database_unreachable`]).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use startlink_core::admins::AdminError;
use startlink_core::links::LinkError;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code: `unauthorized`, `forbidden`, `not_found`,
    /// `bad_request` (every input error, 400; the message starts with the
    /// field), `conflict`, `too_many_requests`, `payload_too_large`,
    /// `unavailable`, `internal`.
    pub error: &'static str,
    /// What went wrong, for a person.
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No credentials, or credentials that do not check out. Deliberately
    /// vague: the caller learns nothing about which part failed.
    #[error("missing or invalid credentials")]
    Unauthorized,
    #[error("wrong user name or password")]
    BadLogin,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A value that parses but is refused (a weak password, a zero
    /// `max_uses`): 400 `bad_request` like every input error; the panel's
    /// forms show it on the form again.
    #[error("{0}")]
    Invalid(String),
    /// A body, query or path that does not parse.
    #[error("{0}")]
    BadRequest(String),
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("{0}")]
    Conflict(String),
    #[error("too many failed logins; try again in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// The server cannot take the request now; 503 with `Retry-After`.
    #[error("{message}")]
    Unavailable {
        message: &'static str,
        retry_after_secs: u64,
    },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }

    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Unauthorized | Self::BadLogin => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            // One error contract: every input error is 400 `bad_request`.
            Self::Invalid(_) | Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            Self::Unavailable { .. } => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Internal(cause) if database_unreachable(cause) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            Self::Internal(cause) if database_unreachable(cause) => {
                tracing::warn!("request failed, database unreachable: {cause:#}");
                "the database is unreachable; try again shortly".to_owned()
            }
            Self::Internal(cause) => {
                tracing::error!("request failed: {cause:#}");
                "internal error; the server log has the details".to_owned()
            }
            other => other.to_string(),
        };
        let mut response = (
            status,
            Json(ErrorBody {
                error: code,
                message,
            }),
        )
            .into_response();
        match self {
            Self::Unauthorized | Self::BadLogin => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::TooManyRequests { retry_after_secs }
            | Self::Unavailable {
                retry_after_secs, ..
            } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            Self::Internal(cause) if database_unreachable(&cause) => {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(DATABASE_RETRY_AFTER_SECS),
                );
            }
            _ => {}
        }
        response
    }
}

/// `Retry-After` while the database is unreachable.
pub const DATABASE_RETRY_AFTER_SECS: u64 = 5;

/// Whether `cause`, or anything it wraps, says the database cannot be
/// reached now, as opposed to a query that is wrong.
pub fn database_unreachable(cause: &anyhow::Error) -> bool {
    cause.chain().any(|error| {
        error
            .downcast_ref::<sea_orm::DbErr>()
            .is_some_and(db_err_unreachable)
            || error
                .downcast_ref::<sea_orm::sqlx::Error>()
                .is_some_and(sqlx_unreachable)
    })
}

fn db_err_unreachable(error: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match error {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(error))
        | DbErr::Exec(RuntimeErr::SqlxError(error))
        | DbErr::Query(RuntimeErr::SqlxError(error)) => sqlx_unreachable(error),
        _ => false,
    }
}

fn sqlx_unreachable(error: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match error {
        Error::Io(_) | Error::Tls(_) | Error::PoolTimedOut | Error::PoolClosed => true,
        Error::WorkerCrashed => true,
        // PostgreSQL's connection exceptions (08…) and shutdowns (57P01-57P03).
        Error::Database(error) => error
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P0")),
        _ => false,
    }
}

impl From<LinkError> for ApiError {
    fn from(error: LinkError) -> Self {
        match error {
            LinkError::NotFound(_) => Self::NotFound(error.to_string()),
            LinkError::Invalid { .. } => Self::Invalid(error.to_string()),
            LinkError::Revoked(_) => Self::Conflict(error.to_string()),
            LinkError::Corrupt(_) | LinkError::Db(_) => {
                Self::Internal(anyhow::Error::new(error).context("link store"))
            }
        }
    }
}

impl From<AdminError> for ApiError {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::Exists(_) | AdminError::LastAdmin(_) => Self::Conflict(error.to_string()),
            AdminError::NotFound(_) => Self::NotFound(error.to_string()),
            AdminError::TokenName | AdminError::Password(_) => Self::Invalid(error.to_string()),
            AdminError::Hash(_)
            | AdminError::Corrupt(_)
            | AdminError::Db(_)
            | AdminError::Audit(_) => {
                Self::Internal(anyhow::Error::new(error).context("admin store"))
            }
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Internal(anyhow::Error::new(error).context("database"))
    }
}
