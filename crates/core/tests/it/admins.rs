//! Admins and API tokens on SQLite and PostgreSQL.

use chrono::Duration;
use startlink_core::DatabaseConnection;
use startlink_core::admins::{
    self, AdminError, Password, Role, Scope, TOKEN_PREFIX, Username, parse_scopes,
};
use startlink_core::audit::{self, Actor, AuditQuery};
use startlink_core::time;

startlink_test_support::backend_suite! {
    worker_threads = 2;
    an_admin_logs_in_with_the_right_password_only,
    user_names_are_unique,
    the_first_admin_is_created_only_when_there_is_none,
    a_token_authenticates_with_its_scopes_until_revoked,
    token_use_is_recorded_without_a_write_per_request,
    hostile_token_names_are_stored_byte_exact_or_refused,
    a_session_lives_until_it_ends_or_expires,
    a_password_change_ends_every_session_of_that_admin_only,
    a_disabled_admin_cannot_log_in_and_loses_every_session,
    a_deleted_admin_loses_every_session_and_keeps_no_tokens_name,
    the_last_admin_cannot_be_disabled_or_deleted,
    user_names_are_stored_in_nfc_and_found_by_either_spelling,
}

fn name(text: &str) -> Username {
    Username::parse(text).unwrap()
}

fn password(text: &str) -> Password {
    Password::parse(text, &name("tester")).unwrap()
}

async fn an_admin_logs_in_with_the_right_password_only(db: &DatabaseConnection) {
    let now = time::now();
    let created = admins::create_admin(
        db,
        &name("dilnoza"),
        &password("Samarqand 2026!"),
        Role::Viewer,
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        (created.username.as_str(), created.role),
        ("dilnoza", Role::Viewer)
    );
    assert_eq!(created.last_login_at, None);

    let later = now + Duration::seconds(5);
    let admin = admins::authenticate(db, "dilnoza", "Samarqand 2026!", later)
        .await
        .unwrap()
        .expect("right password");
    assert_eq!(admin.id, created.id);
    assert_eq!(admin.last_login_at, Some(later));
    let stored = admins::find_admin(db, "dilnoza").await.unwrap().unwrap();
    assert_eq!(stored.last_login_at, Some(later));

    for (user, pass) in [
        ("dilnoza", "Samarqand 2026"),
        ("dilnoza", ""),
        ("Dilnoza", "Samarqand 2026!"),
        ("nobody", "Samarqand 2026!"),
    ] {
        let found = admins::authenticate(db, user, pass, later).await.unwrap();
        assert!(found.is_none(), "{user:?} / {pass:?} must not log in");
    }
    assert_eq!(
        admins::find_admin_by_id(db, created.id).await.unwrap(),
        Some(stored)
    );
}

async fn user_names_are_unique(db: &DatabaseConnection) {
    let now = time::now();
    let pass = password("a long enough secret, quiet otter");
    admins::create_admin(db, &name("ali"), &pass, Role::Admin, now)
        .await
        .unwrap();
    let again = admins::create_admin(db, &name("ali"), &pass, Role::Viewer, now).await;
    assert!(
        matches!(again, Err(AdminError::Exists(ref n)) if n == "ali"),
        "{again:?}"
    );
    admins::create_admin(db, &name("bek"), &pass, Role::Viewer, now)
        .await
        .unwrap();
    let all = admins::list_admins(db).await.unwrap();
    let names: Vec<_> = all.iter().map(|a| (a.username.as_str(), a.role)).collect();
    assert_eq!(names, [("ali", Role::Admin), ("bek", Role::Viewer)]);
    assert_eq!(admins::count_admins(db).await.unwrap(), 2);
}

async fn the_first_admin_is_created_only_when_there_is_none(db: &DatabaseConnection) {
    let now = time::now();
    let first = admins::ensure_first_admin(
        db,
        &name("owner"),
        &password("first lantern orbit 12345"),
        now,
    )
    .await
    .unwrap()
    .expect("no admin yet");
    assert_eq!(first.role, Role::Admin);
    let second = admins::ensure_first_admin(
        db,
        &name("other"),
        &password("second velvet harbor 1234"),
        now,
    )
    .await
    .unwrap();
    assert!(second.is_none());
    assert!(admins::find_admin(db, "other").await.unwrap().is_none());
}

async fn a_token_authenticates_with_its_scopes_until_revoked(db: &DatabaseConnection) {
    let now = time::now();
    let owner = admins::create_admin(
        db,
        &name("owner"),
        &password("owner ledger kumquat 1"),
        Role::Admin,
        now,
    )
    .await
    .unwrap();
    let scopes = parse_scopes("links:read,stats:read").unwrap();
    let (token, secret) = admins::create_token(db, "  shop backend ", &scopes, Some(owner.id), now)
        .await
        .unwrap();
    assert_eq!(token.name, "shop backend");
    assert!(secret.expose().starts_with(TOKEN_PREFIX));
    assert!(token.allows(Scope::LinksRead) && token.allows(Scope::StatsRead));
    assert!(!token.allows(Scope::LinksWrite));

    let found = admins::authenticate_token(db, secret.expose(), now)
        .await
        .unwrap()
        .expect("live token");
    assert_eq!((found.id, found.scopes.clone()), (token.id, scopes));
    assert_eq!(found.created_by, Some(owner.id));

    let mut wrong = secret.expose().to_owned();
    wrong.pop();
    wrong.push('!');
    for bad in [
        wrong.as_str(),
        "",
        TOKEN_PREFIX,
        "eyJhbGciOiJIUzI1NiJ9.e30.x",
    ] {
        assert!(
            admins::authenticate_token(db, bad, now)
                .await
                .unwrap()
                .is_none(),
            "{bad:?}"
        );
    }

    assert!(admins::revoke_token(db, token.id, now).await.unwrap());
    assert!(
        !admins::revoke_token(db, token.id, now).await.unwrap(),
        "revoking twice"
    );
    assert!(
        admins::authenticate_token(db, secret.expose(), now)
            .await
            .unwrap()
            .is_none()
    );
    let listed = admins::list_tokens(db).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].revoked_at, Some(now));
}

async fn token_use_is_recorded_without_a_write_per_request(db: &DatabaseConnection) {
    let now = time::now();
    let (_, secret) = admins::create_token(db, "cron", &[Scope::StatsRead], None, now)
        .await
        .unwrap();
    let first = admins::authenticate_token(db, secret.expose(), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.last_used_at, Some(now));
    let soon = now + Duration::seconds(30);
    let again = admins::authenticate_token(db, secret.expose(), soon)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again.last_used_at,
        Some(now),
        "within a minute: not rewritten"
    );
    let later = now + Duration::minutes(2);
    admins::authenticate_token(db, secret.expose(), later)
        .await
        .unwrap()
        .unwrap();
    let listed = admins::list_tokens(db).await.unwrap();
    assert_eq!(listed[0].last_used_at, Some(later));
}

async fn hostile_token_names_are_stored_byte_exact_or_refused(db: &DatabaseConnection) {
    let now = time::now();
    for hostile in [
        "<script>alert(1)</script>",
        "'; DROP TABLE api_tokens; --",
        "Oʻzbek \u{202e}evil",
        "\"quoted\" & <b>",
    ] {
        let (token, _) = admins::create_token(db, hostile, &[Scope::LinksRead], None, now)
            .await
            .unwrap();
        assert_eq!(token.name, hostile);
    }
    for bad in ["", "   ", "line\nbreak", &"x".repeat(129)] {
        let refused = admins::create_token(db, bad, &[Scope::LinksRead], None, now).await;
        assert!(
            matches!(refused, Err(AdminError::TokenName)),
            "{bad:?}: {refused:?}"
        );
    }
    assert_eq!(admins::list_tokens(db).await.unwrap().len(), 4);
}

const TTL: std::time::Duration = std::time::Duration::from_secs(3600);

async fn admin(db: &DatabaseConnection, user: &str, role: Role) -> admins::Admin {
    admins::create_admin(
        db,
        &name(user),
        &password("vivid otter ledger 73"),
        role,
        time::now(),
    )
    .await
    .unwrap()
}

async fn live(db: &DatabaseConnection, session: &admins::AdminSession) -> bool {
    admins::live_session(db, &session.id, session.admin_id, time::now())
        .await
        .unwrap()
        .is_some()
}

async fn a_session_lives_until_it_ends_or_expires(db: &DatabaseConnection) {
    let ali = admin(db, "ali", Role::Admin).await;
    let now = time::now();
    let session = admins::start_session(db, &ali, now, TTL).await.unwrap();
    assert_eq!(session.id.len(), 26);
    let (found, _) = admins::live_session(db, &session.id, ali.id, now)
        .await
        .unwrap()
        .expect("live");
    assert_eq!(found.id, ali.id);
    assert!(
        admins::live_session(db, &session.id, ali.id + 1, now)
            .await
            .unwrap()
            .is_none(),
        "a session belongs to its admin only"
    );
    let after_expiry = now + Duration::seconds(3600);
    assert!(
        admins::live_session(db, &session.id, ali.id, after_expiry)
            .await
            .unwrap()
            .is_none()
    );
    let other = admins::start_session(db, &ali, now, TTL).await.unwrap();
    assert_ne!(other.id, session.id);
    assert!(admins::end_session(db, &session.id, now).await.unwrap());
    assert!(!admins::end_session(db, &session.id, now).await.unwrap());
    assert!(!live(db, &session).await);
    assert!(live(db, &other).await, "logging out ends that session only");
}

async fn a_password_change_ends_every_session_of_that_admin_only(db: &DatabaseConnection) {
    let ali = admin(db, "ali", Role::Admin).await;
    let bek = admin(db, "bek", Role::Viewer).await;
    let now = time::now();
    let first = admins::start_session(db, &ali, now, TTL).await.unwrap();
    let second = admins::start_session(db, &ali, now, TTL).await.unwrap();
    let bystander = admins::start_session(db, &bek, now, TTL).await.unwrap();
    let new = password("quartz meadow signal 904");
    admins::set_password(db, &name("ali"), &new, &Actor::cli("root"), now)
        .await
        .unwrap();
    assert!(!live(db, &first).await && !live(db, &second).await);
    assert!(live(db, &bystander).await);
    assert!(
        admins::authenticate(db, "ali", "vivid otter ledger 73", now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        admins::authenticate(db, "ali", "quartz meadow signal 904", now)
            .await
            .unwrap()
            .is_some()
    );
    let page = audit::list(
        db,
        &AuditQuery {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.entries.len(), 1);
    let row = &page.entries[0];
    assert_eq!(
        (row.action.as_str(), row.actor_name.as_str()),
        ("admin.password", "root")
    );
    assert_eq!(row.object_key.as_deref(), Some("ali"));
    assert_eq!(row.detail, Some(serde_json::json!({ "sessions_ended": 2 })));
    let missing = admins::set_password(db, &name("nobody"), &new, &Actor::cli("root"), now).await;
    assert!(
        matches!(missing, Err(AdminError::NotFound(_))),
        "{missing:?}"
    );
}

async fn a_disabled_admin_cannot_log_in_and_loses_every_session(db: &DatabaseConnection) {
    admin(db, "owner", Role::Admin).await;
    let bek = admin(db, "bek", Role::Admin).await;
    let now = time::now();
    let session = admins::start_session(db, &bek, now, TTL).await.unwrap();
    let by = Actor::cli("root");
    let disabled = admins::disable_admin(db, &name("bek"), &by, now)
        .await
        .unwrap();
    assert_eq!(disabled.disabled_at, Some(now));
    assert!(!live(db, &session).await);
    assert!(
        admins::authenticate(db, "bek", "vivid otter ledger 73", now)
            .await
            .unwrap()
            .is_none(),
        "a disabled admin cannot log in"
    );
    let fresh = admins::start_session(db, &bek, now, TTL).await.unwrap();
    assert!(!live(db, &fresh).await, "nor hold a session");
    admins::enable_admin(db, &name("bek"), &by, now)
        .await
        .unwrap();
    assert!(
        admins::authenticate(db, "bek", "vivid otter ledger 73", now)
            .await
            .unwrap()
            .is_some()
    );
    assert!(!live(db, &session).await, "enabling revives no session");
    let actions: Vec<String> = audit::list(
        db,
        &AuditQuery {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .entries
    .into_iter()
    .map(|e| e.action)
    .collect();
    assert_eq!(actions, ["admin.enable", "admin.disable"]);
}

async fn a_deleted_admin_loses_every_session_and_keeps_no_tokens_name(db: &DatabaseConnection) {
    admin(db, "owner", Role::Admin).await;
    let bek = admin(db, "bek", Role::Admin).await;
    let now = time::now();
    let session = admins::start_session(db, &bek, now, TTL).await.unwrap();
    let (token, secret) =
        admins::create_token(db, "made by bek", &[Scope::LinksRead], Some(bek.id), now)
            .await
            .unwrap();
    admins::delete_admin(db, &name("bek"), &Actor::cli("root"), now)
        .await
        .unwrap();
    assert!(!live(db, &session).await);
    assert!(admins::find_admin(db, "bek").await.unwrap().is_none());
    let kept = admins::authenticate_token(db, secret.expose(), now)
        .await
        .unwrap()
        .expect("tokens outlive their creator");
    assert_eq!((kept.id, kept.created_by), (token.id, None));
    let again = admins::delete_admin(db, &name("bek"), &Actor::cli("root"), now).await;
    assert!(matches!(again, Err(AdminError::NotFound(_))), "{again:?}");
}

async fn the_last_admin_cannot_be_disabled_or_deleted(db: &DatabaseConnection) {
    admin(db, "owner", Role::Admin).await;
    admin(db, "viewer", Role::Viewer).await;
    let by = Actor::cli("root");
    let now = time::now();
    let disabled = admins::disable_admin(db, &name("owner"), &by, now).await;
    assert!(
        matches!(disabled, Err(AdminError::LastAdmin(_))),
        "{disabled:?}"
    );
    let deleted = admins::delete_admin(db, &name("owner"), &by, now).await;
    assert!(
        matches!(deleted, Err(AdminError::LastAdmin(_))),
        "{deleted:?}"
    );
    let owner = admins::find_admin(db, "owner").await.unwrap().unwrap();
    assert_eq!(
        owner.disabled_at, None,
        "the refused change was rolled back"
    );
    admins::delete_admin(db, &name("viewer"), &by, now)
        .await
        .unwrap();
    let rows = audit::list(
        db,
        &AuditQuery {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(rows.entries.len(), 1, "refused changes leave no audit row");
}

async fn user_names_are_stored_in_nfc_and_found_by_either_spelling(db: &DatabaseConnection) {
    let composed = "Jos\u{00E9}";
    let decomposed = "Jose\u{0301}";
    let created = admins::create_admin(
        db,
        &name(decomposed),
        &password("vivid otter ledger 73"),
        Role::Admin,
        time::now(),
    )
    .await
    .unwrap();
    assert_eq!(created.username, composed);
    let again = admins::create_admin(
        db,
        &name(composed),
        &password("vivid otter ledger 73"),
        Role::Admin,
        time::now(),
    )
    .await;
    assert!(matches!(again, Err(AdminError::Exists(_))), "{again:?}");
    for spelling in [composed, decomposed] {
        assert!(
            admins::authenticate(db, spelling, "vivid otter ledger 73", time::now())
                .await
                .unwrap()
                .is_some(),
            "{spelling:?}"
        );
    }
}
