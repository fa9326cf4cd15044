//! CSV (RFC 4180: commas, CRLF, quotes doubled) with the stable JSON column
//! names as header, times as RFC 3339 in the time zone, and text that a
//! spreadsheet would run as a formula neutralised with a leading `'`.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;

use chrono::SecondsFormat;
use chrono_tz::Tz;
use startlink_core::DatabaseConnection;

use crate::cell::Cell;
use crate::datasets::{self, Scope};
use crate::{Dataset, ExportError, ExportRequest, ExportSummary, SheetSummary};

const BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) async fn export<W: Write + Send>(
    db: &DatabaseConnection,
    request: &ExportRequest,
    mut out: W,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<ExportSummary, ExportError> {
    let dataset = request.dataset;
    if dataset == Dataset::All {
        return Err(ExportError::AllAsCsv);
    }
    let scope = Scope::resolve(db, request).await?;
    if request.bom {
        out.write_all(BOM)?;
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let columns = datasets::columns(dataset);
    writer.write_record(columns.iter().map(|c| c.name))?;
    let mut fields = vec![String::new(); columns.len()];
    let mut rows = 0u64;
    datasets::for_each_page(db, dataset, &scope, |cells| {
        for row in cells.chunks(columns.len()) {
            for (field, cell) in fields.iter_mut().zip(row) {
                field.clear();
                render(cell, request.timezone, field);
            }
            writer.write_record(&fields)?;
            rows += 1;
        }
        progress(rows);
        Ok(())
    })
    .await?;
    writer.flush()?;
    Ok(ExportSummary {
        sheets: vec![SheetSummary {
            name: dataset.as_str().to_owned(),
            rows,
        }],
    })
}

fn render(cell: &Cell, tz: Tz, field: &mut String) {
    match cell {
        Cell::Empty => {}
        Cell::Int(n) => {
            let _ = write!(field, "{n}");
        }
        Cell::Code(code) => field.push_str(code.as_str()),
        Cell::Ratio(share) => {
            let _ = write!(field, "{share}");
        }
        Cell::Bool(b) => field.push_str(if *b { "true" } else { "false" }),
        Cell::Time(at) => field.push_str(
            &at.with_timezone(&tz)
                .to_rfc3339_opts(SecondsFormat::AutoSi, false),
        ),
        Cell::Text(text) => field.push_str(&neutralise(text)),
    }
}

/// Text a spreadsheet would read as a formula (or that Excel strips and then
/// reads so) gets a leading `'`, which shows the text as typed.
pub(crate) fn neutralise(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_gets_a_leading_quote_and_other_text_is_left_alone() {
        for (input, expected) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("a=b", "a=b"),
            ("Oʻzbekiston", "Oʻzbekiston"),
            ("", ""),
        ] {
            assert_eq!(neutralise(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn times_are_rfc3339_in_the_time_zone() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-01-01T23:30:00Z")
            .unwrap()
            .to_utc();
        let mut field = String::new();
        render(&Cell::Time(at), chrono_tz::Asia::Tashkent, &mut field);
        assert_eq!(field, "2026-01-02T04:30:00+05:00");
    }
}
