//! The storage suite: written once, run on SQLite and on PostgreSQL.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, Utc};
use startlink_core::DatabaseConnection;
use startlink_core::analytics::{self, Filter};
use startlink_core::events::{self, EventFilter, Outcome};
use startlink_core::links::{
    self, CampaignRef, ExpiryChange, Extension, Link, LinkError, LinkKind, LinkListing,
    LinkSelection, LinkSort, LinkStatus, NewLink, UseLimit, encode_aiogram,
};
use startlink_core::time;
use startlink_core::users::{self, TgProfile, TgUserId};

use crate::helpers::{stored_update, user};

startlink_test_support::backend_suite! {
    worker_threads = 4;
    a_one_time_link_is_redeemed_once_then_already_used_and_already_yours,
    a_hundred_users_racing_for_a_one_time_link_leaves_exactly_one_winner,
    fifty_users_racing_for_ten_uses_take_exactly_ten,
    one_user_clicking_many_times_at_once_takes_one_use,
    a_campaign_link_counts_each_user_once_and_attributes_new_users_first_touch,
    a_capped_campaign_stops_at_its_limit,
    expiry_is_exclusive_at_the_boundary,
    a_revoked_link_answers_revoked_and_revoking_twice_is_harmless,
    extending_gives_new_expiry_and_more_uses_but_not_to_revoked_links,
    a_referral_link_attributes_new_users_once_and_never_to_themselves,
    an_aiogram_encoded_payload_opens_the_link_it_encodes,
    unknown_and_malformed_payloads_are_recorded_as_events,
    hostile_strings_are_stored_and_returned_byte_exact,
    listing_filters_sorts_and_pages,
    stats_by_status_agree_with_each_links_own_status,
    invalid_new_links_are_refused_with_the_field_named,
    migrations_run_once,
    a_redelivered_update_is_counted_once_and_answered_the_same,
    opens_by_day_uses_the_time_zones_day_boundaries,
    a_chosen_language_comes_back_with_every_open,
    lookalike_campaign_names_are_one_campaign_or_refused,
}

async fn lookalike_campaign_names_are_one_campaign_or_refused(db: &DatabaseConnection) {
    let now = time::now();
    let with_campaign = |name: &str| NewLink {
        kind: Some(LinkKind::Campaign),
        campaign: Some(name.to_owned()),
        ..Default::default()
    };
    let spring = links::create(db, with_campaign("Spring"), now)
        .await
        .unwrap();
    for hidden in ["Spring\u{200B}", "Spring\u{200F}", "\u{202E}Spring"] {
        let refused = links::create(db, with_campaign(hidden), now).await;
        assert!(
            matches!(&refused, Err(LinkError::Invalid { field, .. }) if *field == "campaign"),
            "{hidden:?}: {refused:?}"
        );
    }
    let composed = links::create(db, with_campaign("Jos\u{00E9}"), now)
        .await
        .unwrap();
    let decomposed = links::create(db, with_campaign("Jose\u{0301}"), now)
        .await
        .unwrap();
    assert_eq!(composed.campaign, decomposed.campaign);
    assert_eq!(composed.campaign.as_deref(), Some("Jos\u{00E9}"));
    let found = startlink_core::campaigns::find_by_name(db, "Jose\u{0301}")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.name, "Jos\u{00E9}");
    assert_eq!(spring.campaign.as_deref(), Some("Spring"));
}

fn order(product: i64, order: i64) -> NewLink {
    NewLink {
        product_id: Some(product),
        order_log_id: Some(order),
        ..Default::default()
    }
}

async fn events_of(db: &DatabaseConnection, link: &Link) -> Vec<events::Event> {
    events::list(
        db,
        &EventFilter {
            link_id: Some(link.id),
            limit: 10_000,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

async fn reload(db: &DatabaseConnection, link: &Link) -> Link {
    links::find(db, &link.key).await.unwrap().unwrap()
}

async fn a_one_time_link_is_redeemed_once_then_already_used_and_already_yours(
    db: &DatabaseConnection,
) {
    let now = time::now();
    let link = links::create(db, order(123, 9876), now).await.unwrap();
    assert_eq!(link.kind, LinkKind::Order);
    assert_eq!(link.max_uses, Some(1));

    let first = links::open(db, link.key.as_str(), &user(1), now)
        .await
        .unwrap();
    assert_eq!(first.outcome, Outcome::Redeemed);
    assert!(first.new_user);
    let opened = first.link.unwrap();
    assert_eq!(
        (opened.product_id, opened.order_log_id, opened.use_count),
        (Some(123), Some(9876), 1)
    );

    let second = links::open(db, link.key.as_str(), &user(2), now)
        .await
        .unwrap();
    assert_eq!(second.outcome, Outcome::AlreadyUsed);
    let again = links::open(db, link.key.as_str(), &user(1), now)
        .await
        .unwrap();
    assert_eq!(again.outcome, Outcome::AlreadyYours);
    assert!(!again.new_user);

    let link = reload(db, &link).await;
    assert_eq!(link.use_count, 1);
    assert_eq!(link.status(now), LinkStatus::Used);
    let outcomes: Vec<Outcome> = events_of(db, &link)
        .await
        .iter()
        .rev()
        .map(|e| e.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Redeemed,
            Outcome::AlreadyUsed,
            Outcome::AlreadyYours
        ]
    );
}

async fn race(
    db: &DatabaseConnection,
    link: &Link,
    users: impl Iterator<Item = i64>,
) -> HashMap<Outcome, usize> {
    let db = Arc::new(db.clone());
    let tasks: Vec<_> = users
        .map(|id| {
            let db = Arc::clone(&db);
            let key = link.key.clone();
            tokio::spawn(
                async move { links::open(&*db, key.as_str(), &user(id), time::now()).await },
            )
        })
        .collect();
    let mut counts = HashMap::new();
    for task in tasks {
        let opened = task.await.unwrap().unwrap();
        *counts.entry(opened.outcome).or_insert(0) += 1;
    }
    counts
}

async fn a_hundred_users_racing_for_a_one_time_link_leaves_exactly_one_winner(
    db: &DatabaseConnection,
) {
    let link = links::create(db, order(1, 1), time::now()).await.unwrap();
    let counts = race(db, &link, 1..=100).await;
    assert_eq!(counts.get(&Outcome::Redeemed), Some(&1), "{counts:?}");
    assert_eq!(counts.get(&Outcome::AlreadyUsed), Some(&99), "{counts:?}");
    let link = reload(db, &link).await;
    assert_eq!(link.use_count, 1);
    assert_eq!(events_of(db, &link).await.len(), 100);
}

async fn fifty_users_racing_for_ten_uses_take_exactly_ten(db: &DatabaseConnection) {
    let new = NewLink {
        uses: UseLimit::Max(10),
        ..order(2, 2)
    };
    let link = links::create(db, new, time::now()).await.unwrap();
    let counts = race(db, &link, 1_000..1_050).await;
    assert_eq!(counts.get(&Outcome::Redeemed), Some(&10), "{counts:?}");
    assert_eq!(counts.get(&Outcome::AlreadyUsed), Some(&40), "{counts:?}");
    assert_eq!(reload(db, &link).await.use_count, 10);
}

async fn one_user_clicking_many_times_at_once_takes_one_use(db: &DatabaseConnection) {
    let new = NewLink {
        uses: UseLimit::Max(5),
        ..order(3, 3)
    };
    let link = links::create(db, new, time::now()).await.unwrap();
    let counts = race(db, &link, std::iter::repeat_n(77, 20)).await;
    assert_eq!(counts.get(&Outcome::Redeemed), Some(&1), "{counts:?}");
    assert_eq!(counts.get(&Outcome::AlreadyYours), Some(&19), "{counts:?}");
    assert_eq!(reload(db, &link).await.use_count, 1);
    let new_user_events = events_of(db, &link)
        .await
        .iter()
        .filter(|e| e.new_user)
        .count();
    assert_eq!(
        new_user_events, 1,
        "exactly one of the concurrent opens saw a new user"
    );
}

fn campaign(name: &str) -> NewLink {
    NewLink {
        kind: Some(LinkKind::Campaign),
        campaign: Some(name.into()),
        welcome_text: Some("Xush kelibsiz!".into()),
        utm_source: Some("poster".into()),
        ..Default::default()
    }
}

async fn a_campaign_link_counts_each_user_once_and_attributes_new_users_first_touch(
    db: &DatabaseConnection,
) {
    let now = time::now();
    let spring = links::create(db, campaign("spring"), now).await.unwrap();
    let autumn = links::create(db, campaign("autumn"), now).await.unwrap();
    assert_eq!(spring.max_uses, None);
    assert_eq!(spring.campaign.as_deref(), Some("spring"));

    // A user who was seen before any campaign is not attributed to one.
    users::touch(db, &user(9), Default::default(), now)
        .await
        .unwrap();

    for id in [1, 2, 9] {
        let opened = links::open(db, spring.key.as_str(), &user(id), now)
            .await
            .unwrap();
        assert_eq!(opened.outcome, Outcome::Accepted);
        assert_eq!(opened.link.unwrap().campaign.as_deref(), Some("spring"));
    }
    let repeat = links::open(db, spring.key.as_str(), &user(1), now)
        .await
        .unwrap();
    assert_eq!(repeat.outcome, Outcome::AlreadyYours);
    let other = links::open(db, autumn.key.as_str(), &user(1), now)
        .await
        .unwrap();
    assert_eq!(other.outcome, Outcome::Accepted);

    assert_eq!(reload(db, &spring).await.use_count, 3);
    let first = users::find(db, TgUserId::new(1).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.first_link_id, Some(spring.id));
    assert_eq!(first.first_campaign_id, spring.campaign_id);
    let old = users::find(db, TgUserId::new(9).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((old.first_link_id, old.first_campaign_id), (None, None));
}

async fn a_capped_campaign_stops_at_its_limit(db: &DatabaseConnection) {
    let new = NewLink {
        uses: UseLimit::Max(2),
        ..campaign("capped")
    };
    let link = links::create(db, new, time::now()).await.unwrap();
    let outcomes: Vec<Outcome> = {
        let mut v = Vec::new();
        for id in 1..=3 {
            v.push(
                links::open(db, link.key.as_str(), &user(id), time::now())
                    .await
                    .unwrap()
                    .outcome,
            );
        }
        v
    };
    assert_eq!(
        outcomes,
        [Outcome::Accepted, Outcome::Accepted, Outcome::AlreadyUsed]
    );
}

async fn expiry_is_exclusive_at_the_boundary(db: &DatabaseConnection) {
    let now = time::now();
    let expires = now + Duration::hours(24);
    let new = |o| NewLink {
        expires_at: Some(expires),
        ..order(5, o)
    };
    let before = links::create(db, new(1), now).await.unwrap();
    let at = links::create(db, new(2), now).await.unwrap();
    let just_before = expires - Duration::microseconds(1);
    assert_eq!(
        links::open(db, before.key.as_str(), &user(1), just_before)
            .await
            .unwrap()
            .outcome,
        Outcome::Redeemed
    );
    assert_eq!(
        links::open(db, at.key.as_str(), &user(1), expires)
            .await
            .unwrap()
            .outcome,
        Outcome::Expired
    );
    assert_eq!(reload(db, &at).await.use_count, 0);
    // The owner still sees his own order after it expired.
    assert_eq!(
        links::open(
            db,
            before.key.as_str(),
            &user(1),
            expires + Duration::days(1)
        )
        .await
        .unwrap()
        .outcome,
        Outcome::AlreadyYours
    );
    assert_eq!(reload(db, &at).await.status(expires), LinkStatus::Expired);
}

async fn a_revoked_link_answers_revoked_and_revoking_twice_is_harmless(db: &DatabaseConnection) {
    let now = time::now();
    let link = links::create(db, order(6, 6), now).await.unwrap();
    let first = links::revoke(db, &link.key, now).await.unwrap();
    assert!(first.newly_revoked);
    assert_eq!(first.link.revoked_at, Some(now));
    let second = links::revoke(db, &link.key, now + Duration::hours(1))
        .await
        .unwrap();
    assert!(!second.newly_revoked);
    assert_eq!(
        second.link.revoked_at,
        Some(now),
        "the first revocation time stays"
    );
    let opened = links::open(db, link.key.as_str(), &user(1), now)
        .await
        .unwrap();
    assert_eq!(opened.outcome, Outcome::Revoked);
    assert_eq!(reload(db, &link).await.use_count, 0);
    let missing = links::LinkKey::generate();
    assert!(matches!(
        links::revoke(db, &missing, now).await,
        Err(LinkError::NotFound(_))
    ));
}

async fn extending_gives_new_expiry_and_more_uses_but_not_to_revoked_links(
    db: &DatabaseConnection,
) {
    let now = time::now();
    let new = NewLink {
        expires_at: Some(now + Duration::hours(1)),
        ..order(7, 7)
    };
    let link = links::create(db, new, now).await.unwrap();
    links::open(db, link.key.as_str(), &user(1), now)
        .await
        .unwrap();
    assert_eq!(
        links::open(db, link.key.as_str(), &user(2), now)
            .await
            .unwrap()
            .outcome,
        Outcome::AlreadyUsed
    );

    let later = now + Duration::days(7);
    let change = Extension {
        expiry: Some(ExpiryChange::At(later)),
        more_uses: Some(2),
    };
    let extended = links::extend(db, &link.key, change, now).await.unwrap();
    assert_eq!(
        (extended.max_uses, extended.expires_at),
        (Some(3), Some(later))
    );
    assert_eq!(
        links::open(db, link.key.as_str(), &user(2), now + Duration::days(2))
            .await
            .unwrap()
            .outcome,
        Outcome::Redeemed
    );

    let never = Extension {
        expiry: Some(ExpiryChange::Never),
        more_uses: None,
    };
    assert_eq!(
        links::extend(db, &link.key, never, now)
            .await
            .unwrap()
            .expires_at,
        None
    );

    let unlimited = links::create(db, campaign("unlimited"), now).await.unwrap();
    let more = Extension {
        expiry: None,
        more_uses: Some(5),
    };
    assert_eq!(
        links::extend(db, &unlimited.key, more, now)
            .await
            .unwrap()
            .max_uses,
        None
    );

    let past = Extension {
        expiry: Some(ExpiryChange::At(now - Duration::hours(1))),
        more_uses: None,
    };
    assert!(matches!(
        links::extend(db, &link.key, past, now).await,
        Err(LinkError::Invalid { .. })
    ));
    links::revoke(db, &link.key, now).await.unwrap();
    assert!(matches!(
        links::extend(db, &link.key, more, now).await,
        Err(LinkError::Revoked(_))
    ));
}

async fn a_referral_link_attributes_new_users_once_and_never_to_themselves(
    db: &DatabaseConnection,
) {
    let now = time::now();
    let alice = TgUserId::new(100).unwrap();
    let carol = TgUserId::new(300).unwrap();
    let link = links::referral_for(db, alice, now).await.unwrap();
    assert!(link.key.is_referral());
    assert_eq!(link.kind, LinkKind::Referral);
    assert_eq!(
        links::referral_for(db, alice, now).await.unwrap().key,
        link.key,
        "one per user"
    );
    let carols = links::referral_for(db, carol, now).await.unwrap();

    let own = links::open(db, link.key.as_str(), &user(100), now)
        .await
        .unwrap();
    assert_eq!(own.outcome, Outcome::Accepted);
    let bob = links::open(db, link.key.as_str(), &user(200), now)
        .await
        .unwrap();
    assert!(bob.new_user);
    // Bob opening Carol's link later does not move him.
    links::open(db, carols.key.as_str(), &user(200), now)
        .await
        .unwrap();

    let stored = users::find(db, TgUserId::new(200).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.referred_by, Some(100));
    let alice_row = users::find(db, alice).await.unwrap().unwrap();
    assert_eq!(alice_row.referred_by, None, "no self-referral");
    assert_eq!(users::count_referred(db, alice).await.unwrap(), 1);
    assert_eq!(users::count_referred(db, carol).await.unwrap(), 0);

    // Concurrent first requests still make one link.
    let dave = TgUserId::new(400).unwrap();
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                links::referral_for(&db, dave, time::now())
                    .await
                    .unwrap()
                    .key
            })
        })
        .collect();
    let mut keys = Vec::new();
    for task in tasks {
        keys.push(task.await.unwrap());
    }
    keys.dedup();
    assert_eq!(keys.len(), 1);
}

async fn an_aiogram_encoded_payload_opens_the_link_it_encodes(db: &DatabaseConnection) {
    let link = links::create(db, order(8, 8), time::now()).await.unwrap();
    let payload = encode_aiogram(&link.key);
    let opened = links::open(db, &payload, &user(1), time::now())
        .await
        .unwrap();
    assert_eq!(opened.outcome, Outcome::Redeemed);
    assert_eq!(opened.link.unwrap().key, link.key);
}

async fn unknown_and_malformed_payloads_are_recorded_as_events(db: &DatabaseConnection) {
    let now = time::now();
    let long = "x".repeat(300);
    let cases: &[(&str, Outcome)] = &[
        ("NoSuchKey123", Outcome::NotFound),
        ("_tgr_affiliate1", Outcome::NotFound),
        ("short", Outcome::Invalid),
        ("bad payload!", Outcome::Invalid),
        ("'; DROP TABLE links; --", Outcome::Invalid),
        (&long, Outcome::Invalid),
        ("", Outcome::Invalid),
    ];
    for (i, (payload, expected)) in cases.iter().enumerate() {
        let opened = links::open(db, payload, &user(50 + i as i64), now)
            .await
            .unwrap();
        assert_eq!(opened.outcome, *expected, "payload {payload:?}");
        assert!(opened.link.is_none());
    }
    let recorded = events::list(
        db,
        &EventFilter {
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(recorded.len(), cases.len());
    assert!(recorded.iter().all(|e| e.link_id.is_none()));
    let injected = recorded.iter().find(|e| e.tg_user_id == 54).unwrap();
    assert_eq!(injected.payload.as_deref(), Some("'; DROP TABLE links; --"));
    let long_one = recorded.iter().find(|e| e.tg_user_id == 55).unwrap();
    assert_eq!(
        long_one.payload.as_ref().unwrap().len(),
        128,
        "stored payloads are capped"
    );
    // The links table survived.
    links::create(db, order(1, 1), now).await.unwrap();
}

async fn hostile_strings_are_stored_and_returned_byte_exact(db: &DatabaseConnection) {
    let hostile = [
        "<script>alert('x')</script>",
        "'; DROP TABLE links; --",
        "Oʻzbekiston, gʻalaba — Ўзбекистон",
        "\u{202e}gpj.exe \u{1F600} &amp; <b>bold</b>",
        "100% _off_ \\ \"quoted\"",
        "line\nbreak\ttab",
    ];
    let now = time::now();
    for (i, text) in hostile.iter().enumerate() {
        let new = NewLink {
            title: Some((*text).into()),
            welcome_text: Some(format!("{text}{text}")),
            campaign: Some(format!(
                "c{i} {}",
                text.replace(['\n', '\t', '\u{202e}'], " ")
            )),
            utm_source: Some((*text).into()),
            attrs: Some(serde_json::json!({ "note": text })),
            ..order(i as i64, i as i64)
        };
        let link = links::create(db, new, now).await.unwrap();
        let stored = reload(db, &link).await;
        assert_eq!(stored.title.as_deref(), Some(*text));
        assert_eq!(stored.welcome_text, Some(format!("{text}{text}")));
        assert_eq!(stored.utm_source.as_deref(), Some(*text));
        assert_eq!(stored.attrs["note"], *text);

        let profile = TgProfile {
            id: TgUserId::new(500 + i as i64).unwrap(),
            username: Some((*text).into()),
            first_name: Some((*text).into()),
            language_code: Some("uz".into()),
        };
        links::open(db, link.key.as_str(), &profile, now)
            .await
            .unwrap();
        let user = users::find(db, profile.id).await.unwrap().unwrap();
        assert_eq!(user.first_name.as_deref(), Some(*text));
        assert_eq!(user.username.as_deref(), Some(*text));
    }
    let found = links::list(
        db,
        &LinkListing {
            selection: LinkSelection {
                search: Some("100% _off_".into()),
                ..Default::default()
            },
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(found.total, 1, "LIKE wildcards in a search are literal");
    let cyrillic = LinkListing {
        selection: LinkSelection {
            search: Some("Ўзбекистон".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        links::list(db, &cyrillic, now).await.unwrap().total,
        1,
        "non-ASCII text as typed is found"
    );
    let none = links::list(
        db,
        &LinkListing {
            selection: LinkSelection {
                search: Some("%".into()),
                ..Default::default()
            },
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(none.total, 1);
}

async fn listing_filters_sorts_and_pages(db: &DatabaseConnection) {
    let now = time::now();
    let mut keys = Vec::new();
    for i in 0..25 {
        let new = NewLink {
            title: Some(format!("Order number {i}")),
            created_by: Some(if i % 2 == 0 { 11 } else { 22 }),
            ..order(i, i)
        };
        keys.push(
            links::create(db, new, now + Duration::seconds(i))
                .await
                .unwrap()
                .key,
        );
    }
    let promo = links::create(db, campaign("promo"), now).await.unwrap();
    let short = NewLink {
        expires_at: Some(now + Duration::minutes(1)),
        ..order(99, 99)
    };
    let expiring = links::create(db, short, now).await.unwrap();
    links::open(db, keys[0].as_str(), &user(1), now)
        .await
        .unwrap();
    links::revoke(db, &keys[1], now).await.unwrap();
    let later = now + Duration::minutes(2);

    let count =
        |filter: LinkListing| async move { links::list(db, &filter, later).await.unwrap().total };
    assert_eq!(count(LinkListing::default()).await, 27);
    assert_eq!(
        count(LinkListing {
            selection: LinkSelection {
                status: Some(LinkStatus::Used),
                ..Default::default()
            },
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(LinkListing {
            selection: LinkSelection {
                status: Some(LinkStatus::Revoked),
                ..Default::default()
            },
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(LinkListing {
            selection: LinkSelection {
                status: Some(LinkStatus::Expired),
                ..Default::default()
            },
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(LinkListing {
            selection: LinkSelection {
                status: Some(LinkStatus::Active),
                ..Default::default()
            },
            ..Default::default()
        })
        .await,
        24
    );
    assert_eq!(
        count(LinkListing {
            selection: LinkSelection {
                kind: Some(LinkKind::Campaign),
                ..Default::default()
            },
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(LinkListing {
            selection: LinkSelection {
                creator: Some(11),
                ..Default::default()
            },
            ..Default::default()
        })
        .await,
        13
    );
    assert_eq!(
        count(LinkListing {
            selection: LinkSelection {
                campaign: Some(CampaignRef::Name("promo".into())),
                ..Default::default()
            },
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(LinkListing {
            selection: LinkSelection {
                campaign: Some(CampaignRef::Name("nope".into())),
                ..Default::default()
            },
            ..Default::default()
        })
        .await,
        0
    );
    assert_eq!(
        count(LinkListing {
            selection: LinkSelection {
                search: Some("NUMBER 1".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .await,
        11
    );
    assert_eq!(
        count(LinkListing {
            selection: LinkSelection {
                search: Some(promo.key.to_string()),
                ..Default::default()
            },
            ..Default::default()
        })
        .await,
        1
    );

    let page = |p: u64| LinkListing {
        selection: LinkSelection {
            kind: Some(LinkKind::Order),
            ..Default::default()
        },
        limit: 10,
        page: p,
        sort: LinkSort::Oldest,
    };
    let first = links::list(db, &page(0), later).await.unwrap();
    let third = links::list(db, &page(2), later).await.unwrap();
    assert_eq!(
        (first.items.len(), third.items.len(), first.total),
        (10, 6, 26)
    );
    assert_eq!(first.items[0].key, keys[0]);
    let soonest = LinkListing {
        sort: LinkSort::ExpiresSoonest,
        limit: 1,
        ..Default::default()
    };
    assert_eq!(
        links::list(db, &soonest, later).await.unwrap().items[0].key,
        expiring.key
    );
    let used = LinkListing {
        sort: LinkSort::MostUsed,
        limit: 1,
        ..Default::default()
    };
    assert_eq!(
        links::list(db, &used, later).await.unwrap().items[0].key,
        keys[0]
    );
}

async fn stats_by_status_agree_with_each_links_own_status(db: &DatabaseConnection) {
    let now = time::now();
    for i in 0..30_i64 {
        let new = NewLink {
            uses: if i % 3 == 0 {
                UseLimit::Max(2)
            } else {
                UseLimit::KindDefault
            },
            expires_at: (i % 4 == 0).then(|| now + Duration::seconds(i + 1)),
            created_by: Some(i % 3),
            ..order(i, i)
        };
        let link = links::create(db, new, now).await.unwrap();
        if i % 2 == 0 {
            links::open(db, link.key.as_str(), &user(1), now)
                .await
                .unwrap();
        }
        if i % 5 == 0 {
            links::revoke(db, &link.key, now).await.unwrap();
        }
    }
    let at = now + Duration::seconds(15);
    let all = links::list(
        db,
        &LinkListing {
            limit: 1_000,
            ..Default::default()
        },
        at,
    )
    .await
    .unwrap()
    .items;
    let expected = |scope: Option<i64>, status: LinkStatus| {
        all.iter()
            .filter(|l| scope.is_none_or(|c| l.created_by == Some(c)) && l.status(at) == status)
            .count() as i64
    };
    let stats = analytics::link_counts(db, &Filter::default(), at)
        .await
        .unwrap();
    assert_eq!(stats.total, 30);
    let recent = links::list(db, &LinkListing::newest(LinkSelection::default(), 5), at)
        .await
        .unwrap();
    assert_eq!(recent.items.len(), 5);
    for (status, counted) in [
        (LinkStatus::Active, stats.active),
        (LinkStatus::Used, stats.used),
        (LinkStatus::Expired, stats.expired),
        (LinkStatus::Revoked, stats.revoked),
    ] {
        assert_eq!(counted, expected(None, status), "{status}");
        let selection = LinkSelection {
            status: Some(status),
            ..Default::default()
        };
        let filtered = links::list(db, &LinkListing::newest(selection.clone(), 0), at)
            .await
            .unwrap();
        assert_eq!(filtered.total as i64, counted, "{status} listing");
        // The slow path (a selection) agrees with the partial indexes' fast one.
        let by_status = analytics::link_counts(db, &Filter::of(selection), at)
            .await
            .unwrap();
        assert_eq!(by_status.total, counted, "{status} selected");
    }
    let opens =
        |filter: Filter| async move { analytics::opens(db, &filter, at).await.unwrap().of_links() };
    assert_eq!(opens(Filter::default()).await, 15);
    assert_eq!(opens(Filter::since(at - Duration::days(7))).await, 15);
    assert_eq!(opens(Filter::since(at + Duration::seconds(1))).await, 0);
    let mine = analytics::link_counts(db, &Filter::of(LinkSelection::created_by(1)), at)
        .await
        .unwrap();
    assert_eq!(mine.total, 10);
    assert_eq!(mine.used, expected(Some(1), LinkStatus::Used));
    let per_creator = analytics::link_counts_by_creator(db, &Filter::default(), at)
        .await
        .unwrap();
    assert_eq!(per_creator.len(), 3);
    assert_eq!(per_creator.iter().map(|(_, c)| c.total).sum::<i64>(), 30);
    let one = per_creator.iter().find(|(c, _)| *c == Some(1)).unwrap();
    assert_eq!(one.1, mine);
}

async fn invalid_new_links_are_refused_with_the_field_named(db: &DatabaseConnection) {
    let now = time::now();
    let cases: Vec<(NewLink, &str)> = vec![
        (
            NewLink {
                uses: UseLimit::Max(0),
                ..Default::default()
            },
            "max_uses",
        ),
        (
            NewLink {
                expires_at: Some(now),
                ..Default::default()
            },
            "expires_at",
        ),
        (
            NewLink {
                attrs: Some(serde_json::json!([1, 2])),
                ..Default::default()
            },
            "attrs",
        ),
        (
            NewLink {
                title: Some("t".repeat(4097)),
                ..Default::default()
            },
            "title",
        ),
        (
            NewLink {
                welcome_text: Some("w".repeat(4097)),
                ..Default::default()
            },
            "welcome_text",
        ),
        (
            NewLink {
                title: Some("nul\0byte".into()),
                ..Default::default()
            },
            "title",
        ),
        (
            NewLink {
                campaign: Some("  ".into()),
                ..Default::default()
            },
            "campaign",
        ),
        (
            NewLink {
                kind: Some(LinkKind::Referral),
                ..Default::default()
            },
            "kind",
        ),
    ];
    for (new, field) in cases {
        match links::create(db, new, now).await {
            Err(LinkError::Invalid { field: got, .. }) => assert_eq!(got, field),
            other => panic!("expected {field} to be refused, got {other:?}"),
        }
    }
    assert_eq!(
        links::list(db, &LinkListing::default(), now)
            .await
            .unwrap()
            .total,
        0
    );
}

async fn migrations_run_once(db: &DatabaseConnection) {
    assert_eq!(startlink_core::db::migrate(db).await.unwrap(), 0);
    assert_eq!(startlink_core::db::migrate(db).await.unwrap(), 0);
}

async fn a_redelivered_update_is_counted_once_and_answered_the_same(db: &DatabaseConnection) {
    let now = time::now();
    let link = links::create(db, order(10, 10), now).await.unwrap();
    let update = stored_update(db, 555, 1, &format!("/start {}", link.key.as_str())).await;
    let first = links::open_update(db, link.key.as_str(), &user(1), now, Some(update))
        .await
        .unwrap();
    assert_eq!((first.outcome, first.duplicate), (Outcome::Redeemed, false));
    let again = links::open_update(db, link.key.as_str(), &user(1), now, Some(update))
        .await
        .unwrap();
    assert_eq!((again.outcome, again.duplicate), (Outcome::Redeemed, true));
    assert_eq!(again.link.unwrap().order_log_id, Some(10));
    // Handled for someone else (a bug upstream), the update's answer is refused,
    // never shown to him.
    let crossed = links::open_update(db, link.key.as_str(), &user(2), now, Some(update)).await;
    assert!(matches!(crossed, Err(LinkError::Corrupt(_))), "{crossed:?}");
    // Concurrent handlings of one stored update: still one event.
    let update = stored_update(db, 777, 3, &format!("/start {}", link.key.as_str())).await;
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let db = db.clone();
            let key = link.key.clone();
            tokio::spawn(async move {
                links::open_update(&db, key.as_str(), &user(3), time::now(), Some(update))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut originals = 0;
    for task in tasks {
        let opened = task.await.unwrap();
        assert_eq!(opened.outcome, Outcome::AlreadyUsed);
        if !opened.duplicate {
            originals += 1;
        }
    }
    assert_eq!(originals, 1);
    assert_eq!(events_of(db, &link).await.len(), 2);
    assert_eq!(reload(db, &link).await.use_count, 1);
    assert!(
        users::find(db, TgUserId::new(2).unwrap())
            .await
            .unwrap()
            .is_none(),
        "nothing of a refused handling is kept"
    );
}

async fn opens_by_day_uses_the_time_zones_day_boundaries(db: &DatabaseConnection) {
    use chrono::{NaiveDate, TimeZone};
    let tz = chrono_tz::Asia::Tashkent;
    let created = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let new = NewLink {
        kind: Some(LinkKind::Campaign),
        created_by: Some(5),
        ..Default::default()
    };
    let link = links::create(db, new, created).await.unwrap();
    let other = links::create(
        db,
        NewLink {
            kind: Some(LinkKind::Campaign),
            ..Default::default()
        },
        created,
    )
    .await
    .unwrap();
    // 18:59 UTC is 23:59 in Tashkent (3 March); 19:00 UTC is already 4 March there.
    let opens = [
        Utc.with_ymd_and_hms(2026, 3, 3, 18, 59, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 3, 3, 19, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 3, 4, 10, 0, 0).unwrap(),
    ];
    for (i, at) in opens.iter().enumerate() {
        links::open(db, link.key.as_str(), &user(i as i64 + 1), *at)
            .await
            .unwrap();
    }
    links::open(db, other.key.as_str(), &user(9), opens[2])
        .await
        .unwrap();
    let now = Utc.with_ymd_and_hms(2026, 3, 4, 12, 0, 0).unwrap();
    let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    let by_day = |filter: Filter, tz: chrono_tz::Tz| async move {
        analytics::series(db, &filter, analytics::Bucket::Day, tz, now)
            .await
            .unwrap()
            .into_iter()
            .map(|p| (p.start.with_timezone(&tz).date_naive(), p.opens))
            .collect::<Vec<_>>()
    };
    let mine = Filter::last_days(3, tz, now).with_links(LinkSelection::created_by(5));
    assert_eq!(
        by_day(mine, tz).await,
        vec![(day(2), 0), (day(3), 1), (day(4), 2)]
    );
    assert_eq!(
        by_day(Filter::last_days(2, tz, now), tz).await,
        vec![(day(3), 1), (day(4), 3)]
    );
    let utc = chrono_tz::UTC;
    assert_eq!(
        by_day(Filter::last_days(2, utc, now), utc).await,
        vec![(day(3), 2), (day(4), 2)]
    );
}

async fn a_chosen_language_comes_back_with_every_open(db: &DatabaseConnection) {
    let now = time::now();
    let link = links::create(db, campaign("lang"), now).await.unwrap();
    let first = links::open(db, link.key.as_str(), &user(1), now)
        .await
        .unwrap();
    assert_eq!(first.user_lang, None);
    assert!(
        users::set_lang(db, TgUserId::new(1).unwrap(), Some("ru"))
            .await
            .unwrap()
    );
    assert!(
        !users::set_lang(db, TgUserId::new(2).unwrap(), Some("ru"))
            .await
            .unwrap()
    );
    let again = links::open(db, link.key.as_str(), &user(1), now)
        .await
        .unwrap();
    assert_eq!(again.user_lang.as_deref(), Some("ru"));
    let found = links::find_by_id(db, link.id).await.unwrap().unwrap();
    assert_eq!(found.campaign.as_deref(), Some("lang"));
}
