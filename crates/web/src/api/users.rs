//! `GET /api/v1/users`: Telegram users who opened links.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use startlink_core::links;
use startlink_core::users::{self, UserFilter};
use utoipa::{IntoParams, ToSchema};

use super::paging;
use crate::auth::{Authorized, UsersRead};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListUsers {
    /// Text in the username or first name, or an exact Telegram id.
    pub search: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u64>,
    /// Users per page, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u64>,
}

/// A Telegram user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub username: Option<String>,
    pub first_name: Option<String>,
    /// Telegram's language setting.
    pub language_code: Option<String>,
    /// Language chosen with `/lang`.
    pub lang: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// Telegram id of the user whose referral link brought this one.
    pub referred_by: Option<i64>,
    /// Key of the link that brought this user.
    pub first_link: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub users: Vec<UserOut>,
}

/// Telegram users, newest first.
#[utoipa::path(
    get, path = "/api/v1/users", tag = "users",
    security(("bearer" = ["users:read"])),
    params(ListUsers),
    responses((status = 200, body = UserPage), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody)),
)]
pub async fn list(
    _: Authorized<UsersRead>,
    State(state): State<AppState>,
    Query(query): Query<ListUsers>,
) -> Result<Json<UserPage>, ApiError> {
    let (page, per_page) = paging(query.page, query.per_page)?;
    let filter = UserFilter {
        search: query.search,
        limit: per_page,
        page,
    };
    let (found, total) = users::list(&state.db, &filter).await?;
    let keys = links::keys_by_id(&state.db, found.iter().filter_map(|u| u.first_link_id)).await?;
    Ok(Json(UserPage {
        total,
        page: page + 1,
        per_page,
        users: found
            .into_iter()
            .map(|u| UserOut {
                first_link: u
                    .first_link_id
                    .and_then(|id| keys.get(&id))
                    .map(|k| k.as_str().to_owned()),
                id: u.id,
                username: u.username,
                first_name: u.first_name,
                language_code: u.language_code,
                lang: u.lang,
                first_seen_at: u.first_seen_at,
                last_seen_at: u.last_seen_at,
                referred_by: u.referred_by,
            })
            .collect(),
    }))
}
