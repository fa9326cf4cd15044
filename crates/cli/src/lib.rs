//! The `startlink` command line: configuration, logging and one module per
//! subcommand. Each command parses its input, calls the domain in
//! `startlink_core`, and formats the result for a person or as JSON.

pub mod app;
pub mod cli;
mod commands;
mod output;
mod progress;
pub mod settings;
mod vocabulary;
