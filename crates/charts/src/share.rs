//! Shares of a whole (opens by outcome): a ring of coloured arcs and a legend
//! with each part's value and percentage.

use std::f32::consts::{FRAC_PI_2, TAU};
use std::fmt::Write as _;

use crate::text::{self, Align};
use crate::{ChartError, GRID, INK, MUTED, format_value, open_svg, rasterise};

/// Colours of the parts, in order; they repeat after the last.
const PALETTE: [&str; 8] = [
    "#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#6b7280",
];

/// A ring split into the parts' shares, with a legend on the right. Parts of
/// zero are listed in the legend but draw no arc.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareChart {
    pub title: String,
    /// Label and value of each part. Negative values count as zero.
    pub parts: Vec<(String, f64)>,
    pub width: u32,
    pub height: u32,
}

impl ShareChart {
    /// The chart as a standalone SVG document.
    pub fn svg(&self) -> Result<String, ChartError> {
        let (mut out, w, h) = open_svg(self.width, self.height)?;
        let title_size = (h * 0.06).clamp(12.0, 36.0);
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
        let radius = ((h - top - title_size * 0.6) / 2.0).min(w * 0.2).max(1.0);
        let (cx, cy) = (w * 0.05 + radius, top + radius);
        let inner = radius * 0.58;
        let total: f64 = self.parts.iter().map(|(_, v)| v.max(0.0)).sum();

        if total <= 0.0 {
            let _ = write!(
                out,
                r#"<circle cx="{cx:.2}" cy="{cy:.2}" r="{:.2}" fill="none" stroke="{GRID}" stroke-width="{:.2}"/>"#,
                (radius + inner) / 2.0,
                radius - inner
            );
        }
        let mut angle = -FRAC_PI_2;
        for (i, (_, value)) in self.parts.iter().enumerate() {
            let share = if total > 0.0 {
                (value.max(0.0) / total) as f32
            } else {
                0.0
            };
            if share <= 0.0 {
                continue;
            }
            let colour = PALETTE[i % PALETTE.len()];
            if share >= 0.9999 {
                let _ = write!(
                    out,
                    r#"<path d="{}" fill="{colour}" fill-rule="evenodd"/>"#,
                    ring(cx, cy, radius, inner)
                );
                break;
            }
            let end = angle + share * TAU;
            let _ = write!(
                out,
                r#"<path d="{}" fill="{colour}"/>"#,
                arc(cx, cy, radius, inner, angle, end)
            );
            angle = end;
        }

        let legend_x = cx + radius + w * 0.06;
        let rows = self.parts.len().max(1) as f32;
        let row = ((h - top) / rows).min(title_size * 1.6);
        let size = (row * 0.55).clamp(6.0, 20.0);
        for (i, (label, value)) in self.parts.iter().enumerate() {
            let y = top + row * i as f32 + row / 2.0;
            let colour = PALETTE[i % PALETTE.len()];
            let _ = write!(
                out,
                r#"<rect x="{legend_x:.2}" y="{:.2}" width="{size:.2}" height="{size:.2}" rx="2" fill="{colour}"/>"#,
                y - size / 2.0
            );
            let baseline = y + size * 0.36;
            let value = value.max(0.0);
            let amount = format!("{} · {}", format_value(value), percent(value, total));
            let amount_x = w * 0.97;
            let label_x = legend_x + size * 1.6;
            text::push_aligned(
                &mut out,
                label,
                size,
                (label_x, baseline),
                (amount_x - label_x) * 0.62,
                INK,
                Align::Start,
            );
            text::push_aligned(
                &mut out,
                &amount,
                size,
                (amount_x, baseline),
                (amount_x - label_x) * 0.36,
                MUTED,
                Align::End,
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

/// A whole percentage; a part too small to round to 1 % says so.
fn percent(value: f64, total: f64) -> String {
    if total <= 0.0 || value <= 0.0 {
        return "0%".to_owned();
    }
    let p = value / total * 100.0;
    if p < 0.5 {
        "<1%".to_owned()
    } else {
        format!("{}%", p.round() as i64)
    }
}

fn point(cx: f32, cy: f32, r: f32, angle: f32) -> (f32, f32) {
    (cx + r * angle.cos(), cy + r * angle.sin())
}

/// The band between radii `inner` and `outer` from angle `start` to `end`.
fn arc(cx: f32, cy: f32, outer: f32, inner: f32, start: f32, end: f32) -> String {
    let large = i32::from(end - start > std::f32::consts::PI);
    let (x0, y0) = point(cx, cy, outer, start);
    let (x1, y1) = point(cx, cy, outer, end);
    let (x2, y2) = point(cx, cy, inner, end);
    let (x3, y3) = point(cx, cy, inner, start);
    format!(
        "M{x0:.2} {y0:.2}A{outer:.2} {outer:.2} 0 {large} 1 {x1:.2} {y1:.2}L{x2:.2} {y2:.2}A{inner:.2} {inner:.2} 0 {large} 0 {x3:.2} {y3:.2}Z"
    )
}

/// A whole ring (two circles, filled even-odd).
fn ring(cx: f32, cy: f32, outer: f32, inner: f32) -> String {
    let circle = |r: f32| {
        format!(
            "M{:.2} {cy:.2}A{r:.2} {r:.2} 0 1 1 {:.2} {cy:.2}A{r:.2} {r:.2} 0 1 1 {:.2} {cy:.2}Z",
            cx - r,
            cx + r,
            cx - r
        )
    };
    format!("{}{}", circle(outer), circle(inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(parts: Vec<(String, f64)>) -> ShareChart {
        ShareChart {
            title: "Natijalar — Исходы".into(),
            parts,
            width: 800,
            height: 400,
        }
    }

    #[test]
    fn an_arc_is_drawn_per_positive_part_and_a_whole_one_is_a_ring() {
        let svg = chart(vec![
            ("a".into(), 3.0),
            ("b".into(), 0.0),
            ("c".into(), 1.0),
        ])
        .svg()
        .unwrap();
        let arcs = |colour: &str| svg.matches(&format!(r#"Z" fill="{colour}"/>"#)).count();
        assert_eq!(
            (arcs(PALETTE[0]), arcs(PALETTE[1]), arcs(PALETTE[2])),
            (1, 0, 1),
            "an arc for a and c, none for the zero b"
        );
        assert!(
            svg.contains(" 0 1 1 "),
            "a's three quarters take the large arc"
        );
        assert!(!svg.contains("<text"));
        let whole = chart(vec![("a".into(), 5.0), ("b".into(), 0.0)])
            .svg()
            .unwrap();
        assert!(whole.contains("evenodd"));
    }

    #[test]
    fn a_part_over_half_takes_the_large_arc() {
        let path = arc(0.0, 0.0, 10.0, 5.0, 0.0, 4.0);
        assert!(path.contains(" 0 1 1 "), "{path}");
    }

    #[test]
    fn percentages_are_whole_and_tiny_shares_say_so() {
        assert_eq!(percent(1.0, 3.0), "33%");
        assert_eq!(percent(1.0, 1000.0), "<1%");
        assert_eq!(percent(0.0, 10.0), "0%");
        assert_eq!(percent(2.0, 0.0), "0%");
    }

    #[test]
    fn empty_and_all_zero_charts_still_render() {
        assert!(chart(Vec::new()).png().is_ok());
        assert!(chart(vec![("x".into(), 0.0)]).png().is_ok());
    }
}
