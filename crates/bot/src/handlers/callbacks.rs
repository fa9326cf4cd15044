//! Inline buttons. Data formats (all short; ids, not keys, which may be long):
//! `rv:<id>` ask to revoke, `rvy:<id>` revoke, `rvn` keep, `ml:<page>` a page of
//! `/mylinks`, `ld:<id>:<page>` one link, `lang:<code>` choose a language.

use std::sync::Arc;

use startlink_core::links;
use teloxide::payloads::AnswerCallbackQuerySetters;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::links::{may_manage, revoke_checked};
use super::{Ask, account, apologize, ask_for, profile_of, stats};
use crate::context::BotContext;
use crate::i18n::{Arg, fill};
use crate::pacing::TgBot;
use crate::reply;

pub(super) async fn on_callback(
    bot: TgBot,
    ctx: Arc<BotContext>,
    query: CallbackQuery,
) -> anyhow::Result<()> {
    let Some(profile) = profile_of(&query.from) else {
        return Ok(());
    };
    let Some(message) = query.message.as_ref() else {
        bot.answer_callback_query(query.id.clone()).await?;
        return Ok(());
    };
    let chat = message.chat().id;
    let message_id = message.id();
    let fallback = ctx.lang(None, profile.language_code.as_deref());
    let data = query.data.clone().unwrap_or_default();
    let result = async {
        let ask = ask_for(bot.clone(), ctx, chat, profile).await?;
        let notice = handle(&ask, &data, message_id).await?;
        let mut answer = bot.answer_callback_query(query.id.clone());
        if let Some(text) = notice {
            answer = answer.text(text);
        }
        answer.await?;
        anyhow::Ok(())
    }
    .await;
    if let Err(error) = result {
        let _ = bot.answer_callback_query(query.id.clone()).await;
        apologize(&bot, chat, fallback, &error).await;
    }
    Ok(())
}

/// Acts on one button; returns a short notice for the button's toast, if any.
async fn handle(
    ask: &Ask,
    data: &str,
    message: teloxide::types::MessageId,
) -> anyhow::Result<Option<String>> {
    let t = ask.texts();
    let (action, rest) = data.split_once(':').unwrap_or((data, ""));
    match action {
        "rv" | "rvy" | "ld" => {
            let mut parts = rest.split(':');
            let id = parts.next().and_then(|id| id.parse::<i64>().ok());
            let page = parts
                .next()
                .and_then(|p| p.parse::<u64>().ok())
                .unwrap_or(0);
            let Some(link) = (match id {
                Some(id) => links::find_by_id(&ask.ctx.db, id).await?,
                None => None,
            }) else {
                return Ok(Some(fill(t.link_unknown, &[("key", Arg::Text(rest))])));
            };
            if !may_manage(ask, &link) {
                return Ok(Some(t.not_your_link.to_owned()));
            }
            match action {
                "rv" => {
                    let keyboard = InlineKeyboardMarkup::new([vec![
                        InlineKeyboardButton::callback(t.revoke_yes, format!("rvy:{}", link.id)),
                        InlineKeyboardButton::callback(t.revoke_no, "rvn"),
                    ]]);
                    let text = fill(t.revoke_confirm, &[("key", Arg::Text(link.key.as_str()))]);
                    reply::send(&ask.bot, ask.chat, text, Some(keyboard)).await?;
                    Ok(None)
                }
                "rvy" => {
                    let text = revoke_checked(ask, &link).await?;
                    reply::edit(&ask.bot, ask.chat, message, text, None).await?;
                    Ok(None)
                }
                _ => {
                    stats::link_detail(ask, &link, page, message).await?;
                    Ok(None)
                }
            }
        }
        "rvn" => {
            reply::edit(
                &ask.bot,
                ask.chat,
                message,
                t.revoke_cancelled.to_owned(),
                None,
            )
            .await?;
            Ok(None)
        }
        "ml" => {
            let page = rest.parse::<u64>().unwrap_or(0);
            stats::my_links(ask, page, Some(message)).await?;
            Ok(None)
        }
        "lang" => match account::set_lang(ask, rest).await? {
            Some(text) => {
                reply::edit(&ask.bot, ask.chat, message, text, None).await?;
                Ok(None)
            }
            None => Ok(None),
        },
        _ => {
            tracing::debug!(data, "unknown callback data");
            Ok(None)
        }
    }
}
