"""The documents themselves: lineage and translation-error counts (lecture 05)."""

from __future__ import annotations

import html

from platform_intl import sources

from . import base
from .base import LiveWidget, bench_builder

# --------------------------------------------------------------------------- lecture 05: lineage


class LineageExplorer(LiveWidget):
    """Pick a document: its chain of hands, hop by hop, and what changed at each hop."""

    def __init__(self, document: str = "S1"):
        import ipywidgets as w

        self._frame = sources.sources_frame()
        self._source = base.ANALYSIS_SOURCE
        self._fig, _ = base.new_figure((8.4, 3.2), ncols=0)
        self._rendered: dict[str, bytes] = {}
        options = [(f"{d}: {self._frame.loc[d, 'outlet']}", d) for d in sources.DOCUMENTS]
        self.document = w.Dropdown(
            options=options, value=document, description="Document", layout=w.Layout(width="620px")
        )
        self._setup([self.document])

    def compute(self) -> dict:
        doc = self.document.value
        hops = sources.lineage_table(doc)
        derived = hops[hops["kind of link"] == "derived from"]
        card = sources.source_card(doc, frame=self._frame)
        return {
            "document": doc,
            "hops": hops,
            "steps": len(sources.upstream(doc)) - 1,
            "translations": int(derived["relation"].str.contains("→").sum()),
            "checks": int((hops["kind of link"] == "checked against").sum()),
            "card": card,
        }

    def _update(self) -> None:
        info = self.compute()
        doc = info["document"]
        if doc not in self._rendered:  # a chain never changes: draw each once
            with base.font_context():
                sources.draw_chain(doc, fig=self._fig)
            self._rendered[doc] = base.render_png(self._fig)
        self.png, self.alt_text = self._rendered[doc], sources.lineage_alt(doc)
        self.figure_html.value = base.image_html(self.png, self.alt_text, self._source)
        rows = "".join(
            f"<tr><td>{html.escape(r['from'])}</td><td>{html.escape(r['relation'])}</td>"
            f"<td>{html.escape(r['to'])}</td><td>{html.escape(r['what changed'])}</td></tr>"
            for _, r in info["hops"].iterrows()
        )
        card = info["card"]
        self.text_html.value = (
            f"<p><b>{html.escape(doc)}</b> ({html.escape(card.kind)}, {html.escape(card.language)}): "
            f"{info['steps']} hands between the event and the text we read, "
            f"{info['translations']} translation(s) on the way"
            + (f", {info['checks']} independent check(s)" if info["checks"] else "")
            + ".</p>"
            '<table style="font-size:90%"><thead><tr><th>from</th><th>relation</th><th>to</th>'
            f"<th>what changed</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<p><b>Watch for:</b> {html.escape(card.watch_for)}</p>"
        )


# --------------------------------------------------------------------------- lecture 05


def error_counts_figure():
    """Translation errors in S1, S2 and S4 by MQM category (the course's catalogue)."""
    import seaborn as sns

    counts = sources.error_counts()
    names = {
        "S1": "S1 Danish (machine, from English)",
        "S2": "S2 English (from French)",
        "S4": "S4 German (from English)",
    }
    counts["document"] = counts["document"].map(names)
    fig, ax = base.new_figure((7.6, 3.8))
    with base.font_context():
        sns.barplot(data=counts, x="category", y="errors", hue="document", ax=ax)
        ax.set_title("Translation errors catalogued per document and category (MQM Core)", fontsize=11)
        ax.set_xlabel("Error category")
        ax.set_ylabel("Errors catalogued (count)")
        ax.legend(title=None, fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.15)
    totals = counts.groupby("document")["errors"].sum()
    by_category = sources.error_counts()
    per_category = by_category.groupby("category", observed=True)["errors"].sum()
    top = per_category.idxmax()
    in_s1 = int(by_category[(by_category["category"] == top) & (by_category["document"] == "S1")]["errors"].sum())
    alt = (
        "Grouped bar chart of translation errors catalogued by the course (MQM Core categories): "
        + "; ".join(f"{d}: {int(n)}" for d, n in totals.items())
        + f". {top} errors are the most common: {in_s1} of {int(per_category[top])} "
        "are in the Danish machine translation."
    )
    return fig, alt, sources.translation_errors()


#: Benchmark builders of this module: name -> () -> (explorer, control).
EXPLORERS = {
    "lecture_lineage": bench_builder(LineageExplorer, "document"),
}
