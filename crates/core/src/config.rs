//! Typed configuration. Values come from the environment (and `.env`), CLI flags
//! override them; the binary does the reading, this module the rules.

use std::fmt;

use chrono_tz::Tz;

use crate::links::BotUsername;

/// One environment variable the product reads. `.env.example` and the README's
/// configuration table list exactly these (a test checks it).
#[derive(Debug, Clone, Copy)]
pub struct EnvVar {
    pub name: &'static str,
    pub default: Option<&'static str>,
    pub doc: &'static str,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://startlink.db?mode=rwc";
pub const DEFAULT_TIMEZONE: &str = "Asia/Tashkent";

/// Every variable, in the order `.env.example` lists them.
pub const ENV_VARS: &[EnvVar] = &[
    EnvVar {
        name: "DATABASE_URL",
        default: Some(DEFAULT_DATABASE_URL),
        doc: "Database: sqlite://FILE?mode=rwc (embedded) or postgres://USER:PASS@HOST/DB. The Python version's sqlite+aiosqlite:///FILE is understood too.",
    },
    EnvVar {
        name: "BOT_USERNAME",
        default: None,
        doc: "The bot's username, used to build t.me links until the bot has asked Telegram its own name.",
    },
    EnvVar {
        name: "TIMEZONE",
        default: Some(DEFAULT_TIMEZONE),
        doc: "IANA time zone for showing times and for day boundaries in statistics.",
    },
    EnvVar {
        name: "BOT_TOKEN",
        default: None,
        doc: "The bot's token from @BotFather. Required by `serve` and `bot` unless --sandbox.",
    },
    EnvVar {
        name: "TELEGRAM_API_URL",
        default: Some("https://api.telegram.org"),
        doc: "Bot API base URL: a self-hosted Bot API server, or a test server.",
    },
    EnvVar {
        name: "OPERATOR_IDS",
        default: None,
        doc: "Comma-separated Telegram user ids who may create and manage links.",
    },
    EnvVar {
        name: "ADMIN_IDS",
        default: None,
        doc: "Comma-separated Telegram user ids of operators who also see and manage every link.",
    },
    EnvVar {
        name: "BOT_MODE",
        default: Some("polling"),
        doc: "How updates arrive: polling (long polling) or webhook.",
    },
    EnvVar {
        name: "WEBHOOK_URL",
        default: None,
        doc: "Webhook mode: the public https URL Telegram posts updates to (plain http only for localhost); its path is served on HTTP_ADDR.",
    },
    EnvVar {
        name: "WEBHOOK_SECRET",
        default: None,
        doc: "Webhook mode: 16-256 characters of A-Z a-z 0-9 _ -, checked on every update (X-Telegram-Bot-Api-Secret-Token).",
    },
    EnvVar {
        name: "DEFAULT_LANG",
        default: Some("uz"),
        doc: "Bot language when the user's is unknown, and the language of export headers: uz, ru or en.",
    },
    EnvVar {
        name: "QR_LOGO",
        default: None,
        doc: "Path to a PNG or JPEG logo for the centre of the bot's QR codes.",
    },
    EnvVar {
        name: "REPORT_SCHEDULE",
        default: Some("off"),
        doc: "Automatic PDF report to every ADMIN_IDS chat: off, daily (the previous day) or weekly (the previous ISO week, on Mondays).",
    },
    EnvVar {
        name: "REPORT_HOUR",
        default: Some("9"),
        doc: "Hour of the day (0-23, in TIMEZONE) after which the automatic report is sent.",
    },
    EnvVar {
        name: "TG_MAX_RPS",
        default: Some("30"),
        doc: "Global cap on the bot's outgoing messages per second; replies over it wait their turn.",
    },
    EnvVar {
        name: "HTTP_ADDR",
        default: Some("127.0.0.1:8080"),
        doc: "Address of the HTTP server (webhook, health check, sandbox).",
    },
    EnvVar {
        name: "HTTP_MAX_CONNECTIONS",
        default: Some("1024"),
        doc: "Open HTTP connections at most; at the cap new clients wait until one closes (a warning is logged).",
    },
    EnvVar {
        name: "JWT_SECRET",
        default: None,
        doc: "Key for the panel's and API's access tokens (HS256): at least 32 random bytes. Required by `serve` and `web` unless --sandbox, which generates one per run.",
    },
    EnvVar {
        name: "CORS_ORIGINS",
        default: None,
        doc: "Comma-separated origins (https://shop.example) allowed to call the API from a browser; unset: none.",
    },
    EnvVar {
        name: "COOKIE_SECURE",
        default: Some("false"),
        doc: "true when the panel is served over HTTPS: its session and CSRF cookies get the Secure flag.",
    },
    EnvVar {
        name: "ADMIN_USER",
        default: None,
        doc: "With ADMIN_PASS: the first panel/API admin, created on start when there is none.",
    },
    EnvVar {
        name: "ADMIN_PASS",
        default: None,
        doc: "The first admin's password: at least 12 characters, hard to guess (zxcvbn score 3+), without the user name.",
    },
    EnvVar {
        name: "AUDIT_RETENTION_DAYS",
        default: None,
        doc: "Days to keep audit log entries; `serve` deletes older ones daily. Unset: kept forever.",
    },
    EnvVar {
        name: "RUST_LOG",
        default: Some("warn,startlink=info,startlink_core=info"),
        doc: "Log filter (tracing EnvFilter syntax); logs go to stderr.",
    },
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "DATABASE_URL {0} is not supported: use sqlite://FILE?mode=rwc or postgres://USER:PASS@HOST/DB"
    )]
    UnsupportedDatabase(String),
    #[error("DATABASE_URL is empty")]
    EmptyDatabaseUrl,
    #[error("TIMEZONE {0:?} is not an IANA time zone name (like Asia/Tashkent or UTC)")]
    Timezone(String),
    #[error("BOT_USERNAME: {0}")]
    BotUsername(#[from] crate::links::UrlError),
}

/// Which engine a `DatabaseUrl` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// A database URL in the form the driver takes. Its password never appears in
/// `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    kind: DbKind,
}

impl DatabaseUrl {
    /// Parses a URL, mapping the Python version's SQLAlchemy forms. The second
    /// value, when present, is a note for the log about such a mapping.
    pub fn parse(input: &str) -> Result<(Self, Option<String>), ConfigError> {
        let raw = input.trim();
        if raw.is_empty() {
            return Err(ConfigError::EmptyDatabaseUrl);
        }
        let scheme = raw
            .split("://")
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Ok((Self::sqlite(with_create_mode(raw)), None)),
            "postgres" | "postgresql" => Ok((Self::postgres(raw.to_owned()), None)),
            "sqlite+aiosqlite" | "sqlite+pysqlite" => {
                // SQLAlchemy: sqlite:///relative.db, sqlite:////absolute/path.db
                let rest = raw
                    .split_once("://")
                    .map(|(_, rest)| rest)
                    .unwrap_or_default();
                let path = rest.strip_prefix('/').unwrap_or(rest);
                let (path, _query) = path.split_once('?').unwrap_or((path, ""));
                let mapped = Self::sqlite(format!("sqlite://{path}?mode=rwc"));
                let note = format!(
                    "DATABASE_URL {input} is SQLAlchemy's form; using the SQLite file {path} ({})",
                    mapped.redacted()
                );
                Ok((mapped, Some(note)))
            }
            "postgresql+asyncpg" | "postgresql+psycopg" | "postgresql+psycopg2" => {
                let rest = raw
                    .split_once("://")
                    .map(|(_, rest)| rest)
                    .unwrap_or_default();
                let mapped = Self::postgres(format!("postgres://{rest}"));
                let note = format!(
                    "DATABASE_URL uses SQLAlchemy's driver suffix; using {}",
                    mapped.redacted()
                );
                Ok((mapped, Some(note)))
            }
            _ => Err(ConfigError::UnsupportedDatabase(redact(raw))),
        }
    }

    /// A SQLite URL opens or creates its file unless it names a mode itself
    /// (`sqlite:///tmp/x.db` would otherwise fail with "unable to open
    /// database file" when the file does not exist yet).
    fn sqlite(url: String) -> Self {
        Self {
            url,
            kind: DbKind::Sqlite,
        }
    }

    fn postgres(url: String) -> Self {
        Self {
            url,
            kind: DbKind::Postgres,
        }
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// The same server with another database name (PostgreSQL; tests and
    /// benchmarks create throw-away databases next to the configured one).
    pub fn with_database(&self, name: &str) -> Self {
        let url = &self.url;
        let (base, query) = url
            .split_once('?')
            .map_or((url.as_str(), None), |(b, q)| (b, Some(q)));
        let scheme_end = base.find("://").map_or(0, |i| i + 3);
        let path_start = base[scheme_end..]
            .find('/')
            .map_or(base.len(), |i| scheme_end + i);
        let mut out = format!("{}/{name}", &base[..path_start]);
        if let Some(query) = query {
            out.push('?');
            out.push_str(query);
        }
        Self {
            url: out,
            kind: self.kind,
        }
    }

    /// The full URL, password included, for the driver only.
    pub fn expose(&self) -> &str {
        &self.url
    }

    /// The URL with its password replaced by `***`.
    pub fn redacted(&self) -> String {
        redact(&self.url)
    }
}

fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl")
            .field(&self.redacted())
            .finish()
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// The settings every part of the product shares.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where links, events and users are stored.
    pub database_url: DatabaseUrl,
    /// Fallback bot username for building links (the bot's own `getMe` answer,
    /// stored in settings, takes precedence once known).
    pub bot_username: Option<BotUsername>,
    /// Time zone for display and day boundaries.
    pub timezone: Tz,
}

impl Config {
    /// Builds the configuration from raw values; returns notes for the log too.
    pub fn from_values(
        database_url: &str,
        bot_username: Option<&str>,
        timezone: &str,
    ) -> Result<(Self, Vec<String>), ConfigError> {
        let (database_url, note) = DatabaseUrl::parse(database_url)?;
        let bot_username = bot_username
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(BotUsername::parse)
            .transpose()?;
        let timezone = parse_timezone(timezone)?;
        Ok((
            Self {
                database_url,
                bot_username,
                timezone,
            },
            note.into_iter().collect(),
        ))
    }
}

pub fn parse_timezone(input: &str) -> Result<Tz, ConfigError> {
    input
        .trim()
        .parse::<Tz>()
        .map_err(|_| ConfigError::Timezone(input.to_owned()))
}

/// `url` with `mode=rwc` added when it names no mode (`sqlite::memory:` and
/// other forms without a path are left alone).
fn with_create_mode(url: &str) -> String {
    let Some((_, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let query = rest.split_once('?').map(|(_, q)| q).unwrap_or_default();
    if rest.is_empty() || query.split('&').any(|pair| pair.starts_with("mode=")) {
        return url.to_owned();
    }
    let joiner = if query.is_empty() && !rest.ends_with('?') {
        "?"
    } else if query.is_empty() {
        ""
    } else {
        "&"
    };
    format!("{url}{joiner}mode=rwc")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_python_versions_sqlite_url_maps_to_the_same_file() {
        let (url, note) = DatabaseUrl::parse("sqlite+aiosqlite:///bot_data.db").unwrap();
        assert_eq!(url.expose(), "sqlite://bot_data.db?mode=rwc");
        assert_eq!(url.kind(), DbKind::Sqlite);
        assert!(note.unwrap().contains("bot_data.db"));
        let (url, _) = DatabaseUrl::parse("sqlite+aiosqlite:////var/lib/bot/bot_data.db").unwrap();
        assert_eq!(url.expose(), "sqlite:///var/lib/bot/bot_data.db?mode=rwc");
    }

    #[test]
    fn a_sqlite_url_without_a_mode_creates_its_file() {
        for (given, expected) in [
            ("sqlite:///tmp/x.db", "sqlite:///tmp/x.db?mode=rwc"),
            (
                "sqlite://x.db?cache=shared",
                "sqlite://x.db?cache=shared&mode=rwc",
            ),
            ("sqlite://x.db?mode=ro", "sqlite://x.db?mode=ro"),
            ("sqlite://x.db?mode=rwc", "sqlite://x.db?mode=rwc"),
        ] {
            assert_eq!(DatabaseUrl::parse(given).unwrap().0.expose(), expected);
        }
    }

    #[test]
    fn postgres_urls_are_accepted_in_both_spellings() {
        for input in [
            "postgres://u:p@h/db",
            "postgresql://u:p@h/db",
            "postgresql+asyncpg://u:p@h/db",
        ] {
            let (url, _) = DatabaseUrl::parse(input).unwrap();
            assert_eq!(url.kind(), DbKind::Postgres, "{input}");
        }
    }

    #[test]
    fn another_database_on_the_same_server_keeps_credentials_and_options() {
        let (url, _) = DatabaseUrl::parse("postgres://u:p@h:5432/test?sslmode=disable").unwrap();
        assert_eq!(
            url.with_database("other").expose(),
            "postgres://u:p@h:5432/other?sslmode=disable"
        );
        let (bare, _) = DatabaseUrl::parse("postgres://h").unwrap();
        assert_eq!(bare.with_database("x").expose(), "postgres://h/x");
    }

    #[test]
    fn unknown_databases_are_refused_without_leaking_the_password() {
        let error = DatabaseUrl::parse("mysql://root:hunter2@localhost/db").unwrap_err();
        assert!(!error.to_string().contains("hunter2"), "{error}");
        assert!(DatabaseUrl::parse("  ").is_err());
    }

    #[test]
    fn the_password_is_redacted_in_debug_and_display() {
        let (url, _) =
            DatabaseUrl::parse("postgres://shop:s3cr3t@db.local:5432/shop?sslmode=disable")
                .unwrap();
        let (config, _) = Config::from_values(url.expose(), Some("shop_bot"), "UTC").unwrap();
        for shown in [format!("{url:?}"), url.to_string(), format!("{config:?}")] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
            assert!(shown.contains("shop:***@db.local:5432/shop"), "{shown}");
        }
    }

    #[test]
    fn a_bad_time_zone_or_bot_name_is_a_clear_error() {
        assert!(matches!(
            Config::from_values(DEFAULT_DATABASE_URL, None, "Mars/Olympus"),
            Err(ConfigError::Timezone(_))
        ));
        assert!(matches!(
            Config::from_values(DEFAULT_DATABASE_URL, Some("no spaces bot"), "UTC"),
            Err(ConfigError::BotUsername(_))
        ));
        let (config, notes) =
            Config::from_values(DEFAULT_DATABASE_URL, Some(""), DEFAULT_TIMEZONE).unwrap();
        assert!(config.bot_username.is_none());
        assert!(notes.is_empty());
        assert_eq!(config.timezone, chrono_tz::Asia::Tashkent);
    }
}
