//! The report for a hand-made shop (opens through `links::open` at known
//! times) and for a seeded demo data set, rendered in uz, ru and en and read
//! back: the key figures equal `analytics::summary`'s (and the hand count),
//! headings are localized, hostile and Unicode titles come out intact, long
//! tables continue under a repeated header, and every page is numbered.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use startlink_core::DatabaseConnection;
use startlink_core::analytics::{self, Filter, Summary, parse_bound};
use startlink_core::demo::{self, DemoSpec};
use startlink_core::events::Outcome;
use startlink_core::lang::Lang;
use startlink_core::links::{self, LinkKind, NewLink};
use startlink_core::users::{TgProfile, TgUserId};
use startlink_report::{ReportError, ReportRequest, labels, render, render_document};

use crate::helpers::{keep_sample, pdf_pages, pdf_text};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| startlink_test_support::TestDb::on(backend) => |test| (&test.db, backend.name());
    a_shop_report_shows_the_figures_headings_and_titles_in_each_language,
    a_long_demo_period_continues_its_tables_under_a_repeated_header,
    a_period_without_data_says_so_in_every_table,
    a_bad_period_is_refused_as_the_callers_error,
}

const TZ: Tz = chrono_tz::Asia::Tashkent;
const SALE_TITLE: &str = r#"<b>"Sale" & 'Co'</b>"#;
const UZBEK_TITLE: &str = "Oʻzbek o‘g‘il № 7 Ёлка";
const CAMPAIGN: &str = "Bahorgi chegirma — Весна №1";
/// A character the embedded font lacks (and a tab): drawn as the font's box,
/// extracted as itself.
const EMOJI_TITLE: &str = "Yoz 📦 □ 🎉\t2026";

/// A local time in March 2026 (day, hour) in the report's zone.
fn march(day: u32, hour: u32) -> DateTime<Utc> {
    local(NaiveDate::from_ymd_opt(2026, 3, day).unwrap(), hour)
}

fn local(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    TZ.from_local_datetime(&date.and_hms_opt(hour, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn user(id: i64) -> TgProfile {
    TgProfile::new(TgUserId::new(id).unwrap())
}

fn long_title() -> String {
    format!(
        "Juda uzun sarlavha: {}",
        "kuzgi mavsum uchun katta chegirma ".repeat(6)
    )
}

async fn open(
    db: &DatabaseConnection,
    key: &str,
    who: TgProfile,
    at: DateTime<Utc>,
    expect: Outcome,
) {
    let opened = links::open(db, key, &who, at).await.unwrap();
    assert_eq!(opened.outcome, expect, "{key} by {:?} at {at}", who.id);
}

async fn create(
    db: &DatabaseConnection,
    kind: LinkKind,
    title: Option<String>,
    campaign: Option<&str>,
    at: DateTime<Utc>,
) -> String {
    let new = NewLink {
        kind: Some(kind),
        title,
        campaign: campaign.map(str::to_owned),
        ..NewLink::default()
    };
    links::create(db, new, at)
        .await
        .unwrap()
        .key
        .as_str()
        .to_owned()
}

/// The shop: its period is March 1–14 (local), the previous one February 15–28.
/// Hand count for the period: 14 opens (7 accepted on campaigns and the
/// referral link, 2 redeemed, 1 already used, 1 already yours, 1 not found,
/// 2 more accepted on the summer campaign), 4 links created (the order,
/// the long one, the summer campaign and Ali's referral link).
async fn seed_shop(db: &DatabaseConnection) {
    let sale = create(
        db,
        LinkKind::Campaign,
        Some(SALE_TITLE.into()),
        Some(CAMPAIGN),
        local(NaiveDate::from_ymd_opt(2026, 2, 10).unwrap(), 9),
    )
    .await;
    let order = create(
        db,
        LinkKind::Order,
        Some(UZBEK_TITLE.into()),
        None,
        march(1, 10),
    )
    .await;
    let long = create(db, LinkKind::Order, Some(long_title()), None, march(1, 11)).await;
    let summer = create(
        db,
        LinkKind::Campaign,
        Some(EMOJI_TITLE.into()),
        Some("Yozgi aksiya"),
        march(1, 12),
    )
    .await;

    // Previous period: two users through the sale.
    for (id, day) in [(106, 20), (107, 21)] {
        let at = local(NaiveDate::from_ymd_opt(2026, 2, day).unwrap(), 15);
        open(db, &sale, user(id), at, Outcome::Accepted).await;
    }
    // This period.
    let mut ali = user(101);
    ali.username = Some("ali_uz".into());
    open(db, &sale, ali, march(2, 10), Outcome::Accepted).await;
    for (id, day) in [(102, 3), (103, 4), (104, 5), (105, 6)] {
        open(db, &sale, user(id), march(day, 10), Outcome::Accepted).await;
    }
    open(db, &order, user(201), march(3, 12), Outcome::Redeemed).await;
    open(db, &order, user(202), march(4, 12), Outcome::AlreadyUsed).await;
    open(db, &order, user(201), march(5, 12), Outcome::AlreadyYours).await;
    open(db, &long, user(301), march(7, 9), Outcome::Redeemed).await;
    open(db, &summer, user(102), march(8, 9), Outcome::Accepted).await;
    open(db, &summer, user(106), march(8, 10), Outcome::Accepted).await;
    let referral = links::referral_for(db, TgUserId::new(101).unwrap(), march(8, 11))
        .await
        .unwrap();
    for id in [401, 402] {
        open(
            db,
            referral.key.as_str(),
            user(id),
            march(9, 10),
            Outcome::Accepted,
        )
        .await;
    }
    open(
        db,
        "ZZZZZZZZZZZZ",
        user(501),
        march(10, 10),
        Outcome::NotFound,
    )
    .await;
}

/// The KPI figures as the test expects them printed (formatted here, apart
/// from the crate): `(label, this period, previous, change, change %)`.
fn kpi_rows(lang: Lang, now: &Summary, before: &Summary) -> Vec<(String, [String; 4])> {
    let labels = labels(lang);
    let k = &labels.kpi;
    let (minus, decimal) = match lang {
        Lang::En => ("−", '.'),
        _ => ("−", ','),
    };
    let signed = |n: i64| match n {
        0 => "0".to_owned(),
        n if n > 0 => format!("+{n}"),
        n => format!("{minus}{}", -n),
    };
    let percent = |c: i64, p: i64| {
        if p == 0 {
            return "—".to_owned();
        }
        let v = (c - p) as f64 / p as f64 * 100.0;
        let text = format!("{:.1}", v.abs()).replace('.', &decimal.to_string());
        let sign = if v > 0.0 {
            "+"
        } else if v < 0.0 {
            minus
        } else {
            ""
        };
        format!("{sign}{text}%")
    };
    let o = (&now.opens_by_outcome, &before.opens_by_outcome);
    [
        (k.links_created, now.links_created, before.links_created),
        (k.links_active, now.links_active, before.links_active),
        (k.links_used, now.links_used, before.links_used),
        (k.links_expired, now.links_expired, before.links_expired),
        (k.links_revoked, now.links_revoked, before.links_revoked),
        (k.opens, now.opens, before.opens),
        (k.redeemed, o.0.redeemed, o.1.redeemed),
        (k.already_yours, o.0.already_yours, o.1.already_yours),
        (k.accepted, o.0.accepted, o.1.accepted),
        (k.already_used, o.0.already_used, o.1.already_used),
        (k.expired, o.0.expired, o.1.expired),
        (k.revoked, o.0.revoked, o.1.revoked),
        (k.not_found, o.0.not_found, o.1.not_found),
        (k.invalid, o.0.invalid, o.1.invalid),
        (k.unique_openers, now.unique_openers, before.unique_openers),
        (k.new_users, now.new_users, before.new_users),
        (
            k.returning_users,
            now.returning_users,
            before.returning_users,
        ),
    ]
    .into_iter()
    .map(|(label, c, p)| {
        (
            label.to_owned(),
            [c.to_string(), p.to_string(), signed(c - p), percent(c, p)],
        )
    })
    .collect()
}

/// Finds the KPI rows in order in `pdftotext -layout` output and checks the
/// four figures after each label.
fn assert_kpi_rows(text: &str, rows: &[(String, [String; 4])], context: &str) {
    let mut lines = text.lines();
    for (label, figures) in rows {
        let line = lines
            .by_ref()
            .find(|l| l.trim_start().starts_with(label.as_str()))
            .unwrap_or_else(|| panic!("{context}: no KPI row {label:?} in\n{text}"));
        let rest: Vec<&str> = line.trim_start()[label.len()..]
            .split_whitespace()
            .collect();
        assert_eq!(
            rest,
            figures.iter().map(String::as_str).collect::<Vec<_>>(),
            "{context}: row {label:?}: {line:?}"
        );
    }
}

fn assert_numbered(text: &str, pages: usize, context: &str) {
    for page in 1..=pages {
        assert!(
            text.contains(&format!("{page} / {pages}")),
            "{context}: no page number {page} / {pages}"
        );
    }
}

async fn a_shop_report_shows_the_figures_headings_and_titles_in_each_language(
    db: &DatabaseConnection,
    engine: &str,
) {
    seed_shop(db).await;
    let (from, to) = (march(1, 0), march(15, 0));
    let generated_at = march(15, 9);
    let now = analytics::summary(db, &Filter::period(from, to), generated_at)
        .await
        .unwrap();
    let before = analytics::summary(
        db,
        &Filter::period(
            local(NaiveDate::from_ymd_opt(2026, 2, 15).unwrap(), 0),
            from,
        ),
        generated_at,
    )
    .await
    .unwrap();
    // The analytics agree with the hand count of `seed_shop`.
    assert_eq!(
        (
            now.opens,
            now.links_created,
            now.new_users,
            now.returning_users
        ),
        (14, 4, 11, 1)
    );
    assert_eq!(
        (
            now.opens_by_outcome.accepted,
            now.opens_by_outcome.redeemed,
            now.opens_by_outcome.not_found
        ),
        (9, 2, 1)
    );
    assert_eq!(before.opens, 2);

    let headings = [
        (
            Lang::Uz,
            [
                "Havolalar boʻyicha hisobot",
                "Asosiy koʻrsatkichlar",
                "Eng koʻp ochilgan 20 ta havola",
                "Taklif qilganlar reytingi",
                "dushanba",
            ],
        ),
        (
            Lang::Ru,
            [
                "Отчёт по ссылкам",
                "Ключевые показатели",
                "Топ-20 ссылок",
                "Рейтинг пригласивших",
                "понедельник",
            ],
        ),
        (
            Lang::En,
            [
                "Deep-link report",
                "Key figures",
                "Top 20 links",
                "Referral leaderboard",
                "Monday",
            ],
        ),
    ];
    for (lang, expected) in headings {
        let context = format!("{engine}/{lang}");
        let mut request = ReportRequest::for_period(from, to, lang, TZ, generated_at);
        request.bot = Some("my_shop_bot".into());
        let report = render_document(db, &request).await.unwrap();
        assert!(report.pdf.starts_with(b"%PDF-"), "{context}");
        let path = keep_sample(&format!("shop-{engine}-{lang}.pdf"), &report.pdf);
        let text = pdf_text(&path);
        for heading in expected {
            assert!(
                text.contains(heading),
                "{context}: no {heading:?} in\n{text}"
            );
        }
        assert_kpi_rows(&text, &kpi_rows(lang, &now, &before), &context);
        for title in [
            SALE_TITLE,
            UZBEK_TITLE,
            CAMPAIGN,
            "@my_shop_bot",
            "@ali_uz",
            "Yozgi aksiya",
            "Yoz 📦 □ 🎉 2026",
        ] {
            assert!(text.contains(title), "{context}: no {title:?} in\n{text}");
        }
        let long = long_title();
        let cut = text
            .lines()
            .find(|l| l.contains("Juda uzun sarlavha"))
            .unwrap_or_else(|| panic!("{context}: the long title is missing"));
        assert!(
            cut.contains('…') && !cut.contains(long.trim_end()),
            "{context}: the long title is cut: {cut:?}"
        );
        // The cover's period and time zone, in local time.
        assert!(
            text.contains("2026-03-01 00:00 — 2026-03-15 00:00"),
            "{context}"
        );
        assert!(
            text.contains("2026-02-15 00:00 — 2026-03-01 00:00"),
            "{context}"
        );
        assert!(text.contains("Asia/Tashkent"), "{context}");
        // The daily table: 14 days, with March 2 (a Monday) and its one open.
        let day = text
            .lines()
            .find(|l| l.contains("2026-03-02"))
            .unwrap_or_else(|| panic!("{context}: no March 2"));
        assert_eq!(
            day.split_whitespace().last(),
            Some("1"),
            "{context}: {day:?}"
        );
        assert!(text.contains("2026-03-14"), "{context}");
        // Referrals: Ali brought 401 and 402, both active in the 7 days before `generated_at`.
        let ali = text.lines().find(|l| l.contains("@ali_uz")).unwrap();
        assert!(
            ali.split_whitespace()
                .collect::<Vec<_>>()
                .ends_with(&["101", "2", "2"]),
            "{context}: {ali:?}"
        );

        let pages = pdf_pages(&path);
        assert_eq!(pages, report.pages, "{context}");
        assert!((4..=10).contains(&pages), "{context}: {pages} pages");
        assert_numbered(&text, pages, &context);
    }
}

async fn a_long_demo_period_continues_its_tables_under_a_repeated_header(
    db: &DatabaseConnection,
    engine: &str,
) {
    let spec = DemoSpec {
        links: 400,
        events: 4_000,
        days: 150,
        seed: 7,
    };
    demo::seed(db, &spec, &mut |_, _| {}).await.unwrap();
    let generated_at = Utc::now() + Duration::minutes(1);
    let to = generated_at;
    let from = parse_bound(
        "from",
        &(to - Duration::days(140))
            .with_timezone(&TZ)
            .format("%Y-%m-%d")
            .to_string(),
        TZ,
    )
    .unwrap();
    let now = analytics::summary(db, &Filter::period(from, to), generated_at)
        .await
        .unwrap();
    let previous = Filter::period(from, to).previous_period().unwrap();
    let before = analytics::summary(db, &previous, generated_at)
        .await
        .unwrap();
    assert!(
        now.opens > 1_000,
        "the demo has enough opens to group digits: {}",
        now.opens
    );

    let request = ReportRequest::for_period(from, to, Lang::En, TZ, generated_at);
    let report = render_document(db, &request).await.unwrap();
    let path = keep_sample(&format!("demo-{engine}-en.pdf"), &report.pdf);
    let text = pdf_text(&path);
    let opens = text
        .lines()
        .find(|l| {
            let mut words = l.split_whitespace();
            words.next() == Some("Opens")
                && words
                    .next()
                    .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        })
        .unwrap();
    let grouped = |n: i64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    let figures: Vec<&str> = opens.split_whitespace().skip(1).take(2).collect();
    assert_eq!(
        figures,
        [grouped(now.opens), grouped(before.opens)],
        "{opens:?}"
    );
    assert!(
        text.contains("Opens by day (continued)"),
        "141 days do not fit one page"
    );
    let headers = text.lines().filter(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        words == ["Date", "Weekday", "Opens"]
    });
    assert!(
        headers.count() >= 3,
        "the daily header repeats on every page the table reaches"
    );
    let pages = pdf_pages(&path);
    assert_eq!(pages, report.pages);
    assert!((8..=20).contains(&pages), "{pages} pages");
    assert_numbered(&text, pages, engine);

    let uz = render(
        db,
        &ReportRequest {
            lang: Lang::Uz,
            ..request
        },
    )
    .await
    .unwrap();
    let text = pdf_text(&keep_sample(&format!("demo-{engine}-uz.pdf"), &uz));
    assert!(
        text.contains("Kunlar boʻyicha ochilishlar (davomi)"),
        "{engine}"
    );
}

async fn a_period_without_data_says_so_in_every_table(db: &DatabaseConnection, engine: &str) {
    let (from, to) = (march(1, 0), march(8, 0));
    let request = ReportRequest::for_period(from, to, Lang::Ru, TZ, march(8, 1));
    let pdf = render(db, &request).await.unwrap();
    let path = keep_sample(&format!("empty-{engine}-ru.pdf"), &pdf);
    let text = pdf_text(&path);
    assert_eq!(
        text.matches("Нет данных за этот период.").count(),
        3 + 1,
        "top links, campaigns, referrers and the campaign chart"
    );
    assert!(text.contains("не указан"), "no bot name");
    let day = text.lines().find(|l| l.contains("2026-03-07")).unwrap();
    assert!(
        day.contains("суббота") && day.trim_end().ends_with('0'),
        "{day:?}"
    );
    assert_numbered(&text, pdf_pages(&path), engine);
}

async fn a_bad_period_is_refused_as_the_callers_error(db: &DatabaseConnection, _engine: &str) {
    let mut request =
        ReportRequest::for_period(march(1, 0), march(8, 0), Lang::En, TZ, march(8, 1));
    request.filter.to = None;
    let error = render(db, &request).await.unwrap_err();
    assert!(
        matches!(error, ReportError::OpenPeriod) && error.is_invalid_input(),
        "{error}"
    );
    request.filter.from = Some(march(9, 0));
    request.filter.to = Some(march(8, 0));
    let error = render(db, &request).await.unwrap_err();
    assert!(error.is_invalid_input(), "{error}");
    assert!(error.to_string().starts_with("from: "), "{error}");
    request.filter.from = Some(march(1, 0) - Duration::weeks(998));
    request.filter.to = Some(march(1, 0) + Duration::days(1));
    let error = render(db, &request).await.unwrap_err();
    assert!(
        matches!(error, ReportError::PeriodTooLong) && error.is_invalid_input(),
        "{error}"
    );
}
