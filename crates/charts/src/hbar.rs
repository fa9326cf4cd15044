//! Horizontal bars, one per row: a ranking (top campaigns, top links), where
//! the labels are names too long to stand under a vertical bar.

use std::fmt::Write as _;

use crate::text::{self, Align};
use crate::{BAR, ChartError, GRID, INK, MUTED, format_value, nice_ceiling, open_svg, rasterise};

/// Horizontal bars, top to bottom, with the label on the left and the value at
/// the end of each bar.
#[derive(Debug, Clone, PartialEq)]
pub struct HBarChart {
    pub title: String,
    /// Label and value of each bar, top to bottom. Negative values are drawn as zero.
    pub bars: Vec<(String, f64)>,
    pub width: u32,
    pub height: u32,
}

impl HBarChart {
    /// The chart as a standalone SVG document.
    pub fn svg(&self) -> Result<String, ChartError> {
        let (mut out, w, h) = open_svg(self.width, self.height)?;
        // Sized by the width: a ranking of two rows is a short, wide chart.
        let title_size = (w * 0.026).clamp(12.0, 36.0);
        text::push(
            &mut out,
            &self.title,
            title_size,
            w / 2.0,
            title_size * 1.4,
            w * 0.9,
            INK,
        );
        let top = title_size * 2.4;
        let bottom = h - title_size * 0.6;
        let label_right = w * 0.36;
        let left = label_right + w * 0.02;
        // Room for the value after the longest bar.
        let right = w * 0.88;
        let count = self.bars.len().max(1) as f32;
        let row = (bottom - top) / count;
        let bar_height = row * 0.66;
        let label_size = (row * 0.45).clamp(6.0, (w * 0.018).clamp(9.0, 20.0));
        let max = self
            .bars
            .iter()
            .map(|(_, v)| v.max(0.0))
            .fold(0.0_f64, f64::max);
        let scale_max = nice_ceiling(max);
        let _ = write!(
            out,
            r#"<path d="M{left} {top}V{bottom}" stroke="{GRID}" stroke-width="1"/>"#
        );
        for (i, (label, value)) in self.bars.iter().enumerate() {
            let y = top + row * i as f32 + (row - bar_height) / 2.0;
            let baseline = y + bar_height / 2.0 + label_size * 0.36;
            text::push_aligned(
                &mut out,
                label,
                label_size,
                (label_right, baseline),
                label_right - w * 0.02,
                INK,
                Align::End,
            );
            let fraction = if scale_max > 0.0 {
                (value.max(0.0) / scale_max) as f32
            } else {
                0.0
            };
            let bar_width = (right - left) * fraction;
            if bar_width > 0.0 {
                let _ = write!(
                    out,
                    r#"<rect x="{left:.2}" y="{y:.2}" width="{bar_width:.2}" height="{bar_height:.2}" rx="2" fill="{BAR}"/>"#
                );
            }
            text::push_aligned(
                &mut out,
                &format_value(value.max(0.0)),
                label_size,
                (left + bar_width + label_size * 0.4, baseline),
                w - (left + bar_width) - label_size * 0.6,
                MUTED,
                Align::Start,
            );
        }
        out.push_str("</svg>");
        Ok(out)
    }

    /// The chart as a PNG image.
    pub fn png(&self) -> Result<Vec<u8>, ChartError> {
        rasterise(&self.svg()?, self.width, self.height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(bars: Vec<(String, f64)>) -> HBarChart {
        HBarChart {
            title: "Kampaniyalar — Кампании".into(),
            bars,
            width: 800,
            height: 400,
        }
    }

    #[test]
    fn a_bar_is_drawn_per_positive_value_and_the_longest_is_the_largest() {
        let svg = chart(vec![
            ("bahor".into(), 40.0),
            ("zero".into(), 0.0),
            ("kuz".into(), 10.0),
        ])
        .svg()
        .unwrap();
        let widths: Vec<f32> = svg
            .match_indices(&format!("fill=\"{BAR}\""))
            .map(|(at, _)| {
                let rect = &svg[svg[..at].rfind("<rect").unwrap()..at];
                let w = rect.split("width=\"").nth(1).unwrap();
                w[..w.find('"').unwrap()].parse().unwrap()
            })
            .collect();
        assert_eq!(widths.len(), 2, "the zero bar is not drawn");
        assert!((widths[0] / widths[1] - 4.0).abs() < 0.01, "{widths:?}");
        assert!(!svg.contains("<text"), "text is outlines");
    }

    #[test]
    fn empty_and_crowded_charts_still_render() {
        assert!(chart(Vec::new()).png().is_ok());
        let many = (0..60).map(|i| (format!("c{i}"), f64::from(i))).collect();
        assert!(chart(many).png().is_ok());
    }
}
