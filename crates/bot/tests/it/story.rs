//! The whole story: an operator creates an order link, customers open it.

use startlink_core::links::{self, LinkKey, NewLink, UseLimit};
use startlink_core::time;

use crate::helpers::{OPERATOR, TestBot, head, text, user, uz};

/// Downloads a photo the bot sent and decodes the QR code in it.
async fn decode_photo(bot: &TestBot, file_url: &str) -> String {
    let url = if file_url.starts_with("http") {
        file_url.to_owned()
    } else {
        format!("{}{file_url}", bot.sandbox.base_url())
    };
    let bytes = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let channels = info.color_type.samples();
    let (width, height) = (info.width as usize, info.height as usize);
    let luma = |x: usize, y: usize| -> u8 {
        let i = (y * width + x) * channels;
        match channels {
            1 | 2 => pixels[i],
            _ => {
                ((u16::from(pixels[i]) + u16::from(pixels[i + 1]) + u16::from(pixels[i + 2])) / 3)
                    as u8
            }
        }
    };
    let grey: Vec<u8> = (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .map(|(x, y)| luma(x, y))
        .collect();
    // Two independent readers, as the QR studio's own self-check uses.
    let mut hints = rxing::DecodeHints {
        TryHarder: Some(true),
        ..Default::default()
    };
    if let Ok(found) = rxing::helpers::detect_in_luma_with_hints(
        grey.clone(),
        width as u32,
        height as u32,
        Some(rxing::BarcodeFormat::QR_CODE),
        &mut hints,
    ) {
        return found.getText().to_owned();
    }
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| grey[y * width + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the photo");
    grids[0].decode().unwrap().1
}

fn key_of(url: &str) -> LinkKey {
    LinkKey::parse(url.rsplit("start=").next().unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_link_from_generate_to_revoke() {
    let bot = TestBot::start().await;
    let operator = user(OPERATOR, "Operator");
    let (ali, bek) = (user(1, "Ali"), user(2, "Bek"));
    let t = uz();

    let created = bot.ask(&operator, "/generate 123 9876").await;
    let photo = created
        .photo
        .as_ref()
        .expect("/generate answers with a photo");
    let caption = text(&created);
    let url = caption
        .lines()
        .find(|l| l.contains("https://t.me/"))
        .unwrap()
        .trim_start_matches("🔗 ")
        .to_owned();
    assert!(
        caption.contains("123") && caption.contains("9876"),
        "{caption}"
    );
    assert_eq!(
        decode_photo(&bot, photo.url.as_deref().unwrap()).await,
        url,
        "the QR code decodes to the link"
    );
    assert_eq!(
        created.callback_data().len(),
        1,
        "Share is a URL button, Revoke a callback"
    );
    let key = key_of(&url);

    let first = bot.ask(&ali, &format!("/start {key}")).await;
    assert!(
        text(&first).starts_with(head(t.redeemed)),
        "{}",
        text(&first)
    );
    assert!(text(&first).contains("9876"));
    let other = bot.ask(&bek, &format!("/start {key}")).await;
    assert_eq!(text(&other), t.already_used);
    let again = bot.ask(&ali, &format!("/start {key}")).await;
    assert!(text(&again).starts_with(head(t.already_yours)) && text(&again).contains("9876"));

    let stats = bot.ask(&operator, "/stats").await;
    let chart = bot.reply_number(OPERATOR, 3).await; // the QR photo, the numbers, then the chart
    let picture = chart
        .photo
        .as_ref()
        .expect("/stats sends a chart picture after the numbers");
    assert_eq!((picture.width, picture.height), (Some(800), Some(400)));
    assert_eq!(text(&chart), t.stats_chart_title);
    let stats = text(&stats);
    for expected in ["Havolalar: 1", "ishlatilgan: 1", "Ochilishlar: 3"] {
        assert!(stats.contains(expected), "{expected:?} in {stats}");
    }
    assert!(stats.contains(key.as_str()));

    // Revoke from the button under the photo, with confirmation.
    let revoke_data = created.callback_data()[0].to_owned();
    let before = bot.messages(OPERATOR).len();
    bot.press(&operator, &created, &revoke_data).await;
    let confirm = bot.reply_number(OPERATOR, before + 1).await;
    let yes = confirm.callback_data()[0].to_owned();
    assert!(yes.starts_with("rvy:"));
    bot.press(&operator, &confirm, &yes).await;
    let edited = bot
        .messages(OPERATOR)
        .into_iter()
        .find(|m| m.message_id == confirm.message_id)
        .unwrap();
    assert!(
        text(&edited).contains(key.as_str()) && text(&edited).contains("bekor qilindi"),
        "{}",
        text(&edited)
    );
    let link = links::find(&bot.db, &key).await.unwrap().unwrap();
    assert!(link.revoked_at.is_some());
    let late = bot.ask(&user(3, "Late"), &format!("/start {key}")).await;
    assert_eq!(text(&late), t.revoked);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_users_pressing_one_link_at_once_only_one_sees_the_order() {
    let bot = TestBot::start().await;
    let new = NewLink {
        product_id: Some(5),
        order_log_id: Some(777),
        created_by: Some(OPERATOR),
        ..Default::default()
    };
    let link = links::create(&bot.db, new, time::now()).await.unwrap();
    let users: Vec<_> = (1_000..1_050).map(|id| user(id, "Racer")).collect();
    for u in &users {
        bot.sandbox()
            .send_text(u, &format!("/start {}", link.key))
            .unwrap();
    }
    let mut winners = 0;
    for u in &users {
        let reply = bot.reply_number(u.id, 1).await;
        if text(&reply).contains("777") {
            winners += 1;
        } else {
            assert_eq!(text(&reply), uz().already_used);
        }
    }
    assert_eq!(winners, 1);
    assert_eq!(
        links::find(&bot.db, &link.key)
            .await
            .unwrap()
            .unwrap()
            .use_count,
        1
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_mylinks_and_multi_use_links() {
    let bot = TestBot::start().await;
    let operator = user(OPERATOR, "Operator");
    let reply = bot.ask(&operator, "/link 1 2 7d 3").await;
    assert!(reply.photo.is_none());
    let body = text(&reply);
    assert!(body.contains("0/3"), "{body}");
    let key = key_of(body.lines().next().unwrap());
    for id in 1..=4 {
        bot.ask(&user(id, "U"), &format!("/start {key}")).await;
    }
    let link = links::find(&bot.db, &key).await.unwrap().unwrap();
    assert_eq!((link.use_count, link.max_uses), (3, Some(3)));
    assert!(link.expires_at.is_some());

    for i in 0..11 {
        let new = NewLink {
            product_id: Some(i),
            order_log_id: Some(i),
            created_by: Some(OPERATOR),
            uses: UseLimit::Max(1),
            ..Default::default()
        };
        links::create(&bot.db, new, time::now()).await.unwrap();
    }
    let page = bot.ask(&operator, "/mylinks").await;
    let rows = page.buttons.len();
    assert_eq!(rows, 11, "10 links and a navigation row");
    assert_eq!(page.buttons[10][0].text, "▶");
    bot.press(&operator, &page, "ml:1").await;
    let second = bot
        .messages(OPERATOR)
        .into_iter()
        .find(|m| m.message_id == page.message_id)
        .unwrap();
    assert_eq!(second.buttons.len(), 3, "2 links and ◀");
    let detail_data = second.callback_data()[0].to_owned();
    assert!(detail_data.starts_with("ld:"));
    bot.press(&operator, &second, &detail_data).await;
    let detail = bot
        .messages(OPERATOR)
        .into_iter()
        .find(|m| m.message_id == page.message_id)
        .unwrap();
    assert!(
        text(&detail).contains("https://t.me/startlink_sandbox_bot?start="),
        "{}",
        text(&detail)
    );
    assert!(detail.callback_data().iter().any(|d| d.starts_with("rv:")));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_of_a_url_and_of_a_new_order_both_decode() {
    let bot = TestBot::start().await;
    let operator = user(OPERATOR, "Operator");
    let url = "https://example.com/catalog?a=1&b=<2>";
    let reply = bot.ask(&operator, &format!("/qr {url}")).await;
    let photo = reply.photo.as_ref().expect("a QR photo");
    assert_eq!(decode_photo(&bot, photo.url.as_deref().unwrap()).await, url);
    assert_eq!(text(&reply), url, "the caption shows the URL literally");

    let order = bot.ask(&operator, "/qr 7 8").await;
    let decoded = decode_photo(&bot, order.photo.as_ref().unwrap().url.as_deref().unwrap()).await;
    let key = key_of(&decoded);
    assert!(
        links::find(&bot.db, &key).await.unwrap().is_some(),
        "/qr product order makes a real link"
    );
    let opened = bot.ask(&user(9, "Buyer"), &format!("/start {key}")).await;
    assert!(text(&opened).contains('8'), "{}", text(&opened));

    let refused = bot.ask(&operator, "/qr javascript:alert(1)").await;
    assert_eq!(text(&refused), uz().bad_url);
    bot.stop().await;
}
