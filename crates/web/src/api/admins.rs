//! `/api/v1/admins` (the `admin` role): list, add, new password, disable,
//! enable, delete. A password change, disabling or deleting ends every
//! session of that admin at once.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use startlink_core::admins::{self, Admin, Password, Role, Username};
use startlink_core::audit::{Action, Entry};
use startlink_core::time;
use utoipa::ToSchema;

use super::audit::note;
use crate::auth::AdminRole;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ClientIp, Json, Path};
use crate::state::AppState;

/// A panel/API user (never the password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminOut {
    pub username: String,
    /// `admin` or `viewer`.
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Set while the admin may not log in.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl From<Admin> for AdminOut {
    fn from(a: Admin) -> Self {
        Self {
            username: a.username,
            role: a.role.as_str().to_owned(),
            created_at: a.created_at,
            last_login_at: a.last_login_at,
            disabled_at: a.disabled_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAdmin {
    /// 1-64 letters, digits or `_ . @ -`; stored in Unicode NFC.
    pub username: String,
    /// At least 12 characters, hard to guess (zxcvbn score 3+), without the user name.
    pub password: String,
    /// `admin` (default) or `viewer`.
    pub role: Option<String>,
}

impl std::fmt::Debug for NewAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAdmin")
            .field("username", &self.username)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    pub password: String,
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

fn username(input: &str) -> Result<Username, ApiError> {
    // A name that cannot be a user name names no admin.
    Username::parse(input)
        .map_err(|_| ApiError::NotFound(format!("there is no admin called {input}")))
}

/// Every admin, by user name.
#[utoipa::path(
    get, path = "/api/v1/admins", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<AdminOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
)]
pub async fn list(
    _: AdminRole,
    State(state): State<AppState>,
) -> Result<Json<Vec<AdminOut>>, ApiError> {
    let all = admins::list_admins(&state.db).await?;
    Ok(Json(all.into_iter().map(AdminOut::from).collect()))
}

/// Add an admin.
#[utoipa::path(
    post, path = "/api/v1/admins", tag = "admin",
    security(("bearer" = [])),
    request_body = NewAdmin,
    responses(
        (status = 201, body = AdminOut),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "The user name is taken", body = ErrorBody),
        (status = 400, description = "The user name, password or role is refused; the message says why", body = ErrorBody),
    ),
)]
pub async fn create(
    AdminRole(principal): AdminRole,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<NewAdmin>,
) -> Result<(StatusCode, Json<AdminOut>), ApiError> {
    let name = Username::parse(&body.username).map_err(|e| ApiError::invalid(e.to_string()))?;
    let role = match body.role.as_deref() {
        None => Role::Admin,
        Some(text) => {
            Role::parse(text).ok_or_else(|| ApiError::invalid("role: admin or viewer"))?
        }
    };
    let password =
        Password::parse(&body.password, &name).map_err(|e| ApiError::invalid(e.to_string()))?;
    let admin = admins::create_admin(&state.db, &name, &password, role, time::now()).await?;
    let entry = Entry::new(Action::AdminCreate)
        .object("admin", &admin.username)
        .detail(serde_json::json!({ "role": admin.role }));
    note(&state, &principal.actor(ip), entry).await;
    Ok((StatusCode::CREATED, Json(admin.into())))
}

/// Set an admin's password; every session of that admin ends.
#[utoipa::path(
    put, path = "/api/v1/admins/{username}/password", tag = "admin",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "The admin's user name")),
    request_body = NewPassword,
    responses(
        (status = 204, description = "Changed; the admin's sessions have ended"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 400, description = "The password is refused; the message says why", body = ErrorBody),
    ),
)]
pub async fn set_password(
    AdminRole(principal): AdminRole,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(name): Path<String>,
    Json(body): Json<NewPassword>,
) -> Result<StatusCode, ApiError> {
    let name = username(&name)?;
    let password =
        Password::parse(&body.password, &name).map_err(|e| ApiError::invalid(e.to_string()))?;
    admins::set_password(
        &state.db,
        &name,
        &password,
        &principal.actor(ip),
        time::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Disable an admin: no more logins, and every session ends.
#[utoipa::path(
    post, path = "/api/v1/admins/{username}/disable", tag = "admin",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "The admin's user name")),
    responses(
        (status = 200, body = AdminOut),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The last enabled admin with the admin role", body = ErrorBody),
    ),
)]
pub async fn disable(
    AdminRole(principal): AdminRole,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(name): Path<String>,
) -> Result<Json<AdminOut>, ApiError> {
    let name = username(&name)?;
    let admin = admins::disable_admin(&state.db, &name, &principal.actor(ip), time::now()).await?;
    Ok(Json(admin.into()))
}

/// Enable a disabled admin again.
#[utoipa::path(
    post, path = "/api/v1/admins/{username}/enable", tag = "admin",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "The admin's user name")),
    responses(
        (status = 200, body = AdminOut),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
)]
pub async fn enable(
    AdminRole(principal): AdminRole,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(name): Path<String>,
) -> Result<Json<AdminOut>, ApiError> {
    let name = username(&name)?;
    let admin = admins::enable_admin(&state.db, &name, &principal.actor(ip), time::now()).await?;
    Ok(Json(admin.into()))
}

/// Delete an admin; every session ends. Tokens it created stay.
#[utoipa::path(
    delete, path = "/api/v1/admins/{username}", tag = "admin",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "The admin's user name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The last enabled admin with the admin role", body = ErrorBody),
    ),
)]
pub async fn delete(
    AdminRole(principal): AdminRole,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    let name = username(&name)?;
    admins::delete_admin(&state.db, &name, &principal.actor(ip), time::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
