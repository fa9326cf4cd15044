//! The languages startlink speaks: Uzbek (Latin script, the default), Russian
//! and English. Only the type and its codes live here; each surface keeps its
//! own texts (the bot's messages, the report's and the exports' labels).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::vocab::vocabulary;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Uz,
    Ru,
    En,
}

vocabulary!(Lang, "lang", ["uz", "ru", "en"]);

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Uz, Lang::Ru, Lang::En];

    /// The ISO 639-1 code, as stored and as `DEFAULT_LANG`, `lang=` and `--lang` take it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uz => "uz",
            Self::Ru => "ru",
            Self::En => "en",
        }
    }

    /// Reads a language tag such as Telegram's `language_code` (`ru`, `en-US`,
    /// `uz-Latn`) by its primary subtag.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        primary.parse().ok()
    }

    /// The user's own choice, else his Telegram language, else `default`.
    pub fn resolve(chosen: Option<&str>, telegram: Option<&str>, default: Lang) -> Lang {
        chosen
            .and_then(Self::from_tag)
            .or_else(|| telegram.and_then(Self::from_tag))
            .unwrap_or(default)
    }

    /// This language's word of `[uz, ru, en]`.
    pub fn pick<T>(self, [uz, ru, en]: [T; 3]) -> T {
        match self {
            Self::Uz => uz,
            Self::Ru => ru,
            Self::En => en,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_telegram_language_tag_is_read_by_its_primary_subtag() {
        assert_eq!(Lang::from_tag("ru"), Some(Lang::Ru));
        assert_eq!(Lang::from_tag("en-US"), Some(Lang::En));
        assert_eq!(Lang::from_tag("uz-Latn"), Some(Lang::Uz));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn the_choice_wins_over_telegram_which_wins_over_the_default() {
        assert_eq!(Lang::resolve(Some("en"), Some("ru"), Lang::Uz), Lang::En);
        assert_eq!(Lang::resolve(None, Some("ru"), Lang::Uz), Lang::Ru);
        assert_eq!(Lang::resolve(None, Some("de"), Lang::Uz), Lang::Uz);
        assert_eq!(Lang::resolve(Some("xx"), None, Lang::En), Lang::En);
    }

    #[test]
    fn uzbek_is_the_default_and_serialises_as_its_code() {
        assert_eq!(Lang::default(), Lang::Uz);
        assert_eq!(serde_json::to_value(Lang::Ru).unwrap(), "ru");
    }
}
