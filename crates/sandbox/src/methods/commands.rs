//! setMyCommands, getMyCommands, deleteMyCommands, per scope and language.

use serde_json::{Value, json};

use crate::Sandbox;
use crate::params::Params;
use crate::protocol::{ApiError, ApiOk, ApiResult};
use crate::state::commands::CommandScope;
use crate::types::BotCommand;

fn scope_and_language(p: &Params) -> Result<(CommandScope, String), ApiError> {
    let scope = p
        .json::<CommandScope>("scope", || {
            ApiError::bad_request("can't parse BotCommandScope JSON object")
        })?
        .unwrap_or(CommandScope::Default)
        .normalised();
    let language_code = p.string("language_code").unwrap_or_default();
    let valid = language_code.is_empty()
        || (language_code.len() == 2 && language_code.bytes().all(|b| b.is_ascii_lowercase()));
    if !valid {
        return Err(ApiError::bad_request("invalid language code specified"));
    }
    Ok((scope, language_code))
}

pub(super) fn set_my_commands(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let commands: Vec<BotCommand> = p
        .json("commands", || {
            ApiError::bad_request("can't parse commands JSON object")
        })?
        .ok_or_else(|| ApiError::missing("commands"))?;
    if commands.len() > 100 {
        return Err(ApiError::bad_request("BOT_COMMANDS_TOO_MUCH"));
    }
    for command in &commands {
        let name = command.command.as_str();
        let valid_name = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_name {
            return Err(ApiError::bad_request("BOT_COMMAND_INVALID"));
        }
        let description = command.description.trim();
        if description.is_empty() || description.chars().count() > 256 {
            return Err(ApiError::bad_request("BOT_COMMAND_DESCRIPTION_INVALID"));
        }
    }
    let (scope, language_code) = scope_and_language(p)?;
    sandbox.state().commands.set(scope, language_code, commands);
    sandbox.notify_bot();
    Ok(ApiOk::new(Value::Bool(true)))
}

pub(super) fn get_my_commands(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let (scope, language_code) = scope_and_language(p)?;
    let commands = sandbox.state().commands.get(&scope, &language_code);
    Ok(ApiOk::new(json!(commands)))
}

pub(super) fn delete_my_commands(sandbox: &Sandbox, p: &Params) -> ApiResult {
    let (scope, language_code) = scope_and_language(p)?;
    sandbox.state().commands.delete(&scope, &language_code);
    sandbox.notify_bot();
    Ok(ApiOk::new(Value::Bool(true)))
}
