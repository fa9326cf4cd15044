//! Message text as Telegram stores it: markup parsed by `parse_mode` (or
//! explicit entities), surrounding whitespace trimmed, length limits in
//! UTF-16 code units, and `bot_command` entities found in what users type.

use crate::html;
use crate::protocol::ApiError;
use crate::types::{MessageEntity, utf16_len};

pub const MAX_TEXT: usize = 4096;
pub const MAX_CAPTION: usize = 1024;

/// Parses `raw` by `parse_mode`: `HTML` strictly; `Markdown` and
/// `MarkdownV2` are accepted and kept verbatim without entities (the sandbox
/// does not emulate them); no mode takes `explicit` entities as given.
pub fn format(
    raw: &str,
    parse_mode: Option<&str>,
    explicit: Vec<MessageEntity>,
) -> Result<(String, Vec<MessageEntity>), ApiError> {
    let (text, entities) = match parse_mode.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => (raw.to_owned(), explicit),
        Some("html") => html::parse(raw).map_err(ApiError::can_t_parse_entities)?,
        Some("markdown" | "markdownv2") => (raw.to_owned(), Vec::new()),
        Some(_) => return Err(ApiError::bad_request("unsupported parse_mode")),
    };
    Ok(trim(&text, entities))
}

/// Removes leading and trailing whitespace and clips entities to what is left.
fn trim(text: &str, entities: Vec<MessageEntity>) -> (String, Vec<MessageEntity>) {
    let is_blank = |c: char| matches!(c, ' ' | '\n' | '\t' | '\r');
    let start_trimmed = text.trim_start_matches(is_blank);
    let lead = utf16_len(&text[..text.len() - start_trimmed.len()]);
    let body = start_trimmed.trim_end_matches(is_blank);
    let body_len = utf16_len(body);
    let entities = entities
        .into_iter()
        .filter_map(|mut entity| {
            let start = entity.offset.max(lead) - lead;
            let end = (entity.offset.saturating_add(entity.length))
                .min(lead + body_len)
                .saturating_sub(lead);
            (end > start).then(|| {
                entity.offset = start;
                entity.length = end - start;
                entity
            })
        })
        .collect();
    (body.to_owned(), entities)
}

/// `bot_command` entities for every `/command` or `/command@bot` that starts
/// the text or follows whitespace, as Telegram marks them in user messages.
pub fn command_entities(text: &str) -> Vec<MessageEntity> {
    let mut entities = Vec::new();
    let mut utf16_offset = 0;
    let mut previous: Option<char> = None;
    for (index, ch) in text.char_indices() {
        if ch == '/' && previous.is_none_or(char::is_whitespace) {
            let rest = &text[index + 1..];
            let name_len = rest
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            if (1..=32).contains(&name_len) {
                let mut len = 1 + name_len;
                let after = &rest[name_len..];
                if let Some(bot) = after.strip_prefix('@') {
                    let bot_len = bot
                        .bytes()
                        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                        .count();
                    if bot_len >= 3 {
                        len += 1 + bot_len;
                    }
                }
                entities.push(MessageEntity::new("bot_command", utf16_offset, len));
            }
        }
        utf16_offset += ch.len_utf16();
        previous = Some(ch);
    }
    entities
}

/// An absolute URL with a scheme Telegram links to, or a bare host that
/// Telegram would complete with `http://`.
pub fn link_url(href: &str) -> Option<String> {
    let href = href.trim();
    let candidate =
        if href.contains("://") || href.starts_with("tg:") || href.starts_with("mailto:") {
            href.to_owned()
        } else {
            format!("http://{href}")
        };
    let url = url::Url::parse(&candidate).ok()?;
    match url.scheme() {
        "http" | "https" | "tg" | "ton" | "ftp" | "mailto" => {}
        _ => return None,
    }
    if matches!(url.scheme(), "http" | "https" | "ftp")
        && url
            .host_str()
            .is_none_or(|host| !host.contains('.') && host != "localhost")
    {
        return None;
    }
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrounding_whitespace_is_trimmed_and_entities_follow() {
        let (text, entities) = format("\n  <b>hi</b> there \n", Some("HTML"), Vec::new()).unwrap();
        assert_eq!(text, "hi there");
        assert_eq!((entities[0].offset, entities[0].length), (0, 2));
    }

    #[test]
    fn an_entity_over_trimmed_whitespace_is_clipped_or_dropped() {
        let (text, entities) = format("<b> </b>x<i> </i>", Some("html"), Vec::new()).unwrap();
        assert_eq!(text, "x");
        assert!(entities.is_empty());
    }

    #[test]
    fn an_unknown_parse_mode_is_refused() {
        let error = format("x", Some("BBCode"), Vec::new()).unwrap_err();
        assert_eq!(error.description, "Bad Request: unsupported parse_mode");
    }

    #[test]
    fn html_errors_carry_telegrams_prefix() {
        let error = format("<b>x", Some("HTML"), Vec::new()).unwrap_err();
        assert_eq!(
            error.description,
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
        );
    }

    #[test]
    fn commands_are_marked_with_their_bot_name_but_not_inside_words() {
        let spans: Vec<_> = command_entities("/start KEY")
            .iter()
            .map(|e| (e.offset, e.length))
            .collect();
        assert_eq!(spans, vec![(0, 6)]);
        let spans: Vec<_> = command_entities("/start@shop_bot KEY")
            .iter()
            .map(|e| (e.offset, e.length))
            .collect();
        assert_eq!(spans, vec![(0, 15)]);
        let spans: Vec<_> = command_entities("🎉 /help and a/b")
            .iter()
            .map(|e| (e.offset, e.length))
            .collect();
        assert_eq!(spans, vec![(3, 5)]);
        assert!(command_entities("/ alone").is_empty());
    }
}
