"""The five source documents: cards, lineage, claims, translation errors and the debate.

The course reads five documents (ids ``S1``-``S5`` of the ``sources`` dataset):

- ``S1`` a Danish machine translation, on a content farm, of AFP's English wire story
  on Weibo's plans abroad (2018);
- ``S2`` an English rendering, on another content farm, of AFP's French dispatch of the
  same interview (2018);
- ``S3`` a business-school course-blog post on Sina Weibo's Facebook sign-up, with four
  student comments (2013);
- ``S4`` a German translation, by Chinese state media, of a China Daily article on the
  "TikTok refugees" who moved to Xiaohongshu/RedNote (2025);
- ``S5`` an anonymous spun rewrite of a Reuters-based story on Twitter courting Chinese
  advertisers (2015).

This module holds what the course says *about* them, in its own words: a source card
per document (:func:`source_card`), the lineage graph from event to document
(:data:`LINEAGE_NODES`, :data:`LINEAGE_EDGES`, :func:`draw_lineage`), the numerical
claims and how to check them against the ``platform_users`` data (:data:`CLAIMS`,
:func:`check_claim`), the translation errors classified after the MQM typology
(:func:`translation_errors`) and the four student comments of S3 as a structured debate
(:func:`debate_table`). No source text is reproduced beyond a few words per error.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

from platform_intl import localization

#: The documents in course order, and the lecture that reads each.
DOCUMENTS = ("S1", "S2", "S3", "S4", "S5")
LECTURE_OF = {"S1": "01", "S2": "01", "S3": "02", "S5": "03", "S4": "04"}

#: What each document is good for in the course and what to watch for (course notes).
READING_NOTES = {
    "S1": ("Complete text of the AFP story with every figure, but read through a machine "
           "translation: check any surprising word against the English wire.",
           "Named entities translated as common nouns, English number format, broken Danish "
           "word order; an undated copy on a site that republishes wire stories."),
    "S2": ("The same interview seen through AFP's French service: useful to compare what two "
           "language desks kept.",
           "French calques, no figures, truncated; overstates New Zealand's decision as a "
           "nationwide ban."),
    "S3": ("A student's reading of a 2013 feature plus four comments that argue for and "
           "against Weibo abroad.",
           "Registered accounts presented as users; the cited Mashable article was not found; "
           "figures come from Wikipedia of the time."),
    "S4": ("How Chinese state media framed the 2025 inflow: an opportunity calling for "
           "localization, with experts' advice.",
           "State media on both ends (China Daily, then its German edition); the 300 million "
           "MAU figure dates from 2023; web-page leftovers in the text."),
    "S5": ("Twitter's strategy of selling reach abroad to Chinese brands, as reported by "
           "Reuters and CNET.",
           "A spun rewrite two steps from the reporting: 'world's largest' is false and "
           "'Chinese Airlines' mixes up two carriers."),
}


# --------------------------------------------------------------------------- loading

def sources_frame() -> pd.DataFrame:
    """The ``sources`` dataset (one row per document), indexed by id."""
    from platform_intl import data

    return data.load("sources").set_index("id", drop=False)


def _language_name(code) -> str:
    if not isinstance(code, str) or not code.strip():
        return ""
    return localization.parse_locale(code).get_display_name("en")


def _text(value) -> str:
    """A cell as text: empty for missing values."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


# --------------------------------------------------------------------------- cards

@dataclass(frozen=True)
class SourceCard:
    """What a reader needs before trusting a document: who, when, in what language, from what."""

    document: str
    title: str
    outlet: str
    date: str
    language: str
    translated_from: str
    byline: str
    kind: str
    link: str
    upstream: str
    lineage: str
    read_for: str = ""
    watch_for: str = ""

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("Document", self.document),
            ("Title", self.title),
            ("Outlet", self.outlet),
            ("Date", self.date),
            ("Language", self.language + (f" (translated from {self.translated_from})"
                                          if self.translated_from else "")),
            ("Byline", self.byline or "none given"),
            ("Kind of source", self.kind),
            ("Link", self.link or "address not recorded"),
            ("Derives from (copy of the original)", self.upstream or "no upstream copy known"),
            ("Lineage", self.lineage),
            ("Read it for", self.read_for),
            ("Watch for", self.watch_for),
        ]

    def _repr_html_(self) -> str:
        def cell(label, value):
            if value.startswith("http"):
                shown = f'<a href="{html.escape(value, quote=True)}">{html.escape(value)}</a>'
            else:
                shown = html.escape(value)
            return (f'<tr><th style="text-align:left;vertical-align:top;padding-right:1em">'
                    f"{html.escape(label)}</th><td style=\"text-align:left\">{shown}</td></tr>")

        body = "".join(cell(label, value) for label, value in self.rows() if value)
        return (f'<table class="source-card" aria-label="Source card {html.escape(self.document)}">'
                f"<caption style=\"text-align:left\"><strong>Source card {html.escape(self.document)}"
                f"</strong></caption>{body}</table>")

    def __repr__(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.rows() if value)


def source_card(document: str, *, locale: str = "en_US", frame: pd.DataFrame | None = None) -> SourceCard:
    """The card of one document (``"S1"``...``"S5"``), its date formatted for ``locale``."""
    frame = sources_frame() if frame is None else frame
    if document not in frame.index:
        raise KeyError(f"unknown document {document!r}; choose one of {sorted(frame.index)}")
    row = frame.loc[document]
    original = _text(row.get("original_language"))
    language = _text(row["language"])
    read_for, watch_for = READING_NOTES.get(document, ("", ""))
    return SourceCard(
        document=document,
        title=_text(row["title"]),
        outlet=_text(row["outlet"]),
        date=localization.format_date(pd.Timestamp(row["date"]).date(), locale, length="long"),
        language=_language_name(language),
        translated_from=_language_name(original) if original and original != language else "",
        byline=_text(row.get("byline")),
        kind=_text(row["kind"]),
        link=_text(row.get("original_url")),
        upstream=_text(row.get("upstream_url")),
        lineage=_text(row["lineage"]),
        read_for=read_for,
        watch_for=watch_for,
    )


def translated_from(document: str, frame: pd.DataFrame | None = None) -> str | None:
    """English name of the language a document was translated from, or None if it was not."""
    card = source_card(document, frame=frame)
    return card.translated_from or None


# --------------------------------------------------------------------------- lineage

#: Kinds of node, in legend order.
NODE_KINDS = ("event", "news agency", "press", "reference", "content farm", "course blog",
              "spun blog", "state media", "not found")


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    kind: str
    x: float
    y: float
    document: str = ""          # S1..S5 for the five course documents


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relation: str
    changed: str = ""           # what changed on the way (for the hop table)
    derived: bool = True        # False: a check or a match, not a copy


# Coordinates: columns are generations (event, first report, copy or rewrite, document);
# each story keeps its own band so that no arrow crosses another story.
LINEAGE_NODES = (
    Node("zhang_interview", "Zhang Zhe interview\nDongguan, Nov 2018", "event", 0, 8.6),
    Node("afp_en", "AFP English wire\nTalek Harris, Hong Kong", "news agency", 1, 9.3),
    Node("afp_fr", "AFP French dispatch", "news agency", 1, 7.9),
    Node("english_copies", "English copies: phys.org,\nTaipei Times (Dec 2018)", "press", 2, 10.1),
    Node("la_presse", "La Presse and other\nFrench outlets", "press", 2, 7.1),
    Node("S1", "S1 da.scienceaq.com\nDanish machine translation", "content farm", 3, 9.3, "S1"),
    Node("S2", "S2 billionaire365.com\nEnglish rendering", "content farm", 3, 7.9, "S2"),
    Node("weibo_fb_signup", "Facebook sign-up on Weibo\n(HK and TW sites), Jul 2013", "event", 0, 5.6),
    Node("mashable", "Mashable article\n(linked, not found)", "not found", 1, 6.1),
    Node("tnw", "The Next Web\n2013-07-24", "press", 1, 5.1),
    Node("wikipedia", "Wikipedia of 2013\n(503M registered)", "reference", 2, 4.6),
    Node("S3", "S3 Fordham course blog\n2013-10-03", "course blog", 3, 5.6, "S3"),
    Node("ces_asia", "Shailesh Rao keynote\nCES Asia, 2015-05-26", "event", 0, 3.2),
    Node("reuters", "Reuters\nSue-Lin Wong", "news agency", 1, 3.7),
    Node("cnet", "CNET", "press", 1, 2.7),
    Node("bidnessetc", "BidnessETC", "press", 2, 3.2),
    Node("S5", "S5 Hatena blog\n'businessinsidernews'", "spun blog", 3, 3.2, "S5"),
    Node("rednote_inflow", "'TikTok refugees' join\nRedNote, Jan 2025", "event", 0, 1.2),
    Node("china_daily", "China Daily (English)\nFan Feifei", "state media", 1, 1.2),
    Node("S4", "S4 german.china.org.cn\n2025-01-17", "state media", 3, 1.2, "S4"),
)

LINEAGE_EDGES = (
    Edge("zhang_interview", "afp_en", "interviewed", "English desk writes the wire story"),
    Edge("zhang_interview", "afp_fr", "interviewed", "French desk writes its own dispatch"),
    Edge("afp_en", "english_copies", "republished", "later copies say 'last week' instead of 'this week'"),
    Edge("afp_en", "S1", "machine-translated en→da",
         "meaning errors (Spark → 'Gnist'), English number format, broken word order"),
    Edge("afp_fr", "la_presse", "republished", "French text as AFP sent it"),
    Edge("afp_fr", "S2", "rendered in English fr→en",
         "French calques, figures dropped, truncated, New Zealand overstated"),
    Edge("weibo_fb_signup", "mashable", "reported", "the article the blog links to (not found)"),
    Edge("weibo_fb_signup", "tnw", "reported", "confirms the feature: Hong Kong and Taiwan sites only"),
    Edge("mashable", "S3", "summarised", "a student's summary and questions"),
    Edge("tnw", "S3", "confirms", "independent confirmation used by the course", derived=False),
    Edge("wikipedia", "S3", "figures match", "503 million registered, about 100 million messages a day",
         derived=False),
    Edge("ces_asia", "reuters", "reported", "302 million users against Facebook's 1.4 billion"),
    Edge("ces_asia", "cnet", "reported", "names China Airlines among the advertisers"),
    Edge("reuters", "bidnessetc", "rewritten", "a financial-news rewrite of both reports"),
    Edge("cnet", "bidnessetc", "rewritten", "a financial-news rewrite of both reports"),
    Edge("bidnessetc", "S5", "spun", "'world's largest' and 'Chinese Airlines' appear"),
    Edge("rednote_inflow", "china_daily", "reported", "framed as an opportunity, with experts' advice"),
    Edge("china_daily", "S4", "translated en→de", "competent translation; a few calques and web leftovers"),
)

_NODES = {node.key: node for node in LINEAGE_NODES}


def upstream(document: str) -> list[str]:
    """Keys of every node a document derives from (not checks), nearest first, then itself."""
    if document not in _NODES:
        raise KeyError(f"unknown node {document!r}")
    order, frontier = [document], [document]
    while frontier:
        parents = [e.source for e in LINEAGE_EDGES
                   if e.target in frontier and e.derived and e.source not in order]
        order += list(dict.fromkeys(parents))
        frontier = parents
    return order


def chain(document: str) -> set[str]:
    """Nodes on the document's lineage, including sources used only to check it."""
    keys = set(upstream(document))
    keys |= {e.source for e in LINEAGE_EDGES if e.target == document and not e.derived}
    return keys


def lineage_table(document: str | None = None) -> pd.DataFrame:
    """The hops (from, to, relation, what changed) of one document, or of all of them."""
    edges = LINEAGE_EDGES
    if document is not None:
        keys = chain(document)
        edges = [e for e in edges if e.source in keys and e.target in keys]
    rows = [{"from": _NODES[e.source].label.replace("\n", " "),
             "to": _NODES[e.target].label.replace("\n", " "),
             "relation": e.relation, "what changed": e.changed,
             "kind of link": "derived from" if e.derived else "checked against"}
            for e in edges]
    return pd.DataFrame(rows, columns=["from", "to", "relation", "what changed", "kind of link"])


def kind_colours() -> dict[str, tuple]:
    from platform_intl import plots

    colours = plots.palette(10)
    # Skip the palette's grey (index 7) for real kinds; "not found" gets it on purpose.
    order = [0, 1, 2, 8, 3, 4, 5, 9, 7]
    return {kind: colours[i] for kind, i in zip(NODE_KINDS, order)}


def _draw(fig, nodes, on_chain: set[str], title: str):
    """Boxes for ``nodes`` (faded when off ``on_chain``), arrows between them, a legend."""
    from matplotlib.patches import Patch

    fig.clear()
    keys = {node.key for node in nodes}
    ys = [node.y for node in nodes]
    top = max(ys) + 0.8
    ax = fig.add_axes((0.01, 0.12 if len(nodes) > 8 else 0.16, 0.98, 0.76))
    colours = kind_colours()
    artists = {}
    for node in nodes:
        faded = node.key not in on_chain
        artists[node.key] = ax.text(
            node.x, node.y, node.label, ha="center", va="center", fontsize=8.5,
            alpha=0.3 if faded else 1.0,
            bbox=dict(boxstyle="round,pad=0.4", fc=(*colours[node.kind][:3], 0.12 if faded else 0.35),
                      ec=colours[node.kind], lw=2.2 if node.document else 1.0))
    edges = [e for e in LINEAGE_EDGES if e.source in keys and e.target in keys]
    for edge in edges:
        faded = not (edge.source in on_chain and edge.target in on_chain)
        ax.annotate("", xy=(0, 0.5), xycoords=artists[edge.target],
                    xytext=(1, 0.5), textcoords=artists[edge.source],
                    arrowprops=dict(arrowstyle="-|>", color="0.2", lw=1.1, shrinkA=6, shrinkB=6,
                                    linestyle="-" if edge.derived else (0, (3, 2)),
                                    alpha=0.25 if faded else 0.9))
        target, origin = _NODES[edge.target], _NODES[edge.source]
        if target.document and edge.derived:
            shift = 0.25 if target.x - origin.x > 1 else 0.0
            ax.text((target.x + origin.x) / 2 + shift, (target.y + origin.y) / 2 + 0.12, edge.relation,
                    ha="center", va="bottom", fontsize=7.5, color="0.2", alpha=0.3 if faded else 1.0)
    for column, name in enumerate(("event", "first report", "copy or rewrite", "document we read")):
        ax.text(column, top, name, ha="center", va="bottom", fontsize=9, color="0.3", style="italic")
    ax.set_xlim(-0.55, 3.55)
    ax.set_ylim(min(ys) - 0.6, top + 0.5)
    ax.set_axis_off()
    kinds = [k for k in NODE_KINDS if any(node.kind == k for node in nodes)]
    handles = [Patch(fc=(*colours[k][:3], 0.35), ec=colours[k], label=k) for k in kinds]
    fig.legend(handles=handles, loc="lower center", ncol=len(kinds), fontsize=8, frameon=False)
    fig.suptitle(title + " (solid arrow: derived from; dashed: checked against)", fontsize=11)
    return fig


def draw_lineage(highlight: str | None = None, *, fig=None):
    """Draw the lineage of the five documents; fade everything off ``highlight``'s chain.

    Returns a matplotlib ``Figure`` (created without pyplot, so the notebook shows it only
    through :func:`platform_intl.plots.show_figure` or a widget).
    """
    from matplotlib.figure import Figure

    if fig is None:
        fig = Figure(figsize=(11, 6.6), dpi=80)
    on_chain = chain(highlight) if highlight else set(_NODES)
    title = "Lineage of the five course documents" + (f": {highlight} highlighted" if highlight else "")
    return _draw(fig, LINEAGE_NODES, on_chain, title)


def draw_chain(document: str, *, fig=None):
    """Draw one document's chain only (fewer boxes: fast enough for a widget)."""
    from matplotlib.figure import Figure

    keys = chain(document)
    if fig is None:
        fig = Figure(figsize=(8.4, 3.2), dpi=80)
    nodes = [node for node in LINEAGE_NODES if node.key in keys]
    return _draw(fig, nodes, keys, f"Lineage of {document}")


def _generations(document: str) -> list[list[str]]:
    """The document's derivation chain grouped by column: [[event], [first reports], ...]."""
    keys = upstream(document)
    columns = sorted({_NODES[k].x for k in keys})
    return [[_NODES[k].label.replace("\n", " ") for k in keys if _NODES[k].x == x] for x in columns]


def lineage_alt(highlight: str | None = None) -> str:
    """Alt text describing the lineage diagram (or one document's chain)."""
    documents = [highlight] if highlight else list(DOCUMENTS)
    chains = [" → ".join(" and ".join(group) for group in _generations(doc)) for doc in documents]
    checks = [f"{_NODES[e.source].label.replace(chr(10), ' ')} ({e.relation})" for e in LINEAGE_EDGES
              if e.target in documents and not e.derived]
    lead = ("Diagram of where " + ("the document" if highlight else "each course document")
            + " comes from, from the event through the first report and any copies or rewrites "
            "to the text the course reads. ")
    text = lead + ("Chain: " if highlight else "Chains: ") + "; ".join(chains) + "."
    if checks:
        text += " Checked against: " + "; ".join(checks) + "."
    return text


# --------------------------------------------------------------------------- claims

@dataclass(frozen=True)
class Claim:
    """A figure a document states, and where the data holds the reported one."""

    key: str
    document: str
    wording: str            # a few words, paraphrased or quoted
    headline: float | None  # the number the document gives (None for superlatives)
    qualifier: str          # "more than", "about", "exactly", "largest", "unverified"
    platform: str
    metric: str
    as_of: str              # date the document speaks for (ISO)
    comparator: str = ""    # for superlatives: the platform to compare with
    lesson: str = ""
    contrast_metric: str = ""  # another metric of the same platform worth putting beside it


CLAIMS = (
    Claim("weibo_mau_2018", "S1", "more than 400 million monthly active users", 400e6, "more than",
          "weibo", "MAU", "2018-11-30",
          lesson="True but rounded down: the latest report before the story said 446 million."),
    Claim("weibo_registered_2012", "S3", "503 million registered users (December 2012)", 503e6,
          "exactly", "weibo", "registered", "2012-12-31",
          lesson=("Right figure, easy to misread: registered accounts are not users. Weibo's first "
                  "MAU figure, a year later, was about a quarter of it."), contrast_metric="MAU"),
    Claim("xiaohongshu_mau_2025", "S4", "rund 300 Millionen monatlich aktive Nutzer", 300e6, "about",
          "xiaohongshu", "MAU", "2025-01-17",
          lesson="Matches the last reported figure, but that figure is for the end of 2023."),
    Claim("twitter_largest_2015", "S5", "the world's largest social media network", None, "largest",
          "twitter", "MAU", "2015-05-28", comparator="facebook",
          lesson="False: Facebook had several times Twitter's monthly active users."),
)

_CLAIMS = {claim.key: claim for claim in CLAIMS}


def get_claim(key: str) -> Claim:
    if key not in _CLAIMS:
        raise KeyError(f"unknown claim {key!r}; choose one of {sorted(_CLAIMS)}")
    return _CLAIMS[key]


def reported(users: pd.DataFrame, platform: str, metric: str, as_of, scope: str = "global", *,
             after: bool = False) -> pd.Series | None:
    """The row of ``users`` for platform/metric/scope with the last period ending on or before
    ``as_of`` (or, with ``after=True``, the first ending on or after it); None if there is none."""
    ends = pd.to_datetime(users["period_end"])
    when = ends >= pd.Timestamp(as_of) if after else ends <= pd.Timestamp(as_of)
    rows = users[(users["platform"] == platform) & (users["metric"] == metric) & (users["scope"] == scope) & when]
    if rows.empty:
        return None
    rows = rows.sort_values("period_end")
    return rows.iloc[0] if after else rows.iloc[-1]


@dataclass
class ClaimCheck:
    claim: Claim
    headline: float | None
    reported_value: float | None
    reported_period: str
    comparator_value: float | None = None
    comparator_period: str = ""
    verdict: str = ""
    details: list[str] = field(default_factory=list)
    rows: list[pd.Series] = field(default_factory=list, repr=False)

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        lesson = f"<p><em>{html.escape(self.claim.lesson)}</em></p>" if self.claim.lesson else ""
        return (f"<p><b>{html.escape(self.claim.document)}: “{html.escape(self.claim.wording)}”</b>"
                f" — {html.escape(self.verdict)}.</p><ul>{items}</ul>{lesson}")

    @property
    def gap(self) -> float | None:
        """Reported minus headline (positive: the headline understates)."""
        if self.headline is None or self.reported_value is None:
            return None
        return self.reported_value - self.headline

    @property
    def gap_share(self) -> float | None:
        """The gap as a fraction of the reported figure."""
        gap = self.gap
        return None if gap is None else gap / self.reported_value

    @property
    def ratio(self) -> float | None:
        """For superlatives: comparator over the claimed leader."""
        if self.comparator_value is None or not self.reported_value:
            return None
        return self.comparator_value / self.reported_value

    @property
    def staleness_days(self) -> int | None:
        if not self.reported_period:
            return None
        return (pd.Timestamp(self.claim.as_of) - pd.Timestamp(self.reported_period)).days


def _platform_name(platform: str) -> str:
    from platform_intl import data

    return data.PLATFORMS[platform].name if platform in data.PLATFORMS else platform


def check_claim(key: str, users: pd.DataFrame | None = None, *, headline: float | None = None,
                locale: str = "en_US") -> ClaimCheck:
    """Compare a document's figure with the data; ``headline`` overrides the document's number."""
    from platform_intl import data

    claim = get_claim(key)
    users = data.load("platform_users") if users is None else users
    row = reported(users, claim.platform, claim.metric, claim.as_of)
    figure = claim.headline if headline is None else float(headline)
    check = ClaimCheck(claim, figure, None if row is None else float(row["value"]),
                       "" if row is None else str(pd.Timestamp(row["period_end"]).date()))
    if row is not None:
        check.rows.append(row)

    def fmt(value):
        return localization.format_compact(value, locale, fraction_digits=1)

    if check.reported_value is None:
        check.verdict = "cannot be checked: no reported figure on or before the document's date"
        return check
    when = localization.format_date(check.reported_period, locale, length="medium")
    check.details.append(f"Reported {claim.metric} of {_platform_name(claim.platform)}: {fmt(check.reported_value)} "
                         f"for the period ending {when}.")
    if claim.qualifier == "largest":
        other = reported(users, claim.comparator, claim.metric, claim.as_of)
        if other is not None:
            check.rows.append(other)
            check.comparator_value = float(other["value"])
            check.comparator_period = str(pd.Timestamp(other["period_end"]).date())
            other_when = localization.format_date(check.comparator_period, locale, length="medium")
            check.details.append(f"Reported {claim.metric} of {_platform_name(claim.comparator)}: "
                                 f"{fmt(check.comparator_value)} for the period ending {other_when}.")
            leader = check.comparator_value <= check.reported_value
            times = localization.format_number(check.ratio, locale, decimals=1)
            check.verdict = ("consistent with the data" if leader else
                             f"false: {_platform_name(claim.comparator)} was {times} times as large")
        return check
    gap, share = check.gap, check.gap_share
    if claim.qualifier == "more than":
        if gap > 0:
            check.verdict = (f"true, but understated by {fmt(gap)} "
                             f"({localization.format_percent(share, locale)} of the reported figure)")
        else:
            check.verdict = f"false: the reported figure is {fmt(-gap)} below the claim"
    elif abs(share) < 0.0005:
        check.verdict = "matches the reported figure"
    else:
        close = abs(share) <= 0.05
        check.verdict = ("close to the reported figure" if close else
                         f"off by {localization.format_percent(abs(share), locale)} of the reported figure")
    if claim.contrast_metric:
        other = reported(users, claim.platform, claim.contrast_metric, claim.as_of, after=True)
        if other is not None:
            check.rows.append(other)
            ratio = localization.format_percent(float(other["value"]) / check.reported_value, locale)
            other_when = localization.format_date(other["period_end"], locale, length="medium")
            check.details.append(f"Next {claim.contrast_metric} figure reported: {fmt(other['value'])} for the "
                                 f"period ending {other_when}, {ratio} of this figure.")
    stale = check.staleness_days
    if stale is not None and stale > 183:
        years = localization.format_number(stale / 365.25, locale, decimals=1)
        check.details.append(f"The reported figure is {years} years older than the document.")
    return check


# --------------------------------------------------------------------------- translation errors

#: Categories after the MQM (Multidimensional Quality Metrics) typology, in display order.
ERROR_CATEGORIES = ("Accuracy", "Terminology", "Fluency", "Style", "Locale convention", "Markup")

#: Broad (MQM-style) category of each error type in the course's machine-translation
#: taxonomy (platform_intl.localization.MT_ERROR_CATEGORIES), for counting errors per
#: document; the subtype column keeps the taxonomy's own label.
TAXONOMY_TO_CATEGORY = {
    "proper_noun_translated": "Accuracy",
    "word_sense": "Accuracy",
    "untranslated_text": "Accuracy",
    "grammar_word_order": "Fluency",
    "agreement": "Fluency",
    "terminology_consistency": "Terminology",
    "number_format": "Locale convention",
}

# The Danish (S1) errors come from localization.DANISH_MT_EXAMPLES, the list ps3 grades,
# so the lecture and the problem set classify every fragment the same way.
_DANISH_ERRORS = [
    ("S1", TAXONOMY_TO_CATEGORY[e.category], localization.MT_ERROR_LABELS[e.category], e.fragment,
     f"'{e.english}'", e.correction, e.explanation)
    for e in localization.DANISH_MT_EXAMPLES
]

_OTHER_ERRORS = [
    # document, category, subtype, fragment as printed, intended (English or French source), better rendering, why
    ("S1", "Locale convention", "number format", "Weibo, \"", "closing quotation mark", "Weibo«",
     "A space before the closing mark and English conventions kept; Danish often uses »…«."),
    ("S2", "Style", "calque", "sweeping away any possible reservations", "'balayant toute éventuelle réserve'",
     "brushing aside concerns", "French idiom rendered word for word."),
    ("S2", "Accuracy", "wrong sense", "monitoring", "'lorgne' (eyes, covets)", "eyeing",
     "'Lorgner' means to eye something one wants, not to monitor it."),
    ("S2", "Style", "calque", "sports economy", "'économie du sport'", "sports business",
     "French phrase carried over; English says sports business."),
    ("S2", "Accuracy", "addition (overstatement)", "across the country", "one operator's plan declined",
     "blocked Spark's plan to use Huawei equipment", "A regulator's decision on one company becomes a national ban."),
    ("S2", "Accuracy", "omission", "(figures and ending missing)", "user numbers, the 1,000-strong team",
     "the complete dispatch", "Truncated after the New Zealand paragraph; every figure dropped."),
    ("S4", "Fluency", "preposition", "Nachfrage für", "'demand for'", "Nachfrage nach",
     "German demand is 'nach' something."),
    ("S4", "Style", "calque", "ausländische Social-Media-Plattform", "'overseas' (seen from China)",
     "internationale Plattform", "The Chinese vantage point of 'overseas' was kept for German readers."),
    ("S4", "Terminology", "unidiomatic term", "Internetprotokolladressen (IP)", "'IP addresses'", "IP-Adressen",
     "German uses the short form."),
    ("S4", "Style", "repetition", "so die Experten (twice)", "'experts said' twice",
     "vary or drop the second attribution", "Two consecutive sentences end with the same attribution."),
    ("S4", "Markup", "web leftovers", "DruckenMerkenSendenFeedback", "page buttons", "(remove)",
     "Navigation and button labels were scraped with the text."),
]

_ERRORS = _DANISH_ERRORS + _OTHER_ERRORS


def translation_errors(document: str | None = None) -> pd.DataFrame:
    """The course's catalogue of translation errors in S1, S2 and S4 (MQM categories)."""
    frame = pd.DataFrame(_ERRORS, columns=["document", "category", "subtype", "fragment", "intended",
                                           "better", "why"])
    if document is not None:
        if document not in set(frame["document"]):
            raise KeyError(f"no translation errors catalogued for {document!r}; "
                           f"choose one of {sorted(set(frame['document']))}")
        frame = frame[frame["document"] == document].reset_index(drop=True)
    return frame


def error_counts() -> pd.DataFrame:
    """Errors per document and MQM category (plain string columns, zero counts included)."""
    errors = translation_errors()
    documents = sorted(errors["document"].unique())
    rows = [{"document": doc, "category": cat,
             "errors": int(((errors["document"] == doc) & (errors["category"] == cat)).sum())}
            for doc in documents for cat in ERROR_CATEGORIES]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- the S3 debate

_COMMENTS = [
    (1, "pessimist", "Outside China people are already on Facebook, Twitter and Instagram, and a "
     "mostly Asian user base may not attract others.", "network effects of incumbents",
     "Share of Weibo's users outside mainland China, and how it changed after 2013."),
    (2, "pessimist", "Beijing will soon stop foreigners signing up through Facebook, as it blocks "
     "foreign media; meanwhile US firms lose a cheap window on Chinese consumers.",
     "political risk", "Whether the Facebook sign-up survived, and on which of Weibo's sites."),
    (3, "mixed", "Language is the main barrier and censors remove unwanted posts quickly, yet Weibo is "
     "the best view of what young Chinese people think.", "language, culture and moderation",
     "Languages of posts and of active users; deletion rates for posts by foreign accounts."),
    (4, "optimist", "It can work slowly if Weibo differentiates itself from Facebook and Twitter with "
     "something distinctly Asian that US firms cannot copy.", "product differentiation",
     "Growth of features or niche products launched for users abroad."),
]


def debate_table() -> pd.DataFrame:
    """The four comments under S3, paraphrased, with the evidence that would settle each."""
    return pd.DataFrame(_COMMENTS, columns=["comment", "stance", "argument (paraphrased)",
                                            "kind of reason", "evidence that would test it"])
