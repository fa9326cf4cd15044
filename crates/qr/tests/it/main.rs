//! The QR studio's promise, checked from outside: every image decodes back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod decode;
mod errors;
mod fixtures;
mod logos;
mod matrix;
mod properties;
