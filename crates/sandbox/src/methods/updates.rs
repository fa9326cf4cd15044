//! getUpdates: Telegram's long polling. A poll with a `timeout` waits on the
//! update watch channel (no busy loop) and answers as soon as an update is
//! queued; a newer getUpdates ends an older waiting one with 409, and while a
//! webhook is set getUpdates answers 409, both as Telegram does.

use std::time::Duration;

use serde_json::Value;

use crate::Sandbox;
use crate::params::Params;
use crate::protocol::{ApiError, ApiOk, ApiResult};

/// Telegram holds a long poll for at most 50 seconds whatever `timeout` says.
const MAX_POLL_SECONDS: i64 = 50;

fn webhook_active() -> ApiError {
    ApiError::conflict(
        "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    )
}

fn terminated() -> ApiError {
    ApiError::conflict(
        "terminated by other getUpdates request; make sure that only one bot instance is running",
    )
}

pub(super) async fn get_updates(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let offset = p.int("offset")?.unwrap_or(0);
    let limit = usize::try_from(p.int("limit")?.unwrap_or(100).clamp(1, 100)).unwrap_or(100);
    let timeout = p.int("timeout")?.unwrap_or(0).clamp(0, MAX_POLL_SECONDS);
    let allowed: Option<Vec<String>> = p.json("allowed_updates", || {
        ApiError::bad_request("can't parse allowed_updates JSON array")
    })?;

    // Subscribed before looking at the queue, so no update slips in between.
    let mut changes = sandbox.watch_updates();
    let mut shutdown = sandbox.watch_shutdown();
    let (generation, answer_now) = {
        let mut guard = sandbox.state();
        let state = &mut *guard;
        if state.webhook.is_some() {
            return Err(webhook_active());
        }
        let confirmed = state.updates.apply_offset(offset);
        state.counters.updates_delivered += confirmed as u64;
        state.counters.updates_pending = state.updates.len() as u64;
        if let Some(allowed) = allowed {
            state.updates.set_allowed(allowed);
        }
        state.poll_generation += 1;
        let batch = state.updates.batch(limit);
        (
            state.poll_generation,
            (!batch.is_empty() || timeout == 0).then_some(batch),
        )
    };
    // Wakes an older poll, so that it sees it was superseded, and waiters on
    // the queue's length.
    sandbox.notify_updates();
    if let Some(batch) = answer_now {
        return Ok(ApiOk::new(Value::Array(batch)));
    }
    changes.borrow_and_update();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout.unsigned_abs());
    loop {
        if sandbox.is_shut_down() {
            return Ok(ApiOk::new(Value::Array(Vec::new())));
        }
        tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() {
                    return Ok(ApiOk::new(Value::Array(Vec::new())));
                }
            }
            () = tokio::time::sleep_until(deadline) => return Ok(ApiOk::new(Value::Array(Vec::new()))),
            _ = shutdown.changed() => return Ok(ApiOk::new(Value::Array(Vec::new()))),
        }
        let state = sandbox.state();
        if state.webhook.is_some() {
            return Err(webhook_active());
        }
        if state.poll_generation != generation {
            return Err(terminated());
        }
        let batch = state.updates.batch(limit);
        if !batch.is_empty() {
            return Ok(ApiOk::new(Value::Array(batch)));
        }
    }
}
