//! One description of the picture, in module units, that both the PNG and the
//! SVG writer draw: so the two formats cannot drift apart.

use std::sync::Arc;

use tiny_skia::{Path, PathBuilder, Rect};

use crate::caption;
use crate::logo::Logo;
use crate::matrix::{Clearing, LOGO_PADDING, Matrix};
use crate::style::{Color, EyeShape, GradientKind, ModuleShape, QrStyle};

/// A fill, in scene coordinates.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fill {
    Solid(Color),
    Linear {
        from: Color,
        to: Color,
        start: (f32, f32),
        end: (f32, f32),
    },
    Radial {
        from: Color,
        to: Color,
        center: (f32, f32),
        radius: f32,
    },
}

#[derive(Debug)]
pub(crate) struct Layer {
    pub path: Path,
    pub fill: Fill,
    pub even_odd: bool,
}

/// A dark data module at `(x, y)` in the symbol. `corners` has a bit set for
/// each corner the rounded shape rounds: 1 top-left, 2 top-right,
/// 4 bottom-right, 8 bottom-left.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell {
    pub x: u16,
    pub y: u16,
    pub corners: u8,
}

/// The data modules, kept as cells: the PNG stamps one pre-drawn tile per
/// cell, the SVG turns them into one path.
#[derive(Debug)]
pub(crate) struct Modules {
    pub cells: Vec<Cell>,
    pub shape: ModuleShape,
    pub fill: Fill,
}

impl Modules {
    /// All modules as one path, the symbol's top-left at `(origin, origin)`.
    pub fn path(&self, origin: f32) -> Option<Path> {
        let mut path = PathBuilder::new();
        for cell in &self.cells {
            let (x, y) = (origin + f32::from(cell.x), origin + f32::from(cell.y));
            push_module(&mut path, self.shape, x, y, 1.0, cell.corners);
        }
        path.finish()
    }
}

#[derive(Debug)]
pub(crate) struct Scene {
    /// Image size in modules, quiet zone and caption band included.
    pub width: f32,
    pub height: f32,
    pub margin: f32,
    pub background: Color,
    pub modules: Modules,
    /// Eyes, then the caption: drawn over the modules.
    pub layers: Vec<Layer>,
    pub logo: Option<(Arc<Logo>, Rect)>,
}

/// What one attempt draws; the self-check degrades these step by step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Look {
    pub modules: ModuleShape,
    pub eyes: EyeShape,
    pub gradient: bool,
    pub clearing: Option<Clearing>,
}

/// Caption height as a share of the image width.
const CAPTION_SCALE: f32 = 0.075;

pub(crate) fn build(matrix: &Matrix, style: &QrStyle, look: &Look) -> Scene {
    let n = matrix.n;
    let m = style.margin as f32;
    let width = n as f32 + 2.0 * m;
    let cleared = |x: usize, y: usize| look.clearing.is_some_and(|c| c.contains(n, x, y));

    let code_fill = match (look.gradient, style.gradient) {
        (true, Some(gradient)) => {
            let (from, to) = (style.foreground, gradient.to);
            match gradient.kind {
                GradientKind::Linear => Fill::Linear {
                    from,
                    to,
                    start: (m, m),
                    end: (m + n as f32, m + n as f32),
                },
                GradientKind::Radial => Fill::Radial {
                    from,
                    to,
                    center: (m + n as f32 / 2.0, m + n as f32 / 2.0),
                    radius: n as f32 * std::f32::consts::FRAC_1_SQRT_2,
                },
            }
        }
        _ => Fill::Solid(style.foreground),
    };
    let eye_fill = style.eye_color.map_or(code_fill, Fill::Solid);

    let mut cells = Vec::new();
    for y in 0..n {
        for x in 0..n {
            if matrix.dark[y * n + x] && !matrix.in_eye(x, y) && !cleared(x, y) {
                let dark = |dx: i64, dy: i64| {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    matrix.is_dark(nx, ny) && !cleared(nx as usize, ny as usize)
                };
                // A corner is rounded only where neither neighbour on its
                // sides is dark, so runs of modules merge into bars and blobs.
                let (left, right, up, down) = (dark(-1, 0), dark(1, 0), dark(0, -1), dark(0, 1));
                let corners = u8::from(!left && !up)
                    | u8::from(!right && !up) << 1
                    | u8::from(!right && !down) << 2
                    | u8::from(!left && !down) << 3;
                cells.push(Cell {
                    x: x as u16,
                    y: y as u16,
                    corners,
                });
            }
        }
    }

    let mut rings = PathBuilder::new();
    let mut balls = PathBuilder::new();
    let far = (n - 7) as f32;
    for (ex, ey) in [(0.0, 0.0), (far, 0.0), (0.0, far)] {
        push_eye(&mut rings, &mut balls, look.eyes, m + ex, m + ey);
    }

    let mut layers = Vec::new();
    for (builder, fill, even_odd) in [(rings, eye_fill, true), (balls, eye_fill, false)] {
        if let Some(path) = builder.finish() {
            layers.push(Layer {
                path,
                fill,
                even_odd,
            });
        }
    }

    let logo = match (&style.logo, look.clearing) {
        (Some(logo), Some(clearing)) => {
            let (x0, y0) = clearing.origin(n);
            let box_w = clearing.w as f32 - 2.0 * LOGO_PADDING;
            let box_h = clearing.h as f32 - 2.0 * LOGO_PADDING;
            let scale = (box_w / logo.aspect()).min(box_h);
            let (w, h) = (scale * logo.aspect(), scale);
            let x = m + x0 as f32 + (clearing.w as f32 - w) / 2.0;
            let y = m + y0 as f32 + (clearing.h as f32 - h) / 2.0;
            Rect::from_xywh(x, y, w, h).map(|rect| (Arc::clone(logo), rect))
        }
        _ => None,
    };

    let mut height = width;
    if let Some(text) = style.caption.as_deref().filter(|t| !t.trim().is_empty()) {
        // The whole quiet zone stays clear; the caption goes below it.
        let top = width + if style.margin == 0 { 1.0 } else { 0.0 };
        let size = width * CAPTION_SCALE;
        let dark = style.eye_color.unwrap_or(style.foreground);
        if let Some(path) = caption::line(text, size, width / 2.0, top + size, width * 0.92) {
            layers.push(Layer {
                path,
                fill: Fill::Solid(dark),
                even_odd: false,
            });
        }
        height = top + size * 1.6;
    }

    Scene {
        width,
        height,
        margin: m,
        background: style.background,
        modules: Modules {
            cells,
            shape: look.modules,
            fill: code_fill,
        },
        layers,
        logo,
    }
}

/// Control-point distance that makes a cubic Bézier approximate a quarter circle.
const KAPPA: f32 = 0.552_284_8;

/// One module of `size` at `(x, y)`; `corners` as in [`Cell`].
pub(crate) fn push_module(
    path: &mut PathBuilder,
    shape: ModuleShape,
    x: f32,
    y: f32,
    size: f32,
    corners: u8,
) {
    match shape {
        ModuleShape::Square => push_rect(path, x, y, size, size),
        ModuleShape::Dots => path.push_circle(x + size / 2.0, y + size / 2.0, size * 0.45),
        ModuleShape::Rounded => {
            let r = |bit: u8| if corners & bit != 0 { size / 2.0 } else { 0.0 };
            push_rounded_rect(
                path,
                Rect::from_xywh(x, y, size, size),
                [r(1), r(2), r(4), r(8)],
            );
        }
    }
}

fn push_rect(path: &mut PathBuilder, x: f32, y: f32, w: f32, h: f32) {
    if let Some(rect) = Rect::from_xywh(x, y, w, h) {
        path.push_rect(rect);
    }
}

/// A rectangle with per-corner radii: top-left, top-right, bottom-right, bottom-left.
fn push_rounded_rect(path: &mut PathBuilder, rect: Option<Rect>, radii: [f32; 4]) {
    let Some(rect) = rect else { return };
    let (l, t, r, b) = (rect.left(), rect.top(), rect.right(), rect.bottom());
    let [tl, tr, br, bl] = radii;
    // Sides shrink to nothing between two full-radius corners: no segment then.
    let side = |path: &mut PathBuilder, from: f32, to: f32, x: f32, y: f32| {
        if from != to {
            path.line_to(x, y);
        }
    };
    path.move_to(l + tl, t);
    side(path, l + tl, r - tr, r - tr, t);
    if tr > 0.0 {
        path.cubic_to(r - tr + tr * KAPPA, t, r, t + tr - tr * KAPPA, r, t + tr);
    }
    side(path, t + tr, b - br, r, b - br);
    if br > 0.0 {
        path.cubic_to(r, b - br + br * KAPPA, r - br + br * KAPPA, b, r - br, b);
    }
    side(path, r - br, l + bl, l + bl, b);
    if bl > 0.0 {
        path.cubic_to(l + bl - bl * KAPPA, b, l, b - bl + bl * KAPPA, l, b - bl);
    }
    side(path, b - bl, t + tl, l, t + tl);
    if tl > 0.0 {
        path.cubic_to(l, t + tl - tl * KAPPA, l + tl - tl * KAPPA, t, l + tl, t);
    }
    path.close();
}

/// A finder pattern: a 7×7 ring (filled even-odd) around a 3×3 ball.
fn push_eye(rings: &mut PathBuilder, balls: &mut PathBuilder, shape: EyeShape, x: f32, y: f32) {
    match shape {
        EyeShape::Square => {
            push_rect(rings, x, y, 7.0, 7.0);
            push_rect(rings, x + 1.0, y + 1.0, 5.0, 5.0);
            push_rect(balls, x + 2.0, y + 2.0, 3.0, 3.0);
        }
        EyeShape::Rounded => {
            push_rounded_rect(rings, Rect::from_xywh(x, y, 7.0, 7.0), [2.0; 4]);
            push_rounded_rect(rings, Rect::from_xywh(x + 1.0, y + 1.0, 5.0, 5.0), [1.3; 4]);
            push_rounded_rect(balls, Rect::from_xywh(x + 2.0, y + 2.0, 3.0, 3.0), [1.0; 4]);
        }
        EyeShape::Circle => {
            rings.push_circle(x + 3.5, y + 3.5, 3.5);
            rings.push_circle(x + 3.5, y + 3.5, 2.5);
            balls.push_circle(x + 3.5, y + 3.5, 1.5);
        }
    }
}
