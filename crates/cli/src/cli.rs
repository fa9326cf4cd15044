//! Command-line definition and the entry point.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use startlink_core::config::{Config, DEFAULT_DATABASE_URL, DEFAULT_TIMEZONE};
use tracing_subscriber::EnvFilter;

use crate::commands;

/// startlink: Telegram deep links that mean something.
///
/// Create links like https://t.me/<bot>?start=<key> for orders, campaigns and
/// referrals, hand them out, and see who opened what.
#[derive(Debug, Parser)]
#[command(name = "startlink", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every command shares; each also reads its environment variable.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database: sqlite://FILE?mode=rwc or postgres://USER:PASS@HOST/DB
    #[arg(long, global = true, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,
    /// The bot's username, for building t.me links
    #[arg(long, global = true, env = "BOT_USERNAME")]
    pub bot_username: Option<String>,
    /// IANA time zone for showing times
    #[arg(long, global = true, env = "TIMEZONE", default_value = DEFAULT_TIMEZONE)]
    pub timezone: String,
}

// Parsed once per run; boxing the big variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending database migrations (every command also does this first)
    Migrate,
    /// Create, list, inspect, revoke, extend and open links
    #[command(subcommand)]
    Link(commands::link::LinkCommand),
    /// Link and open counts, globally or per creator
    Stats(commands::stats::StatsArgs),
    /// Export links, events, users or campaigns (or all of them) as XLSX or CSV
    Export(commands::export::ExportArgs),
    /// Make a styled QR code (PNG or SVG) of any text, checked to scan
    Qr(commands::qr::QrArgs),
    /// Run everything: the bot and the HTTP server (Ctrl-C stops gracefully)
    Serve(commands::serve::BotArgs),
    /// Run the bot alone (the HTTP server too in webhook mode)
    Bot(commands::serve::BotArgs),
    /// Panel and API users (admins and read-only viewers)
    #[command(subcommand)]
    Admin(commands::admin::AdminCommand),
    /// API tokens for scripts
    #[command(subcommand)]
    Token(commands::token::TokenCommand),
    /// Who did what: writes, logins, failed logins, logouts (newest first)
    Audit(commands::audit::AuditArgs),
    /// Run the REST API (docs at /docs) without the bot
    Web(commands::web::WebArgs),
    /// Fill the database with demo links, users and opens (for trying the
    /// panel and for benchmarks)
    DemoData(commands::demo::DemoArgs),
    /// The PDF report for a period (default: the last 30 days)
    Report(commands::report::ReportArgs),
}

/// Runs the command line and turns failures into one line on stderr.
pub fn main() -> ExitCode {
    // A missing .env is normal; a malformed one is worth saying.
    let dotenv = dotenvy::dotenv();
    let cli = Cli::parse();
    init_tracing();
    if let Err(dotenvy::Error::LineParse(line, index)) = &dotenv {
        tracing::warn!("ignoring .env: cannot parse {line:?} at position {index}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,startlink=info,startlink_core=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let (config, notes) = Config::from_values(
        &cli.global.database_url,
        cli.global.bot_username.as_deref(),
        &cli.global.timezone,
    )
    .context("invalid configuration")?;
    for note in notes {
        tracing::info!("{note}");
    }
    match cli.command {
        Command::Migrate => commands::migrate::run(&config).await,
        Command::Link(command) => commands::link::run(&config, command).await,
        Command::Stats(args) => commands::stats::run(&config, args).await,
        Command::Export(args) => commands::export::run(&config, args).await,
        Command::Qr(args) => commands::qr::run(args),
        Command::Serve(args) => {
            commands::serve::run(&config, args, commands::serve::Parts::Everything).await
        }
        Command::Bot(args) => {
            commands::serve::run(&config, args, commands::serve::Parts::BotOnly).await
        }
        Command::Admin(command) => commands::admin::run(&config, command).await,
        Command::Token(command) => commands::token::run(&config, command).await,
        Command::Audit(args) => commands::audit::run(&config, args).await,
        Command::Web(args) => commands::web::run(&config, args).await,
        Command::DemoData(args) => commands::demo::run(&config, args).await,
        Command::Report(args) => commands::report::run(&config, args).await,
    }
}
