//! The web API over real HTTP: a server on a random port with a fresh
//! database per test (SQLite; PostgreSQL too when `TEST_DATABASE_URL` is set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agreement;
mod auth;
mod data;
mod error_contract;
mod exports;
mod health;
mod helpers;
mod http;
mod input_fuzz;
mod links;
mod login_limits;
mod openapi_contract;
mod panel;
mod panel_access;
mod panel_links;
mod qr;
mod server;
mod sessions;
mod vocabulary;
