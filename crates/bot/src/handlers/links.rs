//! `/generate`, `/link`, `/qr` and `/revoke`: creating and revoking links.

use chrono::Duration;
use startlink_core::links::{self, Link, LinkKey, NewLink, UseLimit};
use startlink_core::time;
use teloxide::payloads::SendPhotoSetters;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ParseMode};
use url::Url;

use super::Ask;
use crate::html::{self, MAX_CAPTION};
use crate::i18n::{Arg, Texts, fill};
use crate::reply;
use startlink_core::audit::{Action, Entry};

/// How `/generate` and `/link` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    Photo,
    Text,
}

/// Longest URL `/qr` accepts (a QR code holds about 2,900 bytes at level L).
const MAX_QR_URL: usize = 2000;

struct OrderArgs {
    product_id: i64,
    order_log_id: i64,
    ttl: Option<Duration>,
    uses: Option<i64>,
}

enum ArgsError {
    Usage,
    Number,
    Ttl,
    Uses,
}

fn parse_order_args(args: &str) -> Result<OrderArgs, ArgsError> {
    let parts: Vec<&str> = args.split_whitespace().collect();
    if !(2..=4).contains(&parts.len()) {
        return Err(ArgsError::Usage);
    }
    let number = |s: &str| s.parse::<i64>().map_err(|_| ArgsError::Number);
    let product_id = number(parts[0])?;
    let order_log_id = number(parts[1])?;
    let ttl = match parts.get(2).copied() {
        None | Some("0" | "-" | "never") => None,
        Some(text) => Some(time::parse_ttl(text).map_err(|_| ArgsError::Ttl)?),
    };
    let uses = match parts.get(3) {
        None => None,
        Some(text) => Some(
            text.parse::<i64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or(ArgsError::Uses)?,
        ),
    };
    Ok(OrderArgs {
        product_id,
        order_log_id,
        ttl,
        uses,
    })
}

async fn explain(ask: &Ask, error: ArgsError, usage: &'static str) -> anyhow::Result<()> {
    let t = ask.texts();
    let reason = match error {
        ArgsError::Usage => None,
        ArgsError::Number => Some(t.bad_number),
        ArgsError::Ttl => Some(t.bad_ttl),
        ArgsError::Uses => Some(t.bad_uses),
    };
    let text = match reason {
        Some(reason) => format!("{reason}\n\n{usage}"),
        None => usage.to_owned(),
    };
    ask.say(text).await
}

pub(super) async fn generate(ask: &Ask, args: &str, output: Output) -> anyhow::Result<()> {
    if !ask.is_operator() {
        return ask.say_static(|t| t.operators_only).await;
    }
    let usage = match output {
        Output::Photo => ask.texts().usage_generate,
        Output::Text => ask.texts().usage_link,
    };
    let parsed = match parse_order_args(args) {
        Ok(parsed) => parsed,
        Err(error) => return explain(ask, error, usage).await,
    };
    let now = time::now();
    let new = NewLink {
        product_id: Some(parsed.product_id),
        order_log_id: Some(parsed.order_log_id),
        uses: parsed.uses.map_or(UseLimit::KindDefault, UseLimit::Max),
        expires_at: parsed.ttl.map(|ttl| now + ttl),
        created_by: Some(ask.user_id()),
        ..Default::default()
    };
    let link = links::create(&ask.ctx.db, new, now).await?;
    ask.note(Entry::link(Action::LinkCreate, &link)).await;
    match output {
        Output::Photo => send_link_photo(ask, &link).await,
        Output::Text => {
            let (text, keyboard) = link_message(ask, &link)?;
            reply::send(&ask.bot, ask.chat, text, Some(keyboard)).await?;
            Ok(())
        }
    }
}

pub(super) async fn qr(ask: &Ask, args: &str) -> anyhow::Result<()> {
    if !ask.is_operator() {
        return ask.say_static(|t| t.operators_only).await;
    }
    let parts: Vec<&str> = args.split_whitespace().collect();
    match parts.as_slice() {
        [url] if url.len() <= MAX_QR_URL && is_qr_url(url) => {
            let png = render_qr(ask, url).await?;
            let caption = html::escape(&html::truncate(url, 900)).into_owned();
            send_photo(ask, png, caption, None).await
        }
        [url] if !url.chars().all(|c| c.is_ascii_digit()) => ask.say_static(|t| t.bad_url).await,
        [_, _] => generate(ask, args, Output::Photo).await,
        _ => ask.say_static(|t| t.usage_qr).await,
    }
}

fn is_qr_url(text: &str) -> bool {
    Url::parse(text).is_ok_and(|url| matches!(url.scheme(), "http" | "https" | "tg"))
}

pub(super) async fn revoke_command(ask: &Ask, args: &str) -> anyhow::Result<()> {
    if !ask.is_operator() {
        return ask.say_static(|t| t.operators_only).await;
    }
    let Ok(key) = LinkKey::parse(args.trim()) else {
        return ask.say_static(|t| t.usage_revoke).await;
    };
    let Some(link) = links::find(&ask.ctx.db, &key).await? else {
        let t = ask.texts();
        return ask
            .say(fill(t.link_unknown, &[("key", Arg::Text(key.as_str()))]))
            .await;
    };
    ask.say(revoke_checked(ask, &link).await?).await
}

/// Revokes `link` if the asker may (its creator, or an admin); the answer to show.
pub(super) async fn revoke_checked(ask: &Ask, link: &Link) -> anyhow::Result<String> {
    let t = ask.texts();
    if !may_manage(ask, link) {
        return Ok(t.not_your_link.to_owned());
    }
    let revocation = links::revoke(&ask.ctx.db, &link.key, time::now()).await?;
    ask.note(Entry::new(Action::LinkRevoke).object("link", &link.key))
        .await;
    let template = if revocation.newly_revoked {
        t.revoke_done
    } else {
        t.revoke_already
    };
    Ok(fill(template, &[("key", Arg::Text(link.key.as_str()))]))
}

pub(super) fn may_manage(ask: &Ask, link: &Link) -> bool {
    ask.is_admin() || (ask.is_operator() && link.created_by == Some(ask.user_id()))
}

/// The caption/text describing a fresh link, and its Share and Revoke buttons.
fn link_message(ask: &Ask, link: &Link) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let t = ask.texts();
    let url = ask.ctx.links.start(link.key.as_str())?;
    let text = fill(
        t.link_created,
        &[
            ("url", Arg::Text(&url)),
            ("product", Arg::Text(&number(link.product_id))),
            ("order", Arg::Text(&number(link.order_log_id))),
            ("expires", Arg::Text(&expiry(ask, t, link))),
            ("uses", Arg::Text(&uses(t, link))),
        ],
    );
    let keyboard = InlineKeyboardMarkup::new([vec![
        InlineKeyboardButton::url(t.share_button, share_url(&url, t.share_text)?),
        InlineKeyboardButton::callback(t.revoke_button, format!("rv:{}", link.id)),
    ]]);
    Ok((text, keyboard))
}

fn share_url(url: &str, text: &str) -> anyhow::Result<Url> {
    let mut share = Url::parse("https://t.me/share/url")?;
    share
        .query_pairs_mut()
        .append_pair("url", url)
        .append_pair("text", text);
    Ok(share)
}

pub(super) fn number(value: Option<i64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| v.to_string())
}

pub(super) fn expiry(ask: &Ask, t: &Texts, link: &Link) -> String {
    link.expires_at
        .map_or_else(|| t.never.to_owned(), |at| ask.ctx.show_time(at))
}

pub(super) fn uses(t: &Texts, link: &Link) -> String {
    match link.max_uses {
        Some(max) => format!("{}/{max}", link.use_count),
        None => format!("{} ({})", link.use_count, t.unlimited),
    }
}

async fn send_link_photo(ask: &Ask, link: &Link) -> anyhow::Result<()> {
    let (caption, keyboard) = link_message(ask, link)?;
    let url = ask.ctx.links.start(link.key.as_str())?;
    let png = render_qr(ask, &url).await?;
    send_photo(ask, png, caption, Some(keyboard)).await
}

pub(super) async fn send_photo(
    ask: &Ask,
    png: Vec<u8>,
    caption: String,
    keyboard: Option<InlineKeyboardMarkup>,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        html::visible_len(&caption) <= MAX_CAPTION,
        "caption too long"
    );
    let photo = InputFile::memory(png).file_name("qr.png");
    ask.bot
        .paced(ask.chat, || {
            let mut request = ask
                .bot
                .send_photo(ask.chat, photo.clone())
                .caption(caption.clone())
                .parse_mode(ParseMode::Html);
            if let Some(keyboard) = keyboard.clone() {
                request = request.reply_markup(keyboard);
            }
            request.send()
        })
        .await?;
    Ok(())
}

/// Renders a verified QR code off the async threads (it takes milliseconds of CPU).
async fn render_qr(ask: &Ask, text: &str) -> anyhow::Result<Vec<u8>> {
    let style = ask.ctx.qr_style.clone();
    let text = text.to_owned();
    let rendered =
        tokio::task::spawn_blocking(move || startlink_qr::render(&text, &style)).await??;
    if let Some(why) = &rendered.degraded {
        tracing::warn!(variant = %rendered.variant, "QR code degraded: {why}");
    }
    Ok(rendered.bytes)
}
