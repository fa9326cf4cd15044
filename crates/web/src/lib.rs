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
pub mod metrics;
pub mod panel;
pub mod router;
pub mod state;

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;

pub use bootstrap::{FirstAdmin, ensure_first_admin};
pub use bot_status::{BotStatus, WebhookView};
pub use config::{RawWebSettings, WebConfig, WebConfigError};
pub use router::{openapi, router, serves_path};
pub use state::AppState;

/// The web application on an already-bound listener, so that tests bind
/// `127.0.0.1:0` and know the port before the first request.
#[derive(Debug)]
pub struct WebServer {
    listener: TcpListener,
    app: axum::Router,
}

impl WebServer {
    pub fn new(listener: TcpListener, app: axum::Router) -> Self {
        Self { listener, app }
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn port(&self) -> u16 {
        self.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    /// Serves until `shutdown` completes, then finishes requests in flight.
    /// Peer addresses reach the handlers (login throttling per IP).
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(
            self.listener,
            self.app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}
