//! Builds the links Telegram understands, refusing what Telegram would refuse.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::key::{KeyError, check_alphabet, is_key_char};

/// Why a link cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error(
        "bot username {0:?} is not valid: 5-32 characters of A-Z a-z 0-9 _, starting with a letter and ending in \"bot\""
    )]
    BotUsername(String),
    #[error("start payload is not valid: {0}")]
    Payload(#[from] KeyError),
    #[error("Mini App payload is not valid: at most 512 characters of A-Z a-z 0-9 _ -")]
    AppPayload,
    #[error("Mini App short name {0:?} is not valid: 3-30 characters of A-Z a-z 0-9 _")]
    AppName(String),
}

/// A bot's username as Telegram allows it (a leading `@` is dropped).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BotUsername(String);

impl BotUsername {
    pub fn parse(input: &str) -> Result<Self, UrlError> {
        let name = input.trim().trim_start_matches('@');
        let valid = (5..=32).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name.to_ascii_lowercase().ends_with("bot");
        if valid {
            Ok(Self(name.to_owned()))
        } else {
            Err(UrlError::BotUsername(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BotUsername {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BotUsername {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.0)
    }
}

impl TryFrom<String> for BotUsername {
    type Error = UrlError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<BotUsername> for String {
    fn from(name: BotUsername) -> Self {
        name.0
    }
}

/// Administrator rights a `?startgroup=` link may ask for (Telegram's `admin` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminRight {
    ChangeInfo,
    PostMessages,
    EditMessages,
    DeleteMessages,
    RestrictMembers,
    InviteUsers,
    PinMessages,
    ManageTopics,
    PromoteMembers,
    ManageVideoChats,
    Anonymous,
    ManageChat,
    PostStories,
    EditStories,
    DeleteStories,
}

impl AdminRight {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChangeInfo => "change_info",
            Self::PostMessages => "post_messages",
            Self::EditMessages => "edit_messages",
            Self::DeleteMessages => "delete_messages",
            Self::RestrictMembers => "restrict_members",
            Self::InviteUsers => "invite_users",
            Self::PinMessages => "pin_messages",
            Self::ManageTopics => "manage_topics",
            Self::PromoteMembers => "promote_members",
            Self::ManageVideoChats => "manage_video_chats",
            Self::Anonymous => "anonymous",
            Self::ManageChat => "manage_chat",
            Self::PostStories => "post_stories",
            Self::EditStories => "edit_stories",
            Self::DeleteStories => "delete_stories",
        }
    }
}

/// Every kind of deep link to one bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkBuilder {
    bot: BotUsername,
}

impl LinkBuilder {
    pub fn new(bot: BotUsername) -> Self {
        Self { bot }
    }

    pub fn bot(&self) -> &BotUsername {
        &self.bot
    }

    /// `https://t.me/<bot>?start=<payload>`: opens a private chat with the bot.
    pub fn start(&self, payload: &str) -> Result<String, UrlError> {
        check_alphabet(payload)?;
        Ok(format!("https://t.me/{}?start={payload}", self.bot))
    }

    /// `tg://resolve?domain=<bot>&start=<payload>`: the same, straight into the app.
    pub fn start_tg(&self, payload: &str) -> Result<String, UrlError> {
        check_alphabet(payload)?;
        Ok(format!("tg://resolve?domain={}&start={payload}", self.bot))
    }

    /// `https://t.me/<bot>?startgroup=<payload>[&admin=a+b]`: adds the bot to a group.
    pub fn start_group(&self, payload: &str, rights: &[AdminRight]) -> Result<String, UrlError> {
        check_alphabet(payload)?;
        let mut url = format!("https://t.me/{}?startgroup={payload}", self.bot);
        if !rights.is_empty() {
            let list: Vec<_> = rights.iter().map(|r| r.as_str()).collect();
            url.push_str("&admin=");
            url.push_str(&list.join("+"));
        }
        Ok(url)
    }

    /// `https://t.me/<bot>?startapp=<payload>`: the bot's main Mini App.
    pub fn start_app(&self, payload: &str) -> Result<String, UrlError> {
        check_app_payload(payload)?;
        Ok(format!("https://t.me/{}?startapp={payload}", self.bot))
    }

    /// `https://t.me/<bot>/<app>?startapp=<payload>`: a direct Mini App link.
    pub fn mini_app(&self, app: &str, payload: &str) -> Result<String, UrlError> {
        let app_ok = (3..=30).contains(&app.len())
            && app.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !app_ok {
            return Err(UrlError::AppName(app.to_owned()));
        }
        check_app_payload(payload)?;
        Ok(format!(
            "https://t.me/{}/{app}?startapp={payload}",
            self.bot
        ))
    }
}

fn check_app_payload(payload: &str) -> Result<(), UrlError> {
    if payload.is_empty() || payload.len() > 512 || !payload.chars().all(is_key_char) {
        return Err(UrlError::AppPayload);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> LinkBuilder {
        LinkBuilder::new(BotUsername::parse("@shop_bot").unwrap())
    }

    #[test]
    fn every_link_form_is_built() {
        let b = builder();
        assert_eq!(
            b.start("Ab3_-xYz09Qw").unwrap(),
            "https://t.me/shop_bot?start=Ab3_-xYz09Qw"
        );
        assert_eq!(
            b.start_tg("Ab3_-xYz09Qw").unwrap(),
            "tg://resolve?domain=shop_bot&start=Ab3_-xYz09Qw"
        );
        assert_eq!(
            b.start_group("grp", &[AdminRight::ChangeInfo, AdminRight::PinMessages])
                .unwrap(),
            "https://t.me/shop_bot?startgroup=grp&admin=change_info+pin_messages"
        );
        assert_eq!(
            b.start_group("grp", &[]).unwrap(),
            "https://t.me/shop_bot?startgroup=grp"
        );
        assert_eq!(
            b.start_app("x").unwrap(),
            "https://t.me/shop_bot?startapp=x"
        );
        assert_eq!(
            b.mini_app("store", "item_42").unwrap(),
            "https://t.me/shop_bot/store?startapp=item_42"
        );
    }

    #[test]
    fn payloads_telegram_would_refuse_are_refused() {
        let b = builder();
        assert!(b.start(&"a".repeat(65)).is_err());
        assert!(b.start("").is_err());
        assert!(b.start("a&b=c").is_err());
        assert!(b.start_group("a b", &[]).is_err());
        assert!(b.start_tg("привет").is_err());
        assert!(b.start_app(&"a".repeat(513)).is_err());
        assert!(b.start_app(&"a".repeat(512)).is_ok());
        assert!(b.mini_app("a/b", "x").is_err());
        assert!(b.mini_app("ab", "x").is_err());
    }

    #[test]
    fn bot_usernames_follow_telegrams_rules() {
        for good in ["shop_bot", "@ShopBot", "abcdbot", " my_shop_bot "] {
            assert!(
                BotUsername::parse(good).is_ok(),
                "{good:?} should be accepted"
            );
        }
        for bad in [
            "",
            "bot",
            "1shopbot",
            "shop-bot",
            "shop_bo",
            "shop bot",
            &"a".repeat(30).add_bot(),
        ] {
            assert!(
                BotUsername::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    trait AddBot {
        fn add_bot(&self) -> String;
    }
    impl AddBot for String {
        fn add_bot(&self) -> String {
            format!("{self}bot")
        }
    }
}
