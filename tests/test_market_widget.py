"""The market funnel explorer, driven headlessly: set controls, check what it shows."""

from __future__ import annotations

import re
import statistics

import pytest

from platform_intl import sizing
from platform_intl.widgets import market


@pytest.fixture(scope="module")
def tables():
    return sizing.load_tables(sizing.TABLES)


@pytest.fixture
def explorer(tables):
    return market.MarketFunnelExplorer("weibo_diaspora", tables=tables)


def alt_of(html_text: str) -> str:
    match = re.search(r'<img\b[^>]*\balt="([^"]*)"', html_text)
    assert match, "the figure is an <img> with an alt attribute"
    return match.group(1)


def test_it_starts_with_the_scenario_defaults_and_all_its_markets(explorer, tables):
    defaults = sizing.scenario_defaults("weibo_diaspora", tables=tables)["value"]
    assert explorer.adoption.value == pytest.approx(defaults["adoption"], abs=0.01)
    assert explorer.obtainable.value == pytest.approx(defaults["obtainable_share"], abs=0.01)
    assert {"HK", "TW", "SG", "MY"} <= set(explorer.markets.value)
    assert "CN" not in explorer.markets.value
    assert explorer.update_count == 1 and explorer.png.startswith(b"\x89PNG")


def test_moving_the_adoption_slider_changes_sam_som_table_and_chart_not_tam(explorer):
    before_totals, before_table, before_png = explorer.totals.copy(), explorer.table.copy(), explorer.png
    explorer.adoption.value = 0.25
    assert explorer.update_count == 2
    assert explorer.totals["tam"] == before_totals["tam"]
    assert explorer.totals["sam"] == pytest.approx(explorer.totals["tam"] * 0.25)
    assert explorer.totals["som"] < before_totals["som"]
    assert not explorer.table.equals(before_table)
    assert explorer.png != before_png


def test_the_obtainable_share_slider_moves_only_the_som(explorer):
    sam = explorer.totals["sam"]
    explorer.obtainable.value = 0.05
    assert explorer.totals["sam"] == sam
    assert explorer.totals["som"] == pytest.approx(sam * 0.05)
    assert explorer.table.iloc[-1]["Market"] == "Total"


def test_slider_moves_redraw_only_what_moves(explorer):
    full = explorer._funnel.full_draws
    for value in (0.3, 0.35, 0.4):
        explorer.adoption.value = value
    assert explorer._funnel.full_draws == full, "population, TAM and online do not move with the sliders"
    explorer.markets.value = ("HK", "TW")
    assert explorer._funnel.full_draws == full + 1


def test_choosing_markets_narrows_the_funnel(explorer):
    everything = explorer.totals["speakers"]
    explorer.markets.value = ("SG", "MY")
    assert explorer.totals["speakers"] < everything
    assert sorted(explorer.result["territory"]) == ["MY", "SG"]
    explorer.markets.value = ()
    assert explorer.totals["speakers"] == 0 and explorer.png.startswith(b"\x89PNG")


def test_numbers_follow_the_chosen_locale(explorer):
    explorer.locale.value = "zh_CN"
    assert any(("亿" in cell) or ("万" in cell) for cell in explorer.table.iloc[:, 1:].to_numpy().ravel())
    assert "万" in explorer.alt_text
    explorer.locale.value = "da_DK"
    assert "mio." in explorer.table.iloc[-1]["Adopters (SAM)"]
    explorer.locale.value = "en_US"
    assert re.search(r"\d(\.\d)?M$", explorer.table.iloc[-1]["Online speakers (TAM)"])


def test_the_figure_has_alt_text_and_a_source(explorer):
    alt = alt_of(explorer.figure_html.value)
    assert "market funnel" in alt and "Obtainable (SOM)" in alt and len(alt) > 60
    assert "Source:" in explorer.figure_html.value and "CLDR" in explorer.figure_html.value
    assert '<th scope="col"' in explorer.table_html.value


def test_the_sensitivity_view_shows_a_tornado(explorer):
    explorer.view.value = "Sensitivity"
    table = explorer.sensitivity_table
    assert table is not None and table.iloc[0]["factor"] == "obtainable_share"
    assert table["som_base"].iloc[0] == pytest.approx(explorer.totals["som"])
    assert alt_of(explorer.figure_html.value).startswith("Tornado chart")
    full = explorer._tornado.full_draws
    for value in (0.50, 0.51, 0.52):
        explorer.adoption.value = value
    assert explorer._tornado.full_draws <= full + 1, "small moves redraw only the bars"
    png = explorer.png
    explorer.obtainable.value = 0.4
    assert explorer.png != png
    assert explorer.sensitivity_table["som_base"].iloc[0] == pytest.approx(explorer.totals["som"])


def test_switching_scenario_resets_markets_and_defaults(explorer, tables):
    explorer.adoption.value = 0.9
    explorer.scenario.value = "rednote_us_tiktok"
    assert explorer.markets.value == ("US",)
    defaults = sizing.scenario_defaults("rednote_us_tiktok", tables=tables)["value"]
    assert explorer.adoption.value == pytest.approx(defaults["adoption"], abs=0.01)
    assert "TikTok" in explorer.assumptions_html.value
    explorer.obtainable.value = 0.5
    explorer.reset.click()
    assert explorer.obtainable.value == pytest.approx(defaults["obtainable_share"], abs=0.005)


def test_bad_arguments_are_refused(tables):
    with pytest.raises(sizing.SizingError, match="scenario must be one of"):
        market.MarketFunnelExplorer("friendster", tables=tables)
    with pytest.raises(ValueError, match="locale"):
        market.MarketFunnelExplorer(locale="xx_QQ", tables=tables)


def test_chart_functions_meet_the_course_figure_rules(tables):
    from platform_intl.plots import figure_html

    result = sizing.size_scenario("weibo_diaspora", tables=tables)
    fig = market.funnel_figure(result, locale="zh_CN", title="微博: Chinese speakers outside mainland China")
    assert "Obtainable" in figure_html(fig, alt=market.funnel_alt_text(result, "zh_CN"), source="test")
    table = sizing.scenario_sensitivity("weibo_diaspora", tables=tables)
    fig = market.tornado_figure(table)
    assert figure_html(fig, alt=market.tornado_alt_text(table), source="test").startswith("<figure")
    compared = sizing.top_down_vs_bottom_up(
        tables["countries"], tables["territory_languages"], tables["chinese_diaspora"]
    )
    fig = market.comparison_figure(compared)
    alt = market.comparison_alt_text(compared)
    assert "Thailand" in alt and "Singapore" in alt
    assert figure_html(fig, alt=alt, source="test").startswith("<figure")
    import matplotlib.pyplot as plt

    plt.close("all")


def test_benchmark_interface_updates_synchronously_and_fast():
    assert set(market.EXPLORERS) == {"market_funnel"}
    explorer, slider = market.EXPLORERS["market_funnel"]()
    count = explorer.update_count
    timings = []
    for step in range(15):
        slider.value = 0.2 + step * 0.02
        timings.append(explorer.last_update_seconds)
    assert explorer.update_count == count + 15
    # The benchmark reports the real latency; this only catches a gross regression.
    assert statistics.median(timings) < 0.5


def test_unticking_markets_as_the_lecture_says_and_reset_restores_everything(explorer, tables):
    """Lecture 06: "Untick Hong Kong, Macau and Taiwan in Markets"; Reset brings back every input."""
    everything, count = explorer.totals["tam"], explorer.update_count
    boxes = {code: box for code, box in zip(explorer.markets.codes, explorer.markets.grid.children)}
    for code in ("HK", "MO", "TW"):
        assert boxes[code].description.endswith(f"({code})")
        boxes[code].value = False
    assert explorer.update_count == count + 3
    assert not {"HK", "MO", "TW"} & set(explorer.result["territory"])
    assert 0 < explorer.totals["tam"] < everything / 2
    explorer.adoption.value, explorer.obtainable.value = 0.9, 0.9
    explorer.reset.click()
    defaults = sizing.scenario_defaults("weibo_diaspora", tables=tables)["value"]
    assert explorer.markets.value == explorer.markets.codes and explorer.totals["tam"] == everything
    assert explorer.adoption.value == pytest.approx(defaults["adoption"], abs=0.01)
    assert explorer.obtainable.value == pytest.approx(defaults["obtainable_share"], abs=0.005)


def test_tick_all_and_untick_all_buttons(explorer):
    explorer.markets.none_button.click()
    assert explorer.markets.value == () and explorer.totals["speakers"] == 0
    explorer.markets.all_button.click()
    assert explorer.markets.value == explorer.markets.codes and explorer.totals["speakers"] > 0
    with pytest.raises(ValueError, match="no choice XX here; the choices are"):
        explorer.markets.value = ("XX",)
