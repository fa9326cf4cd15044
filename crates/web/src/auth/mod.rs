//! Who is calling: a bearer credential (an admin's JWT from login, or an API
//! token) turned into a [`Principal`], and the scope each route requires.

pub mod jwt;
pub mod login;
pub mod password_checks;
pub mod throttle;

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use startlink_core::admins::{self, Admin, ApiToken, Scope, TOKEN_PREFIX};
use startlink_core::audit::Actor;
use startlink_core::time;

pub use password_checks::PasswordChecks;
pub use throttle::LoginThrottle;

use crate::error::ApiError;
use crate::state::AppState;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub enum Principal {
    /// An admin, through the live session its access token names.
    Admin {
        admin: Admin,
        session_id: String,
    },
    Token(ApiToken),
}

impl Principal {
    /// Who this is, for the audit log, coming from `address`.
    pub fn actor(&self, address: Option<std::net::IpAddr>) -> Actor {
        match self {
            Self::Admin { admin, .. } => Actor::admin(admin),
            Self::Token(token) => Actor::token(token),
        }
        .from_address(address)
    }

    /// Admins may read everything; only the `admin` role writes. Tokens may do
    /// exactly what their scopes say.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        match self {
            Self::Admin { admin, .. } if scope.is_read() || admin.role.can_write() => Ok(()),
            Self::Admin { admin, .. } => Err(ApiError::Forbidden(format!(
                "the {} role is read-only",
                admin.role
            ))),
            Self::Token(token) if token.allows(scope) => Ok(()),
            Self::Token(_) => Err(ApiError::Forbidden(format!(
                "this API token lacks the {scope} scope"
            ))),
        }
    }

    pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(ApiError::Unauthorized)?;
        let value = header.to_str().map_err(|_| ApiError::Unauthorized)?;
        let (scheme, credential) = value.split_once(' ').ok_or(ApiError::Unauthorized)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(ApiError::Unauthorized);
        }
        let credential = credential.trim();
        if credential.starts_with(TOKEN_PREFIX) {
            return admins::authenticate_token(&state.db, credential, time::now())
                .await?
                .map(Self::Token)
                .ok_or(ApiError::Unauthorized);
        }
        let (admin, session_id) = admin_from_jwt(state, credential).await?;
        Ok(Self::Admin { admin, session_id })
    }
}

/// The admin a JWT names and its session id, when that session is live.
/// Looked up on every request, so a logout, a password change, a disabled or
/// removed admin or a changed role takes effect at once rather than when the
/// token expires.
pub async fn admin_from_jwt(state: &AppState, token: &str) -> Result<(Admin, String), ApiError> {
    let verified = jwt::verify(&state.config.jwt_secret, token).ok_or(ApiError::Unauthorized)?;
    let (admin, session) = admins::live_session(
        &state.db,
        &verified.session_id,
        verified.admin_id,
        time::now(),
    )
    .await?
    .ok_or(ApiError::Unauthorized)?;
    Ok((admin, session.id))
}

/// A route's required scope, as a type, so that every handler states it in
/// its signature.
pub trait RequiredScope: Send + Sync + 'static {
    const SCOPE: Scope;
}

macro_rules! scopes {
    ($($name:ident => $scope:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl RequiredScope for $name {
            const SCOPE: Scope = Scope::$scope;
        }
    )*};
}

scopes!(
    LinksRead => LinksRead,
    LinksWrite => LinksWrite,
    EventsRead => EventsRead,
    UsersRead => UsersRead,
    StatsRead => StatsRead,
    ExportsRead => ExportsRead,
);

/// A caller allowed `S`'s scope; 401 without valid credentials, 403 without
/// the scope (or a viewer asking to write).
#[derive(Debug, Clone)]
pub struct Authorized<S: RequiredScope> {
    pub principal: Principal,
    _scope: PhantomData<S>,
}

impl<S: RequiredScope> FromRequestParts<AppState> for Authorized<S> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = Principal::authenticate(parts, state).await?;
        principal.require(S::SCOPE)?;
        Ok(Self {
            principal,
            _scope: PhantomData,
        })
    }
}

/// Any authenticated caller, whatever it may do.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Principal::authenticate(parts, state).await.map(Self)
    }
}

/// An admin with the `admin` role, logged in: what managing admins, tokens
/// and reading the audit log need. API tokens are refused (403) whatever
/// their scopes, so a leaked script credential cannot mint others.
#[derive(Debug, Clone)]
pub struct AdminRole(pub Principal);

impl FromRequestParts<AppState> for AdminRole {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = Principal::authenticate(parts, state).await?;
        match &principal {
            Principal::Admin { admin, .. } if admin.role.can_write() => Ok(Self(principal)),
            Principal::Admin { admin, .. } => Err(ApiError::Forbidden(format!(
                "the {} role cannot manage admins, tokens or read the audit log",
                admin.role
            ))),
            Principal::Token(_) => Err(ApiError::Forbidden(
                "API tokens cannot manage admins, tokens or read the audit log; log in as an admin"
                    .into(),
            )),
        }
    }
}
