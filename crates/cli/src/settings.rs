//! The process's configuration, read once: a flag over the environment over
//! `.env`. Every command gets [`Config`] from here; `serve`, `bot` and `web`
//! get the whole [`Settings`]. No other code reads the environment for
//! configuration (`config::ENV_VARS` names every variable, and
//! [`Environment::var`] refuses a name that is not there).

use std::collections::BTreeMap;

use anyhow::Context as _;
use clap::Args;
use startlink_bot::settings::RawBotSettings;
use startlink_core::config::{Config, DEFAULT_DATABASE_URL, DEFAULT_TIMEZONE, ENV_VARS};
use startlink_core::lang::Lang;
use startlink_web::{RawWebSettings, ServerLimits};

/// Where the HTTP server listens when `HTTP_ADDR` is not set.
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8080";
/// Where the built-in Bot API sandbox listens unless `--sandbox-addr` says.
pub const DEFAULT_SANDBOX_ADDR: &str = "127.0.0.1:8081";

/// The configuration variables this process sees: its environment over the
/// `.env` file (found in the working directory or above it).
#[derive(Debug, Clone, Default)]
pub struct Environment {
    vars: BTreeMap<String, String>,
}

impl Environment {
    /// Reads the process environment and `.env`. The second value is a
    /// warning about a `.env` that exists but cannot be read.
    pub fn load() -> (Self, Option<String>) {
        let mut warning = None;
        let dotenv: Vec<(String, String)> = match dotenvy::dotenv_iter() {
            Ok(lines) => lines
                .filter_map(|line| match line {
                    Ok(pair) => Some(pair),
                    Err(error) => {
                        warning.get_or_insert_with(|| format!("ignoring a line of .env: {error}"));
                        None
                    }
                })
                .collect(),
            // A missing .env is normal.
            Err(dotenvy::Error::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => {
                Vec::new()
            }
            Err(error) => {
                warning = Some(format!("ignoring .env: {error}"));
                Vec::new()
            }
        };
        (
            Self::layered(std::env::vars_os().filter_map(utf8), dotenv),
            warning,
        )
    }

    /// `process` over `dotenv`: a variable set in both takes the process's value.
    pub fn layered(
        process: impl IntoIterator<Item = (String, String)>,
        dotenv: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let mut vars: BTreeMap<String, String> = dotenv.into_iter().collect();
        vars.extend(process);
        Self { vars }
    }

    /// Exactly these variables (tests).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self::layered(
            pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())),
            [],
        )
    }

    /// `name`'s value, trimmed; unset and blank are the same.
    ///
    /// # Panics
    /// When `name` is not one of `config::ENV_VARS` (a programming error: every
    /// variable the product reads is documented there).
    pub fn var(&self, name: &'static str) -> Option<&str> {
        assert!(
            ENV_VARS.iter().any(|known| known.name == name),
            "{name} is read but not listed in config::ENV_VARS"
        );
        self.vars
            .get(name)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    }

    fn pick(&self, flag: Option<&str>, name: &'static str) -> Option<String> {
        flag.map(str::trim)
            .filter(|value| !value.is_empty())
            .or_else(|| self.var(name))
            .map(str::to_owned)
    }
}

fn utf8((name, value): (std::ffi::OsString, std::ffi::OsString)) -> Option<(String, String)> {
    Some((name.into_string().ok()?, value.into_string().ok()?))
}

/// Settings every command shares (env: DATABASE_URL, BOT_USERNAME, TIMEZONE).
#[derive(Debug, Default, Args)]
pub struct GlobalArgs {
    /// Database: sqlite://FILE or postgres://USER:PASS@HOST/DB [env: DATABASE_URL]
    /// [default: sqlite://startlink.db]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// The bot's username, for building t.me links [env: BOT_USERNAME]
    #[arg(long, global = true, value_name = "NAME")]
    pub bot_username: Option<String>,
    /// IANA time zone for showing times [env: TIMEZONE] [default: Asia/Tashkent]
    #[arg(long, global = true, value_name = "ZONE")]
    pub timezone: Option<String>,
}

impl GlobalArgs {
    /// The configuration every command uses, and notes about how it was read.
    pub fn config(&self, env: &Environment) -> anyhow::Result<(Config, Vec<String>)> {
        let database_url = env
            .pick(self.database_url.as_deref(), "DATABASE_URL")
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let bot_username = env.pick(self.bot_username.as_deref(), "BOT_USERNAME");
        let timezone = env
            .pick(self.timezone.as_deref(), "TIMEZONE")
            .unwrap_or_else(|| DEFAULT_TIMEZONE.to_owned());
        Config::from_values(&database_url, bot_username.as_deref(), &timezone)
            .context("invalid configuration")
    }
}

/// The HTTP server's flags (`serve`, `bot`, `web`).
#[derive(Debug, Default, Args)]
pub struct HttpArgs {
    /// Address of the HTTP server; port 0 picks a free one (printed)
    /// [env: HTTP_ADDR] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    pub http_addr: Option<String>,
    /// Open HTTP connections at most; more wait until one closes
    /// [env: HTTP_MAX_CONNECTIONS] [default: 1024]
    #[arg(long, value_name = "N")]
    pub http_max_connections: Option<String>,
    /// Sandbox: the built-in Telegram Bot API sandbox instead of Telegram (also
    /// when BOT_TOKEN is not set), a JWT secret generated for this run, and a
    /// first admin with a random password (printed once) when there is none
    #[arg(long)]
    pub sandbox: bool,
}

/// The bot's flags (`serve`, `bot`). Secrets are read from the environment
/// only: flags would show them in the process list.
#[derive(Debug, Default, Args)]
pub struct BotArgs {
    /// Bot API base URL [env: TELEGRAM_API_URL] [default: https://api.telegram.org]
    #[arg(long, value_name = "URL")]
    pub telegram_api_url: Option<String>,
    /// Comma-separated Telegram ids allowed to create and manage links [env: OPERATOR_IDS]
    #[arg(long, value_name = "IDS")]
    pub operator_ids: Option<String>,
    /// Comma-separated Telegram ids of operators who see and manage everything [env: ADMIN_IDS]
    #[arg(long, value_name = "IDS")]
    pub admin_ids: Option<String>,
    /// polling or webhook [env: BOT_MODE] [default: polling]
    #[arg(long, value_name = "MODE")]
    pub bot_mode: Option<String>,
    /// Webhook mode: the public URL Telegram posts to [env: WEBHOOK_URL]
    #[arg(long, value_name = "URL")]
    pub webhook_url: Option<String>,
    /// uz, ru or en [env: DEFAULT_LANG] [default: uz]
    #[arg(long, value_name = "LANG")]
    pub default_lang: Option<String>,
    /// PNG or JPEG logo for the centre of QR codes [env: QR_LOGO]
    #[arg(long, value_name = "PATH")]
    pub qr_logo: Option<String>,
    /// Global cap on outgoing messages per second [env: TG_MAX_RPS] [default: 30]
    #[arg(long, value_name = "N")]
    pub tg_max_rps: Option<String>,
    /// Automatic PDF report to the admins: off, daily or weekly [env: REPORT_SCHEDULE]
    #[arg(long, value_name = "WHEN")]
    pub report_schedule: Option<String>,
    /// Hour (0-23, in TIMEZONE) after which the automatic report is sent [env: REPORT_HOUR]
    #[arg(long, value_name = "HOUR")]
    pub report_hour: Option<String>,
    /// Days to keep audit log entries (pruned daily); unset: forever [env: AUDIT_RETENTION_DAYS]
    #[arg(long, value_name = "DAYS")]
    pub audit_retention_days: Option<String>,
    /// Where the built-in Bot API sandbox listens; port 0 picks a free one
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_SANDBOX_ADDR)]
    pub sandbox_addr: String,
}

/// `serve` and `bot`: the HTTP server's and the bot's flags.
#[derive(Debug, Default, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub http: HttpArgs,
    #[command(flatten)]
    pub bot: BotArgs,
}

/// Everything `serve`, `bot` and `web` need, checked where it can be without
/// the database or the network.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config: Config,
    /// What `Config` noticed while reading (e.g. a Python-style database URL).
    pub notes: Vec<String>,
    /// Bot texts when a user's language is unknown; export and report headers.
    pub default_lang: Lang,
    pub http_addr: String,
    pub limits: ServerLimits,
    /// `--sandbox`: the Telegram sandbox, and the panel's sandbox conveniences.
    pub sandbox: bool,
    /// Unchecked web values: the sandbox decides whether a JWT secret is needed.
    pub web: RawWebSettings,
    /// `None` for `web`.
    pub bot: Option<BotPart>,
}

/// The bot's part of [`Settings`].
#[derive(Debug, Clone)]
pub struct BotPart {
    /// Unchecked until the sandbox (if any) has given its token and URL.
    pub raw: RawBotSettings,
    pub sandbox_addr: String,
    pub audit_retention: Option<chrono::Duration>,
}

impl BotPart {
    /// No `BOT_TOKEN`: the sandbox runs instead of Telegram.
    pub fn has_token(&self) -> bool {
        self.raw
            .token
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
    }
}

impl Settings {
    /// Reads every setting of `serve`/`bot` (`bot` given) or `web` (`bot` is
    /// `None`): a flag over the environment over `.env`.
    pub fn read(
        global: &GlobalArgs,
        http: &HttpArgs,
        bot: Option<&BotArgs>,
        env: &Environment,
    ) -> anyhow::Result<Self> {
        let (config, notes) = global.config(env)?;
        let default_lang =
            match env.pick(bot.and_then(|b| b.default_lang.as_deref()), "DEFAULT_LANG") {
                None => Lang::default(),
                Some(code) => code.parse::<Lang>().context("DEFAULT_LANG")?,
            };
        let max_connections = match env
            .pick(http.http_max_connections.as_deref(), "HTTP_MAX_CONNECTIONS")
        {
            None => startlink_web::DEFAULT_MAX_CONNECTIONS,
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .with_context(|| {
                    format!("HTTP_MAX_CONNECTIONS must be a whole number from 1 up, not {text:?}")
                })?,
        };
        let web = RawWebSettings {
            jwt_secret: env.var("JWT_SECRET").map(str::to_owned),
            cors_origins: env.var("CORS_ORIGINS").map(str::to_owned),
            admin_user: env.var("ADMIN_USER").map(str::to_owned),
            admin_pass: env.var("ADMIN_PASS").map(str::to_owned),
            cookie_secure: env.var("COOKIE_SECURE").map(str::to_owned),
        };
        let bot = match bot {
            None => None,
            Some(flags) => Some(BotPart {
                raw: RawBotSettings {
                    token: env.var("BOT_TOKEN").map(str::to_owned),
                    api_url: env.pick(flags.telegram_api_url.as_deref(), "TELEGRAM_API_URL"),
                    operator_ids: env.pick(flags.operator_ids.as_deref(), "OPERATOR_IDS"),
                    admin_ids: env.pick(flags.admin_ids.as_deref(), "ADMIN_IDS"),
                    mode: env.pick(flags.bot_mode.as_deref(), "BOT_MODE"),
                    webhook_url: env.pick(flags.webhook_url.as_deref(), "WEBHOOK_URL"),
                    webhook_secret: env.var("WEBHOOK_SECRET").map(str::to_owned),
                    default_lang: Some(default_lang),
                    qr_logo: env.pick(flags.qr_logo.as_deref(), "QR_LOGO"),
                    max_rps: env.pick(flags.tg_max_rps.as_deref(), "TG_MAX_RPS"),
                    report_schedule: env.pick(flags.report_schedule.as_deref(), "REPORT_SCHEDULE"),
                    report_hour: env.pick(flags.report_hour.as_deref(), "REPORT_HOUR"),
                },
                sandbox_addr: flags.sandbox_addr.clone(),
                audit_retention: startlink_core::audit::retention(
                    env.pick(
                        flags.audit_retention_days.as_deref(),
                        "AUDIT_RETENTION_DAYS",
                    )
                    .as_deref(),
                )?,
            }),
        };
        Ok(Self {
            config,
            notes,
            default_lang,
            http_addr: env
                .pick(http.http_addr.as_deref(), "HTTP_ADDR")
                .unwrap_or_else(|| DEFAULT_HTTP_ADDR.to_owned()),
            limits: ServerLimits {
                max_connections,
                ..ServerLimits::default()
            },
            sandbox: http.sandbox,
            web,
            bot,
        })
    }

    /// The default language of commands that take `--lang` (exports, reports).
    pub fn default_lang(env: &Environment) -> anyhow::Result<Lang> {
        match env.var("DEFAULT_LANG") {
            None => Ok(Lang::default()),
            Some(code) => code.parse::<Lang>().context("DEFAULT_LANG"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(args: &[&str], env: &Environment) -> anyhow::Result<Settings> {
        use clap::Parser as _;
        #[derive(clap::Parser)]
        struct Probe {
            #[command(flatten)]
            global: GlobalArgs,
            #[command(flatten)]
            serve: ServeArgs,
        }
        let probe = Probe::try_parse_from(std::iter::once("probe").chain(args.iter().copied()))?;
        Settings::read(
            &probe.global,
            &probe.serve.http,
            Some(&probe.serve.bot),
            env,
        )
    }

    #[test]
    fn a_flag_wins_over_the_environment_which_wins_over_dotenv() {
        let env = Environment::layered(
            [("HTTP_ADDR".to_owned(), "127.0.0.1:7002".to_owned())],
            [
                ("HTTP_ADDR".to_owned(), "127.0.0.1:7003".to_owned()),
                ("TIMEZONE".to_owned(), "Europe/Moscow".to_owned()),
                ("OPERATOR_IDS".to_owned(), "5".to_owned()),
            ],
        );
        let settings = read(&[], &env).unwrap();
        assert_eq!(settings.http_addr, "127.0.0.1:7002");
        assert_eq!(settings.config.timezone, chrono_tz::Europe::Moscow);
        let bot = settings.bot.as_ref().unwrap();
        assert_eq!(bot.raw.operator_ids.as_deref(), Some("5"));
        let settings = read(
            &["--http-addr", "127.0.0.1:7001", "--operator-ids", "6"],
            &env,
        )
        .unwrap();
        assert_eq!(settings.http_addr, "127.0.0.1:7001");
        assert_eq!(settings.bot.unwrap().raw.operator_ids.as_deref(), Some("6"));
    }

    #[test]
    fn defaults_apply_to_unset_and_blank_values() {
        let env = Environment::from_pairs([("HTTP_ADDR", "  "), ("DEFAULT_LANG", "")]);
        let settings = read(&[], &env).unwrap();
        assert_eq!(settings.http_addr, DEFAULT_HTTP_ADDR);
        assert_eq!(settings.default_lang, Lang::Uz);
        assert_eq!(
            settings.limits.max_connections,
            startlink_web::DEFAULT_MAX_CONNECTIONS
        );
        assert!(settings.bot.as_ref().is_some_and(|bot| !bot.has_token()));
        assert_eq!(settings.config.timezone, chrono_tz::Asia::Tashkent);
    }

    #[test]
    fn default_lang_is_parsed_once_for_the_bot_and_the_panel() {
        let env = Environment::from_pairs([("DEFAULT_LANG", "ru")]);
        let settings = read(&[], &env).unwrap();
        assert_eq!(settings.default_lang, Lang::Ru);
        assert_eq!(settings.bot.unwrap().raw.default_lang, Some(Lang::Ru));
        let error = read(&[], &Environment::from_pairs([("DEFAULT_LANG", "de")])).unwrap_err();
        assert!(
            format!("{error:#}").starts_with("DEFAULT_LANG: "),
            "{error:#}"
        );
    }

    #[test]
    fn bad_numbers_are_refused_naming_the_variable() {
        for (name, value) in [
            ("HTTP_MAX_CONNECTIONS", "0"),
            ("HTTP_MAX_CONNECTIONS", "many"),
            ("AUDIT_RETENTION_DAYS", "-3"),
        ] {
            let error = read(&[], &Environment::from_pairs([(name, value)])).unwrap_err();
            assert!(
                format!("{error:#}").contains(name),
                "{name}={value}: {error:#}"
            );
        }
    }

    #[test]
    fn secrets_come_from_the_environment_only() {
        let env = Environment::from_pairs([
            ("BOT_TOKEN", "123:abcdefghij"),
            ("WEBHOOK_SECRET", "0123456789abcdef"),
            ("JWT_SECRET", "x"),
        ]);
        let settings = read(&[], &env).unwrap();
        assert_eq!(settings.web.jwt_secret.as_deref(), Some("x"));
        let bot = settings.bot.unwrap();
        assert!(bot.has_token());
        assert_eq!(bot.raw.webhook_secret.as_deref(), Some("0123456789abcdef"));
        assert!(read(&["--bot-token", "1:2"], &env).is_err());
    }

    #[test]
    #[should_panic(expected = "not listed in config::ENV_VARS")]
    fn an_undocumented_variable_cannot_be_read() {
        let _ = Environment::default().var("SECRET_KNOB");
    }
}
