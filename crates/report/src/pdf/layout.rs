//! A small flow layout on A4 pages: lines, wrapped paragraphs, headings kept
//! with what follows, charts, and tables whose rows continue on the next page
//! under a repeated header. The result is a list of drawing operations per
//! page; `emit` turns them into PDF once the page count is known (for "3 / 7").

use resvg::usvg;

use super::fonts::{Fonts, Weight};

pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
pub(crate) const MARGIN: f32 = 48.0;
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const TOP: f32 = 56.0;
/// Content ends here; the footer sits below.
pub(crate) const BOTTOM: f32 = PAGE_HEIGHT - 64.0;

const BODY_SIZE: f32 = 8.5;
const HEADING_SIZE: f32 = 15.0;
const ROW_HEIGHT: f32 = 15.0;
const HEADER_HEIGHT: f32 = 18.0;
const CELL_PAD: f32 = 4.0;
/// A heading is not left at the bottom of a page without this much under it.
const KEEP_WITH_HEADING: f32 = 90.0;

/// A colour, 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

pub(crate) const INK: Rgb = Rgb(31, 41, 55);
pub(crate) const MUTED: Rgb = Rgb(107, 114, 128);
pub(crate) const ACCENT: Rgb = Rgb(37, 99, 235);
pub(crate) const UP: Rgb = Rgb(21, 128, 61);
pub(crate) const DOWN: Rgb = Rgb(185, 28, 28);
const RULE: Rgb = Rgb(209, 213, 219);
const HEADER_FILL: Rgb = Rgb(238, 242, 255);
const ZEBRA: Rgb = Rgb(249, 250, 251);

/// One drawing operation; `y` grows downwards from the top of the page.
#[derive(Debug)]
pub(crate) enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        colour: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        colour: Rgb,
    },
    Svg {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        tree: Box<usvg::Tree>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A table column: its title, its share of the content width, its alignment.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub title: String,
    pub share: f32,
    pub align: Align,
    /// Values are set smaller, down to `MIN_SHRINK`, before they are cut
    /// (link keys: a cut key is useless).
    pub shrink: bool,
}

/// The smallest a shrinking cell's text is set, as a share of the body size.
const MIN_SHRINK: f32 = 0.75;

impl Column {
    pub fn left(title: &str, share: f32) -> Self {
        Self {
            title: title.to_owned(),
            share,
            align: Align::Left,
            shrink: false,
        }
    }

    pub fn right(title: &str, share: f32) -> Self {
        Self {
            title: title.to_owned(),
            share,
            align: Align::Right,
            shrink: false,
        }
    }

    /// A left-aligned column whose values shrink to fit rather than being cut.
    pub fn whole(title: &str, share: f32) -> Self {
        Self {
            shrink: true,
            ..Self::left(title, share)
        }
    }
}

/// A cell's text and colour.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub text: String,
    pub colour: Rgb,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            colour: INK,
        }
    }
}

/// A table row; `bold` for a total or a main figure.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub cells: Vec<Cell>,
    pub bold: bool,
}

impl Row {
    pub fn plain(cells: Vec<Cell>) -> Self {
        Self { cells, bold: false }
    }
}

/// A table: the header repeats on every page the rows reach.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// Pages being filled, top to bottom.
#[derive(Debug)]
pub(crate) struct Layout<'a> {
    fonts: &'a Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'a> Layout<'a> {
    pub fn new(fonts: &'a Fonts) -> Self {
        Self {
            fonts,
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    pub fn fonts(&self) -> &'a Fonts {
        self.fonts
    }

    pub fn y(&self) -> f32 {
        self.y
    }

    pub fn page_break(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn at_top(&self) -> bool {
        self.y <= TOP
    }

    /// Starts a new page unless `height` more fits on this one.
    pub fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && !self.at_top() {
            self.page_break();
        }
    }

    pub fn space(&mut self, height: f32) {
        self.y += height;
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Text with its left edge at `x` (or its right edge, for `Align::Right`)
    /// and its baseline at `baseline`, cut to `max_width`.
    #[allow(clippy::too_many_arguments)]
    pub fn text_at(
        &mut self,
        (x, baseline): (f32, f32),
        size: f32,
        weight: Weight,
        colour: Rgb,
        text: &str,
        max_width: f32,
        align: Align,
    ) {
        let face = self.fonts.face(weight);
        let text = face.fit(text, size, max_width);
        let x = match align {
            Align::Left => x,
            Align::Right => x - face.width(&text, size),
        };
        self.push(Op::Text {
            x,
            baseline,
            size,
            weight,
            colour,
            text,
        });
    }

    pub fn rect(&mut self, (x, y): (f32, f32), width: f32, height: f32, colour: Rgb) {
        self.push(Op::Rect {
            x,
            y,
            width,
            height,
            colour,
        });
    }

    /// One line of text across the content width.
    pub fn line(&mut self, size: f32, weight: Weight, colour: Rgb, text: &str) {
        let height = size * 1.45;
        self.ensure(height);
        let baseline = self.y + size;
        self.text_at(
            (MARGIN, baseline),
            size,
            weight,
            colour,
            text,
            CONTENT_WIDTH,
            Align::Left,
        );
        self.y += height;
    }

    /// Text wrapped to the content width.
    pub fn paragraph(&mut self, size: f32, colour: Rgb, text: &str) {
        for line in self
            .fonts
            .regular
            .wrap(text, size, CONTENT_WIDTH)
            .into_iter()
        {
            self.line(size, Weight::Regular, colour, &line);
        }
    }

    /// A section heading with a rule under it, never alone at a page's foot.
    pub fn heading(&mut self, text: &str) {
        self.ensure(HEADING_SIZE * 2.2 + KEEP_WITH_HEADING);
        if !self.at_top() {
            self.y += HEADING_SIZE * 0.8;
        }
        self.heading_here(text, HEADING_SIZE);
    }

    fn heading_here(&mut self, text: &str, size: f32) {
        let baseline = self.y + size;
        self.text_at(
            (MARGIN, baseline),
            size,
            Weight::Bold,
            INK,
            text,
            CONTENT_WIDTH,
            Align::Left,
        );
        self.rect((MARGIN, baseline + size * 0.45), CONTENT_WIDTH, 1.2, ACCENT);
        self.y = baseline + size * 0.45 + 10.0;
    }

    /// A chart (or any SVG), scaled to `width` × `height` points at the left margin.
    pub fn svg(&mut self, tree: usvg::Tree, width: f32, height: f32) {
        self.ensure(height);
        let y = self.y;
        self.push(Op::Svg {
            x: MARGIN + (CONTENT_WIDTH - width).max(0.0) / 2.0,
            y,
            width,
            height,
            tree: Box::new(tree),
        });
        self.y += height;
    }

    /// A table under `heading` (already drawn); when the rows reach the foot
    /// of a page they go on on the next, under the heading marked `continued`
    /// and the column header again. No rows: `empty` in place of the table.
    pub fn table(&mut self, heading: &str, continued: &str, table: &Table, empty: &str) {
        if table.rows.is_empty() {
            self.paragraph(BODY_SIZE + 1.0, MUTED, empty);
            return;
        }
        let total_share: f32 = table.columns.iter().map(|c| c.share).sum::<f32>().max(0.01);
        let widths: Vec<f32> = table
            .columns
            .iter()
            .map(|c| CONTENT_WIDTH * c.share / total_share)
            .collect();
        self.ensure(HEADER_HEIGHT + ROW_HEIGHT * 2.0);
        self.table_header(table, &widths);
        for (index, row) in table.rows.iter().enumerate() {
            if self.y + ROW_HEIGHT > BOTTOM {
                self.page_break();
                self.heading_here(&format!("{heading} {continued}"), HEADING_SIZE * 0.75);
                self.table_header(table, &widths);
            }
            if index % 2 == 1 {
                self.rect((MARGIN, self.y), CONTENT_WIDTH, ROW_HEIGHT, ZEBRA);
            }
            let weight = if row.bold {
                Weight::Bold
            } else {
                Weight::Regular
            };
            self.cells(
                table.columns.iter().zip(&widths).zip(&row.cells),
                ROW_HEIGHT,
                weight,
            );
            self.y += ROW_HEIGHT;
        }
        self.rect((MARGIN, self.y), CONTENT_WIDTH, 0.6, RULE);
        self.y += 8.0;
    }

    fn table_header(&mut self, table: &Table, widths: &[f32]) {
        self.rect((MARGIN, self.y), CONTENT_WIDTH, HEADER_HEIGHT, HEADER_FILL);
        let titles: Vec<Cell> = table.columns.iter().map(|c| Cell::new(&c.title)).collect();
        self.cells(
            table.columns.iter().zip(widths).zip(&titles),
            HEADER_HEIGHT,
            Weight::Bold,
        );
        self.y += HEADER_HEIGHT;
        self.rect((MARGIN, self.y - 0.6), CONTENT_WIDTH, 0.6, RULE);
    }

    fn cells<'c>(
        &mut self,
        cells: impl Iterator<Item = ((&'c Column, &'c f32), &'c Cell)>,
        height: f32,
        weight: Weight,
    ) {
        let baseline = self.y + height / 2.0 + BODY_SIZE * 0.36;
        let mut x = MARGIN;
        for ((column, width), cell) in cells {
            let inner = (width - 2.0 * CELL_PAD).max(1.0);
            let anchor = match column.align {
                Align::Left => x + CELL_PAD,
                Align::Right => x + width - CELL_PAD,
            };
            let mut size = BODY_SIZE;
            if column.shrink {
                let natural = self.fonts.face(weight).width(&cell.text, size);
                if natural > inner {
                    size = (size * inner / natural).max(size * MIN_SHRINK);
                }
            }
            self.text_at(
                (anchor, baseline),
                size,
                weight,
                cell.colour,
                &cell.text,
                inner,
                column.align,
            );
            x += width;
        }
    }

    pub fn finish(self) -> Vec<Vec<Op>> {
        self.pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(page: &[Op]) -> Vec<&str> {
        page.iter()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn table(rows: usize) -> Table {
        Table {
            columns: vec![Column::left("Sana", 2.0), Column::right("Ochilish", 1.0)],
            rows: (0..rows)
                .map(|i| {
                    Row::plain(vec![
                        Cell::new(format!("day {i}")),
                        Cell::new(i.to_string()),
                    ])
                })
                .collect(),
        }
    }

    #[test]
    fn a_long_table_continues_on_the_next_pages_with_its_header_repeated() {
        let fonts = Fonts::load().unwrap();
        let mut layout = Layout::new(&fonts);
        layout.heading("Kunlar");
        layout.table("Kunlar", "(davomi)", &table(120), "—");
        let pages = layout.finish();
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for (n, page) in pages.iter().enumerate() {
            let texts = texts(page);
            assert_eq!(
                texts.iter().filter(|t| **t == "Sana").count(),
                1,
                "page {n}: header once"
            );
            if n > 0 {
                assert!(texts.contains(&"Kunlar (davomi)"), "page {n}: {texts:?}");
            }
        }
        let all: Vec<&str> = pages.iter().flat_map(|p| texts(p)).collect();
        for i in 0..120 {
            let day = format!("day {i}");
            assert_eq!(all.iter().filter(|t| **t == day).count(), 1, "{day}");
        }
    }

    #[test]
    fn nothing_is_drawn_below_the_content_area() {
        let fonts = Fonts::load().unwrap();
        let mut layout = Layout::new(&fonts);
        for i in 0..40 {
            layout.heading(&format!("Section {i}"));
            layout.table("Section", "(continued)", &table(i % 7), "none");
            layout.paragraph(9.0, MUTED, &"word ".repeat(60));
        }
        for page in layout.finish() {
            for op in page {
                let bottom = match op {
                    Op::Text { baseline, .. } => baseline,
                    Op::Rect { y, height, .. } => y + height,
                    Op::Svg { y, height, .. } => y + height,
                };
                assert!(bottom <= BOTTOM + 0.01, "{bottom} > {BOTTOM}");
            }
        }
    }

    #[test]
    fn an_empty_table_says_so() {
        let fonts = Fonts::load().unwrap();
        let mut layout = Layout::new(&fonts);
        layout.table("T", "(c)", &table(0), "No data for this period.");
        let pages = layout.finish();
        assert_eq!(texts(&pages[0]), vec!["No data for this period."]);
    }

    #[test]
    fn a_whole_column_sets_a_long_value_smaller_instead_of_cutting_it() {
        let fonts = Fonts::load().unwrap();
        let mut layout = Layout::new(&fonts);
        // A key column whose inner width is 85 % of the key's natural width.
        let wanted = fonts.regular.width("r_mWmWmWmW", BODY_SIZE) * 0.85 + 2.0 * CELL_PAD;
        let share = wanted / (CONTENT_WIDTH - wanted);
        let table = Table {
            columns: vec![Column::whole("Key", share), Column::left("Title", 1.0)],
            rows: vec![Row::plain(vec![
                Cell::new("r_mWmWmWmW"),
                Cell::new("a title"),
            ])],
        };
        layout.table("T", "(c)", &table, "");
        let pages = layout.finish();
        let size = pages[0]
            .iter()
            .find_map(|op| match op {
                Op::Text { text, size, .. } if text == "r_mWmWmWmW" => Some(*size),
                _ => None,
            })
            .expect("the key is drawn whole");
        assert!(
            (BODY_SIZE * MIN_SHRINK..BODY_SIZE).contains(&size),
            "{size}"
        );
    }

    #[test]
    fn right_aligned_cells_end_at_the_column_edge() {
        let fonts = Fonts::load().unwrap();
        let mut layout = Layout::new(&fonts);
        layout.table("T", "(c)", &table(1), "");
        let pages = layout.finish();
        let (x, text) = pages[0]
            .iter()
            .find_map(|op| match op {
                Op::Text { x, text, .. } if text == "0" => Some((*x, text.clone())),
                _ => None,
            })
            .unwrap();
        let end = x + fonts.regular.width(&text, BODY_SIZE);
        assert!(
            (end - (MARGIN + CONTENT_WIDTH - CELL_PAD)).abs() < 0.01,
            "{end}"
        );
    }
}
