//! The chat simulator (sandbox mode only): play a Telegram user against the
//! bot from the browser. Pick or create a fake user, send `/start KEY` or any
//! command, see the bot's replies with their photos and buttons, and press
//! the buttons. Every action is a plain form post, so it works without
//! JavaScript; after a send the page waits until the bot has answered.
//!
//! Only the `admin` role may use it: it acts as users, so it writes.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::response::{IntoResponse, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use startlink_core::admins::Admin;
use startlink_sandbox::{ButtonRef, ChatMessage, MessageEntity, Sandbox, User};

use super::error::PageError;
use super::pages::{page, render};
use super::session::{Csrf, Session};
use crate::error::ApiError;
use crate::extract::{Form, Path, Query};
use crate::state::AppState;

/// How long a send waits for the bot's first answer.
const FIRST_ANSWER: Duration = Duration::from_secs(5);
/// After an answer, how long to wait for the next one of the same turn (the
/// bot paces messages to one chat at one a second).
const NEXT_ANSWER: Duration = Duration::from_millis(1_300);
/// Played users remembered by the page.
const MAX_USERS: usize = 50;
/// Messages shown, newest last.
const SHOWN_MESSAGES: usize = 60;
/// First id of generated users: far from real-looking small ids.
const FIRST_PLAYED_ID: i64 = 900_000_001;

fn sandbox_of(state: &AppState) -> Result<&Sandbox, ApiError> {
    state.sandbox.as_ref().ok_or_else(|| {
        ApiError::NotFound(
            "the chat simulator exists only when the bot runs against the sandbox (`startlink serve --sandbox`)".into(),
        )
    })
}

fn may_play(admin: &Admin, session_csrf: &Csrf, csrf: Option<&str>) -> Result<(), ApiError> {
    if !admin.role.can_write() {
        return Err(ApiError::Forbidden(format!(
            "the {} role cannot act as Telegram users",
            admin.role
        )));
    }
    session_csrf.check(csrf)
}

fn played_users(state: &AppState) -> Vec<User> {
    state
        .simulator_users
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

fn played_user(state: &AppState, id: i64) -> Result<User, ApiError> {
    played_users(state)
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("no simulated user {id}; create one first")))
}

fn see_user(id: i64) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("/simulator?user={id}"))],
    )
        .into_response()
}

/// A message as the page shows it: its text with Telegram's formatting as
/// safe HTML, its photo, its buttons.
#[derive(Serialize)]
struct Bubble {
    message_id: i32,
    from_bot: bool,
    sender: String,
    /// Escaped HTML built from the text and its entities.
    html: String,
    photo: Option<String>,
    document: Option<String>,
    buttons: Vec<Vec<ButtonView>>,
    edited: bool,
    deleted: bool,
    /// The bot's answers to presses of this message's buttons (toasts).
    answers: Vec<String>,
}

#[derive(Serialize)]
struct ButtonView {
    text: String,
    callback_data: Option<String>,
    url: Option<String>,
    /// `/start PAYLOAD` when the URL is a deep link to this bot.
    start_command: Option<String>,
}

fn escape_into(out: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
}

/// Opening and closing tags for an entity; `None` for kinds shown as text.
fn tags(entity: &MessageEntity) -> Option<(String, &'static str)> {
    let simple = |tag: &'static str| Some((format!("<{tag}>"), closing(tag)));
    match entity.kind.as_str() {
        "bold" => simple("b"),
        "italic" => simple("i"),
        "underline" => simple("u"),
        "strikethrough" => simple("s"),
        "code" => simple("code"),
        "pre" => simple("pre"),
        "blockquote" | "expandable_blockquote" => simple("blockquote"),
        "spoiler" => Some(("<span class=\"spoiler\">".into(), "</span>")),
        "text_link" => {
            let url = entity.url.as_deref().unwrap_or_default();
            if !(url.starts_with("https://")
                || url.starts_with("http://")
                || url.starts_with("tg://"))
            {
                return None;
            }
            let mut open = String::from("<a rel=\"noopener noreferrer\" href=\"");
            escape_into(&mut open, url);
            open.push_str("\">");
            Some((open, "</a>"))
        }
        _ => None,
    }
}

fn closing(tag: &'static str) -> &'static str {
    match tag {
        "b" => "</b>",
        "i" => "</i>",
        "u" => "</u>",
        "s" => "</s>",
        "code" => "</code>",
        "pre" => "</pre>",
        _ => "</blockquote>",
    }
}

/// Text with entities (UTF-16 offsets, properly nested as Telegram's HTML
/// parser makes them) as escaped HTML. Entities that cross others or fall
/// outside the text are dropped rather than producing broken markup.
pub fn entities_to_html(text: &str, entities: &[MessageEntity]) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut spans: Vec<(usize, usize, String, &'static str)> = entities
        .iter()
        .filter(|e| e.length > 0 && e.offset.saturating_add(e.length) <= units.len())
        .filter_map(|e| tags(e).map(|(open, close)| (e.offset, e.offset + e.length, open, close)))
        .collect();
    spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    // Keep only spans nested in every span still open where they start.
    let mut kept: Vec<(usize, usize, String, &'static str)> = Vec::new();
    let mut open_ends: Vec<usize> = Vec::new();
    for span in spans {
        while open_ends.last().is_some_and(|end| *end <= span.0) {
            open_ends.pop();
        }
        if open_ends.last().is_none_or(|end| span.1 <= *end) {
            open_ends.push(span.1);
            kept.push(span);
        }
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut stack: Vec<(usize, &'static str)> = Vec::new();
    let mut next = kept.into_iter().peekable();
    let mut position = 0;
    let mut segment_start = 0;
    let flush = |out: &mut String, from: usize, to: usize| {
        if from < to {
            escape_into(out, &String::from_utf16_lossy(&units[from..to]));
        }
    };
    loop {
        let close_at = stack.last().map(|(end, _)| *end);
        let open_at = next.peek().map(|span| span.0);
        let boundary = match (close_at, open_at) {
            (Some(c), Some(o)) => c.min(o),
            (Some(c), None) => c,
            (None, Some(o)) => o,
            (None, None) => break,
        };
        position = boundary.max(position);
        flush(&mut out, segment_start, position);
        segment_start = position;
        if close_at == Some(position) {
            if let Some((_, close)) = stack.pop() {
                out.push_str(close);
            }
            continue;
        }
        if let Some((_, end, open, close)) = next.next() {
            out.push_str(&open);
            stack.push((end, close));
        }
    }
    flush(&mut out, segment_start, units.len());
    out
}

/// `/start PAYLOAD` for a `t.me/<bot>?start=PAYLOAD` URL of this sandbox's bot.
fn start_command(url: &str, bot_username: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://t.me/")
        .or_else(|| url.strip_prefix("http://t.me/"))?;
    let (bot, query) = rest.split_once('?')?;
    if !bot.eq_ignore_ascii_case(bot_username) {
        return None;
    }
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("start="))
        .filter(|p| !p.is_empty())
        .map(|payload| format!("/start {payload}"))
}

fn bubble(message: &ChatMessage, bot_username: &str) -> Bubble {
    let (text, entities) = match (&message.text, &message.caption) {
        (Some(text), _) => (text.as_str(), message.entities.as_slice()),
        (None, Some(caption)) => (caption.as_str(), message.caption_entities.as_slice()),
        (None, None) => ("", &[][..]),
    };
    let file_url = |file: &startlink_sandbox::FileView| {
        (!file.external).then(|| format!("/simulator/files/{}", file.file_id))
    };
    Bubble {
        message_id: message.message_id,
        from_bot: message.from_bot,
        sender: message.from.first_name.clone(),
        html: entities_to_html(text, entities),
        photo: message.photo.as_ref().and_then(file_url),
        document: message.document.as_ref().and_then(file_url),
        buttons: message
            .buttons
            .iter()
            .map(|row| {
                row.iter()
                    .map(|button| ButtonView {
                        text: button.text.clone(),
                        callback_data: button.callback_data.clone(),
                        url: button.url.clone(),
                        start_command: button
                            .url
                            .as_deref()
                            .and_then(|url| start_command(url, bot_username)),
                    })
                    .collect()
            })
            .collect(),
        edited: message.edit_count > 0,
        deleted: message.deleted,
        answers: message
            .callback_queries
            .iter()
            .filter_map(|q| q.answer.as_ref().and_then(|a| a.text.clone()))
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
pub struct SimulatorQuery {
    user: Option<i64>,
}

pub async fn simulator_page(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    Query(query): Query<SimulatorQuery>,
) -> Result<Response, PageError> {
    let sandbox = sandbox_of(&state)?;
    let users = played_users(&state);
    let current = query
        .user
        .and_then(|id| users.iter().find(|u| u.id == id).cloned())
        .or_else(|| users.last().cloned());
    let bot_username = sandbox.bot().username.unwrap_or_default();
    let bubbles: Vec<Bubble> = current
        .as_ref()
        .map(|user| {
            let transcript = sandbox.transcript(user.id);
            let skip = transcript.len().saturating_sub(SHOWN_MESSAGES);
            transcript[skip..]
                .iter()
                .map(|m| bubble(m, &bot_username))
                .collect()
        })
        .unwrap_or_default();
    let csrf = csrf.token();
    let html = render(
        &state,
        "simulator.html",
        context! {
            admin => Value::from(Serde(&admin)),
            csrf => csrf,
            bot => bot_username,
            users => Value::from(Serde(&users)),
            current => Value::from(Serde(&current)),
            messages => Value::from(Serde(&bubbles)),
            next_id => users.iter().map(|u| u.id + 1).max().unwrap_or(FIRST_PLAYED_ID),
        },
    )?;
    Ok(page(&state, html, None))
}

#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    csrf: Option<String>,
    id: Option<String>,
    first_name: String,
    username: Option<String>,
    language: Option<String>,
}

pub async fn create_user(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    Form(form): Form<NewUserForm>,
) -> Result<Response, PageError> {
    may_play(&admin, &csrf, form.csrf.as_deref())?;
    sandbox_of(&state)?;
    let id = match form.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|id| (1..1_i64 << 52).contains(id))
            .ok_or_else(|| ApiError::invalid("the user id must be a number from 1 to 2^52"))?,
        None => played_users(&state)
            .iter()
            .map(|u| u.id + 1)
            .max()
            .unwrap_or(FIRST_PLAYED_ID),
    };
    let first_name = form.first_name.trim();
    if first_name.is_empty() || first_name.chars().count() > 64 {
        return Err(ApiError::invalid("the first name needs 1 to 64 characters").into());
    }
    let mut user = User::new(id, first_name);
    user.username = form
        .username
        .as_deref()
        .map(|u| u.trim().trim_start_matches('@').to_owned())
        .filter(|u| !u.is_empty());
    user.language_code = form
        .language
        .filter(|l| ["uz", "ru", "en"].contains(&l.as_str()));
    let mut users = state
        .simulator_users
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    users.retain(|u| u.id != id);
    users.push(user);
    if users.len() > MAX_USERS {
        users.remove(0);
    }
    Ok(see_user(id))
}

#[derive(Debug, Deserialize)]
pub struct SendForm {
    csrf: Option<String>,
    user: i64,
    text: String,
}

/// Waits for the bot's answers to one action: the first within
/// `FIRST_ANSWER`, then more while they keep coming.
async fn settle(sandbox: &Sandbox, chat_id: i64, before: usize) {
    let mut seen = before;
    let mut wait = FIRST_ANSWER;
    while let Ok(messages) = sandbox.wait_for_messages(chat_id, seen + 1, wait).await {
        seen = messages.len();
        wait = NEXT_ANSWER;
    }
}

pub async fn send(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    Form(form): Form<SendForm>,
) -> Result<Response, PageError> {
    may_play(&admin, &csrf, form.csrf.as_deref())?;
    let sandbox = sandbox_of(&state)?;
    let user = played_user(&state, form.user)?;
    let text = form.text.trim();
    if text.is_empty() {
        return Ok(see_user(user.id));
    }
    let before = sandbox.messages(user.id).len();
    sandbox
        .send_text(&user, text)
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    settle(sandbox, user.id, before).await;
    Ok(see_user(user.id))
}

#[derive(Debug, Deserialize)]
pub struct PressForm {
    csrf: Option<String>,
    user: i64,
    message_id: i32,
    data: String,
}

pub async fn press(
    Session(admin, csrf): Session,
    State(state): State<AppState>,
    Form(form): Form<PressForm>,
) -> Result<Response, PageError> {
    may_play(&admin, &csrf, form.csrf.as_deref())?;
    let sandbox = sandbox_of(&state)?;
    let user = played_user(&state, form.user)?;
    let before = sandbox.messages(user.id).len();
    let pressed = sandbox
        .press(
            &user,
            user.id,
            form.message_id,
            &ButtonRef::CallbackData(form.data),
        )
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    // The bot answers every press; it may also edit or send messages.
    let _ = sandbox
        .wait_for_callback_answer(&pressed.callback_query_id, FIRST_ANSWER)
        .await;
    if let Ok(messages) = sandbox
        .wait_for_messages(user.id, before + 1, NEXT_ANSWER)
        .await
    {
        settle(sandbox, user.id, messages.len()).await;
    }
    Ok(see_user(user.id))
}

pub async fn file(
    Session(..): Session,
    State(state): State<AppState>,
    Path(file_id): Path<String>,
) -> Result<Response, PageError> {
    let sandbox = sandbox_of(&state)?;
    let (mime, bytes) = sandbox
        .file_with_type(&file_id)
        .ok_or_else(|| ApiError::NotFound("no such file in the sandbox".into()))?;
    Ok((
        [
            (CONTENT_TYPE, mime),
            (CACHE_CONTROL, "private, max-age=3600".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(kind: &str, offset: usize, length: usize) -> MessageEntity {
        MessageEntity::new(kind, offset, length)
    }

    #[test]
    fn entities_become_nested_escaped_html() {
        let text = "Order <b> №5: oʻg‘il 🎉 done";
        let html = entities_to_html(text, &[entity("bold", 0, 5), entity("italic", 14, 6)]);
        assert_eq!(html, "<b>Order</b> &lt;b&gt; №5: <i>oʻg‘il</i> 🎉 done");
        // UTF-16 offsets: the emoji takes two units.
        let html = entities_to_html("🎉 ok", &[entity("code", 3, 2)]);
        assert_eq!(html, "🎉 <code>ok</code>");
        let nested = entities_to_html("abcdef", &[entity("bold", 0, 6), entity("italic", 2, 2)]);
        assert_eq!(nested, "<b>ab<i>cd</i>ef</b>");
    }

    #[test]
    fn broken_or_hostile_entities_never_break_the_markup() {
        let crossing = entities_to_html("abcdef", &[entity("bold", 0, 4), entity("italic", 2, 4)]);
        assert_eq!(crossing, "<b>abcd</b>ef");
        let outside = entities_to_html("abc", &[entity("bold", 2, 9)]);
        assert_eq!(outside, "abc");
        let mut link = entity("text_link", 0, 3);
        link.url = Some("javascript:alert(1)".into());
        assert_eq!(entities_to_html("abc", &[link.clone()]), "abc");
        link.url = Some("https://x.example/?a=\"><script>".into());
        assert_eq!(
            entities_to_html("abc", &[link]),
            "<a rel=\"noopener noreferrer\" href=\"https://x.example/?a=&quot;&gt;&lt;script&gt;\">abc</a>"
        );
    }

    #[test]
    fn deep_links_to_this_bot_become_start_commands() {
        assert_eq!(
            start_command("https://t.me/ShopBot?start=AbC_1", "shopbot").as_deref(),
            Some("/start AbC_1")
        );
        assert_eq!(
            start_command("https://t.me/OtherBot?start=x", "shopbot"),
            None
        );
        assert_eq!(start_command("https://t.me/ShopBot", "shopbot"), None);
        assert_eq!(
            start_command("https://example.com/?start=x", "shopbot"),
            None
        );
    }
}
