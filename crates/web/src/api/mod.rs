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

/// Highest page number a listing accepts: far below where page × page size
/// would overflow the query's offset, far above any real listing.
pub const MAX_PAGE: u64 = 1_000_000;

/// A 1-based page number (`page` in a query) to the store's zero-based form.
pub(crate) fn page_index(page: Option<u64>) -> Result<u64, ApiError> {
    match page.unwrap_or(1) {
        page @ 1..=MAX_PAGE => Ok(page - 1),
        page => Err(ApiError::BadRequest(format!(
            "page: {page} is not between 1 and {MAX_PAGE}"
        ))),
    }
}

/// A 1-based page number and a page size, to the store's zero-based form.
pub(crate) fn paging(page: Option<u64>, per_page: Option<u64>) -> Result<(u64, u64), ApiError> {
    let page = page_index(page)?;
    let per_page = per_page.unwrap_or(50);
    if per_page == 0 || per_page > MAX_PAGE_SIZE {
        return Err(ApiError::BadRequest(format!(
            "per_page: {per_page} is not between 1 and {MAX_PAGE_SIZE}"
        )));
    }
    Ok((page, per_page))
}

/// Schemas of query parameters the server reads as one of a vocabulary's
/// spellings: the document lists exactly the values `FromStr` accepts.
pub(crate) mod schema {
    use startlink_core::analytics::{Bucket, Dimension};
    use startlink_core::events::Outcome;
    use startlink_core::lang::Lang;
    use startlink_core::links::{LinkKind, LinkStatus};
    use startlink_core::vocab::Vocabulary;
    use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

    fn names<V: Vocabulary>() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(V::NAMES.iter().copied()))
            .build()
    }

    pub fn kind() -> Object {
        names::<LinkKind>()
    }
    pub fn status() -> Object {
        names::<LinkStatus>()
    }
    pub fn outcome() -> Object {
        names::<Outcome>()
    }
    pub fn bucket() -> Object {
        names::<Bucket>()
    }
    pub fn dimension() -> Object {
        names::<Dimension>()
    }
    pub fn lang() -> Object {
        names::<Lang>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_run_from_1_to_max_page() {
        assert_eq!(paging(None, None).unwrap(), (0, 50));
        assert_eq!(
            paging(Some(MAX_PAGE), Some(MAX_PAGE_SIZE)).unwrap(),
            (MAX_PAGE - 1, 500)
        );
        for bad in [0, MAX_PAGE + 1, i64::MAX as u64, u64::MAX] {
            let error = paging(Some(bad), None).unwrap_err();
            assert!(error.to_string().starts_with("page: "), "{bad}: {error}");
        }
        for bad in [0, MAX_PAGE_SIZE + 1, u64::MAX] {
            let error = paging(None, Some(bad)).unwrap_err();
            assert!(
                error.to_string().starts_with("per_page: "),
                "{bad}: {error}"
            );
        }
    }
}
