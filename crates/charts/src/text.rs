//! Text as SVG outlines from the embedded font (DejaVu Sans Bold, subset to
//! Latin with Uzbek's ʻ and Cyrillic; the file and its licence are shared with
//! the QR studio under `crates/qr/assets`). No shaping: right for these scripts.

use std::fmt::Write as _;

use ttf_parser::{Face, GlyphId, OutlineBuilder};

static FONT: &[u8] = include_bytes!("../../qr/assets/DejaVuSans-Bold-subset.ttf");

/// Where a line of text stands relative to its `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Start,
    Center,
    End,
}

/// Appends `text` as a filled path, `size` px tall, centred on `center_x`, with
/// its baseline at `baseline`, shrunk to fit `max_width`.
pub(crate) fn push(
    out: &mut String,
    text: &str,
    size: f32,
    center_x: f32,
    baseline: f32,
    max_width: f32,
    fill: &str,
) {
    push_aligned(
        out,
        text,
        size,
        (center_x, baseline),
        max_width,
        fill,
        Align::Center,
    );
}

/// Like [`push`], with the text starting at, centred on or ending at `x`.
pub(crate) fn push_aligned(
    out: &mut String,
    text: &str,
    size: f32,
    (x, baseline): (f32, f32),
    max_width: f32,
    fill: &str,
    align: Align,
) {
    let Ok(face) = Face::parse(FONT, 0) else {
        return;
    };
    let em = f32::from(face.units_per_em());
    let glyphs: Vec<GlyphId> = text
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| face.glyph_index(c).unwrap_or(GlyphId(0)))
        .collect();
    let advance: f32 = glyphs
        .iter()
        .map(|&g| f32::from(face.glyph_hor_advance(g).unwrap_or(0)))
        .sum();
    if advance <= 0.0 {
        return;
    }
    let scale = (size / em).min(max_width.max(0.0) / advance);
    let start = match align {
        Align::Start => x,
        Align::Center => x - advance * scale / 2.0,
        Align::End => x - advance * scale,
    };
    let mut pen = Path {
        d: String::new(),
        scale,
        x: start,
        y: baseline,
    };
    for glyph in glyphs {
        face.outline_glyph(glyph, &mut pen);
        pen.x += f32::from(face.glyph_hor_advance(glyph).unwrap_or(0)) * scale;
    }
    if !pen.d.is_empty() {
        let _ = write!(out, r#"<path d="{}" fill="{fill}"/>"#, pen.d);
    }
}

struct Path {
    d: String,
    scale: f32,
    x: f32,
    y: f32,
}

impl Path {
    fn point(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x + x * self.scale, self.y - y * self.scale)
    }
}

impl OutlineBuilder for Path {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.point(x, y);
        let _ = write!(self.d, "M{x:.2} {y:.2}");
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.point(x, y);
        let _ = write!(self.d, "L{x:.2} {y:.2}");
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (x1, y1) = self.point(x1, y1);
        let (x, y) = self.point(x, y);
        let _ = write!(self.d, "Q{x1:.2} {y1:.2} {x:.2} {y:.2}");
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (x1, y1) = self.point(x1, y1);
        let (x2, y2) = self.point(x2, y2);
        let (x, y) = self.point(x, y);
        let _ = write!(self.d, "C{x1:.2} {y1:.2} {x2:.2} {y2:.2} {x:.2} {y:.2}");
    }

    fn close(&mut self) {
        self.d.push('Z');
    }
}
