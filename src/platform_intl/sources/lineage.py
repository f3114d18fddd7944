"""How the five documents descend from the events and from each other, as a graph and a figure."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .cards import DOCUMENTS

# --------------------------------------------------------------------------- lineage

#: Kinds of node, in legend order.
NODE_KINDS = (
    "event",
    "news agency",
    "press",
    "reference",
    "content farm",
    "course blog",
    "spun blog",
    "state media",
    "not found",
)


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    kind: str
    x: float
    y: float
    document: str = ""  # S1..S5 for the five course documents


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relation: str
    changed: str = ""  # what changed on the way (for the hop table)
    derived: bool = True  # False: a check or a match, not a copy


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
    Edge(
        "afp_en",
        "S1",
        "machine-translated en→da",
        "meaning errors (Spark → 'Gnist'), English number format, broken word order",
    ),
    Edge("afp_fr", "la_presse", "republished", "French text as AFP sent it"),
    Edge(
        "afp_fr",
        "S2",
        "rendered in English fr→en",
        "French calques, figures dropped, truncated, New Zealand overstated",
    ),
    Edge("weibo_fb_signup", "mashable", "reported", "the article the blog links to (not found)"),
    Edge("weibo_fb_signup", "tnw", "reported", "confirms the feature: Hong Kong and Taiwan sites only"),
    Edge("mashable", "S3", "summarised", "a student's summary and questions"),
    Edge("tnw", "S3", "confirms", "independent confirmation used by the course", derived=False),
    Edge("wikipedia", "S3", "figures match", "503 million registered, about 100 million messages a day", derived=False),
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
        parents = [e.source for e in LINEAGE_EDGES if e.target in frontier and e.derived and e.source not in order]
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
    edges: list[Edge] = list(LINEAGE_EDGES)
    if document is not None:
        keys = chain(document)
        edges = [e for e in edges if e.source in keys and e.target in keys]
    rows = [
        {
            "from": _NODES[e.source].label.replace("\n", " "),
            "to": _NODES[e.target].label.replace("\n", " "),
            "relation": e.relation,
            "what changed": e.changed,
            "kind of link": "derived from" if e.derived else "checked against",
        }
        for e in edges
    ]
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
            node.x,
            node.y,
            node.label,
            ha="center",
            va="center",
            fontsize=8.5,
            alpha=0.3 if faded else 1.0,
            bbox=dict(
                boxstyle="round,pad=0.4",
                fc=(*colours[node.kind][:3], 0.12 if faded else 0.35),
                ec=colours[node.kind],
                lw=2.2 if node.document else 1.0,
            ),
        )
    edges = [e for e in LINEAGE_EDGES if e.source in keys and e.target in keys]
    for edge in edges:
        faded = not (edge.source in on_chain and edge.target in on_chain)
        ax.annotate(
            "",
            xy=(0, 0.5),
            xycoords=artists[edge.target],
            xytext=(1, 0.5),
            textcoords=artists[edge.source],
            arrowprops=dict(
                arrowstyle="-|>",
                color="0.2",
                lw=1.1,
                shrinkA=6,
                shrinkB=6,
                linestyle="-" if edge.derived else (0, (3, 2)),
                alpha=0.25 if faded else 0.9,
            ),
        )
        target, origin = _NODES[edge.target], _NODES[edge.source]
        if target.document and edge.derived:
            shift = 0.25 if target.x - origin.x > 1 else 0.0
            ax.text(
                (target.x + origin.x) / 2 + shift,
                (target.y + origin.y) / 2 + 0.12,
                edge.relation,
                ha="center",
                va="bottom",
                fontsize=7.5,
                color="0.2",
                alpha=0.3 if faded else 1.0,
            )
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
    checks = [
        f"{_NODES[e.source].label.replace(chr(10), ' ')} ({e.relation})"
        for e in LINEAGE_EDGES
        if e.target in documents and not e.derived
    ]
    lead = (
        "Diagram of where "
        + ("the document" if highlight else "each course document")
        + " comes from, from the event through the first report and any copies or rewrites "
        "to the text the course reads. "
    )
    text = lead + ("Chain: " if highlight else "Chains: ") + "; ".join(chains) + "."
    if checks:
        text += " Checked against: " + "; ".join(checks) + "."
    return text
