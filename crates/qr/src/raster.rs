//! Scene → pixels (tiny-skia, anti-aliased; gradients in `gradient.rs`) → PNG.

use std::cell::RefCell;

use tiny_skia::{Color as SkColor, FillRule, IntSize, Mask, Paint, Pixmap, PixmapPaint, Transform};

use crate::error::QrError;
use crate::gradient;
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

/// Paints the scene; the result is opaque (logos are composited onto the background).
pub(crate) fn paint(scene: &Scene, grid: PixelGrid) -> Result<Pixmap, QrError> {
    let no_canvas = || QrError::Encode(format!("no {}x{} canvas", grid.width, grid.height));
    let size = IntSize::from_wh(grid.width, grid.height).ok_or_else(no_canvas)?;
    let mut data = take_scratch(Scratch::Canvas);
    data.clear();
    data.resize(grid.width as usize * grid.height as usize * 4, 0);
    let mut pixmap = Pixmap::from_vec(data, size).ok_or_else(no_canvas)?;
    pixmap.fill(sk(scene.background));
    let transform = grid.transform();
    let mut mask: Option<Mask> = None;
    for layer in &scene.layers {
        let rule = if layer.even_odd {
            FillRule::EvenOdd
        } else {
            FillRule::Winding
        };
        if let Fill::Solid(color) = layer.fill {
            let mut paint = Paint::default();
            paint.set_color(sk(color));
            paint.anti_alias = true;
            pixmap.fill_path(&layer.path, &paint, rule, transform, None);
            continue;
        }
        let Some(bounds) = layer.path.bounds().transform(transform) else {
            continue;
        };
        let mask = match &mut mask {
            Some(mask) => {
                mask.clear();
                mask
            }
            None => mask.insert(new_mask(size)?),
        };
        mask.fill_path(&layer.path, rule, true, transform);
        let span = |low: f32, high: f32, limit: u32| {
            (low.floor().max(0.0) as usize)..(high.ceil().max(0.0) as usize).min(limit as usize)
        };
        gradient::composite(
            &mut pixmap,
            mask,
            layer.fill,
            transform,
            span(bounds.top(), bounds.bottom(), grid.height),
            span(bounds.left(), bounds.right(), grid.width),
        );
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

/// Encodes an opaque pixmap as an 8-bit RGB PNG. Fast deflate (png's
/// `write_image_data` path, which uses fdeflate; its stream writer does not),
/// because QR images are flat colour and compress well anyway; the Up filter,
/// because inside a module each pixel row repeats the one above, so most rows
/// filter to zeros (a third of Sub's size, as fast).
pub(crate) fn encode_png(pixmap: &Pixmap) -> Result<Vec<u8>, QrError> {
    let failed = |e: png::EncodingError| QrError::Encode(format!("PNG: {e}"));
    let mut rgb = take_scratch(Scratch::Rgb);
    rgb.clear();
    rgb.resize(pixmap.data().len() / 4 * 3, 0);
    for (to, from) in rgb.chunks_exact_mut(3).zip(pixmap.data().chunks_exact(4)) {
        to.copy_from_slice(&from[..3]);
    }
    let mut out = Vec::with_capacity(rgb.len() / 8);
    {
        let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::FilterType::Up);
        let mut writer = encoder.write_header().map_err(failed)?;
        writer.write_image_data(&rgb).map_err(failed)?;
        writer.finish().map_err(failed)?;
    }
    give_back(Scratch::Rgb, rgb);
    Ok(out)
}

#[derive(Clone, Copy)]
enum Scratch {
    Canvas,
    Rgb,
}

/// Larger buffers are freed, not kept: a 2048 × 2048 canvas.
const KEEP_BYTES: usize = 2048 * 2048 * 4;

thread_local! {
    // Canvas and RGB buffers are reused per thread. Freeing 1–2 MB after
    // every image hands the pages back to the OS, and faulting them in again
    // cost a fifth of a styled 600 px render.
    static SCRATCH: RefCell<[Vec<u8>; 2]> = const { RefCell::new([Vec::new(), Vec::new()]) };
}

fn take_scratch(which: Scratch) -> Vec<u8> {
    SCRATCH.with(|s| std::mem::take(&mut s.borrow_mut()[which as usize]))
}

fn give_back(which: Scratch, buffer: Vec<u8>) {
    if buffer.capacity() <= KEEP_BYTES {
        SCRATCH.with(|s| s.borrow_mut()[which as usize] = buffer);
    }
}

fn new_mask(size: IntSize) -> Result<Mask, QrError> {
    Mask::new(size.width(), size.height())
        .ok_or_else(|| QrError::Encode("no coverage mask".to_owned()))
}

/// Returns a painted canvas's memory for the next image on this thread.
pub(crate) fn recycle(pixmap: Pixmap) {
    give_back(Scratch::Canvas, pixmap.take());
}
