//! startlink's QR studio: styled QR codes as PNG or SVG — colours, gradients,
//! rounded or dotted modules, shaped eyes, a centred logo, a caption — that
//! always scan.
//!
//! Every image is decoded back (with rqrr, an implementation independent of
//! the encoder) before [`render`] returns it; a look that does not decode is
//! degraded step by step, and when nothing decodes the caller gets an error,
//! never an unchecked image. A logo never covers modules: the modules under
//! it are cleared, and the clearing is sized so it costs at most half of what
//! the error correction can repair.
//!
//! ```
//! use startlink_qr::{render, Preset, QrStyle};
//!
//! let qr = render("https://t.me/shop_bot?start=9W_LFTJjfiIa", &QrStyle::preset(Preset::Brand))?;
//! assert!(qr.bytes.starts_with(b"\x89PNG"));
//! # Ok::<(), startlink_qr::QrError>(())
//! ```
//!
//! Pure renderer: no knowledge of links, bots or the web. Rendering is CPU
//! work (about 4 ms for a styled 600 px PNG, see `BENCHMARKS.md`): async
//! callers run it in `spawn_blocking`. Load a [`Logo`] once and share it.

mod caption;
mod error;
mod gradient;
mod logo;
mod mask;
mod matrix;
mod raster;
mod render;
mod scene;
mod style;
mod svg;
mod verify;

pub use error::QrError;
pub use logo::{Logo, MAX_LOGO_BYTES, MAX_LOGO_PIXELS};
pub use render::{RenderedQr, Variant, render};
pub use style::{
    Color, EcLevel, EyeShape, Format, Gradient, GradientKind, MAX_MARGIN, MAX_SIZE, MIN_CONTRAST,
    MIN_SIZE, ModuleShape, Preset, QrStyle,
};

/// Measures drawing and encoding alone, for `benches/render.rs`. Returns only
/// the byte count: an image that skipped the self-check never leaves the crate.
#[doc(hidden)]
pub fn bench_render_unchecked(text: &str, style: &QrStyle) -> Result<usize, QrError> {
    render::render_with(text, style, render::Check::SkipForBenchmark).map(|(_, length)| length)
}
