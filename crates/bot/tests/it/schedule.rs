//! The automatic report, driven with chosen times through
//! `startlink_bot::reports::send_due_report`, as a second process on the same
//! database would: sent once per period, in the admin's language.

use crate::helpers::*;
use chrono::{TimeZone, Utc};
use startlink_bot::BotContext;
use startlink_bot::settings::ReportSchedule;
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_automatic_report_goes_to_the_admins_once_per_period() {
    let bot = TestBot::start().await;
    // A second process on the same database, with REPORT_SCHEDULE=daily, whose
    // scheduler is driven here with chosen times instead of the clock.
    let mut settings = bot.ctx.settings.clone();
    settings.report_schedule = ReportSchedule::Daily;
    let ctx = BotContext {
        me: bot.ctx.me.clone(),
        db: bot.db.clone(),
        settings,
        timezone: bot.ctx.timezone,
        links: bot.ctx.links.clone(),
        qr_style: bot.ctx.qr_style.clone(),
        metrics: Default::default(),
    };
    let admin = user_in(ADMIN, "Aziza", "ru");
    bot.ask(&admin, "/help").await;
    let before = bot.messages(ADMIN).len();

    // 09:30 in Tashkent on 2026-11-25: the 24th is due.
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 4, 30, 0).unwrap();
    let sent = startlink_bot::reports::send_due_report(&bot.bot, &ctx, now)
        .await
        .unwrap();
    assert_eq!(sent.as_deref(), Some("daily:2026-11-24"));
    let message = bot.reply_number(ADMIN, before + 1).await;
    let (name, pdf) = document(&bot, &message);
    assert_eq!(name, "report-2026-11-24-2026-11-24.pdf");
    assert!(pdf.starts_with(b"%PDF"));
    let title = startlink_report::labels(startlink_core::lang::Lang::Ru).title;
    assert!(pdf_text(&pdf).contains(title), "in the admin's language");

    // Later the same day, or again: already claimed.
    let later = now + chrono::Duration::hours(3);
    for at in [now, later] {
        let again = startlink_bot::reports::send_due_report(&bot.bot, &ctx, at)
            .await
            .unwrap();
        assert_eq!(again, None);
    }
    // At 09:00 the next day, the 25th is due.
    let next = Utc.with_ymd_and_hms(2026, 11, 26, 4, 0, 0).unwrap();
    let sent = startlink_bot::reports::send_due_report(&bot.bot, &ctx, next)
        .await
        .unwrap();
    assert_eq!(sent.as_deref(), Some("daily:2026-11-25"));
    bot.reply_number(ADMIN, before + 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        bot.messages(ADMIN).len(),
        before + 2,
        "nothing more was sent"
    );
    bot.stop().await;
}
