//! Everything that can go wrong while making a QR code, as one enum.

use std::path::PathBuf;

use crate::style::EcLevel;

/// Why no QR code was returned. Every message names the input that failed.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("nothing to encode: the text is empty")]
    EmptyText,
    #[error(
        "the text is too long for a QR code at error correction {ec}: it is {bytes} bytes, \
         and at most {max} bytes of arbitrary text fit at {ec} (lower error correction fits more)"
    )]
    TooLong {
        bytes: usize,
        ec: EcLevel,
        max: usize,
    },
    #[error("invalid colour {input:?}: expected #rgb or #rrggbb, e.g. #1a2b3c")]
    BadColor { input: String },
    #[error(
        "the {what} colour {color} is too close to the background {background} \
         (contrast {ratio:.1}:1); scanners need the code darker than the background, \
         with at least {min:.0}:1"
    )]
    LowContrast {
        what: &'static str,
        color: String,
        background: String,
        ratio: f32,
        min: f32,
    },
    #[error(
        "{size} px is too small for this code: {modules} modules plus the margin need at least {min} px"
    )]
    SizeTooSmall { size: u32, modules: u32, min: u32 },
    #[error("{what} {value} is out of range: {range}")]
    OutOfRange {
        what: &'static str,
        value: String,
        range: &'static str,
    },
    #[error("cannot read the logo {}: {source}", path.display())]
    LogoRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the logo is not a PNG, JPEG or SVG image")]
    LogoFormat,
    #[error("the logo is not a valid {format} image: {reason}")]
    LogoDecode {
        format: &'static str,
        reason: String,
    },
    #[error("the logo is too large: {reason}")]
    LogoTooLarge { reason: String },
    #[error("cannot encode the image: {0}")]
    Encode(String),
    #[error("no variant of this QR code decoded back to its text, so none is returned: {attempts}")]
    Unverifiable { attempts: String },
}
