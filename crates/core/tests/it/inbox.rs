//! The bot's inbox on SQLite and PostgreSQL: what counts as a redelivery, and
//! what is handed out again after a crash. Regressions of issue #12's first
//! finding: an update id alone once made user B's `/start` answered with
//! user A's order.

use std::time::Duration;

use chrono::TimeDelta;
use startlink_core::DatabaseConnection;
use startlink_core::events::Outcome;
use startlink_core::inbox::{self, Incoming, Receipt};
use startlink_core::links::{self, NewLink};
use startlink_core::time;

use crate::helpers::{update_body, user};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    only_the_same_update_of_the_same_bot_user_and_text_is_a_redelivery,
    an_update_id_reused_eight_days_later_is_a_new_update,
    a_reused_update_id_never_answers_with_another_users_order,
    two_bots_on_one_database_number_their_updates_apart,
    unfinished_updates_are_handed_out_again_and_done_ones_never,
    old_updates_are_pruned_after_two_days,
}

const LEASE: Duration = Duration::from_secs(60);

fn incoming(bot_id: i64, update_id: i64, user: i64, body: &str) -> Incoming<'_> {
    Incoming {
        bot_id,
        update_id,
        tg_user_id: Some(user),
        body,
    }
}

fn new(receipt: Receipt) -> inbox::UpdateRef {
    match receipt {
        Receipt::New(update) => update,
        other => panic!("expected a new update, got {other:?}"),
    }
}

async fn only_the_same_update_of_the_same_bot_user_and_text_is_a_redelivery(
    db: &DatabaseConnection,
) {
    let now = time::now();
    let a = update_body(1, 100, "/start K1");
    let first = new(inbox::receive(db, incoming(7, 1, 100, &a), now, LEASE)
        .await
        .unwrap());
    // Redelivered while its handler is at work: nothing to do.
    let again = inbox::receive(db, incoming(7, 1, 100, &a), now, LEASE)
        .await
        .unwrap();
    assert_eq!(again, Receipt::Known);
    // The same id from another user, or with other text: another update.
    let b = update_body(1, 200, "/start K2");
    let other_user = new(inbox::receive(db, incoming(7, 1, 200, &b), now, LEASE)
        .await
        .unwrap());
    assert_ne!(first, other_user);
    let c = update_body(1, 100, "/start K3");
    new(inbox::receive(db, incoming(7, 1, 100, &c), now, LEASE)
        .await
        .unwrap());
    // Redelivered after its handler went silent longer than the lease: this
    // receiver takes it over.
    let later = now + TimeDelta::seconds(61);
    assert_eq!(
        inbox::receive(db, incoming(7, 1, 100, &a), later, LEASE)
            .await
            .unwrap(),
        Receipt::Resumed(first)
    );
    // Done: a redelivery is dropped, whatever the lease.
    inbox::done(db, first, later).await.unwrap();
    let much_later = later + TimeDelta::hours(2);
    assert_eq!(
        inbox::receive(db, incoming(7, 1, 100, &a), much_later, LEASE)
            .await
            .unwrap(),
        Receipt::Known
    );
}

async fn an_update_id_reused_eight_days_later_is_a_new_update(db: &DatabaseConnection) {
    let now = time::now();
    let body = update_body(42, 100, "/start K1");
    let first = new(inbox::receive(db, incoming(7, 42, 100, &body), now, LEASE)
        .await
        .unwrap());
    inbox::done(db, first, now).await.unwrap();
    let eight_days = now + TimeDelta::days(8);
    let second = new(
        inbox::receive(db, incoming(7, 42, 100, &body), eight_days, LEASE)
            .await
            .unwrap(),
    );
    assert_ne!(first, second);
}

/// The sandbox restarted: its update ids start again from 1, so user B's
/// `/start K2` arrives with the id user A's `/start K1` had. B's open is
/// recorded and B is answered with his own order, never A's.
async fn a_reused_update_id_never_answers_with_another_users_order(db: &DatabaseConnection) {
    let now = time::now();
    let order = |product, order| NewLink {
        product_id: Some(product),
        order_log_id: Some(order),
        ..Default::default()
    };
    let k1 = links::create(db, order(1, 1001), now).await.unwrap();
    let k2 = links::create(db, order(2, 2002), now).await.unwrap();
    let body_a = update_body(1, 100, &format!("/start {}", k1.key.as_str()));
    let a = new(inbox::receive(db, incoming(7, 1, 100, &body_a), now, LEASE)
        .await
        .unwrap());
    let opened_a = links::open_update(db, k1.key.as_str(), &user(100), now, Some(a))
        .await
        .unwrap();
    assert_eq!(opened_a.outcome, Outcome::Redeemed);
    inbox::done(db, a, now).await.unwrap();

    let body_b = update_body(1, 200, &format!("/start {}", k2.key.as_str()));
    let b = new(inbox::receive(db, incoming(7, 1, 200, &body_b), now, LEASE)
        .await
        .unwrap());
    let opened_b = links::open_update(db, k2.key.as_str(), &user(200), now, Some(b))
        .await
        .unwrap();
    assert_eq!(
        (opened_b.outcome, opened_b.duplicate),
        (Outcome::Redeemed, false)
    );
    let shown = opened_b.link.unwrap();
    assert_eq!(
        (shown.product_id, shown.order_log_id),
        (Some(2), Some(2002)),
        "B sees his own order"
    );
    let k2_now = links::find(db, &k2.key).await.unwrap().unwrap();
    assert_eq!(k2_now.use_count, 1, "B's open was counted");
}

async fn two_bots_on_one_database_number_their_updates_apart(db: &DatabaseConnection) {
    let now = time::now();
    let body = update_body(5, 100, "/start K1");
    let first = new(inbox::receive(db, incoming(7, 5, 100, &body), now, LEASE)
        .await
        .unwrap());
    let other_bot = new(inbox::receive(db, incoming(8, 5, 100, &body), now, LEASE)
        .await
        .unwrap());
    assert_ne!(first, other_bot);
    let pending: Vec<_> = inbox::pending(db, 8, now, None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.update)
        .collect();
    assert_eq!(pending, vec![other_bot], "each bot resumes only its own");
}

async fn unfinished_updates_are_handed_out_again_and_done_ones_never(db: &DatabaseConnection) {
    let now = time::now();
    let mut updates = Vec::new();
    for id in 1..=5 {
        let body = update_body(id, 100 + id, "/help");
        updates.push(new(inbox::receive(
            db,
            incoming(7, id, 100 + id, &body),
            now,
            LEASE,
        )
        .await
        .unwrap()));
    }
    inbox::done(db, updates[1], now).await.unwrap();
    inbox::done(db, updates[3], now).await.unwrap();
    // Within the lease another process leaves them alone.
    assert!(
        inbox::pending(db, 7, now, Some(LEASE), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // After it, they are handed out once, oldest first, bodies intact.
    let later = now + TimeDelta::seconds(61);
    let resumed = inbox::pending(db, 7, later, Some(LEASE), 10).await.unwrap();
    let ids: Vec<_> = resumed.iter().map(|s| s.update).collect();
    assert_eq!(ids, vec![updates[0], updates[2], updates[4]]);
    assert_eq!(resumed[0].body, update_body(1, 101, "/help"));
    assert_eq!(resumed[0].update_id, 1);
    assert!(
        inbox::pending(db, 7, later, Some(LEASE), 10)
            .await
            .unwrap()
            .is_empty(),
        "claimed again by the first taker"
    );
    // A poller starting up takes every unfinished one at once.
    let all = inbox::pending(db, 7, later, None, 2).await.unwrap();
    assert_eq!(all.len(), 2, "the limit holds");
    // Older than the window: not handed out any more.
    let tomorrow = now + TimeDelta::hours(25);
    assert!(
        inbox::pending(db, 7, tomorrow, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn old_updates_are_pruned_after_two_days(db: &DatabaseConnection) {
    let now = time::now();
    let a = new(inbox::receive(db, incoming(7, 1, 100, "{}"), now, LEASE)
        .await
        .unwrap());
    new(inbox::receive(db, incoming(7, 2, 100, "{ }"), now, LEASE)
        .await
        .unwrap());
    inbox::done(db, a, now).await.unwrap();
    let pruned = inbox::prune(db, now + TimeDelta::hours(47)).await.unwrap();
    assert_eq!(pruned, inbox::Pruned::default());
    let pruned = inbox::prune(db, now + TimeDelta::hours(49)).await.unwrap();
    assert_eq!(
        pruned,
        inbox::Pruned {
            removed: 2,
            never_done: 1
        }
    );
}
