//! The bot's configuration: token, Bot API URL, roles, mode, language, pacing.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;

use url::Url;

use crate::i18n::Lang;

/// Telegram's documented bulk limit, messages per second.
pub const DEFAULT_MAX_RPS: u32 = 30;
pub const DEFAULT_API_URL: &str = "https://api.telegram.org";

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("BOT_TOKEN is required (or run with --sandbox)")]
    MissingToken,
    #[error("BOT_TOKEN does not look like a Telegram bot token (digits, a colon, then the secret)")]
    BadToken,
    #[error("TELEGRAM_API_URL {0:?} is not an http(s) URL")]
    BadApiUrl(String),
    #[error("{var}: {value:?} is not a comma-separated list of Telegram user ids")]
    BadIds { var: &'static str, value: String },
    #[error("BOT_MODE {0:?} must be polling or webhook")]
    BadMode(String),
    #[error("webhook mode needs WEBHOOK_URL (the public https URL Telegram posts to)")]
    MissingWebhookUrl,
    #[error(
        "WEBHOOK_URL {0:?} must be an https URL (plain http only on this machine: localhost, 127.0.0.1, ::1)"
    )]
    BadWebhookUrl(String),
    #[error(
        "WEBHOOK_URL's path {0:?} is taken by the HTTP server; use a path of its own, like /telegram/webhook"
    )]
    WebhookPathTaken(String),
    #[error(
        "webhook mode needs WEBHOOK_SECRET: 16 to 256 characters of A-Z a-z 0-9 _ - (e.g. from `openssl rand -hex 32`)"
    )]
    BadWebhookSecret,
    #[error("TG_MAX_RPS must be a whole number from 1 to 100000")]
    BadRps,
    #[error("REPORT_SCHEDULE {0:?} must be off, daily or weekly")]
    BadReportSchedule(String),
    #[error("REPORT_HOUR {0:?} must be a whole hour from 0 to 23")]
    BadReportHour(String),
}

/// A bot token; never shown in logs.
#[derive(Clone, PartialEq, Eq)]
pub struct BotToken(String);

impl BotToken {
    pub fn parse(input: &str) -> Result<Self, SettingsError> {
        let token = input.trim();
        let (id, secret) = token.split_once(':').ok_or(SettingsError::BadToken)?;
        let valid = !id.is_empty()
            && id.chars().all(|c| c.is_ascii_digit())
            && secret.len() >= 8
            && secret
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if valid {
            Ok(Self(token.to_owned()))
        } else {
            Err(SettingsError::BadToken)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BotToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.0.split(':').next().unwrap_or_default();
        write!(f, "BotToken({id}:***)")
    }
}

/// Shortest `WEBHOOK_SECRET`: a guessable secret lets anyone post updates.
pub const MIN_WEBHOOK_SECRET: usize = 16;

/// The secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token`.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    pub fn parse(input: &str) -> Result<Self, SettingsError> {
        let valid = (MIN_WEBHOOK_SECRET..=256).contains(&input.len())
            && input
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if valid {
            Ok(Self(input.to_owned()))
        } else {
            Err(SettingsError::BadWebhookSecret)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares in time independent of where the inputs differ.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        let expected = self.0.as_bytes();
        let mut diff = expected.len() ^ candidate.len();
        for (i, byte) in expected.iter().enumerate() {
            diff |= usize::from(byte ^ candidate.get(i).copied().unwrap_or(0));
        }
        diff == 0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

/// How updates arrive.
#[derive(Debug, Clone)]
pub enum BotMode {
    Polling,
    Webhook { url: Url, secret: WebhookSecret },
}

/// When the automatic report goes to the admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportSchedule {
    Off,
    /// The previous day, every day.
    Daily,
    /// The previous ISO week (Monday to Sunday), on Mondays.
    Weekly,
}

impl ReportSchedule {
    pub fn parse(input: &str) -> Result<Self, SettingsError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "off" => Ok(Self::Off),
            "daily" => Ok(Self::Daily),
            "weekly" => Ok(Self::Weekly),
            _ => Err(SettingsError::BadReportSchedule(input.to_owned())),
        }
    }
}

pub const DEFAULT_REPORT_HOUR: u32 = 9;

/// Everything the bot needs besides the database.
#[derive(Debug, Clone)]
pub struct BotSettings {
    pub token: BotToken,
    pub api_url: Url,
    /// May create and manage links.
    pub operators: HashSet<i64>,
    /// Operators who also see and manage everything.
    pub admins: HashSet<i64>,
    pub mode: BotMode,
    pub default_lang: Lang,
    pub qr_logo: Option<PathBuf>,
    /// Global cap on outgoing messages per second.
    pub max_rps: u32,
    pub report_schedule: ReportSchedule,
    /// The automatic report is sent after this hour (0-23) in `TIMEZONE`.
    pub report_hour: u32,
}

/// Raw values as read from the environment or flags.
#[derive(Debug, Clone, Default)]
pub struct RawBotSettings {
    pub token: Option<String>,
    pub api_url: Option<String>,
    pub operator_ids: Option<String>,
    pub admin_ids: Option<String>,
    pub mode: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    /// Already parsed: `DEFAULT_LANG` is read once, for the bot and the panel.
    pub default_lang: Option<Lang>,
    pub qr_logo: Option<String>,
    pub max_rps: Option<String>,
    pub report_schedule: Option<String>,
    pub report_hour: Option<String>,
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl RawBotSettings {
    /// Validates the values. `sandbox_token` replaces a missing `BOT_TOKEN` (and
    /// `TELEGRAM_API_URL`) when the bot talks to the built-in sandbox.
    pub fn parse(&self, sandbox: Option<(&str, &Url)>) -> Result<BotSettings, SettingsError> {
        let (token, api_url) = match sandbox {
            Some((token, url)) => (BotToken::parse(token)?, url.clone()),
            None => {
                let token = non_empty(&self.token).ok_or(SettingsError::MissingToken)?;
                let api = non_empty(&self.api_url).unwrap_or(DEFAULT_API_URL);
                let url = Url::parse(api)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| SettingsError::BadApiUrl(api.to_owned()))?;
                (BotToken::parse(token)?, url)
            }
        };
        let admins = parse_ids("ADMIN_IDS", non_empty(&self.admin_ids))?;
        let mut operators = parse_ids("OPERATOR_IDS", non_empty(&self.operator_ids))?;
        operators.extend(admins.iter().copied());
        let mode = match non_empty(&self.mode)
            .unwrap_or("polling")
            .to_ascii_lowercase()
            .as_str()
        {
            "polling" => BotMode::Polling,
            "webhook" => {
                let raw = non_empty(&self.webhook_url).ok_or(SettingsError::MissingWebhookUrl)?;
                let url = Url::parse(raw)
                    .ok()
                    .filter(|u| u.scheme() == "https" || (u.scheme() == "http" && is_loopback(u)))
                    .ok_or_else(|| SettingsError::BadWebhookUrl(raw.to_owned()))?;
                let path = url.path();
                let taken = ["/", "/healthz", "/metrics"].contains(&path)
                    || ["/api", "/docs", "/static", "/assets"]
                        .iter()
                        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
                if taken {
                    return Err(SettingsError::WebhookPathTaken(path.to_owned()));
                }
                let secret =
                    WebhookSecret::parse(self.webhook_secret.as_deref().unwrap_or_default())?;
                BotMode::Webhook { url, secret }
            }
            other => return Err(SettingsError::BadMode(other.to_owned())),
        };
        let default_lang = self.default_lang.unwrap_or_default();
        let max_rps = match non_empty(&self.max_rps) {
            None => DEFAULT_MAX_RPS,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or(SettingsError::BadRps)?,
        };
        let report_schedule = match non_empty(&self.report_schedule) {
            None => ReportSchedule::Off,
            Some(v) => ReportSchedule::parse(v)?,
        };
        let report_hour = match non_empty(&self.report_hour) {
            None => DEFAULT_REPORT_HOUR,
            Some(v) => v
                .parse()
                .ok()
                .filter(|h| *h < 24)
                .ok_or_else(|| SettingsError::BadReportHour(v.to_owned()))?,
        };
        Ok(BotSettings {
            token,
            api_url,
            operators,
            admins,
            mode,
            default_lang,
            qr_logo: non_empty(&self.qr_logo).map(PathBuf::from),
            max_rps,
            report_schedule,
            report_hour,
        })
    }
}

fn parse_ids(var: &'static str, value: Option<&str>) -> Result<HashSet<i64>, SettingsError> {
    let Some(value) = value else {
        return Ok(HashSet::new());
    };
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            startlink_core::users::TgUserId::parse(part)
                .map(|id| id.get())
                .map_err(|_| SettingsError::BadIds {
                    var,
                    value: value.to_owned(),
                })
        })
        .collect()
}

/// Whether `url` names this machine, where plain http cannot be overheard
/// (tests, a Bot API server next to the bot).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawBotSettings {
        RawBotSettings {
            token: Some("123456:ABCdef_ghi-jkl".into()),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_are_polling_uzbek_and_thirty_messages_a_second() {
        let s = raw().parse(None).unwrap();
        assert!(matches!(s.mode, BotMode::Polling));
        assert_eq!(s.default_lang, Lang::Uz);
        assert_eq!(s.max_rps, 30);
        assert_eq!(s.report_schedule, ReportSchedule::Off);
        assert_eq!(s.report_hour, 9);
        assert_eq!(s.api_url.as_str(), "https://api.telegram.org/");
        assert!(
            !format!("{s:?}").contains("ABCdef"),
            "the token is redacted"
        );
    }

    #[test]
    fn admins_are_operators_too() {
        let s = RawBotSettings {
            operator_ids: Some("1, 2".into()),
            admin_ids: Some("3".into()),
            ..raw()
        }
        .parse(None)
        .unwrap();
        assert_eq!(s.operators, HashSet::from([1, 2, 3]));
        assert_eq!(s.admins, HashSet::from([3]));
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        let cases: Vec<(RawBotSettings, &str)> = vec![
            (RawBotSettings::default(), "BOT_TOKEN is required"),
            (
                RawBotSettings {
                    token: Some("nope".into()),
                    ..raw()
                },
                "BOT_TOKEN",
            ),
            (
                RawBotSettings {
                    operator_ids: Some("1,abc".into()),
                    ..raw()
                },
                "OPERATOR_IDS",
            ),
            (
                RawBotSettings {
                    mode: Some("push".into()),
                    ..raw()
                },
                "BOT_MODE",
            ),
            (
                RawBotSettings {
                    mode: Some("webhook".into()),
                    ..raw()
                },
                "WEBHOOK_URL",
            ),
            (
                RawBotSettings {
                    mode: Some("webhook".into()),
                    webhook_url: Some("https://shop.example/tg".into()),
                    webhook_secret: Some("has space".into()),
                    ..raw()
                },
                "WEBHOOK_SECRET",
            ),
            (
                RawBotSettings {
                    mode: Some("webhook".into()),
                    webhook_url: Some("https://shop.example/tg".into()),
                    webhook_secret: Some("x".into()),
                    ..raw()
                },
                "16 to 256 characters",
            ),
            (
                RawBotSettings {
                    mode: Some("webhook".into()),
                    webhook_url: Some("https://shop.example/tg".into()),
                    webhook_secret: Some("abcdefghijklmno".into()),
                    ..raw()
                },
                "WEBHOOK_SECRET",
            ),
            (
                RawBotSettings {
                    mode: Some("webhook".into()),
                    webhook_url: Some("http://shop.example/tg".into()),
                    webhook_secret: Some("s3cret_Token-0123456789".into()),
                    ..raw()
                },
                "must be an https URL",
            ),
            (
                RawBotSettings {
                    mode: Some("webhook".into()),
                    webhook_url: Some("http://127.0.0.1.nip.io/tg".into()),
                    webhook_secret: Some("s3cret_Token-0123456789".into()),
                    ..raw()
                },
                "WEBHOOK_URL",
            ),
            (
                RawBotSettings {
                    max_rps: Some("0".into()),
                    ..raw()
                },
                "TG_MAX_RPS",
            ),
            (
                RawBotSettings {
                    report_schedule: Some("hourly".into()),
                    ..raw()
                },
                "REPORT_SCHEDULE",
            ),
            (
                RawBotSettings {
                    report_hour: Some("24".into()),
                    ..raw()
                },
                "REPORT_HOUR",
            ),
            (
                RawBotSettings {
                    report_hour: Some("9am".into()),
                    ..raw()
                },
                "REPORT_HOUR",
            ),
            (
                RawBotSettings {
                    api_url: Some("ftp://x".into()),
                    ..raw()
                },
                "TELEGRAM_API_URL",
            ),
        ];
        for (settings, expected) in cases {
            let error = settings.parse(None).unwrap_err().to_string();
            assert!(
                error.contains(expected),
                "expected {expected:?} in {error:?}"
            );
        }
    }

    #[test]
    fn a_weekly_report_at_seven_is_read() {
        let s = RawBotSettings {
            report_schedule: Some("Weekly".into()),
            report_hour: Some("7".into()),
            ..raw()
        }
        .parse(None)
        .unwrap();
        assert_eq!(
            (s.report_schedule, s.report_hour),
            (ReportSchedule::Weekly, 7)
        );
    }

    #[test]
    fn plain_http_webhooks_are_accepted_only_on_this_machine() {
        for url in [
            "https://shop.example/tg",
            "http://127.0.0.1:8080/tg",
            "http://localhost/tg",
            "http://[::1]:9000/tg",
        ] {
            let parsed = RawBotSettings {
                mode: Some("webhook".into()),
                webhook_url: Some(url.into()),
                webhook_secret: Some("s3cret_Token-0123456789".into()),
                ..raw()
            }
            .parse(None);
            assert!(parsed.is_ok(), "{url}: {parsed:?}");
        }
    }

    #[test]
    fn the_webhook_secret_is_compared_whole() {
        let secret = WebhookSecret::parse("s3cret_token_0123").unwrap();
        assert!(secret.matches(b"s3cret_token_0123"));
        assert!(!secret.matches(b"s3cret_token_012"));
        assert!(!secret.matches(b"s3cret_token_01234"));
        assert!(!secret.matches(b""));
    }
}
