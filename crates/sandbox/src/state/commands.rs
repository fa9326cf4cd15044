//! The bot's command lists per scope and language (setMyCommands), and which
//! list a user in a chat sees, in Telegram's documented order of precedence.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::types::{BotCommand, Chat, ChatType};
use crate::view::CommandSet;

/// A `BotCommandScope` object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommandScope {
    Default,
    AllPrivateChats,
    AllGroupChats,
    AllChatAdministrators,
    Chat { chat_id: ChatRef },
    ChatAdministrators { chat_id: ChatRef },
    ChatMember { chat_id: ChatRef, user_id: i64 },
}

/// A chat id, or `@username` of a public chat.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ChatRef {
    Id(i64),
    Username(String),
}

impl CommandScope {
    /// The same scope whether `chat_id` came as a number or as digits in a string.
    pub fn normalised(self) -> Self {
        let norm = |chat: ChatRef| match chat {
            ChatRef::Username(text) => text
                .trim()
                .parse()
                .map_or(ChatRef::Username(text), ChatRef::Id),
            id => id,
        };
        match self {
            CommandScope::Chat { chat_id } => CommandScope::Chat {
                chat_id: norm(chat_id),
            },
            CommandScope::ChatAdministrators { chat_id } => CommandScope::ChatAdministrators {
                chat_id: norm(chat_id),
            },
            CommandScope::ChatMember { chat_id, user_id } => CommandScope::ChatMember {
                chat_id: norm(chat_id),
                user_id,
            },
            other => other,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct CommandRegistry {
    sets: BTreeMap<(CommandScope, String), Vec<BotCommand>>,
}

impl CommandRegistry {
    /// An empty list removes the entry, as Telegram treats it.
    pub fn set(&mut self, scope: CommandScope, language_code: String, commands: Vec<BotCommand>) {
        if commands.is_empty() {
            self.sets.remove(&(scope, language_code));
        } else {
            self.sets.insert((scope, language_code), commands);
        }
    }

    pub fn get(&self, scope: &CommandScope, language_code: &str) -> Vec<BotCommand> {
        self.sets
            .get(&(scope.clone(), language_code.to_owned()))
            .cloned()
            .unwrap_or_default()
    }

    pub fn delete(&mut self, scope: &CommandScope, language_code: &str) {
        self.sets.remove(&(scope.clone(), language_code.to_owned()));
    }

    pub fn all(&self) -> Vec<CommandSet> {
        self.sets
            .iter()
            .map(|((scope, language_code), commands)| CommandSet {
                scope: serde_json::to_value(scope).unwrap_or(Value::Null),
                language_code: language_code.clone(),
                commands: commands.clone(),
            })
            .collect()
    }

    /// The list a user sees in the menu of `chat`: the first scope with
    /// commands, each tried with the user's language and then with none.
    pub fn visible(&self, chat: &Chat, user_id: i64, language_code: &str) -> Vec<BotCommand> {
        let chat_ref = ChatRef::Id(chat.id);
        let mut scopes = Vec::new();
        if chat.kind == ChatType::Private {
            scopes.push(CommandScope::Chat { chat_id: chat_ref });
            scopes.push(CommandScope::AllPrivateChats);
        } else {
            scopes.push(CommandScope::ChatMember {
                chat_id: chat_ref.clone(),
                user_id,
            });
            scopes.push(CommandScope::Chat { chat_id: chat_ref });
            scopes.push(CommandScope::AllGroupChats);
        }
        scopes.push(CommandScope::Default);
        scopes
            .into_iter()
            .flat_map(|scope| {
                [
                    (scope.clone(), language_code.to_owned()),
                    (scope, String::new()),
                ]
            })
            .find_map(|key| self.sets.get(&key).cloned())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::User;

    fn commands(names: &[&str]) -> Vec<BotCommand> {
        names
            .iter()
            .map(|n| BotCommand {
                command: (*n).to_owned(),
                description: format!("{n}!"),
            })
            .collect()
    }

    #[test]
    fn a_user_sees_his_language_then_the_default_list() {
        let mut registry = CommandRegistry::default();
        registry.set(CommandScope::Default, String::new(), commands(&["start"]));
        registry.set(
            CommandScope::Default,
            "ru".to_owned(),
            commands(&["start", "lang"]),
        );
        let chat = Chat::private(&User::new(5, "A"));
        assert_eq!(registry.visible(&chat, 5, "ru").len(), 2);
        assert_eq!(registry.visible(&chat, 5, "uz").len(), 1);
    }

    #[test]
    fn a_chat_scope_wins_over_all_private_chats_and_default() {
        let mut registry = CommandRegistry::default();
        registry.set(CommandScope::Default, String::new(), commands(&["a"]));
        registry.set(
            CommandScope::AllPrivateChats,
            String::new(),
            commands(&["b"]),
        );
        registry.set(
            CommandScope::Chat {
                chat_id: ChatRef::Id(7),
            },
            String::new(),
            commands(&["c"]),
        );
        let seven = Chat::private(&User::new(7, "S"));
        let eight = Chat::private(&User::new(8, "E"));
        assert_eq!(registry.visible(&seven, 7, "")[0].command, "c");
        assert_eq!(registry.visible(&eight, 8, "")[0].command, "b");
        let group = Chat::group(-1, "g", ChatType::Group);
        assert_eq!(registry.visible(&group, 8, "")[0].command, "a");
    }

    #[test]
    fn a_chat_id_in_a_string_is_the_same_scope() {
        let scope: CommandScope =
            serde_json::from_str(r#"{"type":"chat","chat_id":"42"}"#).unwrap();
        assert_eq!(
            scope.normalised(),
            CommandScope::Chat {
                chat_id: ChatRef::Id(42)
            }
        );
    }
}
