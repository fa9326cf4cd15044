//! Placing the codewords and choosing the mask. `qrcode` scores the eight
//! masks through a boxed closure per module position, which was a fifth of a
//! styled render; this scores them per ISO/IEC 18004 (N1–N4) on booleans.

use qrcode::bits::Bits;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::types::{Color as Module, EcLevel, QrError, Version};

const PATTERNS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The finished symbol for `bits` (row-major, `true` = dark) with the mask
/// of lowest penalty, and its version.
pub(crate) fn symbol(bits: Bits, ec: EcLevel) -> Result<(Vec<bool>, Version), QrError> {
    let version = bits.version();
    let (data, ec_data) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, ec)?;
    let mut canvas = Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec_data);
    let width = usize::try_from(version.width()).map_err(|_| QrError::InvalidVersion)?;
    let mut best: Option<(u32, Vec<bool>)> = None;
    for pattern in PATTERNS {
        let mut masked = canvas.clone();
        masked.apply_mask(pattern);
        let dark: Vec<bool> = masked
            .into_colors()
            .into_iter()
            .map(|c| c == Module::Dark)
            .collect();
        let score = penalty(&dark, width);
        if best.as_ref().is_none_or(|(lowest, _)| score < *lowest) {
            best = Some((score, dark));
        }
    }
    best.map(|(_, dark)| (dark, version))
        .ok_or(QrError::InvalidVersion)
}

/// Dark, light, dark × 3, light, dark: a finder pattern's profile.
const FINDER: [bool; 7] = [true, false, true, true, true, false, true];

/// The standard's penalty: runs of five or more (N1), 2 × 2 blocks (N2),
/// finder look-alikes beside four light modules (N3), imbalance (N4).
pub(crate) fn penalty(dark: &[bool], n: usize) -> u32 {
    let mut score = 0;
    let mut line = vec![false; n];
    for horizontal in [true, false] {
        for i in 0..n {
            for (j, module) in line.iter_mut().enumerate() {
                *module = if horizontal {
                    dark[i * n + j]
                } else {
                    dark[j * n + i]
                };
            }
            score += runs(&line) + lookalikes(&line);
        }
    }
    for y in 0..n.saturating_sub(1) {
        for x in 0..n.saturating_sub(1) {
            let c = dark[y * n + x];
            if dark[y * n + x + 1] == c
                && dark[(y + 1) * n + x] == c
                && dark[(y + 1) * n + x + 1] == c
            {
                score += 3;
            }
        }
    }
    let percent = dark.iter().filter(|&&d| d).count() * 100 / dark.len().max(1);
    score + 10 * (percent.abs_diff(50) / 5) as u32
}

/// N1 for one row or column: 3 + (length − 5) per run of five or more.
fn runs(line: &[bool]) -> u32 {
    let mut score = 0;
    let mut run = 1;
    for j in 1..=line.len() {
        if j < line.len() && line[j] == line[j - 1] {
            run += 1;
        } else {
            if run >= 5 {
                score += 3 + (run - 5);
            }
            run = 1;
        }
    }
    score
}

/// N3 for one row or column: 40 per finder profile with four light modules
/// before or after it (outside the symbol is the quiet zone: light).
fn lookalikes(line: &[bool]) -> u32 {
    let light = |from: usize, to: usize| (from..to).all(|k| !line.get(k).copied().unwrap_or(false));
    let mut score = 0;
    for j in 0..line.len().saturating_sub(6) {
        if line[j..j + 7] == FINDER && (light(j.saturating_sub(4), j) || light(j + 7, j + 11)) {
            score += 40;
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_all_dark_symbol_scores_runs_blocks_and_imbalance() {
        // N1: 21 rows and 21 columns of one 21-run, 3 + 16 each; N2: 20 × 20
        // blocks of 3; N4: 100 % dark is 10 steps of 5 % from half.
        assert_eq!(penalty(&[true; 21 * 21], 21), 42 * 19 + 400 * 3 + 100);
    }

    #[test]
    fn runs_of_five_or_more_cost_three_plus_the_excess() {
        let line = |s: &str| s.chars().map(|c| c == '#').collect::<Vec<_>>();
        assert_eq!(runs(&line("#.#.#.#.#")), 0);
        assert_eq!(runs(&line("#####.#.#")), 3);
        assert_eq!(runs(&line("#######..")), 5);
        assert_eq!(runs(&line(".....#####")), 6);
    }

    #[test]
    fn a_finder_look_alike_counts_only_beside_four_light_modules() {
        let line = |s: &str| s.chars().map(|c| c == '#').collect::<Vec<_>>();
        assert_eq!(lookalikes(&line("....#.###.#")), 40);
        assert_eq!(
            lookalikes(&line("#.###.#....#")),
            40,
            "light after, quiet zone before"
        );
        assert_eq!(lookalikes(&line("#...#.###.#...#")), 0);
        assert_eq!(lookalikes(&line("..#.#.###.#.#..")), 0);
    }
}
