//! `/start [payload]` and `/help`.

use std::sync::Arc;

use startlink_core::events::Outcome;
use startlink_core::inbox::UpdateRef;
use startlink_core::links::{self, Link, LinkKind};
use startlink_core::time;
use startlink_core::users::TgProfile;
use teloxide::types::ChatId;

use super::{Ask, ask_for};
use crate::context::{BotContext, Role};
use crate::html::truncate;
use crate::i18n::{Arg, Texts, fill, texts};
use crate::pacing::TgBot;
use crate::reply;

/// Longest title shown in a message; the rest is cut with `…`.
const MAX_TITLE_SHOWN: usize = 300;
/// Longest welcome text shown; leaves room for the rest of a 4096-character message.
const MAX_WELCOME_SHOWN: usize = 3800;

pub(super) async fn start(
    bot: TgBot,
    ctx: Arc<BotContext>,
    chat: ChatId,
    profile: TgProfile,
    payload: &str,
    stored: UpdateRef,
) -> anyhow::Result<()> {
    let payload = payload.trim();
    if payload.is_empty() {
        let ask = ask_for(bot, ctx, chat, profile).await?;
        let name = ask.profile.first_name.clone().unwrap_or_default();
        let welcome = fill(
            ask.texts().welcome,
            &[("name", Arg::Text(&truncate(&name, 64)))],
        );
        ask.say(welcome).await?;
        return help(&ask).await;
    }
    let opened = links::open_update(&ctx.db, payload, &profile, time::now(), Some(stored)).await?;
    if opened.duplicate {
        tracing::info!(
            stored = stored.id(),
            "update handled again after a restart; answering as the first time"
        );
    }
    let lang = ctx.lang(
        opened.user_lang.as_deref(),
        profile.language_code.as_deref(),
    );
    let text = outcome_text(texts(lang), opened.outcome, opened.link.as_ref());
    reply::send(&bot, chat, text, None).await?;
    Ok(())
}

/// The answer to an open. Only `Redeemed` and `AlreadyYours` — the user's own
/// order — show order details; nobody else ever sees them.
pub(crate) fn outcome_text(t: &Texts, outcome: Outcome, link: Option<&Link>) -> String {
    match outcome {
        Outcome::Redeemed | Outcome::AlreadyYours => match link {
            Some(link) if link.kind == LinkKind::Order => {
                let template = if outcome == Outcome::Redeemed {
                    t.redeemed
                } else {
                    t.already_yours
                };
                fill(template, &[("details", Arg::Html(&details(t, link)))])
            }
            // A campaign or referral link opened again: its welcome, as the first time.
            Some(link) => welcome_of(t, link),
            None => t.accepted.to_owned(),
        },
        Outcome::Accepted => link.map_or_else(|| t.accepted.to_owned(), |link| welcome_of(t, link)),
        Outcome::AlreadyUsed => t.already_used.to_owned(),
        Outcome::Expired => t.expired.to_owned(),
        Outcome::Revoked => t.revoked.to_owned(),
        Outcome::NotFound => t.not_found.to_owned(),
        Outcome::Invalid => t.invalid.to_owned(),
    }
}

fn welcome_of(t: &Texts, link: &Link) -> String {
    match link
        .welcome_text
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        Some(text) => crate::html::escape(&truncate(text, MAX_WELCOME_SHOWN)).into_owned(),
        None => t.accepted.to_owned(),
    }
}

fn details(t: &Texts, link: &Link) -> String {
    let mut lines = Vec::new();
    if let Some(title) = link
        .title
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        lines.push(fill(
            t.detail_title,
            &[("title", Arg::Text(&truncate(title, MAX_TITLE_SHOWN)))],
        ));
    }
    if let Some(product) = link.product_id {
        lines.push(fill(
            t.detail_product,
            &[("product", Arg::Text(&product.to_string()))],
        ));
    }
    if let Some(order) = link.order_log_id {
        lines.push(fill(
            t.detail_order,
            &[("order", Arg::Text(&order.to_string()))],
        ));
    }
    if let Some(welcome) = link
        .welcome_text
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        lines.push(String::new());
        lines.push(crate::html::escape(&truncate(welcome, MAX_WELCOME_SHOWN - 500)).into_owned());
    }
    lines.join("\n")
}

pub(super) async fn help(ask: &Ask) -> anyhow::Result<()> {
    let t = ask.texts();
    let text = match ask.role {
        Role::User => t.help_user.to_owned(),
        Role::Operator => t.help_operator.to_owned(),
        Role::Admin => format!("{}\n\n{}", t.help_operator, t.help_admin),
    };
    ask.say(text).await
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use startlink_core::links::LinkKey;

    use super::*;
    use crate::html::visible_len;
    use crate::i18n::Lang;

    fn link(title: &str, welcome: Option<&str>) -> Link {
        Link {
            id: 1,
            key: LinkKey::generate(),
            kind: LinkKind::Order,
            product_id: Some(123),
            order_log_id: Some(9876),
            attrs: serde_json::json!({}),
            title: Some(title.to_owned()),
            welcome_text: welcome.map(str::to_owned),
            campaign: None,
            campaign_id: None,
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            max_uses: Some(1),
            use_count: 1,
            expires_at: None,
            revoked_at: None,
            referrer_id: None,
            created_by: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn only_the_owner_outcomes_show_order_details() {
        let l = link("Secret order <b>", None);
        for lang in Lang::ALL {
            let t = texts(lang);
            for outcome in Outcome::ALL {
                let text = outcome_text(t, outcome, Some(&l));
                let shows = text.contains("9876");
                let should = matches!(outcome, Outcome::Redeemed | Outcome::AlreadyYours);
                assert_eq!(shows, should, "{lang} {outcome}: {text}");
                assert!(
                    startlink_sandbox::parse_html(&text).is_ok(),
                    "{lang} {outcome}: {text}"
                );
            }
        }
    }

    #[test]
    fn huge_hostile_titles_and_welcomes_stay_valid_and_within_limits() {
        let title = "<b>&\"'".repeat(1000);
        let welcome = "😀<i>".repeat(2000);
        let l = link(&title, Some(&welcome));
        for lang in Lang::ALL {
            for outcome in [Outcome::Redeemed, Outcome::AlreadyYours, Outcome::Accepted] {
                let text = outcome_text(texts(lang), outcome, Some(&l));
                assert!(
                    startlink_sandbox::parse_html(&text).is_ok(),
                    "{lang} {outcome}"
                );
                assert!(
                    visible_len(&text) <= crate::html::MAX_TEXT,
                    "{lang} {outcome}: {}",
                    visible_len(&text)
                );
            }
        }
    }
}
