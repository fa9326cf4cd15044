//! startlink's web server: the REST API under `/api/v1` with its OpenAPI
//! document and Swagger UI, and the admin panel (with the sandbox's chat
//! simulator when the bot runs against the sandbox).
//!
//! Handlers are thin: they parse, call one function of `startlink_core`, and
//! shape JSON. `ApiError` is the only place errors become statuses.

pub mod api;
pub mod auth;
pub mod bootstrap;
pub mod bot_status;
pub mod config;
pub mod error;
pub mod extract;
pub mod health;
pub mod metrics;
pub mod panel;
pub mod router;
pub mod server;
pub mod state;

pub use bootstrap::{FirstAdmin, ensure_first_admin};
pub use bot_status::{BotStatus, WebhookView};
pub use config::{RawWebSettings, WebConfig, WebConfigError};
pub use router::{openapi, router, serves_path};
pub use server::{DEFAULT_MAX_CONNECTIONS, ServerLimits, WebServer};
pub use state::AppState;
