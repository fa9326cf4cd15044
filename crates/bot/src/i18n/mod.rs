//! Every user-facing string of the bot, in Uzbek (Latin, the default), Russian
//! and English. `Texts` is a struct, so a message missing in one language does
//! not compile; templates use `{name}` placeholders filled by [`fill`], which
//! escapes every value for Telegram's HTML parse mode.

mod en;
mod ru;
mod uz;

pub use startlink_core::lang::Lang;

/// The bot's messages in `lang`.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Uz => &uz::TEXTS,
        Lang::Ru => &ru::TEXTS,
        Lang::En => &en::TEXTS,
    }
}

/// Descriptions for `setMyCommands`.
#[derive(Debug)]
pub struct CommandTexts {
    pub start: &'static str,
    pub help: &'static str,
    pub generate: &'static str,
    pub link: &'static str,
    pub qr: &'static str,
    pub stats: &'static str,
    pub mylinks: &'static str,
    pub revoke: &'static str,
    pub r#ref: &'static str,
    pub lang: &'static str,
    pub report: &'static str,
    pub export: &'static str,
}

/// One language's messages. HTML templates; placeholders in braces.
#[derive(Debug)]
pub struct Texts {
    /// The language's own name, for the `/lang` keyboard.
    pub name: &'static str,
    pub commands: CommandTexts,

    /// `{name}`
    pub welcome: &'static str,
    pub help_user: &'static str,
    pub help_operator: &'static str,
    pub help_admin: &'static str,

    /// `{details}` (HTML built from the `detail_*` lines)
    pub redeemed: &'static str,
    /// `{details}`
    pub already_yours: &'static str,
    pub accepted: &'static str,
    pub already_used: &'static str,
    pub expired: &'static str,
    pub revoked: &'static str,
    pub not_found: &'static str,
    pub invalid: &'static str,
    /// `{title}`
    pub detail_title: &'static str,
    /// `{product}`
    pub detail_product: &'static str,
    /// `{order}`
    pub detail_order: &'static str,

    pub operators_only: &'static str,
    pub admins_only: &'static str,
    pub usage_generate: &'static str,
    pub usage_link: &'static str,
    pub usage_qr: &'static str,
    pub usage_revoke: &'static str,
    pub bad_number: &'static str,
    pub bad_ttl: &'static str,
    pub bad_uses: &'static str,
    pub bad_url: &'static str,

    /// `{url}`, `{product}`, `{order}`, `{expires}`, `{uses}`
    pub link_created: &'static str,
    pub never: &'static str,
    pub unlimited: &'static str,
    pub share_button: &'static str,
    pub revoke_button: &'static str,
    pub share_text: &'static str,
    /// `{key}`
    pub revoke_confirm: &'static str,
    pub revoke_yes: &'static str,
    pub revoke_no: &'static str,
    /// `{key}`
    pub revoke_done: &'static str,
    /// `{key}`
    pub revoke_already: &'static str,
    pub revoke_cancelled: &'static str,
    /// `{key}`
    pub link_unknown: &'static str,
    pub not_your_link: &'static str,

    /// `{scope}`, `{total}`, `{active}`, `{used}`, `{expired}`, `{revoked}`, `{opens}`, `{opens_7d}`
    pub stats: &'static str,
    pub stats_scope_mine: &'static str,
    pub stats_scope_all: &'static str,
    pub stats_recent: &'static str,
    pub stats_none: &'static str,
    pub stats_chart_title: &'static str,

    pub mylinks_title: &'static str,
    pub mylinks_empty: &'static str,
    /// `{page}`, `{pages}`, `{total}`
    pub mylinks_page: &'static str,
    pub back_button: &'static str,
    /// `{key}`, `{url}`, `{status}`, `{uses}`, `{expires}`, `{product}`, `{order}`, `{created}`
    pub link_detail: &'static str,
    pub status_active: &'static str,
    pub status_used: &'static str,
    pub status_expired: &'static str,
    pub status_revoked: &'static str,

    /// `{url}`, `{count}`
    pub referral: &'static str,
    pub lang_prompt: &'static str,
    /// `{name}`
    pub lang_set: &'static str,
    pub unknown_command: &'static str,
    pub usage_report: &'static str,
    /// `{from}`, `{to}` (the first and last day)
    pub report_caption: &'static str,
    pub usage_export: &'static str,
    /// `{name}` (the file name), `{rows}`
    pub export_caption: &'static str,
    pub export_too_big: &'static str,
    pub error: &'static str,
}

/// A value for a template placeholder.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// Untrusted text: escaped.
    Text(&'a str),
    /// Markup the bot built itself from templates and escaped values.
    Html(&'a str),
}

/// Fills `{name}` placeholders. Unknown placeholders stay as they are (a test
/// checks every template only uses known ones).
pub fn fill(template: &str, args: &[(&str, Arg<'_>)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, Arg::Text(value))) => out.push_str(&crate::html::escape(value)),
            Some((_, Arg::Html(value))) => out.push_str(value),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
