"""Rebuild ``NotoSansSC-carbonsim.otf``, the Chinese font bundled with :mod:`carbonsim.plot`.

Usage (developers only; needs fontTools, which matplotlib already depends on)::

    python carbonsim/plot/fonts/make_subset.py path/to/NotoSansSC-Regular.otf

The source is Noto Sans SC Regular, version 2.004 (Adobe/Google, SIL Open Font License 1.1,
the "SubsetOTF/SC" build of the noto-cjk project; sha256
faa6c9df652116dde789d351359f3d7e5d2285a2b2a1f04a2d7244df706d5ea9).  The subset keeps

* every character of GB 2312 (6,763 hanzi plus its symbols, punctuation and full-width forms),
* every character that occurs in carbonsim's own files (the plan texts, the target catalogue,
  the variable and lever tables, the code's labels), so no label the package writes can miss,
* ASCII, Latin-1, general punctuation, arrows, mathematical operators and CJK punctuation,

which takes the font from 8.3 MB to about 1.7 MB.  The family is renamed
``Noto Sans SC carbonsim`` so that it never shadows a full Noto Sans SC installed on the machine.
Glyphs outside the subset fall back to DejaVu Sans (matplotlib's own font) at draw time.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent.parent
OUTPUT = HERE / "NotoSansSC-carbonsim.otf"
FAMILY = "Noto Sans SC carbonsim"
RANGES = (
    (0x20, 0x7F),
    (0xA0, 0x180),
    (0x2000, 0x2070),
    (0x2100, 0x2150),
    (0x2190, 0x2200),
    (0x2200, 0x2300),
    (0x2460, 0x24A0),
    (0x3000, 0x3040),
    (0xFF00, 0xFFF0),
)


def gb2312() -> set[str]:
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def package_text() -> set[str]:
    chars: set[str] = set()
    for path in PACKAGE.rglob("*"):
        if path.is_file() and path.suffix in {".py", ".txt", ".toml", ".csv", ".md"}:
            chars |= set(path.read_text(encoding="utf-8"))
    return chars


def wanted() -> set[int]:
    chars = gb2312() | package_text()
    codes = {ord(c) for c in chars if c.isprintable()}
    for first, last in RANGES:
        codes |= set(range(first, last))
    return codes


def rename(font, family: str) -> None:
    postscript = family.replace(" ", "") + "-Regular"
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID == 4:
            record.string = f"{family} Regular"
        elif record.nameID == 6:
            record.string = postscript
        elif record.nameID == 3:
            record.string = f"2.004;carbonsim;{postscript}"
    cff = font["CFF "].cff
    cff.fontNames = [postscript]
    top = cff.topDictIndex[0]
    top.FullName = f"{family} Regular"
    top.FamilyName = family


def main(source: str) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["DSIG", "VORG", "vhea", "vmtx"]
    subsetter = subset.Subsetter(options)
    cmap = font.getBestCmap()
    subsetter.populate(unicodes=sorted(c for c in wanted() if c in cmap))
    subsetter.subset(font)
    rename(font, FAMILY)
    font.save(OUTPUT)
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
