//! Scene → SVG text (coordinates in modules), and SVG → pixels for the check.

use std::fmt::Write as _;

use tiny_skia::{Path, PathSegment, Pixmap, Transform};

use crate::logo;
use crate::scene::{Fill, Scene};

/// Writes the scene as a standalone SVG, `display_width` px wide.
pub(crate) fn write(scene: &Scene, display_width: u32) -> String {
    let display_height = (display_width as f32 * scene.height / scene.width).round();
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="{display_width}" height="{display_height}" viewBox="0 0 {} {}">"#,
        num(scene.width),
        num(scene.height)
    );
    let mut defs = String::new();
    let mut body = String::new();
    let modules = scene.modules.path(scene.margin);
    let layers = modules
        .iter()
        .map(|path| (path, scene.modules.fill, false))
        .chain(scene.layers.iter().map(|l| (&l.path, l.fill, l.even_odd)));
    for (index, (path, fill, even_odd)) in layers.enumerate() {
        let fill = match fill {
            Fill::Solid(color) => color.to_string(),
            Fill::Linear {
                from,
                to,
                start,
                end,
            } => {
                let _ = write!(
                    defs,
                    r#"<linearGradient id="g{index}" gradientUnits="userSpaceOnUse" x1="{}" y1="{}" x2="{}" y2="{}"><stop offset="0" stop-color="{from}"/><stop offset="1" stop-color="{to}"/></linearGradient>"#,
                    num(start.0),
                    num(start.1),
                    num(end.0),
                    num(end.1)
                );
                format!("url(#g{index})")
            }
            Fill::Radial {
                from,
                to,
                center,
                radius,
            } => {
                let _ = write!(
                    defs,
                    r#"<radialGradient id="g{index}" gradientUnits="userSpaceOnUse" cx="{}" cy="{}" r="{}"><stop offset="0" stop-color="{from}"/><stop offset="1" stop-color="{to}"/></radialGradient>"#,
                    num(center.0),
                    num(center.1),
                    num(radius)
                );
                format!("url(#g{index})")
            }
        };
        let rule = if even_odd {
            r#" fill-rule="evenodd""#
        } else {
            ""
        };
        let _ = write!(
            body,
            r#"<path fill="{fill}"{rule} d="{}"/>"#,
            path_data(path)
        );
    }
    if !defs.is_empty() {
        let _ = write!(out, "<defs>{defs}</defs>");
    }
    let _ = write!(
        out,
        r#"<rect width="{}" height="{}" fill="{}"/>"#,
        num(scene.width),
        num(scene.height),
        scene.background
    );
    out.push_str(&body);
    if let Some((logo, rect)) = &scene.logo {
        let _ = write!(
            out,
            r#"<image x="{}" y="{}" width="{}" height="{}" preserveAspectRatio="xMidYMid meet" xlink:href="{}"/>"#,
            num(rect.x()),
            num(rect.y()),
            num(rect.width()),
            num(rect.height()),
            logo.data_url()
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Rasterises SVG text as any viewer would (resvg), `width` px wide.
pub(crate) fn rasterize(svg: &str, width: u32) -> Result<Pixmap, String> {
    let tree = logo::parse_svg(svg.as_bytes())?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).round() as u32;
    let mut pixmap = Pixmap::new(width, height).ok_or("the SVG has no area")?;
    resvg::render(
        &tree,
        Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    Ok(pixmap)
}

fn path_data(path: &Path) -> String {
    let mut d = String::with_capacity(path.len() * 12);
    for segment in path.segments() {
        let _ = match segment {
            PathSegment::MoveTo(p) => write!(d, "M{} {}", num(p.x), num(p.y)),
            PathSegment::LineTo(p) => write!(d, "L{} {}", num(p.x), num(p.y)),
            PathSegment::QuadTo(a, p) => {
                write!(d, "Q{} {} {} {}", num(a.x), num(a.y), num(p.x), num(p.y))
            }
            PathSegment::CubicTo(a, b, p) => write!(
                d,
                "C{} {} {} {} {} {}",
                num(a.x),
                num(a.y),
                num(b.x),
                num(b.y),
                num(p.x),
                num(p.y)
            ),
            PathSegment::Close => write!(d, "Z"),
        };
    }
    d
}

/// Shortest decimal form with 3 fractional digits at most: a thousandth of a
/// module is far below anything a printer or screen shows. (Integer
/// arithmetic: float formatting was a third of the SVG writer's time.)
fn num(value: f32) -> String {
    let thousandths = (f64::from(value) * 1000.0).round() as i64;
    let (sign, abs) = if thousandths < 0 {
        ("-", -thousandths)
    } else {
        ("", thousandths)
    };
    let (whole, fraction) = (abs / 1000, abs % 1000);
    if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{fraction:03}");
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_are_written_short() {
        assert_eq!(num(4.0), "4");
        assert_eq!(num(4.5), "4.5");
        assert_eq!(num(0.123_456), "0.123");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(-2.05), "-2.05");
        assert_eq!(num(0.007), "0.007");
    }
}
