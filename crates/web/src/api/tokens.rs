//! `/api/v1/tokens` (the `admin` role): list with last use, create (the
//! secret is in this answer only), revoke.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use startlink_core::admins::{self, ApiToken, Scope};
use startlink_core::audit::{Action, Entry};
use startlink_core::time;
use utoipa::ToSchema;

use super::audit::note;
use crate::auth::{AdminRole, Principal};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ClientIp, Json, Path};
use crate::state::AppState;

/// An API token (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// When it last authenticated a request (to the minute); null: never.
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiToken> for TokenOut {
    fn from(t: ApiToken) -> Self {
        Self {
            id: t.id,
            scopes: t.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, 1-128 characters.
    pub name: String,
    /// `links:read`, `links:write`, `events:read`, `users:read`, `stats:read`, `exports:read`.
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: TokenOut,
    /// The secret (`slk_…`): shown in this answer only, stored only hashed.
    pub token_secret: String,
}

/// Every token, with when it was last used.
#[utoipa::path(
    get, path = "/api/v1/tokens", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
)]
pub async fn list(
    _: AdminRole,
    State(state): State<AppState>,
) -> Result<Json<Vec<TokenOut>>, ApiError> {
    let all = admins::list_tokens(&state.db).await?;
    Ok(Json(all.into_iter().map(TokenOut::from).collect()))
}

/// Create a token; its secret is in this answer and nowhere else.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "admin",
    security(("bearer" = [])),
    request_body = NewToken,
    responses(
        (status = 201, body = CreatedToken),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody),
    ),
)]
pub async fn create(
    AdminRole(principal): AdminRole,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let scopes = body
        .scopes
        .iter()
        .map(|s| {
            Scope::parse(s.trim())
                .ok_or_else(|| ApiError::invalid(format!("scopes: unknown scope {s:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if scopes.is_empty() {
        return Err(ApiError::invalid("scopes: at least one"));
    }
    let creator = match &principal {
        Principal::Admin { admin, .. } => Some(admin.id),
        Principal::Token(_) => None,
    };
    let (token, secret) =
        admins::create_token(&state.db, &body.name, &scopes, creator, time::now()).await?;
    let entry = Entry::new(Action::TokenCreate)
        .object("token", token.id)
        .detail(serde_json::json!({ "name": token.name, "scopes": token.scopes }));
    note(&state, &principal.actor(ip), entry).await;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: token.into(),
            token_secret: secret.expose().to_owned(),
        }),
    ))
}

/// Revoke a token: it stops working at once.
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "No live token with this id", body = ErrorBody),
    ),
)]
pub async fn revoke(
    AdminRole(principal): AdminRole,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if !admins::revoke_token(&state.db, id, time::now()).await? {
        return Err(ApiError::NotFound(format!("no live token with id {id}")));
    }
    note(
        &state,
        &principal.actor(ip),
        Entry::new(Action::TokenRevoke).object("token", id),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
