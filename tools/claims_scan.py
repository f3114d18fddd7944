"""Find the figures the course states in prose, for the claims registry (datasets/claims.csv).

    python tools/claims_scan.py            list every stated figure not in the registry
    python tools/claims_scan.py --all      list every stated figure with its registry row

A *stated figure* is a number with a unit or a magnitude, a percentage or an amount of
money, written in prose: the markdown cells of the lectures (course/*.ipynb) and problem
sets (assignments/source/*/*.ipynb), and the plain (non-f) string literals and docstrings
of the helper package (src/platform_intl). Code cells are not scanned: what they print
is computed from dataset rows when the notebook runs. f-strings in the package are not
scanned for the same reason.

Matching is exact and per file: a figure found in a file must appear, as written
(spaces normalised), in the ``stated`` column of a registry row for that file. The only
exceptions are the allow-list below, for things that are not claims about the world.
"""

from __future__ import annotations

import ast
import csv
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "datasets" / "claims.csv"

_NUMBER = r"(?<![\w.])\d{1,3}(?:[,.\u202f]\d{3})*(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?"
_MAGNITUDE = r"(?:million|billion|thousand|bn)"
_UNIT = (
    r"(?:people|users|posts|messages|reviewers|moderators|verifiers|words|languages|subsets|"
    r"shifts|accounts|hours|days|years|months|errors|points|minutes|seconds)"
)
FIGURE = re.compile(
    rf"(?:(?:USD|US\$|\$)\s?(?:{_NUMBER})(?:\s?{_MAGNITUDE})?)"  # money
    rf"|(?:(?:{_NUMBER})\s(?:US dollars|dollars))"  # 3.47 US dollars
    rf"|(?:(?:{_NUMBER})\s?%)"  # percentages
    rf"|(?:(?:{_NUMBER})\s?{_MAGNITUDE}(?:\s(?:{_UNIT}))?)"  # 446 million (users)
    rf"|(?:(?:{_NUMBER})\s(?:{_UNIT}))",  # 1,000 people, 600 words
    re.IGNORECASE,
)

#: Not claims about the world, so not in the registry. Kept small and explicit:
#: - course logistics: points, minutes of a lecture, lecture and section numbers;
#: - formatting and arithmetic examples that state no fact ("0.5 would mean +50 %");
#: - the bounds of an allowed range in an error message or hint ("between 0 and 100 %").
ALLOWED = {
    "points": re.compile(r"^\d+ points?$", re.I),
    "minutes": re.compile(r"^(?:about )?\d+ minutes$", re.I),
    "percent bounds": re.compile(r"^(?:0|100) ?%$"),
    "years of a period": re.compile(r"^\d+(?:\.\d+)? years$", re.I),
    "hours of a day": re.compile(r"^(?:8|16|24) hours$", re.I),
    "a year before a unit": re.compile(r"^(?:19|20)\d\d [a-z]+$", re.I),
}
#: Whole files whose figures are formatting or doctest examples, not claims.
ALLOWED_FILES = {
    "src/platform_intl/localization/formatting.py": "formatting examples (Babel output for sample numbers)",
    "src/platform_intl/sizing/periods.py": "a doctest example of a period mismatch",
}


@dataclass(frozen=True)
class Stated:
    file: str
    where: str
    stated: str
    context: str


def normalise(text: str) -> str:
    # "54 %" and "54%" state the same figure (the course's English prose writes the second).
    return re.sub(r"(\d) %", r"\1%", re.sub(r"[\s\u00a0\u202f]+", " ", text)).strip()


def allowed(token: str) -> str | None:
    for name, pattern in ALLOWED.items():
        if pattern.match(token):
            return name
    return None


def _scan_text(text: str, file: str, where: str) -> list[Stated]:
    found = []
    for match in FIGURE.finditer(text):
        token = normalise(match.group(0))
        start, end = max(0, match.start() - 50), min(len(text), match.end() + 50)
        found.append(Stated(file, where, token, normalise(text[start:end])))
    return found


def scan_notebook(path: Path) -> list[Stated]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT).as_posix()
    out = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        out += _scan_text(source, rel, grade_id or f"cell{index}")
    return out


def scan_module(path: Path) -> list[Stated]:
    rel = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside_fstring = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_fstring:
            out += _scan_text(node.value, rel, f"line{node.lineno}")
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        comment = line.split("#", 1)[1] if "#" in line and not line.strip().startswith(("'", '"')) else ""
        if comment.startswith(":"):  # Sphinx-style "#:" documentation comments state figures too
            out += _scan_text(comment, rel, f"line{line_no}")
    return out


def sources() -> list[Path]:
    notebooks = sorted((ROOT / "course").glob("*.ipynb")) + sorted((ROOT / "assignments" / "source").glob("*/*.ipynb"))
    modules = sorted(p for p in (ROOT / "src" / "platform_intl").rglob("*.py") if "instructor" not in p.parts)
    return notebooks + modules


def scan() -> list[Stated]:
    out = []
    for path in sources():
        out += scan_notebook(path) if path.suffix == ".ipynb" else scan_module(path)
    return out


def registry(path: Path = REGISTRY) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def registered_pairs(rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    """(file, stated figure) for every registry row: one row may list several files, ``;``-separated."""
    pairs = set()
    for row in rows:
        for file in row["used_in"].split(";"):
            if file.strip():
                for stated in row["stated"].split(" | "):
                    pairs.add((file.strip().split("#")[0], normalise(stated)))
    return pairs


def unregistered(found: list[Stated] | None = None, rows: list[dict[str, str]] | None = None) -> list[Stated]:
    """Stated figures that are neither allowed nor registered for their file."""
    found = scan() if found is None else found
    pairs = registered_pairs(registry() if rows is None else rows)
    return [
        s for s in found if not allowed(s.stated) and s.file not in ALLOWED_FILES and (s.file, s.stated) not in pairs
    ]


def main(argv: list[str]) -> int:
    rows = registry() if REGISTRY.exists() else []
    found = scan()
    missing = unregistered(found, rows)
    shown = found if "--all" in argv else missing
    for s in shown:
        print(f"{s.file}\t{s.where}\t{s.stated}\t{s.context}")
    print(f"{len(found)} stated figures, {len(missing)} not in the registry", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
