"""Pages a grader or a student opens run nothing a student wrote: feedback and the Formgrader.

nbconvert's HTML exporter pastes a notebook's HTML into the page as it is: the HTML a
student writes in a markdown answer or a raw cell, every ``text/html`` output, the code of
``application/javascript`` outputs, widget views, and image metadata (unquoted ``width``
attributes). nbgrader's Formgrader shows each submission with that exporter, on the
instructor's own Jupyter origin, and ``generate_feedback`` writes feedback with it. This
module makes all of it inert, with Ammonia (the ``nh3`` binding), for both:

- :func:`clean`, the allowlist for HTML a student controls: text, tables, lists, headings,
  code, images as ``data:`` URIs, links to http(s) and mailto; a few style properties that
  cannot move content over the page; ids prefixed; classes only from an allowlist. Script,
  style, event handlers, ``javascript:`` and other URLs, iframes, objects, embeds, forms
  and inline SVG are removed.
- :class:`SanitizeOutputs` (``HTMLExporter.preprocessors``): removes JavaScript and widget
  outputs (their text fallback stays), cleans HTML outputs and raw cells, keeps only
  well-formed image data and numeric image sizes, drops saved widget state.
- :class:`SafeMarkdown` (``HTMLExporter.filters["markdown2html"]``): nbconvert's own
  markdown rendering (attachments, anchors, math), then :func:`clean`. nbgrader's feedback
  and Formgrader templates render markdown cells through this filter only.
- :func:`clean_document`: the feedback file after conversion: the ``<head>`` nbconvert's
  template wrote (CSS and the MathJax loader with its Safe extension) stays; the
  ``<body>`` is cleaned once more with the looser :data:`PAGE_POLICY`, so no script,
  handler or frame is left in it whatever path it came by.

The graded notebook itself keeps the outputs as the submission produced them (evidence for
the instructor); only what is shown is cleaned. JupyterLab opens a graded notebook as
untrusted and sanitises it by itself: never "Trust" a student's notebook.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import jinja2
import nh3
from nbconvert.preprocessors import Preprocessor
from pygments.token import STANDARD_TYPES
from traitlets.config import LoggingConfigurable

#: Prefix of every id a student's HTML defines (and of the ``#fragment`` links to it), so
#: that it cannot take the place of an element of the page (the Formgrader's score fields).
ID_PREFIX = "user-content-"

#: What a JavaScript or widget output without a plain-text fallback, or an invalid image, becomes.
REMOVED_OUTPUT = "[output not shown here: feedback and the Formgrader run no scripts and show only valid images]"

_STRUCTURE = {"tfoot", "caption", "figure", "figcaption", "details", "summary", "thead", "tbody", "th"}
TAGS = (set(nh3.ALLOWED_TAGS) | _STRUCTURE) - {"map", "area"}

#: Removed together with everything inside them.
REMOVED_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "noscript",
    "noembed",
    "noframes",
    "template",
    "svg",
    "textarea",
    "select",
    "title",
    "xmp",
}

_GENERIC_ATTRIBUTES = {"class", "id", "title", "lang", "dir", "style"}
_ATTRIBUTES = {
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "table": {"border", "summary", "align"},
    "td": {"colspan", "rowspan", "headers", "align"},
    "th": {"colspan", "rowspan", "headers", "scope", "align"},
    "col": {"span", "align"},
    "colgroup": {"span", "align"},
    "ol": {"start", "type"},
    "tr": {"align"},
    "thead": {"align"},
    "tbody": {"align"},
    "tfoot": {"align"},
    "time": {"datetime"},
    "data": {"value"},
    "abbr": set(),
    "bdo": {"dir"},
    "details": {"open"},
    "hr": set(),
}

#: CSS properties kept in ``style`` attributes: colours, fonts, borders, spacing inside an
#: element, sizes. Nothing that positions, moves, hides, layers or loads (position,
#: margin, transform, display, z-index, background images, url()).
STYLE_PROPERTIES = {
    "color",
    "background-color",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-variant",
    "font-weight",
    "line-height",
    "letter-spacing",
    "text-align",
    "text-decoration",
    "text-indent",
    "text-transform",
    "vertical-align",
    "white-space",
    "word-break",
    "border",
    "border-top",
    "border-right",
    "border-bottom",
    "border-left",
    "border-color",
    "border-style",
    "border-width",
    "border-collapse",
    "border-spacing",
    "border-radius",
    "caption-side",
    "padding",
    "padding-top",
    "padding-right",
    "padding-bottom",
    "padding-left",
    "width",
    "min-width",
    "max-width",
    "height",
    "min-height",
    "max-height",
    "list-style-type",
}

#: Classes a student's HTML may carry: code highlighting (Pygments' short names, as
#: nbconvert's markdown renderer writes them), nbconvert's heading anchors, pandas tables,
#: MathJax's math spans and the course's own figures and tables. Bootstrap's layout
#: classes (navbar-fixed-top, modal, hidden, pull-right, ...) are not among them.
ALLOWED_CLASSES = {c for c in STANDARD_TYPES.values() if c} | {
    "highlight",
    "hll",
    "anchor-link",
    "dataframe",
    "math",
    "rendered_html",
}
ALLOWED_CLASS_PREFIXES = ("platform-intl-", "language-", "lang-")

_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp|bmp|svg\+xml)(;[a-z0-9=.+-]+)*(;base64)?,", re.I)
_LINK = re.compile(r"^(https?://|mailto:)", re.I)
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")
_BODY = re.compile(r"<body\b[^>]*>", re.I)
_BODY_END = re.compile(r"</body\s*>", re.I)


def _student_attribute(element: str, attribute: str, value: str) -> str | None:
    """What an attribute of a student's HTML may say (None: the attribute is removed)."""
    if attribute == "id":
        return value if value.startswith(ID_PREFIX) else ID_PREFIX + value
    if attribute == "class":
        kept = [
            c for c in value.split() if c in ALLOWED_CLASSES or any(c.startswith(p) for p in ALLOWED_CLASS_PREFIXES)
        ]
        return " ".join(kept) or None
    return _url_attribute(element, attribute, value, prefix_fragments=True)


def _url_attribute(element: str, attribute: str, value: str, *, prefix_fragments: bool) -> str | None:
    stripped = value.strip()
    if element == "img" and attribute == "src":
        # Images only as data: URIs: nothing is fetched from a server a student chose.
        return stripped if _DATA_IMAGE.match(stripped) else None
    if element == "a" and attribute == "href":
        if stripped.startswith("#"):
            fragment = stripped[1:]
            if prefix_fragments and not fragment.startswith(ID_PREFIX):
                fragment = ID_PREFIX + fragment
            return "#" + fragment
        return stripped if _LINK.match(stripped) else None
    return value


def clean(html: Any) -> str:
    """A student's HTML (a markdown answer, a raw cell, an output) made inert.

    >>> clean('<b>bold</b><img src=x onerror="alert(1)"><script>alert(2)</script>')
    '<b>bold</b><img>'
    >>> clean('<a href="javascript:alert(1)">link</a> <a href="https://example.org">ok</a>')
    '<a rel="noopener noreferrer">link</a> <a href="https://example.org" rel="noopener noreferrer">ok</a>'
    >>> clean('<p style="color:red;position:fixed" class="dataframe navbar-fixed-top" id="q1">x</p>')
    '<p style="color:red" class="dataframe" id="user-content-q1">x</p>'
    """
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    return nh3.clean(
        str(html),
        tags=TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes={"*": _GENERIC_ATTRIBUTES, **_ATTRIBUTES},
        attribute_filter=_student_attribute,
        url_schemes={"http", "https", "mailto", "data"},
        link_rel="noopener noreferrer",
        strip_comments=True,
        filter_style_properties=STYLE_PROPERTIES,
    )


# --------------------------------------------------------------------- the whole page

#: The page around the students' content (feedback): nbconvert's and nbgrader's layout
#: (Bootstrap panels, the table of contents, anchors, highlighted code), already-cleaned
#: student content, and nothing that runs.
PAGE_TAGS = TAGS | {"main", "section"}
_PAGE_ATTRIBUTES = {
    **_ATTRIBUTES,
    "a": {"href", "hreflang", "name"},
}


def _page_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute in ("id", "class", "name"):
        return value
    return _url_attribute(element, attribute, value, prefix_fragments=False)


def clean_body(html: str) -> str:
    """The body of a feedback page: its layout kept, anything that could run removed."""
    return nh3.clean(
        html,
        tags=PAGE_TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes={"*": _GENERIC_ATTRIBUTES, **_PAGE_ATTRIBUTES},
        attribute_filter=_page_attribute,
        url_schemes={"http", "https", "mailto", "data"},
        link_rel="noopener noreferrer",
        strip_comments=False,
        filter_style_properties=STYLE_PROPERTIES,
    )


def clean_document(document: str) -> str:
    """A feedback HTML file: the template's ``<head>`` as written, the ``<body>`` cleaned.

    Raises ValueError when the file has no ``<body>`` (it is then not one nbgrader wrote).
    """
    start = _BODY.search(document)
    if start is None:
        raise ValueError("document: no <body> element; expected an HTML page written by nbconvert")
    # Everything after the last </body> is dropped; everything between is cleaned.
    ends = [m.start() for m in _BODY_END.finditer(document) if m.start() > start.end()]
    stop = ends[-1] if ends else len(document)
    body = clean_body(document[start.end() : stop])
    return document[: start.end()] + "\n" + body + "\n</body>\n</html>\n"


# ------------------------------------------------------------- nbconvert integration


@jinja2.pass_context
def _context_marker():  # pragma: no cover - only its jinja attribute is used
    return None


class SafeMarkdown(LoggingConfigurable):
    """``HTMLExporter.filters["markdown2html"]``: nbconvert's markdown rendering, then :func:`clean`.

    Registered as a class, so nbconvert constructs it with the exporter as its parent;
    Jinja passes the template context (the cell, for its attachments), as it does to
    nbconvert's own filter.
    """

    jinja_pass_arg = _context_marker.jinja_pass_arg  # type: ignore[attr-defined]

    def __call__(self, context, source) -> str:
        from nbconvert.exporters import HTMLExporter
        from nbconvert.filters import markdown2html

        exporter = self.parent
        if isinstance(exporter, HTMLExporter):
            rendered = HTMLExporter.markdown2html(exporter, context, source)
        else:
            rendered = markdown2html(source)
        return clean(rendered)


_DROPPED_MIME = re.compile(r"javascript|ecmascript|widget-view|widget-state|x-python|vnd\.bokehjs|vnd\.plotly", re.I)
_IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp")


class SanitizeOutputs(Preprocessor):
    """``HTMLExporter.preprocessors``: what the page shows of a notebook cannot run code.

    Applied to every notebook the Formgrader shows and to every feedback file (the
    exporter is configured in nbgrader_config.py). The notebook on disk is not changed.
    """

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        removed = 0
        for cell in nb.cells:
            if cell.cell_type == "raw":
                mime = str(cell.get("metadata", {}).get("raw_mimetype", "") or "").lower()
                if mime in ("", "text/html"):
                    cell.source = clean(cell.source)
            elif cell.cell_type == "code":
                for output in cell.get("outputs", []):
                    removed += self._sanitize_output(output)
        if removed:
            self.log.info("Left out %d script or widget output(s) of %s", removed, resources.get("unique_key", "?"))
        return nb, resources

    def _sanitize_output(self, output) -> int:
        if output.get("output_type") not in ("display_data", "execute_result", "update_display_data"):
            return 0
        data = output.get("data", {})
        removed = 0
        for mime in list(data):
            value = data[mime]
            text = "".join(value) if isinstance(value, list) else value
            if _DROPPED_MIME.search(mime):
                del data[mime]
                removed += 1
            elif mime == "text/html":
                data[mime] = clean(text if isinstance(text, str) else str(text))
            elif mime in _IMAGE_MIMES and not (isinstance(text, str) and _BASE64.match(text) and _decodes(text)):
                del data[mime]
        if not data or (removed and not any(m in data for m in ("text/plain", "text/html", "text/markdown"))):
            data["text/plain"] = REMOVED_OUTPUT
        if "image/svg+xml" in data and not isinstance(data["image/svg+xml"], str):
            data["image/svg+xml"] = "".join(data["image/svg+xml"])
        output["metadata"] = _safe_metadata(output.get("metadata", {}))
        return removed


def _decodes(text: str) -> bool:
    try:
        base64.b64decode("".join(text.split()), validate=True)
        return True
    except (binascii.Error, ValueError):
        return False


def _safe_metadata(metadata) -> dict:
    """Output metadata the templates read (image size, alt text), checked; the rest dropped."""
    safe: dict[str, dict] = {}
    for mime, entry in (metadata or {}).items() if isinstance(metadata, dict) else ():
        if not isinstance(entry, dict) or not str(mime).startswith("image/"):
            continue
        kept: dict[str, Any] = {}
        for key in ("width", "height"):
            number = entry.get(key)
            if isinstance(number, (int, float)) and not isinstance(number, bool) and 0 < number < 100_000:
                kept[key] = int(number)
            elif isinstance(number, str) and number.strip().isdigit():
                kept[key] = int(number.strip())
        if isinstance(entry.get("alt"), str):
            kept["alt"] = entry["alt"]
        if entry.get("unconfined") is True:
            kept["unconfined"] = True
        if kept:
            safe[mime] = kept
    return safe
