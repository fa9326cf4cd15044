//! Admins and API tokens on SQLite and PostgreSQL.

use chrono::Duration;
use startlink_core::DatabaseConnection;
use startlink_core::admins::{
    self, AdminError, Password, Role, Scope, TOKEN_PREFIX, Username, parse_scopes,
};
use startlink_core::time;

macro_rules! admin_suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let test = crate::helpers::TestDb::sqlite().await;
                    super::$name(&test.db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(test) = crate::helpers::TestDb::postgres().await else { return };
                    super::$name(&test.db).await;
                }
            )*
        }
    };
}

admin_suite!(
    an_admin_logs_in_with_the_right_password_only,
    user_names_are_unique,
    the_first_admin_is_created_only_when_there_is_none,
    a_token_authenticates_with_its_scopes_until_revoked,
    token_use_is_recorded_without_a_write_per_request,
    hostile_token_names_are_stored_byte_exact_or_refused,
);

fn name(text: &str) -> Username {
    Username::parse(text).unwrap()
}

fn password(text: &str) -> Password {
    Password::parse(text).unwrap()
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
    let pass = password("a long enough secret");
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
    let first = admins::ensure_first_admin(db, &name("owner"), &password("first one 12345"), now)
        .await
        .unwrap()
        .expect("no admin yet");
    assert_eq!(first.role, Role::Admin);
    let second = admins::ensure_first_admin(db, &name("other"), &password("second one 1234"), now)
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
        &password("owner password 1"),
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
