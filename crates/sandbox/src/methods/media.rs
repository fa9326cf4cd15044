//! sendPhoto, sendDocument and getFile. Uploads are kept in memory; a
//! `file_id` re-sends a known file; an HTTP URL is kept as sent, never fetched.

use axum::body::Bytes;
use serde_json::json;

use super::messages::{Outgoing, caption, post};
use super::{chat_id, inline_keyboard};
use crate::Sandbox;
use crate::image_size;
use crate::params::{FileParam, Params, Upload};
use crate::protocol::{ApiError, ApiOk, ApiResult};
use crate::state::files::{FileKind, NewFile, extension_of, mime_for_extension};
use crate::view::FileView;

const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;

pub(super) fn send_photo(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let chat_id = known_chat(sandbox, p)?;
    let caption = caption(p)?;
    let buttons = inline_keyboard(p)?;
    let photo = file_for(sandbox, p, FileKind::Photo)?;
    post(
        sandbox,
        chat_id,
        Outgoing {
            caption,
            photo: Some(photo),
            buttons,
            ..Outgoing::default()
        },
    )
}

pub(super) fn send_document(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let chat_id = known_chat(sandbox, p)?;
    let caption = caption(p)?;
    let buttons = inline_keyboard(p)?;
    let document = file_for(sandbox, p, FileKind::Document)?;
    post(
        sandbox,
        chat_id,
        Outgoing {
            caption,
            document: Some(document),
            buttons,
            ..Outgoing::default()
        },
    )
}

/// Resolves the `photo`/`document` parameter to a stored file. It is stored
/// before the message is: a send that flood mode then refuses leaves an
/// unreferenced file behind, which the file caps eventually evict.
fn file_for(sandbox: &Sandbox, p: &Params, kind: FileKind) -> Result<FileView, ApiError> {
    let name = match kind {
        FileKind::Photo => "photo",
        FileKind::Document => "document",
    };
    let new = match p.file(name) {
        None => {
            return Err(ApiError::bad_request(format_args!(
                "there is no {name} in the request"
            )));
        }
        Some(FileParam::Upload(upload)) => new_upload(kind, upload)?,
        Some(FileParam::Reference(reference)) => {
            let reference = reference.trim();
            if reference.starts_with("http://") || reference.starts_with("https://") {
                new_external(kind, reference)?
            } else {
                return known_file(sandbox, kind, reference);
            }
        }
    };
    let limits = &sandbox.config().limits;
    Ok(sandbox.state().files.add(new, limits))
}

fn known_chat(sandbox: &Sandbox, p: &Params) -> Result<i64, ApiError> {
    let chat_id = chat_id(p)?;
    match sandbox.state().chats.get(chat_id) {
        Some(_) => Ok(chat_id),
        None => Err(ApiError::chat_not_found()),
    }
}

fn new_upload(kind: FileKind, upload: Upload) -> Result<NewFile, ApiError> {
    if upload.bytes.is_empty() {
        return Err(ApiError::bad_request("file must be non-empty"));
    }
    let file_name = upload.file_name.filter(|name| !name.trim().is_empty());
    match kind {
        FileKind::Photo => {
            if upload.bytes.len() > MAX_PHOTO_BYTES {
                return Err(ApiError::bad_request("file is too big"));
            }
            let Some((extension, width, height)) = image_size::probe(&upload.bytes) else {
                return Err(ApiError::bad_request("IMAGE_PROCESS_FAILED"));
            };
            Ok(NewFile {
                kind,
                bytes: Some(upload.bytes),
                external_url: None,
                file_name: None,
                mime_type: Some(mime_for_extension(extension).to_owned()),
                extension: extension.to_owned(),
                dimensions: Some((width, height)),
            })
        }
        FileKind::Document => {
            let extension = file_name
                .as_deref()
                .and_then(extension_of)
                .unwrap_or_else(|| "bin".to_owned());
            // Multipart parts often say octet-stream or nothing; the name says more.
            let mime = upload
                .content_type
                .filter(|ct| !ct.is_empty() && ct != "application/octet-stream" && valid_mime(ct))
                .unwrap_or_else(|| mime_for_extension(&extension).to_owned());
            Ok(NewFile {
                kind,
                bytes: Some(upload.bytes),
                external_url: None,
                file_name,
                mime_type: Some(mime),
                extension,
                dimensions: None,
            })
        }
    }
}

fn valid_mime(mime: &str) -> bool {
    let essence = mime.split(';').next().unwrap_or("").trim();
    matches!(essence.split_once('/'), Some((top, sub)) if !top.is_empty() && !sub.is_empty() && !sub.contains('/'))
}

fn new_external(kind: FileKind, url: &str) -> Result<NewFile, ApiError> {
    let parsed =
        url::Url::parse(url).map_err(|_| ApiError::bad_request("wrong HTTP URL specified"))?;
    let file_name = parsed
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .filter(|s| !s.is_empty());
    let extension = file_name
        .and_then(extension_of)
        .unwrap_or_else(|| "bin".to_owned());
    Ok(NewFile {
        kind,
        bytes: None,
        external_url: Some(parsed.to_string()),
        file_name: (kind == FileKind::Document)
            .then(|| file_name.map(str::to_owned))
            .flatten(),
        mime_type: (kind == FileKind::Document).then(|| mime_for_extension(&extension).to_owned()),
        extension,
        dimensions: None,
    })
}

fn known_file(sandbox: &Sandbox, kind: FileKind, file_id: &str) -> Result<FileView, ApiError> {
    let state = sandbox.state();
    let Some(file) = state.files.get(file_id) else {
        return Err(ApiError::bad_request(
            "wrong file identifier/HTTP URL specified",
        ));
    };
    if file.kind != kind {
        let (have, want) = match kind {
            FileKind::Photo => ("Document", "Photo"),
            FileKind::Document => ("Photo", "Document"),
        };
        return Err(ApiError::bad_request(format_args!(
            "can't use file of type {have} as {want}"
        )));
    }
    Ok(file.view.clone())
}

pub(super) fn get_file(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let file_id = p.required_string("file_id")?;
    let state = sandbox.state();
    let Some(file) = state.files.get(file_id.trim()) else {
        return Err(ApiError::bad_request("invalid file_id"));
    };
    let Some(path) = &file.file_path else {
        return Err(ApiError::bad_request(
            "wrong file_id or the file is temporarily unavailable",
        ));
    };
    Ok(ApiOk::new(json!({
        "file_id": file.view.file_id,
        "file_unique_id": file.view.file_unique_id,
        "file_size": file.view.file_size,
        "file_path": path,
    })))
}

/// The bytes of a file, for the control API and tests.
impl Sandbox {
    pub fn file_bytes(&self, file_id: &str) -> Option<Bytes> {
        self.state()
            .files
            .get(file_id)
            .and_then(|file| file.bytes.clone())
    }
}
