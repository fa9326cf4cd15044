//! Failed logins under concurrency (issue #12, B and C): attempts are counted
//! before their password is checked, only a few checks run at once, and an
//! attacker hammering the admin's name does not lock the admin out.

use std::collections::BTreeMap;

use futures_util::future::join_all;
use startlink_core::admins::Role;
use startlink_web::auth::throttle::{MAX_FAILURES, MAX_FAILURES_PER_ADDRESS};

use crate::helpers::{PASSWORD, TestApp, json};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    concurrent_attempts_from_one_address_check_at_most_five_passwords,
    concurrent_attempts_for_many_names_from_one_address_check_at_most_ten,
    an_attacker_hammering_the_admins_name_does_not_lock_the_admin_out,
    logins_beyond_the_checkers_wait_their_turn_or_get_503,
}

async fn statuses(responses: Vec<reqwest::Response>) -> BTreeMap<u16, usize> {
    let mut counts = BTreeMap::new();
    for response in responses {
        *counts.entry(response.status().as_u16()).or_default() += 1;
    }
    counts
}

async fn concurrent_attempts_from_one_address_check_at_most_five_passwords(app: TestApp) {
    app.create_admin("owner", Role::Admin).await;
    let attacker = app.client_from([127, 0, 0, 2]);
    let attempts = (0..150).map(|i| {
        app.login_from(
            &attacker,
            "owner",
            if i % 2 == 0 {
                "a wrong guess"
            } else {
                "another wrong one"
            },
        )
    });
    let counts = statuses(join_all(attempts).await).await;
    let checked = app.state.password_checks.started();
    assert!(
        checked <= MAX_FAILURES as u64,
        "{checked} passwords checked: {counts:?}"
    );
    assert_eq!(
        counts.get(&401).copied().unwrap_or(0) as u64,
        checked,
        "{counts:?}"
    );
    assert_eq!(
        counts.get(&429).copied().unwrap_or(0) + counts.get(&503).copied().unwrap_or(0),
        150 - checked as usize,
        "{counts:?}"
    );
}

async fn concurrent_attempts_for_many_names_from_one_address_check_at_most_ten(app: TestApp) {
    let attacker = app.client_from([127, 0, 0, 2]);
    let names: Vec<String> = (0..100).map(|i| format!("user{i}")).collect();
    let attempts = names
        .iter()
        .map(|name| app.login_from(&attacker, name, "guess"));
    let counts = statuses(join_all(attempts).await).await;
    let checked = app.state.password_checks.started();
    assert!(
        checked <= MAX_FAILURES_PER_ADDRESS as u64,
        "{checked} passwords checked: {counts:?}"
    );
    assert!(counts.get(&429).copied().unwrap_or(0) >= 90, "{counts:?}");
}

async fn an_attacker_hammering_the_admins_name_does_not_lock_the_admin_out(app: TestApp) {
    app.create_admin("admin", Role::Admin).await;
    let attacker = app.client_from([127, 0, 0, 2]);
    let admin = app.client_from([127, 0, 0, 3]);
    let hammering = join_all((0..30).map(|i| {
        app.login_from(
            &attacker,
            "admin",
            if i % 2 == 0 { "guess" } else { "Admin" },
        )
    }));
    let counts = statuses(hammering.await).await;
    assert!(counts.get(&429).copied().unwrap_or(0) >= 25, "{counts:?}");
    assert_eq!(
        app.login_from(&attacker, "admin", PASSWORD).await.status(),
        429,
        "the attacker's address stays throttled for the name"
    );
    let body = json(app.login_from(&admin, "admin", PASSWORD).await, 200).await;
    assert!(body["access_token"].is_string());
    // And while the attacker keeps going.
    let (_, mine) = tokio::join!(
        join_all((0..20).map(|_| app.login_from(&attacker, "admin", "guess"))),
        app.login_from(&admin, "admin", PASSWORD),
    );
    assert_eq!(mine.status(), 200);
}

/// Many addresses at once: each is under its limits, so the bound is the
/// checkers. Everyone is answered: 401 after a check, or 503 with
/// Retry-After when no checker was free in time; never more checks than
/// answers saying so.
async fn logins_beyond_the_checkers_wait_their_turn_or_get_503(app: TestApp) {
    app.create_admin("owner", Role::Admin).await;
    let clients: Vec<reqwest::Client> = (0..60_u8)
        .map(|i| app.client_from([127, 0, 1, i + 1]))
        .collect();
    let attempts = clients
        .iter()
        .map(|client| app.login_from(client, "owner", "wrong password"));
    let responses = join_all(attempts).await;
    let mut counts = BTreeMap::new();
    for response in responses {
        let status = response.status().as_u16();
        if status == 503 {
            assert_eq!(response.headers()["retry-after"], "1");
            assert_eq!(json(response, 503).await["error"], "unavailable");
        }
        *counts.entry(status).or_insert(0_usize) += 1;
    }
    assert_eq!(
        counts
            .keys()
            .copied()
            .filter(|s| ![401, 503].contains(s))
            .count(),
        0,
        "{counts:?}"
    );
    assert_eq!(
        counts.get(&401).copied().unwrap_or(0) as u64,
        app.state.password_checks.started(),
        "{counts:?}"
    );
    // A 503 was not a failure: the same address may log in at once.
    let body = json(app.login_from(&clients[0], "owner", PASSWORD).await, 200).await;
    assert!(body["access_token"].is_string());
}
