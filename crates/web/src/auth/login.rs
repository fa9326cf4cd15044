//! `POST /api/v1/auth/login`, `POST /api/v1/auth/logout` and `GET /api/v1/auth/me`.

use std::time::Instant;

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use serde::{Deserialize, Serialize};
use startlink_core::admins::{self, Admin};
use startlink_core::audit::{Action, Actor, ActorKind, Entry};
use startlink_core::time;
use utoipa::ToSchema;

use super::{Authenticated, Principal, jwt, throttle};
use crate::api::audit::note;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ClientIp, Json};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"***")
            .finish()
    }
}

/// The login body, as JSON or as an HTML form.
#[derive(Debug)]
pub struct LoginBody(pub LoginRequest);

impl<S: Send + Sync> FromRequest<S> for LoginBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if is_form {
            crate::extract::Form::<LoginRequest>::from_request(req, state)
                .await
                .map(|crate::extract::Form(body)| Self(body))
                .map_err(|rejection| rejection.0)
        } else {
            Json::<LoginRequest>::from_request(req, state)
                .await
                .map(|Json(body)| Self(body))
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
}

/// Exchange a user name and password for an access token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body(content = LoginRequest, description = "JSON, or the same fields as an application/x-www-form-urlencoded form"),
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong user name or password", body = ErrorBody),
        (status = 429, description = "Too many failed logins from this address, or for this user from this address; see Retry-After", body = ErrorBody),
        (status = 503, description = "Too many logins being checked at once, or the database is unreachable; see Retry-After", body = ErrorBody),
    ),
)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    LoginBody(request): LoginBody,
) -> Result<Json<TokenResponse>, ApiError> {
    let access_token = attempt(&state, ip, &request.username, &request.password).await?;
    Ok(Json(TokenResponse {
        access_token,
        token_type: "bearer",
        expires_in: state.config.access_token_ttl.as_secs(),
    }))
}

/// One login attempt, throttled: an access token for the right user name and
/// password. The API and the panel's form share it, and so share the counts.
/// The attempt is counted before its password is checked (see `throttle`).
pub async fn attempt(
    state: &AppState,
    ip: Option<std::net::IpAddr>,
    username: &str,
    password: &str,
) -> Result<String, ApiError> {
    let reservation = state
        .throttle
        .reserve(&throttle::LoginKeys::new(ip, username), Instant::now())
        .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
    let mut admin = match check_password(state, username, password).await {
        Ok(Some(admin)) => admin,
        Ok(None) => {
            let shown = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
            tracing::warn!(ip = %shown, "failed login");
            note_failed_login(state, ip, username).await;
            return Err(ApiError::BadLogin);
        }
        Err(error) => {
            state.throttle.release(&reservation);
            return Err(error);
        }
    };
    state.throttle.succeeded(&reservation);
    let now = time::now();
    admins::record_login(&state.db, &mut admin, now).await?;
    let session =
        admins::start_session(&state.db, &admin, now, state.config.access_token_ttl).await?;
    let issued_at = u64::try_from(now.timestamp()).unwrap_or_default();
    let access_token = jwt::issue(
        &state.config.jwt_secret,
        admin.id,
        &admin.username,
        &session.id,
        issued_at,
        state.config.access_token_ttl,
    )
    .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("signing a JWT")))?;
    tracing::info!(admin = %admin.username, "login");
    let entry = Entry::new(Action::Login).object("admin", &admin.username);
    note(state, &Actor::admin(&admin).from_address(ip), entry).await;
    Ok(access_token)
}

/// The admin, when `password` is his; `None` for a wrong name or password.
async fn check_password(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<Option<admins::Admin>, ApiError> {
    let credentials = admins::credentials(&state.db, username).await?;
    state
        .password_checks
        .verify(credentials, password.to_owned())
        .await
        .map_err(|_| ApiError::Unavailable {
            message: "the server is busy checking passwords; try again shortly",
            retry_after_secs: 1,
        })
}

/// A refused login in the audit log, under the name that was typed (cut to
/// 64 characters: it is whatever the client sent).
async fn note_failed_login(state: &AppState, ip: Option<std::net::IpAddr>, username: &str) {
    let typed: String = username.trim().chars().take(64).collect();
    let actor = Actor::new(ActorKind::Admin, None, &typed).from_address(ip);
    note(state, &actor, Entry::new(Action::LoginFailed)).await;
}

/// End the session of this access token at once.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The session has ended; its access token no longer works"),
        (status = 401, body = ErrorBody),
        (status = 400, description = "API tokens are revoked, not logged out", body = ErrorBody),
    ),
)]
pub async fn logout(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Authenticated(principal): Authenticated,
) -> Result<StatusCode, ApiError> {
    let Principal::Admin { admin, session_id } = &principal else {
        return Err(ApiError::invalid(
            "API tokens are revoked (startlink token revoke), not logged out",
        ));
    };
    end_session(&state, admin, session_id, ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends one session and records the logout; the panel's logout calls it too.
pub async fn end_session(
    state: &AppState,
    admin: &Admin,
    session_id: &str,
    ip: Option<std::net::IpAddr>,
) -> Result<(), ApiError> {
    if admins::end_session(&state.db, session_id, time::now()).await? {
        let entry = Entry::new(Action::Logout).object("admin", &admin.username);
        note(state, &Actor::admin(admin).from_address(ip), entry).await;
    }
    Ok(())
}

/// Who the credentials belong to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `admin` or `token`.
    pub kind: &'static str,
    /// The admin's user name or the token's name.
    pub name: String,
    /// `admin` or `viewer` for an admin; absent for a token.
    pub role: Option<String>,
    /// What the caller may do.
    pub scopes: Vec<String>,
}

/// The caller: an admin (with role) or an API token (with scopes).
#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Me),
        (status = 401, body = ErrorBody),
    ),
)]
pub async fn me(Authenticated(principal): Authenticated) -> Json<Me> {
    let allowed = |p: &Principal| {
        startlink_core::admins::Scope::ALL
            .into_iter()
            .filter(|s| p.require(*s).is_ok())
            .map(|s| s.as_str().to_owned())
            .collect()
    };
    Json(match &principal {
        Principal::Admin { admin, .. } => Me {
            kind: "admin",
            name: admin.username.clone(),
            role: Some(admin.role.as_str().to_owned()),
            scopes: allowed(&principal),
        },
        Principal::Token(token) => Me {
            kind: "token",
            name: token.name.clone(),
            role: None,
            scopes: allowed(&principal),
        },
    })
}
