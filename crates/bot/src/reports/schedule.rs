//! The automatic report: every minute, work out which period is due
//! ([`due_period`]); the first time a process sees a new one it claims it in
//! the database (`report_runs`) and, if it won, sends the PDF to every admin.
//! The claim makes each period go out once, across restarts and processes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use startlink_core::users::{self, TgUserId};
use startlink_core::{reports, time};
use teloxide::types::ChatId;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{DuePeriod, caption, due_period, render, send_document};
use crate::context::BotContext;
use crate::i18n::Lang;
use crate::pacing::TgBot;
use crate::settings::ReportSchedule;

const CHECK_EVERY: Duration = Duration::from_secs(60);

/// The scheduler running in the background.
#[derive(Debug)]
pub struct ScheduledReports {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl ScheduledReports {
    /// Starts the scheduler, unless `REPORT_SCHEDULE` is off.
    pub fn start(bot: TgBot, ctx: Arc<BotContext>) -> Option<Self> {
        if ctx.settings.report_schedule == ReportSchedule::Off {
            return None;
        }
        tracing::info!(
            schedule = ?ctx.settings.report_schedule,
            hour = ctx.settings.report_hour,
            "automatic reports are on"
        );
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(bot, ctx, stopped));
        Some(Self { stop, task })
    }

    /// Lets a report being sent finish until `deadline`, then stops. A
    /// report cut off there is not sent again: its period is claimed before
    /// sending, so that two processes never both send it.
    pub async fn stop_by(self, deadline: tokio::time::Instant) {
        let _ = self.stop.send(());
        let abort = self.task.abort_handle();
        match tokio::time::timeout_at(deadline, self.task).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!("the report scheduler ended abnormally: {error}"),
            Err(_) => {
                abort.abort();
                tracing::warn!("a report being sent was cut off by the stop deadline");
            }
        }
    }
}

async fn run(bot: TgBot, ctx: Arc<BotContext>, mut stopped: oneshot::Receiver<()>) {
    let mut handled: Option<String> = None;
    loop {
        let now = time::now();
        let settings = &ctx.settings;
        if let Some(due) = due_period(
            settings.report_schedule,
            settings.report_hour,
            ctx.timezone,
            now,
        ) && handled.as_deref() != Some(due.key.as_str())
        {
            // A failed claim is retried next minute; a claimed period is not.
            match send_period(&bot, &ctx, &due, now).await {
                Ok(_) => handled = Some(due.key),
                Err(error) => tracing::error!(period = %due.key, "automatic report: {error:#}"),
            }
        }
        tokio::select! {
            _ = &mut stopped => return,
            () = tokio::time::sleep(CHECK_EVERY) => {}
        }
    }
}

/// One turn of the scheduler at `now`: the key of the period this call sent,
/// or `None` when nothing is due or the period was claimed before.
pub async fn send_due_report(
    bot: &TgBot,
    ctx: &BotContext,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<String>> {
    let settings = &ctx.settings;
    let Some(due) = due_period(
        settings.report_schedule,
        settings.report_hour,
        ctx.timezone,
        now,
    ) else {
        return Ok(None);
    };
    send_period(bot, ctx, &due, now).await
}

async fn send_period(
    bot: &TgBot,
    ctx: &BotContext,
    due: &DuePeriod,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<String>> {
    let won = reports::claim(&ctx.db, &due.key, now)
        .await
        .context("while claiming the report period")?;
    if !won {
        tracing::debug!(period = %due.key, "the report was claimed before");
        return Ok(None);
    }
    let mut admins: Vec<i64> = ctx.settings.admins.iter().copied().collect();
    admins.sort_unstable();
    let mut rendered: HashMap<Lang, Vec<u8>> = HashMap::new();
    for admin in admins {
        let lang = admin_lang(ctx, admin).await;
        let pdf = match rendered.get(&lang) {
            Some(pdf) => pdf.clone(),
            None => match render(ctx, due.days, lang, now).await {
                Ok(pdf) => {
                    rendered.insert(lang, pdf.clone());
                    pdf
                }
                Err(error) => {
                    tracing::error!(period = %due.key, %lang, "the report could not be rendered: {error}");
                    continue;
                }
            },
        };
        let sent = send_document(
            bot,
            ChatId(admin),
            pdf,
            due.days.file_name(),
            caption(due.days, lang),
        )
        .await;
        match sent {
            Ok(()) => tracing::info!(period = %due.key, admin, "automatic report sent"),
            Err(error) => {
                tracing::error!(period = %due.key, admin, "the report could not be sent: {error:#}")
            }
        }
    }
    Ok(Some(due.key.clone()))
}

/// The admin's chosen or Telegram language, else `DEFAULT_LANG`.
async fn admin_lang(ctx: &BotContext, admin: i64) -> Lang {
    let Ok(id) = TgUserId::new(admin) else {
        return ctx.settings.default_lang;
    };
    match users::find(&ctx.db, id).await {
        Ok(Some(user)) => ctx.lang(user.lang.as_deref(), user.language_code.as_deref()),
        Ok(None) => ctx.settings.default_lang,
        Err(error) => {
            tracing::warn!(admin, "could not read the admin's language: {error}");
            ctx.settings.default_lang
        }
    }
}
