//! Laid-out pages to PDF through krilla: text as real text in the embedded
//! (subset) fonts, charts as vectors through krilla-svg, a footer with the
//! page number "n / total" on every page.

use chrono::{DateTime, Datelike, Timelike, Utc};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla_svg::{SurfaceExt as _, SvgSettings};

use super::fonts::{Fonts, Weight};
use super::layout::{BOTTOM, CONTENT_WIDTH, MARGIN, MUTED, Op, PAGE_HEIGHT, PAGE_WIDTH, Rgb};
use crate::ReportError;

const FOOTER_SIZE: f32 = 7.5;

/// What the PDF says about itself, and the footer's left side.
#[derive(Debug)]
pub(crate) struct DocInfo {
    pub title: String,
    pub language: String,
    pub created: DateTime<Utc>,
    pub footer: String,
}

pub(crate) fn write(
    pages: Vec<Vec<Op>>,
    fonts: &Fonts,
    info: &DocInfo,
) -> Result<Vec<u8>, ReportError> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(info.title.clone())
            .language(info.language.clone())
            .creator("startlink".to_owned())
            .creation_date(pdf_date(info.created)),
    );
    let total = pages.len();
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| ReportError::Pdf("bad page size".into()))?;
    for (index, ops) in pages.into_iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, fonts, op)?;
        }
        footer(&mut surface, fonts, info, index + 1, total)?;
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| ReportError::Pdf(format!("{e:?}")))
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, op: Op) -> Result<(), ReportError> {
    match op {
        Op::Text {
            x,
            baseline,
            size,
            weight,
            colour,
            text,
        } => text_run(surface, fonts, (x, baseline), size, weight, colour, &text),
        Op::Rect {
            x,
            y,
            width,
            height,
            colour,
        } => rect(surface, (x, y), width, height, colour),
        Op::Svg {
            x,
            y,
            width,
            height,
            tree,
        } => {
            let size = Size::from_wh(width, height)
                .ok_or_else(|| ReportError::Pdf(format!("bad chart size {width}×{height}")))?;
            surface.push_transform(&Transform::from_translate(x, y));
            let drawn = surface.draw_svg(&tree, size, SvgSettings::default());
            surface.pop();
            drawn.ok_or_else(|| ReportError::Pdf("a chart could not be converted".into()))
        }
    }
}

fn fill(colour: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

fn text_run(
    surface: &mut Surface<'_>,
    fonts: &Fonts,
    (x, baseline): (f32, f32),
    size: f32,
    weight: Weight,
    colour: Rgb,
    text: &str,
) -> Result<(), ReportError> {
    let face = fonts.face(weight);
    let run = face.run(text);
    if run.glyphs.is_empty() {
        return Ok(());
    }
    surface.set_fill(Some(fill(colour)));
    surface.draw_glyphs(
        Point::from_xy(x, baseline),
        &run.glyphs,
        face.pdf.clone(),
        &run.text,
        size,
        false,
    );
    Ok(())
}

fn rect(
    surface: &mut Surface<'_>,
    (x, y): (f32, f32),
    width: f32,
    height: f32,
    colour: Rgb,
) -> Result<(), ReportError> {
    let Some(area) = Rect::from_xywh(x, y, width, height) else {
        return Ok(());
    };
    let mut builder = PathBuilder::new();
    builder.push_rect(area);
    if let Some(path) = builder.finish() {
        surface.set_fill(Some(fill(colour)));
        surface.draw_path(&path);
    }
    Ok(())
}

fn footer(
    surface: &mut Surface<'_>,
    fonts: &Fonts,
    info: &DocInfo,
    page: usize,
    total: usize,
) -> Result<(), ReportError> {
    let y = BOTTOM + 22.0;
    rect(surface, (MARGIN, y - 12.0), CONTENT_WIDTH, 0.5, MUTED)?;
    let number = format!("{page}\u{2002}/\u{2002}{total}");
    let number_width = fonts.regular.width(&number, FOOTER_SIZE);
    let left = fonts.regular.fit(
        &info.footer,
        FOOTER_SIZE,
        CONTENT_WIDTH - number_width - 24.0,
    );
    text_run(
        surface,
        fonts,
        (MARGIN, y),
        FOOTER_SIZE,
        Weight::Regular,
        MUTED,
        &left,
    )?;
    text_run(
        surface,
        fonts,
        (MARGIN + CONTENT_WIDTH - number_width, y),
        FOOTER_SIZE,
        Weight::Regular,
        MUTED,
        &number,
    )
}

fn pdf_date(at: DateTime<Utc>) -> krilla::metadata::DateTime {
    // Years outside u16 do not occur for a clock reading; clamp rather than fail.
    let year = u16::try_from(at.year().clamp(0, 9999)).unwrap_or(1970);
    krilla::metadata::DateTime::new(year)
        .month(at.month() as u8)
        .day(at.day() as u8)
        .hour(at.hour() as u8)
        .minute(at.minute() as u8)
        .second(at.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}
