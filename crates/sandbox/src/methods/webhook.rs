//! setWebhook, deleteWebhook, getWebhookInfo. Delivery itself is
//! `crate::webhook`.

use serde_json::{Value, json};

use crate::Sandbox;
use crate::params::Params;
use crate::protocol::{ApiError, ApiOk, ApiResult};
use crate::state::Webhook;

pub(super) fn set_webhook(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let url = p.string("url").unwrap_or_default();
    if url.trim().is_empty() {
        return delete_webhook(sandbox, p);
    }
    // Telegram insists on HTTPS; the sandbox also takes plain HTTP so a bot
    // on this machine can receive its webhook without a certificate.
    let parsed = url::Url::parse(url.trim())
        .map_err(|_| ApiError::bad_request("bad webhook: invalid URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(ApiError::bad_request(
            "bad webhook: HTTPS url must be provided for webhook",
        ));
    }
    let secret_token = p.string("secret_token").filter(|secret| !secret.is_empty());
    if let Some(secret) = &secret_token {
        let valid = secret.len() <= 256
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return Err(ApiError::bad_request(
                "bad webhook: secret token contains unallowed characters",
            ));
        }
    }
    let max_connections = p.int("max_connections")?.unwrap_or(40).clamp(1, 100);
    let allowed: Option<Vec<String>> = p.json("allowed_updates", || {
        ApiError::bad_request("can't parse allowed_updates JSON array")
    })?;
    let drop_pending = p.bool("drop_pending_updates")?;
    let generation = {
        let mut state = sandbox.state();
        if drop_pending {
            state.updates.clear();
        }
        if let Some(allowed) = allowed {
            state.updates.set_allowed(allowed);
        }
        state.updates.release_all();
        state.webhook = Some(Webhook {
            url: parsed.to_string(),
            secret_token,
            max_connections: u32::try_from(max_connections).unwrap_or(40),
            last_error: None,
        });
        state.webhook_generation += 1;
        state.counters.updates_pending = state.updates.len() as u64;
        state.webhook_generation
    };
    crate::webhook::start(sandbox.clone(), generation);
    sandbox.notify_updates();
    Ok(ApiOk::with_description(
        Value::Bool(true),
        "Webhook was set",
    ))
}

pub(super) fn delete_webhook(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let drop_pending = p.bool("drop_pending_updates")?;
    let existed = {
        let mut state = sandbox.state();
        if drop_pending {
            state.updates.clear();
        }
        state.updates.release_all();
        state.webhook_generation += 1;
        state.counters.updates_pending = state.updates.len() as u64;
        state.webhook.take().is_some()
    };
    sandbox.notify_updates();
    let description = if existed {
        "Webhook was deleted"
    } else {
        "Webhook is already deleted"
    };
    Ok(ApiOk::with_description(Value::Bool(true), description))
}

pub(super) fn get_webhook_info(sandbox: &Sandbox) -> ApiResult {
    let state = sandbox.state();
    let mut info = json!({
        "url": "",
        "has_custom_certificate": false,
        "pending_update_count": state.updates.len(),
    });
    if let Some(webhook) = &state.webhook {
        info["url"] = json!(webhook.url);
        info["max_connections"] = json!(webhook.max_connections);
        if let Some((date, message)) = &webhook.last_error {
            info["last_error_date"] = json!(date);
            info["last_error_message"] = json!(message);
        }
        if let Some(allowed) = state.updates.allowed() {
            info["allowed_updates"] = json!(allowed);
        }
    }
    Ok(ApiOk::new(info))
}
