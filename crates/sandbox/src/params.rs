//! Method parameters, read the way the Bot API reads them: from the query
//! string and from a JSON, `application/x-www-form-urlencoded` or
//! `multipart/form-data` body, into one map. Uploaded files are kept apart,
//! addressable by their part name (`photo`) or through `attach://<name>`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::protocol::ApiError;

/// Telegram's answer to a body over its size limit (teloxide's `RequestEntityTooLarge`).
fn too_large() -> ApiError {
    ApiError::new(413, "Request Entity Too Large")
}

/// One uploaded multipart file.
#[derive(Debug, Clone)]
pub struct Upload {
    pub bytes: Bytes,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
}

#[derive(Debug, Default)]
pub struct Params {
    values: Map<String, Value>,
    files: HashMap<String, Upload>,
}

/// What a file parameter (`photo`, `document`) turned out to be.
#[derive(Debug)]
pub enum FileParam {
    Upload(Upload),
    /// A string: a `file_id` to re-send or an HTTP URL, told apart by the caller.
    Reference(String),
}

impl Params {
    /// Reads the query string and the body; the body size is bounded by the
    /// router's `DefaultBodyLimit`, which also applies to multipart parts.
    pub async fn from_request(request: Request) -> Result<Self, ApiError> {
        let mut params = Params::default();
        if let Some(query) = request.uri().query() {
            params.add_form(query.as_bytes());
        }
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("multipart/form-data") {
            params.add_multipart(request).await?;
            return Ok(params);
        }
        let body = Bytes::from_request(request, &())
            .await
            .map_err(|rejection| {
                if rejection.status().as_u16() == 413 {
                    too_large()
                } else {
                    ApiError::bad_request(format_args!(
                        "can't read the request body: {}",
                        rejection.body_text()
                    ))
                }
            })?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(params);
        }
        if content_type.starts_with("application/json") {
            match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(map)) => params.values.extend(map),
                Ok(_) | Err(_) => return Err(ApiError::bad_request("can't parse JSON object")),
            }
        } else {
            params.add_form(&body);
        }
        Ok(params)
    }

    #[cfg(test)]
    pub fn from_json(map: Map<String, Value>) -> Self {
        Self {
            values: map,
            files: HashMap::new(),
        }
    }

    fn add_form(&mut self, form: &[u8]) {
        for (name, value) in url::form_urlencoded::parse(form) {
            self.values
                .insert(name.into_owned(), Value::String(value.into_owned()));
        }
    }

    async fn add_multipart(&mut self, request: Request) -> Result<(), ApiError> {
        let bad_body = |reason: String| {
            ApiError::bad_request(format_args!("can't parse multipart body: {reason}"))
        };
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|rejection| bad_body(rejection.body_text()))?;
        while let Some(field) = multipart.next_field().await.map_err(|error| {
            if error.status().as_u16() == 413 {
                too_large()
            } else {
                bad_body(error.body_text())
            }
        })? {
            let Some(name) = field.name().map(str::to_owned) else {
                continue;
            };
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(str::to_owned);
            let bytes = field.bytes().await.map_err(|error| {
                if error.status().as_u16() == 413 {
                    too_large()
                } else {
                    bad_body(error.body_text())
                }
            })?;
            // A part is a file when it says so; text parts are parameters.
            if file_name.is_some()
                || content_type
                    .as_deref()
                    .is_some_and(|ct| !ct.starts_with("text/plain"))
            {
                self.files.insert(
                    name,
                    Upload {
                        bytes,
                        file_name,
                        content_type,
                    },
                );
            } else {
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| bad_body(format!("parameter {name} is not UTF-8")))?;
                self.values.insert(name, Value::String(text));
            }
        }
        Ok(())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.values.get(name).is_some_and(|value| !value.is_null()) || self.files.contains_key(name)
    }

    /// A string parameter; numbers and booleans are accepted in their text form.
    pub fn string(&self, name: &str) -> Option<String> {
        match self.values.get(name)? {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            Value::Bool(flag) => Some(flag.to_string()),
            _ => None,
        }
    }

    pub fn required_string(&self, name: &str) -> Result<String, ApiError> {
        self.string(name).ok_or_else(|| ApiError::missing(name))
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        let invalid = || ApiError::bad_request(format_args!("invalid {name} specified"));
        match self.values.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(number)) => number.as_i64().map(Some).ok_or_else(invalid),
            Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
            Some(Value::String(text)) => text.trim().parse().map(Some).map_err(|_| invalid()),
            Some(_) => Err(invalid()),
        }
    }

    pub fn bool(&self, name: &str) -> Result<bool, ApiError> {
        match self.values.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(flag)) => Ok(*flag),
            Some(Value::String(text)) => match text.trim().to_ascii_lowercase().as_str() {
                "" | "false" | "0" => Ok(false),
                "true" | "1" => Ok(true),
                _ => Err(ApiError::bad_request(format_args!(
                    "invalid {name} specified"
                ))),
            },
            Some(Value::Number(number)) => Ok(number.as_i64() != Some(0)),
            Some(_) => Err(ApiError::bad_request(format_args!(
                "invalid {name} specified"
            ))),
        }
    }

    /// A structured parameter: a JSON value in a JSON body, or its JSON text
    /// in a form or multipart body (how Telegram takes `reply_markup`).
    pub fn json<T: DeserializeOwned>(
        &self,
        name: &str,
        error: impl Fn() -> ApiError,
    ) -> Result<Option<T>, ApiError> {
        let value = match self.values.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(text)) if text.trim().is_empty() => return Ok(None),
            Some(Value::String(text)) => {
                serde_json::from_str::<Value>(text).map_err(|_| error())?
            }
            Some(value) => value.clone(),
        };
        serde_json::from_value(value).map(Some).map_err(|_| error())
    }

    /// A file parameter: an uploaded part under that name, an
    /// `attach://<part>` reference to one, or a string (file_id or URL).
    pub fn file(&self, name: &str) -> Option<FileParam> {
        if let Some(upload) = self.files.get(name) {
            return Some(FileParam::Upload(upload.clone()));
        }
        let text = self.string(name)?;
        if let Some(part) = text.strip_prefix("attach://") {
            return self.files.get(part).cloned().map(FileParam::Upload);
        }
        Some(FileParam::Reference(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(value: Value) -> Params {
        match value {
            Value::Object(map) => Params::from_json(map),
            _ => Params::default(),
        }
    }

    #[test]
    fn numbers_are_read_from_json_numbers_and_from_text() {
        let p = params(json!({"a": 42, "b": " -7 ", "c": "x"}));
        assert_eq!(p.int("a").unwrap(), Some(42));
        assert_eq!(p.int("b").unwrap(), Some(-7));
        assert_eq!(p.int("missing").unwrap(), None);
        assert_eq!(
            p.int("c").unwrap_err().description,
            "Bad Request: invalid c specified"
        );
    }

    #[test]
    fn structured_parameters_come_as_json_or_as_json_text() {
        let p = params(json!({"direct": {"k": 1}, "text": "{\"k\":2}", "bad": "{"}));
        let read = |name| p.json::<Value>(name, || ApiError::bad_request("bad"));
        assert_eq!(read("direct").unwrap(), Some(json!({"k": 1})));
        assert_eq!(read("text").unwrap(), Some(json!({"k": 2})));
        assert!(read("bad").is_err());
    }

    #[test]
    fn an_attach_reference_without_its_part_is_no_file() {
        let p = params(json!({"photo": "attach://nothing", "document": "AgADfile"}));
        assert!(p.file("photo").is_none());
        assert!(matches!(p.file("document"), Some(FileParam::Reference(id)) if id == "AgADfile"));
    }
}
