//! The accept loop: HTTP/1.1 connections served by hyper with the limits
//! `axum::serve` does not offer, so that slow or idle clients cannot take
//! the server down or keep it from stopping.
//!
//! - A client has `header_read_timeout` to send a request's head. hyper
//!   starts that clock whenever it waits for a head, so the same timeout
//!   closes a kept-alive connection idle between requests.
//! - At most `max_connections` connections are open; at the cap the loop
//!   stops accepting (new clients wait in the kernel's backlog) and logs one
//!   warning, again at most once a minute while the cap holds.
//! - Stopping closes idle connections, lets requests in flight finish for
//!   `shutdown_grace`, then drops whatever is left.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower_service::Service as _;

/// Default for `HTTP_MAX_CONNECTIONS`.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
const AT_CAPACITY_WARNING_EVERY: Duration = Duration::from_secs(60);

/// The server's protections against slow, idle and too many clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Time a client has to send a request head, and the longest a kept-alive
    /// connection may stay idle.
    pub header_read_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
    /// After the stop signal, how long requests in flight may still run
    /// before their connections are dropped.
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            // With the listener closed at once, the stop ends within 10 s.
            shutdown_grace: Duration::from_secs(8),
        }
    }
}

/// The web application on an already-bound listener, so that tests bind
/// `127.0.0.1:0` and know the port before the first request.
#[derive(Debug)]
pub struct WebServer {
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
}

impl WebServer {
    pub fn new(listener: TcpListener, app: Router) -> Self {
        Self {
            listener,
            app,
            limits: ServerLimits::default(),
        }
    }

    pub fn with_limits(mut self, limits: ServerLimits) -> Self {
        self.limits = limits;
        self
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn port(&self) -> u16 {
        self.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    /// Serves until `shutdown` completes, then finishes requests in flight
    /// for at most `shutdown_grace`. Peer addresses reach the handlers as
    /// `ConnectInfo<SocketAddr>` (login throttling per address).
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let Self {
            listener,
            app,
            limits,
        } = self;
        let max_connections = limits.max_connections.max(1);
        let permits = Arc::new(Semaphore::new(max_connections));
        let (stop, stopping) = watch::channel(false);
        let mut connections = JoinSet::new();
        let mut last_capacity_warning: Option<Instant> = None;
        tokio::pin!(shutdown);
        loop {
            while connections.try_join_next().is_some() {}
            if permits.available_permits() == 0
                && last_capacity_warning.is_none_or(|t| t.elapsed() >= AT_CAPACITY_WARNING_EVERY)
            {
                tracing::warn!(
                    max_connections,
                    "HTTP connection limit reached: new connections wait until one closes (HTTP_MAX_CONNECTIONS)"
                );
                last_capacity_warning = Some(Instant::now());
            }
            let permit = tokio::select! {
                () = &mut shutdown => break,
                permit = permits.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let (stream, peer) = tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: back off rather than spin.
                        tracing::warn!("cannot accept an HTTP connection: {error}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            let app = app.clone();
            let stopping = stopping.clone();
            connections.spawn(async move {
                serve_connection(stream, peer, app, limits, stopping).await;
                drop(permit);
            });
        }
        drop(listener);
        let _ = stop.send(true);
        let open = connections.len();
        let drained = tokio::time::timeout(limits.shutdown_grace, async {
            while connections.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                open,
                left = connections.len(),
                "HTTP connections still open after {} s: dropped",
                limits.shutdown_grace.as_secs()
            );
            connections.shutdown().await;
        }
        Ok(())
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: ServerLimits,
    mut stopping: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let mut app = app.clone();
        async move {
            let response: Result<Response, Infallible> = app.call(request.map(Body::new)).await;
            response
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let stop_requested = async move {
        // An error means the server is gone: stop too.
        let _ = stopping.wait_for(|stop| *stop).await;
    };
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = stop_requested => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%peer, "HTTP connection ended: {error}");
    }
}
