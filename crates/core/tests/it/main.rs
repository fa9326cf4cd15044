//! Integration tests of the link core against real databases: a fresh SQLite
//! file per test, and PostgreSQL (a fresh database per test) when
//! `TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admins;
mod analytics;
mod audit;
mod demo;
mod helpers;
mod inbox;
mod reports;
mod storage;
