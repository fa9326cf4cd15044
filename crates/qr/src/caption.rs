//! The caption under the code, turned into outlines from an embedded font, so
//! PNG and SVG look the same and the SVG needs no font on the viewer's side.
//!
//! The font is DejaVu Sans Bold, subset to Latin (with Uzbek's ʻ), Cyrillic,
//! punctuation and currency signs (`assets/`, licence beside it). Glyphs are
//! placed by their advances without shaping: right for those scripts, not
//! for scripts that need joining.

use tiny_skia::{Path, PathBuilder};
use ttf_parser::{Face, GlyphId, OutlineBuilder};

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans-Bold-subset.ttf");

/// Never shrink text below this share of its nominal size; cut it instead.
const MIN_SHRINK: f32 = 0.55;

/// `text` on one line, `size` units tall, centred on `center_x`, baseline at
/// `baseline`, at most `max_width` wide: shrunk, then cut with an ellipsis.
pub(crate) fn line(
    text: &str,
    size: f32,
    center_x: f32,
    baseline: f32,
    max_width: f32,
) -> Option<Path> {
    let face = Face::parse(FONT, 0).ok()?;
    let em = f32::from(face.units_per_em());
    let mut glyphs: Vec<GlyphId> = text
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| face.glyph_index(c).unwrap_or(GlyphId(0)))
        .collect();
    let advance = |glyphs: &[GlyphId]| -> f32 {
        glyphs
            .iter()
            .map(|&g| f32::from(face.glyph_hor_advance(g).unwrap_or(0)))
            .sum()
    };
    let nominal = size / em;
    let mut scale = nominal.min(max_width / advance(&glyphs).max(1.0));
    if scale < nominal * MIN_SHRINK {
        scale = nominal * MIN_SHRINK;
        let ellipsis = face.glyph_index('…').unwrap_or(GlyphId(0));
        while !glyphs.is_empty() && (advance(&glyphs) + advance(&[ellipsis])) * scale > max_width {
            glyphs.pop();
        }
        glyphs.push(ellipsis);
    }
    let mut pen = center_x - advance(&glyphs) * scale / 2.0;
    let mut builder = Outline {
        path: PathBuilder::new(),
        scale,
        x: pen,
        y: baseline,
    };
    for glyph in glyphs {
        builder.x = pen;
        face.outline_glyph(glyph, &mut builder);
        pen += f32::from(face.glyph_hor_advance(glyph).unwrap_or(0)) * scale;
    }
    builder.path.finish()
}

/// Font units (y up) to scene units (y down) at the pen position.
struct Outline {
    path: PathBuilder,
    scale: f32,
    x: f32,
    y: f32,
}

impl Outline {
    fn at(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x + x * self.scale, self.y - y * self.scale)
    }
}

impl OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.path.move_to(x, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.path.line_to(x, y);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let ((x1, y1), (x, y)) = (self.at(x1, y1), self.at(x, y));
        self.path.quad_to(x1, y1, x, y);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let ((x1, y1), (x2, y2), (x, y)) = (self.at(x1, y1), self.at(x2, y2), self.at(x, y));
        self.path.cubic_to(x1, y1, x2, y2, x, y);
    }

    fn close(&mut self) {
        self.path.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_has_uzbek_and_cyrillic_letters() {
        let face = Face::parse(FONT, 0).ok();
        assert!(face.is_some(), "the embedded font parses");
        if let Some(face) = face {
            for c in "Oʻzbekcha gʻ Ўзбекча Сканируйте Scan me …"
                .chars()
                .filter(|c| *c != ' ')
            {
                assert!(face.glyph_index(c).is_some(), "no glyph for {c:?}");
            }
        }
    }

    #[test]
    fn a_long_caption_is_cut_to_the_width() {
        let path = line(&"W".repeat(500), 3.0, 20.0, 40.0, 36.0);
        let bounds = path.map(|p| p.bounds());
        assert!(
            bounds.is_some_and(|b| b.left() >= 1.9 && b.right() <= 38.1),
            "{bounds:?}"
        );
    }
}
