"""platform_intl.localization: formatting, reach, cost, budget, staffing, taxonomy, decisions."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from platform_intl import localization as loc

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- synthetic data -----------------------------------------------------------------------


def tables(rows, countries):
    """territory_languages and countries frames from compact tuples."""
    languages = pd.DataFrame(rows, columns=["territory", "language", "population_share"])
    places = pd.DataFrame(countries, columns=["territory", "population", "internet_pct"])
    return languages, places


LANGUAGES, COUNTRIES = tables(
    [
        ("DK", "da", 0.9),
        ("DK", "en", 0.8),
        ("DK", "de", 0.5),
        ("DE", "de", 0.9),
        ("DE", "en", 0.6),
        ("BR", "pt", 0.9),
        ("PT", "pt", 1.0),
        ("TW", "zh-Hant", 0.95),
        ("SG", "zh", 0.8),
        ("SG", "en", 0.9),
        ("XX", "da", 0.5),
    ],
    [
        ("DK", 1_000, 100.0),
        ("DE", 10_000, 50.0),
        ("BR", 20_000, 50.0),
        ("PT", 1_000, 100.0),
        ("TW", 2_000, 100.0),
        ("SG", 1_000, 100.0),
        ("XX", 5_000, None),
    ],
)


# --- locale formatting --------------------------------------------------------------------


@pytest.mark.parametrize(
    "locale, expected",
    [("en_US", "1,000"), ("da_DK", "1.000"), ("de_DE", "1.000"), ("zh_CN", "1,000"), ("da-DK", "1.000")],
)
def test_format_number_groups_thousands_by_locale(locale, expected):
    assert loc.format_number(1000, locale) == expected


@pytest.mark.parametrize(
    "locale, expected", [("en_US", "446M"), ("zh_CN", "4.5亿"), ("da_DK", "446 mio."), ("de_DE", "446 Mio.")]
)
def test_format_compact(locale, expected):
    assert loc.format_compact(446_000_000, locale).replace("\xa0", " ") == expected


def test_format_number_decimals_and_percent():
    assert loc.format_number(1234567.456, "da_DK", decimals=2) == "1.234.567,46"
    assert loc.format_number(2.5, "en_US", decimals=0) == "2"  # half to even, as Babel rounds
    assert loc.format_percent(0.123, "en_US") == "12.3%"
    assert loc.format_percent(0.123, "da_DK").replace("\xa0", " ") == "12,3 %"


def test_format_currency_and_whole_amounts():
    assert loc.format_currency(1234.5, "USD", "en_US") == "$1,234.50"
    assert loc.format_currency(1234.5, "USD", "da_DK").replace("\xa0", " ") == "1.234,50 US$"
    assert loc.format_currency(1_234_567.5, "USD", "en_US", decimals=0) == "$1,234,568"
    assert loc.format_currency(1_234_567.5, "EUR", "de_DE", decimals=0).replace("\xa0", " ") == "1.234.568 €"
    with pytest.raises(ValueError, match="ISO 4217"):
        loc.format_currency(1, "dollars", "en_US")
    with pytest.raises(ValueError, match="decimals"):
        loc.format_currency(1, "USD", "en_US", decimals=-1)


def test_format_date_in_each_locale():
    day = dt.date(2025, 1, 17)
    assert loc.format_date(day, "de_DE") == "17.01.2025"
    assert loc.format_date("2025-01-17", "en_US") == "Jan 17, 2025"
    assert loc.format_date(day, "zh_CN") == "2025年1月17日"
    assert loc.format_date(day, "da_DK", length="long") == "17. januar 2025"
    with pytest.raises(ValueError, match="ISO 8601"):
        loc.format_date("17/01/2025", "en_US")


def test_format_for_locales_table():
    frame = loc.format_for_locales(1000)
    assert list(frame.columns) == ["locale", "language", "formatted"]
    assert list(frame["formatted"]) == ["1,000", "1,000", "1.000", "1.000"]
    money = loc.format_for_locales(5, kind="currency", currency="EUR", locales=["de_DE"])
    assert money["formatted"].iloc[0].replace("\xa0", " ") == "5,00 €"
    with pytest.raises(ValueError, match="kind must be one of"):
        loc.format_for_locales(1, kind="roman")


# Digits: each locale's own numbering system (CLDR), Latin by default in the formatters.

NATIVE = {
    "en_US": "1,234,567.891",
    "ar_EG": "١٬٢٣٤٬٥٦٧٫٨٩١",
    "fa_IR": "۱٬۲۳۴٬۵۶۷٫۸۹۱",
    "bn_BD": "১২,৩৪,৫৬৭.৮৯১",
}


@pytest.mark.parametrize("locale, expected", NATIVE.items())
def test_default_numbering_system_writes_the_locales_own_digits(locale, expected):
    assert loc.format_number(1234567.891, locale, numbering_system="default") == expected
    latin = loc.format_number(1234567.891, locale)
    assert latin == loc.format_number(1234567.891, locale, numbering_system="latn")
    assert set(latin) <= set("0123456789,.")


def test_format_for_locales_shows_each_locales_default_digits_and_latin_on_request():
    frame = loc.format_for_locales(1234567.891, locales=list(NATIVE))
    assert list(frame["formatted"]) == list(NATIVE.values())
    latin = loc.format_for_locales(1234567.891, locales=["ar_EG", "fa_IR"], numbering_system="latn")
    assert list(latin["formatted"]) == ["1,234,567.891", "1,234,567.891"]
    # The course's four locales write Latin digits by CLDR's default: lecture 05's tables are unchanged.
    assert list(loc.format_for_locales(1000)["formatted"]) == ["1,000", "1,000", "1.000", "1.000"]


def test_every_kind_follows_the_numbering_system():
    def arab(kind, value, **options):
        return loc.format_for_locales(value, locales=["ar_EG"], kind=kind, **options)["formatted"].iloc[0]

    assert arab("percent", 0.123) == "١٢٫٣٪\u061c"
    assert arab("compact", 446_000_000).startswith("٤٤٦")
    assert arab("currency", 1234.5, currency="EUR") == "\u200f١٬٢٣٤٫٥٠\xa0€"
    assert arab("date", "2025-01-17") == "١٧\u200f/٠١\u200f/٢٠٢٥"
    assert arab("date", "2025-01-17", numbering_system="latn") == "17\u200f/01\u200f/2025"
    assert loc.format_currency(1_234_567.5, "USD", "fa_IR", decimals=0, numbering_system="default").endswith(
        "۱٬۲۳۴٬۵۶۸"
    )


def test_native_digits_where_the_default_is_latin():
    from platform_intl.localization.formatting import numbering_system

    assert numbering_system("hi_IN") == "latn" and numbering_system("hi_IN", "native") == "deva"
    assert loc.format_number(1234567.891, "hi_IN", numbering_system="default") == "12,34,567.891"
    assert loc.format_number(1234567.891, "hi_IN", numbering_system="native") == "१२,३४,५६७.८९१"
    assert loc.format_number(1234.5, "en_US", numbering_system="native") == "1,234.5"
    with pytest.raises(ValueError, match="numbering_system must be one of latn, default, native"):
        loc.format_number(1, "en_US", numbering_system="roman")


def test_the_digit_table_covers_every_locales_default_and_native_system():
    import unicodedata

    from babel import Locale, localedata

    from platform_intl.localization.formatting import NUMBERING_DIGITS

    for system, digits in NUMBERING_DIGITS.items():
        assert [unicodedata.numeric(d) for d in digits] == list(range(10)), system
    needed = set()
    for identifier in localedata.locale_identifiers():
        locale = Locale.parse(identifier)
        needed |= {locale.default_numbering_system, locale.other_numbering_systems.get("native", "latn")}
    assert needed <= set(NUMBERING_DIGITS), sorted(needed - set(NUMBERING_DIGITS))


@pytest.mark.parametrize("bad", ["xx_YY", "klingon", "", None, 42])
def test_unknown_locale_says_what_is_allowed(bad):
    with pytest.raises(loc.LocaleError, match="CLDR locale identifier such as 'en_US'"):
        loc.format_number(1, bad)


# --- validation ---------------------------------------------------------------------------


def test_language_tags_are_standardised():
    assert loc.validate_language_tag("ZH-hant") == "zh-Hant"
    assert loc.validate_language_tag(" pt-br ") == "pt-BR"
    assert loc.validate_language_tag("yue") == "yue"
    assert loc.language_name("zh-Hant") == "Chinese (Traditional)"


@pytest.mark.parametrize(
    "bad, hint",
    [
        ("english", "ISO 639 language code"),
        ("da_DK", "did you mean 'da-DK'"),
        ("", "non-empty"),
        (7, "non-empty string"),
        ("zz", "not a valid BCP 47"),
    ],
)
def test_bad_language_tags_explain_bcp47(bad, hint):
    with pytest.raises(loc.LanguageTagError, match=hint):
        loc.validate_language_tag(bad)


def test_price_in_cents_is_caught_with_the_allowed_range():
    assert loc.check_price_per_word(0.16) == 0.16
    assert loc.check_price_per_word(0) == 0
    with pytest.raises(loc.PriceUnitError, match=r"16 cents would be 0\.16 USD; allowed: 0 to 2 USD"):
        loc.check_price_per_word(16, "de")
    with pytest.raises(loc.PriceUnitError, match="negative"):
        loc.check_price_per_word(-0.1)
    with pytest.raises(loc.PriceUnitError, match="must be a number"):
        loc.check_price_per_word("0.16")


def test_negative_budget_is_refused():
    assert loc.check_budget(0) == 0
    with pytest.raises(loc.BudgetError, match="0 USD or more"):
        loc.check_budget(-1)
    with pytest.raises(loc.BudgetError, match="finite"):
        loc.check_budget(float("nan"))
    problem, _ = loc.greedy_loses_example()
    with pytest.raises(loc.BudgetError):
        problem.optimal(-100)


@pytest.mark.parametrize(
    "bad_call, error",
    [
        (lambda: loc.parse_locale("xx_QQ_nonsense"), loc.LocaleError),
        (lambda: loc.validate_language_tag("not a tag"), loc.LanguageTagError),
        (lambda: loc.check_budget(-1), loc.BudgetError),
        (lambda: loc.check_price_per_word(12), loc.PriceUnitError),
    ],
)
def test_bad_input_raises_its_own_error_which_callers_can_catch_as_value_error(bad_call, error):
    with pytest.raises(error):
        bad_call()
    with pytest.raises(ValueError):
        bad_call()


# --- reach --------------------------------------------------------------------------------


def test_independent_rule_counts_multilingual_people_once():
    model = loc.ReachModel(LANGUAGES, COUNTRIES, ["da", "de"])
    # Denmark, 1,000 online: Danish 90 %, German 50 %: 1 - 0.1 x 0.5 = 95 %, not 140 %.
    dk = model.by_territory(["da", "de"]).set_index("territory").loc["DK"]
    assert dk["share_served_after"] == pytest.approx(0.95)
    assert dk["newly_reached"] == pytest.approx(950)
    # German in Germany: 10,000 people, half online, 90 % speak it.
    assert model.reach(["de"]) == pytest.approx(1_000 * 0.5 + 5_000 * 0.9)


def test_already_served_languages_are_the_baseline():
    model = loc.ReachModel(LANGUAGES, COUNTRIES, ["da"], already_served=["en"])
    # In Denmark English already reaches 80 %; Danish adds 1 - 0.2 x 0.1 - 0.8 = 18 %.
    assert model.reach(["da"]) == pytest.approx(1_000 * 0.18)
    with pytest.raises(ValueError, match="already served"):
        loc.ReachModel(LANGUAGES, COUNTRIES, ["en"], already_served=["en"])


def test_max_rule_is_the_lower_bound():
    model = loc.ReachModel(LANGUAGES, COUNTRIES, ["da", "de"], overlap="max")
    dk = model.by_territory(["da", "de"]).set_index("territory").loc["DK"]
    assert dk["share_served_after"] == pytest.approx(0.9)
    with pytest.raises(ValueError, match="overlap must be one of"):
        loc.ReachModel(LANGUAGES, COUNTRIES, ["da"], overlap="sum")


def test_scripts_and_regions_follow_bcp47():
    model = loc.ReachModel(LANGUAGES, COUNTRIES, ["zh", "zh-Hant", "pt-BR", "pt"])
    assert model.reach(["zh"]) == pytest.approx(800)  # Singapore's Simplified readers
    assert model.reach(["zh-Hant"]) == pytest.approx(1900)  # Taiwan only
    assert model.reach(["pt-BR"]) == pytest.approx(10_000 * 0.9)
    assert model.reach(["pt"]) == pytest.approx(10_000 * 0.9 + 1_000)


def test_territories_without_internet_data_are_left_out_and_reported():
    model = loc.ReachModel(LANGUAGES, COUNTRIES, ["da"])
    assert "XX" not in model.territories
    assert model.coverage == pytest.approx(35_000 / 40_000)


def test_excluded_markets_count_for_nothing():
    model = loc.ReachModel(LANGUAGES, COUNTRIES, ["zh-Hant", "de"], exclude_territories=["tw"])
    assert model.reach(["zh-Hant"]) == 0
    with pytest.raises(ValueError, match="alpha-2"):
        loc.ReachModel(LANGUAGES, COUNTRIES, ["de"], exclude_territories=["Narnia"])


def test_reach_input_errors():
    with pytest.raises(ValueError, match="no CLDR territory data"):
        loc.ReachModel(LANGUAGES, COUNTRIES, ["ja"])
    with pytest.raises(loc.LanguageTagError):
        loc.ReachModel(LANGUAGES, COUNTRIES, ["danish"])
    percent = LANGUAGES.assign(population_share=LANGUAGES["population_share"] * 100)
    with pytest.raises(ValueError, match="not a percentage"):
        loc.ReachModel(percent, COUNTRIES, ["da"])
    with pytest.raises(ValueError, match="lacks the column"):
        loc.ReachModel(LANGUAGES.drop(columns="population_share"), COUNTRIES, ["da"])
    model = loc.ReachModel(LANGUAGES, COUNTRIES, ["da"])
    with pytest.raises(ValueError, match="not a candidate"):
        model.reach(["de"])


share = st.floats(min_value=0, max_value=1, allow_nan=False)


@FAST
@given(st.lists(st.tuples(share, share, share), min_size=1, max_size=4))
def test_independent_reach_lies_between_the_bounds(rows):
    territories = [f"T{i}" for i in range(len(rows))]
    frame = pd.DataFrame(
        [(t, lang, s) for t, row in zip(territories, rows) for lang, s in zip(("da", "de", "fr"), row)],
        columns=["territory", "language", "population_share"],
    )
    countries = pd.DataFrame({"territory": territories, "population": 1_000, "internet_pct": 100.0})
    frame.loc[len(frame)] = ["T0", "sv", 1.0]  # every candidate needs at least one row
    frame.loc[len(frame)] = ["T0", "it", 1.0]
    languages = ["da", "de", "fr"]
    low = loc.ReachModel(frame, countries, languages + ["sv"], overlap="max").reach(languages)
    mid = loc.ReachModel(frame, countries, languages + ["sv"]).reach(languages)
    high = sum(1_000 * min(1.0, sum(row)) for row in rows)
    assert low - 1e-6 <= mid <= high + 1e-6
    assert mid <= 1_000 * len(rows) + 1e-6  # never more people than live there


def test_subset_table_matches_direct_computation():
    model = loc.ReachModel(LANGUAGES, COUNTRIES, ["da", "de", "pt", "zh"], already_served=["en"])
    table = model.subset_reach()
    for mask in range(16):
        chosen = [c for i, c in enumerate(model.candidates) if mask >> i & 1]
        gained = (model.covered_share(chosen) - model.served_share) @ model.online_population
        assert table[mask] == pytest.approx(gained)


# --- cost and value -----------------------------------------------------------------------


def test_localization_cost_components():
    cost = loc.localization_cost(100_000, 0.16, review_qa_share=0.25, moderation_per_year=40_000, years=2)
    assert (cost.translation, cost.review_qa, cost.moderation) == pytest.approx((16_000, 4_000, 80_000))
    assert cost.total == pytest.approx(100_000)
    with pytest.raises(loc.PriceUnitError, match="cents"):
        loc.localization_cost(100_000, 16)
    with pytest.raises(ValueError, match="words must be 0 or more"):
        loc.localization_cost(-5, 0.1)


@FAST
@given(st.lists(st.tuples(st.integers(0, 10**6), st.floats(0, 2), st.floats(0, 10**5)), min_size=1, max_size=6))
def test_costs_are_additive(items):
    parts = [loc.localization_cost(w, p, moderation_per_year=m) for w, p, m in items]
    total = sum(parts[1:], parts[0])
    assert total.total == pytest.approx(sum(p.total for p in parts))
    problem = loc.LanguageBudgetProblem.from_table(
        pd.DataFrame(
            {
                "language": ["da", "de", "fr", "it", "ja", "ko"][: len(items)],
                "reach": 1.0,
                "cost": [p.total for p in parts],
            }
        ),
        conversion_lift=0.4,
    )
    assert problem.cost(problem.languages) == pytest.approx(total.total)


def test_course_prices_and_csa_lift():
    prices = loc.translation_prices()
    assert {"zh-Hans", "ja", "de", "da"} <= set(prices["language"])
    assert prices.set_index("language").loc["da", "is_assumption"]
    assert not prices.set_index("language").loc["ja", "is_assumption"]
    assert loc.price_per_word_for("ja", prices) == pytest.approx(0.17)
    assert loc.price_per_word_for("zh", prices) == pytest.approx(0.09)  # zh is zh-Hans
    with pytest.raises(ValueError, match="no price per word listed"):
        loc.price_per_word_for("fi", prices)
    assert loc.conversion_lift_from_csa() == pytest.approx(0.40)


def test_prices_in_the_wrong_unit_are_refused():
    economics = pd.DataFrame(
        {
            "item": ["translation_price_per_word"],
            "language": ["de"],
            "value": [16.0],
            "unit": ["USD_per_word"],
            "is_assumption": [False],
            "source_title": ["x"],
        }
    )
    with pytest.raises(loc.PriceUnitError, match="cents"):
        loc.translation_prices(economics)
    with pytest.raises(loc.PriceUnitError, match="USD_per_word"):
        loc.translation_prices(economics.assign(unit="US_cents_per_word"))


def test_reach_per_dollar():
    assert loc.reach_per_dollar(1_000, 250) == 4
    with pytest.raises(ValueError, match="more than 0 USD"):
        loc.reach_per_dollar(1_000, 0)


# --- optimal vs greedy --------------------------------------------------------------------


def test_greedy_loses_the_documented_case():
    problem, budget = loc.greedy_loses_example()
    best, quick = problem.optimal(budget), problem.greedy(budget)
    assert set(best.languages) == {"ko", "vi"} and best.reach == 10_000_000 and best.cost == 100_000
    assert quick.languages == ("ja",) and quick.reach == 7_000_000 and quick.unspent == 40_000
    compared = problem.compare(budget).set_index("method")
    assert compared.loc["optimal", "reach"] > compared.loc["greedy", "reach"]
    losses = problem.greedy_shortfalls([50_000, 100_000, 109_999, 110_000])
    assert list(losses["shortfall"]) == [0, 3_000_000, 3_000_000, 0]


def test_value_is_reach_times_lift_times_revenue():
    table = pd.DataFrame({"language": ["da", "de"], "reach": [100, 200], "cost": [10, 10]})
    problem = loc.LanguageBudgetProblem.from_table(table, conversion_lift=0.4, revenue_per_user=5)
    assert problem.value(["da", "de"]) == pytest.approx(300 * 0.4 * 5)
    assert problem.optimal(20).value == pytest.approx(600)
    with pytest.raises(ValueError, match="fraction between 0 and 1"):
        loc.LanguageBudgetProblem.from_table(table, conversion_lift=40)


def test_ties_go_to_the_cheaper_then_smaller_set():
    table = pd.DataFrame({"language": ["da", "de", "fr"], "reach": [10, 10, 0], "cost": [5, 3, 0]})
    problem = loc.LanguageBudgetProblem.from_table(table, conversion_lift=1)
    assert problem.optimal(5).languages == ("de",)
    assert problem.optimal(0).languages == ()
    assert problem.optimal(0).reach_per_dollar == 0


def test_marginal_table_counts_drop_and_add():
    model = loc.ReachModel(LANGUAGES, COUNTRIES, ["da", "de"])
    problem = loc.LanguageBudgetProblem.from_reach_model(model, {"da": 100, "de": 100}, conversion_lift=1)
    table = problem.marginal_table(["de"]).set_index("language")
    assert table.loc["de", "chosen"] and not table.loc["da", "chosen"]
    assert table.loc["da", "marginal_reach"] == pytest.approx(model.reach(["da", "de"]) - model.reach(["de"]))
    assert table.loc["de", "reach_per_dollar"] == pytest.approx(model.reach(["de"]) / 100)


instances = st.lists(st.tuples(share, share, st.integers(0, 50)), min_size=1, max_size=6)


def random_problem(rows):
    """Candidates spread over two territories so that audiences overlap."""
    tags = ["da", "de", "fr", "it", "ja", "ko"][: len(rows)]
    frame = pd.DataFrame(
        [(t, tag, s) for tag, (a, b, _) in zip(tags, rows) for t, s in (("T1", a), ("T2", b))],
        columns=["territory", "language", "population_share"],
    )
    countries = pd.DataFrame({"territory": ["T1", "T2"], "population": [1_000, 3_000], "internet_pct": 100.0})
    model = loc.ReachModel(frame, countries, tags)
    return loc.LanguageBudgetProblem.from_reach_model(model, [c for _, _, c in rows], conversion_lift=1)


@FAST
@given(instances, st.integers(0, 200), st.integers(0, 100))
def test_more_budget_never_reaches_fewer_people(rows, budget, extra):
    problem = random_problem(rows)
    assert problem.optimal(budget + extra).reach >= problem.optimal(budget).reach - 1e-9


@FAST
@given(instances, st.integers(0, 200))
@example(rows=[(0.0, 0.5, 0), (0.0, 0.99999, 0), (0.0, 0.99999, 0)], budget=0)  # free languages, float noise
@example(rows=[(1e-12, 0.0, 0)], budget=0)  # a reach of a billionth of a person
def test_optimal_is_the_brute_force_optimum_and_beats_greedy(rows, budget):
    problem = random_problem(rows)
    best = problem.optimal(budget)
    brute = max(
        problem.reach(s)
        for k in range(len(problem.languages) + 1)
        for s in itertools.combinations(problem.languages, k)
        if problem.cost(s) <= budget
    )
    # The solver's contract: optimal up to its tie tolerance (fractions of a person).
    tolerance = problem.TIE_TOLERANCE * max(1.0, brute)
    assert best.reach == pytest.approx(brute, rel=0, abs=tolerance)
    assert best.cost <= budget
    quick = problem.greedy(budget)
    assert quick.cost <= budget and quick.reach <= best.reach + tolerance


def test_greedy_also_loses_on_course_data():
    """A real case for the lecture: a Chinese platform choosing languages, 50,000 source words."""
    model = loc.ReachModel.from_course_data(
        ["en", "zh-Hant", "ja", "ko", "id", "vi", "es", "pt-BR", "ar"], already_served=["zh"]
    )
    prices = loc.translation_prices()
    costs = [loc.localization_cost(50_000, loc.price_per_word_for(t, prices)).total for t in model.candidates]
    problem = loc.LanguageBudgetProblem.from_reach_model(model, costs, conversion_lift=0.4)
    shortfalls = problem.greedy_shortfalls(range(0, 100_001, 5_000))
    assert (shortfalls["shortfall"] > 0).any()
    assert (shortfalls["shortfall"] >= -1e-6).all()
    assert shortfalls["optimal_reach"].is_monotonic_increasing


def test_problem_input_errors():
    with pytest.raises(ValueError, match="one value per subset"):
        loc.LanguageBudgetProblem(["da", "de"], [0, 1, 2], [1, 1], conversion_lift=1)
    with pytest.raises(ValueError, match="costs lack"):
        loc.LanguageBudgetProblem(["da"], [0, 1], {"de": 1}, conversion_lift=1)
    with pytest.raises(ValueError, match="0 or more"):
        loc.LanguageBudgetProblem(["da"], [0, 1], [-1], conversion_lift=1)


# --- moderation staffing ------------------------------------------------------------------


def test_staffing_workload_and_coverage():
    busy = loc.moderation_staffing(1_000_000, 0.02, 800, shrinkage=0)
    assert busy.reviews_per_day == 20_000 and busy.workload_shifts == 25 and busy.headcount == 35
    # 30 % of paid time goes to leave, sickness, training and breaks: 35 / 0.7 = 50 people.
    assert loc.moderation_staffing(1_000_000, 0.02, 800).headcount == 50 == 35 / (1 - loc.SHRINKAGE)
    quiet = loc.moderation_staffing(1_000, 0.1, 800, coverage_hours=16)
    assert quiet.coverage_shifts == 2 and quiet.headcount == 4  # 2 x 7/5 / 0.7 = 4, someone on duty 16 hours
    assert loc.moderation_staffing(0, 0.5, 800, coverage_hours=0).headcount == 0
    with pytest.raises(ValueError, match="shrinkage must be a fraction .*a percentage"):
        loc.moderation_staffing(1_000, 0.1, 800, shrinkage=30)


def test_one_throughput_assumption_serves_every_lecture():
    assert loc.REVIEWS_PER_MODERATOR_DAY == loc.ASSUMPTIONS["reviews_per_moderator_shift"].value == 800
    assert loc.SHRINKAGE == loc.assumption("shrinkage") == 0.30
    table = loc.assumptions_table()
    assert table["basis"].str.len().gt(20).all() and (table["low"] <= table["value"]).all()
    assert (table["value"] <= table["high"]).all()
    # RedNote's US daily users on the first day, the peak and the day after (Similarweb).
    heads = [loc.inflow_staffing(users).headcount for users in (3.4e6, 32.5e6, 14.9e6)]
    assert heads == [213, 2032, 932]
    with pytest.raises(ValueError, match="unknown assumption"):
        loc.inflow_staffing(1e6, reviews_per_day=500)


def test_costing_routes_conversion_and_post_editing():
    converted = loc.route_cost("zh-Hant", 50_000, served=["zh-Hans"])
    price = loc.price_per_word_for("zh-Hant")
    assert converted.translation == 0 and converted.review_qa == pytest.approx(50_000 * price * 0.30 * 2)
    assert loc.route_cost("zh-Hant", 50_000, served=["en"]).translation == pytest.approx(50_000 * price)
    low, high = loc.post_editing_cost(600, 0.16)
    assert (low, high) == pytest.approx((600 * 0.16 * 0.6, 600 * 0.16))
    assert loc.convert_simplified("鼠标", "HK") == "鼠標"
    assert loc.convert_simplified("打印机和鼠标", "TW") == "印表機和滑鼠"  # Taiwan vocabulary, not only script
    with pytest.raises(ValueError, match=r"variant must be one of \['HK', 'TW'\]"):
        loc.convert_simplified("鼠标", "SG")


def test_value_against_cost_roi_and_payback():
    result = loc.localization_return(
        1_000_000, revenue_per_user_year=4.0, one_off_cost=10_000, recurring_cost_per_year=40_000, adoption=0.05
    )
    assert result["yearly_value"] == pytest.approx(200_000)
    assert result["payback_months"] == pytest.approx(10_000 / (160_000 / 12))
    assert result["roi_first_year"] == pytest.approx((200_000 - 50_000) / 50_000)
    never = loc.localization_return(1_000, revenue_per_user_year=1, one_off_cost=1, recurring_cost_per_year=100)
    assert never["payback_months"] == float("inf")


def test_bilingual_weight_can_change_the_choice_a_constant_lift_cannot():
    model = loc.ReachModel.from_course_data(["da"], already_served=["en"])
    assert model.effective_reach(["da"], 0) == pytest.approx(model.reach(["da"]))
    assert model.effective_reach(["da"], 0.4) > model.reach(["da"])
    with pytest.raises(ValueError, match="bilingual_weight must be a fraction"):
        model.effective_reach(["da"], 40)
    # A constant lift scales every subset alike: the optimal set is the same at 0.4 and 1.
    weibo = loc.ReachModel.from_course_data(["en", "zh-Hant", "ja", "ko", "vi"], already_served=["zh"])
    costs = [60_000, 20_000, 60_000, 50_000, 40_000]
    a = loc.LanguageBudgetProblem.from_reach_model(weibo, costs, conversion_lift=0.4)
    b = loc.LanguageBudgetProblem.from_reach_model(weibo, costs, conversion_lift=1.0)
    for budget in (40_000, 80_000, 120_000):
        assert a.optimal(budget).languages == b.optimal(budget).languages
    weighted = loc.LanguageBudgetProblem.from_reach_model(weibo, costs, bilingual_weight=0.4)
    assert (weighted.subset_reach >= b.subset_reach - 1e-6).all()


def test_staffing_errors_say_what_is_allowed():
    with pytest.raises(ValueError, match="fraction between 0 and 1"):
        loc.moderation_staffing(1000, 5, 800)
    with pytest.raises(ValueError, match="between 0 and 24"):
        loc.moderation_staffing(1000, 0.1, 800, coverage_hours=25)
    with pytest.raises(ValueError, match="more than 0"):
        loc.moderation_staffing(1000, 0.1, 0)


@FAST
@given(st.floats(0, 1e8), st.floats(0, 1e8), share, st.floats(1, 5_000), st.sampled_from([0, 8, 16, 24]))
def test_staffing_is_monotone_in_volume(posts, more, reviewed, rate, hours):
    low = loc.moderation_staffing(posts, reviewed, rate, coverage_hours=hours)
    high = loc.moderation_staffing(posts + more, reviewed, rate, coverage_hours=hours)
    assert high.headcount >= low.headcount
    assert high.shifts_per_day >= low.shifts_per_day


def test_staffing_plan_and_capacity():
    plan = loc.staffing_plan(
        pd.DataFrame(
            {
                "language": ["en", "zh-Hant"],
                "posts_per_day": [2_000_000, 100_000],
                "share_reviewed": [0.01, 0.05],
                "reviews_per_moderator_day": [800, 800],
                "coverage_hours": [24, 16],
            }
        ),
        moderator_cost_per_year=30_000,
    )
    assert list(plan["headcount"]) == [50, 13]  # 35 and 9 before 30 % shrinkage
    assert list(plan["cost_per_year"]) == [50 * 30_000, 13 * 30_000]
    # Weibo's claimed 1,000 verifiers, 800 items a shift, five shifts a week each, 30 % shrinkage.
    assert loc.review_capacity(1_000, 800) == pytest.approx(1_000 * 800 * 5 / 7 * 0.7)
    assert loc.review_capacity(1_000, 800, shrinkage=0) == pytest.approx(1_000 * 800 * 5 / 7)


# --- machine-translation taxonomy ---------------------------------------------------------


def test_every_category_has_a_danish_example():
    examples = loc.mt_error_examples()
    assert set(examples["category"]) == set(loc.MT_ERROR_CATEGORIES)
    assert set(loc.MT_ERROR_LABELS) == set(loc.MT_ERROR_CATEGORIES)
    gnist = examples.set_index("fragment").loc["Gnist"]
    assert gnist["category"] == "proper_noun_translated" and gnist["correction"] == "Spark"
    assert examples.set_index("fragment").loc["1, 000", "correction"] == "1.000"
    assert all(examples["english"].str.len() > 0) and all(examples["explanation"].str.len() > 0)


def test_category_labels_are_forgiving_but_strict():
    assert loc.mt_error_category("Proper noun translated") == "proper_noun_translated"
    assert loc.mt_error_category("grammar and word order") == "grammar_word_order"
    assert loc.mt_error_category(" Number-format ") == "number_format"
    assert len(loc.mt_error_examples("word sense")) >= 3
    with pytest.raises(ValueError, match="allowed: \\['proper_noun_translated'"):
        loc.mt_error_category("spelling")


def test_do_not_translate_list_holds_the_mistranslated_name():
    assert "Spark" in loc.DANISH_TEXT_DO_NOT_TRANSLATE
    assert len(set(loc.DANISH_TEXT_DO_NOT_TRANSLATE)) == len(loc.DANISH_TEXT_DO_NOT_TRANSLATE)


# --- weighted decision matrix -------------------------------------------------------------


def test_weighted_decision_matrix_ranks_and_flips_costs():
    scores = pd.DataFrame({"market_size": [5, 2, 4], "data_localization_burden": [5, 1, 2]}, index=["A", "B", "C"])
    result = loc.weighted_decision_matrix(
        scores, {"market_size": 3, "data_localization_burden": 1}, lower_is_better=["data_localization_burden"]
    )
    # A: 0.75*5 + 0.25*0 = 3.75; B: 0.75*2 + 0.25*4 = 2.5; C: 0.75*4 + 0.25*3 = 3.75
    assert result["weighted_score"].to_dict() == pytest.approx({"A": 3.75, "B": 2.5, "C": 3.75})
    assert list(result.index) == ["A", "C", "B"] and list(result["rank"]) == [1, 1, 3]


def test_weighted_decision_matrix_errors():
    scores = pd.DataFrame({"size": [1, 2]}, index=["A", "B"])
    with pytest.raises(ValueError, match="no scores for the weighted criteria"):
        loc.weighted_decision_matrix(scores, {"risk": 1})
    with pytest.raises(ValueError, match="0 or more"):
        loc.weighted_decision_matrix(scores, {"size": -1})
    with pytest.raises(ValueError, match="on the scale 0 to 5"):
        loc.weighted_decision_matrix(scores * 10, {"size": 1})
    with pytest.raises(ValueError, match="not weighted criteria"):
        loc.weighted_decision_matrix(scores, {"size": 1}, lower_is_better=["risk"])


@FAST
@given(
    st.lists(st.tuples(st.floats(0, 5), st.floats(0, 5)), min_size=1, max_size=5), st.floats(0.01, 10), st.floats(0, 10)
)
def test_weighted_scores_stay_on_the_scale(rows, w1, w2):
    scores = pd.DataFrame(rows, columns=["a", "b"])
    result = loc.weighted_decision_matrix(scores, {"a": w1, "b": w2}, lower_is_better=["b"])
    assert ((result["weighted_score"] >= -1e-9) & (result["weighted_score"] <= 5 + 1e-9)).all()
    top = result.loc[result["rank"] == 1, "weighted_score"].iloc[0]
    assert math.isclose(result["weighted_score"].max(), top, abs_tol=1e-9)  # ties within the bounds' tolerance


# --- figures ------------------------------------------------------------------------------


def test_reach_chart_is_accessible_and_locale_aware():
    import matplotlib

    matplotlib.use("Agg")
    from platform_intl.plots import show_figure, use_course_style

    use_course_style()  # registers the CJK font that 微博 needs
    reach = pd.Series({"en": 1_000_000_000, "zh-Hant": 35_000_000, "ja": 99_000_000})
    fig = loc.reach_chart(reach, title="What one more language adds for 微博", locale="de_DE", highlight=["en"])
    ax = fig.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel() and "微博" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "English (en)"  # largest first
    fig.canvas.draw()
    assert any("Mio." in t.get_text() for t in ax.get_xticklabels())
    shown = show_figure(fig, alt="bars", source="test")
    assert "<img" in shown._repr_html_()
    with pytest.raises(ValueError, match="non-empty pandas Series"):
        loc.reach_chart(pd.Series(dtype=float), title="x")


def test_ad_yield_chart_from_the_revenue_table():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from platform_intl import data

    fig = loc.ad_yield_chart(data.load("revenue"))
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert labels == [" $3.47", " $0.61"]
    assert "Twitter" in ax.get_title() and ax.get_xlabel() == "USD per 1,000 timeline views"
    plt.close(fig)
    with pytest.raises(ValueError, match="no rows"):
        loc.ad_yield_chart(data.load("revenue").iloc[0:0])
