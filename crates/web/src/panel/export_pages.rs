//! The Exports page: choose what (links, opens, users, campaigns, or all of
//! them), the format, the period, filters and the header language, and
//! download. The download is the API's export, streamed, behind the panel's
//! session; viewers may export too.

use axum::extract::State;
use axum::response::Response;
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Deserialize;
use startlink_core::audit::Actor;
use startlink_core::lang::Lang;
use startlink_core::links::{LinkKind, LinkStatus};
use startlink_core::vocab::Vocabulary as _;

use super::error::PageError;
use super::pages::{page, render};
use super::session::Session;
use crate::api::audit::note;
use crate::api::exports::{self, ExportQuery};
use crate::extract::{ClientIp, Query};
use crate::state::AppState;

/// The form's fields; the page is prefilled from the same names (the links
/// list's "Export" passes its status filter).
#[derive(Debug, Default, Deserialize)]
pub struct ExportForm {
    dataset: Option<String>,
    format: Option<String>,
    #[serde(flatten)]
    query: ExportQueryFields,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
struct ExportQueryFields {
    from: Option<String>,
    to: Option<String>,
    campaign: Option<String>,
    creator: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    search: Option<String>,
    lang: Option<String>,
    bom: Option<String>,
}

impl ExportForm {
    /// The API's file name and query for this form.
    fn export_query(&self) -> (String, ExportQuery) {
        let file = format!(
            "{}.{}",
            self.dataset.as_deref().unwrap_or("links"),
            self.format.as_deref().unwrap_or("xlsx")
        );
        let fields = self.query.clone();
        let query = ExportQuery {
            from: fields.from,
            to: fields.to,
            campaign: fields.campaign,
            creator: fields.creator,
            kind: fields.kind,
            status: fields.status,
            search: fields.search,
            lang: fields.lang,
            bom: Some(
                fields
                    .bom
                    .as_deref()
                    .is_some_and(|b| b == "on" || b == "true"),
            ),
        };
        (file, query)
    }
}

pub async fn exports_page(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    Query(form): Query<ExportForm>,
) -> Result<Response, PageError> {
    // A prefilled value the download would refuse is shown now, not dropped
    // by the form's selects.
    let (file, query) = form.export_query();
    exports::request(&state, &file, &query).await?;
    let csrf = csrf.token();
    let html = render(
        &state,
        "exports.html",
        context! {
            admin => Value::from(Serde(&admin)),
            csrf => csrf,
            dataset => form.dataset.as_deref().unwrap_or("links"),
            format => form.format.as_deref().unwrap_or("xlsx"),
            form => Value::from(Serde(&form.query)),
            default_lang => state.default_lang.as_str(),
            kinds => LinkKind::NAMES.to_vec(), statuses => LinkStatus::NAMES.to_vec(), langs => Lang::NAMES.to_vec(),
            timezone => state.timezone.name(),
        },
    )?;
    Ok(page(&state, html, None))
}

pub async fn download(
    Session(admin, _): Session,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(form): Query<ExportForm>,
) -> Result<Response, PageError> {
    let (file, query) = form.export_query();
    let request = exports::request(&state, &file, &query).await?;
    let entry = exports::audit_entry(&file, &query);
    note(&state, &Actor::admin(&admin).from_address(ip), entry).await;
    Ok(exports::stream(&state, request))
}

/// The dashboard's "PDF report": the API's report behind the session.
pub async fn report_pdf(
    Session(admin, _): Session,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(query): Query<crate::api::reports::ReportQuery>,
) -> Result<Response, PageError> {
    let response = crate::api::reports::render(&state, &query).await?;
    let entry = crate::api::reports::audit_entry(&query);
    note(&state, &Actor::admin(&admin).from_address(ip), entry).await;
    Ok(response)
}
