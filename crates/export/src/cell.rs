//! Columns (stable name, localized headers, type, width) and the cells of a row.

use chrono::{DateTime, Utc};
use startlink_core::lang::Lang;

use crate::labels::Code;

/// How a column's cells are typed in XLSX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    /// Ids and counts: numbers.
    Integer,
    Text,
    /// Date-times in the time zone.
    Time,
    Bool,
}

/// One column: its stable snake_case name (the CSV header, the JSON field) and
/// its XLSX header in each language.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub name: &'static str,
    pub uz: &'static str,
    pub ru: &'static str,
    pub en: &'static str,
    pub kind: ColumnKind,
    /// XLSX column width in characters.
    pub width: f64,
}

impl Column {
    pub(crate) const fn new(
        name: &'static str,
        kind: ColumnKind,
        width: f64,
        [uz, ru, en]: [&'static str; 3],
    ) -> Self {
        Self {
            name,
            uz,
            ru,
            en,
            kind,
            width,
        }
    }

    pub(crate) fn header(&self, lang: Lang) -> &'static str {
        lang.pick([self.uz, self.ru, self.en])
    }
}

/// One cell's value; `Empty` for a missing value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Int(i64),
    Text(String),
    /// A kind, status or outcome: the code in CSV, its word in XLSX.
    Code(Code),
    Bool(bool),
    Time(DateTime<Utc>),
    /// A share, shown as a percentage in XLSX (summary sheet only).
    Ratio(f64),
}

impl Cell {
    /// Whether this value may stand in a column of `kind` (empty fits any).
    pub(crate) fn fits(&self, kind: ColumnKind) -> bool {
        matches!(
            (self, kind),
            (Cell::Empty, _)
                | (Cell::Int(_), ColumnKind::Integer)
                | (Cell::Text(_) | Cell::Code(_), ColumnKind::Text)
                | (Cell::Bool(_), ColumnKind::Bool)
                | (Cell::Time(_), ColumnKind::Time)
        )
    }
}

impl From<Code> for Cell {
    fn from(code: Code) -> Self {
        Cell::Code(code)
    }
}

impl From<Option<f64>> for Cell {
    fn from(value: Option<f64>) -> Self {
        value.map_or(Cell::Empty, Cell::Ratio)
    }
}

impl From<Option<i64>> for Cell {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Cell::Empty, Cell::Int)
    }
}

impl From<Option<String>> for Cell {
    fn from(value: Option<String>) -> Self {
        value.map_or(Cell::Empty, Cell::Text)
    }
}

impl From<Option<DateTime<Utc>>> for Cell {
    fn from(value: Option<DateTime<Utc>>) -> Self {
        value.map_or(Cell::Empty, Cell::Time)
    }
}

/// A page of rows read from the database: `columns` cells per row, flattened,
/// and the id to read the next page after.
#[derive(Debug, Default)]
pub(crate) struct Page {
    pub cells: Vec<Cell>,
    pub last_id: Option<i64>,
}
