//! The panel's link pages: create, detail (QR preview, opens), edit, revoke.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use startlink_core::admins::Admin;
use startlink_core::audit::{Action, Actor, Entry};
use startlink_core::events::{self, EventFilter};
use startlink_core::links::{self, ExpiryChange, Link, LinkKind, LinkUpdate, NewLink, UseLimit};
use startlink_core::time;
use startlink_qr::Format;

use super::error::PageError;
use super::pages::{CsrfForm, local, page, render};
use super::session::{Csrf, Session};
use crate::api::audit::note;
use crate::api::qr::QrOptions;
use crate::api::{instant, link_key};
use crate::error::ApiError;
use crate::extract::{ClientIp, Form, Path, Query};
use crate::state::AppState;

const EVENTS_SHOWN: u64 = 50;

/// A viewer, or a form without the right CSRF token, changes nothing.
fn may_write(admin: &Admin, session_csrf: &Csrf, csrf: Option<&str>) -> Result<(), ApiError> {
    session_csrf.check(csrf)?;
    if !admin.role.can_write() {
        return Err(ApiError::Forbidden(format!(
            "the {} role is read-only",
            admin.role
        )));
    }
    Ok(())
}

fn see_link(key: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, format!("/links/{key}"))]).into_response()
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct NewLinkForm {
    kind: Option<String>,
    product_id: Option<String>,
    order_log_id: Option<String>,
    title: Option<String>,
    welcome_text: Option<String>,
    campaign: Option<String>,
    max_uses: Option<String>,
    ttl: Option<String>,
    #[serde(skip_serializing)]
    csrf: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn number(field: &str, value: &Option<String>) -> Result<Option<i64>, ApiError> {
    given(value)
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| ApiError::invalid(format!("{field}: {v:?} is not a whole number")))
        })
        .transpose()
}

fn new_link_page(
    state: &AppState,
    admin: &Admin,
    csrf: &Csrf,
    form: &NewLinkForm,
    error: Option<String>,
) -> Result<Response, PageError> {
    let csrf = csrf.token();
    let html = render(
        state,
        "new_link.html",
        context! {
            admin => Value::from(Serde(admin)),
            csrf => csrf,
            form => Value::from(Serde(form)),
            error => &error,
        },
    )?;
    let mut response = page(state, html, None);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn new_link_form(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    new_link_page(&state, &admin, &csrf, &NewLinkForm::default(), None)
}

fn new_link(form: &NewLinkForm) -> Result<NewLink, ApiError> {
    let now = time::now();
    Ok(NewLink {
        kind: Some(match given(&form.kind) {
            Some("campaign") => LinkKind::Campaign,
            _ => LinkKind::Order,
        }),
        product_id: number("product_id", &form.product_id)?,
        order_log_id: number("order_log_id", &form.order_log_id)?,
        title: form.title.clone().filter(|t| !t.is_empty()),
        welcome_text: form.welcome_text.clone().filter(|t| !t.is_empty()),
        campaign: given(&form.campaign).map(str::to_owned),
        uses: number("max_uses", &form.max_uses)?.map_or(UseLimit::KindDefault, UseLimit::Max),
        expires_at: given(&form.ttl)
            .map(|ttl| {
                time::parse_ttl(ttl)
                    .map(|d| now + d)
                    .map_err(|e| ApiError::invalid(format!("ttl: {e}")))
            })
            .transpose()?,
        ..Default::default()
    })
}

pub async fn create_link(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<NewLinkForm>,
) -> Result<Response, PageError> {
    may_write(&admin, &csrf, form.csrf.as_deref())?;
    let created = match new_link(&form) {
        Ok(new) => links::create(&state.db, new, time::now())
            .await
            .map_err(ApiError::from),
        Err(error) => Err(error),
    };
    match created {
        Ok(link) => {
            let entry = Entry::link(Action::LinkCreate, &link);
            note(&state, &Actor::admin(&admin).from_address(ip), entry).await;
            Ok(see_link(link.key.as_str()))
        }
        Err(ApiError::Invalid(message)) => {
            new_link_page(&state, &admin, &csrf, &form, Some(message))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Serialize)]
struct LinkDetail {
    key: String,
    url: Option<String>,
    kind: &'static str,
    status: &'static str,
    product_id: Option<i64>,
    order_log_id: Option<i64>,
    title: Option<String>,
    welcome_text: Option<String>,
    campaign: Option<String>,
    use_count: i64,
    max_uses: Option<i64>,
    expires: Option<String>,
    created: String,
}

#[derive(Serialize)]
struct EventRow {
    at: String,
    tg_user_id: i64,
    outcome: &'static str,
    new_user: bool,
}

async fn detail_page(
    state: &AppState,
    admin: &Admin,
    csrf: &Csrf,
    link: Link,
    error: Option<String>,
) -> Result<Response, PageError> {
    let now = time::now();
    let builder = state.link_builder().await?;
    let found = events::list(
        &state.db,
        &EventFilter {
            link_id: Some(link.id),
            limit: EVENTS_SHOWN,
            ..Default::default()
        },
    )
    .await?;
    let rows: Vec<EventRow> = found
        .iter()
        .map(|e| EventRow {
            at: local(e.at, state),
            tg_user_id: e.tg_user_id,
            outcome: e.outcome.as_str(),
            new_user: e.new_user,
        })
        .collect();
    let detail = LinkDetail {
        url: link.url(builder.as_ref()),
        key: link.key.as_str().to_owned(),
        kind: link.kind.as_str(),
        status: link.status(now).as_str(),
        product_id: link.product_id,
        order_log_id: link.order_log_id,
        title: link.title.clone(),
        welcome_text: link.welcome_text.clone(),
        campaign: link.campaign.clone(),
        use_count: link.use_count,
        max_uses: link.max_uses,
        expires: link.expires_at.map(|at| local(at, state)),
        created: local(link.created_at, state),
    };
    let csrf = csrf.token();
    let html = render(
        state,
        "link.html",
        context! {
            admin => Value::from(Serde(admin)),
            csrf => csrf,
            link => Value::from(Serde(&detail)),
            events => Value::from(Serde(&rows)),
            can_write => admin.role.can_write(),
            error => &error,
        },
    )?;
    let mut response = page(state, html, None);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

async fn find(state: &AppState, key: &str) -> Result<Link, ApiError> {
    let key = link_key(key)?;
    links::find(&state.db, &key)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no link with key {key}")))
}

pub async fn link_detail(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, PageError> {
    let link = find(&state, &key).await?;
    detail_page(&state, &admin, &csrf, link, None).await
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    title: Option<String>,
    welcome_text: Option<String>,
    expires_at: Option<String>,
    max_uses: Option<String>,
    csrf: Option<String>,
}

pub async fn edit_link(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(key): Path<String>,
    Form(form): Form<EditForm>,
) -> Result<Response, PageError> {
    may_write(&admin, &csrf, form.csrf.as_deref())?;
    let link = find(&state, &key).await?;
    // The form shows the current values; only what changed is applied, so an
    // expiry already in the past does not block saving a new title.
    let shown_expiry = link.expires_at.map(|at| local(at, &state));
    let expiry = match given(&form.expires_at) {
        None if link.expires_at.is_some() => Some(Ok(ExpiryChange::Never)),
        None => None,
        Some(text) if Some(text) == shown_expiry.as_deref() => None,
        Some(text) => Some(instant("expires_at", text, state.timezone).map(ExpiryChange::At)),
    };
    let max_uses = match number("max_uses", &form.max_uses) {
        Ok(uses) if uses == link.max_uses => Ok(None),
        Ok(uses) => Ok(Some(uses)),
        Err(error) => Err(error),
    };
    let change = match (expiry.transpose(), max_uses) {
        (Ok(expiry), Ok(max_uses)) => Ok(LinkUpdate {
            title: Some(form.title.clone().filter(|t| !t.is_empty())),
            welcome_text: Some(form.welcome_text.clone().filter(|t| !t.is_empty())),
            expiry,
            max_uses,
        }),
        (Err(error), _) | (_, Err(error)) => Err(error),
    };
    let result = match change {
        Ok(change) => links::update(&state.db, &link.key, change, time::now())
            .await
            .map_err(ApiError::from),
        Err(error) => Err(error),
    };
    match result {
        Ok(updated) => {
            let entry = Entry::new(Action::LinkUpdate).object("link", &updated.key);
            note(&state, &Actor::admin(&admin).from_address(ip), entry).await;
            Ok(see_link(updated.key.as_str()))
        }
        Err(ApiError::Invalid(message) | ApiError::Conflict(message)) => {
            detail_page(&state, &admin, &csrf, link, Some(message)).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn revoke_link(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(key): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    may_write(&admin, &csrf, form.csrf.as_deref())?;
    let key = link_key(&key)?;
    let revoked = links::revoke(&state.db, &key, time::now()).await?;
    let entry = Entry::new(Action::LinkRevoke).object("link", &key);
    note(&state, &Actor::admin(&admin).from_address(ip), entry).await;
    Ok(see_link(revoked.link.key.as_str()))
}

pub async fn qr_png(
    Session(..): Session,
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(options): Query<QrOptions>,
) -> Result<Response, PageError> {
    Ok(crate::api::qr::render(state, key, options, Format::Png).await?)
}

pub async fn qr_svg(
    Session(..): Session,
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(options): Query<QrOptions>,
) -> Result<Response, PageError> {
    Ok(crate::api::qr::render(state, key, options, Format::Svg).await?)
}
