//! The OpenAPI document is exactly true (issue #13, item 6): for every
//! operation of `startlink_web::openapi()`, schema-valid requests generated
//! from the document (enums, bounds, formats, examples, required fields) by a
//! small deterministic generator are sent as an admin; every answer must be
//! below 500, one of the statuses the document lists for the operation, and a
//! JSON body must match that status's schema (required fields, types, enums).

use reqwest::Method;
use serde_json::{Map, Value, json};
use startlink_core::admins::{self, Role, Scope};

use crate::helpers::TestApp;

startlink_test_support::backend_suite! {
    worker_threads = 2;
    fixture = |backend| crate::helpers::spawn_app(backend) => |app| (app);
    every_schema_valid_request_gets_a_documented_answer,
}

/// Variants per operation: 0 sends the required inputs only, the others every
/// input, each taking the variant's pick among the schema's valid values.
const VARIANTS: usize = 4;

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            resolve(document, &document["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// The schema's types, without `null`.
fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    }
}

/// Valid values for a schema, deterministic, most telling first.
fn candidates(document: &Value, schema: &Value) -> Vec<Value> {
    let schema = resolve(document, schema);
    if let Some(values) = schema["enum"].as_array() {
        return values.iter().filter(|v| !v.is_null()).cloned().collect();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let mut all = Vec::new();
            for option in options {
                let option = resolve(document, option);
                if option["type"] != "null" {
                    all.extend(candidates(document, option));
                }
            }
            return all;
        }
    }
    if let Some(parts) = schema["allOf"].as_array() {
        let mut merged = Map::new();
        let mut properties = Map::new();
        let mut required = Vec::new();
        for part in parts {
            let part = resolve(document, part);
            if let Some(p) = part["properties"].as_object() {
                properties.extend(p.clone());
            }
            required.extend(part["required"].as_array().cloned().unwrap_or_default());
        }
        merged.insert("type".into(), json!("object"));
        merged.insert("properties".into(), Value::Object(properties));
        merged.insert("required".into(), Value::Array(required));
        return candidates(document, &Value::Object(merged));
    }
    let mut examples: Vec<Value> = schema["examples"].as_array().cloned().unwrap_or_default();
    if !schema["example"].is_null() {
        examples.insert(0, schema["example"].clone());
    }
    if !examples.is_empty() {
        return examples;
    }
    let kind = types(schema).first().copied().unwrap_or("object");
    match kind {
        "integer" => {
            let min = schema["minimum"].as_i64();
            let max = schema["maximum"].as_i64();
            let low = min.unwrap_or(1);
            let high = max.unwrap_or(low.saturating_add(41));
            let mut values = vec![json!(low), json!(high), json!(low + (high - low) / 2)];
            values.dedup();
            values
        }
        "number" => vec![json!(1.5), json!(2)],
        "boolean" => vec![json!(true), json!(false)],
        "string" => match schema["format"].as_str() {
            Some("date-time") => vec![
                json!("2026-01-01T00:00:00Z"),
                json!("2026-06-30T12:00:00+05:00"),
            ],
            Some("date") => vec![json!("2026-01-01"), json!("2026-03-15")],
            Some("binary") => vec![json!("")],
            _ => vec![json!("spring"), json!("Fuzz")],
        },
        "array" => candidates(document, &schema["items"])
            .into_iter()
            .map(|item| json!([item]))
            .collect(),
        _ => {
            let properties = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            if properties.is_empty() {
                return vec![json!({})];
            }
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            (0..VARIANTS)
                .map(|variant| {
                    let mut object = Map::new();
                    for (name, property) in &properties {
                        if variant == 0 && !required.contains(&name.as_str()) {
                            continue;
                        }
                        let values = candidates(document, property);
                        if let Some(value) = values.get(variant % values.len().max(1)) {
                            object.insert(name.clone(), value.clone());
                        }
                    }
                    Value::Object(object)
                })
                .collect()
        }
    }
}

/// Whether `value` fits `schema`: required fields present, types and enums
/// right, recursively. Mismatches are pushed to `errors`.
fn conforms(document: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = resolve(document, schema);
    if let Some(parts) = schema["allOf"].as_array() {
        for part in parts {
            conforms(document, part, value, at, errors);
        }
        return;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let fits = options.iter().any(|option| {
                let mut inner = Vec::new();
                conforms(document, option, value, at, &mut inner);
                inner.is_empty()
            });
            if !fits {
                errors.push(format!("{at}: {value} fits none of {key}"));
            }
            return;
        }
    }
    if let Some(values) = schema["enum"].as_array()
        && !values.contains(value)
    {
        errors.push(format!("{at}: {value} is not in the enum"));
        return;
    }
    let nullable = match &schema["type"] {
        Value::Array(many) => many.contains(&json!("null")),
        _ => schema["nullable"] == true,
    };
    if value.is_null() {
        if !nullable && !types(schema).is_empty() {
            errors.push(format!("{at}: null where the schema has no null"));
        }
        return;
    }
    let wanted = types(schema);
    if wanted.is_empty() {
        return;
    }
    let fits = wanted.iter().any(|t| match *t {
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    });
    if !fits {
        errors.push(format!("{at}: {value} is not {}", wanted.join(" or ")));
        return;
    }
    if let Some(object) = value.as_object() {
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                errors.push(format!("{at}: required field {name} is missing"));
            }
        }
        if let Some(properties) = schema["properties"].as_object() {
            for (name, property) in properties {
                if let Some(field) = object.get(name) {
                    conforms(document, property, field, &format!("{at}.{name}"), errors);
                }
            }
        }
    }
    if let Some(items) = value.as_array() {
        for (i, item) in items.iter().enumerate() {
            conforms(
                document,
                &schema["items"],
                item,
                &format!("{at}[{i}]"),
                errors,
            );
        }
    }
}

/// A query-string value for a JSON value.
fn query_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

struct Request {
    label: String,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
}

/// The requests for one operation, from its parameters' and body's schemas.
fn requests_for(
    document: &Value,
    method: &Method,
    path: &str,
    operation: &Value,
    path_values: &dyn Fn(&str) -> Option<String>,
) -> Vec<Request> {
    let parameters: Vec<&Value> = operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| resolve(document, p))
        .collect();
    let body_schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    let bodies = if body_schema.is_null() {
        Vec::new()
    } else {
        candidates(document, body_schema)
    };
    (0..VARIANTS)
        .map(|variant| {
            let mut filled = path.to_owned();
            let mut query = Vec::new();
            for parameter in &parameters {
                let name = parameter["name"].as_str().unwrap_or_default();
                let required = parameter["required"] == true;
                match parameter["in"].as_str() {
                    Some("path") => {
                        let value = path_values(name).unwrap_or_else(|| {
                            let values = candidates(document, &parameter["schema"]);
                            query_text(&values[variant % values.len()])
                        });
                        filled = filled.replace(&format!("{{{name}}}"), &value);
                    }
                    Some("query") if required || variant > 0 => {
                        let values = candidates(document, &parameter["schema"]);
                        if let Some(value) = values.get(variant % values.len().max(1)) {
                            query.push((name.to_owned(), query_text(value)));
                        }
                    }
                    _ => {}
                }
            }
            let body = (!bodies.is_empty()).then(|| bodies[variant % bodies.len()].clone());
            let label = format!(
                "{method} {filled}?{} {}",
                query
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("&"),
                body.as_ref().map(Value::to_string).unwrap_or_default()
            );
            Request {
                label,
                method: method.clone(),
                path: filled,
                query,
                body,
            }
        })
        .collect()
}

/// Checks one answer against the operation's responses; mismatches to `errors`.
async fn check(
    document: &Value,
    operation: &Value,
    label: &str,
    response: reqwest::Response,
    errors: &mut Vec<String>,
) {
    let status = response.status();
    let is_json = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let text = response.text().await.unwrap_or_default();
    let short: String = text.chars().take(200).collect();
    if status.is_server_error() {
        errors.push(format!("{label}: {status} {short}"));
        return;
    }
    let documented = &operation["responses"][status.as_str()];
    if documented.is_null() {
        errors.push(format!("{label}: {status} is not documented: {short}"));
        return;
    }
    if is_json {
        let schema = &documented["content"]["application/json"]["schema"];
        if schema.is_null() {
            errors.push(format!(
                "{label}: {status} answers JSON the document has no schema for"
            ));
            return;
        }
        let value: Value = match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(error) => {
                errors.push(format!("{label}: {status} not JSON ({error}): {short}"));
                return;
            }
        };
        let mut found = Vec::new();
        conforms(document, schema, &value, "body", &mut found);
        for mismatch in found {
            errors.push(format!("{label}: {status} {mismatch}"));
        }
    }
}

/// Operations that end the admin's session or remove what others use run last.
fn order(path: &str, method: &Method) -> u8 {
    if path.ends_with("/auth/logout") {
        3
    } else if path.ends_with("/auth/login") {
        2
    } else if *method == Method::DELETE || path.ends_with("/revoke") || path.ends_with("/disable") {
        1
    } else {
        0
    }
}

async fn every_schema_valid_request_gets_a_documented_answer(app: TestApp) {
    let admin = app.admin().await;
    app.create_admin("ops-viewer", Role::Viewer).await;
    let (token, _) = admins::create_token(
        &app.db,
        "contract",
        &[Scope::LinksRead],
        None,
        startlink_core::time::now(),
    )
    .await
    .unwrap();
    let link = app
        .create_link(&admin, json!({"title": "Contract", "campaign": "spring"}))
        .await;
    let key = link["key"].as_str().unwrap().to_owned();
    let token_id = token.id.to_string();
    let path_values = move |name: &str| match name {
        "key" => Some(key.clone()),
        "username" => Some("ops-viewer".to_owned()),
        "id" => Some(token_id.clone()),
        _ => None,
    };
    let document = serde_json::to_value(startlink_web::openapi()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if let Ok(method) = method.to_uppercase().parse::<Method>() {
                operations.push((path.clone(), method, operation.clone()));
            }
        }
    }
    operations.sort_by_key(|(path, method, _)| order(path, method));
    assert!(operations.len() >= 25, "{} operations", operations.len());
    let mut errors = Vec::new();
    let mut sent = 0;
    for (path, method, operation) in &operations {
        for request in requests_for(&document, method, path, operation, &path_values) {
            let mut builder = app
                .client
                .request(request.method, app.url(&request.path))
                .query(&request.query)
                .bearer_auth(&admin);
            if let Some(body) = &request.body {
                builder = builder.json(body);
            }
            let response = builder.send().await.unwrap();
            check(&document, operation, &request.label, response, &mut errors).await;
            sent += 1;
        }
    }
    // Login's body in a content type it does not read.
    let login = &document["paths"]["/api/v1/auth/login"]["post"];
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header(reqwest::header::CONTENT_TYPE, "text/plain")
        .body("username=owner")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    check(
        &document,
        login,
        "POST /api/v1/auth/login text/plain",
        response,
        &mut errors,
    )
    .await;
    assert!(
        errors.is_empty(),
        "{} of {sent} schema-valid requests disagree with the document:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

/// Every documented status of every operation says what its body is (204
/// has none).
#[test]
fn every_documented_status_has_a_body_schema() {
    let document = serde_json::to_value(startlink_web::openapi()).unwrap();
    let mut missing = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                let has_schema = response["content"]
                    .as_object()
                    .is_some_and(|c| !c.is_empty() && c.values().all(|m| !m["schema"].is_null()));
                if status != "204" && !has_schema {
                    missing.push(format!("{method} {path} {status}"));
                }
                if status == "422" {
                    missing.push(format!(
                        "{method} {path} documents 422: the contract is 400"
                    ));
                }
            }
            let documents = |status: &str| !operation["responses"][status].is_null();
            let bearer = operation["security"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| &r["bearer"]);
            let (secured, scoped) = bearer.fold((false, false), |(secured, scoped), scopes| {
                (
                    secured || scopes.is_array(),
                    scoped || scopes.as_array().is_some_and(|s| !s.is_empty()),
                )
            });
            let mut expected = vec!["503"];
            if secured {
                expected.push("401");
            }
            if scoped {
                expected.push("403");
            }
            if !operation["parameters"].is_null() || !operation["requestBody"].is_null() {
                expected.push("400");
            }
            for status in expected {
                if !documents(status) {
                    missing.push(format!("{method} {path} does not document {status}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} statuses without a body schema:\n{}",
        missing.len(),
        missing.join("\n")
    );
}
