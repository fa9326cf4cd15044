//! `render`: encode, draw, decode back, and degrade until a variant decodes.

use std::fmt;

use crate::error::QrError;
use crate::matrix::{self, Matrix};
use crate::raster::{self, PixelGrid};
use crate::scene::{self, Look};
use crate::style::{EcLevel, EyeShape, Format, ModuleShape, QrStyle};
use crate::{svg, verify};

/// Which variant of the requested style was returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Exactly what was asked for.
    AsRequested,
    /// The logo was drawn smaller than asked.
    SmallerLogo,
    /// Square modules and eyes in a solid colour (with the smaller logo, if any).
    PlainModules,
    /// Plain modules and no logo.
    NoLogo,
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::AsRequested => "as requested",
            Self::SmallerLogo => "smaller logo",
            Self::PlainModules => "plain modules",
            Self::NoLogo => "no logo",
        })
    }
}

/// A QR code image that has been decoded back to its text.
#[derive(Debug, Clone)]
pub struct RenderedQr {
    pub bytes: Vec<u8>,
    pub format: Format,
    /// Pixel size (for SVG: its displayed size, as written in the file).
    pub width_px: u32,
    pub height_px: u32,
    /// QR version, 1 (21 × 21 modules) to 40 (177 × 177).
    pub version: u8,
    pub ec: EcLevel,
    pub variant: Variant,
    /// Why the returned variant is not the one asked for; `None` when it is.
    pub degraded: Option<String>,
}

/// Logo side in the second attempt, relative to the first.
const SMALLER_LOGO: f32 = 0.6;
/// A clearing smaller than this many modules across leaves no useful logo.
const MIN_LOGO_MODULES: usize = 5;
/// The self-check and the SVG need at least this many pixels per module.
const MIN_PX_PER_MODULE: u32 = 3;

/// Renders `text` as a QR code in `style`, and returns it only after decoding
/// the image back to exactly `text`. When the requested look does not decode,
/// it tries a smaller logo, then plain modules, then no logo (each failure is
/// logged and listed in [`RenderedQr::degraded`]); when nothing decodes, it
/// returns [`QrError::Unverifiable`] rather than an unchecked image.
pub fn render(text: &str, style: &QrStyle) -> Result<RenderedQr, QrError> {
    render_with(text, style, Check::Decode).map(|(qr, _)| qr)
}

enum Image {
    Png(tiny_skia::Pixmap),
    Svg(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    Decode,
    /// Only for the benchmark, which measures what the check costs; its
    /// caller gets a size, never the image.
    SkipForBenchmark,
}

pub(crate) fn render_with(
    text: &str,
    style: &QrStyle,
    check: Check,
) -> Result<(RenderedQr, usize), QrError> {
    style.check()?;
    let preferred = if style.logo.is_some() {
        EcLevel::H
    } else {
        EcLevel::M
    };
    let matrix = matrix::encode(text, style.ec, preferred)?;
    let side = (matrix.n as u32 + 2 * style.margin) * MIN_PX_PER_MODULE;
    if style.size < side {
        return Err(QrError::SizeTooSmall {
            size: style.size,
            modules: matrix.n as u32,
            min: side,
        });
    }

    let mut failures: Vec<String> = Vec::new();
    let mut tried: Vec<Look> = Vec::new();
    for (variant, look) in attempts(&matrix, style, &mut failures) {
        if tried.contains(&look) {
            continue;
        }
        tried.push(look);
        let scene = scene::build(&matrix, style, &look);
        // Encoding waits for the check: a variant that fails is never encoded.
        let (image, width_px, height_px, outcome) = match style.format {
            Format::Png => {
                let grid = PixelGrid::new(&scene, style.size, matrix.n);
                let pixmap = raster::paint(&scene, grid)?;
                let outcome = match check {
                    Check::Decode => verify::decodes_to(&pixmap, grid.unit, text),
                    Check::SkipForBenchmark => Ok(()),
                };
                (Image::Png(pixmap), grid.width, grid.height, outcome)
            }
            Format::Svg => {
                let text_svg = svg::write(&scene, style.size);
                // A vector image is read at the scale the readers need.
                let read_width = (scene.width * verify::READ_PX_PER_MODULE).ceil() as u32;
                let outcome = match check {
                    Check::Decode => svg::rasterize(&text_svg, read_width).and_then(|pixmap| {
                        verify::decodes_to(&pixmap, verify::READ_PX_PER_MODULE, text)
                    }),
                    Check::SkipForBenchmark => Ok(()),
                };
                let height = (style.size as f32 * scene.height / scene.width).round() as u32;
                (Image::Svg(text_svg), style.size, height, outcome)
            }
        };
        match outcome {
            Ok(()) => {
                let bytes = match image {
                    Image::Png(pixmap) => {
                        let png = raster::encode_png(&pixmap)?;
                        raster::recycle(pixmap);
                        png
                    }
                    Image::Svg(text) => text.into_bytes(),
                };
                let degraded = (!failures.is_empty()).then(|| failures.join("; "));
                if let Some(reason) = &degraded {
                    tracing::info!(%variant, "QR code degraded to decode: {reason}");
                }
                let length = bytes.len();
                let qr = RenderedQr {
                    bytes,
                    format: style.format,
                    width_px,
                    height_px,
                    version: matrix.version_number(),
                    ec: matrix.ec,
                    variant,
                    degraded,
                };
                return Ok((qr, length));
            }
            Err(reason) => {
                if let Image::Png(pixmap) = image {
                    raster::recycle(pixmap);
                }
                tracing::warn!(%variant, "QR code variant did not decode back: {reason}");
                failures.push(format!("{variant} did not decode ({reason})"));
            }
        }
    }
    Err(QrError::Unverifiable {
        attempts: failures.join("; "),
    })
}

/// The variants to try, most faithful first. Notes why the logo must be
/// smaller or absent before anything is drawn.
fn attempts(matrix: &Matrix, style: &QrStyle, notes: &mut Vec<String>) -> Vec<(Variant, Look)> {
    let requested = Look {
        modules: style.modules,
        eyes: style.eyes,
        gradient: style.gradient.is_some(),
        clearing: None,
    };
    let plain = Look {
        modules: ModuleShape::Square,
        eyes: EyeShape::Square,
        gradient: false,
        clearing: None,
    };
    let Some(logo) = &style.logo else {
        return vec![
            (Variant::AsRequested, requested),
            (Variant::PlainModules, plain),
        ];
    };
    let wanted = (style.logo_scale * matrix.n as f32).round() as usize;
    let clearing = |side: usize| {
        matrix::logo_clearing(matrix, logo.aspect(), side)
            .filter(|c| c.w.max(c.h) >= MIN_LOGO_MODULES)
    };
    let Some(full) = clearing(wanted) else {
        notes.push(format!(
            "no room for a logo: a version {} code at level {} can spare no {MIN_LOGO_MODULES}-module area",
            matrix.version_number(),
            matrix.ec
        ));
        return vec![(Variant::NoLogo, requested), (Variant::NoLogo, plain)];
    };
    let smaller = clearing((full.w.max(full.h) as f32 * SMALLER_LOGO) as usize);
    let with = |look: Look, clearing| Look { clearing, ..look };
    let mut plan = vec![(Variant::AsRequested, with(requested, Some(full)))];
    if smaller.is_some() {
        plan.push((Variant::SmallerLogo, with(requested, smaller)));
    }
    plan.push((Variant::PlainModules, with(plain, smaller.or(Some(full)))));
    plan.push((Variant::NoLogo, plain));
    plan
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::logo::Logo;

    fn logo() -> Arc<Logo> {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;
        Arc::new(Logo::from_bytes(svg.as_bytes()).expect("a valid SVG"))
    }

    #[test]
    fn with_a_logo_the_ladder_shrinks_the_logo_then_plain_modules_then_drops_it() {
        let style = QrStyle {
            logo: Some(logo()),
            ..QrStyle::preset(crate::Preset::Brand)
        };
        let matrix = matrix::encode("https://t.me/shop_bot?start=9W_LFTJjfiIa", None, EcLevel::H);
        let matrix = matrix.expect("fits");
        let mut notes = Vec::new();
        let plan = attempts(&matrix, &style, &mut notes);
        let variants: Vec<Variant> = plan.iter().map(|(v, _)| *v).collect();
        assert_eq!(
            variants,
            [
                Variant::AsRequested,
                Variant::SmallerLogo,
                Variant::PlainModules,
                Variant::NoLogo
            ]
        );
        let side = |i: usize| plan[i].1.clearing.map_or(0, |c| c.w.max(c.h));
        assert!(side(0) > side(1) && side(1) >= MIN_LOGO_MODULES, "{plan:?}");
        assert_eq!(side(2), side(1));
        assert_eq!(side(3), 0);
        assert_eq!(
            (plan[2].1.modules, plan[2].1.eyes),
            (ModuleShape::Square, EyeShape::Square)
        );
        assert!(!plan[2].1.gradient && plan[0].1.gradient);
        assert!(notes.is_empty());
    }

    #[test]
    fn without_a_logo_the_ladder_is_as_requested_then_plain() {
        let style = QrStyle::preset(crate::Preset::Brand);
        let matrix = matrix::encode("hello", None, EcLevel::M).expect("fits");
        let plan = attempts(&matrix, &style, &mut Vec::new());
        let variants: Vec<Variant> = plan.iter().map(|(v, _)| *v).collect();
        assert_eq!(variants, [Variant::AsRequested, Variant::PlainModules]);
    }
}
