//! Fonts, page layout and PDF output.

pub(crate) mod emit;
pub(crate) mod fonts;
pub(crate) mod layout;
