//! A real `startlink serve --sandbox` process on ports of its choosing (port 0) with its own
//! SQLite file, and a panel client that keeps the session and CSRF cookies
//! as a browser does.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

pub const ADMIN: &str = "tester";
pub const PASSWORD: &str = "correct horse battery staple";

pub struct Server {
    child: Child,
    dir: tempfile::TempDir,
    pub base: String,
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_startlink"));
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.join("serve.db").display()),
        )
        .env("TIMEZONE", "Asia/Tashkent")
        .env("RUST_LOG", "warn");
    command
}

impl Server {
    /// Creates admin `tester` (and `watcher`, a viewer), then starts the
    /// product as a newcomer would: `startlink serve --sandbox`.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, role) in [(ADMIN, "admin"), ("watcher", "viewer")] {
            let mut child = command(
                dir.path(),
                &["admin", "create", name, "--role", role, "--password-stdin"],
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
            writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
            assert!(child.wait().unwrap().success(), "admin create {name}");
        }
        // Port 0 for both: the server prints where it listens.
        let mut child = command(
            dir.path(),
            &["serve", "--sandbox", "--sandbox-addr", "127.0.0.1:0"],
        )
        .env("HTTP_ADDR", "127.0.0.1:0")
        .env("OPERATOR_IDS", "7000001")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (found, address) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut found = Some(found);
            // Read to the end: the server must never write into a closed pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("Panel: http://")
                    && let Some(found) = found.take()
                {
                    let addr = rest.split('/').next().unwrap_or_default().to_owned();
                    let _ = found.send(addr);
                }
            }
        });
        let addr = address
            .recv_timeout(Duration::from_secs(60))
            .expect("startlink serve printed where the panel listens within a minute");
        Self {
            child,
            dir,
            base: format!("http://{addr}"),
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `GET path` on the API with `token`, as JSON, whatever the status.
    pub async fn api_get(&self, token: &str, path: &str) -> Value {
        reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Runs another `startlink` command on the server's database.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        command(self.dir(), args).output().unwrap()
    }

    /// An API access token for `tester`.
    pub async fn api_token(&self) -> String {
        let response: Value = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({ "username": ADMIN, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        response["access_token"].as_str().unwrap().to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The panel as one browser: cookies kept, redirects not followed.
pub struct Panel {
    http: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
    form_token: Option<String>,
}

impl Panel {
    pub async fn login(server: &Server, username: &str) -> Self {
        let mut panel = Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: server.base.clone(),
            cookies: Vec::new(),
            form_token: None,
        };
        panel.get("/login").await;
        let response = panel
            .post("/login", &[("username", username), ("password", PASSWORD)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "login");
        // Logged in, forms carry the session's own token, as the pages show it.
        let html = panel.page("/").await;
        let marker = r#"name="csrf" value=""#;
        let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
        let end = start + html[start..].find('"').unwrap();
        panel.form_token = Some(html[start..end].to_owned());
        panel
    }

    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            self.cookies.push((name.to_owned(), value.to_owned()));
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The session's form token once logged in; before, the login form's cookie.
    pub fn csrf(&self) -> String {
        self.form_token.clone().unwrap_or_else(|| {
            self.cookies
                .iter()
                .find(|(n, _)| n == "startlink_csrf")
                .map(|(_, v)| v.clone())
                .unwrap()
        })
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep_cookies(&response);
        response
    }

    pub async fn page(&mut self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.unwrap()
    }

    /// Posts a form with the CSRF token, as the panel's forms do.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.csrf();
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &csrf));
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .form(&form)
            .send()
            .await
            .unwrap();
        self.keep_cookies(&response);
        response
    }

    /// Posts a form and returns where it redirects to.
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> String {
        let response = self.post(path, fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "POST {path}");
        response.headers()[LOCATION].to_str().unwrap().to_owned()
    }
}
