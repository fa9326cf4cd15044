//! `GET /api/v1/links/{key}/qr.png` and `.svg`.

use serde_json::json;

use crate::helpers::{TestApp, json};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    qr_codes_come_as_png_and_svg_with_the_studios_options,
}

async fn qr_codes_come_as_png_and_svg_with_the_studios_options(app: TestApp) {
    let admin = app.admin().await;
    let link = app.create_link(&admin, json!({"product_id": 1})).await;
    let key = link["key"].as_str().unwrap();
    let png = app
        .get(
            &format!("/api/v1/links/{key}/qr.png?size=300&margin=2"),
            &admin,
        )
        .await;
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    let bytes = png.bytes().await.unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.width, 300);
    let grey: Vec<u8> = match info.color_type {
        png::ColorType::Rgba => pixels.chunks(4).map(|p| p[0]).collect(),
        png::ColorType::Rgb => pixels.chunks(3).map(|p| p[0]).collect(),
        png::ColorType::Grayscale => pixels[..(info.width * info.height) as usize].to_vec(),
        other => panic!("unexpected {other:?}"),
    };
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(
        info.width as usize,
        info.height as usize,
        |x, y| grey[y * info.width as usize + x],
    );
    let grids = image.detect_grids();
    let (_, text) = grids[0].decode().unwrap();
    assert_eq!(text, link["url"].as_str().unwrap());

    let svg = app
        .get(&format!("/api/v1/links/{key}/qr.svg?preset=brand&modules=dots&eyes=circle&caption=%3Cscript%3E"), &admin)
        .await;
    assert_eq!(svg.status(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let svg = svg.text().await.unwrap();
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..80]
    );
    assert!(
        !svg.contains("<script"),
        "the caption is drawn as outlines, never as markup"
    );

    for (query, field) in [
        ("size=5", "size"),
        ("fg=%23zzz", "colour"),
        ("fg=%23eeeeee", "contrast"),
        ("modules=stars", "modules"),
        ("gradient=linear", "fg2"),
    ] {
        let answer = json(
            app.get(&format!("/api/v1/links/{key}/qr.png?{query}"), &admin)
                .await,
            400,
        )
        .await;
        assert!(
            answer["message"].as_str().unwrap().contains(field),
            "{query}: {answer}"
        );
    }
    assert_eq!(
        app.get("/api/v1/links/NoSuchKey123/qr.png", &admin)
            .await
            .status(),
        404
    );
}
