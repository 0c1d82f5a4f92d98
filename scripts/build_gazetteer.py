"""Build data/gazetteer.tsv and data/jieba_userdict.txt from the jionlp wheel's location list.

The jionlp wheel (Apache-2.0) ships ``jionlp/dictionary/china_location.zip``; we read
``china_location.txt`` straight out of the wheel archive and never import jionlp (its first call
takes seconds and hundreds of MB). Run:

    python scripts/build_gazetteer.py                 # pip download jionlp==1.5.31 into a temp dir
    python scripts/build_gazetteer.py --wheel PATH    # reuse a downloaded wheel
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pypinyin import lazy_pinyin

PACKAGE = "jionlp"
VERSION = "1.5.31"
ZIP_MEMBER = "jionlp/dictionary/china_location.zip"
TXT_MEMBER = "china_location.txt"
LICENCE = "Apache-2.0 (jionlp, https://github.com/dongrixinyu/JioNLP)"

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("adcode", "name", "short", "level", "parent", "province", "city", "pinyin", "aliases")

# Rows that look like county-level units but are not administrative divisions: economic zones
# carry county digits 71-79 in GB/T 2260-style codes; "市直辖行政区划" is a placeholder row.
_FUNCTIONAL_ZONE = re.compile(r"(开发区|工业园区?|产业园区?|示范区|管委会|行政区划|综合保税区)$")
_PLACEHOLDER = "省直辖行政区划"

# pypinyin picks the everyday reading; place names read some characters differently.
_PINYIN_FIXES = {"朝阳": "chaoyang", "单县": "shanxian", "长治": "changzhi", "莲都": "liandu"}
_PINYIN_CHAR_FIXES = {("长", 0): "chang", ("都", -1): "du"}

# Prefecture short names that are everyday words or brands (朝阳产业, 阿里, 白银价格): jieba
# already knows them, and a boosted user-dictionary entry could only pull them out of compounds.
_COMMON_WORDS = frozenset(
    {"朝阳", "阿里", "白银", "来宾", "日照", "长治", "大同", "中山"}
    | {"黄山", "大庆", "普洱", "海西", "海北", "兴安", "山南", "安康"}
)


@dataclass
class Row:
    adcode: str
    name: str
    short: str
    level: str
    parent: str
    province: str
    city: str
    aliases: list[str] = field(default_factory=list)

    @property
    def pinyin(self) -> str:
        return place_pinyin(self.short)


def place_pinyin(word: str) -> str:
    """Toneless lower-case pinyin without spaces, with the few place-name readings fixed."""
    if word in _PINYIN_FIXES:
        return _PINYIN_FIXES[word]
    syllables = lazy_pinyin(word)
    if len(syllables) != len(word):  # non-Han characters: keep pypinyin's joined output
        return "".join(syllables).lower()
    for (char, pos), reading in _PINYIN_CHAR_FIXES.items():
        if word[pos] == char:
            syllables[pos] = reading
    return "".join(syllables).lower()


def fetch_wheel(dest: Path) -> Path:
    """Download the pinned jionlp wheel with pip (no dependencies) and return its path."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", f"{PACKAGE}=={VERSION}", "-d", dest],
        check=True,
    )
    wheels = sorted(dest.glob(f"{PACKAGE}-{VERSION}-*.whl"))
    if not wheels:
        raise SystemExit(f"pip did not produce a {PACKAGE} {VERSION} wheel in {dest}")
    return wheels[0]


def read_location_text(wheel: Path) -> bytes:
    """The raw bytes of china_location.txt, read from the zip inside the wheel."""
    with zipfile.ZipFile(wheel) as whl:
        inner = whl.read(ZIP_MEMBER)
    with zipfile.ZipFile(io.BytesIO(inner)) as z:
        return z.read(TXT_MEMBER)


def _split_aliases(field_text: str, name: str) -> tuple[str, list[str]]:
    parts = [p for p in field_text.split("/") if p] or [name]
    return parts[0], parts[1:]


def _is_admin_county(name: str, adcode: str) -> bool:
    county_digits = int(adcode[4:6])
    return (
        not adcode.endswith("00")
        and not 71 <= county_digits <= 79
        and not _FUNCTIONAL_ZONE.search(name)
    )


def _generated_aliases(name: str, short: str) -> list[str]:
    """Forms seen in print besides the full and short names: 景宁畲族自治县 → 景宁县,
    甘孜藏族自治州 → 甘孜州."""
    out = []
    if name.endswith("自治县") and short + "县" != name:
        out.append(short + "县")
    if name.endswith("自治州") and short + "州" != name:
        out.append(short + "州")
    return out


def parse_locations(text: str) -> list[Row]:
    """Provinces, prefecture-level cities and county-level units from the tab-indented list.

    Depth 0 is a province, 1 a prefecture, 2 a county; deeper lines are towns and villages
    without adcodes. Municipalities and the SARs repeat the province as their only prefecture:
    that duplicate is dropped and their districts hang directly off the province.
    """
    rows: list[Row] = []
    seen: set[str] = set()
    province: Row | None = None
    city: Row | None = None  # None under a municipality or a "省直辖" placeholder
    for line in text.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip("\t").split("\t")
        if depth > 2 or len(parts) < 3 or not line.strip():
            continue
        name, adcode, alias_field = parts[0], parts[1], parts[2]
        short, extra = _split_aliases(alias_field, name)
        if depth == 0:
            province = Row(adcode, name, short, "province", "", name, "", extra)
            city = None
            rows.append(province)
            seen.add(adcode)
            continue
        if province is None:
            continue
        if depth == 1:
            if adcode == province.adcode or name == _PLACEHOLDER:
                city = None
                continue
            aliases = extra + _generated_aliases(name, short)
            city = Row(adcode, name, short, "city", province.adcode, province.name, name, aliases)
            rows.append(city)
            seen.add(adcode)
            continue
        if adcode in seen or not _is_admin_county(name, adcode):
            continue
        if city is not None:
            parent, city_name = city.adcode, city.name
        else:  # municipality district or county-level city directly under a province
            parent = province.adcode
            city_name = province.name if province.name.endswith("市") else ""
        aliases = extra + _generated_aliases(name, short)
        rows.append(Row(adcode, name, short, "county", parent, province.name, city_name, aliases))
        seen.add(adcode)
    return rows


def write_gazetteer(rows: list[Row], path: Path, sha256: str, today: str) -> None:
    header = [
        f"# source: {PACKAGE} {VERSION} wheel, {ZIP_MEMBER} -> {TXT_MEMBER}",
        f"# sha256({TXT_MEMBER}): {sha256}",
        f"# licence: {LICENCE}",
        f"# generated: {today} by scripts/build_gazetteer.py",
        "# levels: province | city (prefecture) | county (county-level); towns omitted",
        "\t".join(COLUMNS),
    ]
    lines = [
        "\t".join(
            (
                r.adcode,
                r.name,
                r.short,
                r.level,
                r.parent,
                r.province,
                r.city,
                r.pinyin,
                "|".join(dict.fromkeys(a for a in r.aliases if a not in (r.name, r.short))),
            )
        )
        for r in sorted(rows, key=lambda r: r.adcode)
    ]
    path.write_text("\n".join(header + lines) + "\n", encoding="utf-8")


def userdict_words(rows: list[Row]) -> list[str]:
    """Names that must be single jieba tokens.

    Every full name (缙云县, 南山区: the suffix makes them unambiguous), the short names of
    Zhejiang counties and of provinces and prefecture-level cities. Short county names from
    elsewhere are left out: measured on the sample page, adding them all splits 奥立安新能源 into
    奥立|安新|能源 (安新 is a county in Hebei); the matcher needs only full or qualified forms.
    """
    words: dict[str, None] = {}
    for r in rows:
        words[r.name] = None
        for alias in r.aliases:
            if len(alias) >= 3 and alias[-1] in "县区市州旗":
                words[alias] = None
        wanted = r.province == "浙江省" or r.level != "county"
        if wanted and len(r.short) >= 2 and r.short not in _COMMON_WORDS:
            words[r.short] = None
    return [w for w in words if len(w) >= 2]


def write_userdict(words: list[str], path: Path, today: str) -> None:
    header = [
        f"# jieba user dictionary generated {today} by scripts/build_gazetteer.py from "
        f"{PACKAGE} {VERSION}: region names that must stay single tokens.",
        "# format: word freq tag",
    ]
    path.write_text("\n".join(header + [f"{w} 1000 ns" for w in words]) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, help="a downloaded jionlp wheel to read")
    ap.add_argument("--out-dir", type=Path, default=ROOT / "data")
    ap.add_argument("--date", default=dt.date.today().isoformat(), help="generation date")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        raw = read_location_text(wheel)
    sha = hashlib.sha256(raw).hexdigest()
    rows = parse_locations(raw.decode("utf-8"))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    write_gazetteer(rows, args.out_dir / "gazetteer.tsv", sha, args.date)
    words = userdict_words(rows)
    write_userdict(words, args.out_dir / "jieba_userdict.txt", args.date)
    levels = {lv: sum(r.level == lv for r in rows) for lv in ("province", "city", "county")}
    zj = sum(r.level == "county" and r.province == "浙江省" for r in rows)
    print(f"{len(rows)} regions {levels}; Zhejiang counties {zj}; {len(words)} userdict words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
