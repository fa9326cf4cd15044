//! Extractors whose rejections are `ApiError`s, so a malformed body, query or
//! path answers in the same JSON shape as everything else (the panel's forms:
//! an HTML page with the same status).
//!
//! **Invariant:** no text with a NUL character gets past these extractors:
//! PostgreSQL refuses NUL in text (a 500 in a handler), SQLite keeps it, so
//! every backend answers 400 naming the field here instead.

use std::net::{IpAddr, SocketAddr};

use axum::body::{Body, Bytes};
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::panel::error::PageError;

fn nul_in(field: &str) -> ApiError {
    ApiError::BadRequest(format!("{field}: contains a NUL character"))
}

/// The first field of a URL-encoded query or form with a NUL (`%00`) in its
/// name or value.
pub fn urlencoded_nul_field(input: &[u8]) -> Option<String> {
    input.split(|b| *b == b'&').find_map(|pair| {
        let decoded = percent_decode(pair);
        decoded.contains(&0).then(|| {
            let name = pair.split(|b| *b == b'=').next().unwrap_or_default();
            String::from_utf8_lossy(&percent_decode(name)).replace('\0', "\\0")
        })
    })
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            other => out.push(other),
        }
        i += 1;
    }
    out
}

/// The path (`attrs.name`, `items[2]`) of the first string or key holding a NUL.
pub fn json_nul_field(value: &serde_json::Value) -> Option<String> {
    fn walk(value: &serde_json::Value, path: &str) -> Option<String> {
        let at = |name: &str| {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        match value {
            serde_json::Value::String(text) if text.contains('\0') => Some(if path.is_empty() {
                "body".to_owned()
            } else {
                path.to_owned()
            }),
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| walk(item, &format!("{path}[{i}]"))),
            serde_json::Value::Object(fields) => fields.iter().find_map(|(name, item)| {
                if name.contains('\0') {
                    Some(at(&name.replace('\0', "\\0")))
                } else {
                    walk(item, &at(name))
                }
            }),
            _ => None,
        }
    }
    walk(value, "")
}

/// A deserialisation error as `field: reason`: serde's "missing field `x`"
/// and "unknown field `x`, expected …" name the field in the text; others in
/// the path.
fn field_error<E: std::fmt::Display>(error: serde_path_to_error::Error<E>) -> ApiError {
    let path = error.path().to_string();
    let reason = error.inner().to_string();
    // serde_json's position says nothing the field does not.
    let reason = match reason.rsplit_once(" at line ") {
        Some((reason, _)) => reason.to_owned(),
        None => reason,
    };
    let quoted = |prefix: &str| {
        reason.strip_prefix(prefix).and_then(|rest| {
            let (name, rest) = rest.split_once('`')?;
            Some((
                name.to_owned(),
                rest.trim_start_matches(',').trim().to_owned(),
            ))
        })
    };
    let message = if let Some((name, _)) = quoted("missing field `") {
        format!("{}: is required", join(&path, &name))
    } else if let Some((name, rest)) = quoted("unknown field `") {
        // serde's path already ends at the unknown field.
        let at = if path == "." || path.is_empty() {
            name
        } else {
            path
        };
        format!("{at}: unknown field, {rest}")
    } else if path == "." {
        format!("body: {reason}")
    } else {
        format!("{path}: {reason}")
    };
    ApiError::BadRequest(message)
}

fn join(path: &str, name: &str) -> String {
    if path == "." || path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn rejected(status: StatusCode, text: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else {
        ApiError::BadRequest(text)
    }
}

/// `axum::Json` with JSON errors; also the response type.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| rejected(rejection.status(), rejection.body_text()))?;
        // NUL can only arrive escaped; parse for the field's name only then.
        if bytes.windows(6).any(|w| w == b"\\u0000")
            && let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes)
            && let Some(field) = json_nul_field(&value)
        {
            return Err(nul_in(&field));
        }
        let req = Request::from_parts(parts, Body::from(bytes.clone()));
        // axum checks the content type and the syntax; the fields are read
        // here, so an error names the one at fault.
        if let Err(rejection) = axum::Json::<serde::de::IgnoredAny>::from_request(req, state).await
        {
            let rejection: JsonRejection = rejection;
            let text = match &rejection {
                JsonRejection::MissingJsonContentType(_) => {
                    "Content-Type: expected `application/json`".to_owned()
                }
                _ => format!("body: {}", rejection.body_text()),
            };
            return Err(rejected(rejection.status(), text));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(&mut deserializer)
            .map(Self)
            .map_err(field_error)
    }
}

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Query` with JSON errors.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        if let Some(field) = parts
            .uri
            .query()
            .and_then(|query| urlencoded_nul_field(query.as_bytes()))
        {
            return Err(nul_in(&field));
        }
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Self)
            .map_err(field_error)
    }
}

/// `axum::extract::Path` with JSON errors.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => {
                if percent_decode(parts.uri.path().as_bytes()).contains(&0) {
                    return Err(nul_in("path"));
                }
                Ok(Self(value))
            }
            Err(rejection) => {
                let rejection: PathRejection = rejection;
                Err(match &rejection {
                    PathRejection::FailedToDeserializePathParams(error) => {
                        // A single parameter's error does not carry its name.
                        let names: Vec<String> =
                            axum::extract::RawPathParams::from_request_parts(parts, state)
                                .await
                                .map(|params| params.iter().map(|(k, _)| k.to_owned()).collect())
                                .unwrap_or_default();
                        ApiError::BadRequest(path_error(error.kind(), &names))
                    }
                    _ => rejected(rejection.status(), rejection.body_text()),
                })
            }
        }
    }
}

/// A path parameter that does not parse, as `name: reason`.
fn path_error(kind: &axum::extract::path::ErrorKind, names: &[String]) -> String {
    use axum::extract::path::ErrorKind;
    let name = match names {
        [one] => one.as_str(),
        _ => "path",
    };
    match kind {
        ErrorKind::ParseError {
            value,
            expected_type,
        } => format!("{name}: cannot parse {value:?} as {expected_type}"),
        ErrorKind::ParseErrorAtKey {
            key,
            value,
            expected_type,
        } => format!("{key}: cannot parse {value:?} as {expected_type}"),
        ErrorKind::InvalidUtf8InPathParam { key } => format!("{key}: not valid UTF-8"),
        other => format!("path: {other}"),
    }
}

/// `axum::Form` for the panel's forms: rejections (and NUL characters) are
/// the panel's HTML error page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, PageError> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| rejected(rejection.status(), rejection.body_text()))?;
        if let Some(field) = urlencoded_nul_field(&bytes) {
            return Err(nul_in(&field).into());
        }
        let req = Request::from_parts(parts, Body::from(bytes));
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|axum::Form(value)| Self(value))
            .map_err(|rejection| rejected(rejection.status(), rejection.body_text()).into())
    }
}

/// The peer's address. `X-Forwarded-For` is not trusted: behind a proxy every
/// client shares the proxy's address, which throttles more, never less.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}
