//! The emulator alone, without the bot: for trying the Bot API and the
//! control API by hand. `cargo run -p startlink-sandbox --example standalone
//! [ADDR]` (default `127.0.0.1:8081`); the token is `SandboxConfig`'s default.

use startlink_sandbox::{Sandbox, SandboxConfig};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let config = SandboxConfig::default();
    println!(
        "Bot API:     http://{}/bot{}/getMe",
        listener.local_addr()?,
        config.token
    );
    println!(
        "control API: http://{}/sandbox/status",
        listener.local_addr()?
    );
    Sandbox::new(config)
        .serve(listener, std::future::pending())
        .await
}
