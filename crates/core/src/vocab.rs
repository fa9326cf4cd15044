//! The closed vocabularies — link kinds and statuses, outcomes, languages,
//! analytics dimensions and buckets — and their one parse error.
//!
//! Each value has one spelling, shared by storage, JSON, query strings, the
//! panel and the CLI. Every surface parses through `FromStr`, so a bad value
//! reads the same everywhere: `kind: "foo" is not one of order, campaign, referral`.

/// A value that is not one of a vocabulary's spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {}", self.reason())]
pub struct ParseError {
    /// The field (query parameter, flag, variable) the value was given for.
    pub field: &'static str,
    /// The value as given.
    pub value: String,
    /// Every accepted spelling.
    pub accepted: &'static [&'static str],
}

impl ParseError {
    pub fn new(
        field: &'static str,
        value: impl Into<String>,
        accepted: &'static [&'static str],
    ) -> Self {
        Self {
            field,
            value: value.into(),
            accepted,
        }
    }

    /// The message without the field: `"foo" is not one of order, campaign, referral`.
    pub fn reason(&self) -> String {
        format!(
            "{:?} is not one of {}",
            self.value,
            self.accepted.join(", ")
        )
    }
}

/// A closed set of values with one spelling each.
pub trait Vocabulary: Copy + Sized + 'static {
    /// The field a bad value is reported for.
    const FIELD: &'static str;
    /// Every value, in the order they are listed to people.
    const ALL: &'static [Self];
    /// The spellings of [`Self::ALL`], in the same order.
    const NAMES: &'static [&'static str];

    fn name(self) -> &'static str;

    /// One of [`Self::NAMES`], ignoring surrounding blanks and ASCII case.
    fn parse_name(input: &str) -> Result<Self, ParseError> {
        let wanted = input.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|value| value.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ParseError::new(Self::FIELD, input, Self::NAMES))
    }
}

/// `Vocabulary` and `FromStr` for an enum with inherent `ALL` and `as_str`.
macro_rules! vocabulary {
    ($type:ty, $field:literal, [$($name:literal),+ $(,)?]) => {
        impl $crate::vocab::Vocabulary for $type {
            const FIELD: &'static str = $field;
            const ALL: &'static [Self] = &<$type>::ALL;
            const NAMES: &'static [&'static str] = &[$($name),+];

            fn name(self) -> &'static str {
                self.as_str()
            }
        }

        impl std::str::FromStr for $type {
            type Err = $crate::vocab::ParseError;

            fn from_str(input: &str) -> Result<Self, Self::Err> {
                <Self as $crate::vocab::Vocabulary>::parse_name(input)
            }
        }
    };
}
pub(crate) use vocabulary;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::{Bucket, Dimension};
    use crate::events::Outcome;
    use crate::lang::Lang;
    use crate::links::{LinkKind, LinkStatus};

    /// `NAMES` is what `as_str` says, and every name parses back to its value.
    fn names_round_trip<T: Vocabulary + PartialEq + std::fmt::Debug>() {
        let names: Vec<&str> = T::ALL.iter().map(|v| v.name()).collect();
        assert_eq!(names, T::NAMES, "{}", T::FIELD);
        for &value in T::ALL {
            assert_eq!(T::parse_name(value.name()), Ok(value));
        }
    }

    #[test]
    fn every_vocabulary_lists_its_names_in_order_and_parses_them_back() {
        names_round_trip::<LinkKind>();
        names_round_trip::<LinkStatus>();
        names_round_trip::<Outcome>();
        names_round_trip::<Lang>();
        names_round_trip::<Dimension>();
        names_round_trip::<Bucket>();
    }

    #[test]
    fn a_bad_value_names_the_field_the_value_and_what_is_accepted() {
        let error = "foo".parse::<LinkKind>().unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"kind: "foo" is not one of order, campaign, referral"#
        );
        assert_eq!(
            "gone".parse::<LinkStatus>().unwrap_err().to_string(),
            r#"status: "gone" is not one of active, used, expired, revoked"#
        );
        assert_eq!(
            "de".parse::<Lang>().unwrap_err().to_string(),
            r#"lang: "de" is not one of uz, ru, en"#
        );
        assert_eq!(
            "month".parse::<Bucket>().unwrap_err().to_string(),
            r#"bucket: "month" is not one of hour, day, week"#
        );
        assert_eq!("nope".parse::<Outcome>().unwrap_err().field, "outcome");
        assert_eq!("nope".parse::<Dimension>().unwrap_err().field, "by");
    }

    #[test]
    fn blanks_around_a_value_and_its_case_are_ignored() {
        assert_eq!(" Order ".parse::<LinkKind>(), Ok(LinkKind::Order));
        assert_eq!(" RU ".parse::<Lang>(), Ok(Lang::Ru));
        assert_eq!("already_used".parse::<Outcome>(), Ok(Outcome::AlreadyUsed));
        assert!("".parse::<LinkStatus>().is_err());
        assert!("order,campaign".parse::<LinkKind>().is_err());
    }
}
