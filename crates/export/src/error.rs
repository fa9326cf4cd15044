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
    Csv(#[from] csv::Error),
    #[error("cannot write the file: {0}")]
    Io(#[from] std::io::Error),
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
