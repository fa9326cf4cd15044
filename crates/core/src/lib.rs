//! startlink's domain: link keys and payloads, links and what opening one does,
//! events, Telegram users, campaigns, settings, and the storage they share.
//!
//! Invariant: nothing here knows about HTTP or Telegram transports (`axum`,
//! `teloxide`); the binary's adapters parse input, call one function here, and
//! format the result.

pub mod admins;
pub mod analytics;
pub mod audit;
pub mod campaigns;
pub mod config;
pub mod db;
pub mod demo;
pub mod events;
pub mod inbox;
pub mod lang;
pub mod links;
pub mod reports;
pub mod settings;
pub mod text;
pub mod time;
pub mod users;
pub mod vocab;

pub use sea_orm::{DatabaseConnection, DbErr};
