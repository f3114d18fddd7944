"""Every relative link and image in the project's Markdown leads to a file that exists.

A guide that shows a screenshot nobody committed, or links a renamed page, fails here
rather than in front of a student. External links (http, mailto) and in-page anchors
are left to the reader's browser.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(
    [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "course").glob("*.md")],
)
# [text](target) and ![alt](target), with an optional "title"; target up to a space or ")".
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def relative_targets(text: str) -> list[str]:
    text = FENCE.sub("", text)  # examples in code blocks are not links
    targets = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue
        targets.append(unquote(target.split("#", 1)[0]))
    return [t for t in targets if t]


def test_the_link_pattern_finds_links_and_images_and_skips_the_rest():
    text = (
        'See [the guide](docs/guide.md#set-up) and ![a figure](images/a%20b.png "title"), '
        "[the web](https://jupyter.org), [top](#top).\n```\n[not a link](nowhere.md)\n```\n"
    )
    assert relative_targets(text) == ["docs/guide.md", "images/a b.png"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_image_exists(page):
    missing = [t for t in relative_targets(page.read_text(encoding="utf-8")) if not (page.parent / t).exists()]
    assert not missing, f"{page.relative_to(ROOT)} links to files that do not exist: {missing}"
