//! End-to-end tests of the `startlink` binary: real processes, a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod app;
mod browser;
mod cli;
mod config_docs;
mod crash;
mod export;
mod link_view;
mod qr;
mod report;
mod server;
mod simulator;
mod stats;
