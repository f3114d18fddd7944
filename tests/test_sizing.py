"""The market-sizing model: funnel arithmetic, input checks, scenarios, growth, sensitivity.

Small hand-made frames pin the arithmetic; the course datasets check the scenarios end
to end; hypothesis checks the invariants (SOM <= SAM <= TAM, monotone in every share).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from platform_intl import sizing
from platform_intl.sizing import SizingError


@pytest.fixture(scope="module")
def tables():
    return sizing.load_tables()


def markets_frame(**columns):
    base = {
        "territory": ["AA", "BB"],
        "population": [1000.0, 2000.0],
        "language_share": [0.5, 0.1],
        "internet_share": [0.8, 0.5],
    }
    base.update(columns)
    return pd.DataFrame(base)


COUNTRIES = pd.DataFrame(
    {
        "territory": ["HK", "TW", "US", "CN", "XX"],
        "name": ["Hong Kong", "Taiwan", "United States", "China", "Nowhere"],
        "population": [7_000_000, 23_000_000, 340_000_000, 1_400_000_000, 1000],
        "internet_pct": [95.0, 90.0, 97.0, 77.5, np.nan],
    }
)
LANGUAGES = pd.DataFrame(
    {
        "territory": ["HK", "HK", "HK", "TW", "TW", "US", "US", "CN", "XX"],
        "language": ["zh-Hant", "yue", "zh", "zh-Hant", "nan-Hant", "en", "zh-Hant", "zh", "zh"],
        "population_share": [0.95, 0.9, 0.05, 0.95, 0.57, 0.96, 0.0069, 0.9, 0.5],
    }
)


# ------------------------------------------------------------------------- arithmetic


def test_funnel_multiplies_the_shares_per_territory():
    result = sizing.funnel(markets_frame(), adoption=0.5, obtainable_share=0.1)
    assert result["speakers"].tolist() == [500.0, 200.0]
    assert result["tam"].tolist() == [400.0, 100.0]
    assert result["sam"].tolist() == [200.0, 50.0]
    assert result["som"].tolist() == pytest.approx([20.0, 5.0])
    totals = sizing.funnel_totals(result)
    assert totals.to_dict() == pytest.approx({"population": 3000, "speakers": 700, "tam": 500, "sam": 250, "som": 25})


def test_funnel_takes_per_territory_assumptions_keyed_by_code():
    adoption = pd.Series({"BB": 1.0, "AA": 0.5})
    result = sizing.funnel(markets_frame(), adoption=adoption, obtainable_share=1.0)
    assert result["sam"].tolist() == [200.0, 100.0]
    with pytest.raises(SizingError, match=r"adoption has no value for territory\(ies\) \['BB'\]"):
        sizing.funnel(markets_frame(), adoption=pd.Series({"AA": 0.5, "ZZ": 0.1}), obtainable_share=1.0)


def test_funnel_stages_table_has_the_ratio_to_the_previous_stage():
    stages = sizing.funnel_stages(sizing.funnel(markets_frame(), adoption=0.5, obtainable_share=0.1))
    assert stages["stage"].tolist() == list(sizing.STAGES)
    assert stages["share_of_previous"].iloc[1:].tolist() == pytest.approx([700 / 3000, 500 / 700, 0.5, 0.1])


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "name, value, fragment",
    [
        ("adoption", 45, "like a percentage"),
        ("adoption", -0.1, "between 0 and 1"),
        ("obtainable_share", 1.5, "between 0 and 1"),
        ("obtainable_share", float("nan"), "missing"),
    ],
)
def test_a_share_outside_0_1_names_the_argument_and_the_range(name, value, fragment):
    kwargs = {"adoption": 0.5, "obtainable_share": 0.1, name: value}
    with pytest.raises(SizingError, match=name) as error:
        sizing.funnel(markets_frame(), **kwargs)
    assert fragment in str(error.value)
    assert "0 and 1" in str(error.value) or "missing" in str(error.value)


def test_a_percentage_in_a_data_column_is_caught_with_the_territory():
    with pytest.raises(SizingError, match=r"internet_share .*BB: 50.*percentage"):
        sizing.funnel(markets_frame(internet_share=[0.8, 50.0]), adoption=0.5, obtainable_share=0.1)


def test_a_negative_population_is_refused():
    with pytest.raises(SizingError, match=r"population must be a finite number >= 0"):
        sizing.funnel(markets_frame(population=[1000.0, -5.0]), adoption=0.5, obtainable_share=0.1)


def test_an_unknown_territory_code_is_named_with_what_is_allowed():
    with pytest.raises(SizingError, match=r"territories has unknown territory code\(s\) \['QQ'\].*allowed"):
        sizing.build_markets(COUNTRIES, LANGUAGES, territories=["HK", "QQ"])
    with pytest.raises(SizingError, match=r"exclude has unknown"):
        sizing.build_markets(COUNTRIES, LANGUAGES, exclude=["ZZZ"])


def test_a_territory_listed_twice_is_refused():
    doubled = pd.concat([markets_frame(), markets_frame().iloc[:1]])
    with pytest.raises(SizingError, match="more than once"):
        sizing.funnel(doubled, adoption=0.5, obtainable_share=0.1)


def test_other_bad_arguments_say_what_is_allowed():
    with pytest.raises(SizingError, match=r"combine must be one of \['max', 'sum'\]"):
        sizing.language_shares(LANGUAGES, combine="mean")
    with pytest.raises(SizingError, match="missing_internet"):
        sizing.build_markets(COUNTRIES, LANGUAGES, missing_internet="guess")
    with pytest.raises(SizingError, match="must be a number"):
        sizing.funnel(markets_frame(), adoption="half", obtainable_share=0.1)
    with pytest.raises(SizingError, match=r"lacks the column\(s\) \['internet_share'\]"):
        sizing.funnel(markets_frame().drop(columns="internet_share"), adoption=0.5, obtainable_share=0.1)
    with pytest.raises(SizingError, match="scenario must be one of"):
        sizing.get_scenario("myspace")
    with pytest.raises(ValueError, match="scenario must be one of"):  # callers may catch ValueError
        sizing.get_scenario("myspace")


# --------------------------------------------------------------- languages and markets


def test_overlapping_language_shares_are_not_added_by_default():
    shares = sizing.language_shares(LANGUAGES).set_index("territory")["language_share"]
    assert shares["HK"] == 0.95  # zh-Hant 95 %, yue 90 %, zh 5 %: mostly the same people
    assert shares["TW"] == 0.95
    summed = sizing.language_shares(LANGUAGES, combine="sum").set_index("territory")["language_share"]
    assert summed["HK"] == 1.0  # 1.9 capped
    assert summed["US"] == pytest.approx(0.0069)


def test_languages_match_by_primary_subtag_or_by_full_tag():
    by_primary = sizing.language_shares(LANGUAGES, ["yue"]).set_index("territory")["language_share"]
    assert by_primary.to_dict() == {"HK": 0.9}
    by_tag = sizing.language_shares(LANGUAGES, ["zh-Hant"]).set_index("territory")
    assert sorted(by_tag.index) == ["HK", "TW", "US"]


def test_build_markets_reads_internet_pct_as_a_percentage_and_handles_gaps():
    markets = sizing.build_markets(COUNTRIES, LANGUAGES, exclude=["CN"]).set_index("territory")
    assert markets.loc["HK", "internet_share"] == pytest.approx(0.95)
    assert markets.loc["XX", "internet_share"] == 0.0 and not markets.loc["XX", "internet_known"]
    dropped = sizing.build_markets(COUNTRIES, LANGUAGES, exclude=["CN"], missing_internet="drop")
    assert "XX" not in set(dropped["territory"])
    assumed = sizing.build_markets(COUNTRIES, LANGUAGES, exclude=["CN"], missing_internet=0.6)
    assert assumed.set_index("territory").loc["XX", "internet_share"] == 0.6
    everyone = sizing.build_markets(COUNTRIES, languages=None, territories=["US"])
    assert everyone["language_share"].tolist() == [1.0]


def test_chinese_speakers_outside_mainland_count_each_territory_once(tables):
    speakers = sizing.chinese_speakers_outside_mainland(tables["countries"], tables["territory_languages"])
    assert "CN" not in set(speakers["territory"])
    assert not speakers["territory"].duplicated().any()
    assert {"HK", "MO", "TW", "SG", "MY", "US"} <= set(speakers["territory"])
    assert (speakers["language_share"] <= 1).all()
    hk = speakers.set_index("territory").loc["HK"]
    assert hk["speakers"] <= hk["population"] and hk["greater_china"]
    assert speakers["speakers"].is_monotonic_decreasing
    total = speakers["speakers"].sum()
    assert 30e6 < total < 80e6, f"{total:,.0f} Chinese speakers outside mainland China"
    beyond = sizing.chinese_speakers_outside_mainland(
        tables["countries"], tables["territory_languages"], include_hk_mo_tw=False
    )
    assert not set(beyond["territory"]) & {"HK", "MO", "TW"}


def test_top_down_against_bottom_up_keeps_both_sides_and_drops_world_totals(tables):
    compared = sizing.top_down_vs_bottom_up(
        tables["countries"], tables["territory_languages"], tables["chinese_diaspora"]
    ).set_index("territory")
    assert "001" not in compared.index and "CN" not in compared.index
    assert compared.loc["HK", "where"] == "top-down only"  # not 'overseas Chinese'
    assert compared.loc["MY", "where"] == "both"
    malaysia = compared.loc["MY"]
    assert malaysia["ratio"] == pytest.approx(malaysia["top_down"] / malaysia["bottom_up"])
    assert set(compared["where"]) <= {"both", "top-down only", "bottom-up only"}


# ------------------------------------------------------------------ growth and units


def test_cagr_and_projection():
    assert sizing.cagr(100, 121, 2) == pytest.approx(0.1)
    rates = sizing.cagr(pd.Series([100.0, 100.0]), pd.Series([121.0, 100.0]), 2)
    assert rates.tolist() == pytest.approx([0.1, 0.0])
    projection = sizing.project(100, 0.1, 2)
    assert projection.tolist() == pytest.approx([100, 110, 121])
    assert sizing.years_between("2013-12-31", "2023-12-31") == pytest.approx(10, abs=0.01)


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: sizing.cagr(0, 10, 5), "start must be a finite number > 0"),
        (lambda: sizing.cagr(10, 20, 0), "years must be a finite number > 0"),
        (lambda: sizing.cagr(10, -1, 2), "end must be a finite number >= 0"),
        (lambda: sizing.project(100, 5, 3), "looks like a percentage"),
        (lambda: sizing.project(100, -1, 3), "above -1"),
        (lambda: sizing.years_between("2020-01-01", "2019-01-01"), "must come after"),
    ],
)
def test_growth_functions_refuse_bad_input(call, fragment):
    with pytest.raises(SizingError, match=fragment):
        call()


def test_unit_economics():
    assert sizing.active_share(129.1e6, 503e6) == pytest.approx(0.2567, abs=1e-4)
    assert sizing.active_from_registered(503e6, 0.25) == pytest.approx(125.75e6)
    assert sizing.revenue_per_user(436e6, 302e6) == pytest.approx(1.4437, abs=1e-4)
    assert sizing.revenue_per_user(436e6, 302e6, periods_per_year=4) == pytest.approx(5.775, abs=1e-3)
    assert sizing.users_per_staff(446e6, 1000) == 446_000
    with pytest.raises(SizingError, match="share must be a fraction"):
        sizing.active_from_registered(503e6, 25)
    with pytest.raises(SizingError, match="staff must be a finite number > 0"):
        sizing.users_per_staff(446e6, 0)


# ---------------------------------------------------------------------- sensitivity


def test_sensitivity_is_sorted_by_swing_and_centred_on_the_funnel():
    markets = markets_frame()
    table = sizing.sensitivity(markets, adoption=0.5, obtainable_share=0.1)
    som = sizing.funnel_totals(sizing.funnel(markets, adoption=0.5, obtainable_share=0.1))["som"]
    assert table["som_base"].eq(som).all()
    assert table["swing"].is_monotonic_decreasing
    assert table.iloc[0]["factor"] == "obtainable_share"
    assert ((table["som_low"] <= som + 1e-9) & (table["som_high"] >= som - 1e-9)).all()


def test_sensitivity_caps_shares_at_one():
    markets = markets_frame(internet_share=[1.0, 1.0])
    table = sizing.sensitivity(markets, adoption=0.5, obtainable_share=0.1).set_index("factor")
    assert table.loc["internet_share", "som_high"] == pytest.approx(table.loc["internet_share", "som_base"])


def test_the_overlap_rule_needs_the_language_table():
    markets = sizing.build_markets(COUNTRIES, LANGUAGES, exclude=["CN"])
    with pytest.raises(SizingError, match="territory_languages"):
        sizing.sensitivity(markets, adoption=0.5, obtainable_share=0.1, uncertainties=[sizing.LANGUAGE_OVERLAP])
    table = sizing.sensitivity(
        markets,
        adoption=0.5,
        obtainable_share=0.1,
        uncertainties=[sizing.LANGUAGE_OVERLAP],
        territory_languages=LANGUAGES,
    )
    assert table.loc[0, "som_high"] > table.loc[0, "som_low"] == pytest.approx(table.loc[0, "som_base"])


# ------------------------------------------------------------------------ scenarios


def test_every_scenario_sizes_from_the_datasets(tables):
    ids = {s.id for s in sizing.SCENARIOS}
    assert {"weibo_diaspora", "rednote_us_tiktok", "twitter_chinese_advertisers"} <= ids
    for scenario in sizing.SCENARIOS:
        defaults = sizing.scenario_defaults(scenario.id, tables=tables)
        assert defaults["value"].between(0, 1).all(), scenario.id
        assert set(defaults["basis"]) <= {"course assumption", "derived from the course datasets"}
        assert defaults["explanation"].str.len().gt(20).all()
        totals = sizing.funnel_totals(sizing.size_scenario(scenario.id, tables=tables))
        assert 0 < totals["som"] <= totals["sam"] <= totals["tam"] <= totals["speakers"] <= totals["population"]
        table = sizing.scenario_sensitivity(scenario.id, tables=tables)
        assert table["som_base"].iloc[0] == pytest.approx(totals["som"])
    assert len(sizing.scenarios_table()) == len(sizing.SCENARIOS)


def test_derived_defaults_reproduce_the_figures_they_come_from(tables):
    users = tables["platform_users"]
    rednote = sizing.funnel_totals(sizing.size_scenario("rednote_us_tiktok", tables=tables))
    peak = sizing.REDNOTE_PEAK
    # Daily users on one day throughout: TikTok's US DAU is the SAM, RedNote's the SOM.
    assert rednote["sam"] == pytest.approx(sizing.figure_on(users, "tiktok", "DAU", peak, scope="US")["value"])
    assert rednote["som"] == pytest.approx(sizing.figure_on(users, "xiaohongshu", "DAU", peak, scope="US")["value"])
    assert rednote["som"] == pytest.approx(32.5e6)  # the peak, not the first day's 3.4 million
    twitter = sizing.funnel_totals(sizing.size_scenario("twitter_chinese_advertisers", tables=tables))
    assert twitter["sam"] == pytest.approx(302e6)  # Twitter's MAU in Q1 2015
    weibo = sizing.scenario_defaults("weibo_diaspora", tables=tables)
    # 446 million MAU (Sept 2018) over 829 million internet users (CNNIC, Dec 2018)
    assert weibo.loc["adoption", "value"] == pytest.approx(446 / 829)
    assert "2018-09-30" in weibo.loc["adoption", "explanation"] and "2018-12-31" in weibo.loc["adoption", "explanation"]


def test_derived_defaults_do_not_move_when_a_later_row_is_added(tables):
    """The scenarios pick their dates on purpose: a newer row cannot slip in."""
    users = tables["platform_users"]
    later = users[(users["platform"] == "xiaohongshu") & (users["metric"] == "DAU")].tail(1).copy()
    later["period_end"] = pd.Timestamp("2025-02-01")
    later["value"] = 1.0
    more = {**tables, "platform_users": pd.concat([users, later], ignore_index=True)}
    before = sizing.scenario_defaults("rednote_us_tiktok", tables=tables)["value"]
    after = sizing.scenario_defaults("rednote_us_tiktok", tables=more)["value"]
    assert before.equals(after)


# ------------------------------------------------------------------ periods of ratios


def test_ratio_of_figures_from_the_same_period_says_so():
    mau = sizing.Figure(446e6, "MAU", "2018-09-30", "Weibo MAU")
    online = sizing.Figure(829e6, "internet users", "2018-12-31", "China internet users")
    result = sizing.ratio(mau, online)
    assert result.value == pytest.approx(446 / 829) and result.matched and result.gap_days == 92
    assert "2018-09-30" in result.note and "2018-12-31" in result.note and "MAU against internet users" in result.note


def test_ratio_refuses_mixed_periods_unless_told_why():
    mau = sizing.Figure(446e6, "MAU", "2018-09-30", "Weibo MAU")
    later = sizing.Figure(1.097e9, "internet users", "2023-12-31", "China internet users (ITU)")
    with pytest.raises(sizing.PeriodMismatchError, match=r"1918 days apart; allowed: at most 184 days"):
        sizing.ratio(mau, later)
    explained = sizing.ratio(mau, later, mismatch_reason="no 2018 figure exists")
    assert not explained.matched and "because no 2018 figure exists" in explained.note
    assert explained.value == pytest.approx(446e6 / 1.097e9)
    with pytest.raises(sizing.SizingError, match="same metric"):
        sizing.ratio(mau, sizing.Figure(195e6, "DAU", "2018-09-30", "Weibo DAU"), same_metric=True)
    with pytest.raises(sizing.SizingError, match="period_end must be a date"):
        sizing.Figure(1.0, "MAU", "Q3", "bad")
    with pytest.raises(sizing.SizingError, match="denominator .* is 0"):
        sizing.ratio(mau, sizing.Figure(0.0, "MAU", "2018-09-30", "nothing"))


def test_internet_users_of_a_year_uses_the_count_where_there_is_one(tables):
    internet = tables["internet_use"]
    assert sizing.internet_users(tables["countries"], "CN", year=2018, internet_use=internet) == 829e6
    with pytest.raises(
        sizing.SizingError, match=r"no internet-use figure for 'CN' in 2015; years listed: \[2018, 2020, 2023\]"
    ):
        sizing.internet_users(tables["countries"], "CN", year=2015, internet_use=internet)
    with pytest.raises(sizing.SizingError, match="internet_use .* is needed"):
        sizing.internet_users(tables["countries"], "CN", year=2018)


def test_every_derived_ratio_in_the_scenarios_names_its_periods(tables):
    for scenario in sizing.SCENARIOS:
        defaults = sizing.scenario_defaults(scenario.id, tables=tables)
        for name, row in defaults.iterrows():
            if row["basis"] == "derived from the course datasets":
                assert row["explanation"].count("(20") >= 2, (scenario.id, name, row["explanation"])
                assert "same period" in row["explanation"] or "because" in row["explanation"], (scenario.id, name)


def test_equal_ranges_make_every_unbounded_factor_move_the_som_alike(tables):
    table = sizing.scenario_sensitivity(
        "weibo_diaspora", tables=tables, uncertainties=sizing.equal_width_uncertainties(0.2)
    ).set_index("factor")["swing"]
    uncapped = table[["population", "adoption", "obtainable_share"]]
    assert uncapped.max() == pytest.approx(uncapped.min())
    assert table["internet_share"] < uncapped.min()  # capped at 100 % where penetration is high


def test_hong_kong_macau_taiwan_make_the_difference_between_two_weibo_scenarios(tables):
    wide = sizing.size_scenario("weibo_diaspora", tables=tables).set_index("territory")
    narrow = sizing.size_scenario("weibo_beyond_greater_china", tables=tables).set_index("territory")
    assert set(wide.index) - set(narrow.index) == {"HK", "MO", "TW"}
    assert wide["speakers"].sum() - narrow["speakers"].sum() == pytest.approx(
        wide.loc[["HK", "MO", "TW"], "speakers"].sum()
    )


def test_scenario_markets_can_be_narrowed_but_only_to_its_own_territories(tables):
    markets = sizing.scenario_markets("weibo_diaspora", tables=tables, territories=["sg", "MY"])
    assert sorted(markets["territory"]) == ["MY", "SG"]
    with pytest.raises(SizingError, match="unknown territory code"):
        sizing.scenario_markets("weibo_diaspora", tables=tables, territories=["CN"])


def test_latest_figure_says_what_exists(tables):
    row = sizing.latest_figure(tables["platform_users"], "weibo", "MAU", on_or_before="2018-09-30")
    assert row["value"] == 446e6
    with pytest.raises(SizingError, match="metrics listed for it"):
        sizing.latest_figure(tables["platform_users"], "weibo", "ARPU")


# ---------------------------------------------------------------------- properties

shares = st.floats(0, 1, allow_nan=False)
populations = st.floats(0, 2e9, allow_nan=False)


@st.composite
def market_tables(draw):
    n = draw(st.integers(1, 6))
    return pd.DataFrame(
        {
            "territory": [f"T{i}" for i in range(n)],
            "population": draw(st.lists(populations, min_size=n, max_size=n)),
            "language_share": draw(st.lists(shares, min_size=n, max_size=n)),
            "internet_share": draw(st.lists(shares, min_size=n, max_size=n)),
        }
    )


@settings(max_examples=60, deadline=None)
@given(market_tables(), shares, shares)
def test_som_never_exceeds_sam_nor_sam_tam(markets, adoption, obtainable):
    result = sizing.funnel(markets, adoption=adoption, obtainable_share=obtainable)
    tolerance = 1e-9 * (1 + result["speakers"].abs())
    assert (result["som"] <= result["sam"] + tolerance).all()
    assert (result["sam"] <= result["tam"] + tolerance).all()
    assert (result["tam"] <= result["speakers"] + tolerance).all()
    assert (result["speakers"] <= result["population"] + tolerance).all()
    assert (result[list(sizing.STAGES)] >= 0).all().all()


@settings(max_examples=60, deadline=None)
@given(market_tables(), shares, shares, st.sampled_from(sizing.SHARE_FACTORS), st.floats(0, 1), st.data())
def test_every_stage_is_monotone_in_every_share(markets, adoption, obtainable, factor, raise_by, data):
    params = {"adoption": adoption, "obtainable_share": obtainable}
    before = sizing.funnel_totals(sizing.funnel(markets, **params))
    if factor in params:
        params[factor] = params[factor] + (1 - params[factor]) * raise_by
        after = sizing.funnel_totals(sizing.funnel(markets, **params))
    else:
        row = data.draw(st.integers(0, len(markets) - 1))
        bigger = markets.copy()
        bigger.loc[row, factor] = bigger.loc[row, factor] + (1 - bigger.loc[row, factor]) * raise_by
        after = sizing.funnel_totals(sizing.funnel(bigger, **params))
    for stage in sizing.STAGES:
        assert after[stage] >= before[stage] * (1 - 1e-12) - 1e-6, (factor, stage)


@settings(max_examples=40, deadline=None)
@given(st.floats(1, 1e9), st.floats(0, 1e9), st.floats(0.25, 30))
def test_cagr_round_trips_through_project(start, end, years):
    rate = sizing.cagr(start, end, years)
    if -0.99 < rate <= 1:
        grown = sizing.project(start, rate, [years]).iloc[0]
        assert math.isclose(grown, end, rel_tol=1e-7, abs_tol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.floats(1.0001, 100, exclude_min=True) | st.floats(-100, -1e-6))
def test_any_share_outside_0_1_is_refused(value):
    with pytest.raises(SizingError, match="adoption must be a fraction between 0 and 1"):
        sizing.funnel(markets_frame(), adoption=value, obtainable_share=0.1)


def test_funnel_carried_to_revenue_and_a_bottom_up_sum():
    markets = markets_frame()
    result = sizing.funnel(
        markets, adoption=0.5, obtainable_share=0.1, revenue_per_user=pd.Series({"AA": 2.0, "BB": 1.0})
    )
    assert result["revenue"].tolist() == pytest.approx([40.0, 5.0])  # som x revenue per user, per territory
    assert sizing.funnel_totals(result)["revenue"] == pytest.approx(45.0)
    with pytest.raises(SizingError, match="revenue_per_user must be a finite number >= 0"):
        sizing.funnel(markets, adoption=0.5, obtainable_share=0.1, revenue_per_user=-1)
    table = pd.DataFrame({"region": ["US", "abroad"], "users": [57e6, 198e6], "revenue_per_user": [2.0, 0.5]})
    summed = sizing.bottom_up(table)
    assert summed.iloc[-1]["region"] == "total" and summed.iloc[-1]["revenue"] == pytest.approx(57e6 * 2 + 198e6 * 0.5)
    with pytest.raises(SizingError, match=r"lacks the column\(s\) \['users'\]"):
        sizing.bottom_up(table.rename(columns={"users": "people"}))


def test_per_user_helpers_check_periods_when_given_figures():
    registered = sizing.Figure(503e6, "registered", "2012-12-31", "Weibo registered")
    mau = sizing.Figure(129.1e6, "MAU", "2013-12-31", "Weibo MAU")
    with pytest.raises(sizing.PeriodMismatchError, match="365 days apart"):
        sizing.active_share(mau, registered)
    share = sizing.active_share(mau, registered, mismatch_reason="the first MAU came a year after")
    assert share == pytest.approx(129.1 / 503)
    revenue = sizing.Figure(436e6, "revenue", "2015-03-31", "Twitter revenue Q1 2015")
    users = sizing.Figure(302e6, "MAU", "2015-03-31", "Twitter MAU Q1 2015")
    assert sizing.revenue_per_user(revenue, users) == pytest.approx(436 / 302)
    with pytest.raises(SizingError, match="both inputs as Figures"):
        sizing.revenue_per_user(revenue, 302e6)
    assert sizing.active_share(129.1e6, 503e6) == pytest.approx(129.1 / 503)  # plain numbers still work
