//! Logos: loaded and checked once (PNG, JPEG or SVG), then drawn at any size.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use tiny_skia::{FilterQuality, IntSize, Pixmap, PixmapPaint, Transform};

use crate::error::QrError;

/// Larger files are refused before decoding: a logo is a small picture.
pub const MAX_LOGO_BYTES: usize = 16 * 1024 * 1024;
/// Larger rasters are refused (decompression bombs); a logo never needs more.
pub const MAX_LOGO_PIXELS: u64 = 40_000_000;
/// Raster logos are kept at most this large on their longer side.
const KEEP_SIDE: u32 = 1024;
/// An SVG output embeds its raster logo at most this large: at a quarter of
/// a 5 cm printed code that is still 500 dpi, and it keeps the file small.
const EMBED_SIDE: u32 = 256;

enum Source {
    Raster(Pixmap),
    Svg(Box<resvg::usvg::Tree>),
}

/// A decoded logo, ready to be drawn into any number of codes. Load it once
/// (e.g. at start-up) and share it: it is `Send + Sync` and caches its last
/// rendering, so codes of one size do not resample it again.
pub struct Logo {
    source: Source,
    width: f32,
    height: f32,
    /// The bytes an SVG output embeds: the original SVG, or the kept raster as PNG.
    embed: (&'static str, String),
    cache: Mutex<Option<Arc<Pixmap>>>,
}

impl fmt::Debug for Logo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.source {
            Source::Raster(_) => "raster",
            Source::Svg(_) => "svg",
        };
        write!(f, "Logo({kind}, {}x{})", self.width, self.height)
    }
}

impl Logo {
    /// Reads and decodes a logo file; the error names the file.
    pub fn from_path(path: &Path) -> Result<Self, QrError> {
        let bytes = std::fs::read(path).map_err(|source| QrError::LogoRead {
            path: path.to_owned(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }

    /// Decodes a PNG, JPEG or SVG logo, recognised by its content, not a name.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, QrError> {
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(QrError::LogoTooLarge {
                reason: format!("{} bytes, at most {MAX_LOGO_BYTES}", bytes.len()),
            });
        }
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            let pixmap = Pixmap::decode_png(bytes).map_err(|e| QrError::LogoDecode {
                format: "PNG",
                reason: e.to_string(),
            })?;
            Self::from_raster(check_pixels(pixmap)?)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Self::from_raster(decode_jpeg(bytes)?)
        } else if looks_like_svg(bytes) {
            Self::from_svg(bytes)
        } else {
            Err(QrError::LogoFormat)
        }
    }

    fn from_raster(pixmap: Pixmap) -> Result<Self, QrError> {
        let pixmap = fit(&pixmap, KEEP_SIDE)?.unwrap_or(pixmap);
        let embedded = fit(&pixmap, EMBED_SIDE)?;
        let png = embedded
            .as_ref()
            .unwrap_or(&pixmap)
            .encode_png()
            .map_err(|e| QrError::Encode(e.to_string()))?;
        Ok(Self {
            width: pixmap.width() as f32,
            height: pixmap.height() as f32,
            embed: (
                "image/png",
                base64::engine::general_purpose::STANDARD.encode(png),
            ),
            source: Source::Raster(pixmap),
            cache: Mutex::new(None),
        })
    }

    fn from_svg(bytes: &[u8]) -> Result<Self, QrError> {
        let tree = parse_svg(bytes).map_err(|reason| QrError::LogoDecode {
            format: "SVG",
            reason,
        })?;
        let size = tree.size();
        if !(size.width() >= 1.0 && size.height() >= 1.0) {
            return Err(QrError::LogoDecode {
                format: "SVG",
                reason: "it has no width or height".to_owned(),
            });
        }
        Ok(Self {
            width: size.width(),
            height: size.height(),
            embed: (
                "image/svg+xml",
                base64::engine::general_purpose::STANDARD.encode(bytes),
            ),
            source: Source::Svg(Box::new(tree)),
            cache: Mutex::new(None),
        })
    }

    /// Width divided by height.
    pub fn aspect(&self) -> f32 {
        self.width / self.height
    }

    pub(crate) fn data_url(&self) -> String {
        format!("data:{};base64,{}", self.embed.0, self.embed.1)
    }

    /// The logo as a `w × h` pixmap, resampled with care (no aliasing from
    /// big sources) and cached for the next code of the same size.
    pub(crate) fn pixmap(&self, w: u32, h: u32) -> Result<Arc<Pixmap>, QrError> {
        let cached = self.cache.lock().ok().and_then(|c| c.clone());
        if let Some(hit) = cached.filter(|p| p.width() == w && p.height() == h) {
            return Ok(hit);
        }
        let fresh = Arc::new(match &self.source {
            Source::Raster(source) => downscale(source, w, h)?,
            Source::Svg(tree) => {
                let mut pixmap = new_pixmap(w, h)?;
                let size = tree.size();
                let transform =
                    Transform::from_scale(w as f32 / size.width(), h as f32 / size.height());
                resvg::render(tree, transform, &mut pixmap.as_mut());
                pixmap
            }
        });
        if let Ok(mut cache) = self.cache.lock() {
            *cache = Some(Arc::clone(&fresh));
        }
        Ok(fresh)
    }
}

/// `pixmap` shrunk to at most `side` on its longer side; `None` if it fits.
fn fit(pixmap: &Pixmap, side: u32) -> Result<Option<Pixmap>, QrError> {
    let long = pixmap.width().max(pixmap.height());
    if long <= side {
        return Ok(None);
    }
    let scale = side as f32 / long as f32;
    let w = ((pixmap.width() as f32 * scale).round() as u32).max(1);
    let h = ((pixmap.height() as f32 * scale).round() as u32).max(1);
    downscale(pixmap, w, h).map(Some)
}

fn new_pixmap(w: u32, h: u32) -> Result<Pixmap, QrError> {
    Pixmap::new(w.max(1), h.max(1)).ok_or_else(|| QrError::Encode(format!("no {w}x{h} canvas")))
}

fn check_pixels(pixmap: Pixmap) -> Result<Pixmap, QrError> {
    let pixels = u64::from(pixmap.width()) * u64::from(pixmap.height());
    if pixels > MAX_LOGO_PIXELS {
        return Err(QrError::LogoTooLarge {
            reason: format!("{}x{} pixels", pixmap.width(), pixmap.height()),
        });
    }
    Ok(pixmap)
}

fn decode_jpeg(bytes: &[u8]) -> Result<Pixmap, QrError> {
    use zune_jpeg::JpegDecoder;
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;

    let bad = |reason: String| QrError::LogoDecode {
        format: "JPEG",
        reason,
    };
    let options = DecoderOptions::default()
        .set_max_width(16_384)
        .set_max_height(16_384)
        .jpeg_set_out_colorspace(ColorSpace::RGBA);
    let mut decoder = JpegDecoder::new_with_options(bytes, options);
    decoder
        .decode_headers()
        .map_err(|e| bad(format!("{e:?}")))?;
    let info = decoder
        .info()
        .ok_or_else(|| bad("no image size".to_owned()))?;
    let (w, h) = (usize::from(info.width), usize::from(info.height));
    if (w as u64) * (h as u64) > MAX_LOGO_PIXELS {
        return Err(QrError::LogoTooLarge {
            reason: format!("{w}x{h} pixels"),
        });
    }
    let pixels = decoder.decode().map_err(|e| bad(format!("{e:?}")))?;
    let size = IntSize::from_wh(w as u32, h as u32).ok_or_else(|| bad("empty image".to_owned()))?;
    // Greyscale JPEGs ignore the requested RGBA output and come out as one channel.
    let rgba = match pixels.len().checked_div(w * h) {
        Some(4) => pixels,
        Some(3) => pixels
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        Some(1) => pixels.iter().flat_map(|&l| [l, l, l, 255]).collect(),
        _ => return Err(bad("unsupported colour layout".to_owned())),
    };
    // JPEG has no alpha, so these RGBA pixels are already premultiplied.
    Pixmap::from_vec(rgba, size).ok_or_else(|| bad("truncated pixel data".to_owned()))
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('<') && text.contains("<svg")
}

/// Options for every SVG this crate parses: logos may come from anyone, so
/// `href`s that are not `data:` URLs (files, the network) resolve to nothing.
pub(crate) fn svg_options() -> resvg::usvg::Options<'static> {
    let mut options = resvg::usvg::Options::default();
    options.image_href_resolver.resolve_string = Box::new(|_, _| None);
    options
}

pub(crate) fn parse_svg(bytes: &[u8]) -> Result<resvg::usvg::Tree, String> {
    resvg::usvg::Tree::from_data(bytes, &svg_options()).map_err(|e| e.to_string())
}

/// Halves with bilinear filtering (a box filter, in effect) while the source
/// is more than twice the target, then finishes with bicubic.
fn downscale(source: &Pixmap, w: u32, h: u32) -> Result<Pixmap, QrError> {
    let mut current: Option<Pixmap> = None;
    loop {
        let from = current.as_ref().unwrap_or(source);
        if from.width() <= w * 2 && from.height() <= h * 2 {
            return resample(from, w, h, FilterQuality::Bicubic);
        }
        let half = resample(
            from,
            (from.width() / 2).max(w),
            (from.height() / 2).max(h),
            FilterQuality::Bilinear,
        )?;
        current = Some(half);
    }
}

fn resample(from: &Pixmap, w: u32, h: u32, quality: FilterQuality) -> Result<Pixmap, QrError> {
    let mut to = new_pixmap(w, h)?;
    let transform = Transform::from_scale(
        w as f32 / from.width() as f32,
        h as f32 / from.height() as f32,
    );
    let paint = PixmapPaint {
        quality,
        ..PixmapPaint::default()
    };
    to.draw_pixmap(0, 0, from.as_ref(), &paint, transform, None);
    Ok(to)
}
