//! Pushing updates to the bot's webhook: each update is POSTed as JSON with
//! `X-Telegram-Bot-Api-Secret-Token`, up to `max_connections` at once, and
//! retried with a doubling delay until the bot answers 2xx — or until the
//! webhook is changed or deleted, or the sandbox shuts down.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::Sandbox;
use crate::types::unix_now;

const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// Starts the delivery worker for webhook `generation`; it stops by itself
/// once a newer generation exists.
pub(crate) fn start(sandbox: Sandbox, generation: u64) {
    tokio::spawn(run(sandbox, generation));
}

struct Target {
    url: String,
    secret_token: Option<String>,
}

async fn run(sandbox: Sandbox, generation: u64) {
    let mut changes = sandbox.watch_updates();
    let mut shutdown = sandbox.watch_shutdown();
    let connections = {
        let state = sandbox.state();
        state
            .webhook
            .as_ref()
            .map_or(1, |webhook| webhook.max_connections)
    };
    let slots = Arc::new(Semaphore::new(usize::try_from(connections).unwrap_or(1)));
    loop {
        changes.borrow_and_update();
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            _ = shutdown.changed() => return,
        };
        let next = {
            let mut state = sandbox.state();
            if state.webhook_generation != generation || sandbox.is_shut_down() {
                return;
            }
            let Some(webhook) = &state.webhook else {
                return;
            };
            let target = Target {
                url: webhook.url.clone(),
                secret_token: webhook.secret_token.clone(),
            };
            state
                .updates
                .take_for_webhook()
                .map(|update| (update, target))
        };
        match next {
            Some(((id, update), target)) => {
                tokio::spawn(deliver(
                    sandbox.clone(),
                    generation,
                    id,
                    update,
                    target,
                    permit,
                ));
            }
            None => {
                drop(permit);
                tokio::select! {
                    changed = changes.changed() => if changed.is_err() { return },
                    _ = shutdown.changed() => return,
                }
            }
        }
    }
}

async fn deliver(
    sandbox: Sandbox,
    generation: u64,
    id: u32,
    update: Value,
    target: Target,
    _slot: OwnedSemaphorePermit,
) {
    let config = sandbox.config();
    let mut delay = config.webhook_retry_initial;
    let mut shutdown = sandbox.watch_shutdown();
    loop {
        let outcome = post(&sandbox, &target, &update).await;
        {
            let mut guard = sandbox.state();
            let state = &mut *guard;
            if state.webhook_generation != generation {
                return;
            }
            match outcome {
                Ok(()) => {
                    if state.updates.delivered(id) {
                        state.counters.updates_delivered += 1;
                    }
                    state.counters.updates_pending = state.updates.len() as u64;
                    drop(guard);
                    sandbox.notify_updates();
                    return;
                }
                Err(reason) => {
                    tracing::debug!(update_id = id, %reason, "webhook delivery failed; will retry");
                    state.counters.webhook_failures += 1;
                    if let Some(webhook) = &mut state.webhook {
                        webhook.last_error = Some((unix_now(), reason));
                    }
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = shutdown.changed() => {
                sandbox.state().updates.release(id);
                return;
            }
        }
        delay = delay
            .saturating_mul(2)
            .min(config.webhook_retry_max.max(Duration::from_millis(1)));
    }
}

/// One POST; `Err` says why it did not count as delivered.
async fn post(sandbox: &Sandbox, target: &Target, update: &Value) -> Result<(), String> {
    let mut request = sandbox.inner.http.post(&target.url).json(update);
    if let Some(secret) = &target.secret_token {
        request = request.header(SECRET_HEADER, secret);
    }
    match request.send().await {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!(
            "Wrong response from the webhook: {}",
            response.status()
        )),
        Err(error) if error.is_timeout() => Err("Timeout expired".to_owned()),
        Err(error) => Err(format!("Connection failed: {error}")),
    }
}
