//! Formatting for people (times in `TIMEZONE`, strings made safe for a terminal)
//! and for scripts (JSON on stdout).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub fn time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

pub fn optional_time(at: Option<DateTime<Utc>>, tz: Tz, none: &str) -> String {
    at.map_or_else(|| none.to_owned(), |at| time(at, tz))
}

/// Makes user-supplied text safe to print: control characters (which could move
/// the cursor or recolour the terminal) are shown escaped, and long text is cut.
pub fn text(input: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for (count, ch) in input.chars().enumerate() {
        if count == max_chars {
            out.push('…');
            break;
        }
        if ch.is_control() || matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            let _ = write!(out, "{}", ch.escape_unicode());
        } else {
            out.push(ch);
        }
    }
    out
}

pub fn optional_text(input: Option<&str>, max_chars: usize) -> String {
    input.map_or_else(|| "-".to_owned(), |t| text(t, max_chars))
}

pub fn optional_number(value: Option<i64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// Left-aligned columns, widths from the content.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(i) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            text.push_str(cell);
            if i + 1 < cells.len() {
                text.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(text("a\u{1b}[31mb", 50), "a\\u{1b}[31mb");
        assert_eq!(text("x\u{202e}y", 50), "x\\u{202e}y");
        assert_eq!(text("Oʻzbek <b>", 50), "Oʻzbek <b>");
        assert_eq!(text("abcdef", 3), "abc…");
    }

    #[test]
    fn tables_align_columns() {
        let out = table(&["A", "BB"], &[vec!["long".into(), "x".into()]]);
        assert_eq!(out, "A     BB\nlong  x\n");
    }
}
