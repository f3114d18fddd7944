"""Regenerate the CLDR-derived course datasets.

    python tools/build_datasets.py            rewrite datasets/countries.csv and
                                              datasets/territory_languages.csv
    python tools/build_datasets.py --check    exit 1 if the committed files differ from
                                              what this script produces (no writing)
    python tools/build_datasets.py --out DIR  write the two files into DIR instead

Inputs, all installed or committed, never downloaded:

- Unicode CLDR ``supplementalData.xml`` as shipped by the ``language-data`` package
  (``language_data/data/supplementalData.xml``): territoryInfo (population, GDP at PPP,
  literacy, language population shares and official status), territoryContainment (UN M49
  regions) and codeMappings.
- ``babel`` for CLDR's English display names of territories and M49 regions, and for the
  CLDR version (see ``cldr_version``).
- ``pycountry`` for ISO 3166-1 alpha-3 codes (empty for CLDR codes that are not ISO
  3166-1 countries, such as XK, AC or EA).
- ``langcodes`` for English language names.
- ``datasets/internet_use.csv`` (curated, committed): the internet-penetration columns of
  countries.csv are the latest year per territory from that file.

The output is deterministic: fixed column order, rows sorted, numbers copied from CLDR as
written (shares computed with ``decimal``), ``\\n`` line endings, UTF-8.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"

COUNTRY_FIELDS = [
    "territory",
    "alpha3",
    "name",
    "region",
    "continent",
    "population",
    "gdp_ppp_usd",
    "literacy_pct",
    "internet_pct",
    "internet_year",
    "internet_source",
    "internet_source_url",
    "internet_note",
]
LANGUAGE_FIELDS = [
    "territory",
    "language",
    "language_name",
    "population_share",
    "official_status",
    "speakers",
]
# The M49 "continents" CLDR uses as the top level under 001 (World).
CONTINENTS = ("002", "009", "019", "142", "150")
# CLDR's territoryInfo has a placeholder row for ZZ (Unknown Region) with zeros only.
SKIP_TERRITORIES = {"ZZ"}

OUTPUTS = ("countries.csv", "territory_languages.csv")


def supplemental_path() -> Path:
    """Path of supplementalData.xml inside the installed language-data package."""
    import language_data

    return Path(language_data.__file__).resolve().parent / "data" / "supplementalData.xml"


def load_supplemental(path: Path | None = None) -> ET.Element:
    return ET.parse(path or supplemental_path()).getroot()


def _language_shares(root: ET.Element) -> dict[str, dict[str, Decimal]]:
    return {
        t.get("type"): {lp.get("type"): Decimal(lp.get("populationPercent")) for lp in t}
        for t in root.find("territoryInfo").findall("territory")
    }


def cldr_version(root: ET.Element) -> str:
    """The CLDR release the XML comes from.

    The file's ``<version number=...>`` is used when it holds a number. The copy in
    language-data 1.4.0 has the unexpanded placeholder ``$Revision$`` instead, so the
    version is then taken from babel, but only after checking that babel's CLDR data has
    exactly the same language population shares for every territory; otherwise we refuse
    to guess.
    """
    number = (root.find("version").get("number") or "").strip()
    digits = number.replace(".", "")
    if digits.isdigit():
        return number
    import babel.core

    ours = _language_shares(root)
    theirs_raw = babel.core.get_global("territory_languages")
    theirs = {
        territory: {lang: Decimal(str(info["population_percent"])) for lang, info in langs.items()}
        for territory, langs in theirs_raw.items()
    }
    mismatched = [t for t in ours if ours[t] != theirs.get(t, {})]
    if mismatched:
        raise RuntimeError(
            f"supplementalData.xml has version {number!r} and its territory language data "
            f"differs from babel's CLDR {babel.core.get_cldr_version()} for "
            f"{len(mismatched)} territories (e.g. {mismatched[:5]}); cannot tell the CLDR "
            "version: check the language-data release notes and record it by hand."
        )
    return str(babel.core.get_cldr_version())


def regions(root: ET.Element) -> dict[str, tuple[str, str]]:
    """territory -> (M49 subregion code, M49 continent code) from territoryContainment."""
    parent: dict[str, str] = {}
    for group in root.find("territoryContainment").findall("group"):
        if group.get("status") in ("deprecated", "grouping") or group.get("grouping") == "true":
            continue
        code = group.get("type")
        if not code.isdigit():  # EU, EZ, UN, QO... are not part of the M49 tree
            continue
        for child in group.get("contains").split():
            parent.setdefault(child, code)
    # QO (Outlying Oceania) is CLDR's own subregion of Oceania for AC, AQ, CP, DG, TA.
    for group in root.find("territoryContainment").findall("group"):
        if group.get("type") == "QO" and not group.get("status"):
            for child in group.get("contains").split():
                parent.setdefault(child, "QO")
    result = {}
    for territory, sub in parent.items():
        if not (len(territory) == 2 and territory.isalpha()):
            continue
        continent = sub
        while continent not in CONTINENTS and continent in parent:
            continent = parent[continent]
        result[territory] = (sub, continent if continent in CONTINENTS else "")
    return result


def _number(text: str | None) -> str:
    """CLDR numbers are copied as written; zero or absent means unknown (empty)."""
    if text is None or Decimal(text) == 0:
        return ""
    Decimal(text)  # raises on anything that is not a number
    return text


def _share(percent: str) -> Decimal | None:
    value = Decimal(percent)
    if value == 0:  # CLDR writes 0 for "listed, share not estimated / negligible"
        return None
    return value / 100


def _fmt(d: Decimal) -> str:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def read_internet_use(path: Path) -> dict[str, dict[str, str]]:
    """Latest row per territory of the curated internet_use.csv."""
    latest: dict[str, dict[str, str]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            current = latest.get(row["territory"])
            if current is None or int(row["year"]) > int(current["year"]):
                latest[row["territory"]] = row
    return latest


def build_tables(root: ET.Element, internet: dict[str, dict[str, str]]):
    import langcodes
    import pycountry
    from babel import Locale

    english = Locale("en").territories
    region_of = regions(root)
    countries, languages = [], []
    territories = root.find("territoryInfo").findall("territory")
    seen = set()
    for t in territories:
        code = t.get("type")
        if code in SKIP_TERRITORIES:
            continue
        seen.add(code)
        iso = pycountry.countries.get(alpha_2=code)
        sub, continent = region_of.get(code, ("", ""))
        net = internet.get(code, {})
        countries.append(
            {
                "territory": code,
                "alpha3": iso.alpha_3 if iso else "",
                "name": english[code],
                "region": english.get(sub, "") if sub else "",
                "continent": english.get(continent, "") if continent else "",
                "population": _number(t.get("population")),
                "gdp_ppp_usd": _number(t.get("gdp")),
                "literacy_pct": _number(t.get("literacyPercent")),
                "internet_pct": net.get("internet_pct", ""),
                "internet_year": net.get("year", ""),
                "internet_source": net.get("source_title", ""),
                "internet_source_url": net.get("source_url", ""),
                "internet_note": net.get("note", ""),
            }
        )
        population = Decimal(t.get("population"))
        rows = []
        for lp in t.findall("languagePopulation"):
            tag = lp.get("type").replace("_", "-")
            if not langcodes.tag_is_valid(tag):
                raise ValueError(f"{code}: CLDR language {lp.get('type')!r} is not valid BCP 47")
            share = _share(lp.get("populationPercent"))
            speakers = (
                "" if share is None else str(int((population * share).to_integral_value(rounding=ROUND_HALF_EVEN)))
            )
            rows.append(
                {
                    "territory": code,
                    "language": tag,
                    "language_name": langcodes.Language.get(tag).display_name("en"),
                    "population_share": "" if share is None else _fmt(share),
                    "official_status": lp.get("officialStatus") or "",
                    "speakers": speakers,
                    "_sort": (-(share or Decimal(-1)), tag),
                }
            )
        rows.sort(key=lambda r: r.pop("_sort"))
        languages.extend(rows)
    unknown = sorted(set(internet) - seen)
    if unknown:
        raise ValueError(f"internet_use.csv has territories CLDR does not list: {unknown}")
    countries.sort(key=lambda r: r["territory"])
    languages.sort(key=lambda r: r["territory"])  # stable: keeps the per-territory order
    return countries, languages


def _csv_text(rows: list[dict[str, str]], fields: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def render(*, supplemental: Path | None = None, datasets_dir: Path = DATASETS) -> dict[str, str]:
    """File name -> exact text of each generated file."""
    root = load_supplemental(supplemental)
    internet = read_internet_use(datasets_dir / "internet_use.csv")
    countries, languages = build_tables(root, internet)
    return {
        "countries.csv": _csv_text(countries, COUNTRY_FIELDS),
        "territory_languages.csv": _csv_text(languages, LANGUAGE_FIELDS),
    }


def build(out_dir: Path | str, *, supplemental: Path | None = None, datasets_dir: Path = DATASETS) -> dict[str, Path]:
    """Write the generated files into ``out_dir``; returns name -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, text in render(supplemental=supplemental, datasets_dir=datasets_dir).items():
        path = out / name
        path.write_bytes(text.encode("utf-8"))
        written[name] = path
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DATASETS, help="output directory")
    parser.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    args = parser.parse_args(argv)
    root = load_supplemental()
    print(f"CLDR {cldr_version(root)} from {supplemental_path()}")
    if args.check:
        drift = [name for name, text in render().items() if (DATASETS / name).read_bytes() != text.encode("utf-8")]
        for name in drift:
            print(f"drift: datasets/{name} differs from what the build produces", file=sys.stderr)
        return 1 if drift else 0
    for path in build(args.out).values():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
