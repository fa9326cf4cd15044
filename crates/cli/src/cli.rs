//! Command-line definition and the entry point.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::app::{App, Listeners, Parts};
use crate::commands;
use crate::settings::{Environment, GlobalArgs, HttpArgs, ServeArgs, Settings};
use startlink_core::config::Config;

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
    Serve(ServeArgs),
    /// Run the bot alone (the HTTP server too in webhook mode)
    Bot(ServeArgs),
    /// Panel and API users (admins and read-only viewers)
    #[command(subcommand)]
    Admin(commands::admin::AdminCommand),
    /// API tokens for scripts
    #[command(subcommand)]
    Token(commands::token::TokenCommand),
    /// Who did what: writes, logins, failed logins, logouts (newest first)
    Audit(commands::audit::AuditArgs),
    /// Run the REST API (docs at /docs) without the bot
    Web(HttpArgs),
    /// Fill the database with demo links, users and opens (for trying the
    /// panel and for benchmarks)
    DemoData(commands::demo::DemoArgs),
    /// The PDF report for a period (default: the last 30 days)
    Report(commands::report::ReportArgs),
}

/// Runs the command line and turns failures into one line on stderr.
pub fn main() -> ExitCode {
    let (env, dotenv_warning) = Environment::load();
    let cli = Cli::parse();
    init_tracing(env.var("RUST_LOG"));
    if let Some(warning) = dotenv_warning {
        tracing::warn!("{warning}");
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
    match runtime.block_on(run(cli, &env)) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`… | head`): done, quietly, as Unix tools are.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", one_line(&error));
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes on one line, each said once: a cause whose text
/// its wrapper already repeats is not printed again.
pub(crate) fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        let text = text.trim();
        if text.is_empty() || line.contains(text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(text);
    }
    line.replace('\n', " ")
}

fn init_tracing(rust_log: Option<&str>) {
    let filter = rust_log
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new("warn,startlink=info,startlink_core=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}

pub async fn run(cli: Cli, env: &Environment) -> anyhow::Result<()> {
    let Cli { global, command } = cli;
    let config = || -> anyhow::Result<Config> {
        let (config, notes) = global.config(env)?;
        for note in notes {
            tracing::info!("{note}");
        }
        Ok(config)
    };
    match command {
        Command::Migrate => commands::migrate::run(&config()?).await,
        Command::Link(command) => commands::link::run(&config()?, command).await,
        Command::Stats(args) => commands::stats::run(&config()?, args).await,
        Command::Export(args) => {
            commands::export::run(&config()?, args, Settings::default_lang(env)?).await
        }
        Command::Qr(args) => commands::qr::run(args),
        Command::Admin(command) => commands::admin::run(&config()?, command).await,
        Command::Token(command) => commands::token::run(&config()?, command).await,
        Command::Audit(args) => commands::audit::run(&config()?, args).await,
        Command::DemoData(args) => commands::demo::run(&config()?, args).await,
        Command::Report(args) => {
            commands::report::run(&config()?, args, Settings::default_lang(env)?).await
        }
        Command::Serve(args) => {
            let settings = Settings::read(&global, &args.http, Some(&args.bot), env)?;
            serve(settings, Parts::Everything).await
        }
        Command::Bot(args) => {
            let settings = Settings::read(&global, &args.http, Some(&args.bot), env)?;
            serve(settings, Parts::BotOnly).await
        }
        Command::Web(args) => {
            serve(Settings::read(&global, &args, None, env)?, Parts::WebOnly).await
        }
    }
}

/// `serve`, `bot` and `web`: until Ctrl-C or SIGTERM.
async fn serve(settings: Settings, parts: Parts) -> anyhow::Result<()> {
    let app = App::build(settings, parts, Listeners::default()).await?;
    app.run_until_stopped(crate::app::shutdown_signal()).await
}

#[cfg(test)]
mod error_tests {
    use super::*;

    #[test]
    fn each_cause_is_said_once() {
        let io = std::io::Error::other("unable to open database file");
        let error = anyhow::Error::new(io)
            .context("error returned from database: unable to open database file")
            .context("while opening the database");
        assert_eq!(
            one_line(&error),
            "while opening the database: error returned from database: unable to open database file"
        );
    }

    #[test]
    fn a_closed_reader_is_recognised_through_the_chain() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let error = anyhow::Error::new(pipe).context("cannot write the CSV file");
        assert!(is_broken_pipe(&error));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
