//! `spawn_sandbox()`: a sandbox on 127.0.0.1:0 with an HTTP client and one
//! method per kind of call.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use startlink_sandbox::{RunningSandbox, Sandbox, SandboxConfig, User};
use tokio::net::TcpListener;

pub const TOKEN: &str = "4242:test-token";
pub const BOT_USERNAME: &str = "shop_test_bot";
pub const WAIT: Duration = Duration::from_secs(5);

pub struct TestSandbox {
    pub running: RunningSandbox,
    pub http: reqwest::Client,
}

pub async fn spawn_sandbox() -> TestSandbox {
    spawn_with(SandboxConfig::default()).await
}

pub async fn spawn_with(config: SandboxConfig) -> TestSandbox {
    init_logs();
    let config = SandboxConfig {
        token: TOKEN.to_owned(),
        bot_id: 4242,
        bot_username: BOT_USERNAME.to_owned(),
        bot_first_name: "Shop".to_owned(),
        webhook_retry_initial: Duration::from_millis(20),
        ..config
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = Sandbox::new(config).spawn(listener).unwrap();
    TestSandbox {
        running,
        http: reqwest::Client::new(),
    }
}

/// Logs stay silent unless `TEST_LOG=1`.
fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        let filter = tracing_subscriber::EnvFilter::new("startlink_sandbox=debug");
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
}

pub fn user(id: i64, first_name: &str) -> User {
    User::new(id, first_name)
        .with_username(format!("user{id}"))
        .with_language("uz")
}

impl TestSandbox {
    pub fn sandbox(&self) -> &Sandbox {
        self.running.sandbox()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url())
    }

    pub fn method_url(&self, method: &str) -> String {
        self.url(&format!("/bot{TOKEN}/{method}"))
    }

    /// A Bot API call with a JSON body; the HTTP status and the envelope.
    pub async fn api(&self, method: &str, params: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.method_url(method))
            .json(&params)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    /// A call that must succeed; its `result`.
    pub async fn ok(&self, method: &str, params: Value) -> Value {
        let (status, body) = self.api(method, params.clone()).await;
        assert_eq!(status, StatusCode::OK, "{method} {params} answered {body}");
        assert_eq!(body["ok"], true, "{method}: {body}");
        body["result"].clone()
    }

    /// A call that must fail; its description, after checking the envelope.
    pub async fn fails(&self, method: &str, params: Value, code: u16) -> String {
        let (status, body) = self.api(method, params.clone()).await;
        assert_eq!(status.as_u16(), code, "{method} {params} answered {body}");
        assert_eq!(body["ok"], false, "{method}: {body}");
        assert_eq!(body["error_code"], code, "{method}: {body}");
        body["description"].as_str().unwrap().to_owned()
    }

    pub async fn control_get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(self.url(&format!("/sandbox{path}")))
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    pub async fn control_post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(&format!("/sandbox{path}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    /// A user says something, so that the chat exists for the bot.
    pub async fn user_says(&self, user: &User, text: &str) -> Value {
        let (status, body) = self
            .control_post("/messages", json!({ "from": user, "text": text }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// All pending updates, confirmed.
    pub async fn drain_updates(&self) -> Vec<Value> {
        let updates = self.ok("getUpdates", json!({})).await;
        let updates = updates.as_array().unwrap().clone();
        if let Some(last) = updates.last() {
            let next = last["update_id"].as_i64().unwrap() + 1;
            self.ok("getUpdates", json!({ "offset": next })).await;
        }
        updates
    }

    /// The bot sends a text to a chat; the message's id.
    pub async fn bot_says(&self, chat_id: i64, text: &str) -> i64 {
        let message = self
            .ok("sendMessage", json!({ "chat_id": chat_id, "text": text }))
            .await;
        message["message_id"].as_i64().unwrap()
    }
}

/// A real 1×1 PNG (signature, IHDR, IDAT, IEND).
pub const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];
