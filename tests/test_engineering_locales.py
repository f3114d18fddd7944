"""Lecture 08's helpers: regulation as data, Chinese variants, plurals, bidi, time zones, the widget."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from platform_intl import data
from platform_intl import localization as loc

LECTURE_07_MARKETS = {
    "Hong Kong": "HK",
    "Taiwan": "TW",
    "Singapore": "SG",
    "Malaysia": "MY",
    "United States": "US",
    "Germany": "DE",
}


# --------------------------------------------------------------------------- regulation


def test_regulation_rows_are_sourced_dated_and_scored():
    table = loc.regulation_table()
    assert table["regulation_id"].is_unique and len(table) >= 12
    assert table["source_url"].str.match(r"^https?://[^ ]+$").all()
    assert table["adopted_date"].notna().all()
    assert set(table["data_localization"].astype(int)) <= set(loc.DATA_LOCALIZATION_RUBRIC)
    assert table["data_localization_basis"].str.len().gt(20).all()
    assert set(table["kind"].astype(str)) <= set(loc.regulation.KINDS)


@pytest.mark.parametrize(
    ("regulation_id", "adopted", "in_force"),
    [
        ("in_app_ban_2020", "2020-06-29", "2020-06-29"),
        ("cn_pipl", "2021-08-20", "2021-11-01"),
        ("eu_dsa", "2022-10-19", "2022-11-16"),
        ("us_pafaca", "2024-04-24", "2025-01-19"),
        ("ru_242fz", "2014-07-21", "2015-09-01"),
    ],
)
def test_the_dates_the_lecture_states(regulation_id, adopted, in_force):
    row = data.load("regulation").set_index("regulation_id").loc[regulation_id]
    assert (row["adopted"], row["in_force"]) == (adopted, in_force)


def test_india_ban_touched_tiktok_wechat_and_weibo_and_dsa_milestones():
    rows = data.load("regulation").set_index("regulation_id")
    assert {"TikTok", "WeChat", "Weibo"} <= set(rows.loc["in_app_ban_2020", "platforms_touched"].split("; "))
    assert "Section 69A" in rows.loc["in_app_ban_2020", "instrument"]
    assert "2023-08-25" in rows.loc["eu_dsa", "milestones"] and "2024-02-17" in rows.loc["eu_dsa", "milestones"]


def test_partial_dates_keep_their_precision():
    assert loc.regulation.parse_partial_date("1996-12") == (pd.Timestamp("1996-12-01"), "month")
    assert loc.regulation.parse_partial_date("1995") == (pd.Timestamp("1995-01-01"), "year")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        loc.regulation.parse_partial_date("29/06/2020")
    hk = loc.regulation_table().set_index("regulation_id").loc["hk_pdpo"]
    assert hk["in_force_precision"] == "month" and hk["adopted_precision"] == "year"


def test_eu_law_counts_for_member_states():
    assert len(loc.eu_members()) == 27 and {"DE", "FR", "IE"} <= loc.eu_members()
    assert loc.jurisdictions_for("de") == ["DE", "EU"] and loc.jurisdictions_for("US") == ["US"]


def test_burden_comes_from_the_strictest_instrument_in_force():
    burden = loc.data_localization_burden(LECTURE_07_MARKETS)
    assert list(burden.index) == list(LECTURE_07_MARKETS)
    assert burden.to_dict() == pytest.approx(
        {
            "Hong Kong": 0,
            "Taiwan": 5 / 3,
            "Singapore": 5 / 3,
            "Malaysia": 5 / 3,
            "United States": 10 / 3,
            "Germany": 5 / 3,
        }
    )
    raw = loc.data_localization_burden(["CN", "RU", "VN", "IN"], scale=(0, 3))
    assert raw.to_dict() == {"CN": 3, "RU": 3, "VN": 2, "IN": 0}
    sources = loc.burden_sources(["DE", "US"]).set_index("territory")
    assert sources.loc["DE", "jurisdiction"] == "EU" and "Data from Foreign" in sources.loc["US", "instrument"]


def test_as_of_counts_only_what_was_in_force():
    assert loc.data_localization_burden(["CN"], as_of="2021-10-31", scale=(0, 3)).iloc[0] == 0
    assert loc.data_localization_burden(["CN"], as_of="2021-11-01", scale=(0, 3)).iloc[0] == 3
    assert "no recorded instrument" in loc.burden_sources(["CN"], as_of="2000-01-01")["instrument"].iloc[0]


def test_a_territory_with_no_entry_is_an_error_that_lists_the_covered_ones():
    with pytest.raises(loc.RegulationCoverageError, match=r"\['JP'\].*unknown, not 0.*HK") as caught:
        loc.data_localization_burden({"Japan": "JP", "Germany": "DE"})
    assert isinstance(caught.value, ValueError)
    with pytest.raises(ValueError, match="alpha-2"):
        loc.data_localization_burden(["Germany"])
    with pytest.raises(TypeError, match="one string"):
        loc.data_localization_burden("DE")
    with pytest.raises(ValueError, match="scale"):
        loc.data_localization_burden(["DE"], scale=(5, 0))


def test_lecture_07_matrix_still_tells_its_story_with_the_data():
    markets = pd.DataFrame(
        {
            "audience": [3, 3, 2, 2, 5, 4],
            "ad_yield": [3, 3, 3, 2, 5, 4],
            "political_risk": [2, 3, 1, 2, 5, 3],
            "incumbent_strength": [4, 4, 3, 3, 5, 5],
        },
        index=list(LECTURE_07_MARKETS),
    )
    markets.insert(2, "data_localization_burden", loc.data_localization_burden(LECTURE_07_MARKETS))
    weights = {
        "audience": 3,
        "ad_yield": 2,
        "data_localization_burden": 1,
        "political_risk": 1,
        "incumbent_strength": 1,
    }
    lower = ["data_localization_burden", "political_risk", "incumbent_strength"]
    default = loc.weighted_decision_matrix(markets, weights, lower_is_better=lower)
    cautious = loc.weighted_decision_matrix(
        markets, {**weights, "data_localization_burden": 2, "political_risk": 3}, lower_is_better=lower
    )
    assert default.index[0] == "United States" and cautious.index[0] != "United States"


def test_timeline_chart_and_alt_text_follow_the_rows():
    table = loc.regulation_table()
    fig = loc.regulation_timeline_chart(table)
    assert len(fig.axes[0].get_yticklabels()) == table["jurisdiction"].nunique()
    alt = loc.timeline_alt(table)
    assert f"{len(table)} laws" in alt and "RU" in alt and "CN" in alt
    assert f"{len(table) - 1} laws" in loc.timeline_alt(table.iloc[1:][loc.regulation_table().columns[:15]])


# --------------------------------------------------------------------------- Chinese variants


def test_taiwan_and_hong_kong_vocabulary_differ():
    table = loc.variant_table(["软件", "鼠标", "头发"]).set_index("simplified")
    assert table.loc["软件", "taiwan"] == "軟體" and table.loc["软件", "hong_kong"] == "軟件"
    assert table.loc["鼠标", "taiwan"] == "滑鼠" and table.loc["头发", "same_in_both"] == "yes"


# --------------------------------------------------------------------------- plurals


@pytest.mark.parametrize(
    ("locale", "categories"),
    [
        ("en", ["one", "other"]),
        ("ru", ["one", "few", "many", "other"]),
        ("ar", ["zero", "one", "two", "few", "many", "other"]),
        ("zh", ["other"]),
    ],
)
def test_plural_categories_come_from_cldr(locale, categories):
    assert loc.plural_categories(locale) == categories


def test_the_same_number_takes_different_categories():
    assert [loc.plural_category(21, c) for c in ("en", "ru", "pl", "ar")] == ["other", "one", "many", "many"]
    assert loc.plural_category(1.5, "ru") == "other"
    with pytest.raises(TypeError):
        loc.plural_category("21", "ru")


def test_format_count_needs_every_form_and_the_naive_rule_fails():
    assert loc.format_count(21, loc.POST_COUNT_FORMS["ru"], "ru") == "21 пост"
    assert loc.format_count(5, loc.POST_COUNT_FORMS["ru"], "ru") == "5 постов"
    assert loc.naive_plural(21, "пост", "поста") == "21 поста"
    with pytest.raises(loc.MissingPluralFormError, match=r"missing \['few', 'many'\]"):
        loc.format_count(1, {"one": "{n} пост", "other": "{n} поста"}, "ru")
    for lang, forms in loc.POST_COUNT_FORMS.items():
        assert set(loc.plural_categories(lang)) <= set(forms), lang


def test_plural_tables_show_counts_per_locale():
    forms = loc.plural_forms_table(["zh", "ar"]).set_index("locale")
    assert forms.loc["zh", "forms"] == 1 and forms.loc["ar", "forms"] == 6
    assert loc.plural_table([1, 2], ["ar"])["ar"].tolist() == ["one", "two"]


# --------------------------------------------------------------------------- bidi


def test_direction_and_isolation():
    assert [loc.text_direction(c) for c in ("ar", "he", "fa", "en", "zh")] == ["rtl", "rtl", "rtl", "ltr", "ltr"]
    assert loc.isolate("abc") == "\u2068abc\u2069" and loc.isolate("abc", "rtl").startswith("\u2067")
    assert loc.visible_controls(loc.isolate("x")) == "[FSI]x[PDI]"
    with pytest.raises(ValueError, match="direction"):
        loc.isolate("x", "up")
    html = loc.message_html("نشر {} اليوم", "<b>Zhang</b>", "ar")
    assert 'dir="rtl"' in html and "<bdi>&lt;b&gt;Zhang&lt;/b&gt;</bdi>" in html
    assert "<bdi>" not in loc.message_html("{}", "x", "ar", isolate_value=False)


# --------------------------------------------------------------------------- time zones and calendars


def test_midnight_in_new_york_seen_elsewhere():
    table = loc.launch_times("2025-01-19 00:00", "America/New_York").set_index("zone")
    assert table.loc["Asia/Shanghai", "local_time"] == "2025-01-19 13:00"
    assert table.loc["America/Los_Angeles", ["local_time", "day"]].tolist() == ["2025-01-18 21:00", "day before"]
    assert table.loc["Asia/Kolkata", "utc_offset"] == "UTC+05:30"
    assert table.loc["America/New_York", "utc_offset"] == "UTC-05:00"
    with pytest.raises(loc.TimeZoneError, match="Asia/Shanghai"):
        loc.launch_times("2025-01-19 00:00", "Asia/Shanghia")
    with pytest.raises(ValueError, match="naive"):
        loc.launch_times(dt.datetime(2025, 1, 19, tzinfo=dt.UTC), "Asia/Shanghai")


def test_calendar_preferences_from_cldr():
    assert loc.preferred_calendars("TH")[0] == "buddhist"
    assert loc.preferred_calendars("IR")[0] == "persian" and "roc" in loc.preferred_calendars("TW")
    assert loc.preferred_calendars("DE") == ["gregorian"]
    assert loc.buddhist_era_year(dt.date(2025, 1, 19)) == 2568
    assert loc.calendar_table({"Thailand": "TH"})["first_calendar"].tolist() == ["buddhist"]


# --------------------------------------------------------------------------- widget


def test_plural_explorer_updates_and_names_the_wrong_languages():
    from platform_intl.widgets import PluralExplorer

    explorer = PluralExplorer(count=21, locales=("en", "ru", "ar", "zh"))
    assert explorer.update_count == 1 and explorer.wrong == ["ru", "ar"]
    assert 'dir="rtl"' in explorer.output.value and "21 пост" in explorer.output.value
    explorer.count.value = 1
    assert explorer.update_count == 2 and explorer.wrong == []
    explorer.locales.value = ("ru",)
    assert explorer.table["locale"].tolist() == ["ru"]
    with pytest.raises(ValueError, match="example forms"):
        PluralExplorer(locales=("xx",))
