//! Exports: links, events, users and campaigns streamed from the database into
//! XLSX or CSV.
//!
//! Rows are read in pages by id (keyset pagination in `startlink_core`'s `scan`
//! functions) and written as they arrive, so memory stays bounded whatever the
//! row count. XLSX worksheets are written in `rust_xlsxwriter`'s constant-memory
//! mode (cell data goes to temporary files; the ZIP is assembled at the end), CSV
//! is written straight to the output.
//!
//! What the filters mean per dataset (an `analytics::Filter`: a period and a
//! `LinkSelection`):
//!
//! | dataset | `from`/`to` bound | `campaign`, `creator`, `kind`, `status`, `search` select |
//! |---|---|---|
//! | `links` | `created_at` | the links themselves |
//! | `events` | `at` | the opened link (opens that matched no link are left out when any is set) |
//! | `users` | `first_seen_at` | the user's first link, the one that brought him |
//! | `campaigns` | the counted opens and new users | `campaign`: the row; the others: which links are counted |
//!
//! `status` is each link's status at [`ExportRequest::now`].
//!
//! XLSX shows link kinds, statuses and open outcomes as words in the
//! request's [`Lang`](startlink_core::lang::Lang); CSV keeps their snake_case codes for scripts.

mod cell;
mod datasets;
mod error;
mod labels;
mod request;
mod summary;
mod to_csv;
mod to_xlsx;

use std::io::Write;

use startlink_core::DatabaseConnection;

pub use error::ExportError;
pub use request::{Dataset, ExportRequest, ExportSummary, Format, SheetSummary, XLSX_MAX_ROWS};

/// Writes `request`'s dataset in its format to `out`, calling `progress` with the
/// number of data rows written so far after every page. An impossible request
/// (`all` as CSV, an unknown campaign) fails before anything is written.
///
/// XLSX is assembled when the last row is in (worksheet data waits in temporary
/// files until then); CSV bytes reach `out` as rows are read.
pub async fn export<W: Write + Send>(
    db: &DatabaseConnection,
    request: &ExportRequest,
    out: W,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<ExportSummary, ExportError> {
    match request.format {
        Format::Csv => to_csv::export(db, request, out, progress).await,
        Format::Xlsx => to_xlsx::export(db, request, out, progress).await,
    }
}
