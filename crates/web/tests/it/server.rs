//! The accept loop under slow, idle and too many clients (issue #12, A): raw
//! TCP clients that never finish a request head, against a small app.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::get;
use startlink_web::{ServerLimits, WebServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

async fn start(limits: Option<ServerLimits>) -> Running {
    let app = Router::new().route(
        "/",
        get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = WebServer::new(listener, app);
    let server = match limits {
        Some(limits) => server.with_limits(limits),
        None => server,
    };
    let addr = server.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    Running { addr, stop, task }
}

fn quick(max_connections: usize) -> ServerLimits {
    ServerLimits {
        header_read_timeout: Duration::from_secs(1),
        max_connections,
        ..ServerLimits::default()
    }
}

/// A client that sends half a request head and then nothing.
async fn slow_client(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    stream
}

/// Whether the server closes `stream` within `limit` (EOF or reset).
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0_u8; 1024];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

async fn get_root(client: &reqwest::Client, addr: SocketAddr) -> reqwest::Response {
    client.get(format!("http://{addr}/")).send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_ends_within_ten_seconds_while_slow_clients_hold_connections() {
    let server = start(None).await;
    let mut clients = Vec::new();
    for _ in 0..50 {
        clients.push(slow_client(server.addr).await);
    }
    // An idle kept-alive connection too.
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0_u8; 512];
    assert!(idle.read(&mut buf).await.unwrap() > 0);
    tokio::time::sleep(Duration::from_millis(100)).await;

    let asked = Instant::now();
    server.stop.send(()).unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(12), server.task).await;
    let took = asked.elapsed();
    assert!(ended.is_ok(), "still running {took:?} after the stop");
    assert!(took < Duration::from_secs(10), "the stop took {took:?}");
    ended.unwrap().unwrap().unwrap();
    drop(clients);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_slow_clients_do_not_keep_a_normal_request_waiting() {
    let server = start(None).await;
    let mut clients = Vec::new();
    for _ in 0..300 {
        clients.push(slow_client(server.addr).await);
    }
    let started = Instant::now();
    let response = get_root(&reqwest::Client::new(), server.addr).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "127.0.0.1");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    drop(clients);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_head_is_disconnected() {
    let server = start(Some(quick(64))).await;
    let mut client = slow_client(server.addr).await;
    let started = Instant::now();
    assert!(
        closed_within(&mut client, Duration::from_secs(5)).await,
        "the connection stayed open"
    );
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_head_timeout_is_ten_seconds() {
    let server = start(None).await;
    let mut client = slow_client(server.addr).await;
    let started = Instant::now();
    assert!(closed_within(&mut client, Duration::from_secs(13)).await);
    let took = started.elapsed();
    assert!(
        (Duration::from_secs(9)..Duration::from_secs(12)).contains(&took),
        "{took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed() {
    let server = start(Some(quick(64))).await;
    let mut client = TcpStream::connect(server.addr).await.unwrap();
    client
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0_u8; 512];
    let read = client.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..read]).starts_with("HTTP/1.1 200"));
    assert!(
        closed_within(&mut client, Duration::from_secs(5)).await,
        "the idle connection stayed open"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_connection_cap_a_new_client_waits_until_a_slow_one_is_dropped() {
    let server = start(Some(quick(8))).await;
    let mut clients = Vec::new();
    for _ in 0..8 {
        clients.push(slow_client(server.addr).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let client = reqwest::Client::new();
    let started = Instant::now();
    let blocked = tokio::time::timeout(Duration::from_millis(500), get_root(&client, server.addr));
    assert!(
        blocked.await.is_err(),
        "a ninth connection was served at a cap of eight"
    );
    // The slow ones are dropped after the 1 s head timeout; the waiting one is served.
    let response = tokio::time::timeout(Duration::from_secs(5), get_root(&client, server.addr))
        .await
        .expect("not served after the slow clients timed out");
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(4));
    drop(clients);
}
