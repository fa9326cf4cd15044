//! The running product: one way to start it, used by `serve`, `bot`, `web`
//! and the end-to-end tests. [`App::build`] opens the database, starts the
//! sandbox (when asked or without a token), the bot and the HTTP server on the
//! listeners it is given; [`App::run_until_stopped`] waits for the stop signal
//! and stops them in order.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use axum::Router;
use startlink_bot::settings::BotMode;
use startlink_core::DatabaseConnection;
use startlink_core::links::LinkKey;
use startlink_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use startlink_web::{AppState, FirstAdmin, WebServer};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::commands::open_db;
use crate::settings::Settings;

/// Which parts run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parts {
    /// `serve`: the bot and the HTTP server (panel, API, health, webhook).
    Everything,
    /// `bot`: the bot; the HTTP server only when a webhook needs it.
    BotOnly,
    /// `web`: the panel and the API without the bot.
    WebOnly,
}

/// Listeners bound by the caller (tests bind port 0 and read the port back);
/// `None` binds the configured address.
#[derive(Debug, Default)]
pub struct Listeners {
    pub http: Option<TcpListener>,
    pub sandbox: Option<TcpListener>,
}

/// The product, started.
#[derive(Debug)]
pub struct App {
    http: Option<HttpServer>,
    bot: Option<startlink_bot::RunningBot>,
    sandbox: Option<RunningSandbox>,
    pruning: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct HttpServer {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl App {
    /// Starts `parts` with `settings`. Fails, having started nothing that
    /// keeps running, when a setting is refused, the database cannot be
    /// opened or a listener cannot be bound.
    pub async fn build(
        settings: Settings,
        parts: Parts,
        listeners: Listeners,
    ) -> anyhow::Result<Self> {
        for note in &settings.notes {
            tracing::info!("{note}");
        }
        let db = open_db(&settings.config).await?;
        let bot_part = match parts {
            Parts::WebOnly => None,
            Parts::Everything | Parts::BotOnly => Some(
                settings
                    .bot
                    .clone()
                    .context("the bot's settings were not read")?,
            ),
        };
        let use_sandbox = bot_part
            .as_ref()
            .is_some_and(|bot| settings.sandbox || !bot.has_token());
        if bot_part.as_ref().is_some_and(|bot| !bot.has_token()) && !settings.sandbox {
            tracing::warn!(
                "BOT_TOKEN is not set: running against the built-in Telegram sandbox, not Telegram"
            );
        }
        let sandbox = match (&bot_part, use_sandbox) {
            (Some(bot), true) => Some(start_sandbox(listeners.sandbox, &bot.sandbox_addr).await?),
            _ => None,
        };
        let bot_part = match bot_part {
            None => None,
            Some(part) => {
                let bot_settings = match &sandbox {
                    Some(sandbox) => {
                        let url = url::Url::parse(&sandbox.base_url()).context("sandbox URL")?;
                        part.raw
                            .parse(Some((&sandbox.sandbox().config().token, &url)))?
                    }
                    None => part.raw.parse(None)?,
                };
                if let (Parts::Everything, BotMode::Webhook { url, .. }) =
                    (parts, &bot_settings.mode)
                    && startlink_web::serves_path(url.path())
                {
                    anyhow::bail!(
                        "WEBHOOK_URL's path {} is a page of the panel or the API; choose another, like /tg/webhook",
                        url.path()
                    );
                }
                Some((part, bot_settings))
            }
        };
        let mut web = match parts {
            Parts::Everything => Some(web_state(&db, &settings, sandbox.is_some()).await?),
            Parts::WebOnly => Some(web_state(&db, &settings, settings.sandbox).await?),
            Parts::BotOnly => None,
        };

        let mut webhook = None;
        let mut bot = None;
        let mut pruning = None;
        let mut operators = None;
        if let Some((part, bot_settings)) = bot_part {
            let (tg, ctx) =
                startlink_bot::prepare(bot_settings, db.clone(), settings.config.timezone).await?;
            let bridge = Arc::new(BotBridge {
                bot: tg.clone(),
                ctx: ctx.clone(),
                sandbox: sandbox.is_some(),
            });
            web = web.map(|state| {
                let state = state.with_bot(bridge);
                match &sandbox {
                    Some(sandbox) => state.with_sandbox(sandbox.sandbox().clone()),
                    None => state,
                }
            });
            let (running, route) = startlink_bot::start(tg, ctx.clone()).await?;
            bot = Some(running);
            webhook = route;
            pruning = Some(tokio::spawn(prune_daily(db.clone(), part.audit_retention)));
            operators = Some((
                ctx.links.bot().as_str().to_owned(),
                ctx.settings.operators.clone(),
            ));
        }

        let http = match (web, webhook) {
            (None, None) => None,
            (web, webhook) => {
                let listener = match listeners.http {
                    Some(listener) => listener,
                    None => TcpListener::bind(&settings.http_addr)
                        .await
                        .with_context(|| {
                            format!("cannot listen on HTTP_ADDR {}", settings.http_addr)
                        })?,
                };
                let has_web = web.is_some();
                let mut app = startlink_web::health::routes(db.clone());
                if let Some(webhook) = webhook {
                    app = app.merge(webhook);
                }
                if let Some(state) = web {
                    app = app.merge(startlink_web::router(state));
                }
                Some(serve_http(listener, app, &settings, has_web)?)
            }
        };
        if let (Some(sandbox), Some((bot_name, operators))) = (&sandbox, &operators) {
            print_sandbox_help(&sandbox.base_url(), bot_name, operators);
        }
        Ok(Self {
            http,
            bot,
            sandbox,
            pruning,
        })
    }

    /// The HTTP server's port, when it runs.
    pub fn port(&self) -> Option<u16> {
        self.http.as_ref().map(|http| http.addr.port())
    }

    /// The sandbox's Bot API base URL (`http://ADDR`), when it runs.
    pub fn sandbox_url(&self) -> Option<String> {
        self.sandbox.as_ref().map(RunningSandbox::base_url)
    }

    /// Runs until `stop` completes (or the HTTP server fails), then stops:
    /// the bot finishes the updates in hand (at most 8 s; the rest stays in
    /// the inbox), the HTTP server its requests, then the sandbox.
    pub async fn run_until_stopped(
        self,
        stop: impl Future<Output = ()> + Send,
    ) -> anyhow::Result<()> {
        let Self {
            http,
            bot,
            sandbox,
            pruning,
        } = self;
        let (http_stop, mut http_task) = match http {
            Some(HttpServer { stop, task, .. }) => (Some(stop), Some(task)),
            None => (None, None),
        };
        let http_ended = async {
            match http_task.as_mut() {
                Some(task) => task.await,
                None => std::future::pending().await,
            }
        };
        let failed = tokio::select! {
            () = stop => None,
            result = http_ended => Some(result),
        };
        if failed.is_some() {
            http_task = None;
        }
        tracing::info!("shutting down: finishing updates in flight");
        if let Some(pruning) = pruning {
            pruning.abort();
        }
        if let Some(bot) = bot {
            bot.stop().await;
        }
        if let Some(stop) = http_stop {
            let _ = stop.send(());
        }
        let http_result = match (failed, http_task) {
            (Some(result), _) => Some(result),
            (None, Some(task)) => Some(task.await),
            (None, None) => None,
        };
        if let Some(sandbox) = sandbox {
            sandbox.shutdown().await.context("sandbox shutdown")?;
        }
        if let Some(result) = http_result {
            result.context("HTTP server task")?.context("HTTP server")?;
        }
        Ok(())
    }
}

fn serve_http(
    listener: TcpListener,
    app: Router,
    settings: &Settings,
    has_web: bool,
) -> anyhow::Result<HttpServer> {
    let server = WebServer::new(listener, app).with_limits(settings.limits);
    let addr = server.local_addr().context("the HTTP listener's address")?;
    if has_web {
        println!("Panel: http://{addr}/  API docs: http://{addr}/docs");
    }
    tracing::info!(%addr, "HTTP server listening (GET /healthz)");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    Ok(HttpServer { addr, stop, task })
}

/// The web application's state: checks the settings, makes sure there is an
/// admin (printing a generated sandbox password once).
async fn web_state(
    db: &DatabaseConnection,
    settings: &Settings,
    sandbox: bool,
) -> anyhow::Result<AppState> {
    let web = settings.web.parse(sandbox)?;
    if sandbox && settings.web.jwt_secret.is_none() {
        tracing::warn!(
            "sandbox: JWT_SECRET is not set; using a secret generated for this run (logins end with it)"
        );
    }
    match startlink_web::ensure_first_admin(db, &web).await? {
        FirstAdmin::Exists => {}
        FirstAdmin::FromEnvironment(name) => {
            tracing::info!(admin = %name, "created the first admin from ADMIN_USER / ADMIN_PASS");
        }
        FirstAdmin::Generated { username, password } => {
            println!("Panel/API admin created for this sandbox (shown only now):");
            println!("  user: {username}");
            println!("  password: {}", password.expose());
        }
        FirstAdmin::Missing => tracing::warn!(
            "no panel/API admin exists yet: create one with `startlink admin create NAME`, or set ADMIN_USER and ADMIN_PASS"
        ),
    }
    Ok(AppState::new(
        db.clone(),
        web,
        settings.config.timezone,
        settings.config.bot_username.clone(),
    )
    .context("while loading the panel's templates")?
    .with_default_lang(settings.default_lang))
}

/// Once a day (first at start): audit log entries older than
/// `AUDIT_RETENTION_DAYS` when it is set, and admin sessions that ended or
/// expired more than 30 days ago.
async fn prune_daily(db: DatabaseConnection, retention: Option<chrono::Duration>) {
    let mut daily = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
    daily.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        daily.tick().await;
        let now = startlink_core::time::now();
        if let Some(keep) = retention {
            match startlink_core::audit::prune(&db, now - keep).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(
                    removed,
                    "audit log entries past AUDIT_RETENTION_DAYS deleted"
                ),
                Err(error) => tracing::warn!("cannot prune the audit log: {error:#}"),
            }
        }
        if let Err(error) =
            startlink_core::admins::prune_sessions(&db, now - chrono::Duration::days(30)).await
        {
            tracing::warn!("cannot prune old admin sessions: {error:#}");
        }
    }
}

/// The running bot as the web server's settings page and `/metrics` see it.
#[derive(Debug)]
struct BotBridge {
    bot: startlink_bot::TgBot,
    ctx: Arc<startlink_bot::BotContext>,
    sandbox: bool,
}

impl startlink_web::BotStatus for BotBridge {
    fn mode(&self) -> &'static str {
        match self.ctx.settings.mode {
            BotMode::Polling => "polling",
            BotMode::Webhook { .. } => "webhook",
        }
    }

    fn webhook_url(&self) -> Option<String> {
        match &self.ctx.settings.mode {
            BotMode::Polling => None,
            BotMode::Webhook { url, .. } => Some(url.to_string()),
        }
    }

    fn sandbox(&self) -> bool {
        self.sandbox
    }

    fn webhook_info(&self) -> startlink_web::bot_status::WebhookFuture<'_> {
        Box::pin(async move {
            startlink_bot::webhook_state(&self.bot)
                .await
                .map(|state| startlink_web::WebhookView {
                    url: state.url,
                    pending_update_count: state.pending_update_count,
                    last_error_message: state.last_error_message,
                    last_error_date: state.last_error_date,
                })
                .map_err(|error| format!("{error:#}"))
        })
    }

    fn render_metrics(&self, out: &mut String) {
        self.ctx.metrics.render(out);
    }
}

async fn start_sandbox(
    listener: Option<TcpListener>,
    addr: &str,
) -> anyhow::Result<RunningSandbox> {
    let listener = match listener {
        Some(listener) => listener,
        None => TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on the sandbox address {addr}"))?,
    };
    // A fresh token per run: nothing outside this process can act as the bot.
    let config = SandboxConfig {
        token: format!("1000000001:{}", LinkKey::generate()),
        ..SandboxConfig::default()
    };
    Ok(Sandbox::new(config).spawn(listener)?)
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {error}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!("cannot listen for SIGTERM: {error}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

fn print_sandbox_help(base: &str, bot: &str, operators: &std::collections::HashSet<i64>) {
    println!("startlink is running against the built-in Telegram sandbox (bot @{bot}).");
    println!("Control API: {base}/sandbox/ (see README, \"Sandbox\").");
    match operators.iter().min() {
        Some(id) => {
            println!("Operator {id} creates a link:");
            println!(
                "  curl -s {base}/sandbox/messages -H 'content-type: application/json' \\\n    -d '{{\"from\":{{\"id\":{id},\"first_name\":\"Operator\"}},\"text\":\"/link 123 9876\"}}'"
            );
            println!(
                "and reads the answer:\n  curl -s '{base}/sandbox/chats/{id}/messages?wait=5'"
            );
        }
        None => {
            println!("Set OPERATOR_IDS (e.g. OPERATOR_IDS=1) to let a sandbox user create links.")
        }
    }
    println!("Stop with Ctrl-C.");
}
