//! The admins and API tokens page (the `admin` role only): add an admin,
//! set an admin's password, disable, enable or delete one, create a token
//! (its secret shown once), revoke a token.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use minijinja::value::{Serde, merge_maps};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use startlink_core::admins::{self, Admin, Password, Role, Scope, Username};
use startlink_core::audit::{Action, Actor, Entry};
use startlink_core::time;

use super::error::PageError;
use super::pages::{local, page, render};
use super::session::{Csrf, Session};
use crate::api::audit::note;
use crate::error::ApiError;
use crate::extract::{ClientIp, Form, Path};
use crate::state::AppState;

/// Admins only, and only with the form's CSRF token when it changes something.
fn admin_only(admin: &Admin) -> Result<(), ApiError> {
    if admin.role.can_write() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "the {} role cannot manage admins or tokens",
            admin.role
        )))
    }
}

fn checked(admin: &Admin, session_csrf: &Csrf, csrf: Option<&str>) -> Result<(), ApiError> {
    session_csrf.check(csrf)?;
    admin_only(admin)
}

#[derive(Serialize)]
struct AdminRow {
    username: String,
    role: &'static str,
    created: String,
    last_login: Option<String>,
    disabled: Option<String>,
}

#[derive(Serialize)]
struct TokenRow {
    id: i64,
    name: String,
    scopes: String,
    created: String,
    last_used: Option<String>,
    revoked: Option<String>,
}

async fn access_page(
    state: &AppState,
    admin: &Admin,
    csrf: &Csrf,
    status: StatusCode,
    extra: minijinja::Value,
) -> Result<Response, PageError> {
    let admins: Vec<AdminRow> = admins::list_admins(&state.db)
        .await?
        .into_iter()
        .map(|a| AdminRow {
            username: a.username,
            role: a.role.as_str(),
            created: local(a.created_at, state),
            last_login: a.last_login_at.map(|at| local(at, state)),
            disabled: a.disabled_at.map(|at| local(at, state)),
        })
        .collect();
    let tokens: Vec<TokenRow> = admins::list_tokens(&state.db)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            scopes: t
                .scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            name: t.name,
            created: local(t.created_at, state),
            last_used: t.last_used_at.map(|at| local(at, state)),
            revoked: t.revoked_at.map(|at| local(at, state)),
        })
        .collect();
    let csrf = csrf.token();
    let base = context! {
        admin => Value::from(Serde(admin)),
        csrf => csrf,
        admins => Value::from(Serde(&admins)),
        tokens => Value::from(Serde(&tokens)),
        scopes => Scope::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
    };
    let html = render(state, "access.html", merge_maps([extra, base]))?;
    let mut response = page(state, html, None);
    *response.status_mut() = status;
    Ok(response)
}

pub async fn access(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    admin_only(&admin)?;
    access_page(&state, &admin, &csrf, StatusCode::OK, context! {}).await
}

#[derive(Deserialize)]
pub struct NewAdminForm {
    username: String,
    role: String,
    password: String,
    csrf: Option<String>,
}

impl std::fmt::Debug for NewAdminForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAdminForm")
            .field("username", &self.username)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

pub async fn create_admin(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<NewAdminForm>,
) -> Result<Response, PageError> {
    checked(&admin, &csrf, form.csrf.as_deref())?;
    let parsed = Username::parse(&form.username)
        .map_err(|e| e.to_string())
        .and_then(|name| {
            Password::parse(&form.password, &name)
                .map(|p| (name, p))
                .map_err(|e| e.to_string())
        })
        .and_then(|(name, password)| {
            Role::parse(&form.role)
                .map(|r| (name, password, r))
                .ok_or_else(|| "role must be admin or viewer".to_owned())
        });
    let result = match parsed {
        Ok((name, password, role)) => {
            match admins::create_admin(&state.db, &name, &password, role, time::now()).await {
                Ok(created) => {
                    let entry = Entry::new(Action::AdminCreate)
                        .object("admin", &created.username)
                        .detail(serde_json::json!({ "role": created.role }));
                    note(&state, &Actor::admin(&admin).from_address(ip), entry).await;
                    Ok(())
                }
                Err(error) => Err(ApiError::from(error)),
            }
        }
        Err(message) => Err(ApiError::Invalid(message)),
    };
    match result {
        Ok(()) => Ok((StatusCode::SEE_OTHER, [(LOCATION, "/admins")]).into_response()),
        Err(ApiError::Invalid(message) | ApiError::Conflict(message)) => {
            access_page(
                &state,
                &admin,
                &csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                context! { error => message },
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn create_token(
    Session(admin, session_csrf): Session,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: String,
) -> Result<Response, PageError> {
    if let Some(field) = crate::extract::urlencoded_nul_field(body.as_bytes()) {
        return Err(ApiError::BadRequest(format!("{field}: contains a NUL character")).into());
    }
    // A form with repeated `scope` fields; serde_urlencoded keeps only one.
    let mut name = String::new();
    let mut csrf = None;
    let mut scopes = Vec::new();
    for (key, value) in form_pairs(&body) {
        match key.as_str() {
            "name" => name = value,
            "csrf" => csrf = Some(value),
            "scope" => scopes.extend(Scope::parse(&value)),
            _ => {}
        }
    }
    checked(&admin, &session_csrf, csrf.as_deref())?;
    if scopes.is_empty() {
        return access_page(
            &state,
            &admin,
            &session_csrf,
            StatusCode::UNPROCESSABLE_ENTITY,
            context! { error => "choose at least one scope" },
        )
        .await;
    }
    match admins::create_token(&state.db, &name, &scopes, Some(admin.id), time::now()).await {
        Ok((token, secret)) => {
            let entry = Entry::new(Action::TokenCreate)
                .object("token", token.id)
                .detail(serde_json::json!({ "name": token.name, "scopes": token.scopes }));
            note(&state, &Actor::admin(&admin).from_address(ip), entry).await;
            let extra = context! { new_secret => secret.expose(), new_token_name => token.name };
            let mut response =
                access_page(&state, &admin, &session_csrf, StatusCode::OK, extra).await?;
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            Ok(response)
        }
        Err(error) => match ApiError::from(error) {
            ApiError::Invalid(message) => {
                access_page(
                    &state,
                    &admin,
                    &session_csrf,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    context! { error => message },
                )
                .await
            }
            other => Err(other.into()),
        },
    }
}

/// `application/x-www-form-urlencoded` pairs, in order, repeated keys kept.
fn form_pairs(body: &str) -> Vec<(String, String)> {
    let hex = |byte: u8| {
        char::from(byte)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let decode = |text: &str| -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let escaped = match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
                (b'%', Some(&high), Some(&low)) => hex(high).zip(hex(low)).map(|(h, l)| h * 16 + l),
                _ => None,
            };
            match (escaped, bytes[i]) {
                (Some(byte), _) => {
                    out.push(byte);
                    i += 3;
                }
                (None, b'+') => {
                    out.push(b' ');
                    i += 1;
                }
                (None, other) => {
                    out.push(other);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

pub async fn revoke_token(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    checked(&admin, &csrf, form.csrf.as_deref())?;
    if !admins::revoke_token(&state.db, id, time::now()).await? {
        return Err(ApiError::NotFound(format!("no live token with id {id}")).into());
    }
    let entry = Entry::new(Action::TokenRevoke).object("token", id);
    note(&state, &Actor::admin(&admin).from_address(ip), entry).await;
    Ok((StatusCode::SEE_OTHER, [(LOCATION, "/admins")]).into_response())
}

#[derive(Deserialize)]
pub struct ManageAdminForm {
    username: String,
    /// `password`, `disable`, `enable` or `delete`.
    action: String,
    password: Option<String>,
    csrf: Option<String>,
}

impl std::fmt::Debug for ManageAdminForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManageAdminForm")
            .field("username", &self.username)
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

/// One change to one admin: a new password, disable, enable, delete. The
/// first, second and last end every session of that admin (the acting
/// admin's own included, when it is the same one).
pub async fn manage_admin(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<ManageAdminForm>,
) -> Result<Response, PageError> {
    checked(&admin, &csrf, form.csrf.as_deref())?;
    let by = Actor::admin(&admin).from_address(ip);
    let now = time::now();
    let result = match Username::parse(&form.username) {
        Err(_) => Err(ApiError::NotFound(format!(
            "there is no admin called {}",
            form.username
        ))),
        Ok(name) => match form.action.as_str() {
            "password" => {
                match Password::parse(form.password.as_deref().unwrap_or_default(), &name) {
                    Ok(password) => admins::set_password(&state.db, &name, &password, &by, now)
                        .await
                        .map(drop)
                        .map_err(ApiError::from),
                    Err(error) => Err(ApiError::Invalid(error.to_string())),
                }
            }
            "disable" => admins::disable_admin(&state.db, &name, &by, now)
                .await
                .map(drop)
                .map_err(ApiError::from),
            "enable" => admins::enable_admin(&state.db, &name, &by, now)
                .await
                .map(drop)
                .map_err(ApiError::from),
            "delete" => admins::delete_admin(&state.db, &name, &by, now)
                .await
                .map_err(ApiError::from),
            other => Err(ApiError::BadRequest(format!("unknown action {other:?}"))),
        },
    };
    match result {
        Ok(()) => Ok((StatusCode::SEE_OTHER, [(LOCATION, "/admins")]).into_response()),
        Err(ApiError::Invalid(message) | ApiError::Conflict(message)) => {
            access_page(
                &state,
                &admin,
                &csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                context! { error => message },
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::form_pairs;

    #[test]
    fn form_bodies_keep_repeated_keys_and_decode() {
        let pairs = form_pairs(
            "name=shop+backend%21&scope=links%3Aread&scope=stats%3Aread&bad=%zz&end=%4&uz=O%CA%BBzbek%",
        );
        let expected = [
            ("name", "shop backend!"),
            ("scope", "links:read"),
            ("scope", "stats:read"),
            ("bad", "%zz"),
            ("end", "%4"),
            ("uz", "Oʻzbek%"),
        ];
        let got: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, expected);
    }
}
