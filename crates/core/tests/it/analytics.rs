//! Analytics against a naive recount: a seeded random workload through the real
//! `links::open_update` path, then every figure recomputed here in plain Rust
//! over the rows generated, for many filters, on SQLite and PostgreSQL.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use startlink_core::DatabaseConnection;
use startlink_core::analytics::{
    self, AnalyticsError, Bucket, CampaignRef, Dimension, Filter, FunnelGroup, rollup, user_sets,
};
use startlink_core::events::Outcome;
use startlink_core::links::{
    self, Link, LinkKind, LinkListing, LinkSelection, LinkStatus, NewLink, UseLimit,
};
use startlink_core::users::{self, TgUser, UserFilter};

use crate::helpers::user;

startlink_test_support::backend_suite! {
    worker_threads = 4;
    every_figure_equals_a_naive_recount_of_a_random_workload,
    bad_filters_are_refused_with_the_field_named,
    hourly_counts_equal_a_recount_under_concurrent_opens,
    distinct_users_count_hours_not_folded_yet,
}

/// SplitMix64: a fixed seed gives the same workload on every run and engine.
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
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap()
}

/// An open as `open_update` reported it.
#[derive(Debug, Clone)]
struct Opened {
    link_id: Option<i64>,
    user: i64,
    outcome: Outcome,
    at: DateTime<Utc>,
}

enum Action {
    CreateLink(usize),
    Referral(i64),
    Open,
    Touch(i64),
    Revoke,
}

const CAMPAIGNS: [(&str, &str, &str); 3] = [
    ("Navroʻz 2026", "instagram", "story"),
    ("Poster", "offline", "print"),
    ("Kanal", "telegram", "post"),
];

/// The workload: links of every kind, opens with every outcome, referrals,
/// opens bunched around midnight in Tashkent (19:00 UTC) and Berlin, and around
/// Berlin's clock change (29 March 2026, 01:00 UTC).
async fn workload(db: &DatabaseConnection) -> Vec<Opened> {
    let mut rng = Rng(0x5EED_2026);
    let start = utc(26, 12, 0);
    let span = 5 * 24 * 60;
    let mut actions: Vec<(DateTime<Utc>, Action)> = Vec::new();
    for i in 0..45 {
        let at = start + Duration::minutes(rng.below(span / 2) as i64 + i);
        actions.push((at, Action::CreateLink(i as usize)));
    }
    for referrer in [101, 102, 103, 104] {
        let at = start + Duration::minutes(rng.below(span / 3) as i64);
        actions.push((at, Action::Referral(referrer)));
    }
    for _ in 0..420 {
        let day = 26 + rng.below(5) as u32;
        let at = match rng.below(10) {
            0..=3 => utc(day, 19, 0) + Duration::minutes(rng.below(180) as i64 - 90),
            4..=5 => utc(day, 22, 0) + Duration::minutes(rng.below(180) as i64 - 60),
            6 => utc(29, 1, 0) + Duration::minutes(rng.below(120) as i64 - 60),
            _ => start + Duration::minutes(rng.below(span) as i64),
        };
        let at = at + Duration::seconds(rng.below(60) as i64);
        actions.push((at.max(start + Duration::hours(1)), Action::Open));
    }
    for u in [150, 151, 152, 101] {
        actions.push((
            start + Duration::minutes(rng.below(span) as i64),
            Action::Touch(u),
        ));
    }
    for _ in 0..6 {
        actions.push((
            start + Duration::minutes(rng.below(span) as i64),
            Action::Revoke,
        ));
    }
    actions.sort_by_key(|(at, _)| *at);

    let mut created: Vec<Link> = Vec::new();
    let mut opened = Vec::new();
    let mut update_id = 0_i64;
    for (at, action) in actions {
        match action {
            Action::CreateLink(i) => {
                let kind = if i % 3 == 0 {
                    LinkKind::Campaign
                } else {
                    LinkKind::Order
                };
                let campaign = (kind == LinkKind::Campaign || i % 7 == 1)
                    .then(|| CAMPAIGNS[i % CAMPAIGNS.len()]);
                let new = NewLink {
                    kind: Some(kind),
                    product_id: Some(i as i64),
                    order_log_id: Some(1000 + i as i64),
                    campaign: campaign.filter(|_| i % 5 != 0).map(|c| c.0.to_owned()),
                    utm_source: campaign.map(|c| c.1.to_owned()),
                    utm_medium: campaign.filter(|_| i % 2 == 0).map(|c| c.2.to_owned()),
                    utm_campaign: campaign.map(|_| format!("spring_{}", i % 2)),
                    uses: match i % 4 {
                        0 if kind == LinkKind::Campaign => UseLimit::Max(3),
                        1 => UseLimit::Max(2),
                        _ => UseLimit::KindDefault,
                    },
                    expires_at: match i % 5 {
                        1 => Some(at + Duration::hours(rng.below(48) as i64 + 1)),
                        2 => Some(at + Duration::days(30)),
                        _ => None,
                    },
                    created_by: [None, Some(1), Some(2), Some(3)][i % 4],
                    ..Default::default()
                };
                created.push(links::create(db, new, at).await.unwrap());
            }
            Action::Referral(referrer) => {
                let id = users::TgUserId::new(referrer).unwrap();
                created.push(links::referral_for(db, id, at).await.unwrap());
            }
            Action::Touch(u) => {
                users::touch(db, &user(u), Default::default(), at)
                    .await
                    .unwrap();
            }
            Action::Revoke => {
                if !created.is_empty() {
                    let link = rng.pick(&created).clone();
                    links::revoke(db, &link.key, at).await.unwrap();
                }
            }
            Action::Open => {
                let u = if rng.chance(30) {
                    101 + rng.below(60) as i64
                } else {
                    101 + rng.below(15) as i64
                };
                let payload = match rng.below(20) {
                    0 => "not a payload!".to_owned(),
                    1 => links::LinkKey::generate().as_str().to_owned(),
                    _ if created.is_empty() => "nothing-yet".to_owned(),
                    2 => links::encode_aiogram(&rng.pick(&created).key),
                    _ => rng.pick(&created).key.as_str().to_owned(),
                };
                update_id += 1;
                let update =
                    crate::helpers::stored_update(db, update_id, u, &format!("/start {payload}"))
                        .await;
                let result = links::open_update(db, &payload, &user(u), at, Some(update))
                    .await
                    .unwrap();
                if rng.chance(5) {
                    let again = links::open_update(db, &payload, &user(u), at, Some(update))
                        .await
                        .unwrap();
                    assert!(again.duplicate, "a redelivered update is not counted again");
                }
                opened.push(Opened {
                    link_id: result.link.as_ref().map(|l| l.id),
                    user: u,
                    outcome: result.outcome,
                    at,
                });
            }
        }
    }
    opened
}

/// Everything stored, read back once, and the filter-independent facts.
struct World {
    links: HashMap<i64, Link>,
    opens: Vec<Opened>,
    users: Vec<TgUser>,
    now: DateTime<Utc>,
}

impl World {
    fn link_fields(f: &Filter) -> bool {
        !f.links.is_everything()
    }

    fn link_matches(&self, f: &Filter, link: &Link) -> bool {
        let f = &f.links;
        let contains = |text: Option<&str>, search: &str| {
            text.is_some_and(|t| t.to_lowercase().contains(&search.to_lowercase()))
        };
        let search = f.search.as_deref().is_none_or(|s| {
            contains(Some(link.key.as_str()), s)
                || contains(link.title.as_deref(), s)
                || contains(link.welcome_text.as_deref(), s)
        });
        let campaign = match &f.campaign {
            None => true,
            Some(CampaignRef::Id(id)) => link.campaign_id == Some(*id),
            Some(CampaignRef::Name(name)) => link.campaign.as_deref() == Some(name.as_str()),
        };
        campaign
            && search
            && f.creator.is_none_or(|c| link.created_by == Some(c))
            && f.kind.is_none_or(|k| link.kind == k)
            && f.status.is_none_or(|s| link.status(self.now) == s)
    }

    fn in_period(f: &Filter, at: DateTime<Utc>) -> bool {
        f.from.is_none_or(|from| at >= from) && f.to.is_none_or(|to| at < to)
    }

    /// The open's link matches `f`'s link fields (any open, when there are none).
    fn open_link_matches(&self, f: &Filter, o: &Opened) -> bool {
        !Self::link_fields(f)
            || o.link_id
                .is_some_and(|id| self.link_matches(f, &self.links[&id]))
    }

    fn opens(&self, f: &Filter) -> Vec<&Opened> {
        self.opens
            .iter()
            .filter(|o| Self::in_period(f, o.at) && self.open_link_matches(f, o))
            .collect()
    }

    fn links_created(&self, f: &Filter) -> Vec<&Link> {
        self.links
            .values()
            .filter(|l| Self::in_period(f, l.created_at) && self.link_matches(f, l))
            .collect()
    }

    fn new_users(&self, f: &Filter) -> Vec<&TgUser> {
        self.users
            .iter()
            .filter(|u| Self::in_period(f, u.first_seen_at))
            .filter(|u| {
                !Self::link_fields(f)
                    || u.first_link_id
                        .is_some_and(|id| self.link_matches(f, &self.links[&id]))
            })
            .collect()
    }
}

fn taken(o: &Opened) -> bool {
    matches!(o.outcome, Outcome::Redeemed | Outcome::Accepted)
}

async fn every_figure_equals_a_naive_recount_of_a_random_workload(db: &DatabaseConnection) {
    let opens = workload(db).await;
    // The hourly counts kept by every open (redeliveries included) equal a
    // recount from the events.
    let kept = rollup::stored(db).await.unwrap();
    assert!(!kept.is_empty());
    assert_eq!(kept, rollup::recount(db).await.unwrap());
    let now = utc(31, 12, 0) + Duration::days(3);
    let all_links = links::list(
        db,
        &LinkListing {
            limit: 10_000,
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap()
    .items;
    let (all_users, total) = users::list(
        db,
        &UserFilter {
            limit: 1_000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(all_users.len() as u64, total);
    let world = World {
        links: all_links.into_iter().map(|l| (l.id, l)).collect(),
        opens,
        users: all_users,
        now,
    };

    // The workload reaches every outcome, kind and status.
    for outcome in Outcome::ALL {
        assert!(
            world.opens.iter().any(|o| o.outcome == outcome),
            "no {outcome} open"
        );
    }
    for status in LinkStatus::ALL {
        assert!(
            world.links.values().any(|l| l.status(now) == status),
            "no {status} link"
        );
    }
    assert!(world.users.iter().any(|u| u.referred_by.is_some()));
    let stored = analytics::summary(db, &Filter::default(), now)
        .await
        .unwrap();
    // Every link by status (the dashboard's cards, counted through partial
    // indexes) agrees with each link's own status, with the summary's
    // figures and with the per-creator counts.
    let cards = analytics::link_counts(db, &Filter::default(), now)
        .await
        .unwrap();
    let by_status =
        |s: LinkStatus| world.links.values().filter(|l| l.status(now) == s).count() as i64;
    assert_eq!(cards.total, world.links.len() as i64);
    assert_eq!(cards.active, by_status(LinkStatus::Active));
    assert_eq!(cards.used, by_status(LinkStatus::Used));
    assert_eq!(cards.expired, by_status(LinkStatus::Expired));
    assert_eq!(cards.revoked, by_status(LinkStatus::Revoked));
    assert_eq!(
        (stored.links_created, stored.links_active, stored.links_used),
        (cards.total, cards.active, cards.used)
    );
    assert_eq!(
        (stored.links_expired, stored.links_revoked),
        (cards.expired, cards.revoked)
    );
    let per_creator = analytics::link_counts_by_creator(db, &Filter::default(), now)
        .await
        .unwrap();
    let summed =
        |f: fn(&analytics::LinkCounts) -> i64| per_creator.iter().map(|(_, c)| f(c)).sum::<i64>();
    assert_eq!(summed(|s| s.total), cards.total);
    assert_eq!(summed(|s| s.active), cards.active);
    assert_eq!(summed(|s| s.used), cards.used);
    assert_eq!(summed(|s| s.expired), cards.expired);
    // The summary folded the hourly sets of users: they equal a recount.
    let folded = user_sets::folded_until(db).await.unwrap();
    assert_eq!(
        folded,
        Some(now - Duration::hours(1)),
        "hours up to {now} - 5 min"
    );
    let sets = user_sets::stored(db).await.unwrap();
    assert!(sets.len() > 10, "{} sets", sets.len());
    assert_eq!(sets, user_sets::recount(db).await.unwrap());
    assert_eq!(
        stored.opens,
        world.opens.len() as i64,
        "one event per open, none for redeliveries"
    );

    let tashkent = chrono_tz::Asia::Tashkent;
    let berlin = chrono_tz::Europe::Berlin;
    let by_text = |from: &str, to: &str, tz: Tz| {
        Filter::default()
            .with_period_text(Some(from), Some(to), tz)
            .unwrap()
    };
    let tashkent_days = by_text("2026-03-28", "2026-03-30", tashkent);
    assert_eq!(tashkent_days.from, Some(utc(27, 19, 0)));
    let berlin_days = by_text("2026-03-29", "2026-03-30", berlin);
    assert_eq!(berlin_days.from, Some(utc(28, 23, 0)));
    assert_eq!(berlin_days.to, Some(utc(29, 22, 0)), "a 23-hour day");
    let campaign_id = world.links.values().find_map(|l| l.campaign_id).unwrap();
    let mut filters = vec![
        Filter::default(),
        tashkent_days.clone(),
        berlin_days.clone(),
        by_text(
            "2026-03-27T19:30:00Z",
            "2026-03-29T01:30:00+00:00",
            tashkent,
        ),
        Filter::of(LinkSelection {
            campaign: Some(CampaignRef::Name(CAMPAIGNS[0].0.to_owned())),
            ..LinkSelection::default()
        }),
        tashkent_days.clone().with_links(LinkSelection {
            campaign: Some(CampaignRef::Id(campaign_id)),
            ..LinkSelection::default()
        }),
        Filter::of(LinkSelection::created_by(2)),
        Filter::of(LinkSelection {
            search: Some("a".into()),
            ..LinkSelection::default()
        }),
        tashkent_days.clone().with_links(LinkSelection {
            search: Some("Q".into()),
            kind: Some(LinkKind::Order),
            ..LinkSelection::default()
        }),
        berlin_days.clone().with_links(LinkSelection {
            creator: Some(1),
            kind: Some(LinkKind::Order),
            ..LinkSelection::default()
        }),
    ];
    for kind in LinkKind::ALL {
        filters.push(Filter::of(LinkSelection {
            kind: Some(kind),
            ..LinkSelection::default()
        }));
    }
    for status in LinkStatus::ALL {
        filters.push(tashkent_days.clone().with_links(LinkSelection {
            status: Some(status),
            ..LinkSelection::default()
        }));
    }
    for f in &filters {
        check_summary(db, &world, f).await;
        check_breakdowns(db, &world, f).await;
        check_funnels_and_tops(db, &world, f).await;
        check_referrals(db, &world, f).await;
    }
    for (f, tz) in [
        (&tashkent_days, tashkent),
        (&berlin_days, berlin),
        (&filters[3], tashkent),
        (&filters[9], berlin),
        (&filters[5], tashkent),
        (&filters[8], tashkent),
    ] {
        for bucket in Bucket::ALL {
            check_series(db, &world, f, bucket, tz).await;
        }
    }
    let whole = by_text("2026-03-26", "2026-04-01", berlin);
    for bucket in [Bucket::Hour, Bucket::Day, Bucket::Week] {
        check_series(db, &world, &whole, bucket, berlin).await;
        check_series(db, &world, &whole, bucket, tashkent).await;
    }

    // The previous period of the Tashkent days is the two days before them.
    let previous = tashkent_days.previous_period().unwrap();
    assert_eq!(previous.from, Some(utc(25, 19, 0)));
    check_summary(db, &world, &previous).await;
}

async fn check_summary(db: &DatabaseConnection, w: &World, f: &Filter) {
    let got = analytics::summary(db, f, w.now).await.unwrap();
    let created = w.links_created(f);
    let status = |s| created.iter().filter(|l| l.status(w.now) == s).count() as i64;
    let opens = w.opens(f);
    let by = |o: Outcome| opens.iter().filter(|e| e.outcome == o).count() as i64;
    let openers: BTreeSet<i64> = opens.iter().map(|o| o.user).collect();
    let first_seen: HashMap<i64, DateTime<Utc>> =
        w.users.iter().map(|u| (u.id, u.first_seen_at)).collect();
    let returning = match f.from {
        None => 0,
        Some(from) => openers.iter().filter(|u| first_seen[u] < from).count() as i64,
    };
    let ctx = format!("summary for {f:?}");
    assert_eq!(got.links_created, created.len() as i64, "{ctx}");
    assert_eq!(got.links_active, status(LinkStatus::Active), "{ctx}");
    assert_eq!(got.links_used, status(LinkStatus::Used), "{ctx}");
    assert_eq!(got.links_expired, status(LinkStatus::Expired), "{ctx}");
    assert_eq!(got.links_revoked, status(LinkStatus::Revoked), "{ctx}");
    for outcome in Outcome::ALL {
        assert_eq!(
            got.opens_by_outcome.get(outcome),
            by(outcome),
            "{outcome}: {ctx}"
        );
    }
    assert_eq!(got.opens, opens.len() as i64, "{ctx}");
    assert_eq!(got.unique_openers, openers.len() as i64, "{ctx}");
    assert_eq!(got.new_users, w.new_users(f).len() as i64, "{ctx}");
    assert_eq!(got.returning_users, returning, "{ctx}");
    let of_links = opens.iter().filter(|o| o.link_id.is_some()).count();
    let uses = opens.iter().filter(|o| taken(o)).count();
    let rate = (of_links > 0).then(|| uses as f64 / of_links as f64);
    assert_eq!(got.redemption_rate, rate, "{ctx}");
}

fn dimension_value(link: &Link, by: Dimension) -> Option<String> {
    match by {
        Dimension::Campaign => link.campaign.clone(),
        Dimension::UtmSource => link.utm_source.clone(),
        Dimension::UtmMedium => link.utm_medium.clone(),
        Dimension::UtmCampaign => link.utm_campaign.clone(),
        Dimension::Creator => link.created_by.map(|c| c.to_string()),
        Dimension::Kind => Some(link.kind.as_str().to_owned()),
        Dimension::Outcome => unreachable!(),
    }
}

async fn check_breakdowns(db: &DatabaseConnection, w: &World, f: &Filter) {
    for by in Dimension::ALL {
        let got = analytics::breakdown(db, f, by, w.now).await.unwrap();
        // key -> (opens, uses, links)
        let mut expected: BTreeMap<Option<String>, (i64, i64, Option<i64>)> = BTreeMap::new();
        if by == Dimension::Outcome {
            for o in w.opens(f) {
                let e = expected
                    .entry(Some(o.outcome.as_str().to_owned()))
                    .or_default();
                e.0 += 1;
                e.1 += i64::from(taken(o));
            }
        } else {
            for o in w.opens(f) {
                let Some(id) = o.link_id else { continue };
                let e = expected
                    .entry(dimension_value(&w.links[&id], by))
                    .or_insert((0, 0, Some(0)));
                e.0 += 1;
                e.1 += i64::from(taken(o));
            }
            for l in w.links_created(f) {
                let e = expected
                    .entry(dimension_value(l, by))
                    .or_insert((0, 0, Some(0)));
                e.2 = Some(e.2.unwrap_or(0) + 1);
            }
        }
        let got_map: BTreeMap<Option<String>, (i64, i64, Option<i64>)> = got
            .iter()
            .map(|r| (r.key.clone(), (r.opens, r.uses, r.links)))
            .collect();
        assert_eq!(
            got_map.len(),
            got.len(),
            "groups are distinct: {by:?} {f:?}"
        );
        assert_eq!(got_map, expected, "breakdown by {by:?} for {f:?}");
        assert!(
            got.windows(2).all(|p| p[0].opens >= p[1].opens),
            "most opens first: {got:?}"
        );
        if by == Dimension::Campaign {
            for row in got.iter().filter(|r| r.key.is_some()) {
                let link = w.links.values().find(|l| l.campaign == row.key).unwrap();
                assert_eq!(row.id, link.campaign_id);
            }
        }
    }
}

/// Rows (id, opens, uses) ranked by opens, then id, cut at `limit`.
fn ranked(mut rows: Vec<(i64, i64, i64)>, limit: usize) -> Vec<(i64, i64, i64)> {
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.truncate(limit);
    rows
}

async fn check_funnels_and_tops(db: &DatabaseConnection, w: &World, f: &Filter) {
    let opens: Vec<&Opened> = w
        .opens(f)
        .into_iter()
        .filter(|o| o.link_id.is_some())
        .collect();
    let new_users: Vec<&TgUser> = w
        .new_users(f)
        .into_iter()
        .filter(|u| u.first_link_id.is_some())
        .collect();
    let total = analytics::funnel(db, f, w.now).await.unwrap();
    assert_eq!(total.opens, opens.len() as i64, "funnel {f:?}");
    assert_eq!(
        total.uses,
        opens.iter().filter(|o| taken(o)).count() as i64,
        "funnel {f:?}"
    );
    assert_eq!(total.new_users, new_users.len() as i64, "funnel {f:?}");

    let campaign_of = |link_id: i64| w.links[&link_id].campaign_id;
    for (group, key_of) in [
        (
            FunnelGroup::Link,
            &(|id: i64| Some(id)) as &dyn Fn(i64) -> Option<i64>,
        ),
        (FunnelGroup::Campaign, &campaign_of),
    ] {
        let mut per: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
        for o in &opens {
            if let Some(g) = key_of(o.link_id.unwrap()) {
                let e = per.entry(g).or_default();
                e.0 += 1;
                e.1 += i64::from(taken(o));
            }
        }
        for u in &new_users {
            if let Some(g) = key_of(u.first_link_id.unwrap()) {
                per.entry(g).or_default().2 += 1;
            }
        }
        let rows: Vec<(i64, i64, i64)> = per.iter().map(|(g, (o, t, _))| (*g, *o, *t)).collect();
        let expected = ranked(rows, 7);
        let got = analytics::funnel_by(db, f, group, 7, w.now).await.unwrap();
        let got_rows: Vec<(i64, i64, i64)> = got
            .iter()
            .map(|r| (r.id, r.funnel.opens, r.funnel.uses))
            .collect();
        assert_eq!(got_rows, expected, "funnel by {group:?} for {f:?}");
        for row in &got {
            assert_eq!(row.funnel.new_users, per[&row.id].2, "new users of {row:?}");
            let name = match group {
                FunnelGroup::Link => w.links[&row.id].key.as_str().to_owned(),
                FunnelGroup::Campaign => w
                    .links
                    .values()
                    .find(|l| l.campaign_id == Some(row.id))
                    .and_then(|l| l.campaign.clone())
                    .unwrap(),
            };
            assert_eq!(row.key, name);
        }
        match group {
            FunnelGroup::Link => {
                let top = analytics::top_links(db, f, 7, w.now).await.unwrap();
                let rows: Vec<(i64, i64, i64)> =
                    top.iter().map(|t| (t.link_id, t.opens, t.uses)).collect();
                assert_eq!(rows, expected, "top links for {f:?}");
                for t in &top {
                    let link = &w.links[&t.link_id];
                    assert_eq!((t.key.as_str(), t.kind), (link.key.as_str(), link.kind));
                    assert_eq!(t.campaign, link.campaign);
                }
            }
            FunnelGroup::Campaign => {
                let top = analytics::top_campaigns(db, f, 7, w.now).await.unwrap();
                let rows: Vec<(i64, i64, i64)> = top
                    .iter()
                    .map(|t| (t.campaign_id, t.opens, t.uses))
                    .collect();
                assert_eq!(rows, expected, "top campaigns for {f:?}");
            }
        }
    }
}

async fn check_referrals(db: &DatabaseConnection, w: &World, f: &Filter) {
    let window = w.now - Duration::days(7);
    let mut per: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for u in &w.users {
        let Some(referrer) = u.referred_by else {
            continue;
        };
        if !World::in_period(f, u.first_seen_at) || f.links.creator.is_some_and(|c| c != referrer) {
            continue;
        }
        let active = w
            .opens
            .iter()
            .any(|o| o.user == u.id && o.at >= window && o.at <= w.now);
        let e = per.entry(referrer).or_default();
        e.0 += 1;
        e.1 += i64::from(active);
    }
    let mut expected: Vec<(i64, i64, i64)> = per.into_iter().map(|(r, (j, a))| (r, j, a)).collect();
    expected.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    expected.truncate(3);
    let got = analytics::referral_leaderboard(db, f, 3, w.now)
        .await
        .unwrap();
    let got: Vec<(i64, i64, i64)> = got
        .iter()
        .map(|r| (r.referrer, r.joined, r.active_7d))
        .collect();
    assert_eq!(got, expected, "referrals for {f:?}");
}

/// A bucket named the way people read it: local wall-clock hour with its UTC
/// offset (an hour repeated by a clock change is two buckets), local date, or
/// ISO week.
fn naive_bucket(at: DateTime<Utc>, bucket: Bucket, tz: Tz) -> (NaiveDateTime, i32) {
    let local = at.with_timezone(&tz);
    let offset = *local.offset();
    let offset = chrono::Offset::fix(&offset).local_minus_utc();
    let date = local.date_naive();
    match bucket {
        Bucket::Hour => (date.and_hms_opt(local.hour(), 0, 0).unwrap(), offset),
        Bucket::Day => (date.and_hms_opt(0, 0, 0).unwrap(), 0),
        Bucket::Week => {
            let week = date.iso_week();
            let monday =
                NaiveDate::from_isoywd_opt(week.year(), week.week(), chrono::Weekday::Mon).unwrap();
            (monday.and_hms_opt(0, 0, 0).unwrap(), 0)
        }
    }
}

async fn check_series(db: &DatabaseConnection, w: &World, f: &Filter, bucket: Bucket, tz: Tz) {
    let got = analytics::series(db, f, bucket, tz, w.now).await.unwrap();
    let (from, to) = (f.from.unwrap(), f.to.unwrap());
    let ctx = format!("{bucket:?} series in {tz} for {f:?}");
    let keys: Vec<(NaiveDateTime, i32)> = got
        .iter()
        .map(|p| naive_bucket(p.start, bucket, tz))
        .collect();
    assert_eq!(keys.first(), Some(&naive_bucket(from, bucket, tz)), "{ctx}");
    assert_eq!(
        keys.last(),
        Some(&naive_bucket(to - Duration::microseconds(1), bucket, tz)),
        "{ctx}"
    );
    let distinct: BTreeSet<_> = keys.iter().collect();
    assert_eq!(distinct.len(), keys.len(), "buckets are distinct: {ctx}");
    for pair in got.windows(2) {
        assert_eq!(pair[0].end, pair[1].start, "buckets are contiguous: {ctx}");
        // Every instant in between falls in one of the two (none is skipped).
        let gap = naive_bucket(pair[0].end - Duration::microseconds(1), bucket, tz);
        assert_eq!(gap, naive_bucket(pair[0].start, bucket, tz), "{ctx}");
    }
    let mut expected: HashMap<(NaiveDateTime, i32), i64> = HashMap::new();
    let unbounded = Filter {
        from: None,
        to: None,
        ..f.clone()
    };
    for o in w.opens(&unbounded) {
        *expected.entry(naive_bucket(o.at, bucket, tz)).or_default() += 1;
    }
    for (point, key) in got.iter().zip(&keys) {
        assert_eq!(naive_bucket(point.start, bucket, tz), *key);
        assert_eq!(
            point.opens,
            expected.get(key).copied().unwrap_or(0),
            "{key:?} in {ctx}"
        );
        if bucket == Bucket::Day {
            let hours = (point.end - point.start).num_hours();
            assert!(matches!(hours, 23..=25), "{hours} h day: {ctx}");
        }
    }
    assert!(
        got.iter().any(|p| p.opens > 0),
        "a series with something in it: {ctx}"
    );
}

async fn bad_filters_are_refused_with_the_field_named(db: &DatabaseConnection) {
    let now = utc(10, 0, 0);
    let from_after_to = Filter::period(utc(5, 0, 0), utc(4, 0, 0));
    match analytics::summary(db, &from_after_to, now).await {
        Err(AnalyticsError::Invalid { field: "from", .. }) => {}
        other => panic!("from after to: {other:?}"),
    }
    let unknown = Filter::of(LinkSelection {
        campaign: Some(CampaignRef::Name("nope".into())),
        ..LinkSelection::default()
    });
    let error = analytics::breakdown(db, &unknown, Dimension::Kind, now)
        .await
        .unwrap_err();
    assert!(matches!(error, AnalyticsError::UnknownCampaign(_)) && error.is_invalid_input());
    let no_start = Filter::default();
    let error = analytics::series(db, &no_start, Bucket::Day, chrono_tz::UTC, now)
        .await
        .unwrap_err();
    assert!(error.to_string().starts_with("from: "), "{error}");
    let years = Filter::period(utc(1, 0, 0), utc(1, 0, 0) + Duration::days(3 * 365));
    let error = analytics::series(db, &years, Bucket::Day, chrono_tz::UTC, now)
        .await
        .unwrap_err();
    assert!(error.to_string().starts_with("to: "), "{error}");
    // Every function refuses it the same way.
    assert!(analytics::funnel(db, &from_after_to, now).await.is_err());
    assert!(
        analytics::top_links(db, &from_after_to, 5, now)
            .await
            .is_err()
    );
    assert!(
        analytics::referral_leaderboard(db, &from_after_to, 5, now)
            .await
            .is_err()
    );
    let empty = analytics::summary(db, &Filter::period(utc(4, 0, 0), utc(4, 0, 0)), now)
        .await
        .unwrap();
    assert_eq!(
        (empty.opens, empty.links_created, empty.redemption_rate),
        (0, 0, None)
    );
}

/// Many users open the same campaign link and one-time links at once, some
/// updates delivered twice: the hourly counts kept in each open's transaction
/// equal a recount, and a rebuild changes nothing.
async fn hourly_counts_equal_a_recount_under_concurrent_opens(db: &DatabaseConnection) {
    let at = Utc::now();
    let campaign = links::create(
        db,
        NewLink {
            kind: Some(LinkKind::Campaign),
            campaign: Some("rush".into()),
            ..NewLink::default()
        },
        at,
    )
    .await
    .unwrap();
    let order = links::create(db, NewLink::default(), at).await.unwrap();
    let mut tasks = Vec::new();
    for u in 1..=40_i64 {
        let db = db.clone();
        let keys = [
            campaign.key.as_str().to_owned(),
            order.key.as_str().to_owned(),
        ];
        tasks.push(tokio::spawn(async move {
            for (i, key) in keys.iter().enumerate() {
                let update = Some(
                    crate::helpers::stored_update(
                        &db,
                        u * 10 + i as i64,
                        u,
                        &format!("/start {key}"),
                    )
                    .await,
                );
                links::open_update(&db, key, &user(u), at, update)
                    .await
                    .unwrap();
                if u % 4 == 0 {
                    let again = links::open_update(&db, key, &user(u), at, update)
                        .await
                        .unwrap();
                    assert!(again.duplicate);
                }
            }
            links::open(&db, "NoSuchKey999", &user(u), at)
                .await
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let kept = rollup::stored(db).await.unwrap();
    assert_eq!(kept, rollup::recount(db).await.unwrap());
    let opens: i64 = kept.values().map(|c| c.opens).sum();
    assert_eq!(
        opens, 120,
        "40 users x (campaign, order, unknown), redeliveries once"
    );
    let new_users: i64 = kept.values().map(|c| c.new_users).sum();
    assert_eq!(new_users, 40);
    assert_eq!(rollup::rebuild(db).await.unwrap(), kept.len() as u64);
    assert_eq!(rollup::stored(db).await.unwrap(), kept);
}

/// Unique openers and returning users read the folded hours from the hourly
/// sets and the hours after the watermark from the events: opens just before
/// `now` count at once, folding moves the watermark only over hours that
/// ended five minutes ago, and concurrent figures fold once.
async fn distinct_users_count_hours_not_folded_yet(db: &DatabaseConnection) {
    let t = |h: u32, m: u32| utc(10, h, m);
    let link = links::create(
        db,
        NewLink {
            kind: Some(LinkKind::Campaign),
            campaign: Some("tail".into()),
            ..NewLink::default()
        },
        t(9, 0),
    )
    .await
    .unwrap();
    let open = |u: i64, at: DateTime<Utc>| {
        let key = link.key.as_str().to_owned();
        async move { links::open(db, &key, &user(u), at).await.unwrap() }
    };
    open(1, t(10, 0)).await;
    open(2, t(10, 30)).await;
    open(1, t(11, 10)).await;
    let since_nine = Filter {
        from: Some(t(9, 0)),
        ..Filter::default()
    };
    let figures = |now: DateTime<Utc>, f: Filter| async move {
        let s = analytics::summary(db, &f, now).await.unwrap();
        (s.unique_openers, s.returning_users)
    };
    assert_eq!(figures(t(11, 20), since_nine.clone()).await, (2, 0));
    assert_eq!(user_sets::folded_until(db).await.unwrap(), Some(t(11, 0)));
    // A new user in the unfolded hour, and a period starting mid-hour.
    open(3, t(11, 30)).await;
    assert_eq!(figures(t(11, 40), since_nine.clone()).await, (3, 0));
    let from_quarter_past = Filter {
        from: Some(t(10, 15)),
        to: Some(t(11, 35)),
        ..Filter::default()
    };
    // Of 2 (10:30), 1 (11:10) and 3 (11:30), only 1 was first seen before 10:15.
    assert_eq!(figures(t(11, 40), from_quarter_past.clone()).await, (3, 1));
    let later_hour = Filter::since(t(11, 0)).with_links(LinkSelection {
        campaign: Some(CampaignRef::Name("tail".into())),
        ..LinkSelection::default()
    });
    assert_eq!(figures(t(11, 40), later_hour.clone()).await, (2, 1));
    assert_eq!(user_sets::folded_until(db).await.unwrap(), Some(t(11, 0)));

    // Many figures at once after the next hour settles: one fold, same answers.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (db, f) = (db.clone(), from_quarter_past.clone());
        tasks.push(tokio::spawn(async move {
            let s = analytics::summary(&db, &f, t(13, 0)).await.unwrap();
            (s.unique_openers, s.returning_users)
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), (3, 1));
    }
    assert_eq!(user_sets::folded_until(db).await.unwrap(), Some(t(12, 0)));
    assert_eq!(figures(t(13, 0), later_hour).await, (2, 1));
    let sets = user_sets::stored(db).await.unwrap();
    assert_eq!(sets, user_sets::recount(db).await.unwrap());
    // Opened: 10:00 (users 1, 2) and 11:00 (1, 3); first seen: the same hours.
    assert_eq!(sets.len(), 4, "{sets:?}");
    user_sets::rebuild(db).await.unwrap();
    assert_eq!(user_sets::stored(db).await.unwrap(), sets);
}
