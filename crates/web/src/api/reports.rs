//! `GET /api/v1/reports/summary.pdf`: the PDF report for a period, as
//! `startlink report` makes it.

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use startlink_core::analytics::{Filter, parse_bound};
use startlink_core::audit::{Action, Entry};
use startlink_core::lang::Lang;
use startlink_core::time;
use startlink_report::{ReportError, ReportRequest};

/// Days in a report when no start is given.
const DEFAULT_DAYS: u32 = 30;
use utoipa::IntoParams;

use super::audit::note;
use crate::auth::{Authorized, ExportsRead};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ClientIp, Query};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Start, inclusive: RFC 3339 or a date `YYYY-MM-DD` in `TIMEZONE`; default
    /// the start of the 30th local day before `to`'s last day.
    #[param(format = DateTime, example = "2026-01-01T00:00:00Z")]
    pub from: Option<String>,
    /// End, exclusive, in the same forms; default the start of tomorrow in
    /// `TIMEZONE` (today included).
    #[param(format = DateTime, example = "2026-12-31T00:00:00Z")]
    pub to: Option<String>,
    /// `uz`, `ru` or `en` (default `DEFAULT_LANG`).
    #[param(schema_with = super::schema::lang)]
    pub lang: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Renders the report `query` asks for; bad input is 400.
pub(crate) async fn render(state: &AppState, query: &ReportQuery) -> Result<Response, ApiError> {
    let tz = state.timezone;
    let now = time::now();
    let bad = |e: startlink_core::analytics::AnalyticsError| ApiError::BadRequest(e.to_string());
    let to = given(&query.to)
        .map(|to| parse_bound("to", to, tz))
        .transpose()
        .map_err(bad)?;
    let from = given(&query.from)
        .map(|from| parse_bound("from", from, tz))
        .transpose()
        .map_err(bad)?;
    let period = Filter::whole_days(from, to, DEFAULT_DAYS, tz, now);
    let (Some(from), Some(to)) = (period.from, period.to) else {
        return Err(ApiError::BadRequest(
            "from: the period has no bounds".to_owned(),
        ));
    };
    if from >= to {
        return Err(ApiError::BadRequest(format!(
            "from: {from} is not before to ({to})"
        )));
    }
    let lang = match given(&query.lang) {
        Some(code) => code.parse::<Lang>()?,
        None => state.default_lang,
    };
    let mut request = ReportRequest::for_period(from, to, lang, tz, now);
    request.bot = state
        .link_builder()
        .await?
        .map(|b| b.bot().as_str().to_owned());
    let pdf = startlink_report::render(&state.db, &request)
        .await
        .map_err(|e: ReportError| {
            if e.is_invalid_input() {
                ApiError::BadRequest(e.to_string())
            } else {
                ApiError::Internal(anyhow::Error::new(e).context("rendering the report"))
            }
        })?;
    let name = format!(
        "report-{}-{}.pdf",
        from.with_timezone(&tz).format("%Y-%m-%d"),
        to.with_timezone(&tz).format("%Y-%m-%d")
    );
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

/// The PDF report for a period: key figures against the previous period,
/// charts, top links and campaigns, opens per day, referrers.
#[utoipa::path(
    get, path = "/api/v1/reports/summary.pdf", tag = "exports",
    security(("bearer" = ["exports:read"])),
    params(ReportQuery),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    ),
)]
pub async fn summary_pdf(
    Authorized { principal, .. }: Authorized<ExportsRead>,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let response = render(&state, &query).await?;
    note(&state, &principal.actor(ip), audit_entry(&query)).await;
    Ok(response)
}

/// The audit entry of a downloaded report: its period and language.
pub(crate) fn audit_entry(query: &ReportQuery) -> Entry {
    Entry::new(Action::ReportDownload)
        .object("report", "summary.pdf")
        .detail(serde_json::json!({ "from": query.from, "to": query.to, "lang": query.lang }))
}
