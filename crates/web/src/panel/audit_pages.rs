//! The audit log page (the `admin` role only): newest first, filtered by
//! actor, action (or object kind) and a start time, older pages by keyset.

use axum::extract::State;
use axum::response::Response;
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use startlink_core::audit::{self, AuditQuery};

use super::error::PageError;
use super::pages::{encode, local, page, render};
use super::session::Session;
use crate::api::instant;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;

const ROWS_PER_PAGE: u64 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct AuditFilters {
    actor: Option<String>,
    action: Option<String>,
    since: Option<String>,
    before: Option<i64>,
}

#[derive(Serialize)]
struct AuditRow {
    at: String,
    actor_kind: &'static str,
    actor_name: String,
    action: String,
    object: Option<String>,
    address: Option<String>,
    detail: Option<String>,
}

fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

pub async fn audit_page(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    Query(filters): Query<AuditFilters>,
) -> Result<Response, PageError> {
    if !admin.role.can_write() {
        return Err(ApiError::Forbidden(format!(
            "the {} role cannot read the audit log",
            admin.role
        ))
        .into());
    }
    let since = given(&filters.since)
        .map(|s| instant("since", &s, state.timezone))
        .transpose()?;
    let found = audit::list(
        &state.db,
        &AuditQuery {
            since,
            actor: given(&filters.actor),
            action: given(&filters.action),
            before: filters.before,
            limit: ROWS_PER_PAGE,
        },
    )
    .await
    .map_err(ApiError::from)?;
    let rows: Vec<AuditRow> = found
        .entries
        .into_iter()
        .map(|e| AuditRow {
            at: local(e.at, &state),
            actor_kind: e.actor_kind.as_str(),
            actor_name: e.actor_name,
            action: e.action,
            object: e.object_kind.map(|kind| match e.object_key {
                Some(key) => format!("{kind} {key}"),
                None => kind,
            }),
            address: e.address,
            detail: e.detail.map(|d| d.to_string()),
        })
        .collect();
    let next = found.next_before.map(|before| {
        format!(
            "/audit?actor={}&action={}&since={}&before={before}",
            encode(filters.actor.as_deref().unwrap_or_default()),
            encode(filters.action.as_deref().unwrap_or_default()),
            encode(filters.since.as_deref().unwrap_or_default()),
        )
    });
    let html = render(
        &state,
        "audit.html",
        context! {
            admin => Value::from(Serde(&admin)),
            csrf => csrf.token(),
            rows => Value::from(Serde(&rows)),
            actor => filters.actor.as_deref().unwrap_or_default(),
            action => filters.action.as_deref().unwrap_or_default(),
            since => filters.since.as_deref().unwrap_or_default(),
            actions => audit::Action::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
            next_page => next,
        },
    )?;
    Ok(page(&state, html, None))
}
