"""The capstone's market-entry case (platform_intl.market_entry): choices, reach, funnel, cost, return.

The case is checked against the course's own models computed another way (the funnel by
hand from the tables, the staffing rule written out), and its choices against the data:
every allowed market can be sized, every refused one is refused with the allowed values.
"""

from __future__ import annotations

import math

import pytest

from platform_intl import checks, data, market_entry, sizing
from platform_intl import localization as loc
from platform_intl.market_entry import MarketEntryError


@pytest.fixture(scope="module")
def tables():
    return {"countries": data.load("countries"), "territory_languages": data.load("territory_languages")}


def test_platforms_are_platforms_of_the_course_data(users):
    assert set(market_entry.PLATFORMS) <= set(users["platform"])


@pytest.mark.parametrize("bad", ["tiktok", "", None, 3, ["weibo"]])
def test_an_unknown_platform_is_refused_with_the_allowed_ids(bad):
    with pytest.raises(MarketEntryError) as error:
        market_entry.check_platform(bad)
    assert all(p in str(error.value) for p in market_entry.PLATFORMS)


def test_choices_are_trimmed_and_case_folded(tables):
    assert market_entry.check_platform(" WeiBo ") == "weibo"
    assert market_entry.check_market("weibo", " my", **tables) == "MY"
    assert market_entry.check_entry_choice(" Weibo", "us ", **tables) == ("weibo", "US")


@pytest.mark.parametrize("home", ["CN", "HK", "MO", "TW"])
def test_the_home_reach_is_not_a_new_market(tables, home):
    with pytest.raises(MarketEntryError) as error:
        market_entry.check_market("weibo", home, **tables)
    assert "MY" in str(error.value) and "US" in str(error.value)


def test_a_market_without_data_is_refused_and_the_message_lists_the_allowed(tables):
    # Antarctica: no internet figure; Denmark: CLDR lists no Chinese readers.
    for code in ("AQ", "DK", "XX"):
        with pytest.raises(MarketEntryError):
            market_entry.check_market("weibo", code, **tables)


def test_the_test_cell_check_fails_as_a_friendly_assertion(tables):
    with pytest.raises(checks.CheckFailed, match="allowed answers"):
        market_entry.check_entry_choice("tiktok", "US", **tables)
    with pytest.raises(checks.CheckFailed, match="'MY'"):
        market_entry.check_entry_choice("weibo", "CN", **tables)


def test_every_allowed_market_has_data_and_a_priced_launch_language(tables):
    prices = {tag.split("-")[0] for tag in loc.translation_prices()["language"]}
    countries = tables["countries"].set_index("territory")
    for platform in market_entry.PLATFORMS:
        markets = market_entry.allowed_markets(platform, **tables)
        assert {"MY", "US"} <= set(markets)
        for market in markets:
            language = market_entry.launch_language(platform, market, **tables)
            assert language.split("-")[0] in prices - {"zh"}
            assert loc.price_per_word_for(language) > 0
            assert not math.isnan(countries.loc[market, "internet_pct"])


def test_the_launch_language_is_the_most_widely_spoken_priced_one(tables):
    assert market_entry.launch_language("weibo", "MY", **tables) == "ms"
    assert market_entry.launch_language("xiaohongshu", "US", **tables) == "en"
    assert market_entry.launch_language("weibo", "TH", **tables) == "th"


def by_hand(market, adoption, obtainable_share, extra, tables):
    """Online population, reach and the funnel, straight from the tables."""
    row = tables["countries"].set_index("territory").loc[market]
    online = float(row["population"]) * float(row["internet_pct"]) / 100
    rows = tables["territory_languages"][tables["territory_languages"]["territory"] == market]
    primary = rows["language"].str.split("-").str[0]
    chinese = rows.loc[primary.isin(sizing.CHINESE_LANGUAGES), "population_share"].max()
    readable = rows.loc[primary.isin([*sizing.CHINESE_LANGUAGES, extra]), "population_share"].max()
    tam = online * readable
    return online, online * chinese, tam, tam * adoption, tam * adoption * obtainable_share


@pytest.mark.parametrize(
    ("platform", "market", "adoption", "obtainable", "arpu"),
    [("weibo", "MY", 0.5, 0.2, 3.0), ("xiaohongshu", "US", 0.3, 0.1, 0.5), ("wechat", "SG", 0.8, 0.05, 10.0)],
)
def test_the_case_agrees_with_the_models_computed_by_hand(tables, platform, market, adoption, obtainable, arpu):
    case = market_entry.entry_case(
        platform, market, adoption=adoption, obtainable_share=obtainable, revenue_per_user_year=arpu, tables=tables
    )
    online, reach, tam, sam, som = by_hand(market, adoption, obtainable, case.launch_language, tables)
    assert case.online_population == pytest.approx(online)
    assert case.reach_as_is == pytest.approx(reach)
    assert (case.tam, case.sam, case.som) == pytest.approx((tam, sam, som))
    assert case.som <= case.sam <= case.tam <= case.online_population
    assert case.reach_as_is <= case.tam

    price = loc.price_per_word_for(case.launch_language)
    assert case.one_off_cost == pytest.approx(market_entry.LAUNCH_WORDS * price * (1 + loc.REVIEW_QA_SHARE))
    a = loc.ASSUMPTIONS
    shifts = max(
        som
        * a["posts_per_user_day"].value
        * a["share_reviewed_by_humans"].value
        / a["reviews_per_moderator_shift"].value,
        market_entry.COVERAGE_HOURS / 8,
    )
    assert case.moderators == math.ceil(round(shifts * 7 / 5 / (1 - a["shrinkage"].value), 6))
    assert case.moderation_per_year == case.moderators * loc.MODERATOR_COST_PER_YEAR

    spent = case.one_off_cost + case.moderation_per_year
    assert case.yearly_value == pytest.approx(som * arpu)
    assert case.roi_first_year == pytest.approx((som * arpu - spent) / spent)
    assert case.roi_first_year >= -1


def test_the_return_rises_with_revenue_per_user_and_a_loss_never_pays_back(tables):
    low, high = (
        market_entry.entry_case(
            "weibo", "MY", adoption=0.5, obtainable_share=0.2, revenue_per_user_year=arpu, tables=tables
        )
        for arpu in (0.5, 5.0)
    )
    assert low.roi_first_year < 0 < high.roi_first_year
    assert low.payback_months == math.inf and 0 < high.payback_months < 12


@pytest.mark.parametrize("bad", [{"adoption": 50}, {"obtainable_share": -0.1}, {"revenue_per_user_year": -1}])
def test_assumptions_outside_their_range_are_refused(tables, bad):
    arguments = {"adoption": 0.5, "obtainable_share": 0.2, "revenue_per_user_year": 3.0, **bad}
    with pytest.raises(ValueError, match=next(iter(bad))):
        market_entry.entry_case("weibo", "MY", tables=tables, **arguments)


def test_the_assumption_ranges_are_lecture_06s_evidence():
    ranges = market_entry.assumption_ranges()
    defaults = sizing.scenario_defaults("weibo_beyond_greater_china")["value"]
    yields = sizing.revenue_per_user_cases().set_index("case")["revenue_per_user"]
    assert ranges["adoption"].high == pytest.approx(defaults["adoption"])
    assert 0 < ranges["adoption"].low < ranges["adoption"].high < 1
    assert (ranges["obtainable_share"].low, ranges["obtainable_share"].high) == pytest.approx(
        (defaults["obtainable_share"] / 4, defaults["obtainable_share"] * 2)
    )
    rpu = ranges["revenue_per_user_year"]
    assert rpu.low == pytest.approx(yields["abroad yield"] / 10) and rpu.high == pytest.approx(
        yields["home yield"] * 10
    )
    assert all(r.low > 0 for r in ranges.values()), "no range admits the degenerate zero"


@pytest.mark.parametrize(
    "stated",
    [
        {"adoption": 0},
        {"adoption": 0.9},
        {"obtainable_share": 0.0},
        {"obtainable_share": 1.0},
        {"revenue_per_user_year": 0.0},
        {"revenue_per_user_year": 1000.0},
    ],
)
def test_assumptions_outside_the_evidence_fail_with_the_range_and_its_basis(stated):
    (name,) = stated
    with pytest.raises(checks.CheckFailed) as failure:
        market_entry.check_assumptions(**stated)
    message = str(failure.value)
    assert f"`{name}`" in message and " to " in message and "not checked" in message
    assert failure.value.name == name


def test_assumptions_at_the_edges_of_their_ranges_pass_and_unknown_names_are_refused():
    ranges = market_entry.assumption_ranges()
    market_entry.check_assumptions(**{name: r.low for name, r in ranges.items()})
    market_entry.check_assumptions(**{name: r.high for name, r in ranges.items()})
    with pytest.raises(checks.CheckFailed, match="should be a number"):
        market_entry.check_assumptions(adoption="0.5")
    with pytest.raises(ValueError, match="allowed"):
        market_entry.check_assumptions(churn=0.1)


@pytest.mark.parametrize(
    ("value", "carried"),
    [
        (2_500_000.0, True),  # right
        (250_000_000.0, True),  # a percentage slip upstream
        (2.5, True),  # in millions
        (3_400_000.0, True),  # the right order of magnitude (the whole population, say)
        (12_500_000.0, True),  # a mistake the earlier test names
        (1.0, False),  # typed, unrelated to the data
        (0.0, False),
        (-2_500_000.0, False),
        ("2500000", False),
        (None, False),
        (float("nan"), False),
    ],
)
def test_a_later_part_builds_on_a_right_or_recognised_figure_only(value, carried):
    got = market_entry.carried(value, 2_500_000.0, known={"sam, not som": 12_500_000.0})
    assert got == (float(value) if carried else 2_500_000.0)


def test_a_percentage_slip_in_a_share_is_carried_as_its_fraction_but_a_zero_is_not():
    assert market_entry.carried_assumption("obtainable_share", 0.2) == 0.2
    assert market_entry.carried_assumption("obtainable_share", 20) == pytest.approx(0.2)
    assert market_entry.carried_assumption("adoption", 50) == pytest.approx(0.5)
    for bad in (0, 0.0, 0.9, 90, "0.2"):
        with pytest.raises(checks.CheckFailed):
            market_entry.carried_assumption("adoption", bad)
