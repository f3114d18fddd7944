"""Accessible, citable figures for the course notebooks.

Every figure a student sees goes through :func:`show_figure`, which renders it as an
HTML ``<figure>`` with alt text and a caption naming the data source. Matplotlib's
inline PNG carries neither, and the course promises both.

:func:`use_course_style` sets a colour-blind-safe palette and registers a CJK font so
that 微博 and 小红书 render instead of empty boxes.
"""

from __future__ import annotations

import base64
import html
import io
from importlib import resources

import matplotlib
from matplotlib import font_manager

#: Okabe-Ito colours as packaged by seaborn's "colorblind" palette: distinguishable
#: under the common forms of colour-vision deficiency.
PALETTE_NAME = "colorblind"
CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
CJK_FONT_NAME = "Noto Sans CJK SC"
LATIN_FONT_NAME = "DejaVu Sans"

_style_applied = False


def cjk_font_path() -> str:
    """Path of the Noto Sans CJK SC font shipped by the ``mplfonts`` package (SIL OFL)."""
    return str(resources.files("mplfonts") / "fonts" / CJK_FONT_FILE)


def register_cjk_font() -> str:
    """Make the CJK font known to matplotlib and return its family name."""
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    if CJK_FONT_NAME not in names:
        font_manager.fontManager.addfont(cjk_font_path())
    return CJK_FONT_NAME


def use_course_style() -> None:
    """Colour-blind palette, readable sizes, and Latin text with a CJK fallback."""
    global _style_applied
    import seaborn as sns

    register_cjk_font()
    sns.set_theme(style="whitegrid", palette=PALETTE_NAME, context="notebook")
    # A family list gives per-glyph fallback: Latin from DejaVu, Chinese from Noto CJK.
    matplotlib.rcParams["font.family"] = [LATIN_FONT_NAME, CJK_FONT_NAME]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["figure.dpi"] = 96
    _style_applied = True


def palette(n: int | None = None) -> list:
    """The course palette as a list of RGB tuples."""
    import seaborn as sns

    return sns.color_palette(PALETTE_NAME, n)


def font_context():
    """A matplotlib rc context with the course fonts: Latin first, then Noto Sans CJK for 微博 and 万.

    Text artists keep the font family they were created with, so figures and axes must be
    made inside it, not only drawn.
    """
    import matplotlib

    register_cjk_font()
    return matplotlib.rc_context({"font.family": [LATIN_FONT_NAME, CJK_FONT_NAME], "axes.unicode_minus": False})


def new_figure(size=(7.2, 3.4), *, dpi: int = 80, ncols: int = 1, width_ratios=None):
    """The course's one way to make a figure: ``(figure, axes)`` outside pyplot, on an Agg canvas,
    made under :func:`font_context`. ``ncols=0`` makes no axes (for callers that lay out their own).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with font_context():
        fig = Figure(figsize=size, dpi=dpi)
        FigureCanvasAgg(fig)
        if ncols == 0:
            return fig, None
        if ncols == 1:
            return fig, fig.add_subplot()
        return fig, fig.subplots(1, ncols, width_ratios=width_ratios)


def render_png(fig) -> bytes:
    """The figure as PNG bytes, fast: one Agg draw, light compression, no tight bounding box."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    with font_context():
        canvas.draw()
    return canvas_png(canvas)


def _require_text(name: str, value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string describing the figure; got {value!r}")
    return value.strip()


def canvas_png(canvas) -> bytes:
    """What an Agg canvas holds now, blitted artists included, as PNG bytes.

    Widgets redraw only what moved and then encode the canvas as it is; fast compression,
    because this runs on every slider move.
    """
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def image_html(png: bytes, *, alt: str, source: str = "", caption: str = "") -> str:
    """PNG bytes as an HTML ``<figure>``: ``<img>`` with alt text, and a caption naming the source."""
    alt = _require_text("alt", alt)
    encoded = base64.b64encode(png).decode("ascii")
    text = f"{html.escape(caption.strip())} " if caption.strip() else ""
    credit = f"<em>Source: {html.escape(source.strip())}</em>" if source.strip() else ""
    caption_html = f'<figcaption style="font-size:85%">{text}{credit}</figcaption>' if text or credit else ""
    return (
        '<figure class="platform-intl-figure" style="margin:0">'
        f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt, quote=True)}" '
        f'style="max-width:100%"/>{caption_html}</figure>'
    )


def figure_html(fig, *, alt: str, source: str, caption: str = "") -> str:
    """Render ``fig`` as an accessible HTML figure with alt text and a source caption."""
    alt = _require_text("alt", alt)
    source = _require_text("source", source)
    titled = fig.get_suptitle() or any(ax.get_title(loc) for ax in fig.axes for loc in ("left", "center", "right"))
    if not fig.axes or not titled:
        raise ValueError("the figure needs a title: call ax.set_title(...) or fig.suptitle(...)")
    for ax in fig.axes:
        if ax.has_data() and not (ax.get_xlabel() or ax.get_ylabel()):
            raise ValueError(f"axes {ax.get_title()!r} need axis labels with units")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return image_html(buffer.getvalue(), alt=alt, source=source, caption=caption)


class AccessibleFigure:
    """A figure that displays as HTML with alt text; its plain-text form is the alt text."""

    def __init__(self, html_text: str, alt: str, source: str):
        self.html = html_text
        self.alt = alt
        self.source = source

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"Figure: {self.alt} (Source: {self.source})"


def show_figure(fig, *, alt: str, source: str, caption: str = "") -> AccessibleFigure:
    """Close ``fig`` and return it as an accessible figure for the notebook to display.

    The figure is closed so that the inline backend does not show it a second time
    without alt text.
    """
    import matplotlib.pyplot as plt

    try:
        rendered = figure_html(fig, alt=alt, source=source, caption=caption)
    finally:
        plt.close(fig)
    return AccessibleFigure(rendered, alt.strip(), source.strip())
