//! Analytics at scale: seeds N links and M events (bulk inserts in batches,
//! inside transactions) on a SQLite file and, when `BENCH_DATABASE_URL` or
//! `TEST_DATABASE_URL` points to a server, on PostgreSQL; then times each
//! analytics call and prints p50/p95.
//!
//! `cargo bench -p startlink-core --bench analytics`
//! Environment: `BENCH_LINKS` (default 100000), `BENCH_EVENTS` (default 1000000),
//! `BENCH_REPS` (timed runs per call, default 30), `BENCH_SQLITE_PATH` (keep the
//! SQLite file there; an already seeded file is reused), `BENCH_SKIP_SQLITE=1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, InsertStatement, Query};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, TransactionTrait};
use startlink_core::analytics::{self, Bucket, Dimension, Filter, FunnelGroup};
use startlink_core::config::DatabaseUrl;

const DAYS: i64 = 180;
const CAMPAIGNS: i64 = 20;
const CREATORS: i64 = 50;
const BATCH: usize = 1_000;
const PER_TRANSACTION: usize = 50_000;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let links = env("BENCH_LINKS", 100_000);
    let events = env("BENCH_EVENTS", 1_000_000);
    let reps = env("BENCH_REPS", 30).max(1);
    println!("{links} links, {events} events, {reps} timed runs per call\n");
    if std::env::var("BENCH_SKIP_SQLITE").is_err() {
        let dir = tempfile::tempdir().unwrap();
        let path = std::env::var("BENCH_SQLITE_PATH")
            .unwrap_or_else(|_| dir.path().join("bench.db").display().to_string());
        let url = format!("sqlite://{path}?mode=rwc");
        run("SQLite (WAL)", &url, links, events, reps).await;
    }
    match std::env::var("BENCH_DATABASE_URL").or_else(|_| std::env::var("TEST_DATABASE_URL")) {
        Ok(admin_url) => {
            let name = format!("startlink_bench_analytics_{links}_{events}");
            let admin = Database::connect(&admin_url).await.unwrap();
            let exists = admin
                .query_one_raw(sea_orm::Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    "SELECT 1 FROM pg_database WHERE datname = $1",
                    [name.clone().into()],
                ))
                .await
                .unwrap()
                .is_some();
            let keep = std::env::var("BENCH_KEEP_PG").is_ok();
            if exists && !keep {
                admin
                    .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
                    .await
                    .unwrap();
            }
            if !exists || !keep {
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
            }
            let (parsed, _) = DatabaseUrl::parse(&admin_url).unwrap();
            let url = parsed.with_database(&name).expose().to_owned();
            run("PostgreSQL", &url, links, events, reps).await;
            if !keep {
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .unwrap();
            }
        }
        Err(_) => eprintln!("PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL"),
    }
}

async fn run(engine: &str, url: &str, links: usize, events: usize, reps: usize) {
    let (parsed, _) = DatabaseUrl::parse(url).unwrap();
    let db = startlink_core::db::open(&parsed).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 6, 30, 12, 0, 0).unwrap();
    let stored = count(&db, "link_events").await;
    if stored == events as i64 && count(&db, "links").await == links as i64 {
        println!("## {engine}: reusing the seeded database\n");
    } else {
        assert_eq!(
            stored, 0,
            "{engine}: the database has other data; remove it"
        );
        let started = Instant::now();
        seed(&db, links, events, now).await;
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            db.execute_unprepared("VACUUM ANALYZE").await.unwrap();
        } else {
            db.execute_unprepared("ANALYZE").await.unwrap();
        }
        println!(
            "## {engine}: seeded in {:.1} s\n",
            started.elapsed().as_secs_f64()
        );
    }
    let tz = chrono_tz::Asia::Tashkent;
    let last_30 = Filter::period(now - Duration::days(30), now);
    let last_90 = Filter::period(now - Duration::days(90), now);
    let all_time = Filter::default();
    let last_7 = Filter::period(now - Duration::days(7), now);
    let campaign = Filter {
        campaign: Some(analytics::CampaignRef::Name("campaign 3".into())),
        ..last_30.clone()
    };
    println!("| call | p50 ms | p95 ms | max ms |");
    println!("|---|---:|---:|---:|");
    time("summary, 30 days", reps, || {
        analytics::summary(&db, &last_30, now)
    })
    .await;
    time("summary, all time", reps, || {
        analytics::summary(&db, &all_time, now)
    })
    .await;
    time("series, 30 days by day", reps, || {
        analytics::series(&db, &last_30, Bucket::Day, tz, now)
    })
    .await;
    time("series, 90 days by day", reps, || {
        analytics::series(&db, &last_90, Bucket::Day, tz, now)
    })
    .await;
    time("series, 7 days by hour", reps, || {
        analytics::series(&db, &last_7, Bucket::Hour, tz, now)
    })
    .await;
    time("series, 30 days by day, one campaign", reps, || {
        analytics::series(&db, &campaign, Bucket::Day, tz, now)
    })
    .await;
    time("breakdown by campaign, 30 days", reps, || {
        analytics::breakdown(&db, &last_30, Dimension::Campaign, now)
    })
    .await;
    time("breakdown by outcome, 30 days", reps, || {
        analytics::breakdown(&db, &last_30, Dimension::Outcome, now)
    })
    .await;
    time("funnel, 30 days", reps, || {
        analytics::funnel(&db, &last_30, now)
    })
    .await;
    time("funnel, one campaign, 30 days", reps, || {
        analytics::funnel(&db, &campaign, now)
    })
    .await;
    time("funnel by campaign, 30 days", reps, || {
        analytics::funnel_by(&db, &last_30, FunnelGroup::Campaign, 20, now)
    })
    .await;
    time("referral leaderboard, top 20", reps, || {
        analytics::referral_leaderboard(&db, &all_time, 20, now)
    })
    .await;
    time("top links, 30 days", reps, || {
        analytics::top_links(&db, &last_30, 20, now)
    })
    .await;
    time("top campaigns, 30 days", reps, || {
        analytics::top_campaigns(&db, &last_30, 20, now)
    })
    .await;
    println!();
    db.close().await.unwrap();
}

async fn time<F, Fut, T, E>(name: &str, reps: usize, call: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    call().await.unwrap(); // warm the cache
    let mut took: Vec<StdDuration> = Vec::with_capacity(reps);
    for _ in 0..reps {
        let started = Instant::now();
        call().await.unwrap();
        took.push(started.elapsed());
    }
    took.sort();
    let at = |q: f64| took[((took.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    let ms = |d: StdDuration| d.as_secs_f64() * 1e3;
    println!(
        "| {name} | {:.1} | {:.1} | {:.1} |",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(*took.last().unwrap())
    );
}

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let query = Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(Alias::new(table))
        .to_owned();
    db.query_one(&query)
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap()
}

/// SplitMix64, so every run seeds the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % Ord::max(n, 1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

async fn insert_batches(
    db: &DatabaseConnection,
    rows: usize,
    mut make: impl FnMut(usize, &mut InsertStatement),
    table: &str,
    columns: &[&str],
) {
    let mut done = 0;
    while done < rows {
        let txn = db.begin().await.unwrap();
        let end = (done + PER_TRANSACTION).min(rows);
        while done < end {
            let mut insert = Query::insert();
            insert
                .into_table(Alias::new(table))
                .columns(columns.iter().map(|c| Alias::new(*c)));
            for i in done..(done + BATCH).min(end) {
                make(i, &mut insert);
            }
            txn.execute(&insert).await.unwrap();
            done = (done + BATCH).min(end);
        }
        txn.commit().await.unwrap();
    }
}

/// Realistic mixes over 180 days: 70% order links (one use), 25% campaign links
/// (20 campaigns with UTM fields), 5% referral links; half the opens go to
/// campaign links; outcomes mostly redeemed/accepted/already-yours.
async fn seed(db: &DatabaseConnection, links: usize, events: usize, now: DateTime<Utc>) {
    let start = now - Duration::days(DAYS);
    let span = DAYS * 86_400;
    let users = (links / 2).max(1_000);
    let mut rng = Rng(0xA11_5EED);
    insert_batches(
        db,
        CAMPAIGNS as usize,
        |i, q| {
            q.values_panic([
                (i as i64 + 1).into(),
                format!("campaign {i}").into(),
                Some(["instagram", "telegram", "offline"][i % 3]).into(),
                Option::<String>::None.into(),
                Option::<String>::None.into(),
                start.into(),
            ]);
        },
        "campaigns",
        &[
            "id",
            "name",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "created_at",
        ],
    )
    .await;
    // Kinds by index, so events can pick campaign links without a lookup:
    // every fourth link is a campaign link, every twentieth (of the rest) a referral.
    let kind_of = |i: usize| match i % 20 {
        0 | 4 | 8 | 12 | 16 => "campaign",
        19 if i / 20 < users => "referral",
        _ => "order",
    };
    let attrs = serde_json::json!({});
    insert_batches(
        db,
        links,
        |i, q| {
            let kind = kind_of(i);
            let created = start + Duration::seconds(rng.below(span as u64) as i64);
            let campaign = (kind == "campaign" || (kind == "order" && rng.chance(10)))
                .then(|| rng.below(CAMPAIGNS as u64) as i64 + 1);
            let (max_uses, use_count) = match kind {
                "order" => (Some(1_i64), rng.below(2) as i64),
                "campaign" if rng.chance(20) => (Some(100), rng.below(101) as i64),
                _ => (None, rng.below(50) as i64),
            };
            let expires = rng
                .chance(30)
                .then(|| created + Duration::days(rng.below(60) as i64 + 1));
            let revoked = rng.chance(3).then(|| created + Duration::hours(1));
            q.values_panic([
                (i as i64 + 1).into(),
                format!("bench{i:07}").into(),
                kind.into(),
                Some(rng.below(5_000) as i64).into(),
                Some(i as i64).into(),
                attrs.clone().into(),
                Some(format!("link {i}")).into(),
                Option::<String>::None.into(),
                campaign.into(),
                campaign
                    .map(|c| ["instagram", "telegram", "offline"][c as usize % 3])
                    .into(),
                campaign.map(|_| "post").into(),
                campaign.map(|c| format!("spring_{}", c % 4)).into(),
                max_uses.into(),
                use_count.into(),
                expires.into(),
                revoked.into(),
                (kind == "referral").then_some(i as i64 / 20 + 1).into(),
                (!rng.chance(10))
                    .then(|| rng.below(CREATORS as u64) as i64 + 1)
                    .into(),
                created.into(),
            ]);
        },
        "links",
        &[
            "id",
            "key",
            "kind",
            "product_id",
            "order_log_id",
            "attrs",
            "title",
            "welcome_text",
            "campaign_id",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "max_uses",
            "use_count",
            "expires_at",
            "revoked_at",
            "referrer_id",
            "created_by",
            "created_at",
        ],
    )
    .await;
    let referrers = (links / 20).min(users).max(1);
    insert_batches(
        db,
        users,
        |i, q| {
            let first_seen = start + Duration::seconds(rng.below(span as u64) as i64);
            q.values_panic([
                (i as i64 + 1).into(),
                Some(format!("user{i}")).into(),
                Some("Foydalanuvchi").into(),
                Some("uz").into(),
                Option::<String>::None.into(),
                first_seen.into(),
                first_seen.into(),
                rng.chance(10)
                    .then(|| rng.below(referrers as u64) as i64 + 1)
                    .into(),
                Some(rng.below(links as u64) as i64 + 1).into(),
                Option::<i64>::None.into(),
            ]);
        },
        "tg_users",
        &[
            "id",
            "username",
            "first_name",
            "language_code",
            "lang",
            "first_seen_at",
            "last_seen_at",
            "referred_by",
            "first_link_id",
            "first_campaign_id",
        ],
    )
    .await;
    let campaign_links = links.div_ceil(4).max(1);
    insert_batches(
        db,
        events,
        |_, q| {
            let link = if rng.chance(50) {
                // a campaign link: index 4k (k < links/4)
                (rng.below(campaign_links as u64) as usize * 4).min(links - 1)
            } else {
                rng.below(links as u64) as usize
            };
            let outcome = match rng.below(100) {
                0..=29 => "redeemed",
                30..=59 => "accepted",
                60..=79 => "already_yours",
                80..=87 => "already_used",
                88..=92 => "expired",
                93..=95 => "revoked",
                96..=98 => "not_found",
                _ => "invalid",
            };
            let link_id = (!matches!(outcome, "not_found" | "invalid")).then_some(link as i64 + 1);
            let at = start + Duration::seconds(rng.below(span as u64) as i64);
            q.values_panic([
                link_id.into(),
                (rng.below(users as u64) as i64 + 1).into(),
                outcome.into(),
                link_id.is_none().then_some("xyz").into(),
                rng.chance(5).into(),
                Option::<i64>::None.into(),
                at.into(),
            ]);
        },
        "link_events",
        &[
            "link_id",
            "tg_user_id",
            "outcome",
            "payload",
            "new_user",
            "update_id",
            "at",
        ],
    )
    .await;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        for table in ["links", "campaigns"] {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await
            .unwrap();
        }
    }
}
