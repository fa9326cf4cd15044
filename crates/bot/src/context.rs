//! What every handler shares: the database, settings, and the link builder.

use chrono_tz::Tz;
use startlink_core::DatabaseConnection;
use startlink_core::links::LinkBuilder;

use crate::i18n::Lang;
use crate::settings::BotSettings;

/// Shared, read-only state of a running bot (handlers get it as `Arc<BotContext>`).
#[derive(Debug)]
pub struct BotContext {
    /// The bot as `getMe` described it; its id keys the inbox.
    pub me: teloxide::types::Me,
    pub db: DatabaseConnection,
    pub settings: BotSettings,
    pub timezone: Tz,
    /// Builds `t.me` links with the username Telegram gave in `getMe`.
    pub links: LinkBuilder,
    /// How QR codes look; holds the `QR_LOGO` image, loaded once at start.
    pub qr_style: startlink_qr::QrStyle,
    /// Updates received and handler failures, for `/metrics`.
    pub metrics: crate::metrics::BotMetrics,
}

/// What the bot knows about the sender of an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Operator,
    Admin,
}

impl BotContext {
    /// The bot's own Telegram id: each bot numbers its updates separately.
    pub fn bot_id(&self) -> i64 {
        i64::try_from(self.me.id.0).unwrap_or(i64::MAX)
    }

    pub fn role(&self, user_id: i64) -> Role {
        if self.settings.admins.contains(&user_id) {
            Role::Admin
        } else if self.settings.operators.contains(&user_id) {
            Role::Operator
        } else {
            Role::User
        }
    }

    pub fn lang(&self, chosen: Option<&str>, telegram: Option<&str>) -> Lang {
        Lang::resolve(chosen, telegram, self.settings.default_lang)
    }

    /// A time in the configured zone, as operators read it.
    pub fn show_time(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        at.with_timezone(&self.timezone)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}
