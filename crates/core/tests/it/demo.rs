//! Demo data is consistent as `links::open` would have left it, on SQLite and
//! PostgreSQL, and a second run adds to the first.

use sea_orm::{ConnectionTrait, Statement};
use startlink_core::DatabaseConnection;
use startlink_core::demo::{self, DemoSpec};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    demo_data_agrees_with_itself_and_appends,
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn demo_data_agrees_with_itself_and_appends(db: &DatabaseConnection) {
    let spec = DemoSpec {
        links: 1_200,
        events: 9_000,
        days: 30,
        seed: 7,
    };
    let mut calls = Vec::new();
    let report = demo::seed(db, &spec, &mut |done, total| calls.push((done, total)))
        .await
        .unwrap();
    assert_eq!(report.links, 1_200);
    assert_eq!(report.events, 9_000);
    assert_eq!(report.campaigns, 8);
    assert!(report.users >= 1_000, "{report:?}");
    let (done, total) = *calls.last().unwrap();
    assert_eq!((done, total), (10_200, 10_200));
    assert!(
        calls.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress only grows"
    );

    assert_eq!(count(db, "SELECT COUNT(*) FROM links").await, 1_200);
    assert_eq!(count(db, "SELECT COUNT(*) FROM link_events").await, 9_000);
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM redemptions").await,
        report.redemptions as i64
    );
    // use_count is exactly the redemptions of each link.
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM links l WHERE l.use_count <> \
             (SELECT COUNT(*) FROM redemptions r WHERE r.link_id = l.id)"
        )
        .await,
        0
    );
    // Each redemption is one redeemed or accepted open.
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM link_events WHERE outcome IN ('redeemed', 'accepted')"
        )
        .await,
        report.redemptions as i64
    );
    // One-time order links are taken at most once; caps hold.
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM links WHERE max_uses IS NOT NULL AND use_count > max_uses"
        )
        .await,
        0
    );
    // Nothing is taken after a revocation or an expiry.
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM link_events e JOIN links l ON l.id = e.link_id \
             WHERE l.revoked_at IS NOT NULL AND e.at >= l.revoked_at AND e.outcome <> 'revoked'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM link_events e JOIN links l ON l.id = e.link_id \
             WHERE l.expires_at IS NOT NULL AND e.at >= l.expires_at \
             AND e.outcome IN ('redeemed', 'accepted')"
        )
        .await,
        0
    );
    // Every outcome a real bot records shows up.
    assert_eq!(
        count(db, "SELECT COUNT(DISTINCT outcome) FROM link_events").await,
        startlink_core::events::Outcome::ALL.len() as i64
    );
    // A user is new once.
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM (SELECT tg_user_id FROM link_events WHERE new_user = TRUE \
             GROUP BY tg_user_id HAVING COUNT(*) > 1) AS twice"
        )
        .await,
        0
    );

    // Bulk loading bypasses events::record; the hourly counts are rebuilt.
    let kept = startlink_core::analytics::rollup::stored(db).await.unwrap();
    assert_eq!(
        kept,
        startlink_core::analytics::rollup::recount(db)
            .await
            .unwrap()
    );
    assert_eq!(kept.values().map(|c| c.opens).sum::<i64>(), 9_000);

    let users_before = count(db, "SELECT COUNT(*) FROM tg_users").await;
    let again = demo::seed(db, &DemoSpec { seed: 8, ..spec }, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(count(db, "SELECT COUNT(*) FROM links").await, 2_400);
    assert_eq!(count(db, "SELECT COUNT(*) FROM campaigns").await, 8);
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM tg_users").await,
        users_before + again.users as i64
    );
}
