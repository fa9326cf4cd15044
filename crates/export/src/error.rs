//! Why an export failed.

use startlink_core::analytics::AnalyticsError;
use startlink_core::links::LinkError;
use startlink_core::vocab::ParseError;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("`all` exists only as XLSX: export one dataset as CSV, or use --format xlsx")]
    AllAsCsv,
    #[error("campaign: there is no campaign named {0:?}")]
    UnknownCampaign(String),
    #[error("database error")]
    Db(#[from] sea_orm::DbErr),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("cannot write the XLSX file: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("cannot write the CSV file: {0}")]
    Csv(csv::Error),
    #[error("cannot write the file: {0}")]
    Io(#[from] std::io::Error),
}

/// A failed write of the CSV writer is an I/O error like any other (so that
/// callers can see a closed pipe); the csv crate hides it from `source()`.
impl From<csv::Error> for ExportError {
    fn from(error: csv::Error) -> Self {
        if !error.is_io_error() {
            return Self::Csv(error);
        }
        match error.into_kind() {
            csv::ErrorKind::Io(io) => Self::Io(io),
            // `is_io_error` means the kind is `Io`.
            other => Self::Corrupt(format!("CSV writer: {other:?}")),
        }
    }
}

impl ExportError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

impl From<LinkError> for ExportError {
    fn from(error: LinkError) -> Self {
        match error {
            LinkError::Db(db) => Self::Db(db),
            LinkError::Invalid { field, reason } => Self::Invalid { field, reason },
            other => Self::Corrupt(other.to_string()),
        }
    }
}

impl From<ParseError> for ExportError {
    fn from(error: ParseError) -> Self {
        Self::Invalid {
            field: error.field,
            reason: error.reason(),
        }
    }
}

impl From<AnalyticsError> for ExportError {
    fn from(error: AnalyticsError) -> Self {
        match error {
            AnalyticsError::Invalid { field, reason } => Self::Invalid { field, reason },
            AnalyticsError::UnknownCampaign(name) => Self::UnknownCampaign(name),
            AnalyticsError::Corrupt(what) => Self::Corrupt(what),
            AnalyticsError::Db { source, .. } => Self::Db(source),
        }
    }
}
