#!/bin/sh
# Regenerates the report's fonts from Debian's fonts-dejavu-core, cut down to
# what a report in Uzbek, Russian and English needs. Run once by hand (needs
# `pip install fonttools`); the outputs are committed.
set -eu
cd "$(dirname "$0")"
SRC=${DEJAVU_DIR:-/usr/share/fonts/truetype/dejavu}
# Basic Latin, Latin-1, Latin Extended A/B, spacing modifiers (Uzbek's ʻ is
# U+02BB), combining marks, Cyrillic (+ supplement), Latin Extended Additional,
# general punctuation (‘ U+2018 in gʻ/oʻ spelt with it, dashes, …), currency,
# letterlike symbols (№ U+2116), arrows, mathematical operators (− U+2212),
# geometric shapes (▲ ▼).
UNICODES="U+0020-007E,U+00A0-024F,U+02B0-02FF,U+0300-036F,U+0400-052F,U+1E00-1EFF,U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-21FF,U+2200-22FF,U+25A0-25FF"
for face in DejaVuSans DejaVuSans-Bold; do
  pyftsubset "$SRC/$face.ttf" --unicodes="$UNICODES" --layout-features='*' \
    --no-hinting --desubroutinize --output-file="$face-subset.ttf"
done
