//! The audit log on SQLite and PostgreSQL: recording, filters, keyset pages,
//! pruning.

use chrono::Duration;
use serde_json::json;
use startlink_core::DatabaseConnection;
use startlink_core::audit::{self, Action, Actor, ActorKind, AuditQuery, Entry};
use startlink_core::time;

startlink_test_support::backend_suite! {
    worker_threads = 2;
    a_recorded_entry_reads_back_whole,
    entries_filter_by_time_actor_and_action_and_page_newest_first,
    pruning_removes_only_old_entries,
}

fn query(limit: u64) -> AuditQuery {
    AuditQuery {
        limit,
        ..Default::default()
    }
}

async fn a_recorded_entry_reads_back_whole(db: &DatabaseConnection) {
    let now = time::now();
    let actor = Actor::new(ActorKind::Token, Some(7), "shop backend")
        .from_address(Some("203.0.113.9".parse().unwrap()));
    let entry = Entry::new(Action::LinkCreate)
        .object("link", "AbC123xyz_-0")
        .detail(json!({ "kind": "order", "title": "<b>\u{202e}x" }));
    audit::record(db, &actor, entry, now).await.unwrap();
    let page = audit::list(db, &query(10)).await.unwrap();
    assert_eq!(page.next_before, None);
    let row = &page.entries[0];
    assert_eq!(row.at, now);
    assert_eq!(row.actor_kind, ActorKind::Token);
    assert_eq!(
        (row.actor_id, row.actor_name.as_str()),
        (Some(7), "shop backend")
    );
    assert_eq!(row.action, "link.create");
    assert_eq!(
        (row.object_kind.as_deref(), row.object_key.as_deref()),
        (Some("link"), Some("AbC123xyz_-0"))
    );
    assert_eq!(row.address.as_deref(), Some("203.0.113.9"));
    assert_eq!(
        row.detail,
        Some(json!({ "kind": "order", "title": "<b>\u{202e}x" }))
    );
}

async fn entries_filter_by_time_actor_and_action_and_page_newest_first(db: &DatabaseConnection) {
    let start = time::now() - Duration::hours(10);
    let ali = Actor::new(ActorKind::Admin, Some(1), "ali");
    let bot = Actor::telegram(42, Some("operator"));
    for hour in 0..10 {
        let (actor, action) = match hour % 3 {
            0 => (&ali, Action::LinkCreate),
            1 => (&bot, Action::LinkRevoke),
            _ => (&ali, Action::Login),
        };
        let entry = Entry::new(action).object("link", format!("k{hour}"));
        audit::record(db, actor, entry, start + Duration::hours(hour))
            .await
            .unwrap();
    }
    let first = audit::list(db, &query(4)).await.unwrap();
    let keys: Vec<_> = first
        .entries
        .iter()
        .map(|e| e.object_key.clone().unwrap())
        .collect();
    assert_eq!(keys, ["k9", "k8", "k7", "k6"]);
    let mut all = keys.clone();
    let mut before = first.next_before;
    while let Some(id) = before {
        let page = audit::list(
            db,
            &AuditQuery {
                before: Some(id),
                ..query(4)
            },
        )
        .await
        .unwrap();
        all.extend(page.entries.iter().map(|e| e.object_key.clone().unwrap()));
        before = page.next_before;
    }
    assert_eq!(all.len(), 10, "{all:?}");
    assert_eq!(all.last().map(String::as_str), Some("k0"));

    let by_bot = audit::list(
        db,
        &AuditQuery {
            actor: Some("operator".into()),
            ..query(50)
        },
    )
    .await
    .unwrap();
    assert_eq!(by_bot.entries.len(), 3);
    assert!(
        by_bot
            .entries
            .iter()
            .all(|e| e.actor_kind == ActorKind::Telegram)
    );

    let links = audit::list(
        db,
        &AuditQuery {
            action: Some("link".into()),
            ..query(50)
        },
    )
    .await
    .unwrap();
    assert_eq!(links.entries.len(), 7, "link.create and link.revoke");
    let logins = audit::list(
        db,
        &AuditQuery {
            action: Some("auth.login".into()),
            ..query(50)
        },
    )
    .await
    .unwrap();
    assert_eq!(logins.entries.len(), 3);

    let recent = audit::list(
        db,
        &AuditQuery {
            since: Some(start + Duration::hours(8)),
            actor: Some("ali".into()),
            ..query(50)
        },
    )
    .await
    .unwrap();
    let keys: Vec<_> = recent
        .entries
        .iter()
        .map(|e| e.object_key.clone().unwrap())
        .collect();
    assert_eq!(keys, ["k9", "k8"]);

    for bad in [
        AuditQuery {
            action: Some("link%".into()),
            ..query(5)
        },
        query(0),
        query(501),
    ] {
        assert!(audit::list(db, &bad).await.is_err(), "{bad:?}");
    }
}

async fn pruning_removes_only_old_entries(db: &DatabaseConnection) {
    let now = time::now();
    let actor = Actor::cli("root");
    for days in [100, 40, 1] {
        audit::record(
            db,
            &actor,
            Entry::new(Action::TokenCreate).object("token", days),
            now - Duration::days(days),
        )
        .await
        .unwrap();
    }
    let removed = audit::prune(db, now - Duration::days(30)).await.unwrap();
    assert_eq!(removed, 2);
    let left = audit::list(db, &query(10)).await.unwrap();
    assert_eq!(left.entries.len(), 1);
    assert_eq!(left.entries[0].object_key.as_deref(), Some("1"));
}
