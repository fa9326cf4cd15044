//! `/report` and `/export`: the admins' PDF report and XLSX exports, sent as
//! documents.

use std::io::Write;

use startlink_core::time;
use startlink_export::{Dataset, ExportRequest, Format};

use super::Ask;
use crate::i18n::{Arg, fill};
use crate::reports::{self, MAX_UPLOAD, ReportDays};
use startlink_core::audit::{Action, Entry};

pub(super) async fn report(ask: &Ask, args: &str) -> anyhow::Result<()> {
    if !ask.is_admin() {
        return ask.say_static(|t| t.admins_only).await;
    }
    let now = time::now();
    let today = now.with_timezone(&ask.ctx.timezone).date_naive();
    let Some(days) = ReportDays::parse_command(args, today) else {
        return ask.say_static(|t| t.usage_report).await;
    };
    reports::show_uploading(&ask.bot, ask.chat).await;
    let pdf = match reports::render(&ask.ctx, days, ask.lang, now).await {
        Ok(pdf) => pdf,
        Err(error) if error.is_invalid_input() => {
            return ask.say_static(|t| t.usage_report).await;
        }
        Err(error) => return Err(error.into()),
    };
    ask.note(Entry::new(Action::ReportDownload).object("report", days.file_name()))
        .await;
    reports::send_document(
        &ask.bot,
        ask.chat,
        pdf,
        days.file_name(),
        reports::caption(days, ask.lang),
    )
    .await
}

pub(super) async fn export(ask: &Ask, args: &str) -> anyhow::Result<()> {
    if !ask.is_admin() {
        return ask.say_static(|t| t.admins_only).await;
    }
    let dataset = match args.trim().to_ascii_lowercase().as_str() {
        "" | "links" => Dataset::Links,
        "events" => Dataset::Events,
        _ => return ask.say_static(|t| t.usage_export).await,
    };
    reports::show_uploading(&ask.bot, ask.chat).await;
    let mut request = ExportRequest::new(dataset, Format::Xlsx, ask.ctx.timezone, time::now());
    request.lang = ask.lang;
    request.link_builder = Some(ask.ctx.links.clone());
    let mut file = Capped::new(MAX_UPLOAD);
    let summary = startlink_export::export(&ask.ctx.db, &request, &mut file, &mut |_| {}).await?;
    let Some(bytes) = file.into_bytes() else {
        return ask.say_static(|t| t.export_too_big).await;
    };
    let name = request.file_name();
    ask.note(Entry::new(Action::ExportDownload).object("export", &name))
        .await;
    let caption = fill(
        ask.texts().export_caption,
        &[
            ("name", Arg::Text(&name)),
            ("rows", Arg::Text(&summary.rows().to_string())),
        ],
    );
    reports::send_document(&ask.bot, ask.chat, bytes, name, caption).await
}

/// Keeps the bytes written while they fit in `limit`; past it, only counts, so
/// an export too big to send does not also fill the memory.
struct Capped {
    bytes: Vec<u8>,
    limit: usize,
    over: bool,
}

impl Capped {
    fn new(limit: usize) -> Self {
        Self {
            bytes: Vec::new(),
            limit,
            over: false,
        }
    }

    /// Everything written, or `None` when it went over the limit.
    fn into_bytes(self) -> Option<Vec<u8>> {
        (!self.over).then_some(self.bytes)
    }
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.over {
            if self.bytes.len() + buf.len() > self.limit {
                self.over = true;
                self.bytes = Vec::new();
            } else {
                self.bytes.extend_from_slice(buf);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_within_the_limit_is_kept_whole() {
        let mut file = Capped::new(10);
        file.write_all(b"12345").unwrap();
        file.write_all(b"67890").unwrap();
        assert_eq!(file.into_bytes().as_deref(), Some(&b"1234567890"[..]));
    }

    #[test]
    fn a_file_over_the_limit_is_dropped_and_stays_dropped() {
        let mut file = Capped::new(10);
        file.write_all(b"123456").unwrap();
        file.write_all(b"789012").unwrap();
        file.write_all(b"1").unwrap();
        assert_eq!(file.bytes.len(), 0, "nothing more is kept");
        assert_eq!(file.into_bytes(), None);
    }
}
