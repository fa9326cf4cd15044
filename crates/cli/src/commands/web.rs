//! `startlink web`: the REST API (and later the panel) alone; `serve` mounts
//! the same application next to the bot.
//!
//! Its settings are read from the environment only (`JWT_SECRET`,
//! `CORS_ORIGINS`, `ADMIN_USER`, `ADMIN_PASS`): secrets passed as flags would
//! show in the process list.

use anyhow::Context as _;
use clap::Args;
use startlink_core::DatabaseConnection;
use startlink_core::config::Config;
use startlink_core::lang::Lang;
use startlink_web::{AppState, FirstAdmin, RawWebSettings, ServerLimits, WebServer};
use tokio::net::TcpListener;

use super::open_db;
use super::serve::shutdown_signal;

#[derive(Debug, Args)]
pub struct WebArgs {
    /// Address to listen on
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8080")]
    http_addr: String,
    /// Open HTTP connections at most; more wait until one closes
    #[arg(long, env = "HTTP_MAX_CONNECTIONS", value_name = "N", default_value_t = startlink_web::DEFAULT_MAX_CONNECTIONS as u32, value_parser = clap::value_parser!(u32).range(1..))]
    http_max_connections: u32,
    /// Sandbox mode: a JWT secret generated for this run, and a first admin with
    /// a random password (printed once) when there is none
    #[arg(long)]
    sandbox: bool,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn raw_settings() -> RawWebSettings {
    RawWebSettings {
        jwt_secret: env("JWT_SECRET"),
        cors_origins: env("CORS_ORIGINS"),
        admin_user: env("ADMIN_USER"),
        admin_pass: env("ADMIN_PASS"),
        cookie_secure: env("COOKIE_SECURE"),
    }
}

/// The web application's state for `db`: checks the settings, makes sure
/// there is an admin (printing a generated sandbox password once). `serve`
/// adds the bot and the sandbox to it before building the router.
pub async fn state(
    db: &DatabaseConnection,
    config: &Config,
    sandbox: bool,
) -> anyhow::Result<AppState> {
    let web = raw_settings().parse(sandbox)?;
    if sandbox && env("JWT_SECRET").is_none_or(|s| s.trim().is_empty()) {
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
    let default_lang = match env("DEFAULT_LANG").as_deref().map(str::trim) {
        None | Some("") => Lang::default(),
        Some(code) => code.parse::<Lang>().context("DEFAULT_LANG")?,
    };
    Ok(AppState::new(
        db.clone(),
        web,
        config.timezone,
        config.bot_username.clone(),
    )
    .context("while loading the panel's templates")?
    .with_default_lang(default_lang))
}

/// The HTTP server's limits with `HTTP_MAX_CONNECTIONS`.
pub(crate) fn limits(max_connections: u32) -> ServerLimits {
    ServerLimits {
        max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
        ..ServerLimits::default()
    }
}

pub async fn run(config: &Config, args: WebArgs) -> anyhow::Result<()> {
    let db = open_db(config).await?;
    let app = startlink_web::router(state(&db, config, args.sandbox).await?);
    let healthz = super::serve::http_app(db, None);
    let listener = TcpListener::bind(&args.http_addr)
        .await
        .with_context(|| format!("cannot listen on HTTP_ADDR {}", args.http_addr))?;
    let server =
        WebServer::new(listener, healthz.merge(app)).with_limits(limits(args.http_max_connections));
    let addr = server.local_addr()?;
    tracing::info!(%addr, "web server listening (API at /api/v1, docs at /docs)");
    println!("API docs: http://{addr}/docs");
    server.run(shutdown_signal()).await.context("web server")
}
