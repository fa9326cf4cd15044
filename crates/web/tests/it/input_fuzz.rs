//! No input panics or fails with a 5xx (issue #12, D and E): every query and
//! body parameter of every route in the app's own OpenAPI document, and every
//! query filter and form field of the panel, gets extreme values one at a
//! time; each answer must be below 500 and the server must still answer.
//! A NUL character must be a 400 naming the field, on every backend.

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json};

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    no_query_or_body_value_of_the_api_gets_a_5xx,
    no_query_filter_or_form_field_of_the_panel_gets_a_5xx,
    a_nul_character_is_a_400_naming_the_field,
}

const LONG: usize = 10_000;

/// Extreme values as they appear in a URL (already percent-encoded).
fn query_values() -> Vec<String> {
    vec![
        "9223372036854775807".into(),
        "-9223372036854775808".into(),
        "18446744073709551615".into(),
        "18446744073709551616".into(),
        "99999999999999999999999999999".into(),
        "-1".into(),
        "0".into(),
        "".into(),
        "abc".into(),
        "%00".into(),
        "a%00b".into(),
        "1e308".into(),
        "NaN".into(),
        "9999-12-31T23:59:59Z".into(),
        "0001-01-01".into(),
        "-262144-01-01".into(),
        "%F0%9F%98%80".into(),
        "x".repeat(LONG),
    ]
}

/// Extreme values for a JSON field.
fn body_values() -> Vec<Value> {
    vec![
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        serde_json::from_str("18446744073709551616").unwrap(),
        json!(-1),
        json!(0),
        json!(1e308),
        json!(""),
        json!("\u{0}"),
        json!("9223372036854775807"),
        json!("99999999999999999999"),
        json!("-1"),
        json!("9999-12-31T23:59:59Z"),
        json!("x".repeat(LONG)),
        json!(null),
        json!(true),
        json!([]),
        json!({}),
        json!({"k": "\u{0}"}),
        json!({"k": "x".repeat(LONG)}),
    ]
}

/// `$ref`s resolved against the document's components.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            resolve(document, &document["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// Properties of a JSON body schema, following `allOf`.
fn body_properties(document: &Value, schema: &Value) -> Vec<String> {
    let schema = resolve(document, schema);
    let mut names: Vec<String> = schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        names.extend(body_properties(document, part));
    }
    names
}

struct Operation {
    method: Method,
    path: String,
    query: Vec<String>,
    path_params: Vec<String>,
    body: Option<Vec<String>>,
}

fn operations(document: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let mut query = Vec::new();
            let mut path_params = Vec::new();
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let parameter = resolve(document, parameter);
                let name = parameter["name"].as_str().unwrap().to_owned();
                match parameter["in"].as_str() {
                    Some("query") => query.push(name),
                    Some("path") => path_params.push(name),
                    _ => {}
                }
            }
            let body = operation["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|_| {
                    body_properties(
                        document,
                        &operation["requestBody"]["content"]["application/json"]["schema"],
                    )
                });
            found.push(Operation {
                method,
                path: path.clone(),
                query,
                path_params,
                body,
            });
        }
    }
    found
}

/// Sends the requests a few at a time; panics naming every one answered 5xx
/// or not answered at all, then checks the server still answers.
async fn expect_no_5xx(app: &TestApp, requests: Vec<(String, reqwest::RequestBuilder)>) {
    let mut failures = Vec::new();
    let mut requests = requests.into_iter().peekable();
    while requests.peek().is_some() {
        let batch: Vec<_> = requests.by_ref().take(8).collect();
        let answers = join_all(
            batch
                .into_iter()
                .map(|(label, request)| async move { (label, request.send().await) }),
        )
        .await;
        for (label, answer) in answers {
            match answer {
                Ok(response) if response.status().is_server_error() => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    failures.push(format!("{label}: {status} {}", truncate(&text)));
                }
                Ok(_) => {}
                Err(error) => failures.push(format!("{label}: no answer ({error})")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} inputs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let alive = app.client.get(app.url("/api/openapi.json")).send().await;
    assert_eq!(alive.unwrap().status(), 200, "the server stopped answering");
}

fn truncate(text: &str) -> String {
    text.chars().take(200).collect()
}

fn label_value(value: &str) -> String {
    if value.len() > 40 {
        format!("<{} chars>", value.len())
    } else {
        value.to_owned()
    }
}

async fn no_query_or_body_value_of_the_api_gets_a_5xx(app: TestApp) {
    let admin = app.admin().await;
    let link = app
        .create_link(&admin, json!({"title": "Fuzz", "campaign": "spring"}))
        .await;
    let key = link["key"].as_str().unwrap().to_owned();
    let document = serde_json::to_value(startlink_web::openapi()).unwrap();
    let operations = operations(&document);
    assert!(operations.len() >= 15, "{} operations", operations.len());
    let mut requests = Vec::new();
    let fill = |path: &str, with: &str| {
        let mut filled = path.to_owned();
        while let (Some(start), Some(end)) = (filled.find('{'), filled.find('}')) {
            filled.replace_range(start..=end, with);
        }
        filled
    };
    for operation in &operations {
        // Logins are the throttle's business (login_limits); here they would
        // only fill the throttle.
        if operation.path.ends_with("/auth/login") {
            continue;
        }
        let valid_path = fill(&operation.path, &key);
        for name in &operation.query {
            for value in query_values() {
                let url = app.url(&format!("{valid_path}?{name}={value}"));
                let label = format!(
                    "{} {}?{name}={}",
                    operation.method,
                    operation.path,
                    label_value(&value)
                );
                let mut request = app
                    .client
                    .request(operation.method.clone(), url)
                    .bearer_auth(&admin);
                if operation.body.is_some() {
                    request = request.json(&json!({}));
                }
                requests.push((label, request));
            }
        }
        if !operation.path_params.is_empty() {
            for value in query_values() {
                let path = fill(&operation.path, &value);
                let label = format!("{} {}", operation.method, label_value(&path));
                let mut request = app
                    .client
                    .request(operation.method.clone(), app.url(&path))
                    .bearer_auth(&admin);
                if operation.body.is_some() {
                    request = request.json(&json!({}));
                }
                requests.push((label, request));
            }
        }
        for name in operation.body.iter().flatten() {
            for value in body_values() {
                let label = format!(
                    "{} {} {{{name}: {}}}",
                    operation.method,
                    operation.path,
                    label_value(&value.to_string())
                );
                let request = app
                    .client
                    .request(operation.method.clone(), app.url(&valid_path))
                    .bearer_auth(&admin)
                    .json(&json!({ name: value }));
                requests.push((label, request));
            }
        }
    }
    expect_no_5xx(&app, requests).await;
}

/// The panel's pages with query filters, and its forms with their fields,
/// as `panel::routes` and the handlers' `Deserialize` structs have them.
const PANEL_PAGES: &[(&str, &[&str])] = &[
    ("/", &["range", "from", "to"]),
    (
        "/links",
        &[
            "search", "status", "kind", "campaign", "creator", "sort", "page",
        ],
    ),
    ("/users", &["search", "page"]),
    (
        "/exports",
        &[
            "dataset", "format", "from", "to", "campaign", "creator", "kind", "status", "lang",
            "bom",
        ],
    ),
    (
        "/exports/download",
        &[
            "dataset", "format", "from", "to", "campaign", "creator", "kind", "status", "lang",
            "bom",
        ],
    ),
    ("/reports/summary.pdf", &["from", "to", "lang"]),
    ("/simulator", &["user"]),
    ("/settings", &[]),
    ("/admins", &[]),
    ("/audit", &["actor", "action", "since", "before"]),
    ("/links/new", &[]),
    ("/links/{key}", &[]),
    (
        "/links/{key}/qr.png",
        &[
            "preset",
            "size",
            "margin",
            "ec",
            "fg",
            "bg",
            "gradient",
            "fg2",
            "modules",
            "eyes",
            "eye_color",
            "caption",
        ],
    ),
    (
        "/links/{key}/qr.svg",
        &[
            "preset",
            "size",
            "margin",
            "ec",
            "fg",
            "bg",
            "gradient",
            "fg2",
            "modules",
            "eyes",
            "eye_color",
            "caption",
        ],
    ),
];

const PANEL_FORMS: &[(&str, &[&str])] = &[
    (
        "/links",
        &[
            "kind",
            "product_id",
            "order_log_id",
            "title",
            "welcome_text",
            "campaign",
            "max_uses",
            "ttl",
        ],
    ),
    (
        "/links/{key}/edit",
        &["title", "welcome_text", "expires_at", "max_uses"],
    ),
    ("/links/{key}/revoke", &[]),
    ("/admins", &["username", "role", "password"]),
    ("/admins/manage", &["username", "action", "password"]),
    ("/tokens", &["name", "scope"]),
    ("/tokens/{id}/revoke", &[]),
    (
        "/simulator/users",
        &["id", "first_name", "username", "language"],
    ),
    ("/simulator/send", &["user", "text"]),
    ("/simulator/press", &["user", "message_id", "data"]),
    ("/login", &["username", "password"]),
];

async fn no_query_filter_or_form_field_of_the_panel_gets_a_5xx(app: TestApp) {
    let admin = app.admin().await;
    let link = app
        .create_link(&admin, json!({"title": "Fuzz", "campaign": "spring"}))
        .await;
    let key = link["key"].as_str().unwrap().to_owned();
    let browser = &app.browser;
    let (cookie, csrf) = app.panel_owner().await;
    let fill = |path: &str, value: &str| path.replace("{key}", value).replace("{id}", value);
    let mut requests = Vec::new();
    for (path, fields) in PANEL_PAGES {
        for field in *fields {
            for value in query_values() {
                let url = app.url(&format!("{}?{field}={value}", fill(path, &key)));
                let label = format!("GET {path}?{field}={}", label_value(&value));
                requests.push((
                    label,
                    browser
                        .get(url)
                        .header(reqwest::header::COOKIE, cookie.clone()),
                ));
            }
        }
        if path.contains('{') {
            for value in query_values() {
                let label = format!("GET {}", label_value(&fill(path, &value)));
                requests.push((
                    label,
                    browser
                        .get(app.url(&fill(path, &value)))
                        .header(reqwest::header::COOKIE, cookie.clone()),
                ));
            }
        }
    }
    for (path, fields) in PANEL_FORMS {
        let target = fill(path, if path.contains("{id}") { "1" } else { &key });
        for field in fields.iter().chain(["csrf"].iter()) {
            for value in query_values() {
                let body = if *field == "csrf" {
                    format!("csrf={value}")
                } else {
                    format!("csrf={csrf}&{field}={value}")
                };
                let label = format!("POST {path} {field}={}", label_value(&value));
                requests.push((
                    label,
                    browser
                        .post(app.url(&target))
                        .header(reqwest::header::COOKIE, cookie.clone())
                        .header(
                            reqwest::header::CONTENT_TYPE,
                            "application/x-www-form-urlencoded",
                        )
                        .body(body),
                ));
            }
        }
    }
    expect_no_5xx(&app, requests).await;
}

async fn a_nul_character_is_a_400_naming_the_field(app: TestApp) {
    let admin = app.admin().await;
    let link = app
        .create_link(&admin, json!({"title": "Fuzz", "campaign": "spring"}))
        .await;
    let key = link["key"].as_str().unwrap();
    let cases: Vec<(&str, reqwest::RequestBuilder)> = vec![
        (
            "search",
            app.client
                .get(app.url("/api/v1/links?search=a%00b"))
                .bearer_auth(&admin),
        ),
        (
            "campaign",
            app.client
                .get(app.url("/api/v1/stats/funnel?campaign=%00"))
                .bearer_auth(&admin),
        ),
        (
            "campaign",
            app.client
                .get(app.url("/api/v1/links?campaign=spring%00"))
                .bearer_auth(&admin),
        ),
        (
            "attrs.note",
            app.client
                .post(app.url("/api/v1/links"))
                .bearer_auth(&admin)
                .json(&json!({"title": "t", "attrs": {"note": "a\u{0}b"}})),
        ),
        (
            "title",
            app.client
                .patch(app.url(&format!("/api/v1/links/{key}")))
                .bearer_auth(&admin)
                .json(&json!({"title": "\u{0}"})),
        ),
        (
            "username",
            app.client
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({"username": "ad\u{0}min", "password": "whatever it is"})),
        ),
        (
            "username",
            app.client
                .post(app.url("/api/v1/auth/login"))
                .form(&[("username", "ad\u{0}min"), ("password", "whatever it is")]),
        ),
    ];
    for (field, request) in cases {
        let response = request.send().await.unwrap();
        let body = json(response, 400).await;
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{field}:")) && message.contains("NUL"),
            "{field}: {message}"
        );
    }
    let browser = &app.browser;
    let (cookie, csrf) = app.panel_owner().await;
    for (path, body) in [
        ("/links", format!("csrf={csrf}&title=a%00b")),
        (
            "/tokens",
            format!("csrf={csrf}&name=a%00b&scope=links:read"),
        ),
    ] {
        let response = browser
            .post(app.url(path))
            .header(reqwest::header::COOKIE, cookie.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains("NUL"), "{path}: {html}");
    }
    for path in ["/links?search=%00", "/users?search=%00"] {
        let response = browser
            .get(app.url(path))
            .header(reqwest::header::COOKIE, cookie.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{path}");
    }
}
