//! Browser sessions: the login's JWT in an HttpOnly, SameSite=Strict cookie,
//! and a double-submit CSRF token (a random cookie repeated in every form).

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use startlink_core::admins::Admin;
use subtle::ConstantTimeEq as _;

use crate::auth::admin_from_jwt;
use crate::error::ApiError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "startlink_session";
pub const CSRF_COOKIE: &str = "startlink_csrf";
pub const CSRF_FIELD: &str = "csrf";

/// The value of cookie `name`, if the request has it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// `Set-Cookie` for the session. `Secure` when `COOKIE_SECURE` says the panel
/// is behind HTTPS; without it the cookie also works over plain HTTP on
/// localhost.
pub fn session_cookie(token: &str, max_age_secs: u64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}{}",
        secure_flag(secure)
    )
}

pub fn clear_session_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
        secure_flag(secure)
    )
}

fn secure_flag(secure: bool) -> &'static str {
    if secure { "; Secure" } else { "" }
}

/// A fresh CSRF token: 32 random symbols of the link-key alphabet (192 bits).
pub fn new_csrf_token() -> String {
    let mut bytes = [0_u8; 32];
    #[allow(clippy::expect_used)] // without OS randomness no token can be made at all
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    bytes
        .iter()
        .map(|b| char::from(startlink_core::links::KEY_ALPHABET[usize::from(b & 63)]))
        .collect()
}

pub fn csrf_cookie(token: &str, secure: bool) -> String {
    format!(
        "{CSRF_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/{}",
        secure_flag(secure)
    )
}

/// The request's CSRF cookie, or a new token to set.
pub fn csrf_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, CSRF_COOKIE).filter(|t| t.len() == 32) {
        Some(token) => (token.to_owned(), false),
        None => (new_csrf_token(), true),
    }
}

/// Whether a submitted form's token matches the cookie (in constant time).
pub fn csrf_ok(headers: &HeaderMap, submitted: Option<&str>) -> bool {
    match (cookie(headers, CSRF_COOKIE), submitted) {
        (Some(expected), Some(given)) if !expected.is_empty() => {
            bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
        }
        _ => false,
    }
}

/// A logged-in admin; anyone else is sent to the login page.
#[derive(Debug, Clone)]
pub struct Session(pub Admin);

/// Why a page needs a login: a redirect, or a server error.
#[derive(Debug)]
pub enum NoSession {
    Login,
    Failed(ApiError),
}

impl IntoResponse for NoSession {
    fn into_response(self) -> Response {
        match self {
            Self::Login => (StatusCode::SEE_OTHER, [(LOCATION, "/login")]).into_response(),
            Self::Failed(error) => error.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = NoSession;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, NoSession> {
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(NoSession::Login)?;
        match admin_from_jwt(state, token).await {
            Ok(admin) => Ok(Self(admin)),
            Err(ApiError::Unauthorized) => Err(NoSession::Login),
            Err(other) => Err(NoSession::Failed(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn cookies_are_found_by_exact_name_and_csrf_compares_exactly() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; startlink_csrf=abc; startlink_csrf_x=2"),
        );
        assert_eq!(cookie(&headers, CSRF_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "startlink"), None);
        assert!(csrf_ok(&headers, Some("abc")));
        assert!(!csrf_ok(&headers, Some("abd")));
        assert!(!csrf_ok(&headers, None));
        assert!(!csrf_ok(&HeaderMap::new(), Some("")));
        assert_ne!(new_csrf_token(), new_csrf_token());
    }
}
