//! Words for the codes a row holds (link kind, link status, open outcome), in
//! each language, `[uz, ru, en]` like the column headers. XLSX shows the words;
//! CSV keeps the codes, which scripts rely on.
//!
//! The wording is the PDF report's (kinds, outcomes) and the bot's (statuses),
//! so a person reads the same word everywhere.

use startlink_core::events::Outcome;
use startlink_core::lang::Lang;
use startlink_core::links::{LinkKind, LinkStatus};

/// A stable machine code with words for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    Kind(LinkKind),
    Status(LinkStatus),
    Outcome(Outcome),
}

impl Code {
    /// The snake_case code, as the JSON API and CSV carry it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Kind(kind) => kind.as_str(),
            Self::Status(status) => status.as_str(),
            Self::Outcome(outcome) => outcome.as_str(),
        }
    }

    /// The word for the code in `lang`.
    pub(crate) fn label(self, lang: Lang) -> &'static str {
        lang.pick(match self {
            Self::Kind(kind) => kind_words(kind),
            Self::Status(status) => status_words(status),
            Self::Outcome(outcome) => outcome_words(outcome),
        })
    }
}

fn kind_words(kind: LinkKind) -> [&'static str; 3] {
    match kind {
        LinkKind::Order => ["buyurtma", "заказ", "order"],
        LinkKind::Campaign => ["kampaniya", "кампания", "campaign"],
        LinkKind::Referral => ["taklif", "реферал", "referral"],
    }
}

fn status_words(status: LinkStatus) -> [&'static str; 3] {
    match status {
        LinkStatus::Active => ["faol", "активна", "active"],
        LinkStatus::Used => ["ishlatilgan", "использована", "used"],
        LinkStatus::Expired => ["muddati oʻtgan", "просрочена", "expired"],
        LinkStatus::Revoked => ["bekor qilingan", "отозвана", "revoked"],
    }
}

pub(crate) fn outcome_words(outcome: Outcome) -> [&'static str; 3] {
    match outcome {
        Outcome::Redeemed => ["buyurtma olindi", "заказ получен", "redeemed"],
        Outcome::AlreadyYours => ["oʻz buyurtmasi", "свой заказ", "own order again"],
        Outcome::Accepted => ["qabul qilindi", "засчитано", "accepted"],
        Outcome::AlreadyUsed => ["allaqachon ishlatilgan", "уже использована", "already used"],
        Outcome::Expired => ["muddati oʻtgan", "срок истёк", "expired"],
        Outcome::Revoked => ["bekor qilingan", "отозвана", "revoked"],
        Outcome::NotFound => ["topilmadi", "не найдена", "not found"],
        Outcome::Invalid => ["notoʻgʻri", "неверная", "invalid"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_code() -> Vec<Code> {
        let kinds = LinkKind::ALL.map(Code::Kind);
        let statuses = LinkStatus::ALL.map(Code::Status);
        let outcomes = Outcome::ALL.map(Code::Outcome);
        kinds.into_iter().chain(statuses).chain(outcomes).collect()
    }

    #[test]
    fn every_code_has_a_word_in_every_language() {
        for code in every_code() {
            for lang in [Lang::Uz, Lang::Ru, Lang::En] {
                assert!(!code.label(lang).is_empty(), "{code:?} in {lang:?}");
            }
        }
        assert_eq!(Code::Outcome(Outcome::AlreadyUsed).as_str(), "already_used");
        assert_eq!(
            Code::Outcome(Outcome::AlreadyUsed).label(Lang::Ru),
            "уже использована"
        );
    }

    #[test]
    fn uzbek_words_are_latin_with_the_turned_comma() {
        for code in every_code() {
            let word = code.label(Lang::Uz);
            assert!(
                word.chars()
                    .all(|c| c.is_ascii_lowercase() || c == ' ' || c == 'ʻ'),
                "{code:?}: {word:?} is not Latin Uzbek with ʻ (U+02BB)"
            );
        }
    }
}
