//! `/api/v1/links`: create, list, get, edit, revoke.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Deserializer, Serialize};
use startlink_core::audit::{Action, Entry};
use startlink_core::links::{
    self, ExpiryChange, LinkKind, LinkListing, LinkSelection, LinkSort, LinkUpdate, LinkView,
    NewLink, SelectionText, UseLimit,
};
use startlink_core::time;
use utoipa::{IntoParams, ToSchema};

use super::audit::note;
use super::{instant, link_key, paging};
use crate::auth::{Authorized, LinksRead, LinksWrite};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ClientIp, Json, Path, Query};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NewLinkKind {
    Order,
    Campaign,
}

/// A new link. Strings are stored exactly as given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLink {
    /// `order` (one-time unless `max_uses` says otherwise, the default) or `campaign` (unlimited unless capped).
    pub kind: Option<NewLinkKind>,
    pub product_id: Option<i64>,
    pub order_log_id: Option<i64>,
    /// A JSON object for the shop's own data.
    #[schema(value_type = Option<Object>)]
    pub attrs: Option<serde_json::Value>,
    pub title: Option<String>,
    pub welcome_text: Option<String>,
    /// Campaign name; created on first use.
    pub campaign: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    /// How many users may take a use of it.
    #[schema(minimum = 1)]
    pub max_uses: Option<i64>,
    /// No limit on uses (instead of `max_uses`).
    #[serde(default)]
    pub unlimited: bool,
    /// Time to live, like `90m`, `24h`, `7d` (instead of `expires_at`).
    #[schema(example = "7d")]
    pub ttl: Option<String>,
    /// RFC 3339, or `2026-12-31 23:59` in `TIMEZONE`.
    #[schema(format = DateTime, example = "2099-12-31T23:59:00Z")]
    pub expires_at: Option<String>,
    /// Telegram id of the operator it is made for.
    pub created_by: Option<i64>,
}

/// Which links to list; the same filters as `startlink link list`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListLinks {
    /// `active`, `used`, `expired` or `revoked`.
    #[param(schema_with = super::schema::status)]
    pub status: Option<String>,
    /// `order`, `campaign` or `referral`.
    #[param(schema_with = super::schema::kind)]
    pub kind: Option<String>,
    /// Campaign name, exact.
    pub campaign: Option<String>,
    /// Telegram id of the creator.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 9_007_199_254_740_991_i64)]
    pub created_by: Option<String>,
    /// Case-insensitive text in the key, title or welcome text.
    pub search: Option<String>,
    /// `newest` (default), `oldest`, `most-used` or `expires-soonest`.
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u64>,
    /// Links per page, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u64>,
}

/// The spellings `sort` accepts.
pub const SORTS: [&str; 4] = ["newest", "oldest", "most-used", "expires-soonest"];

fn sort_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(SORTS))
        .build()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub links: Vec<LinkView>,
}

/// Absent: unchanged; `null`: cleared.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A change to a link. Absent fields stay as they are; `null` clears one
/// (`expires_at: null` never expires, `max_uses: null` is unlimited).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLink {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub welcome_text: Option<Option<String>>,
    /// RFC 3339, or a local time in `TIMEZONE`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = DateTime, example = "2099-12-31T23:59:00Z")]
    pub expires_at: Option<Option<String>>,
    /// Not below the uses already taken.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub max_uses: Option<Option<i64>>,
}

/// Create an order or campaign link.
#[utoipa::path(
    post, path = "/api/v1/links", tag = "links",
    security(("bearer" = ["links:write"])),
    request_body = CreateLink,
    responses(
        (status = 201, description = "Created", body = LinkView),
        (status = 400, description = "A field is invalid; the message names it", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    ),
)]
pub async fn create(
    Authorized { principal, .. }: Authorized<LinksWrite>,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<CreateLink>,
) -> Result<(StatusCode, Json<LinkView>), ApiError> {
    let now = time::now();
    let uses = match (body.max_uses, body.unlimited) {
        (Some(_), true) => return Err(ApiError::invalid("give max_uses or unlimited, not both")),
        (Some(n), false) => UseLimit::Max(n),
        (None, true) => UseLimit::Unlimited,
        (None, false) => UseLimit::KindDefault,
    };
    let expires_at = match (body.ttl.as_deref(), body.expires_at.as_deref()) {
        (Some(_), Some(_)) => return Err(ApiError::invalid("give ttl or expires_at, not both")),
        (Some(ttl), None) => {
            Some(now + time::parse_ttl(ttl).map_err(|e| ApiError::invalid(format!("ttl: {e}")))?)
        }
        (None, Some(at)) => Some(instant("expires_at", at, state.timezone)?),
        (None, None) => None,
    };
    let new = NewLink {
        kind: body.kind.map(|k| match k {
            NewLinkKind::Order => LinkKind::Order,
            NewLinkKind::Campaign => LinkKind::Campaign,
        }),
        product_id: body.product_id,
        order_log_id: body.order_log_id,
        attrs: body.attrs,
        title: body.title,
        welcome_text: body.welcome_text,
        campaign: body.campaign,
        utm_source: body.utm_source,
        utm_medium: body.utm_medium,
        utm_campaign: body.utm_campaign,
        uses,
        expires_at,
        created_by: body.created_by,
    };
    let link = links::create(&state.db, new, now).await?;
    note(
        &state,
        &principal.actor(ip),
        Entry::link(Action::LinkCreate, &link),
    )
    .await;
    let builder = state.link_builder().await?;
    Ok((StatusCode::CREATED, Json(link.view(builder.as_ref(), now))))
}

/// List links with filters, sorting and pagination.
#[utoipa::path(
    get, path = "/api/v1/links", tag = "links",
    security(("bearer" = ["links:read"])),
    params(ListLinks),
    responses((status = 200, body = LinkPage), (status = 400, description = "An unknown status or kind", body = ErrorBody), (status = 401, body = ErrorBody)),
)]
pub async fn list(
    _: Authorized<LinksRead>,
    State(state): State<AppState>,
    Query(query): Query<ListLinks>,
) -> Result<Json<LinkPage>, ApiError> {
    let now = time::now();
    let (page, per_page) = paging(query.page, query.per_page)?;
    let text = SelectionText {
        campaign: query.campaign,
        creator: query.created_by,
        kind: query.kind,
        status: query.status,
        search: query.search,
    };
    let selection = LinkSelection::parse(&text, "created_by")
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let filter = LinkListing {
        selection,
        sort: match query.sort.as_deref() {
            None | Some("newest") => LinkSort::Newest,
            Some("oldest") => LinkSort::Oldest,
            Some("most-used") => LinkSort::MostUsed,
            Some("expires-soonest") => LinkSort::ExpiresSoonest,
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "sort: unknown {other:?}; newest, oldest, most-used or expires-soonest"
                )));
            }
        },
        limit: per_page,
        page,
    };
    let found = links::list(&state.db, &filter, now).await?;
    let builder = state.link_builder().await?;
    Ok(Json(LinkPage {
        total: found.total,
        page: found.page + 1,
        per_page: found.per_page,
        links: found
            .items
            .into_iter()
            .map(|l| l.view(builder.as_ref(), now))
            .collect(),
    }))
}

/// One link.
#[utoipa::path(
    get, path = "/api/v1/links/{key}", tag = "links",
    security(("bearer" = ["links:read"])),
    params(("key" = String, Path, description = "The link's key")),
    responses((status = 200, body = LinkView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
)]
pub async fn get(
    _: Authorized<LinksRead>,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<LinkView>, ApiError> {
    let now = time::now();
    let key = link_key(&key)?;
    let link = links::find(&state.db, &key)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no link with key {key}")))?;
    let builder = state.link_builder().await?;
    Ok(Json(link.view(builder.as_ref(), now)))
}

/// Change a link's title, welcome text, expiry or use limit.
#[utoipa::path(
    patch, path = "/api/v1/links/{key}", tag = "links",
    security(("bearer" = ["links:write"])),
    params(("key" = String, Path, description = "The link's key")),
    request_body = UpdateLink,
    responses(
        (status = 200, body = LinkView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "The link is revoked", body = ErrorBody),
        (status = 400, body = ErrorBody),
    ),
)]
pub async fn update(
    Authorized { principal, .. }: Authorized<LinksWrite>,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(key): Path<String>,
    Json(body): Json<UpdateLink>,
) -> Result<Json<LinkView>, ApiError> {
    let now = time::now();
    let key = link_key(&key)?;
    let expiry = match body.expires_at {
        Some(Some(at)) => Some(ExpiryChange::At(instant(
            "expires_at",
            &at,
            state.timezone,
        )?)),
        Some(None) => Some(ExpiryChange::Never),
        None => None,
    };
    let change = LinkUpdate {
        title: body.title,
        welcome_text: body.welcome_text,
        expiry,
        max_uses: body.max_uses,
    };
    let detail = serde_json::json!({
        "title": change.title.is_some(),
        "welcome_text": change.welcome_text.is_some(),
        "expiry": change.expiry.is_some(),
        "max_uses": change.max_uses.is_some(),
    });
    let link = links::update(&state.db, &key, change, now).await?;
    let entry = Entry::new(Action::LinkUpdate)
        .object("link", &link.key)
        .detail(serde_json::json!({ "changed": detail }));
    note(&state, &principal.actor(ip), entry).await;
    let builder = state.link_builder().await?;
    Ok(Json(link.view(builder.as_ref(), now)))
}

/// Revoke a link: nobody can take a use of it any more. Revoking twice is harmless.
#[utoipa::path(
    post, path = "/api/v1/links/{key}/revoke", tag = "links",
    security(("bearer" = ["links:write"])),
    params(("key" = String, Path, description = "The link's key")),
    responses((status = 200, body = LinkView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
)]
pub async fn revoke(
    Authorized { principal, .. }: Authorized<LinksWrite>,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(key): Path<String>,
) -> Result<Json<LinkView>, ApiError> {
    let now = time::now();
    let key = link_key(&key)?;
    let revoked = links::revoke(&state.db, &key, now).await?;
    note(
        &state,
        &principal.actor(ip),
        Entry::new(Action::LinkRevoke).object("link", &key),
    )
    .await;
    let builder = state.link_builder().await?;
    Ok(Json(revoked.link.view(builder.as_ref(), now)))
}
