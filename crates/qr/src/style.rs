//! What a QR code should look like: formats, colours, shapes, presets.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::QrError;
use crate::logo::Logo;

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Svg => "image/svg+xml",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Svg => "svg",
        }
    }
}

/// Error-correction level: the share of the code that may be damaged (or
/// covered by a logo) and still read — about 7 %, 15 %, 25 % and 30 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EcLevel {
    L,
    M,
    Q,
    H,
}

impl EcLevel {
    /// Bytes of arbitrary (binary) text that fit in the largest code, version 40.
    pub fn max_bytes(self) -> usize {
        match self {
            Self::L => 2953,
            Self::M => 2331,
            Self::Q => 1663,
            Self::H => 1273,
        }
    }
}

impl fmt::Display for EcLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::L => "L",
            Self::M => "M",
            Self::Q => "Q",
            Self::H => "H",
        })
    }
}

/// An opaque sRGB colour, written `#rgb` or `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Color {
    pub const BLACK: Self = Self::rgb(0, 0, 0);
    pub const WHITE: Self = Self::rgb(255, 255, 255);

    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b }
    }

    /// WCAG relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f32 {
        fn linear(channel: u8) -> f32 {
            let c = f32::from(channel) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * linear(self.r) + 0.7152 * linear(self.g) + 0.0722 * linear(self.b)
    }

    /// WCAG contrast ratio of `self` against `other`, 1 to 21.
    pub fn contrast(self, other: Self) -> f32 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

impl FromStr for Color {
    type Err = QrError;

    fn from_str(input: &str) -> Result<Self, QrError> {
        let bad = || QrError::BadColor {
            input: input.to_owned(),
        };
        let hex = input.trim().strip_prefix('#').unwrap_or(input.trim());
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let digit = |i: usize| u8::from_str_radix(&hex[i..=i], 16).map_err(|_| bad());
        match hex.len() {
            3 => Ok(Self::rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
            6 => Ok(Self::rgb(
                digit(0)? * 16 + digit(1)?,
                digit(2)? * 16 + digit(3)?,
                digit(4)? * 16 + digit(5)?,
            )),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// How each dark data module is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleShape {
    Square,
    /// Squares whose free corners are rounded, so neighbours merge into blobs.
    Rounded,
    Dots,
}

/// How the three finder patterns ("eyes") are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EyeShape {
    Square,
    Rounded,
    Circle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradientKind {
    /// From the top-left corner of the code to the bottom-right.
    Linear,
    /// From the centre of the code outwards.
    Radial,
}

/// A gradient from the foreground colour to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gradient {
    pub kind: GradientKind,
    pub to: Color,
}

/// Ready-made styles, so callers do not need ten options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Black on white PNG, square modules: the code every scanner reads.
    Default,
    /// Rounded modules and eyes, a dark blue radial gradient; meant for a logo.
    Brand,
    /// For paper: SVG, black on white, error correction Q, a wider margin.
    Print,
}

/// The full description of a QR code's look. Start from [`QrStyle::preset`]
/// and change fields; every field is checked by [`crate::render`].
#[derive(Debug, Clone)]
pub struct QrStyle {
    pub format: Format,
    /// Width in pixels (PNG), or the displayed width of the SVG, whose own
    /// coordinates are modules. The code is centred; a caption adds height.
    pub size: u32,
    /// Quiet zone around the code, in modules (the standard asks for 4).
    pub margin: u32,
    /// `None`: H when there is a logo, M otherwise, or the most robust level
    /// below that the text still fits. `Some`: exactly this level; a logo is
    /// then shrunk to what the level can absorb (or left out).
    pub ec: Option<EcLevel>,
    pub foreground: Color,
    pub background: Color,
    pub gradient: Option<Gradient>,
    pub modules: ModuleShape,
    pub eyes: EyeShape,
    /// Colour of the eyes; `None` paints them like the modules.
    pub eye_color: Option<Color>,
    /// A centred logo. Modules under it are cleared, never painted over.
    pub logo: Option<Arc<Logo>>,
    /// Largest logo side as a share of the code's width (without margin);
    /// capped further by what the error correction can absorb.
    pub logo_scale: f32,
    /// A line of text under the code, e.g. "Scan me" or the short link.
    pub caption: Option<String>,
}

/// Pixel size bounds. The top keeps one canvas at 64 MB; larger prints
/// should use SVG, which scales without limit.
pub const MIN_SIZE: u32 = 21;
pub const MAX_SIZE: u32 = 4096;
pub const MAX_MARGIN: u32 = 40;
/// WCAG's minimum for graphical objects; below it phone cameras start to miss.
pub const MIN_CONTRAST: f32 = 3.0;

impl QrStyle {
    pub fn preset(preset: Preset) -> Self {
        let plain = Self {
            format: Format::Png,
            size: 600,
            margin: 4,
            ec: None,
            foreground: Color::BLACK,
            background: Color::WHITE,
            gradient: None,
            modules: ModuleShape::Square,
            eyes: EyeShape::Square,
            eye_color: None,
            logo: None,
            logo_scale: 0.3,
            caption: None,
        };
        match preset {
            Preset::Default => plain,
            Preset::Brand => Self {
                foreground: Color::rgb(0x1e, 0x3a, 0x8a),
                gradient: Some(Gradient {
                    kind: GradientKind::Radial,
                    to: Color::rgb(0x25, 0x63, 0xeb),
                }),
                modules: ModuleShape::Rounded,
                eyes: EyeShape::Rounded,
                eye_color: Some(Color::rgb(0x0f, 0x17, 0x2a)),
                ..plain
            },
            Preset::Print => Self {
                format: Format::Svg,
                margin: 6,
                ec: Some(EcLevel::Q),
                ..plain
            },
        }
    }

    /// Checks the parts of the style that do not depend on the text.
    pub(crate) fn check(&self) -> Result<(), QrError> {
        if !(MIN_SIZE..=MAX_SIZE).contains(&self.size) {
            return Err(QrError::OutOfRange {
                what: "size",
                value: format!("{} px", self.size),
                range: "21 to 4096 px",
            });
        }
        if self.margin > MAX_MARGIN {
            return Err(QrError::OutOfRange {
                what: "margin",
                value: format!("{} modules", self.margin),
                range: "0 to 40 modules",
            });
        }
        if !(self.logo_scale > 0.0 && self.logo_scale <= 0.5) {
            return Err(QrError::OutOfRange {
                what: "logo scale",
                value: self.logo_scale.to_string(),
                range: "above 0 and at most 0.5 of the code's width",
            });
        }
        let dark = [
            Some(("foreground", self.foreground)),
            self.gradient.map(|g| ("gradient", g.to)),
            self.eye_color.map(|c| ("eye", c)),
        ];
        for (what, color) in dark.into_iter().flatten() {
            let ratio = color.contrast(self.background);
            if color.luminance() >= self.background.luminance() || ratio < MIN_CONTRAST {
                return Err(QrError::LowContrast {
                    what,
                    color: color.to_string(),
                    background: self.background.to_string(),
                    ratio,
                    min: MIN_CONTRAST,
                });
            }
        }
        Ok(())
    }
}

impl Default for QrStyle {
    fn default() -> Self {
        Self::preset(Preset::Default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_in_short_and_long_hex_with_or_without_hash() {
        assert_eq!("#fff".parse::<Color>().ok(), Some(Color::WHITE));
        assert_eq!(
            "1A2b3C".parse::<Color>().ok(),
            Some(Color::rgb(0x1a, 0x2b, 0x3c))
        );
        for bad in [
            "",
            "#",
            "#12",
            "#12345",
            "#1234567",
            "#ggg",
            "red",
            "#12 456",
            "#ﬀﬀﬀ",
        ] {
            assert!(bad.parse::<Color>().is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn a_light_foreground_on_white_is_rejected_with_its_contrast() {
        let style = QrStyle {
            foreground: Color::rgb(0xcc, 0xcc, 0xcc),
            ..QrStyle::default()
        };
        let message = style
            .check()
            .map(|()| String::new())
            .unwrap_or_else(|e| e.to_string());
        assert!(
            message.contains("#cccccc") && message.contains(":1"),
            "{message}"
        );
    }

    #[test]
    fn an_inverted_code_is_rejected_even_with_high_contrast() {
        let style = QrStyle {
            foreground: Color::WHITE,
            background: Color::BLACK,
            ..QrStyle::default()
        };
        assert!(matches!(style.check(), Err(QrError::LowContrast { .. })));
    }

    #[test]
    fn every_preset_passes_its_own_checks() {
        for preset in [Preset::Default, Preset::Brand, Preset::Print] {
            assert!(QrStyle::preset(preset).check().is_ok(), "{preset:?}");
        }
    }
}
