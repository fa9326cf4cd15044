//! `GET /api/v1/exports/{dataset}.{format}`: the CLI's `export` over HTTP,
//! streamed. Everything that can be refused is checked before the first byte
//! (400 with a JSON error); then the export runs on a blocking thread and its
//! bytes flow to the client through a bounded channel as they are written
//! (CSV row by row; XLSX when the workbook is assembled), so a large export
//! neither holds the whole file in memory nor meets the request timeout. A
//! failure half-way aborts the body, so a client never mistakes a cut file
//! for a complete one.

use std::io::{self, Write};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use startlink_core::analytics::{Filter, SelectionText};
use startlink_core::audit::{Action, Entry};
use startlink_core::lang::Lang;
use startlink_core::time;
use startlink_export::{Dataset, ExportError, ExportRequest, Format};
use tokio::sync::mpsc;
use utoipa::IntoParams;

use super::audit::note;
use crate::auth::{Authorized, ExportsRead};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ClientIp, Path, Query};
use crate::state::AppState;

/// Bytes handed to the client per chunk.
const CHUNK: usize = 64 * 1024;
/// Chunks waiting for a slow client before the export waits too.
const CHUNKS_IN_FLIGHT: usize = 8;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Start, inclusive: RFC 3339, or a date / local time in `TIMEZONE`.
    #[param(format = DateTime, example = "2026-01-01T00:00:00Z")]
    pub from: Option<String>,
    /// End, exclusive, in the same forms.
    #[param(format = DateTime, example = "2026-12-31T00:00:00Z")]
    pub to: Option<String>,
    /// Campaign name.
    pub campaign: Option<String>,
    /// Telegram id of the links' creator.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 9_007_199_254_740_991_i64)]
    pub creator: Option<String>,
    /// `order`, `campaign` or `referral`.
    #[param(schema_with = super::schema::kind)]
    pub kind: Option<String>,
    /// `active`, `used`, `expired` or `revoked`.
    #[param(schema_with = super::schema::status)]
    pub status: Option<String>,
    /// Only links whose key, title or welcome text contains this (any case).
    pub search: Option<String>,
    /// XLSX header language: `uz` (default: `DEFAULT_LANG`), `ru` or `en`.
    #[param(schema_with = super::schema::lang)]
    pub lang: Option<String>,
    /// CSV: start with a UTF-8 byte order mark (`true`/`false`).
    pub bom: Option<bool>,
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn refused(error: ExportError) -> ApiError {
    match error {
        // The export crate's wording names the CLI's flag; an API caller
        // names the file.
        ExportError::AllAsCsv => ApiError::BadRequest(
            "file: `all` exists only as XLSX: ask for all.xlsx, or for one dataset as CSV (e.g. links.csv)"
                .to_owned(),
        ),
        ExportError::Invalid { .. } | ExportError::UnknownCampaign(_) => {
            ApiError::BadRequest(error.to_string())
        }
        other => ApiError::Internal(anyhow::Error::new(other).context("export")),
    }
}

/// The request an export URL and its query describe, or why it is refused.
pub(crate) async fn request(
    state: &AppState,
    file: &str,
    query: &ExportQuery,
) -> Result<ExportRequest, ApiError> {
    let unknown = || {
        ApiError::NotFound(format!(
            "no export {file:?}: use links, events, users, campaigns or all, with .xlsx or .csv"
        ))
    };
    let (dataset, format) = file.rsplit_once('.').ok_or_else(unknown)?;
    let dataset = Dataset::parse(dataset).ok_or_else(unknown)?;
    let format = Format::parse(format).ok_or_else(unknown)?;
    if dataset == Dataset::All && format == Format::Csv {
        return Err(refused(ExportError::AllAsCsv));
    }
    let links = SelectionText {
        campaign: query.campaign.clone(),
        creator: query.creator.clone(),
        kind: query.kind.clone(),
        status: query.status.clone(),
        search: query.search.clone(),
    };
    let filter = Filter::from_text(
        query.from.as_deref(),
        query.to.as_deref(),
        &links,
        state.timezone,
    )
    .map_err(|e| refused(e.into()))?;
    if filter.links.resolve(&state.db).await?.is_none() {
        let name = query.campaign.as_deref().unwrap_or_default().trim();
        return Err(refused(ExportError::UnknownCampaign(name.to_owned())));
    }
    let lang = match non_empty(&query.lang) {
        Some(code) => code.parse::<Lang>()?,
        None => state.default_lang,
    };
    let mut request = ExportRequest::new(dataset, format, state.timezone, time::now());
    request.filter = filter;
    request.lang = lang;
    request.bom = query.bom.unwrap_or(false);
    request.link_builder = state.link_builder().await?;
    Ok(request)
}

/// A `Write` that hands full chunks towards the response body. It runs inside
/// `block_on` on a blocking thread, where tokio forbids its own blocking
/// sends, so it feeds a bounded std channel; a second blocking thread moves
/// the chunks into the body's tokio channel.
struct ChannelWriter {
    tx: std::sync::mpsc::SyncSender<io::Result<Bytes>>,
    buffer: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        self.tx
            .send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

impl Drop for ChannelWriter {
    fn drop(&mut self) {
        let _ = self.send();
    }
}

/// Starts `request` and answers with its bytes as they come.
pub(crate) fn stream(state: &AppState, request: ExportRequest) -> Response {
    let (tx, mut rx) = mpsc::channel::<io::Result<Bytes>>(CHUNKS_IN_FLIGHT);
    let (chunks_tx, chunks_rx) =
        std::sync::mpsc::sync_channel::<io::Result<Bytes>>(CHUNKS_IN_FLIGHT);
    let db = state.db.clone();
    let file_name = request.file_name();
    let content_type = request.format.content_type();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let writer = ChannelWriter {
            tx: chunks_tx.clone(),
            buffer: Vec::with_capacity(CHUNK),
        };
        let result = runtime.block_on(startlink_export::export(&db, &request, writer, &mut |_| {}));
        if let Err(error) = result {
            tracing::warn!("export {} failed half-way: {error}", request.file_name());
            let _ = chunks_tx.send(Err(io::Error::other(
                "the export failed; see the server log",
            )));
        }
    });
    tokio::task::spawn_blocking(move || {
        // Ends when the export's senders are gone, or the client is.
        while let Ok(chunk) = chunks_rx.recv() {
            if tx.blocking_send(chunk).is_err() {
                break;
            }
        }
    });
    let body = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// Links, events, users or campaigns as XLSX or CSV (`all`: every dataset
/// and a summary, XLSX only), with the CLI's filters; streamed.
#[utoipa::path(
    get, path = "/api/v1/exports/{file}", tag = "exports",
    security(("bearer" = ["exports:read"])),
    params(
        ("file" = String, Path, pattern = "^(links|events|users|campaigns)\\.(xlsx|csv)$|^all\\.xlsx$", example = "links.csv", description = "`links`, `events`, `users`, `campaigns` or `all`, then `.xlsx` or `.csv` (e.g. `events.csv`)"),
        ExportQuery,
    ),
    responses(
        (status = 200, description = "The file, streamed", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
    ),
)]
pub async fn export(
    Authorized { principal, .. }: Authorized<ExportsRead>,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(file): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let request = request(&state, &file, &query).await?;
    note(&state, &principal.actor(ip), audit_entry(&file, &query)).await;
    Ok(stream(&state, request))
}

/// The audit entry of a download: the file asked for and its filters.
pub(crate) fn audit_entry(file: &str, query: &ExportQuery) -> Entry {
    Entry::new(Action::ExportDownload)
        .object("export", file)
        .detail(serde_json::json!({
            "from": query.from, "to": query.to, "campaign": query.campaign,
            "creator": query.creator, "kind": query.kind, "status": query.status,
        }))
}
