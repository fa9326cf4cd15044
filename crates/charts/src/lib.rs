//! Charts for every place that shows numbers: the bot's `/stats` picture, the
//! panel and the PDF report. A chart is built once as SVG, with its text turned
//! into outlines from an embedded font, so the SVG shows the same everywhere
//! without fonts; the PNG is that SVG rasterised.
//!
//! [`BarChart`] (vertical bars over time), [`HBarChart`] (ranked horizontal
//! bars) and [`ShareChart`] (a ring of shares with a legend).
//!
//! Pure renderer: no knowledge of links, bots or the web.

mod hbar;
mod share;
mod text;

pub use hbar::HBarChart;
pub use share::ShareChart;

use std::fmt::Write as _;

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("chart size {0}×{1} is outside 100-4000 px")]
    Size(u32, u32),
    #[error("the chart's SVG could not be read back: {0}")]
    Svg(String),
    #[error("the chart could not be encoded as PNG: {0}")]
    Png(String),
}

/// Vertical bars with a label under each and the value above.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: String,
    /// Label and value of each bar, left to right. Negative values are drawn as zero.
    pub bars: Vec<(String, f64)>,
    pub width: u32,
    pub height: u32,
}

const BACKGROUND: &str = "#ffffff";
const INK: &str = "#1f2937";
const MUTED: &str = "#6b7280";
const GRID: &str = "#e5e7eb";
const BAR: &str = "#2563eb";

impl BarChart {
    /// The chart as a standalone SVG document.
    pub fn svg(&self) -> Result<String, ChartError> {
        let (mut out, w, h) = open_svg(self.width, self.height)?;
        let title_size = (h * 0.06).clamp(12.0, 36.0);
        let label_size = (h * 0.035).clamp(9.0, 20.0);
        text::push(
            &mut out,
            &self.title,
            title_size,
            w / 2.0,
            title_size * 1.4,
            w * 0.9,
            INK,
        );

        let left = w * 0.06;
        let right = w * 0.97;
        let top = title_size * 2.6;
        let bottom = h - label_size * 2.4;
        let max = self
            .bars
            .iter()
            .map(|(_, v)| v.max(0.0))
            .fold(0.0_f64, f64::max);
        let scale_max = nice_ceiling(max);
        let _ = write!(
            out,
            r#"<path d="M{left} {bottom}H{right}M{left} {top}H{right}" stroke="{GRID}" stroke-width="1"/>"#
        );
        if scale_max > 0.0 {
            let label = format_value(scale_max);
            text::push(
                &mut out,
                &label,
                label_size,
                left,
                top - label_size * 0.4,
                left * 1.8,
                MUTED,
            );
        }
        let count = self.bars.len().max(1) as f32;
        let slot = (right - left) / count;
        let bar_width = slot * 0.7;
        // Every label fits when there is room; otherwise every n-th.
        let label_every = ((label_size * 3.2) / slot).ceil().max(1.0) as usize;
        for (i, (label, value)) in self.bars.iter().enumerate() {
            let x = left + slot * i as f32 + (slot - bar_width) / 2.0;
            let fraction = if scale_max > 0.0 {
                (value.max(0.0) / scale_max) as f32
            } else {
                0.0
            };
            let bar_height = (bottom - top) * fraction;
            if bar_height > 0.0 {
                let y = bottom - bar_height;
                let _ = write!(
                    out,
                    r#"<rect x="{x:.2}" y="{y:.2}" width="{bar_width:.2}" height="{bar_height:.2}" rx="2" fill="{BAR}"/>"#
                );
            }
            let centre = x + bar_width / 2.0;
            // Too narrow a bar for a readable value: the scale line says enough.
            if *value > 0.0 && slot >= label_size * 1.5 {
                let shown = format_value(*value);
                text::push(
                    &mut out,
                    &shown,
                    label_size,
                    centre,
                    bottom - bar_height - label_size * 0.4,
                    slot,
                    INK,
                );
            }
            if i % label_every == 0 {
                text::push(
                    &mut out,
                    label,
                    label_size,
                    centre,
                    h - label_size * 0.9,
                    slot * label_every as f32,
                    MUTED,
                );
            }
        }
        out.push_str("</svg>");
        Ok(out)
    }

    /// The chart as a PNG image.
    pub fn png(&self) -> Result<Vec<u8>, ChartError> {
        rasterise(&self.svg()?, self.width, self.height)
    }
}

/// Checks the size and starts an SVG document on a white background; returns
/// it with the size as floats.
fn open_svg(width: u32, height: u32) -> Result<(String, f32, f32), ChartError> {
    if !(100..=4000).contains(&width) || !(100..=4000).contains(&height) {
        return Err(ChartError::Size(width, height));
    }
    let (w, h) = (width as f32, height as f32);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><rect width="{w}" height="{h}" fill="{BACKGROUND}"/>"#
    );
    Ok((out, w, h))
}

/// An SVG made here, as a PNG of its own size.
fn rasterise(svg: &str, width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default())
        .map_err(|e| ChartError::Svg(e.to_string()))?;
    let mut pixmap =
        tiny_skia::Pixmap::new(width, height).ok_or(ChartError::Size(width, height))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| ChartError::Png(e.to_string()))
}

/// The smallest of 1, 2, 2.5, 5 × 10^k at or above `value`, so the top line means something.
fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 {
        return 0.0;
    }
    let magnitude = 10_f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|step| step * magnitude)
        .find(|candidate| *candidate >= value)
        .unwrap_or(value)
}

fn format_value(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(bars: Vec<(String, f64)>) -> BarChart {
        BarChart {
            title: "Ochilishlar — Переходы <&>".into(),
            bars,
            width: 800,
            height: 400,
        }
    }

    #[test]
    fn an_svg_has_a_bar_per_positive_value_and_no_raw_text() {
        let bars = (1..=14)
            .map(|d| (format!("11-{d:02}"), f64::from(d % 3)))
            .collect();
        let svg = chart(bars).svg().unwrap();
        let drawn = svg.matches(&format!("fill=\"{BAR}\"")).count();
        assert_eq!(drawn, 10, "14 days, 4 of them zero");
        assert!(!svg.contains("<text"), "text is outlines");
        assert!(!svg.contains("<&>"), "nothing of the title leaks as markup");
    }

    #[test]
    fn a_png_is_rendered_at_the_asked_size() {
        let png = chart(vec![("a".into(), 3.0), ("b".into(), 7.0)])
            .png()
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        assert_eq!((width, height), (800, 400));
    }

    #[test]
    fn empty_and_all_zero_charts_still_draw() {
        assert!(chart(Vec::new()).png().is_ok());
        assert!(
            chart(vec![("x".into(), 0.0), ("y".into(), -4.0)])
                .png()
                .is_ok()
        );
    }

    #[test]
    fn absurd_sizes_are_refused() {
        let mut c = chart(Vec::new());
        c.width = 10;
        assert!(matches!(c.svg(), Err(ChartError::Size(10, 400))));
    }

    #[test]
    fn the_scale_tops_at_one_two_or_five() {
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(12.0), 20.0);
        assert_eq!(nice_ceiling(22.0), 25.0);
        assert_eq!(nice_ceiling(0.0), 0.0);
        assert_eq!(nice_ceiling(500.0), 500.0);
        assert_eq!(format_value(3.0), "3");
    }
}
