//! Telegram HTML parse mode: escaping user text and keeping within length limits.

use std::borrow::Cow;

/// Telegram's limit for a message text, in UTF-16 code units after entity parsing.
pub const MAX_TEXT: usize = 4096;
/// Telegram's limit for a photo caption.
pub const MAX_CAPTION: usize = 1024;

/// Escapes `&`, `<`, `>` and `"`, the characters Telegram's HTML mode requires escaped.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
    Cow::Owned(out)
}

/// Cuts `text` to at most `max` UTF-16 code units (Telegram's unit), at a
/// character boundary, ending with `…` when cut. Cut raw text, then escape it,
/// so an entity is never split.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if text.encode_utf16().count() <= max {
        return Cow::Borrowed(text);
    }
    let mut used = 0;
    let mut out = String::new();
    for ch in text.chars() {
        let width = ch.len_utf16();
        if used + width > max.saturating_sub(1) {
            break;
        }
        used += width;
        out.push(ch);
    }
    out.push('…');
    Cow::Owned(out)
}

/// The visible length of an HTML message as Telegram counts it: tags removed,
/// entities counted as one character, in UTF-16 code units.
pub fn visible_len(html: &str) -> usize {
    let mut len = 0;
    let mut chars = html.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '<' => {
                for inner in chars.by_ref() {
                    if inner == '>' {
                        break;
                    }
                }
            }
            '&' => {
                for inner in chars.by_ref() {
                    if inner == ';' {
                        break;
                    }
                }
                len += 1;
            }
            _ => len += ch.len_utf16(),
        }
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_into_valid_html() {
        let hostile = "<b>&\"'</b> <script>alert(1)</script> &amp;";
        let escaped = escape(hostile);
        assert_eq!(
            escaped,
            "&lt;b&gt;&amp;&quot;'&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt; &amp;amp;"
        );
        assert!(startlink_sandbox::parse_html(&escaped).is_ok());
        assert!(startlink_sandbox::parse_html(hostile).is_err());
        assert!(matches!(escape("plain oʻzbek"), Cow::Borrowed(_)));
    }

    #[test]
    fn truncation_counts_utf16_and_never_splits_a_character() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        let emoji = "😀😀😀";
        let cut = truncate(emoji, 5);
        assert_eq!(cut, "😀😀…");
        assert!(cut.encode_utf16().count() <= 5);
    }

    #[test]
    fn visible_length_ignores_tags_and_counts_entities_once() {
        assert_eq!(visible_len("<b>ab</b> &amp; c"), 6);
        assert_eq!(visible_len("😀"), 2);
    }
}
