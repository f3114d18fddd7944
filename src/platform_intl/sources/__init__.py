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

from .cards import (
    DOCUMENTS,
    LECTURE_OF,
    READING_NOTES,
    SourceCard,
    debate_table,
    source_card,
    sources_frame,
    translated_from,
)
from .claims import (
    CLAIMS,
    Claim,
    ClaimCheck,
    check_claim,
    get_claim,
    reported,
)
from .errors import (
    ERROR_CATEGORIES,
    TAXONOMY_TO_CATEGORY,
    error_counts,
    translation_errors,
)
from .lineage import (
    LINEAGE_EDGES,
    LINEAGE_NODES,
    NODE_KINDS,
    Edge,
    Node,
    chain,
    draw_chain,
    draw_lineage,
    kind_colours,
    lineage_alt,
    lineage_table,
    upstream,
)

__all__ = [
    "CLAIMS",
    "DOCUMENTS",
    "ERROR_CATEGORIES",
    "LECTURE_OF",
    "LINEAGE_EDGES",
    "LINEAGE_NODES",
    "NODE_KINDS",
    "READING_NOTES",
    "TAXONOMY_TO_CATEGORY",
    "Claim",
    "ClaimCheck",
    "Edge",
    "Node",
    "SourceCard",
    "chain",
    "check_claim",
    "debate_table",
    "draw_chain",
    "draw_lineage",
    "error_counts",
    "get_claim",
    "kind_colours",
    "lineage_alt",
    "lineage_table",
    "reported",
    "source_card",
    "sources_frame",
    "translated_from",
    "translation_errors",
    "upstream",
]
