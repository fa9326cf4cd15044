//! Scene → pixels (tiny-skia, anti-aliased; gradients in `gradient.rs`) → PNG.

use std::cell::RefCell;

use tiny_skia::{
    Color as SkColor, FillRule, IntSize, Mask, Paint, PathBuilder, Pixmap, PixmapPaint, Transform,
};

use crate::error::QrError;
use crate::gradient;
use crate::scene::{self, Fill, Scene};
use crate::style::{Color, ModuleShape};

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
    let mut mask = Some(stamp_modules(scene, grid, size)?);
    if let Some(modules) = &mask {
        let code = grid.offset + scene.margin * grid.unit;
        let span = code as usize..(code + (scene.width - 2.0 * scene.margin) * grid.unit) as usize;
        gradient::composite(
            &mut pixmap,
            modules,
            scene.modules.fill,
            transform,
            span.clone(),
            span,
        );
    }
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

/// The modules' coverage: one tile per kind of module, drawn once at the
/// grid's whole-pixel size and copied into each module's square. Scan-
/// converting hundreds of rounded modules as one path was a quarter of a
/// styled render; the copies give the same pixels, because every module
/// owns exactly its `unit × unit` square.
fn stamp_modules(scene: &Scene, grid: PixelGrid, size: IntSize) -> Result<Mask, QrError> {
    let mut mask = new_mask(size)?;
    let unit = grid.unit as usize;
    let width = grid.width as usize;
    let shape = scene.modules.shape;
    let mut tiles: [Option<Mask>; 16] = Default::default();
    for cell in &scene.modules.cells {
        let kind = if shape == ModuleShape::Rounded {
            usize::from(cell.corners & 15)
        } else {
            0
        };
        if tiles[kind].is_none() {
            tiles[kind] = Some(tile(shape, unit, cell.corners)?);
        }
        let Some(tile) = &tiles[kind] else { continue };
        let x = (grid.offset + (scene.margin + f32::from(cell.x)) * grid.unit) as usize;
        let y = (grid.offset + (scene.margin + f32::from(cell.y)) * grid.unit) as usize;
        let coverage = mask.data_mut();
        for (row, line) in tile.data().chunks_exact(unit).enumerate() {
            let start = (y + row) * width + x;
            if let Some(target) = coverage.get_mut(start..start + unit) {
                target.copy_from_slice(line);
            }
        }
    }
    Ok(mask)
}

fn tile(shape: ModuleShape, unit: usize, corners: u8) -> Result<Mask, QrError> {
    let side = unit as u32;
    let mut tile =
        Mask::new(side, side).ok_or_else(|| QrError::Encode("no module tile".to_owned()))?;
    let mut path = PathBuilder::new();
    scene::push_module(&mut path, shape, 0.0, 0.0, unit as f32, corners);
    if let Some(path) = path.finish() {
        tile.fill_path(&path, FillRule::Winding, true, Transform::identity());
    }
    Ok(tile)
}

/// Returns a painted canvas's memory for the next image on this thread.
pub(crate) fn recycle(pixmap: Pixmap) {
    give_back(Scratch::Canvas, pixmap.take());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix;
    use crate::scene::Look;
    use crate::style::{EcLevel, EyeShape, QrStyle};

    /// Stamped tiles must give the very pixels that scan-converting the
    /// modules as one path gives, or the shortcut would change the picture.
    #[test]
    fn stamped_module_tiles_match_the_scan_converted_path() {
        let matrix = matrix::encode("https://t.me/shop_bot?start=9W_LFTJjfiIa", None, EcLevel::M);
        let matrix = matrix.expect("fits");
        for shape in [ModuleShape::Square, ModuleShape::Rounded, ModuleShape::Dots] {
            for size in [300, 487, 600] {
                let style = QrStyle {
                    size,
                    ..QrStyle::default()
                };
                let look = Look {
                    modules: shape,
                    eyes: EyeShape::Square,
                    gradient: false,
                    clearing: None,
                };
                let scene = scene::build(&matrix, &style, &look);
                let grid = PixelGrid::new(&scene, size, matrix.n);
                let canvas = IntSize::from_wh(grid.width, grid.height).expect("size");
                let stamped = stamp_modules(&scene, grid, canvas).expect("stamped");
                let mut drawn = new_mask(canvas).expect("mask");
                let path = scene.modules.path(scene.margin).expect("modules");
                drawn.fill_path(&path, FillRule::Winding, true, grid.transform());
                let differ = stamped
                    .data()
                    .iter()
                    .zip(drawn.data())
                    .filter(|(a, b)| a != b)
                    .count();
                assert_eq!(differ, 0, "{shape:?} at {size} px");
            }
        }
    }
}
