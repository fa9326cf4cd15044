//! The real bot over real HTTP against the Bot API sandbox, on a fresh SQLite
//! file per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abuse;
mod audit;
mod helpers;
mod inbox;
mod languages;
mod load;
mod reports;
mod schedule;
mod story;
mod webhook;
