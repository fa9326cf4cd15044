//! XLSX read back with calamine (an independent reader) and its XML inspected.

use std::io::{Cursor, Read as _};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use startlink_core::DatabaseConnection;
use startlink_core::analytics::{Filter, SelectionText};
use startlink_core::lang::Lang;
use startlink_export::{Dataset, ExportRequest, Format};

use crate::csv_files::parse;
use crate::shop::{self, HYPERLINK, MULTILINE, SCRIPT, SIGNS, UNICODE};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    links_read_back_with_types_localized_headers_and_exact_text,
    events_continue_on_numbered_sheets_past_the_row_limit,
    all_has_a_summary_then_a_sheet_each_in_the_chosen_language,
    the_summary_counts_what_the_filters_select,
    xlsx_shows_words_where_csv_keeps_codes,
}

type Book = Xlsx<Cursor<Vec<u8>>>;

fn open(bytes: Vec<u8>) -> Book {
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

fn rows(book: &mut Book, sheet: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(sheet).unwrap();
    assert_eq!(range.start(), Some((0, 0)), "{sheet} starts at A1");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(s: &str) -> Data {
    Data::String(s.to_owned())
}

fn serial(cell: &Data) -> f64 {
    match cell {
        Data::DateTime(dt) if dt.is_datetime() => dt.as_f64(),
        other => panic!("expected a date-time cell, got {other:?}"),
    }
}

/// The summary sheet's rows as (label, value).
fn summary_figures(book: &mut Book) -> Vec<(String, Data)> {
    rows(book, "summary")
        .into_iter()
        .map(|row| match &row[0] {
            Data::String(label) => (label.clone(), row[1].clone()),
            other => panic!("label is not text: {other:?}"),
        })
        .collect()
}

fn figure(figures: &[(String, Data)], label: &str) -> Data {
    figures
        .iter()
        .find(|(l, _)| l == label)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("no {label:?} in {figures:?}"))
}

/// The sheet's XML, as Excel reads it.
fn sheet_xml(bytes: &[u8], n: usize) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name(&format!("xl/worksheets/sheet{n}.xml"))
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

async fn links_read_back_with_types_localized_headers_and_exact_text(db: &DatabaseConnection) {
    let shop = shop::seed(db).await;
    let request = shop.request(Dataset::Links, Format::Xlsx);
    let (bytes, summary) = shop::run(db, &request).await;
    assert_eq!(summary.rows(), 5);

    let xml = sheet_xml(&bytes, 1);
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "header row frozen: {xml:.600}"
    );
    assert!(
        xml.contains(r#"<autoFilter ref="A1:T6"/>"#),
        "autofilter over header and rows"
    );
    assert!(
        xml.contains(r#"<col min="7" max="7" width="30.7109375""#),
        "title column is wide: {xml:.900}"
    );
    assert!(!xml.contains("<f>"), "no cell is a formula");

    let mut book = open(bytes);
    assert_eq!(book.sheet_names(), ["links"]);
    let formulas = book.worksheet_formula("links").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formulas"
    );
    let rows = rows(&mut book, "links");
    let header: Vec<Data> = [
        "Kalit",
        "Havola",
        "Turi",
        "Holati",
        "Mahsulot ID",
        "Buyurtma ID",
        "Sarlavha",
        "Salomlashuv matni",
        "Kampaniya",
        "UTM manbasi",
        "UTM kanali",
        "UTM kampaniyasi",
        "Foydalanish chegarasi",
        "Foydalanilgan",
        "Amal qilish muddati",
        "Bekor qilingan vaqt",
        "Taklif qiluvchi ID",
        "Yaratgan (ID)",
        "Yaratilgan vaqt",
        "Atributlar (JSON)",
    ]
    .into_iter()
    .map(text)
    .collect();
    assert_eq!(rows[0], header);
    assert_eq!(rows.len(), 6, "header and five links");

    let l1 = &rows[1];
    assert_eq!(l1[0], text(&shop.keys[0]));
    assert_eq!(
        l1[1],
        text(&format!("https://t.me/shop_bot?start={}", shop.keys[0]))
    );
    assert_eq!(l1[2], text("buyurtma"), "kinds in the workbook's language");
    assert_eq!(l1[3], text("ishlatilgan"), "statuses too");
    assert_eq!(l1[4], Data::Float(123.0), "ids are numbers");
    assert_eq!(l1[5], Data::Float(9876.0));
    assert_eq!(l1[6], text(HYPERLINK), "a formula-like title is text");
    assert_eq!(l1[7], text(SCRIPT));
    assert_eq!(l1[12], Data::Float(1.0));
    assert_eq!(l1[13], Data::Float(1.0), "counts are numbers");
    assert_eq!(l1[14], Data::Empty, "no expiry");
    assert_eq!(l1[17], Data::Float(111.0));
    // 2026-03-01 10:00 UTC is 15:00 in Tashkent; Excel's day 46082 is 2026-03-01.
    assert_eq!(serial(&l1[18]), 46082.625);
    assert_eq!(l1[19], text(r#"{"shelf":"A3"}"#));

    let l2 = &rows[2];
    assert_eq!(l2[2], text("kampaniya"));
    assert_eq!(l2[3], text("faol"));
    assert_eq!(l2[6], text(UNICODE), "Uzbek, Cyrillic and emoji byte-exact");
    assert_eq!(
        l2[7],
        text(MULTILINE),
        "quotes, commas, CR LF and tabs byte-exact"
    );
    assert_eq!(l2[8], text("spring"));
    assert_eq!(l2[12], Data::Empty, "unlimited");
    assert_eq!(rows[3][3], text("muddati oʻtgan"));
    assert_eq!(serial(&rows[3][14]), 46085.625, "expiry in Tashkent time");
    assert_eq!(rows[4][3], text("bekor qilingan"));
    assert_eq!(rows[4][6], text(SIGNS), "a literal _x0041_ survives");
    assert_eq!(serial(&rows[4][15]), 46087.625);
    assert_eq!(rows[5][2], text("taklif"));
    assert_eq!(rows[5][16], Data::Float(500.0));
}

async fn events_continue_on_numbered_sheets_past_the_row_limit(db: &DatabaseConnection) {
    let shop = shop::seed(db).await;
    let mut request = shop.request(Dataset::Events, Format::Xlsx);
    request.max_rows_per_sheet = 3;
    request.page_size = 2;
    request.lang = Lang::En;
    let (bytes, summary) = shop::run(db, &request).await;
    let names: Vec<(&str, u64)> = summary
        .sheets
        .iter()
        .map(|s| (s.name.as_str(), s.rows))
        .collect();
    assert_eq!(names, [("events", 2), ("events (2)", 2), ("events (3)", 2)]);

    let mut book = open(bytes);
    assert_eq!(book.sheet_names(), ["events", "events (2)", "events (3)"]);
    let mut ids = Vec::new();
    let mut all = Vec::new();
    for sheet in ["events", "events (2)", "events (3)"] {
        let rows = rows(&mut book, sheet);
        assert_eq!(rows.len(), 3, "{sheet}: header and two rows");
        assert_eq!(
            rows[0],
            [
                "ID",
                "Link key",
                "Telegram ID",
                "Outcome",
                "Start payload",
                "New user",
                "At"
            ]
            .map(text)
            .to_vec(),
            "{sheet} repeats the header"
        );
        for row in &rows[1..] {
            match row[0] {
                Data::Float(id) => ids.push(id),
                ref other => panic!("id is not a number: {other:?}"),
            }
            all.push(row.clone());
        }
    }
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "id order across sheets: {ids:?}"
    );
    let outcomes: Vec<&Data> = all.iter().map(|r| &r[3]).collect();
    assert_eq!(
        outcomes,
        [
            "redeemed",
            "already used",
            "accepted",
            "accepted",
            "not found",
            "accepted"
        ]
        .map(text)
        .iter()
        .collect::<Vec<_>>()
    );
    assert_eq!(all[0][5], Data::Bool(true), "booleans are booleans");
    assert_eq!(all[3][5], Data::Bool(false));
    assert_eq!(all[4][1], Data::Empty, "no link");
    assert_eq!(all[4][4], text("NoSuchKey123"));
    assert_eq!(all[2][2], Data::Float(1003.0));
    // 2026-03-02 23:30 UTC is 2026-03-03 04:30 in Tashkent.
    assert_eq!(serial(&all[2][6]), 46084.0 + 4.5 / 24.0);
}

async fn all_has_a_summary_then_a_sheet_each_in_the_chosen_language(db: &DatabaseConnection) {
    let shop = shop::seed(db).await;
    let mut request = shop.request(Dataset::All, Format::Xlsx);
    request.lang = Lang::Ru;
    let (bytes, summary) = shop::run(db, &request).await;
    let names: Vec<(&str, u64)> = summary
        .sheets
        .iter()
        .map(|s| (s.name.as_str(), s.rows))
        .collect();
    assert_eq!(
        names,
        [("links", 5), ("events", 6), ("users", 5), ("campaigns", 2)]
    );

    let mut book = open(bytes);
    assert_eq!(
        book.sheet_names(),
        ["summary", "links", "events", "users", "campaigns"]
    );
    let links = rows(&mut book, "links");
    assert_eq!(links[0][0], text("Ключ"));
    assert_eq!(links[1][2..4], [text("заказ"), text("использована")]);
    let events = rows(&mut book, "events");
    assert_eq!(events[2][3], text("уже использована"));

    let figures = summary_figures(&mut book);
    let figure = |label: &str| figure(&figures, label);
    assert_eq!(figure("Показатель"), text("Значение"));
    assert_eq!(figure("Часовой пояс"), text("Asia/Tashkent"));
    assert_eq!(serial(&figure("Сформирован")), 46092.625);
    assert_eq!(
        figure("Показатели"),
        text("за выбранный период, с фильтрами")
    );
    for (label, n) in [
        ("Создано ссылок", 5.0),
        ("Активные ссылки", 2.0),
        ("Использованные ссылки", 1.0),
        ("Истёкшие ссылки", 1.0),
        ("Отозванные ссылки", 1.0),
        ("Всего открытий", 6.0),
        ("Открытия: заказ получен", 1.0),
        ("Открытия: уже использована", 1.0),
        ("Открытия: засчитано", 3.0),
        ("Открытия: не найдена", 1.0),
        ("Открытия: неверная", 0.0),
        ("Уникальные пользователи", 5.0),
        ("Новые пользователи", 5.0),
        ("Вернувшиеся пользователи", 0.0),
        ("Конверсия (засчитано / переходы)", 0.8),
        ("Строк: events", 6.0),
        ("Строк: users", 5.0),
    ] {
        assert_eq!(figure(label), Data::Float(n), "{label}");
    }

    let users = rows(&mut book, "users");
    assert_eq!(users[0][0], text("Telegram ID"));
    assert_eq!(users[0][2], text("Имя"));
    let first = users.iter().find(|r| r[0] == Data::Float(1003.0)).unwrap();
    assert_eq!(first[1], text("user1003"));
    assert_eq!(first[8], text(&shop.keys[1]), "the link that brought him");
    assert_eq!(first[9], text("spring"));
    assert_eq!(serial(&first[5]), 46084.0 + 4.5 / 24.0);
    let referred = users.iter().find(|r| r[0] == Data::Float(1005.0)).unwrap();
    assert_eq!(referred[7], Data::Float(500.0));

    let campaigns = rows(&mut book, "campaigns");
    assert_eq!(
        campaigns[0],
        [
            "ID",
            "Название",
            "UTM-источник",
            "UTM-канал",
            "UTM-кампания",
            "Создана",
            "Ссылки",
            "Открытия",
            "Новые пользователи"
        ]
        .map(text)
        .to_vec()
    );
    assert_eq!(campaigns[1][1], text("spring"));
    assert_eq!(
        campaigns[1][6..],
        [Data::Float(1.0), Data::Float(2.0), Data::Float(1.0)]
    );
    assert_eq!(campaigns[2][1], text("autumn"));
    assert_eq!(
        campaigns[2][6..],
        [Data::Float(1.0), Data::Float(0.0), Data::Float(0.0)]
    );
}

async fn the_summary_counts_what_the_filters_select(db: &DatabaseConnection) {
    let shop = shop::seed(db).await;
    // Each case: the filters, then what the selected data holds — links
    // created, opens, opens by outcome (redeemed, already used, accepted, not
    // found), unique openers, new users, returning users, conversion.
    let cases = [
        (
            // From midnight of 2 March in Tashkent (1 March 19:00 UTC): L2
            // only, opened by 1003 (new) and 1001 (first seen 1 March 11:00
            // UTC, before the period: returning). The hourly opens answer.
            (
                Some("2026-03-02"),
                None,
                SelectionText {
                    campaign: Some("spring".into()),
                    ..Default::default()
                },
            ),
            [1, 2, 0, 0, 2, 0, 2, 1, 1],
            Data::Float(1.0),
        ),
        (
            // L1, used: a redemption by 1001 and a refusal to 1002, both new
            // through L1. A status is no column of the hourly opens: the
            // events answer.
            (
                None,
                Some("2026-03-05"),
                SelectionText {
                    status: Some("used".into()),
                    ..Default::default()
                },
            ),
            [1, 2, 1, 1, 0, 0, 2, 2, 0],
            Data::Float(0.5),
        ),
        (
            // Nothing before the first link.
            (None, Some("2026-03-01T09:00:00Z"), SelectionText::default()),
            [0, 0, 0, 0, 0, 0, 0, 0, 0],
            Data::Empty,
        ),
    ];
    for (raw, expected, conversion) in cases {
        let mut request = shop.request(Dataset::All, Format::Xlsx);
        request.lang = Lang::En;
        let (from, to, links) = &raw;
        request.filter = Filter::from_text(*from, *to, links, request.timezone).unwrap();
        let (bytes, summary) = shop::run(db, &request).await;
        let mut book = open(bytes);
        let figures = summary_figures(&mut book);
        let n = |label: &str| match figure(&figures, label) {
            Data::Float(n) => n as u64,
            other => panic!("{raw:?}: {label} is {other:?}"),
        };
        assert_eq!(
            figure(&figures, "Figures"),
            text("for the selected period and filters")
        );
        let got = [
            n("Links created"),
            n("Opens, total"),
            n("Opens: redeemed"),
            n("Opens: already used"),
            n("Opens: accepted"),
            n("Opens: not found"),
            n("Unique openers"),
            n("New users"),
            n("Returning users"),
        ];
        assert_eq!(got, expected, "{raw:?}");
        assert_eq!(
            figure(&figures, "Conversion (taken / opens)"),
            conversion,
            "{raw:?}"
        );
        let rows = |sheet: &str| {
            summary
                .sheets
                .iter()
                .find(|s| s.name == sheet)
                .map(|s| s.rows)
                .unwrap()
        };
        assert_eq!(n("Rows: links"), rows("links"), "{raw:?}: the links sheet");
        assert_eq!(n("Links created"), rows("links"), "{raw:?}");
        assert_eq!(n("Opens, total"), rows("events"), "{raw:?}");
        assert_eq!(n("New users"), rows("users"), "{raw:?}");
    }
}

async fn xlsx_shows_words_where_csv_keeps_codes(db: &DatabaseConnection) {
    let shop = shop::seed(db).await;
    for (lang, kind, status, outcome) in [
        (
            Lang::Uz,
            "buyurtma",
            "ishlatilgan",
            "allaqachon ishlatilgan",
        ),
        (Lang::Ru, "заказ", "использована", "уже использована"),
        (Lang::En, "order", "used", "already used"),
    ] {
        let mut request = shop.request(Dataset::All, Format::Xlsx);
        request.lang = lang;
        let (bytes, _) = shop::run(db, &request).await;
        let mut book = open(bytes);
        let links = rows(&mut book, "links");
        assert_eq!(links[1][2..4], [text(kind), text(status)], "{lang:?}");
        let events = rows(&mut book, "events");
        assert_eq!(events[2][3], text(outcome), "{lang:?}");
        let figures = summary_figures(&mut book);
        assert!(
            figures.iter().any(|(label, _)| label.ends_with(outcome)),
            "{lang:?}: the summary names outcomes with the same words: {figures:?}"
        );

        for dataset in [Dataset::Links, Dataset::Events] {
            let mut request = shop.request(dataset, Format::Csv);
            request.lang = lang;
            let (bytes, _) = shop::run(db, &request).await;
            let (header, rows) = parse(&bytes);
            let column = |name: &str| -> Vec<&str> {
                let i = header.iter().position(|h| h == name).unwrap();
                rows.iter().map(|r| r[i].as_str()).collect()
            };
            if dataset == Dataset::Links {
                assert_eq!(
                    column("kind"),
                    ["order", "campaign", "order", "campaign", "referral"],
                    "{lang:?}"
                );
                assert_eq!(
                    column("status"),
                    ["used", "active", "expired", "revoked", "active"],
                    "{lang:?}"
                );
            } else {
                assert_eq!(
                    column("outcome"),
                    [
                        "redeemed",
                        "already_used",
                        "accepted",
                        "accepted",
                        "not_found",
                        "accepted"
                    ],
                    "{lang:?}"
                );
            }
        }
    }
}

/// The web server will run exports on its runtime: the future must be `Send`.
#[allow(dead_code)]
fn the_export_future_is_send(db: &DatabaseConnection, request: &ExportRequest) {
    fn send<T: Send>(_: T) {}
    let mut progress = |_rows: u64| {};
    send(startlink_export::export(
        db,
        request,
        Vec::new(),
        &mut progress,
    ));
}
