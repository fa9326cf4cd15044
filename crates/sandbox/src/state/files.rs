//! Files the bot sent: uploads kept in memory (bounded by count and bytes,
//! oldest forgotten first) and HTTP URLs kept as they were sent.

use std::collections::{HashMap, VecDeque};

use axum::body::Bytes;

use crate::config::Limits;
use crate::view::FileView;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Photo,
    Document,
}

impl FileKind {
    fn folder(self) -> &'static str {
        match self {
            FileKind::Photo => "photos",
            FileKind::Document => "documents",
        }
    }
}

#[derive(Debug)]
pub(crate) struct StoredFile {
    pub kind: FileKind,
    pub view: FileView,
    /// `None` for a URL the bot sent: there are no bytes to serve.
    pub bytes: Option<Bytes>,
    pub file_path: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct FileStore {
    by_id: HashMap<String, StoredFile>,
    by_path: HashMap<String, String>,
    order: VecDeque<String>,
    total_bytes: usize,
    next: u64,
}

/// What is known of a new file before it is stored.
#[derive(Debug)]
pub(crate) struct NewFile {
    pub kind: FileKind,
    pub bytes: Option<Bytes>,
    pub external_url: Option<String>,
    pub file_name: Option<String>,
    pub mime_type: Option<String>,
    pub extension: String,
    pub dimensions: Option<(u32, u32)>,
}

impl FileStore {
    pub fn get(&self, file_id: &str) -> Option<&StoredFile> {
        self.by_id.get(file_id)
    }

    pub fn by_path(&self, file_path: &str) -> Option<&StoredFile> {
        self.by_path
            .get(file_path)
            .and_then(|id| self.by_id.get(id))
    }

    pub fn add(&mut self, new: NewFile, limits: &Limits) -> FileView {
        self.next += 1;
        let n = self.next;
        let size = new.bytes.as_ref().map_or(0, Bytes::len);
        while !self.order.is_empty()
            && (self.by_id.len() >= limits.max_files.max(1)
                || self.total_bytes + size > limits.max_file_bytes)
        {
            self.evict_oldest();
        }
        let prefix = match new.kind {
            FileKind::Photo => "AgACAgSbx",
            FileKind::Document => "BQACAgSbx",
        };
        let file_id = format!("{prefix}{n:012}");
        let external = new.external_url.is_some();
        let file_path = new
            .bytes
            .as_ref()
            .map(|_| format!("{}/file_{n}.{}", new.kind.folder(), new.extension));
        let view = FileView {
            file_id: file_id.clone(),
            file_unique_id: format!("AQADSbx{n}"),
            file_size: size as u64,
            width: new.dimensions.map(|(width, _)| width),
            height: new.dimensions.map(|(_, height)| height),
            file_name: new.file_name,
            mime_type: new.mime_type,
            url: new.external_url,
            external,
        };
        if let Some(path) = &file_path {
            self.by_path.insert(path.clone(), file_id.clone());
        }
        self.total_bytes += size;
        self.order.push_back(file_id.clone());
        self.by_id.insert(
            file_id,
            StoredFile {
                kind: new.kind,
                view: view.clone(),
                bytes: new.bytes,
                file_path,
            },
        );
        view
    }

    fn evict_oldest(&mut self) {
        let Some(id) = self.order.pop_front() else {
            return;
        };
        if let Some(file) = self.by_id.remove(&id) {
            self.total_bytes -= file.bytes.as_ref().map_or(0, Bytes::len);
            if let Some(path) = file.file_path {
                self.by_path.remove(&path);
            }
        }
    }
}

/// The MIME type Telegram would report for a file name's extension.
pub(crate) fn mime_for_extension(extension: &str) -> &'static str {
    match extension.to_ascii_lowercase().as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv" => "text/csv",
        "txt" => "text/plain",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// The extension of a file name, when it has a sensible one.
pub(crate) fn extension_of(file_name: &str) -> Option<String> {
    let (_, extension) = file_name.rsplit_once('.')?;
    (!extension.is_empty()
        && extension.len() <= 8
        && extension.bytes().all(|b| b.is_ascii_alphanumeric()))
    .then(|| extension.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(size: usize) -> NewFile {
        NewFile {
            kind: FileKind::Document,
            bytes: Some(Bytes::from(vec![0; size])),
            external_url: None,
            file_name: Some("a.bin".to_owned()),
            mime_type: None,
            extension: "bin".to_owned(),
            dimensions: None,
        }
    }

    #[test]
    fn the_oldest_files_are_forgotten_beyond_the_byte_cap() {
        let limits = Limits {
            max_file_bytes: 250,
            ..Limits::default()
        };
        let mut store = FileStore::default();
        let first = store.add(upload(100), &limits);
        let second = store.add(upload(100), &limits);
        let third = store.add(upload(100), &limits);
        assert!(store.get(&first.file_id).is_none(), "first file is evicted");
        assert!(store.get(&second.file_id).is_some() && store.get(&third.file_id).is_some());
        let path = store
            .get(&third.file_id)
            .and_then(|f| f.file_path.clone())
            .unwrap();
        assert_eq!(
            store.by_path(&path).map(|f| f.view.file_id.clone()),
            Some(third.file_id)
        );
    }

    #[test]
    fn extensions_are_taken_only_when_plain() {
        assert_eq!(extension_of("report.PDF").as_deref(), Some("pdf"));
        assert_eq!(extension_of("../../etc/passwd"), None);
        assert_eq!(extension_of("noext"), None);
    }
}
