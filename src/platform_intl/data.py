"""Load and cite the course datasets.

One line each in a notebook::

    from platform_intl import data
    users = data.load("platform_users")      # typed DataFrame
    data.cite(users)                         # its sources, rendered as Markdown
    data.figure("weibo", "MAU", "2018-09")   # 446000000.0
    data.source_of("weibo", "MAU", "2018-09-30")

The tables live in ``datasets/`` at the root of the repository, described by
``datasets/datapackage.json`` (a Frictionless Data Package) and documented in
``datasets/README.md``. Set the environment variable ``PLATFORM_INTL_DATASETS`` to a
directory holding ``datapackage.json`` and the CSV files to load them from elsewhere
(the student edition does this).

Missing values stay missing (``NA``/``NaT``), never 0. Frames are cached after the
first load; every call returns a fresh copy, so changing it cannot change what the next
``load`` returns.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from .environment import DATASETS_VARIABLE, find_datasets

__all__ = [
    "DATASETS_DIR",
    "ENV_VAR",
    "METRICS",
    "PLATFORMS",
    "Citation",
    "FigureNotFoundError",
    "Platform",
    "UnknownDatasetError",
    "cite",
    "cldr_version",
    "fields",
    "figure",
    "load",
    "names",
    "refresh_internet_penetration",
    "source_of",
]

ENV_VAR = DATASETS_VARIABLE


def _find_datasets_dir() -> Path:
    """See :func:`platform_intl.environment.find_datasets`."""
    return find_datasets()


#: Directory holding datapackage.json and the CSV files (``$PLATFORM_INTL_DATASETS``, or the
#: nearest ``datasets/`` at or above the working folder, when the package is imported).
#: Functions read it at call time, so it may also be reassigned.
DATASETS_DIR: Path = _find_datasets_dir()


class Platform(NamedTuple):
    id: str
    name: str
    native_name: str
    owner: str
    home: str  # ISO 3166-1 alpha-2 code of the home market


#: Platform ids used in the ``platform`` column, with display names.
PLATFORMS: dict[str, Platform] = {
    p.id: p
    for p in [
        Platform("weibo", "Weibo", "微博", "Weibo Corporation (Sina; 'Sina Weibo' until 2014)", "CN"),
        Platform("twitter", "Twitter / X", "", "Twitter, Inc.; X Corp. since 2023 (renamed X in July 2023)", "US"),
        Platform("facebook", "Facebook", "", "Meta Platforms", "US"),
        Platform("meta_family", "Meta family of apps", "", "Meta Platforms", "US"),
        Platform("instagram", "Instagram", "", "Meta Platforms", "US"),
        Platform("whatsapp", "WhatsApp", "", "Meta Platforms", "US"),
        Platform("threads", "Threads", "", "Meta Platforms", "US"),
        Platform("wechat", "WeChat (Weixin)", "微信", "Tencent", "CN"),
        Platform("qq", "QQ", "", "Tencent", "CN"),
        Platform("tiktok", "TikTok", "", "ByteDance", "CN"),
        Platform("douyin", "Douyin", "抖音", "ByteDance", "CN"),
        Platform("xiaohongshu", "Xiaohongshu (RedNote)", "小红书", "Xingin (private)", "CN"),
        Platform("lemon8", "Lemon8", "", "ByteDance", "CN"),
        Platform("line", "LINE", "", "LY Corporation", "JP"),
    ]
}

#: The metric vocabulary of platform_users, with definitions.
METRICS: dict[str, str] = {
    "registered": "Registered accounts, cumulative; includes inactive and duplicate accounts. Not users.",
    "MAU": "Monthly active users as the company defines them (Weibo: the last month of the period; "
    "Twitter: average over the quarter; Facebook: active in the last 30 days).",
    "DAU": "Daily active users, usually the average over the last month of the period.",
    "mDAU": "Twitter's monetizable DAU: logged-in users who can be shown ads (from Q4 2018).",
    "DAP": "Meta's family daily active people: people using at least one of Facebook, Instagram, "
    "Messenger or WhatsApp on a day, de-duplicated by Meta's estimate.",
    "MAP": "Meta's family monthly active people (the monthly counterpart of DAP).",
    "app_rank": "Position in an app-store chart (1 = top); the note says which chart.",
    "new_users": "New users (sign-ups) during the period the note gives.",
    "messages_per_day": "Posts or messages published per day.",
}

# Low-cardinality text columns loaded as pandas categoricals.
_CATEGORICAL = {
    "platform_users": ["platform", "metric", "unit", "scope", "confidence"],
    "countries": ["region", "continent"],
    "territory_languages": ["official_status"],
    "internet_use": ["indicator", "confidence"],
    "chinese_diaspora": ["unit", "definition", "confidence"],
    "localization_economics": ["item", "unit", "confidence"],
    "sources": ["kind", "language", "original_language"],
    "revenue": ["company", "metric", "unit", "scope", "confidence"],
    "events": ["date_precision", "confidence"],
}

_CACHE: dict[tuple[str, str], pd.DataFrame] = {}
_PACKAGES: dict[str, dict] = {}


class UnknownDatasetError(ValueError, KeyError):
    """``load`` was given a name that is not a dataset; the message lists the valid ones."""

    __str__ = ValueError.__str__  # KeyError would wrap the message in quotes


class FigureNotFoundError(LookupError):
    """No single figure matches; the message lists what exists."""


# --------------------------------------------------------------------------- package
def _package() -> dict:
    directory = Path(DATASETS_DIR)
    key = str(directory)
    if key not in _PACKAGES:
        path = directory / "datapackage.json"
        if not path.is_file():
            raise FileNotFoundError(
                f"No datapackage.json in {directory}. Set the environment variable {ENV_VAR} "
                "to the folder that holds the course datasets."
            )
        _PACKAGES[key] = json.loads(path.read_text(encoding="utf-8"))
    return _PACKAGES[key]


def _resource(name: str) -> dict:
    for resource in _package()["resources"]:
        if resource["name"] == name:
            return resource
    valid = names()
    wanted = str(name).strip()
    normalized = wanted.lower().removesuffix(".csv").replace("-", "_").replace(" ", "_")
    if normalized != wanted and normalized in valid:
        return _resource(normalized)
    close = difflib.get_close_matches(wanted, valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise UnknownDatasetError(f"Unknown dataset {name!r}.{hint} Valid names: {', '.join(valid)}.")


def names() -> list[str]:
    """Names of the datasets, in the order of datapackage.json."""
    return [resource["name"] for resource in _package()["resources"]]


def cldr_version() -> str:
    """Version of Unicode CLDR that countries and territory_languages come from."""
    return str(_package()["cldr_version"])


def fields(name: str) -> pd.DataFrame:
    """The schema of a dataset: one row per column with its type, description and constraints."""
    resource = _resource(name)
    rows = [
        {
            "column": f["name"],
            "type": f["type"],
            "description": f.get("description", ""),
            "constraints": ", ".join(f"{k}={v}" for k, v in f.get("constraints", {}).items()),
        }
        for f in resource["schema"]["fields"]
    ]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- loading
def _convert(column: pd.Series, field: dict, categorical: bool) -> pd.Series:
    kind = field["type"]
    if kind == "integer":
        return pd.to_numeric(column).astype("Int64")
    if kind == "number":
        return pd.to_numeric(column).astype("float64")
    if kind == "boolean":
        true = set(field.get("trueValues", ["true"]))
        false = set(field.get("falseValues", ["false"]))
        bad = set(column.dropna()) - true - false
        if bad:
            raise ValueError(f"column {field['name']!r}: not a boolean: {sorted(bad)[:5]}")
        return column.map(lambda v: pd.NA if pd.isna(v) else v in true).astype("boolean")
    if kind in ("date", "datetime"):
        return pd.to_datetime(column, format="ISO8601" if kind == "datetime" else "%Y-%m-%d")
    if categorical:
        observed = set(column.dropna())
        enum = field.get("constraints", {}).get("enum")
        order = [v for v in enum if v in observed] if enum else sorted(observed)
        order += sorted(observed - set(order))
        if "global" in order:  # scope: the world first, then country codes
            order.remove("global")
            order.insert(0, "global")
        return pd.Categorical(column, categories=order)
    return column


def _read(name: str) -> pd.DataFrame:
    resource = _resource(name)
    path = Path(DATASETS_DIR) / resource["path"]
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    schema_fields = resource["schema"]["fields"]
    expected = [f["name"] for f in schema_fields]
    if list(raw.columns) != expected:
        raise ValueError(f"{path.name}: columns {list(raw.columns)} do not match the schema {expected}")
    categorical = set(_CATEGORICAL.get(resource["name"], ()))
    frame = pd.DataFrame({f["name"]: _convert(raw[f["name"]], f, f["name"] in categorical) for f in schema_fields})
    frame.attrs["dataset"] = resource["name"]
    return frame


def load(name: str) -> pd.DataFrame:
    """Load one dataset as a typed DataFrame (a fresh copy on every call).

    Dates are ``datetime64``, counts nullable ``Int64``, measures ``float64``, and
    low-cardinality text (platform, metric, scope, confidence...) categorical. Missing
    values are ``NA``/``NaN``/``NaT``, never 0. ``frame.attrs["dataset"]`` holds the name,
    which ``cite`` uses for frames without source columns.

    Raises ``UnknownDatasetError`` (a ``ValueError`` and ``KeyError``) listing the
    valid names when ``name`` is not one of ``names()``.
    """
    resource = _resource(name)
    key = (str(Path(DATASETS_DIR)), resource["name"])
    if key not in _CACHE:
        _CACHE[key] = _read(resource["name"])
    frame = _CACHE[key].copy(deep=True)
    frame.attrs = dict(_CACHE[key].attrs)
    return frame


# --------------------------------------------------------------------------- citing
#: Citations with more sources than this render as a folded list in a notebook.
LISTED_INLINE = 3


class Citation(str):
    """A citation: prints as plain text, renders as Markdown links in a notebook."""

    items: tuple[tuple[str, str], ...]
    prefix: str
    suffix: str

    def __new__(
        cls,
        items: Iterable[tuple[str, str]],
        *,
        prefix: str = "",
        suffix: str = "",
        style: str = "text",
        table: str = "",
    ):
        items = tuple(items)
        if style == "short":
            text = cls._render_short(items, table)
        else:
            text = cls._render(items, prefix, suffix, markdown=(style == "markdown"))
        obj = super().__new__(cls, text)
        obj.items, obj.prefix, obj.suffix = items, prefix, suffix
        return obj

    @staticmethod
    def _render(items, prefix, suffix, *, markdown: bool) -> str:
        def one(title: str, url: str) -> str:
            if not url:
                return title
            return f"[{title}]({url})" if markdown else f"{title} <{url}>"

        label = "Source" if len(items) == 1 else f"Sources ({len(items)})"
        body = f"{label}: " + "; ".join(one(t, u) for t, u in items) + "." if items else ""
        return " ".join(part for part in (prefix, body, suffix) if part)

    @staticmethod
    def _render_short(items, table: str, keep: int = 3) -> str:
        """Titles only, at most ``keep`` of them: fits under a figure."""
        titles = [t for t, _ in items]
        shown = "; ".join(titles[:keep])
        more = f" and {len(titles) - keep} more" if len(titles) > keep else ""
        where = f" (all listed in datasets/{table}.csv)" if table else ""
        return f"{shown}{more}{where}." if titles else (f"datasets/{table}.csv." if table else "")

    @property
    def text(self) -> str:
        return self._render(self.items, self.prefix, self.suffix, markdown=False)

    @property
    def markdown(self) -> str:
        return self._render(self.items, self.prefix, self.suffix, markdown=True)

    def _repr_markdown_(self) -> str:
        if len(self.items) <= LISTED_INLINE:
            return self.markdown
        # A long list reads as a list, folded so that it does not push the lesson away.
        lines = "\n".join(f"- [{t}]({u})" if u else f"- {t}" for t, u in self.items)
        tail = f"\n\n{self.suffix}" if self.suffix else ""
        lead = f"{self.prefix} " if self.prefix else ""
        return (
            f"<details><summary>{lead}Sources ({len(self.items)}): click to list them</summary>\n\n"
            f"{lines}{tail}\n\n</details>"
        )


def _pairs(frame: pd.DataFrame, title_col: str, url_col: str) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for title, url in zip(frame[title_col], frame[url_col]):
        if pd.isna(title) and pd.isna(url):
            continue
        seen.setdefault(("" if pd.isna(title) else str(title), "" if pd.isna(url) else str(url)), None)
    return list(seen)


def _licences(resource: dict) -> str:
    ids = [lic.get("name") or lic.get("title") for lic in resource.get("licenses", [])]
    if not ids:
        return ""
    return ("Licence: " if len(ids) == 1 else "Licences: ") + ", ".join(ids) + "."


def cite(name_or_frame: Any, *, style: str = "text") -> Citation:
    """The sources of a dataset, of a filtered frame, or of one row, as a ``Citation``.

    - a dataset name: every distinct source of the table (plus the table-level sources,
      e.g. Unicode CLDR, for tables built from them);
    - a DataFrame (or a row as a Series): the distinct ``source_title``/``source_url``
      of its rows; frames without those columns fall back to their dataset's sources.

    ``style="text"`` gives ``Title <url>`` items; ``style="markdown"`` gives links. Either
    way the object renders as Markdown in a notebook and prints as one line.
    ``style="short"`` gives at most three titles and the table they are listed in, for
    figure captions.
    """
    if style not in ("text", "markdown", "short"):
        raise ValueError(f"style must be 'text', 'markdown' or 'short'; got {style!r}")
    resource: dict | None
    if isinstance(name_or_frame, str):
        resource = _resource(name_or_frame)
        frame = load(str(resource["name"]))
    elif isinstance(name_or_frame, pd.Series):
        frame = name_or_frame.to_frame().T
        frame.attrs = dict(name_or_frame.attrs)
        resource = _resource(frame.attrs["dataset"]) if "dataset" in frame.attrs else None
    elif isinstance(name_or_frame, pd.DataFrame):
        frame = name_or_frame
        resource = _resource(frame.attrs["dataset"]) if "dataset" in frame.attrs else None
    else:
        raise TypeError("cite() takes a dataset name, a DataFrame or a Series")

    columns = set(frame.columns)
    items: list[tuple[str, str]] = []
    if {"source_title", "source_url"} <= columns:
        # Per-row sources say everything; table-level ones would repeat or overstate them.
        items = _pairs(frame, "source_title", "source_url")
    else:
        per_row_urls: set[str] = set()
        if resource is not None and {"internet_source", "internet_source_url"} <= columns:
            per_row_urls = set(load(resource["name"])["internet_source_url"].dropna())
        if resource is not None:
            items = [
                (s["title"], s["path"])
                for s in resource.get("sources", [])
                if s.get("path") and s["path"] not in per_row_urls
            ]
        if {"internet_source", "internet_source_url"} <= columns:
            items += _pairs(frame, "internet_source", "internet_source_url")
    if not items and resource is None:
        raise ValueError(
            "This frame has no source columns and no dataset name in .attrs; "
            "cite the dataset by name instead, e.g. cite('countries')."
        )
    items = list(dict.fromkeys(items))
    suffix = _licences(resource) if resource is not None else ""
    table = resource["name"] if resource is not None else ""
    return Citation(items, suffix=suffix, style=style, table=table)


# --------------------------------------------------------------------------- figures
def _platform_id(platform: str) -> str:
    wanted = str(platform).strip().casefold()
    for p in PLATFORMS.values():
        if wanted in (p.id, p.name.casefold(), p.native_name.casefold()) and wanted:
            return p.id
    aliases = {
        "sina weibo": "weibo",
        "x": "twitter",
        "twitter/x": "twitter",
        "rednote": "xiaohongshu",
        "weixin": "wechat",
        "meta": "meta_family",
    }
    if wanted in aliases:
        return aliases[wanted]
    raise FigureNotFoundError(f"Unknown platform {platform!r}. Platform ids: {', '.join(PLATFORMS)}.")


def _match(platform: str, metric: str, period_end: Any, scope: str) -> tuple[pd.DataFrame, str]:
    users = load("platform_users")
    pid = _platform_id(platform)
    rows = users[users["platform"] == pid]
    metrics = list(dict.fromkeys(rows["metric"].astype(str)))
    wanted_metric = next((m for m in metrics if m.casefold() == str(metric).casefold()), None)
    if wanted_metric is None:
        raise FigureNotFoundError(
            f"No {metric!r} figures for {pid}. Its metrics: {', '.join(sorted(metrics))}. "
            f"Vocabulary: {', '.join(METRICS)}."
        )
    rows = rows[rows["metric"] == wanted_metric]
    wanted_scope = "global" if str(scope).casefold() == "global" else str(scope).upper()
    scopes = sorted(set(rows["scope"].astype(str)))
    other_scopes = rows[rows["scope"] != wanted_scope]
    rows = rows[rows["scope"] == wanted_scope]
    what = f"{PLATFORMS[pid].name} {wanted_metric} ({wanted_scope})"
    if rows.empty:
        raise FigureNotFoundError(f"No {what} figures. Scopes with {pid} {wanted_metric}: {', '.join(scopes)}.")
    if isinstance(period_end, (_dt.date, pd.Timestamp)):
        key = pd.Timestamp(period_end).strftime("%Y-%m-%d")
    else:
        key = str(period_end).strip()
    labels = rows["period_end"].dt.strftime("%Y-%m-%d")
    hits = rows[labels.str.startswith(key, na=False)] if len(key) < 10 else rows[labels == key]
    available = ", ".join(labels)
    if hits.empty:
        elsewhere = other_scopes[other_scopes["period_end"].dt.strftime("%Y-%m-%d").str.startswith(key, na=False)]
        hint = (
            f" It exists for scope {', '.join(sorted(set(elsewhere['scope'].astype(str))))}."
            if not elsewhere.empty
            else ""
        )
        raise FigureNotFoundError(f"No {what} figure for {key}.{hint} Available periods: {available}.")
    if len(hits) > 1:
        found = ", ".join(hits["period_end"].dt.strftime("%Y-%m-%d"))
        raise FigureNotFoundError(f"{len(hits)} {what} figures match {key!r} ({found}); give the full date.")
    return hits, what


def figure(platform: str, metric: str, period_end: Any, scope: str = "global") -> float:
    """One value of platform_users, e.g. ``figure("weibo", "MAU", "2018-09-30")``.

    ``platform`` is an id or display name; ``period_end`` a date, or a ``"YYYY"`` /
    ``"YYYY-MM"`` prefix that matches exactly one figure; ``scope`` "global" or a country
    code. Raises ``FigureNotFoundError`` listing what exists when nothing (or more than
    one figure) matches.
    """
    hits, _ = _match(platform, metric, period_end, scope)
    return float(hits["value"].iloc[0])


def source_of(platform: str, metric: str, period_end: Any, scope: str = "global", *, style: str = "text") -> Citation:
    """The citation of one figure of platform_users: value, period, source, confidence, note."""
    hits, what = _match(platform, metric, period_end, scope)
    row = hits.iloc[0]
    value = row["value"]
    shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    prefix = f"{what}, {row['period_end']:%Y-%m-%d}: {shown} {row['unit']} (confidence {row['confidence']})."
    suffix = f"Note: {row['note']}" if not pd.isna(row["note"]) else ""
    return Citation([(row["source_title"], row["source_url"])], prefix=prefix, suffix=suffix, style=style)


# --------------------------------------------------------------------------- refresh
WORLD_BANK_API = "https://api.worldbank.org/v2"


def _worldbank_url(codes: list[str], indicator: str, years: tuple[int, int], page: int, per_page: int) -> str:
    return (
        f"{WORLD_BANK_API}/country/{';'.join(codes)}/indicator/{indicator}"
        f"?format=json&date={years[0]}:{years[1]}&per_page={per_page}&page={page}"
    )


def _urlopen(url: str, timeout: float = 30.0) -> bytes:
    from urllib.request import Request, urlopen

    request = Request(url, headers={"User-Agent": "platform-intl-course (+datasets refresh)"})
    with urlopen(request, timeout=timeout) as response:
        return response.read()


def refresh_internet_penetration(
    territories: Iterable[str] | None = None,
    *,
    years: tuple[int, int] = (2015, 2024),
    fetch: Callable[[str], bytes | str] | None = None,
    latest_only: bool = True,
    indicator: str = "IT.NET.USER.ZS",
    per_page: int = 1000,
) -> pd.DataFrame:
    """Fetch internet use (% of population, ITU via the World Bank API) for a fresher look.

    Optional and online: lectures and grading use the committed ``internet_use`` table,
    never this. Returns a frame shaped like ``load("internet_use")`` (territory, year,
    internet_pct, indicator, source_title, source_url, confidence, note), one row per
    territory (its latest non-empty year) or, with ``latest_only=False``, every year.

    ``territories`` defaults to the ITU territories of ``internet_use`` (Taiwan is not in
    the World Bank data). ``fetch(url) -> bytes`` does the HTTP GET; pass your own to use
    a proxy, a cache or a recorded response. Network errors propagate; an error message
    from the API raises ``RuntimeError``.
    """
    if territories is None:
        current = load("internet_use")
        territories = current.loc[current["indicator"].notna(), "territory"].unique()
    codes = sorted({str(t).upper() for t in territories})
    if not codes:
        raise ValueError("no territories to fetch")
    get = fetch or _urlopen
    records: list[dict] = []
    last_updated = ""
    page, pages = 1, 1
    while page <= pages:
        url = _worldbank_url(codes, indicator, years, page, per_page)
        body = get(url)
        payload = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
        if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[1], list)):
            message = (
                payload[0].get("message")
                if isinstance(payload, list) and payload and isinstance(payload[0], dict)
                else payload
            )
            raise RuntimeError(f"World Bank API error for {url}: {message}")
        meta, data = payload
        pages = int(meta.get("pages") or 1)
        last_updated = meta.get("lastupdated") or last_updated
        records.extend(data)
        page += 1
    rows = []
    for record in records:
        territory = (record.get("country") or {}).get("id", "")
        if territory not in codes or record.get("value") is None:
            continue  # aggregates (regions, income groups) and empty years
        rows.append({"territory": territory, "year": int(record["date"]), "internet_pct": float(record["value"])})
    frame = pd.DataFrame(rows, columns=["territory", "year", "internet_pct"])
    if latest_only and not frame.empty:
        frame = frame.sort_values("year").groupby("territory", as_index=False).tail(1)
    frame = frame.sort_values(["territory", "year"]).reset_index(drop=True)
    title = f"Individuals using the Internet (% of population): ITU via World Bank WDI API, series {indicator}" + (
        f", last updated {last_updated}" if last_updated else ""
    )
    frame["year"] = frame["year"].astype("Int64")
    frame["internet_pct"] = frame["internet_pct"].astype("float64")
    frame.insert(3, "internet_users", pd.array([pd.NA] * len(frame), dtype="Int64"))
    frame["indicator"] = pd.Categorical([indicator] * len(frame))
    frame["source_title"] = title
    frame["source_url"] = f"https://data.worldbank.org/indicator/{indicator}"
    frame["confidence"] = pd.Categorical(["A"] * len(frame), categories=["A", "B", "C"])
    frame["note"] = pd.Series([pd.NA] * len(frame), dtype="str")
    frame.attrs["dataset"] = "internet_use"
    return frame
