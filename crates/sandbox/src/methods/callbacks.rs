//! answerCallbackQuery.

use serde_json::Value;

use crate::Sandbox;
use crate::params::Params;
use crate::protocol::{ApiError, ApiOk, ApiResult};
use crate::types::utf16_len;
use crate::view::CallbackAnswer;

pub(super) fn answer_callback_query(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let id = p.required_string("callback_query_id")?;
    let text = p.string("text").filter(|text| !text.is_empty());
    if text.as_deref().is_some_and(|text| utf16_len(text) > 200) {
        return Err(ApiError::bad_request("MESSAGE_TOO_LONG"));
    }
    let answer = CallbackAnswer {
        text,
        show_alert: p.bool("show_alert")?,
        url: p.string("url").filter(|u| !u.is_empty()),
    };
    let stale = || {
        ApiError::bad_request(
            "query is too old and response timeout expired or query id is invalid",
        )
    };
    let mut state = sandbox.state();
    let (chat_id, message_id) = state.callbacks.get(&id).ok_or_else(stale)?;
    let query = state
        .message_mut(chat_id, message_id)
        .and_then(|message| {
            message
                .callback_queries
                .iter_mut()
                .find(|query| query.id == id)
        })
        .ok_or_else(stale)?;
    // A query is answered once; Telegram refuses the second answer.
    if query.answer.is_some() {
        return Err(stale());
    }
    query.answer = Some(answer);
    state.counters.callback_answers += 1;
    drop(state);
    sandbox.notify_bot();
    Ok(ApiOk::new(Value::Bool(true)))
}
