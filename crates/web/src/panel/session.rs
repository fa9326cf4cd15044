//! Browser sessions: the login's JWT (naming a server-side session) in an
//! HttpOnly, SameSite=Strict cookie, and CSRF protection in three parts:
//! - every form of a logged-in page carries a token bound to the session:
//!   HMAC-SHA256 of the session id under the JWT secret, so a token from
//!   another session (or another login of the same admin) never passes, and
//!   logging in again rotates it;
//! - a POST whose `Origin` (or, without one, `Referer`) names another host
//!   is refused before anything else; with neither header the token alone
//!   decides (old browsers, privacy proxies);
//! - the login form, before any session exists, uses a double-submit cookie
//!   of at least 32 symbols of the key alphabet, cleared at login.

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, HOST, LOCATION, ORIGIN, REFERER};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use startlink_core::admins::Admin;
use subtle::ConstantTimeEq as _;

use crate::auth::{admin_from_jwt, jwt};
use crate::config::JwtSecret;
use crate::error::ApiError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "startlink_session";
pub const CSRF_COOKIE: &str = "startlink_csrf";
pub const CSRF_FIELD: &str = "csrf";
/// Shortest login-form CSRF cookie accepted.
pub const MIN_LOGIN_CSRF_CHARS: usize = 32;

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

/// A fresh login-form CSRF token: 32 random symbols of the link-key alphabet (192 bits).
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

pub fn clear_csrf_cookie(secure: bool) -> String {
    format!(
        "{CSRF_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
        secure_flag(secure)
    )
}

/// Whether `token` has the login-form token's shape: at least 32 symbols of
/// the key alphabet.
fn login_token_shape(token: &str) -> bool {
    token.len() >= MIN_LOGIN_CSRF_CHARS
        && token
            .bytes()
            .all(|b| startlink_core::links::KEY_ALPHABET.contains(&b))
}

/// The login form's CSRF cookie, or a new token to set.
pub fn login_csrf_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, CSRF_COOKIE).filter(|t| login_token_shape(t)) {
        Some(token) => (token.to_owned(), false),
        None => (new_csrf_token(), true),
    }
}

/// Whether the login form's token matches its cookie (in constant time) and
/// both have the token's shape.
pub fn login_csrf_ok(headers: &HeaderMap, submitted: Option<&str>) -> bool {
    match (cookie(headers, CSRF_COOKIE), submitted) {
        (Some(expected), Some(given)) if login_token_shape(expected) => {
            bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
        }
        _ => false,
    }
}

/// The CSRF token of one session: HMAC-SHA256 of its id under the JWT secret.
pub fn session_csrf_token(secret: &JwtSecret, session_id: &str) -> String {
    #[allow(clippy::expect_used)] // HMAC takes keys of any length
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose()).expect("HMAC accepts any key");
    mac.update(b"startlink panel csrf v1\0");
    mac.update(session_id.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Whether a request's `Origin`, or without one its `Referer`, names the
/// host it was sent to. Without either header: true (the token decides).
/// `Origin: null` says nothing: browsers send it for a same-origin form post
/// from a page whose `Referrer-Policy` is `no-referrer` (ours), so it counts
/// as absent and the session-bound token decides.
/// The scheme is not compared: behind a TLS-terminating proxy the server
/// cannot know it.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let origin = headers
        .get(ORIGIN)
        .filter(|origin| origin.as_bytes() != b"null");
    let claimed = match (origin, headers.get(REFERER)) {
        (Some(origin), _) => origin.to_str().ok(),
        (None, Some(referer)) => referer.to_str().ok(),
        (None, None) => return true,
    };
    match (claimed.and_then(authority), host) {
        (Some(claimed), Some(host)) => claimed.eq_ignore_ascii_case(host.trim()),
        _ => false,
    }
}

/// `host[:port]` of an `http(s)://` URL or origin; `null` and other schemes
/// have none.
fn authority(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    (!authority.is_empty() && !authority.contains('@')).then_some(authority)
}

/// The session's CSRF token, to put in forms and to check submitted ones against.
#[derive(Debug, Clone)]
pub struct Csrf(String);

impl Csrf {
    pub fn token(&self) -> &str {
        &self.0
    }

    /// Ok when `submitted` is this session's token (constant time).
    pub fn check(&self, submitted: Option<&str>) -> Result<(), ApiError> {
        match submitted {
            Some(given) if bool::from(self.0.as_bytes().ct_eq(given.as_bytes())) => Ok(()),
            _ => Err(ApiError::Forbidden(
                "CSRF token missing or wrong; reload the page".into(),
            )),
        }
    }
}

/// A logged-in admin with the session's CSRF token; anyone else is sent to
/// the login page. On a POST, a foreign `Origin`/`Referer` is refused here.
#[derive(Debug, Clone)]
pub struct Session(pub Admin, pub Csrf);

/// The session id a panel request's cookie names, if its JWT is valid (the
/// session may have ended).
pub fn session_id(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let token = cookie(headers, SESSION_COOKIE)?;
    jwt::verify(&state.config.jwt_secret, token).map(|v| v.session_id)
}

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

fn cross_site() -> ApiError {
    ApiError::Forbidden("cross-site request refused: the Origin is not this panel".into())
}

impl FromRequestParts<AppState> for Session {
    type Rejection = NoSession;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, NoSession> {
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe && !same_origin(&parts.headers) {
            return Err(NoSession::Failed(cross_site()));
        }
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(NoSession::Login)?;
        match admin_from_jwt(state, token).await {
            Ok((admin, session_id)) => Ok(Self(
                admin,
                Csrf(session_csrf_token(&state.config.jwt_secret, &session_id)),
            )),
            Err(ApiError::Unauthorized) => Err(NoSession::Login),
            Err(other) => Err(NoSession::Failed(other)),
        }
    }
}

/// Refuses a cross-site POST that has no session yet (the login form, logout).
pub fn require_same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    if same_origin(headers) {
        Ok(())
    } else {
        Err(cross_site())
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let h = headers(&[("cookie", "a=1; startlink_csrf=abc; startlink_csrf_x=2")]);
        assert_eq!(cookie(&h, CSRF_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "startlink"), None);
        assert_ne!(new_csrf_token(), new_csrf_token());
    }

    #[test]
    fn the_login_token_must_be_32_symbols_and_match_exactly() {
        let token = "A".repeat(31) + "b";
        let cookie_header = format!("startlink_csrf={token}");
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_str(&cookie_header).unwrap());
        assert!(login_csrf_ok(&h, Some(&token)));
        assert!(!login_csrf_ok(&h, Some(&token[..31])));
        assert!(!login_csrf_ok(&h, None));
        for short in ["x", "abc", &"A".repeat(31)] {
            let h = {
                let mut h = HeaderMap::new();
                h.insert(
                    COOKIE,
                    HeaderValue::from_str(&format!("startlink_csrf={short}")).unwrap(),
                );
                h
            };
            assert!(!login_csrf_ok(&h, Some(short)), "{short:?}");
        }
        let bad_alphabet = "!".repeat(40);
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_str(&format!("startlink_csrf={bad_alphabet}")).unwrap(),
        );
        assert!(!login_csrf_ok(&h, Some(&bad_alphabet)));
        assert!(!login_csrf_ok(&HeaderMap::new(), Some("")));
    }

    #[test]
    fn session_tokens_differ_by_session_and_by_secret() {
        let a = JwtSecret::parse("k3J9pQ2vX8mL4nR7tY1wZ5bC6dF0gH2j").unwrap();
        let b = JwtSecret::parse("R-5LIzFK6w1bP3363w-woT3XMEm7VwaTrr1W5XjtiWtA1X8k").unwrap();
        let token = session_csrf_token(&a, "s1");
        assert_eq!(token, session_csrf_token(&a, "s1"));
        assert_eq!(token.len(), 43);
        assert_ne!(token, session_csrf_token(&a, "s2"));
        assert_ne!(token, session_csrf_token(&b, "s1"));
        let csrf = Csrf(token.clone());
        assert!(csrf.check(Some(&token)).is_ok());
        assert!(csrf.check(Some(&token[..1])).is_err());
        assert!(csrf.check(None).is_err());
    }

    #[test]
    fn only_this_host_may_post() {
        for (pairs, expected) in [
            (&[("host", "panel.shop:8080")][..], true),
            (
                &[
                    ("host", "panel.shop:8080"),
                    ("origin", "https://panel.shop:8080"),
                ][..],
                true,
            ),
            (
                &[
                    ("host", "panel.shop:8080"),
                    ("origin", "http://PANEL.shop:8080"),
                ][..],
                true,
            ),
            (
                &[
                    ("host", "panel.shop"),
                    ("referer", "https://panel.shop/links?x=1"),
                ][..],
                true,
            ),
            (
                &[("host", "panel.shop"), ("origin", "https://evil.example")][..],
                false,
            ),
            (
                &[
                    ("host", "panel.shop"),
                    ("origin", "https://panel.shop.evil.example"),
                ][..],
                false,
            ),
            // An opaque origin (a form post under `Referrer-Policy:
            // no-referrer`) says nothing; a Referer next to it still counts.
            (&[("host", "panel.shop"), ("origin", "null")][..], true),
            (
                &[
                    ("host", "panel.shop"),
                    ("origin", "null"),
                    ("referer", "https://evil.example/"),
                ][..],
                false,
            ),
            (
                &[
                    ("host", "panel.shop"),
                    ("referer", "https://evil.example/panel.shop"),
                ][..],
                false,
            ),
            (
                &[
                    ("host", "panel.shop"),
                    ("referer", "https://panel.shop@evil.example/"),
                ][..],
                false,
            ),
            (
                &[
                    ("host", "panel.shop:8080"),
                    ("origin", "https://panel.shop"),
                ][..],
                false,
            ),
            (&[("origin", "https://panel.shop")][..], false),
        ] {
            assert_eq!(same_origin(&headers(pairs)), expected, "{pairs:?}");
        }
    }
}
