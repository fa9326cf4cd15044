//! Flags that take one of core's vocabularies (`--kind`, `--status`,
//! `--lang`…): core's names as clap's possible values (help, completions)
//! and core's message for anything else, the same text the API and the panel
//! show.

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use startlink_core::vocab::Vocabulary;

/// `#[arg(value_parser = vocabulary::<LinkKind>())]`.
pub fn vocabulary<T>() -> Parser<T> {
    Parser(PhantomData)
}

#[derive(Debug)]
pub struct Parser<T>(PhantomData<fn() -> T>);

impl<T> Clone for Parser<T> {
    fn clone(&self) -> Self {
        Self(PhantomData)
    }
}

impl<T: Vocabulary + Send + Sync> TypedValueParser for Parser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let text = value.to_string_lossy();
        T::parse_name(&text).map_err(|error| {
            clap::Error::raw(ErrorKind::InvalidValue, format!("{error}\n")).with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(T::NAMES.iter().copied().map(PossibleValue::new)))
    }
}
