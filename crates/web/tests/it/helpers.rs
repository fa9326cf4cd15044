//! `spawn_app()`: the web application on a random port with a fresh database
//! (a temporary SQLite file, or a throw-away PostgreSQL database), and a
//! client with one method per kind of request.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, Response};
use serde_json::Value;
use startlink_core::DatabaseConnection;
use startlink_core::admins::{self, Password, Role, Scope, Username};
use startlink_core::config::DatabaseUrl;
use startlink_core::links::BotUsername;
use startlink_test_support::{drop_postgres_database, fresh_postgres_database};
use startlink_web::{AppState, RawWebSettings, WebServer};

pub const JWT_SECRET: &str = "cOjr_6cOXmyUcdg1-oyzncE70yfI-uBeUGHvzllFBp1rtWB5";
pub const PASSWORD: &str = "correct horse battery";

pub use startlink_test_support::Backend;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// A client that does not follow redirects, as the panel tests read them.
    pub browser: reqwest::Client,
    pub db: DatabaseConnection,
    /// The server's state: its login throttle and password checkers.
    pub state: AppState,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

#[derive(Debug, Default, Clone)]
pub struct Options {
    pub cors_origins: Option<String>,
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, Options::default()).await
}

pub async fn spawn_app_with(backend: Backend, options: Options) -> Option<TestApp> {
    let (url, dir, drop_pg) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("web.db").display());
            (url, Some(dir), None)
        }
        Backend::Postgres => {
            let (admin_url, url, name) = fresh_postgres_database().await?;
            (url, None, Some((admin_url, name)))
        }
    };
    let (url, _) = DatabaseUrl::parse(&url).unwrap();
    let db = startlink_core::db::open(&url).await.unwrap();
    let config = RawWebSettings {
        jwt_secret: Some(JWT_SECRET.into()),
        cors_origins: options.cors_origins,
        ..Default::default()
    }
    .parse(false)
    .unwrap();
    let state = AppState::new(
        db.clone(),
        config,
        chrono_tz::Asia::Tashkent,
        Some(BotUsername::parse("shop_bot").unwrap()),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = WebServer::new(listener, startlink_web::router(state.clone()));
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run(std::future::pending()));
    Some(TestApp {
        base,
        client: reqwest::Client::new(),
        browser: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        db,
        state,
        _dir: dir,
        drop_pg,
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.unwrap()
    }

    pub async fn get(&self, path: &str, bearer: &str) -> Response {
        self.request(Method::GET, path, Some(bearer), None).await
    }

    pub async fn post(&self, path: &str, bearer: &str, body: &Value) -> Response {
        self.request(Method::POST, path, Some(bearer), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, bearer: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path, Some(bearer), Some(body))
            .await
    }

    /// A client whose requests come from `ip` (any 127.x.y.z is loopback on Linux).
    pub fn client_from(&self, ip: [u8; 4]) -> reqwest::Client {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::from(ip))
            .build()
            .unwrap()
    }

    /// Creates an admin without logging in.
    pub async fn create_admin(&self, username: &str, role: Role) {
        admins::create_admin(
            &self.db,
            &Username::parse(username).unwrap(),
            &Password::parse(PASSWORD, &Username::parse(username).unwrap()).unwrap(),
            role,
            startlink_core::time::now(),
        )
        .await
        .unwrap();
    }

    pub async fn login_from(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> Response {
        client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// Creates an admin with `role` and returns an access token from a real login.
    pub async fn token_for(&self, username: &str, role: Role) -> String {
        self.create_admin(username, role).await;
        let response = self.login(username, PASSWORD).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn admin(&self) -> String {
        self.token_for("owner", Role::Admin).await
    }

    pub async fn api_token(&self, scopes: &[Scope]) -> String {
        let (_, secret) =
            admins::create_token(&self.db, "test", scopes, None, startlink_core::time::now())
                .await
                .unwrap();
        secret.expose().to_owned()
    }

    /// Creates a link through the API and returns its JSON.
    pub async fn create_link(&self, bearer: &str, body: Value) -> Value {
        let response = self.post("/api/v1/links", bearer, &body).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }
}

/// The panel: logging in through its forms, pages and forms with a session.
impl TestApp {
    /// Opens the login page and returns its CSRF token (cookie and form field agree).
    pub async fn panel_csrf(&self) -> String {
        let page = self.browser.get(self.url("/login")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let cookie = set_cookie(&page, "startlink_csrf").expect("a CSRF cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        let token = cookie_value(&cookie).to_owned();
        let html = page.text().await.unwrap();
        assert!(
            html.contains(&format!(r#"name="csrf" value="{token}""#)),
            "{html}"
        );
        token
    }

    /// Posts the login form with the login page's CSRF token.
    pub async fn panel_login_form(&self, token: &str, username: &str, password: &str) -> Response {
        self.browser
            .post(self.url("/login"))
            .header(COOKIE, format!("startlink_csrf={token}"))
            .form(&[
                ("username", username),
                ("password", password),
                ("csrf", token),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Logs in through the form; returns the `Cookie` header for later pages
    /// and the session's CSRF token, as the dashboard's forms carry it.
    pub async fn panel_login(&self, username: &str, password: &str) -> (String, String) {
        let token = self.panel_csrf().await;
        let response = self.panel_login_form(&token, username, password).await;
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()[LOCATION], "/");
        let cookie = set_cookie(&response, "startlink_session").expect("a session cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        let spent = set_cookie(&response, "startlink_csrf").expect("the login token cleared");
        assert!(spent.contains("Max-Age=0"), "{spent}");
        let cookies = format!("startlink_session={}", cookie_value(&cookie));
        let csrf = self.panel_form_token(&cookies).await;
        assert_ne!(csrf, token, "logging in rotates the CSRF token");
        (cookies, csrf)
    }

    /// [`Self::panel_login`] as `owner` with [`PASSWORD`].
    pub async fn panel_owner(&self) -> (String, String) {
        self.panel_login("owner", PASSWORD).await
    }

    /// The CSRF token the dashboard's forms carry for this session.
    pub async fn panel_form_token(&self, cookies: &str) -> String {
        let html = self.panel_get(cookies, "/").await.text().await.unwrap();
        let marker = r#"name="csrf" value=""#;
        let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
        let end = start + html[start..].find('"').unwrap();
        html[start..end].to_owned()
    }

    /// A panel page with the session's cookies; redirects are not followed.
    pub async fn panel_get(&self, cookies: &str, path: &str) -> Response {
        self.browser
            .get(self.url(path))
            .header(COOKIE, cookies)
            .send()
            .await
            .unwrap()
    }

    /// A panel form posted with the session's cookies (`form` carries the
    /// `csrf` field, or not, as the test means).
    pub async fn panel_post_form(
        &self,
        cookies: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> Response {
        self.browser
            .post(self.url(path))
            .header(COOKIE, cookies)
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

/// The `Set-Cookie` header that sets `name`, if any.
pub fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with(&format!("{name}=")))
}

/// A `Set-Cookie` header's value.
pub fn cookie_value(cookie: &str) -> &str {
    cookie.split(';').next().unwrap().split_once('=').unwrap().1
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.drop_pg.take() {
            drop_postgres_database(admin_url, name);
        }
    }
}

pub async fn json(response: Response, status: u16) -> Value {
    let got = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(got.as_u16(), status, "{text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

pub fn user(id: i64) -> startlink_core::users::TgProfile {
    startlink_core::users::TgProfile::new(startlink_core::users::TgUserId::new(id).unwrap())
}
