//! CSV parsed back with the csv crate.

use startlink_core::DatabaseConnection;
use startlink_core::links::CampaignRef;
use startlink_export::{Dataset, ExportError, Format};

use crate::shop::{self, HYPERLINK, MULTILINE, SCRIPT, SIGNS, UNICODE};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    links_parse_back_with_json_names_exact_text_and_neutralised_formulas,
    a_bom_is_written_only_when_asked,
    all_as_csv_and_an_unknown_campaign_fail_before_anything_is_written,
}

/// Header and records of a CSV file.
pub fn parse(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, records)
}

async fn links_parse_back_with_json_names_exact_text_and_neutralised_formulas(
    db: &DatabaseConnection,
) {
    let shop = shop::seed(db).await;
    let (bytes, summary) = shop::run(db, &shop.request(Dataset::Links, Format::Csv)).await;
    assert_eq!(summary.rows(), 5);
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM unless asked");
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("key,url,kind,status,product_id,order_log_id,title,welcome_text,campaign,utm_source,utm_medium,utm_campaign,max_uses,use_count,expires_at,revoked_at,referrer_id,created_by,created_at,attrs\r\n"), "{text:.300}");
    let (header, rows) = parse(&bytes);
    assert_eq!(header.len(), 20);
    assert_eq!(rows.len(), 5);

    let l1 = &rows[0];
    assert_eq!(l1[0], shop::csv_text(&shop.keys[0]));
    assert_eq!(
        l1[1],
        format!("https://t.me/shop_bot?start={}", shop.keys[0])
    );
    assert_eq!(l1[3], "used");
    assert_eq!(l1[4], "123");
    assert_eq!(l1[5], "9876");
    assert_eq!(l1[6], format!("'{HYPERLINK}"), "a formula is neutralised");
    assert_eq!(l1[7], SCRIPT);
    assert_eq!(l1[14], "", "no expiry is an empty field");
    assert_eq!(l1[18], "2026-03-01T15:00:00+05:00", "RFC 3339 in TIMEZONE");
    assert_eq!(l1[19], r#"{"shelf":"A3"}"#);

    let l2 = &rows[1];
    assert_eq!(l2[6], UNICODE, "Uzbek, Cyrillic and emoji byte-exact");
    assert_eq!(
        l2[7], MULTILINE,
        "quotes, commas, CR LF and tabs byte-exact"
    );
    assert_eq!(l2[12], "", "unlimited");
    assert_eq!(rows[2][6], SCRIPT);
    assert_eq!(
        rows[3][6],
        format!("'{SIGNS}"),
        "a leading minus is neutralised"
    );
    assert_eq!(rows[3][15], "2026-03-06T15:00:00+05:00");
    assert_eq!(rows[4][2], "referral");

    // Each kind of neutralised start, on the events' payload column.
    let (bytes, _) = shop::run(db, &shop.request(Dataset::Events, Format::Csv)).await;
    let (header, rows) = parse(&bytes);
    assert_eq!(
        header,
        [
            "id",
            "link_key",
            "tg_user_id",
            "outcome",
            "payload",
            "new_user",
            "at"
        ]
    );
    assert_eq!(rows[0][5], "true");
    assert_eq!(rows[3][5], "false");
    assert_eq!(
        rows[2][6], "2026-03-03T04:30:00+05:00",
        "23:30 UTC is the next day in Tashkent"
    );
    assert_eq!(rows[4][1], "");
    assert_eq!(rows[4][4], "NoSuchKey123");
}

async fn a_bom_is_written_only_when_asked(db: &DatabaseConnection) {
    let shop = shop::seed(db).await;
    let mut request = shop.request(Dataset::Users, Format::Csv);
    let (plain, _) = shop::run(db, &request).await;
    request.bom = true;
    let (with_bom, _) = shop::run(db, &request).await;
    assert_eq!(&with_bom[..3], b"\xEF\xBB\xBF");
    assert_eq!(&with_bom[3..], &plain[..]);
    let (header, rows) = parse(&plain);
    assert_eq!(
        header,
        [
            "id",
            "username",
            "first_name",
            "language_code",
            "lang",
            "first_seen_at",
            "last_seen_at",
            "referred_by",
            "first_link",
            "first_campaign"
        ]
    );
    assert_eq!(rows.len(), 5);
    let referred = rows.iter().find(|r| r[0] == "1005").unwrap();
    assert_eq!(referred[7], "500");
    assert_eq!(referred[8], shop::csv_text(&shop.keys[4]));
}

async fn all_as_csv_and_an_unknown_campaign_fail_before_anything_is_written(
    db: &DatabaseConnection,
) {
    let shop = shop::seed(db).await;
    let mut request = shop.request(Dataset::All, Format::Csv);
    request.bom = true;
    let mut out = Vec::new();
    let error = startlink_export::export(db, &request, &mut out, &mut |_| {})
        .await
        .unwrap_err();
    assert!(matches!(error, ExportError::AllAsCsv), "{error}");
    assert!(error.to_string().contains("only as XLSX"), "{error}");
    assert!(out.is_empty(), "nothing written");

    for format in [Format::Csv, Format::Xlsx] {
        let mut request = shop.request(Dataset::Links, format);
        request.bom = true;
        request.filter.links.campaign = Some(CampaignRef::Name("sprnig".into()));
        let mut out = Vec::new();
        let error = startlink_export::export(db, &request, &mut out, &mut |_| {})
            .await
            .unwrap_err();
        assert!(matches!(error, ExportError::UnknownCampaign(_)), "{error}");
        assert!(out.is_empty(), "nothing written");
    }
}
