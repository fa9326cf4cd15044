//! Reports and exports sent as documents: the PDF of a period in a language,
//! and the automatic report to the admins on `REPORT_SCHEDULE`.

mod period;
mod schedule;

use chrono::{DateTime, Utc};
use teloxide::payloads::SendDocumentSetters;
use teloxide::prelude::*;
use teloxide::types::{ChatAction, InputFile, ParseMode};

use crate::context::BotContext;
use crate::i18n::{Arg, Lang, fill, texts};
use crate::pacing::TgBot;

pub use period::{DuePeriod, ReportDays, due_period};
pub use schedule::{ScheduledReports, send_due_report};

/// Telegram's limit on a file a bot uploads.
pub const MAX_UPLOAD: usize = 50 * 1024 * 1024;

/// The PDF report on `days` in `lang`, as of `now`.
pub(crate) async fn render(
    ctx: &BotContext,
    days: ReportDays,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, startlink_report::ReportError> {
    let tz = ctx.timezone;
    let mut request =
        startlink_report::ReportRequest::for_period(days.from(tz), days.to(tz), lang, tz, now);
    request.bot = Some(ctx.links.bot().as_str().to_owned());
    startlink_report::render(&ctx.db, &request).await
}

/// The report's caption in `lang`.
pub(crate) fn caption(days: ReportDays, lang: Lang) -> String {
    fill(
        texts(lang).report_caption,
        &[
            ("from", Arg::Text(&days.first.to_string())),
            ("to", Arg::Text(&days.last.to_string())),
        ],
    )
}

/// Shows "sending a file…" in the chat; a failure only costs the indicator.
pub(crate) async fn show_uploading(bot: &TgBot, chat: ChatId) {
    if let Err(error) = bot.send_chat_action(chat, ChatAction::UploadDocument).await {
        tracing::debug!(chat = chat.0, "sendChatAction failed: {error}");
    }
}

pub(crate) async fn send_document(
    bot: &TgBot,
    chat: ChatId,
    bytes: Vec<u8>,
    file_name: String,
    caption: String,
) -> anyhow::Result<()> {
    let file = InputFile::memory(bytes).file_name(file_name);
    bot.paced(chat, || {
        bot.send_document(chat, file.clone())
            .caption(caption.clone())
            .parse_mode(ParseMode::Html)
            .send()
    })
    .await?;
    Ok(())
}
