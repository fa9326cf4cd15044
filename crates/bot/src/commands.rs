//! The commands the bot understands. Arguments are taken whole and parsed by
//! each handler, so a wrong argument gets a usage message instead of silence.

use teloxide::macros::BotCommands;

#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// Open a link, or see the welcome.
    Start(String),
    /// Help for your role.
    Help(String),
    /// `/generate <product_id> <order_log_id> [ttl] [uses]`: an order link with its QR code.
    Generate(String),
    /// `/link <product_id> <order_log_id> [ttl] [uses]`: the same, as text.
    Link(String),
    /// `/qr <url>` or `/qr <product_id> <order_log_id>`: a QR code.
    Qr(String),
    /// `/stats` for your links, `/stats all` for every link (admins).
    Stats(String),
    /// Your links, page by page.
    Mylinks(String),
    /// `/revoke <key>`.
    Revoke(String),
    /// Your personal referral link and how many joined through it.
    Ref(String),
    /// Choose the language.
    Lang(String),
    /// `/report [7d|30d|YYYY-MM-DD YYYY-MM-DD]`: the PDF report (admins).
    Report(String),
    /// `/export [links|events]`: an XLSX file (admins).
    Export(String),
}

#[cfg(test)]
mod tests {
    use teloxide::utils::command::BotCommands as _;

    use super::*;

    #[test]
    fn commands_parse_with_and_without_the_bot_mention() {
        assert_eq!(
            Command::parse("/start abc", "shop_bot").unwrap(),
            Command::Start("abc".into())
        );
        assert_eq!(
            Command::parse("/start@shop_bot abc", "shop_bot").unwrap(),
            Command::Start("abc".into())
        );
        assert_eq!(
            Command::parse("/start", "shop_bot").unwrap(),
            Command::Start(String::new())
        );
        assert_eq!(
            Command::parse("/generate 123 9876 24h", "shop_bot").unwrap(),
            Command::Generate("123 9876 24h".into())
        );
        assert_eq!(
            Command::parse("/report 2026-11-01 2026-11-30", "shop_bot").unwrap(),
            Command::Report("2026-11-01 2026-11-30".into())
        );
        assert_eq!(
            Command::parse("/export", "shop_bot").unwrap(),
            Command::Export(String::new())
        );
        assert!(Command::parse("/start@other_bot abc", "shop_bot").is_err());
        assert!(Command::parse("/unknown", "shop_bot").is_err());
    }
}
