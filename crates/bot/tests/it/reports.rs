//! `/report` and `/export` as documents in the chat (the automatic report:
//! `schedule.rs`).

use chrono::{Days, Utc};

use crate::helpers::*;

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Tashkent)
        .date_naive()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_gets_the_pdf_report_in_his_language() {
    let bot = TestBot::start().await;
    let admin = user_in(ADMIN, "Aziza", "uz");
    bot.ask(&admin, "/link 123 9876").await;

    let sent = bot.ask(&admin, "/report").await;
    let (name, pdf) = document(&bot, &sent);
    let first = today() - Days::new(6);
    assert_eq!(name, format!("report-{first}-{}.pdf", today()));
    assert_eq!(
        sent.document.as_ref().unwrap().mime_type.as_deref(),
        Some("application/pdf")
    );
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let title = startlink_report::labels(startlink_core::lang::Lang::Uz).title;
    assert!(
        pdf_text(&pdf).contains(title),
        "the Uzbek heading {title:?} is in the PDF"
    );
    assert!(
        text(&sent).contains(&first.to_string()),
        "the caption names the period"
    );

    let sent = bot.ask(&admin, "/report 2026-11-01 2026-11-30").await;
    assert_eq!(document(&bot, &sent).0, "report-2026-11-01-2026-11-30.pdf");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_and_exports_are_for_admins_and_bad_arguments_get_usage() {
    let bot = TestBot::start().await;
    let operator = user(OPERATOR, "Operator");
    let stranger = user(7, "Stranger");
    for (who, command) in [
        (&operator, "/report"),
        (&operator, "/export"),
        (&stranger, "/report 30d"),
        (&stranger, "/export events"),
    ] {
        let answer = bot.ask(who, command).await;
        assert_eq!(text(&answer), uz().admins_only, "{command} by {}", who.id);
        assert!(answer.document.is_none());
    }

    let admin = user_in(ADMIN, "Aziza", "uz");
    for command in [
        "/report yesterday",
        "/report 2026-11-30 2026-11-01",
        "/report 2026-11-01",
    ] {
        let answer = bot.ask(&admin, command).await;
        assert!(answer.document.is_none(), "{command}");
        assert!(
            text(&answer).starts_with(head(uz().usage_report)),
            "{command}: {}",
            text(&answer)
        );
    }
    let answer = bot.ask(&admin, "/export users").await;
    assert!(text(&answer).starts_with(head(uz().usage_export)));

    let english = user_in(ADMIN, "Aziza", "en");
    let answer = bot.ask(&english, "/report 14d").await;
    assert!(text(&answer).starts_with("Usage:"), "{}", text(&answer));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_exports_links_and_events_as_xlsx() {
    let bot = TestBot::start().await;
    let admin = user_in(ADMIN, "Aziza", "en");
    bot.ask(&admin, "/link 123 9876").await;
    bot.ask(&admin, "/link 124 9877").await;

    let sent = bot.ask(&admin, "/export links").await;
    let (name, xlsx) = document(&bot, &sent);
    assert_eq!(name, "links.xlsx");
    assert!(xlsx.starts_with(b"PK"), "an XLSX (ZIP) file");
    assert!(text(&sent).contains("2 rows"), "{}", text(&sent));

    let sent = bot.ask(&admin, "/export").await;
    assert_eq!(document(&bot, &sent).0, "links.xlsx", "links by default");

    let sent = bot.ask(&admin, "/export events").await;
    let (name, xlsx) = document(&bot, &sent);
    assert_eq!(name, "events.xlsx");
    assert!(xlsx.starts_with(b"PK"));
    bot.stop().await;
}
