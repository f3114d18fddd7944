"""The checks assignment test cells call, and the accessible-figure helper."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from platform_intl import checks, plots


def test_numbers_pass_and_fail_with_helpful_messages():
    checks.check_number(np.float64(3.5), "x", minimum=0, maximum=10)
    checks.check_close(446e6, 446_000_000, "mau")
    with pytest.raises(AssertionError, match="should be a number.*str"):
        checks.check_number("446", "mau")
    with pytest.raises(AssertionError, match="below the smallest sensible value"):
        checks.check_number(446, "mau", minimum=1e6)
    with pytest.raises(AssertionError, match="not the expected value"):
        checks.check_close(447e6, 446e6, "mau", rel=1e-4)
    with pytest.raises(AssertionError, match="no answer yet"):
        checks.check_number(None, "mau")
    with pytest.raises(AssertionError, match="finite"):
        checks.check_number(float("nan"), "mau")
    with pytest.raises(AssertionError):
        checks.check_number(True, "flag")


def test_number_subclasses_cannot_fake_a_value():
    class Sneaky(float):
        def __float__(self):
            return 446e6

    with pytest.raises(AssertionError, match="should be a number"):
        checks.check_close(Sneaky(1.0), 446e6, "mau")
    checks.check_number(np.int64(3), "n")
    checks.check_number(np.float32(0.5), "x")


def test_fraction_check_calls_a_value_a_percentage_only_where_that_is_the_likely_mistake():
    checks.check_fraction(0.437, "share")
    with pytest.raises(AssertionError, match="looks like a percentage"):
        checks.check_fraction(43.7, "share", likely=(0.05, 1))
    # An inverted ratio (129.1 / 503 the other way round): dividing by 100 would be wrong.
    for value, kwargs in [
        (3.9, dict(likely=(0.05, 1))),
        (43.7, {}),  # nothing is likely without a range
        (9.7, dict(likely=(0.02, 0.5))),  # a share near 0.1: 9.7 % and 1 / 9.7 are both plausible
        (1.298, dict(likely=(0.05, 1), quantity="rate")),  # a growth factor, not a percentage
    ]:
        with pytest.raises(checks.CheckFailed) as failure:
            checks.check_fraction(value, "share", **kwargs)
        assert "percentage" not in str(failure.value) and failure.value.fix is None, (value, kwargs)
    with pytest.raises(checks.CheckFailed, match="looks like a percentage"):
        checks.check_fraction(29.8, "rate", likely=(0.05, 1), quantity="rate")
    with pytest.raises(ValueError, match="quantity"):
        checks.check_fraction(0.5, "share", quantity="ratio")


@pytest.mark.parametrize(
    ("value", "expected", "kind", "words"),
    [
        (0.437, 0.437, None, ""),
        (43.7, 0.437, "percent", "factor of 100 (percent vs share)"),
        (0.00437, 0.437, "percent", "factor of 100"),
        (3.896, 129.1 / 503, "inverse", "inverse of the expected ratio"),
        (446, 446e6, "units", "factor of 1,000,000 (units)"),
        (446e3, 446e6, "units", "factor of 1,000 (units)"),
        (-0.25, 0.25, "sign", "sign flipped"),
        (3.4547, 2.4547, "off_by_one", "growth factor"),
        (0.30, 0.298222, "rounded", "rounded too early"),
        (0.2901, 0.298222, "close", "not within the tolerance"),
        (0.0158, 0.0336, "magnitude", "right order of magnitude"),
        (91.5, 0.9118, "percent", "about a factor of 100"),
        (0, 5e6, "zero", "zero"),
        (7.0, 0.003, "far", "different order of magnitude"),
        ("0.25", 0.25, "type", "in quotes"),
        ("a lot", 0.25, "type", "expected a number"),
        ([0.25], 0.25, "type", "got list"),
        (None, 0.25, "missing", "no answer"),
        (float("nan"), 0.25, "not_finite", "finite"),
        (0.516, 0.298, "known", "simple growth"),
    ],
)
def test_diagnosis_names_the_kind_of_mistake_without_the_expected_value(value, expected, kind, words):
    from platform_intl.diagnosis import KINDS, diagnose

    found = diagnose(value, expected, rel=1e-3, known={"simple growth": 0.516} if kind == "known" else None)
    if kind is None:
        assert found is None
        return
    assert found is not None and found.kind == kind and found.kind in KINDS
    assert words in found.message
    for shown in {f"{expected:g}", f"{expected:,.6g}", repr(expected), str(expected)}:
        assert shown not in found.message, shown


def test_text_diagnosis():
    from platform_intl.diagnosis import diagnose_text

    assert diagnose_text("446.000.000", "446.000.000") is None
    assert diagnose_text("446,000,000", "446.000.000").kind == "text_format"
    assert diagnose_text("spark", "Spark").kind == "text_case"
    assert diagnose_text("spark", "Spark", case_sensitive=False) is None
    assert diagnose_text("Gnist", ["Spark"]).kind == "text_other"
    assert "Spark" not in diagnose_text("Gnist", ["Spark"]).message
    assert diagnose_text(446, "446").kind == "type"


def test_check_close_says_the_kind_and_hides_the_expected_value():
    with pytest.raises(checks.CheckFailed, match="inverse of the expected ratio") as failure:
        checks.check_close(3.896, 129.1 / 503, "registered_active_share", rel=1e-4)
    assert failure.value.kind == "inverse" and "0.2566" not in str(failure.value)
    with pytest.raises(checks.CheckFailed, match="separators") as text:
        checks.check_text("446,000,000", "446.000.000", "mau_formatted['da_DK']")
    assert text.value.kind == "text_format" and "446.000.000" not in str(text.value)


def test_text_is_compared_after_nfc_and_trimming():
    decomposed = "Ma\u0308rz 2025"  # "März" typed with a combining diaeresis
    checks.check_text("  März   2025 ", decomposed, "month")
    checks.check_text("GNIST", "gnist", "word", case_sensitive=False)
    checks.check_choice(" mau ", ["MAU", "DAU"], "metric")
    with pytest.raises(AssertionError, match="not one of the allowed answers"):
        checks.check_choice("users", ["MAU", "DAU"], "metric")
    with pytest.raises(AssertionError, match="not the expected answer"):
        checks.check_text("Gnist", "Spark", "company")


def test_collections_and_frames():
    checks.check_same_items(["Spark", "Huawei"], ["huawei", "spark"], "names")
    with pytest.raises(AssertionError, match="expected items"):
        checks.check_same_items(["Spark"], ["Spark", "Huawei"], "names")
    checks.check_columns(pd.DataFrame({"a": [1], "b": [2]}), ["a"], "frame")
    with pytest.raises(AssertionError, match="missing the column"):
        checks.check_columns(pd.DataFrame({"a": [1]}), ["a", "c"], "frame")


def test_checks_keep_working_when_a_student_rebinds_math_isclose(monkeypatch):
    monkeypatch.setattr(math, "isclose", lambda *a, **k: True)
    with pytest.raises(AssertionError):
        checks.check_close(1.0, 2.0, "x")


def titled_figure(title="Weibo (微博) users", label=True):
    fig, ax = plt.subplots()
    ax.plot([2013, 2018], [129.1, 446])
    ax.set_title(title)
    if label:
        ax.set_xlabel("Year")
        ax.set_ylabel("MAU (millions)")
    return fig


def test_show_figure_gives_alt_text_and_source_caption():
    plots.use_course_style()
    shown = plots.show_figure(
        titled_figure(), alt="Weibo MAU rose from 129 to 446 million", source="Weibo results <https://ir.weibo.com>"
    )
    html = shown._repr_html_()
    assert 'alt="Weibo MAU rose from 129 to 446 million"' in html
    assert "<figcaption" in html and "Source: Weibo results &lt;https://ir.weibo.com&gt;" in html
    assert html.count("data:image/png;base64,") == 1
    assert plt.get_fignums() == [], "the figure is closed so it is not shown twice"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(alt="", source="s"), "alt must be a non-empty string"),
        (dict(alt="a chart", source=" "), "source must be a non-empty string"),
    ],
)
def test_show_figure_refuses_missing_alt_or_source(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.show_figure(titled_figure(), **kwargs)


def test_show_figure_requires_title_and_axis_labels():
    with pytest.raises(ValueError, match="needs a title"):
        plots.show_figure(titled_figure(title=""), alt="a chart", source="s")
    with pytest.raises(ValueError, match="axis labels"):
        plots.show_figure(titled_figure(label=False), alt="a chart", source="s")


def test_chinese_labels_render_without_missing_glyph_warnings(recwarn):
    plots.use_course_style()
    fig = titled_figure(title="微博 and 小红书")
    fig.canvas.draw()
    plt.close(fig)
    assert not [w for w in recwarn if "missing from font" in str(w.message)]


def test_palette_is_the_colour_blind_one():
    import seaborn as sns

    assert plots.palette(4) == sns.color_palette("colorblind", 4)


def test_widgets_share_one_accessible_image_encoder():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = titled_figure()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    png = plots.canvas_png(canvas)
    plt.close(fig)
    assert png.startswith(b"\x89PNG")
    html = plots.image_html(png, alt="Weibo MAU, 2013 and 2018", source="Weibo")
    assert 'alt="Weibo MAU, 2013 and 2018"' in html and "Source: Weibo" in html
    assert "<figcaption" not in plots.image_html(png, alt="a chart without a caption")
    with pytest.raises(ValueError, match="alt"):
        plots.image_html(png, alt=" ")
