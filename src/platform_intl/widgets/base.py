"""What every course widget shares: figures drawn once and blitted, accessible images, timed updates."""

from __future__ import annotations

import html
import math
import time
from typing import Any

import pandas as pd

from platform_intl import localization, plots

FIGURE_DPI = 80
#: The date the AFP story (S1, S2) speaks for, and its headline figure.
AFP_STORY_DATE = "2018-11-30"

_DISPLAY = {
    "weibo": "Weibo 微博",
    "xiaohongshu": "Xiaohongshu 小红书 (RedNote)",
    "twitter": "Twitter",
    "facebook": "Facebook",
    "tiktok": "TikTok",
    "lemon8": "Lemon8",
    "douyin": "Douyin 抖音",
    "wechat": "WeChat 微信",
}

METRIC_LABELS = {
    "registered": "Registered accounts",
    "MAU": "Monthly active users (MAU)",
    "DAU": "Daily active users (DAU)",
}

#: What each metric is good for, in the course's words (definitions are in data.METRICS).
METRIC_LESSONS = {
    "registered": (
        "Counts every account ever opened, including abandoned and duplicate ones, so it "
        "can only grow. It measures sign-ups, not use; the course data has it only for "
        "2012, before Weibo reported active users."
    ),
    "MAU": (
        "Counts accounts used at least once in a month. This is the figure behind 'more than 400 "
        "million' in the AFP story. A light user who logs in once counts as much as a daily one."
    ),
    "DAU": (
        "Counts accounts used on an average day: the engaged core. DAU divided by MAU "
        "('stickiness') says what share of monthly users come back daily."
    ),
}


# --------------------------------------------------------------------------- helpers


def display_name(platform: str, *, short: bool = False) -> str:
    """Platform name for figures, with its Chinese name where it has one (微博, 小红书)."""
    if short and platform == "xiaohongshu":
        return "RedNote 小红书"
    return _DISPLAY.get(platform, platform)


def plain_ticks(axis) -> None:
    """Log-axis ticks as 0.1, 1, 10, 1k, 1M rather than powers of ten."""
    from matplotlib.ticker import FuncFormatter

    def label(value, _position):
        if value >= 1000:
            return localization.format_compact(value, "en_US", fraction_digits=0)
        return f"{value:g}"

    axis.set_major_formatter(FuncFormatter(label))


def users_or_load(users: pd.DataFrame | None) -> pd.DataFrame:
    from platform_intl import data

    return data.load("platform_users") if users is None else users


def series(users: pd.DataFrame, platform: str, metric: str, scope: str = "global") -> pd.DataFrame:
    """One platform's figures for one metric, oldest first, with plain-string columns."""
    rows = users[(users["platform"] == platform) & (users["metric"] == metric) & (users["scope"] == scope)]
    rows = rows.sort_values("period_end").copy()
    for column in ("platform", "metric", "scope", "unit", "confidence"):
        if column in rows:
            rows[column] = rows[column].astype(str)
    rows["millions"] = rows["value"].astype(float) / 1e6
    rows.attrs = dict(users.attrs)
    return rows.reset_index(drop=True)


def plain_name(platform: str) -> str:
    """Platform name in plain English, for alt text."""
    from platform_intl import data

    return data.PLATFORMS[platform].name if platform in data.PLATFORMS else platform


def decimal_years(dates) -> list[float]:
    """Dates as decimal years (2018.75): numeric axes redraw faster than date axes."""
    stamps = pd.to_datetime(pd.Series(list(dates)))
    return list(stamps.dt.year + (stamps.dt.day_of_year - 1) / 365.25)


def compact(value: float | None, locale: str = "en_US") -> str:
    """Compact locale form of a count (446M, 4.5亿, 446 mio.); a missing value shows as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return localization.format_compact(float(value), locale, fraction_digits=1)


def new_figure(size=(7.2, 3.4), ncols: int = 1, width_ratios=None):
    return plots.new_figure(size, dpi=FIGURE_DPI, ncols=ncols, width_ratios=width_ratios)


font_context = plots.font_context
render_png = plots.render_png
encode_png = plots.canvas_png


def image_html(png: bytes, alt: str, source: str, caption: str = "") -> str:
    """An accessible figure: ``<img>`` with alt text, and a caption naming the source."""
    return plots.image_html(png, alt=alt, source=str(source), caption=caption)


#: Caption source of the course's own analysis of the documents.
ANALYSIS_SOURCE = (
    "Course analysis of the five documents (platform_intl.sources; document metadata in "
    "datasets/sources.csv), read against the originals they derive from"
)


def millions_axis(ax, label="Users (millions)"):
    ax.set_ylabel(label)
    ax.set_ylim(bottom=0)


YEAR_AXIS_LABEL = "Year (each point at the end of the period it reports)"


def year_axis(ax, *, decimal: bool = False) -> None:
    """Years as spans: a tick at each 1 January and the year's label in the middle of its span.

    A figure for the year ending 31 December then sits at the right edge of its year's span,
    not under the next year's label (where a plain year tick would put it). ``decimal`` is
    for axes in decimal years (2018.75), the default for date axes.
    """
    import matplotlib.dates as mdates
    import matplotlib.ticker as mticker

    if decimal:
        ax.xaxis.set_major_locator(mticker.MultipleLocator(1))
        ax.xaxis.set_minor_locator(mticker.MultipleLocator(1, offset=0.5))
        ax.xaxis.set_minor_formatter(mticker.FuncFormatter(lambda x, _pos: f"{int(x)}"))
    else:
        # Whole years in view, so the first and last years' labels show (with a little room
        # for the markers at their edges).
        first, last = mdates.num2date(ax.dataLim.x0), mdates.num2date(ax.dataLim.x1)
        start, end = mdates.date2num(first.replace(month=1, day=1)), mdates.date2num(last.replace(month=1, day=1))
        if last.month != 1 or last.day != 1:
            end = mdates.date2num(last.replace(year=last.year + 1, month=1, day=1))
        ax.set_xlim(start - 20, end + 20)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=7, bymonthday=1))
        ax.xaxis.set_minor_formatter(mdates.DateFormatter("%Y"))
    ax.xaxis.set_major_formatter(mticker.NullFormatter())
    ax.tick_params(axis="x", which="minor", length=0, labelsize=8)
    ax.tick_params(axis="x", which="major", length=4)
    ax.set_xlabel(YEAR_AXIS_LABEL)


def citation(frame) -> str:
    """Caption-sized citation of the rows a widget shows."""
    from platform_intl import data

    return str(data.cite(frame, style="short"))


class LiveWidget:
    """The base of every course widget: controls in, one timed ``update()``, one display protocol.

    A subclass builds ``self.widget`` (the ipywidgets layout) and implements ``_update()``,
    which recomputes from the current control values and redraws. ``update()`` times it:
    ``update_count`` and ``last_update_seconds`` are what the benchmarks and tests read.
    Jupyter shows the widget through ``_repr_mimebundle_``. Widgets that draw a figure use
    :meth:`_setup` for the standard layout and :meth:`_snapshot`/:meth:`_blit` to redraw only
    the artists that move.
    """

    update_count: int = 0
    last_update_seconds: float = float("nan")
    widget: Any = None
    _fig: Any = None  # the figure a blitting widget redraws
    _background: Any = None

    def _setup(self, controls, extra=(), observed=None):
        """Lay out ``controls``; observe ``observed`` (default: every control) and draw once."""
        import ipywidgets as w

        self.png, self.alt_text = b"", ""
        self.figure_html = w.HTML()
        self.text_html = w.HTML()
        self.widget = w.VBox([*controls, self.figure_html, self.text_html, *extra])
        for control in controls if observed is None else observed:
            if hasattr(control, "value"):
                control.observe(self._on_change, names="value")
        self.update()

    def _update(self) -> None:
        raise NotImplementedError

    def _on_change(self, _change=None) -> None:
        self.update()

    def update(self) -> None:
        """Recompute from the current control values and redraw (timed)."""
        started = time.perf_counter()
        self._update()
        self.update_count += 1
        self.last_update_seconds = time.perf_counter() - started

    def _snapshot(self) -> None:
        """Draw everything but the animated artists once and keep it as the background."""
        with font_context():
            self._fig.canvas.draw()
        self._background = self._fig.canvas.copy_from_bbox(self._fig.bbox)

    def _blit(self, artists) -> bytes:
        """The background with ``artists`` drawn over it, as PNG (no full redraw)."""
        canvas = self._fig.canvas
        with font_context():
            canvas.restore_region(self._background)
            for artist in artists:
                if artist.get_visible():
                    (artist.axes or self._fig).draw_artist(artist)
        return encode_png(canvas)

    def _show_png(self, png: bytes, alt: str, source: str, caption: str = "") -> None:
        self.png, self.alt_text = png, alt
        self.figure_html.value = image_html(png, alt, source, caption)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class Checklist:
    """One tick box per choice: "untick Hong Kong" does what it says (a multi-select list
    would keep only the item clicked, unless the reader knew to hold Ctrl or Cmd).

    ``value`` is the tuple of ticked codes (settable); ``options`` the ``(label, code)``
    pairs (setting them ticks every box, or those in ``ticked``); ``codes`` every code;
    ``observe(handler)`` calls ``handler`` once per change of ``value``, as an ipywidgets
    control would. Buttons tick or untick every box at once.
    """

    def __init__(self, title: str, hint: str = "", options=(), *, ticked=None, noun: str = "") -> None:
        import ipywidgets as w

        self._boxes: dict[str, Any] = {}
        self._handlers: list[Any] = []
        self._muted = False
        self.grid = w.GridBox(
            layout=w.Layout(grid_template_columns="repeat(auto-fill, minmax(15em, 1fr))", width="100%")
        )
        noun = f" {noun}" if noun else ""
        self.all_button = w.Button(description=f"Tick all{noun}", layout=w.Layout(width="auto"))
        self.none_button = w.Button(description=f"Untick all{noun}", layout=w.Layout(width="auto"))
        self.all_button.on_click(lambda _b: self._set(self.codes))
        self.none_button.on_click(lambda _b: self._set(()))
        heading = w.HTML(f"<b>{html.escape(title)}</b>" + (f": {html.escape(hint)}." if hint else ""))
        self.widget = w.VBox([heading, self.grid, w.HBox([self.all_button, self.none_button])])
        self.set_options(options, ticked=ticked)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._boxes)

    @property
    def options(self) -> list[tuple[str, str]]:
        return [(box.description, code) for code, box in self._boxes.items()]

    @options.setter
    def options(self, pairs) -> None:
        self.set_options(pairs)

    def set_options(self, pairs, *, ticked=None) -> None:
        """New choices, given as ``(label, code)`` pairs or codes; all ticked, or those in ``ticked``."""
        import ipywidgets as w

        pairs = [(p, p) if isinstance(p, str) else tuple(p) for p in pairs]
        chosen = None if ticked is None else set(ticked)
        unknown = sorted(chosen - {code for _label, code in pairs}) if chosen is not None else []
        if unknown:
            raise ValueError(f"cannot tick {', '.join(unknown)}: the choices are {[c for _l, c in pairs]}")
        self._boxes = {
            code: w.Checkbox(
                value=chosen is None or code in chosen, description=label, indent=False, layout=w.Layout(width="auto")
            )
            for label, code in pairs
        }
        for box in self._boxes.values():
            box.observe(self._on_box, names="value")
        self.grid.children = tuple(self._boxes.values())
        # Columns as wide as the longest label needs (about 0.55 em a character and 2 em for
        # the box), never under 15 em: a label cut to "zh_Hant_HK: Chinese (Tra…" names no locale.
        longest = max((len(label) for label, _code in pairs), default=0)
        width = max(15, math.ceil(0.55 * longest) + 2)
        self.grid.layout.grid_template_columns = f"repeat(auto-fill, minmax({width}em, 1fr))"

    @property
    def value(self) -> tuple[str, ...]:
        return tuple(code for code, box in self._boxes.items() if box.value)

    @value.setter
    def value(self, codes) -> None:
        self._set(tuple(codes))

    def observe(self, handler, names="value") -> None:
        self._handlers.append(handler)

    def _set(self, codes: tuple[str, ...]) -> None:
        unknown = sorted(set(codes) - set(self._boxes))
        if unknown:
            raise ValueError(f"no choice {', '.join(unknown)} here; the choices are {list(self._boxes)}")
        old = self.value
        self._muted = True
        try:
            for code, box in self._boxes.items():
                box.value = code in codes
        finally:
            self._muted = False
        if self.value != old:
            self._notify(old)

    def _on_box(self, _change) -> None:
        if not self._muted:
            self._notify(None)

    def _notify(self, old) -> None:
        change = {"name": "value", "old": old, "new": self.value, "owner": self}
        for handler in self._handlers:
            handler(change)


def slider(
    description: str,
    value: float | None = None,
    min_: float = 0.0,
    max_: float = 1.0,
    step: float = 0.01,
    *,
    fmt: str | None = None,
    integer: bool = False,
    continuous_update: bool = True,
    width: str = "620px",
    label_width: str = "initial",
):
    """The course's slider: its label is never cut (it takes the width it needs, the track the rest).

    Sliders shown together can share a ``label_width`` (wide enough for the longest label)
    so that their tracks start at the same place.
    """
    import ipywidgets as w

    options: dict[str, Any] = dict(
        min=min_,
        max=max_,
        step=step,
        description=description,
        continuous_update=continuous_update,
        style={"description_width": label_width},
        layout=w.Layout(width=width),
    )
    if value is not None:
        options["value"] = value
    if fmt is not None:
        options["readout_format"] = fmt
    return (w.IntSlider if integer else w.FloatSlider)(**options)


def bench_builder(cls, attribute: str, **kwargs):
    """A benchmark builder: ``() -> (explorer, control)``; setting ``control.value`` updates once."""

    def build():
        explorer = cls(**kwargs)
        return explorer, getattr(explorer, attribute)

    return build
