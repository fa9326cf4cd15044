//! XLSX: one constant-memory worksheet per dataset (continued on `name (2)`, …
//! past the row limit), typed cells, localized bold header frozen above an
//! autofilter, and for `all` a `summary` sheet first.
//!
//! Text is always written with `write_string`: a title like `=HYPERLINK(…)` is
//! a string cell, never a formula.

use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, Worksheet};
use startlink_core::DatabaseConnection;
use startlink_core::lang::Lang;

use crate::cell::{Cell, Column};
use crate::datasets::{self, Scope};
use crate::summary;
use crate::{Dataset, ExportError, ExportRequest, ExportSummary, SheetSummary, XLSX_MAX_ROWS};

/// Excel's limit on a cell's text, in UTF-16 units.
const MAX_TEXT: usize = 32_767;
const SUMMARY_SHEET: &str = "summary";

pub(crate) async fn export<W: Write + Send>(
    db: &DatabaseConnection,
    request: &ExportRequest,
    out: W,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<ExportSummary, ExportError> {
    let scope = Scope::resolve(db, request).await?;
    let mut book = Book::new(request)?;
    let with_summary = request.dataset == Dataset::All;
    if with_summary {
        let sheet = book.workbook.add_worksheet();
        sheet.set_name(SUMMARY_SHEET)?;
    }
    let mut done = 0u64;
    for &dataset in request.dataset.parts() {
        book.begin(dataset)?;
        datasets::for_each_page(db, dataset, &scope, |cells| {
            for row in cells.chunks(datasets::columns(dataset).len()) {
                book.write_row(row)?;
                done += 1;
            }
            progress(done);
            Ok(())
        })
        .await?;
        book.end_sheet()?;
    }
    if with_summary {
        let counts = summary::selected_counts(db, request, &scope).await?;
        let figures = summary::figures(request, &counts, &book.sheets);
        book.write_summary(&figures)?;
    }
    book.workbook.save_to_writer(out)?;
    Ok(ExportSummary {
        sheets: book.sheets,
    })
}

/// The sheet being filled.
struct Current {
    dataset: Dataset,
    columns: &'static [Column],
    index: usize,
    /// 1 for `events`, 2 for `events (2)`, …
    part: u32,
    next_row: u32,
}

struct Book {
    workbook: Workbook,
    max_rows: u32,
    header: CellFormat,
    formats: Formats,
    sheets: Vec<SheetSummary>,
    current: Option<Current>,
}

impl Book {
    fn new(request: &ExportRequest) -> Result<Self, ExportError> {
        Ok(Self {
            workbook: Workbook::new(),
            max_rows: request.max_rows_per_sheet.clamp(2, XLSX_MAX_ROWS),
            header: CellFormat::new().set_bold(),
            formats: Formats {
                integer: CellFormat::new().set_num_format("0"),
                datetime: CellFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
                percent: CellFormat::new().set_num_format("0.0%"),
                tz: request.timezone,
                lang: request.lang,
            },
            sheets: Vec::new(),
            current: None,
        })
    }

    fn begin(&mut self, dataset: Dataset) -> Result<(), ExportError> {
        self.open_sheet(dataset, 1)
    }

    fn open_sheet(&mut self, dataset: Dataset, part: u32) -> Result<(), ExportError> {
        let name = match part {
            1 => dataset.as_str().to_owned(),
            n => format!("{dataset} ({n})"),
        };
        let columns = datasets::columns(dataset);
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(&name)?;
        header_row(sheet, columns, self.formats.lang, &self.header)?;
        let index = self.workbook.worksheets().len() - 1;
        self.sheets.push(SheetSummary { name, rows: 0 });
        self.current = Some(Current {
            dataset,
            columns,
            index,
            part,
            next_row: 1,
        });
        Ok(())
    }

    fn end_sheet(&mut self) -> Result<(), ExportError> {
        if let Some(current) = self.current.take() {
            let last_col = column_number(current.columns.len().saturating_sub(1));
            self.workbook
                .worksheet_from_index(current.index)?
                .autofilter(0, 0, current.next_row - 1, last_col)?;
        }
        Ok(())
    }

    fn write_row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        let Some(current) = &self.current else {
            return Ok(());
        };
        if current.next_row >= self.max_rows {
            let (dataset, part) = (current.dataset, current.part + 1);
            self.end_sheet()?;
            self.open_sheet(dataset, part)?;
        }
        let Some(current) = &mut self.current else {
            return Ok(());
        };
        let sheet = self.workbook.worksheet_from_index(current.index)?;
        for (col, cell) in cells.iter().enumerate() {
            write_cell(
                sheet,
                current.next_row,
                column_number(col),
                cell,
                &self.formats,
            )?;
        }
        current.next_row += 1;
        if let Some(summary) = self.sheets.last_mut() {
            summary.rows += 1;
        }
        Ok(())
    }

    fn write_summary(&mut self, figures: &[summary::Figure]) -> Result<(), ExportError> {
        let sheet = self.workbook.worksheet_from_name(SUMMARY_SHEET)?;
        for (col, words) in summary::HEADER.into_iter().enumerate() {
            let text = self.formats.lang.pick(words);
            sheet.write_string_with_format(0, column_number(col), text, &self.header)?;
        }
        sheet.set_column_width(0, 36)?;
        sheet.set_column_width(1, 36)?;
        sheet.set_freeze_panes(1, 0)?;
        for (i, figure) in figures.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            sheet.write_string(row, 0, &figure.label)?;
            write_cell(sheet, row, 1, &figure.value, &self.formats)?;
        }
        Ok(())
    }
}

fn header_row(
    sheet: &mut Worksheet,
    columns: &[Column],
    lang: Lang,
    bold: &CellFormat,
) -> Result<(), ExportError> {
    for (col, column) in columns.iter().enumerate() {
        let col = column_number(col);
        sheet.set_column_width(col, column.width)?;
        sheet.write_string_with_format(0, col, column.header(lang), bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// How cells are shown: number formats, time zone, language of codes.
struct Formats {
    integer: CellFormat,
    datetime: CellFormat,
    percent: CellFormat,
    tz: Tz,
    /// The language codes are shown in.
    lang: Lang,
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    formats: &Formats,
) -> Result<(), ExportError> {
    match cell {
        Cell::Empty => {}
        // Telegram ids need 52 bits; an f64 holds 53 exactly.
        Cell::Int(n) => {
            sheet.write_number_with_format(row, col, *n as f64, &formats.integer)?;
        }
        Cell::Bool(b) => {
            sheet.write_boolean(row, col, *b)?;
        }
        Cell::Time(at) => {
            let serial = ExcelDateTime::from_serial_datetime(excel_serial(*at, formats.tz))?;
            sheet.write_datetime_with_format(row, col, serial, &formats.datetime)?;
        }
        Cell::Text(text) => {
            sheet.write_string(row, col, excel_text(text))?;
        }
        Cell::Code(code) => {
            sheet.write_string(row, col, code.label(formats.lang))?;
        }
        Cell::Ratio(share) => {
            sheet.write_number_with_format(row, col, *share, &formats.percent)?;
        }
    }
    Ok(())
}

fn column_number(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}

/// Days since Excel's epoch (1899-12-30, which absorbs its 1900 leap-year bug
/// for every date after February 1900), of the wall-clock time in `tz`.
pub(crate) fn excel_serial(at: DateTime<Utc>, tz: Tz) -> f64 {
    let local = at.with_timezone(&tz).naive_local();
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    let micros = (local - epoch).num_microseconds().unwrap_or(0);
    micros as f64 / 86_400_000_000.0
}

/// Text cut to Excel's cell limit. (`rust_xlsxwriter` escapes what OOXML
/// would misread, such as a literal `_x0041_`, by itself.)
pub(crate) fn excel_text(text: &str) -> &str {
    utf16_cut(text, MAX_TEXT)
}

/// The longest prefix of `text` that is at most `max` UTF-16 units.
fn utf16_cut(text: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, ch) in text.char_indices() {
        units += ch.len_utf16();
        if units > max {
            return &text[..i];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_dates_are_wall_clock_time_in_the_zone() {
        let at = DateTime::parse_from_rfc3339("2026-01-01T19:00:00Z")
            .unwrap()
            .to_utc();
        // 2026-01-02 00:00 in Tashkent is day 46024 after 1899-12-30.
        assert_eq!(excel_serial(at, chrono_tz::Asia::Tashkent), 46024.0);
        assert_eq!(excel_serial(at, chrono_tz::UTC), 46023.0 + 19.0 / 24.0);
    }

    #[test]
    fn text_over_excels_cell_limit_is_cut_at_a_character() {
        assert_eq!(excel_text("a_x0041_b"), "a_x0041_b");
        let long = "ʻ".repeat(40_000);
        assert_eq!(excel_text(&long).chars().count(), MAX_TEXT);
        let emoji = "😀".repeat(20_000);
        assert_eq!(excel_text(&emoji).encode_utf16().count(), MAX_TEXT - 1);
    }
}
