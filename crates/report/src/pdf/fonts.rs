//! The embedded fonts (DejaVu Sans and Sans Bold, subset to Latin, Uzbek's
//! `ʻ`, Cyrillic, punctuation and a few symbols; see `assets/`), measured with
//! ttf-parser and handed to krilla as glyph runs, so what is measured is
//! exactly what is drawn. No shaping: right for Latin and Cyrillic.

use std::ops::Range;
use std::sync::Arc;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use ttf_parser::Face;

use crate::ReportError;

static REGULAR: &[u8] = include_bytes!("../../assets/DejaVuSans-subset.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/DejaVuSans-Bold-subset.ttf");

/// Drawn for a character the font has no glyph for.
const MISSING: char = '□';

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One face: metrics for layout and the font krilla embeds.
pub(crate) struct FontFace {
    face: Face<'static>,
    units_per_em: f32,
    pub(crate) pdf: Font,
}

impl std::fmt::Debug for FontFace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontFace")
            .field("units_per_em", &self.units_per_em)
            .finish_non_exhaustive()
    }
}

/// A run of glyphs for one line of text.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub glyphs: Vec<KrillaGlyph>,
    /// The text the glyphs stand for (control characters replaced by spaces).
    pub text: String,
}

impl FontFace {
    fn load(data: &'static [u8]) -> Result<Self, ReportError> {
        let face = Face::parse(data, 0).map_err(|e| ReportError::Font(e.to_string()))?;
        let bytes: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(data);
        let pdf = Font::new(bytes.into(), 0)
            .ok_or_else(|| ReportError::Font("krilla cannot read the embedded font".into()))?;
        Ok(Self {
            units_per_em: f32::from(face.units_per_em()),
            face,
            pdf,
        })
    }

    /// The glyph for `c`; a character the font lacks gets [`MISSING`]'s.
    fn glyph(&self, c: char) -> ttf_parser::GlyphId {
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index(MISSING))
            .unwrap_or(ttf_parser::GlyphId(0))
    }

    fn advance(&self, c: char) -> f32 {
        let glyph = self.glyph(c);
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0)) / self.units_per_em
    }

    /// Whether the font has a glyph for `c`.
    #[cfg(test)]
    pub(crate) fn covers(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }

    /// Width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(clean(c))).sum::<f32>() * size
    }

    /// The glyphs of `text`, one per character. A character the font lacks
    /// (an emoji in a title) is drawn as `□` but still maps back to itself in
    /// the PDF's text (krilla writes an `ActualText` span where one glyph
    /// stands for several texts), so extracting it gives the original.
    pub(crate) fn run(&self, text: &str) -> Run {
        let text: String = text.chars().map(clean).collect();
        let mut glyphs = Vec::with_capacity(text.len());
        for (start, c) in text.char_indices() {
            let glyph = self.glyph(c);
            let range: Range<usize> = start..start + c.len_utf8();
            glyphs.push(KrillaGlyph {
                glyph_id: GlyphId::new(u32::from(glyph.0)),
                text_range: range,
                x_advance: self.advance(c),
                x_offset: 0.0,
                y_offset: 0.0,
                y_advance: 0.0,
                location: None,
            });
        }
        Run { glyphs, text }
    }

    /// `text` cut to fit `max_width` at `size`, ending in `…` when cut.
    pub(crate) fn fit(&self, text: &str, size: f32, max_width: f32) -> String {
        if self.width(text, size) <= max_width {
            return text.chars().map(clean).collect();
        }
        let ellipsis = self.advance('…') * size;
        let mut width = 0.0;
        let mut out = String::new();
        for c in text.chars().map(clean) {
            let w = self.advance(c) * size;
            if width + w + ellipsis > max_width {
                break;
            }
            width += w;
            out.push(c);
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('…');
        out
    }

    /// `text` broken into lines no wider than `max_width` at `size`, at
    /// spaces where possible.
    pub(crate) fn wrap(&self, text: &str, size: f32, max_width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size) <= max_width || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line = word.to_owned();
            }
            // A single word wider than the line is cut rather than overflowing.
            if self.width(&line, size) > max_width {
                line = self.fit(&line, size, max_width);
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// Control characters (tabs, newlines, escapes in user-given titles) become spaces.
fn clean(c: char) -> char {
    if c.is_control() { ' ' } else { c }
}

/// Both weights.
#[derive(Debug)]
pub(crate) struct Fonts {
    pub regular: FontFace,
    pub bold: FontFace,
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, ReportError> {
        Ok(Self {
            regular: FontFace::load(REGULAR)?,
            bold: FontFace::load(BOLD)?,
        })
    }

    pub(crate) fn face(&self, weight: Weight) -> &FontFace {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

#[cfg(test)]
mod tests {
    use startlink_core::lang::Lang;

    use super::*;
    use crate::labels;

    #[test]
    fn uzbek_russian_and_the_number_sign_have_glyphs_in_both_weights() {
        let fonts = Fonts::load().unwrap();
        for face in [&fonts.regular, &fonts.bold] {
            for c in "oʻ gʻ o‘ g‘ ЁёЙйЩщЪъ № — … − ▲ ▼ ·".chars() {
                assert!(
                    c == ' ' || face.covers(c),
                    "no glyph for {c:?} U+{:04X}",
                    c as u32
                );
            }
        }
    }

    #[test]
    fn every_label_of_every_language_has_its_glyphs() {
        let fonts = Fonts::load().unwrap();
        for lang in Lang::ALL {
            let text = format!("{:?}", labels(lang));
            for c in text.chars().filter(|c| !c.is_control()) {
                assert!(fonts.regular.covers(c), "{lang}: no glyph for {c:?}");
                assert!(fonts.bold.covers(c), "{lang}: no bold glyph for {c:?}");
            }
        }
    }

    #[test]
    fn text_too_wide_is_cut_with_an_ellipsis_and_fits() {
        let fonts = Fonts::load().unwrap();
        let face = &fonts.regular;
        let long = "Bahorgi chegirma — Весенняя распродажа 2026";
        let cut = face.fit(long, 10.0, 80.0);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(face.width(&cut, 10.0) <= 80.0);
        assert_eq!(face.fit("short", 10.0, 80.0), "short");
    }

    #[test]
    fn wrapping_keeps_every_word_and_each_line_fits() {
        let fonts = Fonts::load().unwrap();
        let face = &fonts.regular;
        let text = "Havolalar: shu davrda yaratilganlari, holati hozirgi paytda.";
        let lines = face.wrap(text, 10.0, 120.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), text);
        assert!(lines.iter().all(|l| face.width(l, 10.0) <= 120.0));
    }

    #[test]
    fn control_characters_become_spaces_and_each_glyph_maps_to_its_text() {
        let fonts = Fonts::load().unwrap();
        let run = fonts.bold.run("a\nб\u{1b}ʻ");
        assert_eq!(run.text, "a б ʻ");
        assert_eq!(run.glyphs.len(), 5);
        let ranges: Vec<_> = run.glyphs.iter().map(|g| g.text_range.clone()).collect();
        assert_eq!(ranges, vec![0..1, 1..2, 2..4, 4..5, 5..7]);
    }
}
