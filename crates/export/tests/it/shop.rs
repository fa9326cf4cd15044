//! One small shop, seeded through the link core: five links of every kind and
//! status, six opens (one matching no link), five users, two campaigns.

use chrono::{DateTime, Duration, Utc};
use startlink_core::DatabaseConnection;
use startlink_core::lang::Lang;
use startlink_core::links::{self, BotUsername, LinkBuilder, LinkKind, NewLink, UseLimit};
use startlink_core::users::{TgProfile, TgUserId};
use startlink_export::{Dataset, ExportRequest, ExportSummary, Format};

pub const HYPERLINK: &str = "=HYPERLINK(\"http://x\")";
pub const UNICODE: &str = "Oʻzbekiston gʻalaba — Привет, мир 🎉👍🏽";
pub const MULTILINE: &str = "line1\nline2, \"quoted\"\r\nline3\ttab";
pub const SCRIPT: &str = "<script>alert(1)</script> & 'x'";
pub const SIGNS: &str = "-minus +plus @at _x0041_";

pub struct Shop {
    pub t0: DateTime<Utc>,
    pub now: DateTime<Utc>,
    /// L1 (order, used), L2 (campaign "spring", active), L3 (order, expired),
    /// L4 (campaign "autumn", revoked), L5 (referral of user 500, active).
    pub keys: Vec<String>,
}

/// Text as CSV carries it: keys may start with '-', which is neutralised too.
pub fn csv_text(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn user(id: i64, name: &str) -> TgProfile {
    let mut profile = TgProfile::new(TgUserId::new(id).unwrap());
    profile.first_name = Some(name.to_owned());
    profile.username = Some(format!("user{id}"));
    profile.language_code = Some("uz".into());
    profile
}

pub async fn seed(db: &DatabaseConnection) -> Shop {
    let t0 = at("2026-03-01T10:00:00Z");
    let day = Duration::days(1);
    let l1 = links::create(
        db,
        NewLink {
            kind: Some(LinkKind::Order),
            product_id: Some(123),
            order_log_id: Some(9876),
            title: Some(HYPERLINK.into()),
            welcome_text: Some(SCRIPT.into()),
            created_by: Some(111),
            attrs: Some(serde_json::json!({"shelf": "A3"})),
            ..Default::default()
        },
        t0,
    )
    .await
    .unwrap();
    let l2 = links::create(
        db,
        NewLink {
            kind: Some(LinkKind::Campaign),
            title: Some(UNICODE.into()),
            welcome_text: Some(MULTILINE.into()),
            campaign: Some("spring".into()),
            utm_source: Some("poster".into()),
            utm_medium: Some("print".into()),
            utm_campaign: Some("s26".into()),
            created_by: Some(222),
            ..Default::default()
        },
        t0 + day,
    )
    .await
    .unwrap();
    let l3 = links::create(
        db,
        NewLink {
            product_id: Some(7),
            title: Some(SCRIPT.into()),
            expires_at: Some(t0 + day * 3),
            created_by: Some(111),
            ..Default::default()
        },
        t0 + day * 2,
    )
    .await
    .unwrap();
    let l4 = links::create(
        db,
        NewLink {
            kind: Some(LinkKind::Campaign),
            title: Some(SIGNS.into()),
            campaign: Some("autumn".into()),
            uses: UseLimit::Max(10),
            created_by: Some(222),
            ..Default::default()
        },
        t0 + day * 3,
    )
    .await
    .unwrap();
    let l5 = links::referral_for(
        db,
        TgUserId::new(500).unwrap(),
        t0 + day * 3 + Duration::hours(1),
    )
    .await
    .unwrap();

    let opens = [
        (l1.key.as_str(), 1001, t0 + Duration::hours(1)),
        (l1.key.as_str(), 1002, t0 + Duration::hours(2)),
        // 23:30 UTC: the next day in Tashkent.
        (l2.key.as_str(), 1003, at("2026-03-02T23:30:00Z")),
        (l2.key.as_str(), 1001, t0 + day * 2),
        ("NoSuchKey123", 1004, t0 + day * 2),
        (l5.key.as_str(), 1005, t0 + day * 4),
    ];
    for (payload, id, when) in opens {
        links::open(db, payload, &user(id, "Ali"), when)
            .await
            .unwrap();
    }
    links::revoke(db, &l4.key, t0 + day * 5).await.unwrap();
    Shop {
        t0,
        now: t0 + day * 10,
        keys: [l1, l2, l3, l4, l5]
            .iter()
            .map(|l| l.key.as_str().to_owned())
            .collect(),
    }
}

impl Shop {
    pub fn request(&self, dataset: Dataset, format: Format) -> ExportRequest {
        let mut request = ExportRequest::new(dataset, format, chrono_tz::Asia::Tashkent, self.now);
        request.link_builder = Some(LinkBuilder::new(BotUsername::parse("shop_bot").unwrap()));
        request.lang = Lang::Uz;
        request
    }
}

/// Runs an export into memory; also checks that progress only grows and ends
/// at the row count.
pub async fn run(db: &DatabaseConnection, request: &ExportRequest) -> (Vec<u8>, ExportSummary) {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let summary = startlink_export::export(db, request, &mut out, &mut |rows| seen.push(rows))
        .await
        .unwrap();
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "progress went back: {seen:?}"
    );
    if summary.rows() > 0 {
        assert_eq!(seen.last().copied(), Some(summary.rows()));
    }
    (out, summary)
}
