//! `startlink serve` (everything in one process) and `startlink bot` (the bot
//! alone), optionally against the built-in Bot API sandbox.

use std::sync::Arc;

use anyhow::Context as _;
use axum::Router;
use clap::Args;
use startlink_bot::settings::{BotMode, RawBotSettings};
use startlink_core::DatabaseConnection;
use startlink_core::config::Config;
use startlink_core::links::LinkKey;
use startlink_sandbox::{Sandbox, SandboxConfig};
use tokio::net::TcpListener;

use super::open_db;

/// Bot settings; each also reads its environment variable.
#[derive(Debug, Args)]
pub struct BotArgs {
    /// The bot's token from @BotFather (prefer the environment variable)
    #[arg(long, env = "BOT_TOKEN", hide_env_values = true)]
    bot_token: Option<String>,
    /// Bot API base URL
    #[arg(long, env = "TELEGRAM_API_URL", value_name = "URL")]
    telegram_api_url: Option<String>,
    /// Comma-separated Telegram ids allowed to create and manage links
    #[arg(long, env = "OPERATOR_IDS", value_name = "IDS")]
    operator_ids: Option<String>,
    /// Comma-separated Telegram ids of operators who see and manage everything
    #[arg(long, env = "ADMIN_IDS", value_name = "IDS")]
    admin_ids: Option<String>,
    /// polling or webhook
    #[arg(long, env = "BOT_MODE", value_name = "MODE")]
    bot_mode: Option<String>,
    /// Webhook mode: the public URL Telegram posts to
    #[arg(long, env = "WEBHOOK_URL", value_name = "URL")]
    webhook_url: Option<String>,
    /// Webhook mode: the secret Telegram sends with every update
    #[arg(long, env = "WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: Option<String>,
    /// uz, ru or en
    #[arg(long, env = "DEFAULT_LANG", value_name = "LANG")]
    default_lang: Option<String>,
    /// PNG or JPEG logo for the centre of QR codes
    #[arg(long, env = "QR_LOGO", value_name = "PATH")]
    qr_logo: Option<String>,
    /// Global cap on outgoing messages per second
    #[arg(long, env = "TG_MAX_RPS", value_name = "N")]
    tg_max_rps: Option<String>,
    /// Automatic PDF report to the admins: off, daily or weekly
    #[arg(long, env = "REPORT_SCHEDULE", value_name = "WHEN")]
    report_schedule: Option<String>,
    /// Hour (0-23, in TIMEZONE) after which the automatic report is sent
    #[arg(long, env = "REPORT_HOUR", value_name = "HOUR")]
    report_hour: Option<String>,
    /// Days to keep audit log entries (pruned daily); unset: forever
    #[arg(long, env = "AUDIT_RETENTION_DAYS", value_name = "DAYS")]
    audit_retention_days: Option<String>,
    /// Address of the HTTP server (health check, webhook)
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8080")]
    http_addr: String,
    /// Open HTTP connections at most; more wait until one closes
    #[arg(long, env = "HTTP_MAX_CONNECTIONS", value_name = "N", default_value_t = startlink_web::DEFAULT_MAX_CONNECTIONS as u32, value_parser = clap::value_parser!(u32).range(1..))]
    http_max_connections: u32,
    /// Run against the built-in Telegram Bot API sandbox instead of Telegram
    /// (also what happens when BOT_TOKEN is not set)
    #[arg(long)]
    sandbox: bool,
    /// Where the sandbox listens
    #[arg(long, default_value = "127.0.0.1:8081")]
    sandbox_addr: String,
}

impl BotArgs {
    fn raw(&self) -> RawBotSettings {
        RawBotSettings {
            token: self.bot_token.clone(),
            api_url: self.telegram_api_url.clone(),
            operator_ids: self.operator_ids.clone(),
            admin_ids: self.admin_ids.clone(),
            mode: self.bot_mode.clone(),
            webhook_url: self.webhook_url.clone(),
            webhook_secret: self.webhook_secret.clone(),
            default_lang: self.default_lang.clone(),
            qr_logo: self.qr_logo.clone(),
            max_rps: self.tg_max_rps.clone(),
            report_schedule: self.report_schedule.clone(),
            report_hour: self.report_hour.clone(),
        }
    }
}

/// Which parts run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parts {
    /// Bot and HTTP server.
    Everything,
    /// The bot; the HTTP server only when a webhook needs it.
    BotOnly,
}

pub async fn run(config: &Config, args: BotArgs, parts: Parts) -> anyhow::Result<()> {
    let retention = startlink_core::audit::retention(args.audit_retention_days.as_deref())?;
    let db = open_db(config).await?;
    let pruning = tokio::spawn(prune_daily(db.clone(), retention));
    let no_token = args
        .bot_token
        .as_deref()
        .is_none_or(|t| t.trim().is_empty());
    if no_token && !args.sandbox {
        tracing::warn!(
            "BOT_TOKEN is not set: running against the built-in Telegram sandbox, not Telegram"
        );
    }
    let sandbox = match args.sandbox || no_token {
        true => Some(start_sandbox(&args.sandbox_addr).await?),
        false => None,
    };
    let sandbox_access = sandbox.as_ref().map(|s| {
        let url = url::Url::parse(&s.base_url()).context("sandbox URL");
        (s.sandbox().config().token.clone(), url)
    });
    let settings = match &sandbox_access {
        Some((token, Ok(url))) => args.raw().parse(Some((token, url)))?,
        Some((_, Err(error))) => anyhow::bail!("{error}"),
        None => args.raw().parse(None)?,
    };
    let webhook_mode = matches!(settings.mode, BotMode::Webhook { .. });
    if let (Parts::Everything, BotMode::Webhook { url, .. }) = (parts, &settings.mode)
        && startlink_web::serves_path(url.path())
    {
        anyhow::bail!(
            "WEBHOOK_URL's path {} is a page of the panel or the API; choose another, like /tg/webhook",
            url.path()
        );
    }
    let web_state = match parts {
        Parts::Everything => Some(super::web::state(&db, config, sandbox.is_some()).await?),
        Parts::BotOnly => None,
    };
    let (bot, ctx) = startlink_bot::prepare(settings, db.clone(), config.timezone).await?;
    let status = Arc::new(BotBridge {
        bot: bot.clone(),
        ctx: ctx.clone(),
        sandbox: sandbox.is_some(),
    });
    let mut web = web_state.map(|state| {
        let state = state.with_bot(status);
        let state = match &sandbox {
            Some(sandbox) => state.with_sandbox(sandbox.sandbox().clone()),
            None => state,
        };
        startlink_web::router(state)
    });
    let (running, webhook) = startlink_bot::start(bot, ctx.clone()).await?;

    let http = match (parts, webhook_mode) {
        (Parts::Everything, _) | (Parts::BotOnly, true) => {
            let listener = TcpListener::bind(&args.http_addr)
                .await
                .with_context(|| format!("cannot listen on HTTP_ADDR {}", args.http_addr))?;
            let addr = listener.local_addr()?;
            let app = http_app(db.clone(), webhook);
            let app = match web.take() {
                Some(web) => {
                    println!("Panel: http://{addr}/  API docs: http://{addr}/docs");
                    app.merge(web)
                }
                None => app,
            };
            tracing::info!(%addr, "HTTP server listening (GET /healthz)");
            let server = startlink_web::WebServer::new(listener, app)
                .with_limits(super::web::limits(args.http_max_connections));
            Some((addr, tokio::spawn(server.run(shutdown_signal()))))
        }
        _ => None,
    };
    if let Some(sandbox) = &sandbox {
        print_sandbox_help(
            sandbox.base_url().as_str(),
            ctx.links.bot().as_str(),
            &ctx.settings.operators,
        );
    }
    shutdown_signal().await;
    pruning.abort();
    tracing::info!("shutting down: finishing updates in flight");
    running.stop().await;
    if let Some((_, task)) = http {
        task.await
            .context("HTTP server task")?
            .context("HTTP server")?;
    }
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await.context("sandbox shutdown")?;
    }
    Ok(())
}

/// Once a day (first at start): audit log entries older than
/// `AUDIT_RETENTION_DAYS` when it is set, and admin sessions that ended or
/// expired more than 30 days ago.
async fn prune_daily(db: startlink_core::DatabaseConnection, retention: Option<chrono::Duration>) {
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

async fn start_sandbox(addr: &str) -> anyhow::Result<startlink_sandbox::RunningSandbox> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on the sandbox address {addr}"))?;
    // A fresh token per run: nothing outside this process can act as the bot.
    let config = SandboxConfig {
        token: format!("1000000001:{}", LinkKey::generate()),
        ..SandboxConfig::default()
    };
    Ok(Sandbox::new(config).spawn(listener)?)
}

pub(crate) fn http_app(db: DatabaseConnection, webhook: Option<Router>) -> Router {
    let app = startlink_web::health::routes(db);
    match webhook {
        Some(webhook) => app.merge(webhook),
        None => app,
    }
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
