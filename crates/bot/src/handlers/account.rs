//! `/ref` and `/lang`: what every user may do.

use startlink_core::links;
use startlink_core::time;
use startlink_core::users;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::Ask;
use crate::i18n::{Arg, Lang, fill, texts};
use crate::reply;

pub(super) async fn referral(ask: &Ask) -> anyhow::Result<()> {
    let link = links::referral_for(&ask.ctx.db, ask.profile.id, time::now()).await?;
    let url = ask.ctx.links.start(link.key.as_str())?;
    let count = users::count_referred(&ask.ctx.db, ask.profile.id).await?;
    let t = ask.texts();
    ask.say(fill(
        t.referral,
        &[
            ("url", Arg::Text(&url)),
            ("count", Arg::Text(&count.to_string())),
        ],
    ))
    .await
}

pub(super) async fn choose_lang(ask: &Ask) -> anyhow::Result<()> {
    let buttons: Vec<InlineKeyboardButton> = Lang::ALL
        .into_iter()
        .map(|lang| {
            InlineKeyboardButton::callback(texts(lang).name, format!("lang:{}", lang.as_str()))
        })
        .collect();
    let keyboard = InlineKeyboardMarkup::new([buttons]);
    reply::send(
        &ask.bot,
        ask.chat,
        ask.texts().lang_prompt.to_owned(),
        Some(keyboard),
    )
    .await?;
    Ok(())
}

/// Stores the choice; the answer is in the new language.
pub(super) async fn set_lang(ask: &Ask, code: &str) -> anyhow::Result<Option<String>> {
    let Ok(lang) = code.parse::<Lang>() else {
        return Ok(None);
    };
    users::set_lang(&ask.ctx.db, ask.profile.id, Some(lang.as_str())).await?;
    let t = texts(lang);
    Ok(Some(fill(t.lang_set, &[("name", Arg::Text(t.name))])))
}
