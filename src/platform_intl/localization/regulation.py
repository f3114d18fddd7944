"""Regulation as data: the laws that bear on a platform entering a market (``datasets/regulation.csv``).

Each row of the dataset is one instrument (a law, an order, a decision) of one jurisdiction,
an ISO 3166-1 code or ``EU``, with its dates, what it requires, the platforms it touched and
a **data-localization score** from one rubric (:data:`DATA_LOCALIZATION_RUBRIC`). The score
describes what the instrument requires of those it covers, not a given firm's exposure: read
``data_localization_basis`` before you rely on it.

- :func:`regulation_table`: the dataset, with ``adopted_date`` and ``in_force_date`` parsed to
  the first day of the period the source gives (a date known to the month is that month's first
  day; ``adopted_precision`` and ``in_force_precision`` say which).
- :func:`jurisdictions_for`: a territory and the unions whose law applies in it (``DE`` is also
  ``EU``; membership from CLDR's territory containment).
- :func:`data_localization_burden`: the strictest score in force per territory, on the scale of a
  decision matrix (0 to 5 by default). A territory with no entry is an error
  (:class:`RegulationCoverageError`), never a silent 0.
- :func:`burden_sources`: which instrument sets each territory's score, and why.
- :func:`regulation_timeline_chart` and :func:`timeline_alt`: the instruments on a time axis.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

import pandas as pd

#: The data-localization rubric: the score of what an instrument requires (``data_localization``).
DATA_LOCALIZATION_RUBRIC: dict[int, str] = {
    0: "no rule on where personal data is stored or sent",
    1: "data may leave under safeguards the company applies itself (adequacy, contracts, consent); "
    "no local copy, no approval",
    2: "local storage for some data or some firms, or transfers to named countries prohibited",
    3: "local storage required of (nearly) every firm, or local storage plus government approval of transfers",
}
RUBRIC_MAX = max(DATA_LOCALIZATION_RUBRIC)

#: Kinds of instrument, as in the dataset's ``kind`` column.
KINDS = (
    "ban",
    "data_localization",
    "transfer_rule",
    "content_obligation",
    "forced_divestiture",
    "national_security",
    "registration",
)

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_PRECISION = {1: "year", 2: "month", 3: "day"}


class RegulationCoverageError(ValueError):
    """A territory the regulation dataset says nothing about (its burden is unknown, not 0)."""


# --------------------------------------------------------------------------- the table


def parse_partial_date(value) -> tuple[pd.Timestamp, str]:
    """``"2020-06-29"``, ``"1996-12"`` or ``"1995"`` as (first day of that period, precision).

    >>> parse_partial_date("1996-12")
    (Timestamp('1996-12-01 00:00:00'), 'month')
    """
    match = _PARTIAL_DATE.match(str(value).strip()) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"a date must be YYYY-MM-DD, YYYY-MM or YYYY; got {value!r}")
    parts = [p for p in match.groups() if p]
    year, month, day = (int(p) for p in [*parts, "1", "1"][:3])
    return pd.Timestamp(year=year, month=month, day=day), _PRECISION[len(parts)]


def regulation_table(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The regulation dataset with parsed dates (``*_date``, ``*_precision``), oldest first."""
    from platform_intl import data

    frame = data.load("regulation") if table is None else table.copy()
    for column in ("adopted", "in_force"):
        parsed = [parse_partial_date(v) if isinstance(v, str) else (pd.NaT, pd.NA) for v in frame[column]]
        frame[f"{column}_date"] = pd.to_datetime(pd.Series([p[0] for p in parsed], index=frame.index))
        frame[f"{column}_precision"] = [p[1] for p in parsed]
    frame = frame.sort_values(["adopted_date", "regulation_id"], kind="stable").reset_index(drop=True)
    frame.attrs["dataset"] = "regulation"
    return frame


# --------------------------------------------------------------------------- territories


@cache
def _cldr_groups() -> dict[str, frozenset[str]]:
    """CLDR's territory groupings (``EU`` and its members), from the CLDR data the course uses."""
    import language_data

    path = Path(language_data.__file__).parent / "data" / "supplementalData.xml"
    root = ET.parse(path).getroot()
    groups: dict[str, frozenset[str]] = {}
    for group in root.iter("group"):
        if group.get("status") in ("deprecated",):
            continue
        kind = group.get("type", "")
        if kind.isalpha() and kind.isupper() and len(kind) == 2:
            groups[kind] = frozenset(group.get("contains", "").split())
    return groups


def eu_members() -> frozenset[str]:
    """The member states of the European Union, as CLDR lists them (27)."""
    return _cldr_groups()["EU"]


def _territory(code) -> str:
    text = str(code).strip()
    if not re.fullmatch(r"[A-Za-z]{2}", text):
        raise ValueError(f"a territory must be an ISO 3166-1 alpha-2 code such as 'DE' or 'HK'; got {code!r}")
    return text.upper()


def jurisdictions_for(territory: str) -> list[str]:
    """The territory and every union whose law applies there: ``jurisdictions_for("DE") == ["DE", "EU"]``."""
    code = _territory(territory)
    unions = [union for union in ("EU",) if code in _cldr_groups().get(union, frozenset())]
    return [code, *unions]


# --------------------------------------------------------------------------- burden


def _as_labels(territories) -> tuple[list, list[str]]:
    if isinstance(territories, str):
        raise TypeError("territories must be a list of codes (['HK', 'TW']) or a mapping label -> code, not one string")
    if isinstance(territories, Mapping):
        return list(territories), [_territory(v) for v in territories.values()]
    codes = [_territory(t) for t in territories]
    return codes, codes


def _in_force(table: pd.DataFrame, as_of) -> pd.DataFrame:
    rows = table[table["in_force_date"].notna()]
    if as_of is not None:
        rows = rows[rows["in_force_date"] <= pd.Timestamp(as_of)]
    return rows


def _covered(table: pd.DataFrame) -> list[str]:
    jurisdictions = set(table["jurisdiction"].astype(str))
    out = set(jurisdictions) - {"EU"}
    if "EU" in jurisdictions:
        out |= eu_members()
    return sorted(out)


def burden_sources(
    territories: Sequence[str] | Mapping[str, str], *, as_of=None, table: pd.DataFrame | None = None
) -> pd.DataFrame:
    """For each territory, the instrument in force with the highest data-localization score.

    Columns: ``territory, jurisdiction, instrument, data_localization, data_localization_basis,
    in_force`` (the row that sets the score; the first such row by date when several tie).
    ``as_of`` (a date) counts only instruments in force by then; by default every instrument
    with an in-force date. A territory whose instruments are none in force scores 0, with the
    instrument column saying so. Raises :class:`RegulationCoverageError` for a territory the
    dataset has no entry for.
    """
    labels, codes = _as_labels(territories)
    frame = regulation_table(table)
    missing = [c for c in codes if not frame["jurisdiction"].astype(str).isin(jurisdictions_for(c)).any()]
    if missing:
        raise RegulationCoverageError(
            f"no regulation recorded for {missing}: their data-localization burden is unknown, not 0. "
            f"Add rows to datasets/regulation.csv, or choose from the territories covered: "
            f"{', '.join(_covered(frame))} (EU rows cover every member state)."
        )
    active = _in_force(frame, as_of)
    rows = []
    for label, code in zip(labels, codes):
        here = active[active["jurisdiction"].astype(str).isin(jurisdictions_for(code))]
        if here.empty:
            rows.append(
                {
                    "territory": label,
                    "jurisdiction": code,
                    "instrument": "(no recorded instrument in force)",
                    "data_localization": 0,
                    "data_localization_basis": "nothing in force on the date asked",
                    "in_force": "",
                }
            )
            continue
        top = here.sort_values(["data_localization", "in_force_date"], ascending=[False, True], kind="stable").iloc[0]
        rows.append(
            {
                "territory": label,
                "jurisdiction": str(top["jurisdiction"]),
                "instrument": str(top["instrument"]),
                "data_localization": int(top["data_localization"]),
                "data_localization_basis": str(top["data_localization_basis"]),
                "in_force": str(top["in_force"]),
            }
        )
    return pd.DataFrame(rows)


def data_localization_burden(
    territories: Sequence[str] | Mapping[str, str],
    *,
    scale: tuple[float, float] = (0, 5),
    as_of=None,
    table: pd.DataFrame | None = None,
) -> pd.Series:
    """The data-localization burden of each territory, from ``datasets/regulation.csv``.

    The burden is the highest rubric score (0 to 3, :data:`DATA_LOCALIZATION_RUBRIC`) among
    the instruments in force for the territory and its unions (EU rows count for members),
    mapped linearly onto ``scale`` (by default 0 to 5, the scale of
    :func:`weighted_decision_matrix`; higher = more burden). ``territories`` is a list of ISO
    codes (the result is indexed by code) or a mapping label -> code (indexed by label, e.g.
    ``{"Germany": "DE"}``). Raises :class:`RegulationCoverageError` for a territory with no
    entry; see :func:`burden_sources` for which instrument sets each score.
    """
    low, high = (float(s) for s in scale)
    if not low < high:
        raise ValueError(f"scale must be (lowest, highest) with lowest < highest; got {scale}")
    sources = burden_sources(territories, as_of=as_of, table=table)
    scores = sources["data_localization"].astype(float) / RUBRIC_MAX * (high - low) + low
    return pd.Series(scores.to_numpy(), index=sources["territory"].tolist(), name="data_localization_burden")


# --------------------------------------------------------------------------- figure

_KIND_LABELS = {
    "ban": "ban",
    "data_localization": "data localization",
    "transfer_rule": "transfer rule",
    "content_obligation": "content obligation",
    "forced_divestiture": "forced divestiture",
    "national_security": "national security",
    "registration": "registration",
}


def _jurisdiction_order(frame: pd.DataFrame) -> list[str]:
    first = frame.groupby("jurisdiction", observed=True)["adopted_date"].min().sort_values(kind="stable")
    return [str(j) for j in first.index]


def regulation_timeline_chart(table: pd.DataFrame | None = None, *, start: str = "2014-01-01"):
    """Instruments on a time axis, one row per jurisdiction: a line from adoption to entry into force,
    a marker at entry into force coloured by kind. Instruments adopted before ``start`` are drawn
    from the left edge. Returns the figure (show it with :func:`platform_intl.plots.show_figure`)."""
    from matplotlib.dates import YearLocator

    from platform_intl import plots

    frame = regulation_table(table)
    left = pd.Timestamp(start)
    order = _jurisdiction_order(frame)
    colours = dict(zip(KINDS, plots.palette(len(KINDS))))
    fig, ax = plots.new_figure((7.6, 0.42 * len(order) + 1.6))
    y = {j: i for i, j in enumerate(order)}
    seen: set[str] = set()
    for row in frame.itertuples():
        row_y = y[str(row.jurisdiction)]
        begin = max(row.adopted_date, left)
        end = row.in_force_date if pd.notna(row.in_force_date) else begin
        kind = str(row.kind)
        ax.plot([begin, max(end, begin)], [row_y, row_y], color=colours[kind], linewidth=2, alpha=0.6)
        label = _KIND_LABELS[kind] if kind not in seen else None
        seen.add(kind)
        marker = "o" if pd.notna(row.in_force_date) else "x"
        ax.scatter([max(end, begin)], [row_y], color=colours[kind], s=38, marker=marker, zorder=3, label=label)
    ax.set_yticks(range(len(order)), order)
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(YearLocator(2))
    ax.set_xlim(left, frame[["adopted_date", "in_force_date"]].max().max() + pd.Timedelta(days=240))
    ax.set_xlabel("Adopted → in force (dot at entry into force)")
    ax.set_ylabel("Jurisdiction")
    ax.set_title("Regulation that bears on platforms entering markets")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left", frameon=False, ncols=2)
    fig.tight_layout()
    return fig


def timeline_alt(table: pd.DataFrame | None = None) -> str:
    """Alt text for :func:`regulation_timeline_chart`, computed from the rows it plots."""
    frame = regulation_table(table)
    first, last = frame["adopted_date"].min(), frame["in_force_date"].max()
    strict = frame[frame["data_localization"] == RUBRIC_MAX]
    bans = frame[frame["kind"].isin(["ban", "forced_divestiture"])]
    return (
        f"Timeline of {len(frame)} laws and government actions in {frame['jurisdiction'].nunique()} "
        f"jurisdictions, adopted from {first:%Y} to {frame['adopted_date'].max():%Y}, the latest in force "
        f"{last:%B %Y}. The strictest data-localization rules are "
        f"{', '.join(f'{r.instrument} ({r.jurisdiction}, in force {r.in_force})' for r in strict.itertuples())}. "
        f"Bans and forced sales: "
        f"{', '.join(f'{r.jurisdiction} {r.adopted}' for r in bans.itertuples())}."
    )


def regulation_summary(table: pd.DataFrame | None = None, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """The columns a lecture table shows, one row per instrument, oldest first."""
    wanted = list(columns or ("jurisdiction", "instrument", "kind", "adopted", "in_force", "data_localization"))
    return regulation_table(table)[wanted]
