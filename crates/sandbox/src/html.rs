//! Telegram's HTML parse mode, reproduced rule for rule from the reference
//! implementation (tdlib's `parse_html`) so that text our sandbox accepts is
//! text Telegram accepts, and every rejection carries Telegram's message.
//!
//! Decisions that follow Telegram rather than HTML: only `&lt; &gt; &amp;
//! &quot;` and numeric references are entities and the `;` is optional; an `&`
//! that starts none of them is kept literally; a `<` always starts a tag, so
//! `a < b` is an error; tag names are matched case-insensitively on open, but
//! an end tag must repeat the lowercase name (or be `</>`).

use crate::types::MessageEntity;

const SUPPORTED_TAGS: &[&str] = &[
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
];

/// The text with markup removed and the entities it described, offsets in
/// UTF-16 code units; `Err` holds the reason after "can't parse entities: ".
pub fn parse(html: &str) -> Result<(String, Vec<MessageEntity>), String> {
    Parser {
        text: html.as_bytes(),
        result: Vec::with_capacity(html.len()),
        utf16_offset: 0,
    }
    .run()
}

struct OpenTag {
    name: String,
    argument: String,
    utf16_offset: usize,
    result_pos: usize,
}

struct Parser<'a> {
    text: &'a [u8],
    result: Vec<u8>,
    utf16_offset: usize,
}

/// tdlib reads the text as a NUL-terminated C string and counts NUL as space.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | 0 | 0x0b)
}

impl Parser<'_> {
    fn at(&self, i: usize) -> u8 {
        self.text.get(i).copied().unwrap_or(0)
    }

    fn slice(&self, from: usize, to: usize) -> String {
        String::from_utf8_lossy(&self.text[from.min(to)..to]).into_owned()
    }

    fn run(mut self) -> Result<(String, Vec<MessageEntity>), String> {
        let mut entities = Vec::new();
        let mut open: Vec<OpenTag> = Vec::new();
        let mut i = 0;
        while i < self.text.len() {
            let byte = self.text[i];
            if byte == b'&'
                && let Some((ch, next)) = self.decode_entity(i)
            {
                let mut buf = [0; 4];
                self.result
                    .extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                self.utf16_offset += ch.len_utf16();
                i = next;
                continue;
            }
            if byte != b'<' {
                self.result.push(byte);
                if byte & 0xC0 != 0x80 {
                    // First byte of a UTF-8 sequence; four-byte ones are surrogate pairs.
                    self.utf16_offset += if byte >= 0xF0 { 2 } else { 1 };
                }
                i += 1;
                continue;
            }
            let begin = i;
            i += 1;
            if self.at(i) != b'/' {
                let (tag, next) = self.start_tag(begin, i)?;
                open.push(tag);
                i = next + 1;
            } else {
                let Some(tag) = open.pop() else {
                    return Err(format!("Unexpected end tag at byte offset {begin}"));
                };
                while !is_space(self.at(i)) && self.at(i) != b'>' {
                    i += 1;
                }
                let end_name = self.slice(begin + 2, i);
                while i < self.text.len() && is_space(self.at(i)) {
                    i += 1;
                }
                if self.at(i) != b'>' {
                    return Err(format!("Unclosed end tag at byte offset {begin}"));
                }
                if !end_name.is_empty() && end_name != tag.name {
                    return Err(format!(
                        "Unmatched end tag at byte offset {begin}, expected \"</{}>\", found \"</{end_name}>\"",
                        tag.name
                    ));
                }
                self.close(tag, &mut entities)?;
                i += 1;
            }
        }
        if let Some(tag) = open.last() {
            return Err(format!(
                "Can't find end tag corresponding to start tag \"{}\"",
                tag.name
            ));
        }
        let text = String::from_utf8(self.result).map_err(|_| {
            "Text contains invalid Unicode characters after decoding HTML entities".to_owned()
        })?;
        for entity in &mut entities {
            if entity.kind == "code" {
                entity.language = None;
            }
        }
        entities.sort_by_key(|entity: &MessageEntity| {
            (entity.offset, std::cmp::Reverse(entity.length))
        });
        Ok((text, entities))
    }

    /// Reads `<name attr="…" …>` from `i` (just after `<`); returns the tag
    /// and the index of its closing `>`.
    fn start_tag(&self, begin: usize, mut i: usize) -> Result<(OpenTag, usize), String> {
        while !is_space(self.at(i)) && self.at(i) != b'>' {
            i += 1;
        }
        if i >= self.text.len() {
            return Err(format!("Unclosed start tag at byte offset {begin}"));
        }
        let name = self.slice(begin + 1, i).to_lowercase();
        if !SUPPORTED_TAGS.contains(&name.as_str()) {
            return Err(format!(
                "Unsupported start tag \"{name}\" at byte offset {begin}"
            ));
        }
        let mut argument = String::new();
        while self.at(i) != b'>' {
            while i < self.text.len() && is_space(self.at(i)) {
                i += 1;
            }
            if self.at(i) == b'>' {
                break;
            }
            let attribute_begin = i;
            // Stopping at `>` too lets a bare `<blockquote expandable>` through.
            while !is_space(self.at(i)) && self.at(i) != b'=' && self.at(i) != b'>' {
                i += 1;
            }
            let attribute = self.slice(attribute_begin, i);
            if attribute.is_empty() {
                return Err(format!(
                    "Empty attribute name in the tag \"{name}\" at byte offset {begin}"
                ));
            }
            while i < self.text.len() && is_space(self.at(i)) {
                i += 1;
            }
            if self.at(i) != b'=' {
                if name == "blockquote" && attribute == "expandable" {
                    argument = "expandable".to_owned();
                    continue;
                }
                return Err(format!(
                    "Expected equal sign in declaration of an attribute of the tag \"{name}\" at byte offset {begin}"
                ));
            }
            i += 1;
            while i < self.text.len() && is_space(self.at(i)) {
                i += 1;
            }
            if i >= self.text.len() {
                return Err(format!(
                    "Unclosed start tag \"{name}\" at byte offset {begin}"
                ));
            }
            let value;
            (value, i) = self.attribute_value(i)?;
            if i >= self.text.len() {
                return Err(format!("Unclosed start tag at byte offset {begin}"));
            }
            match (name.as_str(), attribute.as_str()) {
                ("a", "href") | ("tg-emoji", "emoji-id") => argument = value,
                ("code", "class") => {
                    if let Some(language) = value.strip_prefix("language-") {
                        argument = language.to_owned();
                    }
                }
                ("span", "class") => {
                    if let Some(class) = value.strip_prefix("tg-") {
                        argument = class.to_owned();
                    }
                }
                _ => {}
            }
        }
        if name == "span" && argument != "spoiler" {
            return Err(format!(
                "Tag \"span\" must have class \"tg-spoiler\" at byte offset {begin}"
            ));
        }
        let tag = OpenTag {
            name,
            argument,
            utf16_offset: self.utf16_offset,
            result_pos: self.result.len(),
        };
        Ok((tag, i))
    }

    fn attribute_value(&self, mut i: usize) -> Result<(String, usize), String> {
        let quote = self.at(i);
        if quote != b'"' && quote != b'\'' {
            // An unquoted name token: letters, digits, periods, hyphens; case-insensitive.
            let begin = i;
            while self.at(i).is_ascii_alphanumeric() || self.at(i) == b'.' || self.at(i) == b'-' {
                i += 1;
            }
            if !is_space(self.at(i)) && self.at(i) != b'>' {
                return Err(format!(
                    "Unexpected end of name token at byte offset {begin}"
                ));
            }
            return Ok((self.slice(begin, i).to_lowercase(), i));
        }
        i += 1;
        let mut value = Vec::new();
        while i < self.text.len() && self.at(i) != quote {
            if self.at(i) == b'&'
                && let Some((ch, next)) = self.decode_entity(i)
            {
                let mut buf = [0; 4];
                value.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                i = next;
                continue;
            }
            value.push(self.at(i));
            i += 1;
        }
        if self.at(i) == quote {
            i += 1;
        }
        Ok((String::from_utf8_lossy(&value).into_owned(), i))
    }

    /// `&lt;` `&gt;` `&amp;` `&quot;` `&#NN;` `&#xHH;` (the `;` optional);
    /// returns the character and the index after the reference.
    fn decode_entity(&self, pos: usize) -> Option<(char, usize)> {
        let mut end = pos + 1;
        let code = if self.at(end) == b'#' {
            end += 1;
            let hex = self.at(end) == b'x';
            if hex {
                end += 1;
            }
            let mut code: u32 = 0;
            loop {
                let digit = match self.at(end) {
                    b @ b'0'..=b'9' => u32::from(b - b'0'),
                    b @ (b'a'..=b'f' | b'A'..=b'F') if hex => {
                        u32::from(b.to_ascii_lowercase() - b'a' + 10)
                    }
                    _ => break,
                };
                code = code * if hex { 16 } else { 10 } + digit;
                end += 1;
                if code >= 0x10FFFF {
                    return None;
                }
            }
            if code == 0 || end - pos >= 10 {
                return None;
            }
            code
        } else {
            while self.at(end).is_ascii_alphabetic() {
                end += 1;
            }
            match &self.text[pos + 1..end] {
                b"lt" => u32::from('<'),
                b"gt" => u32::from('>'),
                b"amp" => u32::from('&'),
                b"quot" => u32::from('"'),
                _ => return None,
            }
        };
        let ch = char::from_u32(code)?;
        let next = if self.at(end) == b';' { end + 1 } else { end };
        Some((ch, next))
    }

    fn close(&self, tag: OpenTag, entities: &mut Vec<MessageEntity>) -> Result<(), String> {
        if self.utf16_offset <= tag.utf16_offset {
            return Ok(());
        }
        let (offset, length) = (tag.utf16_offset, self.utf16_offset - tag.utf16_offset);
        let simple = |kind: &str| MessageEntity::new(kind, offset, length);
        let entity = match tag.name.as_str() {
            "i" | "em" => simple("italic"),
            "b" | "strong" => simple("bold"),
            "s" | "strike" | "del" => simple("strikethrough"),
            "u" | "ins" => simple("underline"),
            "tg-spoiler" | "span" => simple("spoiler"),
            "blockquote" if tag.argument == "expandable" => simple("expandable_blockquote"),
            "blockquote" => simple("blockquote"),
            "tg-emoji" => {
                if tag.argument.parse::<i64>().map_or(true, |id| id == 0) {
                    return Err("Invalid custom emoji identifier specified".to_owned());
                }
                MessageEntity {
                    custom_emoji_id: Some(tag.argument),
                    ..simple("custom_emoji")
                }
            }
            "a" => {
                let href = if tag.argument.is_empty() {
                    String::from_utf8_lossy(&self.result[tag.result_pos..]).into_owned()
                } else {
                    tag.argument
                };
                // Telegram silently drops a link whose address it cannot parse.
                match crate::text::link_url(&href) {
                    Some(url) => MessageEntity {
                        url: Some(url),
                        ..simple("text_link")
                    },
                    None => return Ok(()),
                }
            }
            "pre" => {
                if let Some(last) = entities.last_mut()
                    && last.kind == "code"
                    && last.offset == offset
                    && last.length == length
                    && last.language.is_some()
                {
                    last.kind = "pre".to_owned();
                    return Ok(());
                }
                simple("pre")
            }
            "code" => {
                if let Some(last) = entities.last_mut()
                    && last.kind == "pre"
                    && last.offset == offset
                    && last.length == length
                    && !tag.argument.is_empty()
                {
                    last.language = Some(tag.argument);
                    return Ok(());
                }
                // Remember the language in case an enclosing <pre> closes at the same place.
                let language = (!tag.argument.is_empty()).then_some(tag.argument);
                MessageEntity {
                    language,
                    ..simple("code")
                }
            }
            _ => return Ok(()),
        };
        entities.push(entity);
        Ok(())
    }
}

#[cfg(test)]
#[path = "html_tests.rs"]
mod tests;
