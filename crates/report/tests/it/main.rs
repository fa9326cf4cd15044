//! The PDF report against real databases (a fresh SQLite file per test, and
//! PostgreSQL when `TEST_DATABASE_URL` is set), read back with poppler's
//! `pdftotext` and `pdfinfo`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;
mod report;
