//! Gradient fills composited by hand. tiny-skia's gradient pipeline cost
//! about 12 ns per covered pixel, the largest share of a styled render; the
//! path's coverage from a mask plus this loop costs a fraction of that. The
//! geometry is the SVG's (`userSpaceOnUse`, pad, interpolation in sRGB), so
//! the PNG and the SVG agree.

use std::ops::Range;

use tiny_skia::{Mask, Pixmap, Point, Transform};

use crate::scene::Fill;
use crate::style::Color;

/// Paints `fill` through `mask` (coverage 0–255) onto the opaque `pixmap`,
/// within `rows × cols`; `transform` maps scene units to pixels.
pub(crate) fn composite(
    pixmap: &mut Pixmap,
    mask: &Mask,
    fill: Fill,
    transform: Transform,
    rows: Range<usize>,
    cols: Range<usize>,
) {
    let at = |x: f32, y: f32| {
        let mut p = Point::from_xy(x, y);
        transform.map_point(&mut p);
        p
    };
    match fill {
        Fill::Solid(color) => blend(pixmap, mask, &ramp(color, color), rows, cols, |_, _| 0.0),
        Fill::Linear {
            from,
            to,
            start,
            end,
        } => {
            let (a, b) = (at(start.0, start.1), at(end.0, end.1));
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let scale = 1.0 / (dx * dx + dy * dy).max(f32::EPSILON);
            blend(pixmap, mask, &ramp(from, to), rows, cols, |x, y| {
                ((x - a.x) * dx + (y - a.y) * dy) * scale
            });
        }
        Fill::Radial {
            from,
            to,
            center,
            radius,
        } => {
            let c = at(center.0, center.1);
            let scale = 1.0 / (radius * transform.sx).max(f32::EPSILON);
            blend(pixmap, mask, &ramp(from, to), rows, cols, |x, y| {
                ((x - c.x) * (x - c.x) + (y - c.y) * (y - c.y)).sqrt() * scale
            });
        }
    }
}

/// 256 steps from `from` to `to`: finer than 8-bit channels can show.
fn ramp(from: Color, to: Color) -> [[u8; 3]; 256] {
    let mut ramp = [[0; 3]; 256];
    for (i, step) in ramp.iter_mut().enumerate() {
        let t = i as f32 / 255.0;
        let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * t).round() as u8;
        *step = [mix(from.r, to.r), mix(from.g, to.g), mix(from.b, to.b)];
    }
    ramp
}

fn blend(
    pixmap: &mut Pixmap,
    mask: &Mask,
    ramp: &[[u8; 3]; 256],
    rows: Range<usize>,
    cols: Range<usize>,
    position: impl Fn(f32, f32) -> f32,
) {
    let width = pixmap.width() as usize;
    let coverage = mask.data();
    let pixels = pixmap.data_mut();
    for y in rows {
        let py = y as f32 + 0.5;
        for x in cols.clone() {
            let a = u32::from(coverage[y * width + x]);
            if a == 0 {
                continue;
            }
            let t = position(x as f32 + 0.5, py).clamp(0.0, 1.0);
            let [r, g, b] = ramp[(t * 255.0 + 0.5) as usize];
            let px = &mut pixels[(y * width + x) * 4..][..4];
            if a == 255 {
                px.copy_from_slice(&[r, g, b, 255]);
                continue;
            }
            let keep = 255 - a;
            for (channel, c) in px.iter_mut().zip([r, g, b, 255]) {
                *channel = div255(u32::from(c) * a + u32::from(*channel) * keep);
            }
        }
    }
}

/// `v / 255`, rounded, for `v` up to 255 × 255.
fn div255(v: u32) -> u8 {
    let v = v + 128;
    ((v + (v >> 8)) >> 8) as u8
}

#[cfg(test)]
mod tests {
    use super::div255;

    #[test]
    fn div255_rounds_like_division() {
        for v in 0..=255 * 255 {
            assert_eq!(u32::from(div255(v)), (v + 127) / 255, "{v}");
        }
    }
}
