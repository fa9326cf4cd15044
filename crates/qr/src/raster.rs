//! Scene → pixels (tiny-skia, anti-aliased) → PNG.

use tiny_skia::{
    Color as SkColor, FillRule, GradientStop, LinearGradient, Paint, Pixmap, PixmapPaint, Point,
    RadialGradient, Shader, SpreadMode, Transform,
};

use crate::error::QrError;
use crate::scene::{Fill, Scene};
use crate::style::Color;

/// Where the scene lands in the PNG: whole pixels per module, so module edges
/// are crisp, and the code centred in the requested width.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PixelGrid {
    pub unit: f32,
    pub offset: f32,
    pub width: u32,
    pub height: u32,
}

impl PixelGrid {
    pub fn new(scene: &Scene, size: u32, modules: usize) -> Self {
        let unit = (size as f32 / scene.width).floor().max(1.0);
        let code_origin = ((size as f32 - unit * modules as f32) / 2.0).floor();
        let offset = code_origin - scene.margin * unit;
        let extra = ((scene.height - scene.width) * unit).round().max(0.0) as u32;
        Self {
            unit,
            offset,
            width: size,
            height: size + extra,
        }
    }

    pub fn transform(self) -> Transform {
        Transform::from_row(self.unit, 0.0, 0.0, self.unit, self.offset, self.offset)
    }
}

fn sk(color: Color) -> SkColor {
    SkColor::from_rgba8(color.r, color.g, color.b, 255)
}

fn shader(fill: Fill) -> Shader<'static> {
    let stops = |from, to| {
        vec![
            GradientStop::new(0.0, sk(from)),
            GradientStop::new(1.0, sk(to)),
        ]
    };
    let gradient = match fill {
        Fill::Solid(_) => None,
        Fill::Linear {
            from,
            to,
            start,
            end,
        } => LinearGradient::new(
            Point::from_xy(start.0, start.1),
            Point::from_xy(end.0, end.1),
            stops(from, to),
            SpreadMode::Pad,
            Transform::identity(),
        ),
        Fill::Radial {
            from,
            to,
            center,
            radius,
        } => RadialGradient::new(
            Point::from_xy(center.0, center.1),
            Point::from_xy(center.0, center.1),
            radius,
            stops(from, to),
            SpreadMode::Pad,
            Transform::identity(),
        ),
    };
    // A degenerate gradient (zero length) falls back to its first colour.
    gradient.unwrap_or_else(|| {
        Shader::SolidColor(sk(match fill {
            Fill::Solid(c) | Fill::Linear { from: c, .. } | Fill::Radial { from: c, .. } => c,
        }))
    })
}

/// Paints the scene; the result is opaque (logos are composited onto the background).
pub(crate) fn paint(scene: &Scene, grid: PixelGrid) -> Result<Pixmap, QrError> {
    let mut pixmap = Pixmap::new(grid.width, grid.height)
        .ok_or_else(|| QrError::Encode(format!("no {}x{} canvas", grid.width, grid.height)))?;
    pixmap.fill(sk(scene.background));
    let transform = grid.transform();
    for layer in &scene.layers {
        let paint = Paint {
            shader: shader(layer.fill),
            anti_alias: true,
            ..Paint::default()
        };
        let rule = if layer.even_odd {
            FillRule::EvenOdd
        } else {
            FillRule::Winding
        };
        pixmap.fill_path(&layer.path, &paint, rule, transform, None);
    }
    if let Some((logo, rect)) = &scene.logo {
        let x = (grid.offset + rect.x() * grid.unit).round();
        let y = (grid.offset + rect.y() * grid.unit).round();
        let w = (rect.width() * grid.unit).round().max(1.0) as u32;
        let h = (rect.height() * grid.unit).round().max(1.0) as u32;
        let image = logo.pixmap(w, h)?;
        pixmap.draw_pixmap(
            x as i32,
            y as i32,
            image.as_ref().as_ref(),
            &PixmapPaint::default(),
            Transform::identity(),
            None,
        );
    }
    Ok(pixmap)
}

/// Encodes an opaque pixmap as an 8-bit RGB PNG, a row at a time. Fast
/// deflate, because QR images are flat colour and compress well anyway; the
/// Up filter, because inside a module row each pixel row repeats the one
/// above, so most rows filter to zeros (a third of Sub's size, as fast).
pub(crate) fn encode_png(pixmap: &Pixmap) -> Result<Vec<u8>, QrError> {
    let failed = |e: png::EncodingError| QrError::Encode(format!("PNG: {e}"));
    let width = pixmap.width() as usize;
    let mut out = Vec::with_capacity(width * pixmap.height() as usize / 4);
    {
        let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::FilterType::Up);
        let mut writer = encoder.write_header().map_err(failed)?;
        let mut stream = writer.stream_writer().map_err(failed)?;
        let mut row = vec![0u8; width * 3];
        for line in pixmap.data().chunks_exact(width * 4) {
            for (rgb, rgba) in row.chunks_exact_mut(3).zip(line.chunks_exact(4)) {
                rgb.copy_from_slice(&rgba[..3]);
            }
            std::io::Write::write_all(&mut stream, &row)
                .map_err(|e| QrError::Encode(format!("PNG: {e}")))?;
        }
        stream.finish().map_err(failed)?;
    }
    Ok(out)
}
