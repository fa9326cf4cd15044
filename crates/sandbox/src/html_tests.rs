use super::*;

fn kinds(html: &str) -> Vec<(String, usize, usize)> {
    let (_, entities) =
        parse(html).unwrap_or_else(|error| panic!("{html:?} was rejected: {error}"));
    entities
        .into_iter()
        .map(|e| (e.kind, e.offset, e.length))
        .collect()
}

#[test]
fn well_formed_markup_is_accepted_with_its_text_and_entities() {
    let cases: &[(&str, &str)] = &[
        ("plain text", "plain text"),
        ("<b>bold</b>", "bold"),
        ("<B>x</b>", "x"),
        ("&lt;b&gt; is not a tag", "<b> is not a tag"),
        ("&amp;&quot;&#39;&#x41;", "&\"'A"),
        ("&lt without semicolon", "< without semicolon"),
        (
            "Tom & Jerry, \"quoted\" 'single'",
            "Tom & Jerry, \"quoted\" 'single'",
        ),
        ("&nbsp; stays literal", "&nbsp; stays literal"),
        ("<a href=\"https://t.me/bot?start=KEY\">open</a>", "open"),
        ("<a href='https://example.com/?a=1&amp;b=2'>x</a>", "x"),
        ("<span class=\"tg-spoiler\">s</span>", "s"),
        ("<pre><code class=\"language-rust\">fn</code></pre>", "fn"),
        ("<blockquote expandable>q</blockquote>", "q"),
        ("<b>a<i>b</i></b><u>c</u><s>d</s>", "abcd"),
        ("<b>closed by empty tag</>", "closed by empty tag"),
        ("<b></b>", ""),
        ("Oʻzbekcha <i>matn</i> 🎉", "Oʻzbekcha matn 🎉"),
    ];
    for (html, text) in cases {
        match parse(html) {
            Ok((parsed, _)) => assert_eq!(&parsed, text, "text of {html:?}"),
            Err(error) => panic!("{html:?} was rejected: {error}"),
        }
    }
}

#[test]
fn malformed_markup_is_rejected_with_telegrams_reason() {
    let cases: &[(&str, &str)] = &[
        (
            "<b>&\"'",
            "Can't find end tag corresponding to start tag \"b\"",
        ),
        ("a < b", "Unsupported start tag \"\" at byte offset 2"),
        ("<br>", "Unsupported start tag \"br\" at byte offset 0"),
        (
            "x <p>para</p>",
            "Unsupported start tag \"p\" at byte offset 2",
        ),
        (
            "<b>x</i>",
            "Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\"",
        ),
        (
            "<B>x</B>",
            "Unmatched end tag at byte offset 4, expected \"</b>\", found \"</B>\"",
        ),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("text <", "Unclosed start tag at byte offset 5"),
        ("<b", "Unclosed start tag at byte offset 0"),
        (
            "<a href>x</a>",
            "Expected equal sign in declaration of an attribute of the tag \"a\" at byte offset 0",
        ),
        (
            "<a href=x/y>z</a>",
            "Unexpected end of name token at byte offset 8",
        ),
        (
            "<span>x</span>",
            "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0",
        ),
        (
            "<tg-emoji emoji-id=\"abc\">x</tg-emoji>",
            "Invalid custom emoji identifier specified",
        ),
        (
            "<b><i>x</b></i>",
            "Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\"",
        ),
    ];
    for (html, reason) in cases {
        match parse(html) {
            Ok((text, _)) => panic!("{html:?} was accepted as {text:?}; Telegram rejects it"),
            Err(error) => assert_eq!(&error, reason, "reason for {html:?}"),
        }
    }
}

#[test]
fn entity_offsets_count_utf16_code_units() {
    // The emoji is two UTF-16 units, "ʻ" one.
    assert_eq!(kinds("🎉<b>x</b>"), vec![("bold".to_owned(), 2, 1)]);
    assert_eq!(kinds("oʻ<i>ab</i>"), vec![("italic".to_owned(), 2, 2)]);
    assert_eq!(
        kinds("&#128512;<u>y</u>"),
        vec![("underline".to_owned(), 2, 1)]
    );
}

#[test]
fn nested_entities_are_ordered_by_offset_then_longest_first() {
    assert_eq!(
        kinds("<b>a<i>b</i></b>"),
        vec![("bold".to_owned(), 0, 2), ("italic".to_owned(), 1, 1)]
    );
}

#[test]
fn a_pre_with_a_code_language_becomes_one_pre_entity() {
    let (_, entities) = parse("<pre><code class=\"language-rust\">fn</code></pre>").unwrap();
    assert_eq!(entities.len(), 1);
    assert_eq!(entities[0].kind, "pre");
    assert_eq!(entities[0].language.as_deref(), Some("rust"));
    let (_, entities) = parse("<code class=\"language-rust\">x</code>").unwrap();
    assert_eq!(entities[0].kind, "code");
    assert_eq!(entities[0].language, None, "a language belongs to pre only");
}

#[test]
fn links_keep_valid_addresses_and_drop_invalid_ones() {
    let (_, entities) = parse("<a href=\"https://t.me/x?start=A_b-1\">go</a>").unwrap();
    assert_eq!(
        entities[0].url.as_deref(),
        Some("https://t.me/x?start=A_b-1")
    );
    let (_, entities) = parse("<a href=\"javascript:alert(1)\">go</a>").unwrap();
    assert!(
        entities.is_empty(),
        "unsupported scheme is dropped, not rejected"
    );
    let (_, entities) = parse("<a href=\"\">example.com</a>").unwrap();
    assert_eq!(entities[0].url.as_deref(), Some("http://example.com/"));
}
