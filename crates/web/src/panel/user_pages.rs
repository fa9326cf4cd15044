//! The Telegram users page: search, language, who referred them, first link.

use axum::extract::State;
use axum::response::Response;
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use startlink_core::links;
use startlink_core::users::{self, UserFilter};

use super::error::PageError;
use super::pages::{encode, local, page, render};
use super::session::Session;
use crate::extract::Query;
use crate::state::AppState;

const USERS_PER_PAGE: u64 = 50;

#[derive(Debug, Deserialize)]
pub struct UsersQuery {
    search: Option<String>,
    page: Option<u64>,
}

#[derive(Serialize)]
struct UserRow {
    id: i64,
    username: Option<String>,
    first_name: Option<String>,
    language_code: Option<String>,
    lang: Option<String>,
    first_seen: String,
    referred_by: Option<i64>,
    first_link: Option<String>,
}

pub async fn users_page(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    Query(query): Query<UsersQuery>,
) -> Result<Response, PageError> {
    let search = query.search.clone().unwrap_or_default();
    let page_index = crate::api::page_index(query.page)?;
    let page_number = page_index + 1;
    let filter = UserFilter {
        search: Some(search.clone()).filter(|s| !s.trim().is_empty()),
        limit: USERS_PER_PAGE,
        page: page_index,
    };
    let (found, total) = users::list(&state.db, &filter).await?;
    let keys = links::keys_by_id(&state.db, found.iter().filter_map(|u| u.first_link_id)).await?;
    let rows: Vec<UserRow> = found
        .into_iter()
        .map(|u| UserRow {
            first_link: u
                .first_link_id
                .and_then(|id| keys.get(&id))
                .map(|k| k.as_str().to_owned()),
            first_seen: local(u.first_seen_at, &state),
            id: u.id,
            username: u.username,
            first_name: u.first_name,
            language_code: u.language_code,
            lang: u.lang,
            referred_by: u.referred_by,
        })
        .collect();
    let pages = total.div_ceil(USERS_PER_PAGE).max(1);
    let href = |page: u64| format!("/users?search={}&page={page}", encode(&search));
    let csrf = csrf.token();
    let html = render(
        &state,
        "users.html",
        context! {
            admin => Value::from(Serde(&admin)),
            csrf => csrf,
            users => Value::from(Serde(&rows)),
            total => total,
            search => &search,
            page => page_number,
            pages => pages,
            prev_page => (page_number > 1).then(|| href(page_number - 1)),
            next_page => (page_number < pages).then(|| href(page_number + 1)),
        },
    )?;
    Ok(page(&state, html, None))
}
