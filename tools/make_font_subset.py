"""Make the CJK font subset shipped in src/taizhang/fonts/ for the report charts.

Source: Noto Sans CJK SC Regular (SIL Open Font License 1.1), as packaged by Debian's
``fonts-noto-cjk`` (a TTC holding JP/KR/SC/TC/HK faces; the SC face is picked by name).
Coverage: every GB 2312 character (all 6,763 level-1 and level-2 hanzi plus GB 2312's symbols,
full-width forms, kana, Greek and Cyrillic), printable ASCII, Latin-1, CJK symbols and punctuation,
full-width/half-width forms, general punctuation, and a short list of name characters outside
GB 2312 that branch rosters often contain.

Developer tool only (fontTools is not a runtime dependency):

    pip install fonttools
    python tools/make_font_subset.py [--source /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

Writes src/taizhang/fonts/TaizhangSansSC-Regular.otf and OFL.txt (the licence, taken from the
Debian copyright file when found, else left as it is).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "src" / "taizhang" / "fonts"
OUT_FONT = OUT_DIR / "TaizhangSansSC-Regular.otf"
FAMILY = "Taizhang Sans SC"
DEFAULT_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
SOURCE_FAMILY = "Noto Sans CJK SC"

# Given-name characters outside GB 2312 that are common in rosters (通用规范汉字表 has them).
EXTRA_NAME_CHARS = "堃喆赟犇垚燊昇珺玥彧镕旻玙瑄祎璟昊晗睿琦甦翀翚旸炜玮玢珏琇瑛瑢璠镓铖钕"

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (×, ÷, ·, °, ±)
    (0x2010, 0x206F),  # general punctuation (— … “ ” ‘ ’ ‰ ※)
    (0x2100, 0x214F),  # letterlike (℃ № ℉)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ …)
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ⑴ ⒈)
    (0x2190, 0x21FF),  # arrows
    (0x25A0, 0x25FF),  # geometric shapes (□ ■ ○ ●)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x32FF),  # enclosed CJK (㈠ ㊣)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width and half-width forms
]


def gb2312_chars() -> set[int]:
    """Every code point GB 2312 encodes (rows 1-9 symbols, rows 16-87 hanzi)."""
    cps: set[int] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                cps.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return cps


def wanted_codepoints() -> set[int]:
    """The code points the subset should keep (before intersecting with the source cmap)."""
    cps = gb2312_chars()
    for lo, hi in RANGES:
        cps.update(range(lo, hi + 1))
    cps.update(ord(c) for c in EXTRA_NAME_CHARS)
    return cps


def open_source(path: Path) -> TTFont:
    """The SC face of the source font (a TTC is searched by family name)."""
    if path.suffix.lower() in (".ttc", ".otc"):
        coll = TTCollection(str(path))
        for font in coll.fonts:
            if font["name"].getDebugName(1) == SOURCE_FAMILY:
                return font
        raise SystemExit(f"{path}: no face named {SOURCE_FAMILY!r}")
    return TTFont(str(path))


def rename(font: TTFont) -> None:
    """Give the subset its own family name (a modified version), keeping copyright and licence."""
    name = font["name"]
    version = name.getDebugName(5) or ""
    keep = {0, 13, 14}
    name.names = [rec for rec in name.names if rec.nameID in keep]
    ps_name = FAMILY.replace(" ", "") + "-Regular"
    for name_id, value in [
        (1, FAMILY),
        (2, "Regular"),
        (3, f"{ps_name};subset of {SOURCE_FAMILY} {version}"),
        (4, f"{FAMILY} Regular"),
        (5, version),
        (6, ps_name),
    ]:
        name.setName(value, name_id, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps_name]
        top = cff.topDictIndex[0]
        top.FullName = f"{FAMILY} Regular"
        top.FamilyName = FAMILY


def write_licence(out_dir: Path) -> None:
    """Copy the OFL 1.1 text from Debian's copyright file into OFL.txt."""
    if not DEBIAN_COPYRIGHT.exists():
        return
    text = DEBIAN_COPYRIGHT.read_text(encoding="utf-8")
    m = re.search(r"^License: SIL-1\.1\n((?: .*\n?)+)", text, re.MULTILINE)
    if not m:
        return
    body = "\n".join("" if ln.strip() == "." else ln[1:] for ln in m.group(1).splitlines())
    header = (
        "Taizhang Sans SC is a subset of Noto Sans CJK SC Regular.\n"
        "Copyright 2014-2021 Adobe (http://www.adobe.com/).\n"
        "Source: https://github.com/googlefonts/noto-cjk (Debian package fonts-noto-cjk)\n\n"
    )
    (out_dir / "OFL.txt").write_text(header + body.strip() + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=OUT_FONT)
    args = parser.parse_args(argv)

    font = open_source(args.source)
    available = set(font.getBestCmap())
    cps = wanted_codepoints() & available
    missing_gb = gb2312_chars() - available

    options = subset.Options()
    options.layout_features = []  # Pillow's basic layout uses neither GSUB nor GPOS
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    options.name_IDs = ["*"]
    options.name_languages = [0x409]
    options.notdef_outline = True  # an uncovered character shows a box, never nothing
    options.hinting = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(cps))
    subsetter.subset(font)
    rename(font)
    font.recalcTimestamp = False  # keep the source's date so a rerun gives the same file

    args.out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(args.out))
    write_licence(args.out.parent)
    size = args.out.stat().st_size
    print(f"{args.out}: {len(cps)} characters, {size / 1e6:.2f} MB")
    if missing_gb:
        print(f"GB 2312 characters missing from the source: {len(missing_gb)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
