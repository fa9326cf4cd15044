//! Claiming automatic report periods on SQLite and PostgreSQL.

use chrono::Duration;
use startlink_core::DatabaseConnection;
use startlink_core::reports;
use startlink_core::time;

startlink_test_support::backend_suite! {
    worker_threads = 2;
    a_period_is_claimed_once,
    of_concurrent_claims_of_one_period_exactly_one_wins,
}

async fn a_period_is_claimed_once(db: &DatabaseConnection) {
    let now = time::now();
    assert!(reports::claim(db, "daily:2026-11-24", now).await.unwrap());
    assert!(
        !reports::claim(db, "daily:2026-11-24", now + Duration::hours(1))
            .await
            .unwrap(),
        "a second claim, later, loses"
    );
    assert!(
        reports::claim(db, "daily:2026-11-25", now).await.unwrap(),
        "another period is claimed on its own"
    );
    assert!(reports::claim(db, "weekly:2026-11-16", now).await.unwrap());
}

async fn of_concurrent_claims_of_one_period_exactly_one_wins(db: &DatabaseConnection) {
    let now = time::now();
    for round in 0..5 {
        let period = format!("daily:2026-12-0{}", round + 1);
        let claims = (0..8).map(|_| {
            let db = db.clone();
            let period = period.clone();
            tokio::spawn(async move { reports::claim(&db, &period, now).await.unwrap() })
        });
        let mut won = 0;
        for claim in claims.collect::<Vec<_>>() {
            if claim.await.unwrap() {
                won += 1;
            }
        }
        assert_eq!(
            won, 1,
            "{period}: exactly one of eight concurrent claims wins"
        );
    }
}
