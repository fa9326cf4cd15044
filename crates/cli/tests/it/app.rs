//! The product started in-process the one way `serve`, `bot` and `web` start
//! it: `Settings` read from an environment, `App::build` on listeners bound to
//! port 0, `run_until_stopped`.

use std::time::Duration;

use serde_json::{Value, json};
use startlink::app::{App, Listeners, Parts};
use startlink::settings::{Environment, GlobalArgs, HttpArgs, ServeArgs, Settings};
use tokio::net::TcpListener;

const OPERATOR: i64 = 7_000_001;

fn settings(dir: &std::path::Path, extra: &[(&str, &str)], parts: Parts) -> Settings {
    let db = format!("sqlite://{}", dir.join("app.db").display());
    let mut pairs = vec![("DATABASE_URL", db.as_str()), ("OPERATOR_IDS", "7000001")];
    pairs.extend_from_slice(extra);
    let env = Environment::from_pairs(pairs);
    let serve = ServeArgs {
        http: HttpArgs {
            sandbox: true,
            ..HttpArgs::default()
        },
        ..ServeArgs::default()
    };
    let bot = (parts != Parts::WebOnly).then_some(&serve.bot);
    Settings::read(&GlobalArgs::default(), &serve.http, bot, &env).unwrap()
}

async fn port_zero() -> Listeners {
    Listeners {
        http: Some(TcpListener::bind("127.0.0.1:0").await.unwrap()),
        sandbox: Some(TcpListener::bind("127.0.0.1:0").await.unwrap()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_on_its_port_and_its_bot_talks_to_the_sandbox_until_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::build(
        settings(dir.path(), &[], Parts::Everything),
        Parts::Everything,
        port_zero().await,
    )
    .await
    .unwrap();
    let port = app.port().expect("the HTTP server runs");
    let sandbox = app.sandbox_url().expect("no BOT_TOKEN: the sandbox runs");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));

    let http = reqwest::Client::new();
    let health = http
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let login = http
        .get(format!("http://127.0.0.1:{port}/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200, "the panel is mounted");

    let sent = http
        .post(format!("{sandbox}/sandbox/messages"))
        .json(
            &json!({"from": {"id": OPERATOR, "first_name": "Operator"}, "text": "/link 123 9876"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    let answers: Value = http
        .get(format!(
            "{sandbox}/sandbox/chats/{OPERATOR}/messages?wait=1&timeout=20"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = answers[0]["text"].as_str().unwrap_or_default();
    assert!(text.contains("t.me/"), "the bot made a link: {answers}");

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(15), running)
        .await
        .expect("stops within the bot's 8 s deadline")
        .unwrap()
        .unwrap();
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the port is closed after the stop"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_without_the_sandbox_refuses_to_start_without_a_jwt_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = settings(dir.path(), &[], Parts::WebOnly);
    settings.sandbox = false;
    let error = App::build(settings, Parts::WebOnly, Listeners::default())
        .await
        .unwrap_err();
    assert!(format!("{error:#}").contains("JWT_SECRET"), "{error:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_alone_in_polling_mode_serves_no_http() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::build(
        settings(dir.path(), &[], Parts::BotOnly),
        Parts::BotOnly,
        port_zero().await,
    )
    .await
    .unwrap();
    assert_eq!(app.port(), None);
    assert!(app.sandbox_url().is_some());
    app.run_until_stopped(async {}).await.unwrap();
}
