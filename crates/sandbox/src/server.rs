//! Serving a sandbox: its router, and running it on a listener the caller
//! already bound (so tests bind `127.0.0.1:0` and never wait for readiness).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::ops::Deref;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{Sandbox, bot_api, control};

impl Sandbox {
    /// Every route: the Bot API at `/bot<token>/<method>`, file downloads at
    /// `/file/bot<token>/<path>`, and the control API under `/sandbox/`.
    pub fn router(&self) -> Router {
        // Multipart framing and form fields come on top of the file itself.
        let body_limit = self
            .config()
            .limits
            .max_upload_bytes
            .saturating_add(1024 * 1024);
        Router::new()
            .route("/{bot_token}/{method}", any(bot_api::call))
            .route("/file/{bot_token}/{*file_path}", get(bot_api::download))
            .nest("/sandbox", control::routes())
            .layer(DefaultBodyLimit::max(body_limit))
            .with_state(self.clone())
    }

    /// Serves until `shutdown` completes, then ends long polls and webhook
    /// deliveries and finishes the requests in flight.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let addr = listener.local_addr()?;
        self.learn_public_url(format!("http://{addr}"));
        let sandbox = self.clone();
        let signal = async move {
            shutdown.await;
            sandbox.shutdown();
        };
        tracing::info!(%addr, "Bot API sandbox listening");
        axum::serve(listener, self.router())
            .with_graceful_shutdown(signal)
            .await
    }

    /// Serves in a background task; the returned handle knows the address
    /// and stops the server when shut down or dropped.
    pub fn spawn(self, listener: TcpListener) -> io::Result<RunningSandbox> {
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(self.clone().serve(listener, async move {
            // A dropped sender also means stop.
            let _ = stopped.await;
        }));
        Ok(RunningSandbox {
            sandbox: self,
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A sandbox served in the background by [`Sandbox::spawn`]. Dereferences to
/// the [`Sandbox`] for playing users and reading chats.
#[derive(Debug)]
pub struct RunningSandbox {
    sandbox: Sandbox,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl RunningSandbox {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://<addr>`: the Bot API base URL for a client
    /// (teloxide: `Bot::new(token).set_api_url(base_url.parse()?)`) and the
    /// prefix of the control API (`<base_url>/sandbox/…`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Stops accepting connections, ends long polls, waits for requests in flight.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Deref for RunningSandbox {
    type Target = Sandbox;

    fn deref(&self) -> &Sandbox {
        &self.sandbox
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
