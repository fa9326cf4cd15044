//! Exports written and read back with independent readers (calamine for XLSX,
//! the csv crate for CSV), on a fresh SQLite file per test and on PostgreSQL
//! (a fresh database per test) when `TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod csv_files;
mod filters;
mod shop;
mod xlsx_files;
