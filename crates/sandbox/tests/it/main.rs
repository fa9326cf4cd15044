#![allow(clippy::unwrap_used, clippy::expect_used)]

mod callbacks;
mod commands;
mod control;
mod flood;
mod helpers;
mod html_mode;
mod media;
mod messages;
mod protocol;
mod teloxide_client;
mod updates;
mod webhook;
