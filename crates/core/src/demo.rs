//! Demo data: campaigns, Telegram users, links of every kind and their opens,
//! generated deterministically from a seed and written in large batches, for
//! trying the panel and for benchmarks at scale (`startlink demo-data`).
//!
//! The rows agree with each other as `links::open` would have left them: a
//! one-time order link is redeemed by its first opener and answers
//! `already_used` or `already_yours` afterwards, a campaign counts each user
//! once, opens after a link's expiry are `expired`, a revoked link's opens are
//! `revoked`, and `use_count` equals the redemptions. Simplified: an event is
//! `new_user` on the first open generated for its user (not necessarily the
//! earliest), and users' first-seen times are random in the period. Existing
//! rows are kept; new users get ids above every existing one.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, Func, OnConflict};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QuerySelect,
    TransactionTrait,
};

use crate::campaigns::entity as campaign_entity;
use crate::events::Outcome;
use crate::events::entity as event_entity;
use crate::links::entity as link_entity;
use crate::links::open::redemption;
use crate::links::{LinkKey, LinkKind};
use crate::time;
use crate::users::entity as user_entity;

/// Links written per statement (19 columns each: well under SQLite's 32,766
/// bound variables and PostgreSQL's 65,535).
const LINK_BATCH: usize = 500;
/// Events and other narrow rows written per statement.
const ROW_BATCH: usize = 2_000;
/// First Telegram id of generated users when the table is empty.
const FIRST_USER_ID: i64 = 1_000_000_000;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSpec {
    pub links: u64,
    pub events: u64,
    /// Spread over this many days before now.
    pub days: u32,
    /// Same seed, same data (but for the link keys, which are always random).
    pub seed: u64,
}

impl Default for DemoSpec {
    fn default() -> Self {
        Self {
            links: 1_000,
            events: 10_000,
            days: 90,
            seed: 1,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub campaigns: u64,
    pub users: u64,
    pub links: u64,
    pub events: u64,
    pub redemptions: u64,
}

impl DemoReport {
    /// Every row written.
    pub fn rows(&self) -> u64 {
        self.campaigns + self.users + self.links + self.events + self.redemptions
    }
}

/// SplitMix64: small, fast, and the same numbers on every platform.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

const CAMPAIGNS: [(&str, &str, &str); 8] = [
    ("demo-instagram-spring", "instagram", "social"),
    ("demo-telegram-channel", "telegram", "post"),
    ("demo-poster-chilonzor", "poster", "offline"),
    ("demo-poster-yunusobod", "poster", "offline"),
    ("demo-youtube-review", "youtube", "video"),
    ("demo-sms-blast", "sms", "direct"),
    ("demo-qr-flyers", "flyer", "offline"),
    ("demo-partner-blog", "blog", "referral"),
];

const TITLES: [&str; 8] = [
    "Qahva 250 g",
    "Choy to‘plami",
    "Кофе в зёрнах",
    "Gift box",
    "Oʻzbek non",
    "Shirinlik",
    "Набор специй",
    "Summer sale",
];

/// One link to write and how its opens go.
struct PlannedLink {
    key: String,
    kind: LinkKind,
    campaign: Option<(i64, &'static str, &'static str, &'static str)>,
    max_uses: Option<i64>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    referrer: Option<i64>,
    /// Opens, oldest first, each by a user id.
    opens: Vec<(DateTime<Utc>, i64)>,
}

/// Writes demo data; `progress(done, total)` is called after each batch with
/// rows of links and events written so far.
pub async fn seed(
    db: &DatabaseConnection,
    spec: &DemoSpec,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<DemoReport, DbErr> {
    let now = time::now();
    let mut rng = Rng(spec.seed);
    let mut report = DemoReport::default();
    let window = Duration::days(i64::from(spec.days.max(1)));
    let start = now - window;
    let total = spec.links + spec.events;
    if spec.links == 0 {
        // Nothing to open: no campaigns or users without links either.
        return Ok(report);
    }

    let campaigns = write_campaigns(db, start).await?;
    report.campaigns = campaigns.len() as u64;

    // Users: about one per five opens, at least enough for the referrers.
    let referral_links = spec.links / 20;
    let user_count = (spec.events / 5).max(referral_links).max(10);
    let first_id = next_user_id(db).await?;
    let user_id = |i: u64| first_id + i as i64;
    let mut batch = Vec::with_capacity(ROW_BATCH);
    for i in 0..user_count {
        let seen = start + Duration::seconds(rng.below(window.num_seconds() as u64) as i64);
        let referred_by = (referral_links > 0 && i >= referral_links && rng.chance(0.1))
            .then(|| user_id(rng.below(referral_links)));
        let lang = ["uz", "ru", "en"][rng.below(3) as usize];
        batch.push(user_entity::ActiveModel {
            id: Set(user_id(i)),
            username: Set((i % 3 == 0).then(|| format!("demo_user_{i}"))),
            first_name: Set(Some(format!("Demo {i}"))),
            language_code: Set(Some(lang.to_owned())),
            lang: Set(None),
            first_seen_at: Set(seen),
            last_seen_at: Set(seen),
            referred_by: Set(referred_by),
            first_link_id: Set(None),
            first_campaign_id: Set(None),
        });
        if batch.len() == ROW_BATCH {
            user_entity::Entity::insert_many(std::mem::take(&mut batch))
                .exec_without_returning(db)
                .await?;
        }
    }
    if !batch.is_empty() {
        user_entity::Entity::insert_many(batch)
            .exec_without_returning(db)
            .await?;
    }
    report.users = user_count;

    // How many opens each link gets: skewed, a few links take most of them.
    let links = spec.links;
    let mut opens_per_link = vec![0_u32; links as usize];
    // 2 % of opens are of payloads that are no link (written at the end).
    for _ in 0..spec.events - spec.events / 50 {
        let skewed = (rng.unit().powi(3) * links as f64) as usize;
        if let Some(count) = opens_per_link.get_mut(skewed.min(links as usize - 1)) {
            *count += 1;
        }
    }
    if spec.links == 0 {
        opens_per_link.clear();
    }

    let mut seen_users: HashSet<i64> = HashSet::new();
    let mut next_referrer = 0;
    for chunk_start in (0..opens_per_link.len()).step_by(LINK_BATCH) {
        let chunk_end = (chunk_start + LINK_BATCH).min(opens_per_link.len());
        let mut planned = Vec::with_capacity(chunk_end - chunk_start);
        for opens in &opens_per_link[chunk_start..chunk_end] {
            let kind = match rng.below(100) {
                0..=59 => LinkKind::Order,
                60..=94 => LinkKind::Campaign,
                _ if next_referrer < referral_links => LinkKind::Referral,
                _ => LinkKind::Campaign,
            };
            let created_at =
                start + Duration::seconds(rng.below(window.num_seconds() as u64) as i64);
            let life = (now - created_at).num_seconds().max(1) as u64;
            let expires_at = (kind == LinkKind::Order && rng.chance(0.3))
                .then(|| created_at + Duration::seconds(rng.below(life * 2) as i64));
            let revoked_at = (kind != LinkKind::Referral && rng.chance(0.04))
                .then(|| created_at + Duration::seconds(rng.below(life) as i64));
            let referrer = (kind == LinkKind::Referral).then(|| {
                next_referrer += 1;
                user_id(next_referrer - 1)
            });
            let mut times: Vec<(DateTime<Utc>, i64)> = (0..*opens)
                .map(|_| {
                    (
                        time::truncate(created_at + Duration::seconds(rng.below(life) as i64)),
                        user_id(rng.below(user_count)),
                    )
                })
                .collect();
            times.sort();
            planned.push(PlannedLink {
                key: match kind {
                    LinkKind::Referral => LinkKey::generate_referral(),
                    _ => LinkKey::generate(),
                }
                .as_str()
                .to_owned(),
                kind,
                campaign: (kind == LinkKind::Campaign && !campaigns.is_empty())
                    .then(|| campaigns[rng.below(campaigns.len() as u64) as usize]),
                max_uses: match kind {
                    LinkKind::Order => Some(1),
                    LinkKind::Campaign if rng.chance(0.1) => Some(1 + rng.below(50) as i64),
                    _ => None,
                },
                created_at: time::truncate(created_at),
                expires_at: expires_at.map(time::truncate),
                revoked_at: revoked_at.map(time::truncate),
                referrer,
                opens: times,
            });
        }
        let written = write_links(db, &mut rng, planned, &mut seen_users, now).await?;
        report.links += written.links;
        report.events += written.events;
        report.redemptions += written.redemptions;
        progress(report.links + report.events, total);
    }

    // Opens of payloads that are no link: typos, old links, garbage.
    let strays = spec.events.saturating_sub(report.events);
    let mut events = Vec::with_capacity(ROW_BATCH);
    for i in 0..strays {
        let user = user_id(rng.below(user_count));
        let (outcome, payload) = if rng.chance(0.5) {
            (Outcome::NotFound, format!("NoSuchKey{i:03}"))
        } else {
            (Outcome::Invalid, "bad payload!".to_owned())
        };
        events.push(event(
            None,
            user,
            outcome,
            Some(payload),
            seen_users.insert(user),
            start + Duration::seconds(rng.below(window.num_seconds() as u64) as i64),
        ));
        if events.len() == ROW_BATCH {
            report.events += events.len() as u64;
            event_entity::Entity::insert_many(std::mem::take(&mut events))
                .exec_without_returning(db)
                .await?;
            progress(report.links + report.events, total);
        }
    }
    if !events.is_empty() {
        report.events += events.len() as u64;
        event_entity::Entity::insert_many(events)
            .exec_without_returning(db)
            .await?;
    }
    progress(report.links + report.events, total);
    // Bulk inserts bypass `events::record`: recount the hourly opens.
    crate::analytics::rollup::rebuild(db).await?;
    crate::analytics::user_sets::rebuild(db).await?;
    // Fresh statistics for the planner after a bulk load (both engines).
    db.execute_unprepared("ANALYZE").await?;
    Ok(report)
}

fn event(
    link_id: Option<i64>,
    user: i64,
    outcome: Outcome,
    payload: Option<String>,
    new_user: bool,
    at: DateTime<Utc>,
) -> event_entity::ActiveModel {
    event_entity::ActiveModel {
        link_id: Set(link_id),
        tg_user_id: Set(user),
        outcome: Set(outcome.as_str().to_owned()),
        payload: Set(payload),
        new_user: Set(new_user),
        update_id: Set(None),
        at: Set(time::truncate(at)),
        ..Default::default()
    }
}

async fn next_user_id(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let max: Option<Option<i64>> = user_entity::Entity::find()
        .select_only()
        .column_as(
            Expr::from(Func::max(Expr::col(user_entity::Column::Id))),
            "max",
        )
        .into_tuple()
        .one(db)
        .await?;
    Ok(max
        .flatten()
        .map_or(FIRST_USER_ID, |m| m.max(FIRST_USER_ID - 1) + 1))
}

async fn write_campaigns(
    db: &DatabaseConnection,
    at: DateTime<Utc>,
) -> Result<Vec<(i64, &'static str, &'static str, &'static str)>, DbErr> {
    let rows = CAMPAIGNS
        .iter()
        .map(|(name, source, medium)| campaign_entity::ActiveModel {
            name: Set((*name).to_owned()),
            utm_source: Set(Some((*source).to_owned())),
            utm_medium: Set(Some((*medium).to_owned())),
            utm_campaign: Set(Some((*name).trim_start_matches("demo-").to_owned())),
            created_at: Set(time::truncate(at)),
            ..Default::default()
        });
    campaign_entity::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(campaign_entity::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let mut out = Vec::with_capacity(CAMPAIGNS.len());
    for (name, source, medium) in CAMPAIGNS {
        if let Some(found) = crate::campaigns::find_by_name(db, name).await? {
            out.push((found.id, name, source, medium));
        }
    }
    Ok(out)
}

#[derive(Default)]
struct Written {
    links: u64,
    events: u64,
    redemptions: u64,
}

/// Writes one batch of links with their opens and redemptions, in one
/// transaction.
async fn write_links(
    db: &DatabaseConnection,
    rng: &mut Rng,
    planned: Vec<PlannedLink>,
    seen_users: &mut HashSet<i64>,
    now: DateTime<Utc>,
) -> Result<Written, DbErr> {
    // Decide every open's outcome first: it fixes each link's use_count.
    struct Decided {
        events: Vec<(i64, Outcome, DateTime<Utc>, bool)>,
        redeemed: Vec<(i64, DateTime<Utc>)>,
    }
    let mut decided = Vec::with_capacity(planned.len());
    for link in &planned {
        let mut takers: Vec<i64> = Vec::new();
        let mut events = Vec::with_capacity(link.opens.len());
        let mut redeemed = Vec::new();
        for (at, user) in &link.opens {
            let outcome = if link.revoked_at.is_some_and(|r| r <= *at) {
                Outcome::Revoked
            } else if takers.contains(user) {
                Outcome::AlreadyYours
            } else if link.expires_at.is_some_and(|e| e <= *at) {
                Outcome::Expired
            } else if link.max_uses.is_some_and(|m| takers.len() as i64 >= m) {
                Outcome::AlreadyUsed
            } else if link.referrer == Some(*user) {
                // Opening one's own referral link takes nothing.
                Outcome::AlreadyYours
            } else {
                takers.push(*user);
                redeemed.push((*user, *at));
                match link.kind {
                    LinkKind::Order => Outcome::Redeemed,
                    _ => Outcome::Accepted,
                }
            };
            events.push((*user, outcome, *at, seen_users.insert(*user)));
        }
        decided.push(Decided { events, redeemed });
    }

    let txn = db.begin().await?;
    let rows =
        planned.iter().zip(&decided).map(|(link, decided)| {
            let title = matches!(link.kind, LinkKind::Order | LinkKind::Campaign)
                .then(|| TITLES[(rng.next() % TITLES.len() as u64) as usize].to_owned());
            link_entity::ActiveModel {
                key: Set(link.key.clone()),
                kind: Set(link.kind.as_str().to_owned()),
                product_id: Set(
                    (link.kind == LinkKind::Order).then(|| 100 + (rng.next() % 900) as i64)
                ),
                order_log_id: Set(
                    (link.kind == LinkKind::Order).then(|| 10_000 + (rng.next() % 90_000) as i64)
                ),
                attrs: Set(serde_json::json!({})),
                title: Set(title),
                welcome_text: Set(None),
                campaign_id: Set(link.campaign.map(|c| c.0)),
                utm_source: Set(link.campaign.map(|c| c.2.to_owned())),
                utm_medium: Set(link.campaign.map(|c| c.3.to_owned())),
                utm_campaign: Set(link
                    .campaign
                    .map(|c| c.1.trim_start_matches("demo-").to_owned())),
                max_uses: Set(link.max_uses),
                use_count: Set(decided.redeemed.len() as i64),
                expires_at: Set(link.expires_at),
                revoked_at: Set(link.revoked_at.filter(|r| *r <= now)),
                referrer_id: Set(link.referrer),
                created_by: Set(None),
                created_at: Set(link.created_at),
                ..Default::default()
            }
        });
    let inserted = link_entity::Entity::insert_many(rows)
        .exec_with_returning(&txn)
        .await?;
    let ids: HashMap<&str, i64> = inserted.iter().map(|m| (m.key.as_str(), m.id)).collect();

    let mut written = Written {
        links: inserted.len() as u64,
        ..Written::default()
    };
    let mut events = Vec::with_capacity(ROW_BATCH);
    let mut redemptions = Vec::with_capacity(ROW_BATCH);
    for (link, decided) in planned.iter().zip(decided) {
        let Some(&id) = ids.get(link.key.as_str()) else {
            return Err(DbErr::RecordNotFound(format!(
                "demo link {} was not returned by its insert",
                link.key
            )));
        };
        for (user, outcome, at, new_user) in decided.events {
            events.push(event(Some(id), user, outcome, None, new_user, at));
            if events.len() == ROW_BATCH {
                written.events += events.len() as u64;
                event_entity::Entity::insert_many(std::mem::take(&mut events))
                    .exec_without_returning(&txn)
                    .await?;
            }
        }
        for (user, at) in decided.redeemed {
            redemptions.push(redemption::ActiveModel {
                link_id: Set(id),
                tg_user_id: Set(user),
                at: Set(at),
            });
            if redemptions.len() == ROW_BATCH {
                written.redemptions += redemptions.len() as u64;
                redemption::Entity::insert_many(std::mem::take(&mut redemptions))
                    .exec_without_returning(&txn)
                    .await?;
            }
        }
    }
    if !events.is_empty() {
        written.events += events.len() as u64;
        event_entity::Entity::insert_many(events)
            .exec_without_returning(&txn)
            .await?;
    }
    if !redemptions.is_empty() {
        written.redemptions += redemptions.len() as u64;
        redemption::Entity::insert_many(redemptions)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(written)
}
