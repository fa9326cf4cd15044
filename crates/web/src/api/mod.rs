//! REST handlers under `/api/v1`: each parses its input, calls one domain
//! function in `startlink_core`, and shapes the answer.

pub mod admins;
pub mod audit;
pub mod campaigns;
pub mod events;
pub mod exports;
pub mod links;
pub mod metrics;
pub mod qr;
pub mod reports;
pub mod stats;
pub mod tokens;
pub mod users;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use startlink_core::links::LinkKey;
use startlink_core::vocab::ParseError;

use crate::error::ApiError;

/// A value outside its vocabulary is a bad request, in core's wording, on
/// every route and on the panel.
impl From<ParseError> for ApiError {
    fn from(error: ParseError) -> Self {
        Self::BadRequest(error.to_string())
    }
}

/// Largest page a listing returns.
pub const MAX_PAGE_SIZE: u64 = 500;

/// An instant from a query or body: RFC 3339, or a local time in `TIMEZONE`.
pub(crate) fn instant(field: &str, input: &str, tz: Tz) -> Result<DateTime<Utc>, ApiError> {
    startlink_core::time::parse_instant(input, tz)
        .map_err(|e| ApiError::invalid(format!("{field}: {e}")))
}

pub(crate) fn link_key(input: &str) -> Result<LinkKey, ApiError> {
    // A malformed key can name no link; answering 404 keeps one rule for callers.
    LinkKey::parse(input.trim())
        .map_err(|_| ApiError::NotFound(format!("no link with key {input}")))
}

/// A 1-based page number and a page size, to the store's zero-based form.
pub(crate) fn paging(page: Option<u64>, per_page: Option<u64>) -> Result<(u64, u64), ApiError> {
    let page = page.unwrap_or(1);
    if page == 0 {
        return Err(ApiError::invalid("page: pages count from 1"));
    }
    let per_page = per_page.unwrap_or(50);
    if per_page == 0 || per_page > MAX_PAGE_SIZE {
        return Err(ApiError::invalid(format!("per_page: 1 to {MAX_PAGE_SIZE}")));
    }
    Ok((page - 1, per_page))
}
