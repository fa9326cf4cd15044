//! The QR symbol itself: encoding the text, and how much of it a logo may hide.

use qrcode::bits::{self, Bits};
use qrcode::canvas;
use qrcode::optimize::{Optimizer, Parser, Segment};
use qrcode::types::{EcLevel as QrEc, Mode, QrError as EncodeError, Version};

use crate::error::QrError;
use crate::mask;
use crate::style::EcLevel;

/// An encoded symbol: `n × n` modules, row-major, `true` = dark.
#[derive(Debug, Clone)]
pub(crate) struct Matrix {
    pub n: usize,
    pub dark: Vec<bool>,
    pub version: Version,
    pub ec: EcLevel,
    /// Codewords the decoder can still correct: the budget a logo spends from.
    pub correctable: usize,
}

impl Matrix {
    pub fn is_dark(&self, x: i64, y: i64) -> bool {
        let n = self.n as i64;
        (0..n).contains(&x) && (0..n).contains(&y) && self.dark[(y * n + x) as usize]
    }

    /// Finder patterns (eyes) with their separators: drawn by the eye painter.
    pub fn in_eye(&self, x: usize, y: usize) -> bool {
        let far = self.n - 7;
        (y < 7 && (x < 7 || x >= far)) || (x < 7 && y >= far)
    }

    pub fn version_number(&self) -> u8 {
        match self.version {
            Version::Normal(v) | Version::Micro(v) => u8::try_from(v).unwrap_or(0),
        }
    }
}

fn qr_ec(level: EcLevel) -> QrEc {
    match level {
        EcLevel::L => QrEc::L,
        EcLevel::M => QrEc::M,
        EcLevel::Q => QrEc::Q,
        EcLevel::H => QrEc::H,
    }
}

/// Encodes `text` at `level`, or — when `level` is `None` — at the most robust
/// level that fits, starting from `preferred`.
pub(crate) fn encode(
    text: &str,
    level: Option<EcLevel>,
    preferred: EcLevel,
) -> Result<Matrix, QrError> {
    if text.is_empty() {
        return Err(QrError::EmptyText);
    }
    let candidates: &[EcLevel] = match level {
        Some(EcLevel::L) => &[EcLevel::L],
        Some(EcLevel::M) => &[EcLevel::M],
        Some(EcLevel::Q) => &[EcLevel::Q],
        Some(EcLevel::H) => &[EcLevel::H],
        None => &[EcLevel::H, EcLevel::Q, EcLevel::M, EcLevel::L],
    };
    let mut last = EcLevel::L;
    for &ec in candidates
        .iter()
        .filter(|&&ec| ec <= preferred || level.is_some())
    {
        last = ec;
        let built = bits_for(text.as_bytes(), qr_ec(ec)).and_then(|bits| {
            let version = bits.version();
            let correctable = qrcode::ec::max_allowed_errors(version, qr_ec(ec))?;
            let (dark, version) = mask::symbol(bits, qr_ec(ec))?;
            Ok((dark, version, correctable))
        });
        match built {
            Ok((dark, version, correctable)) => {
                let n = usize::try_from(version.width())
                    .map_err(|_| QrError::Encode("bad version".to_owned()))?;
                return Ok(Matrix {
                    n,
                    dark,
                    version,
                    ec,
                    correctable,
                });
            }
            Err(EncodeError::DataTooLong) => continue,
            Err(other) => return Err(QrError::Encode(other.to_string())),
        }
    }
    Err(QrError::TooLong {
        bytes: text.len(),
        ec: last,
        max: last.max_bytes(),
    })
}

/// The data bits of the smallest symbol for `data`, never in Kanji mode. The text is UTF-8;
/// Kanji mode means Shift JIS, so a scanner would show other characters
/// wherever UTF-8 bytes happen to look like a Kanji pair (e.g. "あ").
fn bits_for(data: &[u8], ec: QrEc) -> Result<Bits, EncodeError> {
    let parsed: Vec<Segment> = Parser::new(data).collect();
    if parsed.iter().all(|s| s.mode != Mode::Kanji) {
        return bits::encode_auto(data, ec);
    }
    let segments: Vec<Segment> = parsed
        .into_iter()
        .map(|s| match s.mode {
            Mode::Kanji => Segment {
                mode: Mode::Byte,
                ..s
            },
            _ => s,
        })
        .collect();
    for version in (1..=40).map(Version::Normal) {
        let mut bits = Bits::new(version);
        let pushed = bits
            .push_segments(data, Optimizer::new(segments.iter().copied(), version))
            .and_then(|()| bits.push_terminator(ec));
        match pushed {
            Ok(()) => return Ok(bits),
            Err(EncodeError::DataTooLong) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(EncodeError::DataTooLong)
}

/// Index of the codeword each module carries (`None` for function patterns
/// and remainder bits), following the standard's two-column zigzag.
fn codeword_map(matrix: &Matrix) -> Vec<Option<u32>> {
    let n = matrix.n as i16;
    let mut map = vec![None; matrix.n * matrix.n];
    let mut bit: u32 = 0;
    let mut right = n - 1;
    let mut upward = true;
    while right > 0 {
        if right == 6 {
            right = 5;
        }
        for step in 0..n {
            let y = if upward { n - 1 - step } else { step };
            for x in [right, right - 1] {
                if !canvas::is_functional(matrix.version, n, x, y) {
                    map[(y as usize) * matrix.n + x as usize] = Some(bit / 8);
                    bit += 1;
                }
            }
        }
        upward = !upward;
        right -= 2;
    }
    map
}

/// Gap between the cleared modules and the logo, on each side, in modules.
pub(crate) const LOGO_PADDING: f32 = 0.75;

/// A centred rectangle of whole modules, `w × h`, both odd so it is symmetric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Clearing {
    pub w: usize,
    pub h: usize,
}

impl Clearing {
    pub fn origin(self, n: usize) -> (usize, usize) {
        ((n - self.w) / 2, (n - self.h) / 2)
    }

    pub fn contains(self, n: usize, x: usize, y: usize) -> bool {
        let (x0, y0) = self.origin(n);
        (x0..x0 + self.w).contains(&x) && (y0..y0 + self.h).contains(&y)
    }
}

/// The largest centred clearing of aspect `aspect` (width / height) and at most
/// `max_side` modules on its longer side that damages no more than half of
/// the codewords the level can correct — the other half stays for smudges,
/// glare and print defects. Never touches the eyes, timing or format areas.
pub(crate) fn logo_clearing(matrix: &Matrix, aspect: f32, max_side: usize) -> Option<Clearing> {
    let n = matrix.n;
    // Rows/columns 0..9 and n-9.. hold eyes, separators, format and version info.
    let room = n.checked_sub(18)?;
    let budget = matrix.correctable / 2;
    let map = codeword_map(matrix);
    let odd_at_most = |v: usize| {
        if v.is_multiple_of(2) {
            v.saturating_sub(1)
        } else {
            v
        }
    };
    // However thin the logo, its short side gets at least 3 modules (1.5 of
    // them for the picture), so a cleared area always shows a logo.
    let odd_at_least_3 = |v: f32| {
        let v = (v.ceil() as usize).max(3);
        if v.is_multiple_of(2) { v + 1 } else { v }
    };
    let stretch = aspect.max(1.0 / aspect);
    let mut long = odd_at_most(max_side.min(room));
    while long >= 3 {
        let short =
            odd_at_least_3((long as f32 - 2.0 * LOGO_PADDING) / stretch + 2.0 * LOGO_PADDING);
        let clearing = if aspect >= 1.0 {
            Clearing { w: long, h: short }
        } else {
            Clearing { w: short, h: long }
        };
        let (x0, y0) = clearing.origin(n);
        let mut hit: Vec<u32> = (y0..y0 + clearing.h)
            .flat_map(|y| (x0..x0 + clearing.w).map(move |x| (x, y)))
            .filter_map(|(x, y)| map[y * n + x])
            .collect();
        hit.sort_unstable();
        hit.dedup();
        if hit.len() <= budget {
            return Some(clearing);
        }
        long -= 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zigzag_visits_every_data_codeword_of_version_1_h() {
        let matrix = encode("hello", Some(EcLevel::H), EcLevel::H).ok();
        let matrix = matrix.filter(|m| m.n == 21);
        assert!(matrix.is_some(), "hello fits in version 1");
        if let Some(matrix) = matrix {
            let map = codeword_map(&matrix);
            let max = map.iter().flatten().max().copied();
            // Version 1 has 26 codewords and 208 data modules: 26 × 8 = 208.
            assert_eq!(max, Some(25));
            assert_eq!(map.iter().flatten().count(), 208);
        }
    }

    #[test]
    fn a_logo_clearing_grows_with_the_error_correction_level() {
        let text = "https://t.me/shop_bot?start=9W_LFTJjfiIa";
        let side = |ec| {
            let matrix = encode(text, Some(ec), ec).ok()?;
            logo_clearing(&matrix, 1.0, matrix.n).map(|c| c.w)
        };
        let (l, h) = (side(EcLevel::L), side(EcLevel::H));
        assert!(h.is_some(), "H must leave room for a logo");
        assert!(l.unwrap_or(0) < h.unwrap_or(0), "L {l:?} vs H {h:?}");
    }

    #[test]
    fn text_beyond_capacity_is_a_clear_error_not_a_panic() {
        let text = "x".repeat(EcLevel::L.max_bytes() + 1);
        assert!(matches!(
            encode(&text, None, EcLevel::H),
            Err(QrError::TooLong { ec: EcLevel::L, .. })
        ));
        let fits_l = "x".repeat(EcLevel::L.max_bytes());
        assert!(matches!(encode(&fits_l, None, EcLevel::H), Ok(m) if m.ec == EcLevel::L));
        assert!(matches!(
            encode("", None, EcLevel::M),
            Err(QrError::EmptyText)
        ));
    }
}
