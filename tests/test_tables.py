"""platform_intl.tables: every cell whole, numbers and dates written for the reader's locale."""

from __future__ import annotations

import pandas as pd
import pytest

from platform_intl import data, tables
from platform_intl.localization import LocaleError

LONG = "Beijing will soon stop foreigners signing up to a platform it cannot censor abroad, says one comment"


def sample() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2013-07-24", "2018-09-30"]),
            "users": [503_000_000.0, 446_000_000.0],
            "share": [0.257, 0.4383],
            "ratio": [0.1988071570576541, 3.9],
            "cost": [5_960_000.0, 57.6],
            "payback": [1.99, float("inf")],
            "argument": [LONG, None],
            "checked": [True, False],
        },
        index=[12, 40],  # the row numbers a filter leaves behind say nothing
    )


def test_each_kind_of_column_is_written_for_a_reader():
    shown = tables.show(sample(), people=["users"], shares=["share"], money=["cost"])
    assert shown.columns == ["date", "users", "share", "ratio", "cost", "payback", "argument", "checked"]
    assert shown.column("date") == ["Jul 24, 2013", "Sep 30, 2018"]
    assert shown.column("users") == ["503M", "446M"]
    assert shown.column("share") == ["25.7%", "43.8%"]
    assert shown.column("ratio") == ["0.20", "3.90"]
    assert shown.column("cost") == ["$6M", "$57.60"]
    assert shown.column("payback") == ["1.99", "never"]
    assert shown.column("argument") == [LONG, "–"]
    assert shown.column("checked") == ["yes", "no"]
    assert shown.numeric == {"users", "share", "ratio", "cost", "payback"}


def test_the_locale_decides_separators_words_and_dates():
    frame = pd.DataFrame({"date": pd.to_datetime(["2025-01-17"]), "people": [446e6], "n": [1_328_604.0]})
    danish = tables.show(frame, people=["people"], locale="da_DK")
    assert danish.column("n") == ["1.328.604"] and danish.column("people") == ["446\xa0mio."]
    assert danish.column("date") == ["17. jan. 2025"]
    assert tables.show(frame, people=["people"], locale="zh_CN").column("people") == ["4.5亿"]


def test_the_environment_sets_the_reader_locale(monkeypatch):
    monkeypatch.setenv(tables.LOCALE_VARIABLE, "de_DE")
    assert tables.show(pd.DataFrame({"n": [1000.0]})).column("n") == ["1.000"]
    monkeypatch.setenv(tables.LOCALE_VARIABLE, "xx_nowhere")
    with pytest.raises(LocaleError, match="unknown locale"):
        tables.show(pd.DataFrame({"n": [1000.0]}))


def test_html_keeps_every_character_and_labels_rows_and_columns():
    markup = tables.show(sample().set_index("argument"), caption="Arguments")._repr_html_()
    assert LONG in markup and "..." not in markup and 'class="dataframe"' not in markup
    assert '<th scope="col"' in markup and '<th scope="row"' in markup and "<caption" in markup
    assert "white-space:normal" in markup
    # Wide tables scroll in a focusable, named region (keyboard users reach every column).
    assert 'role="region" tabindex="0" aria-label="Arguments"' in markup
    unnamed = tables.show(pd.DataFrame({"score": [1.5]}, index=["Hong Kong"]))._repr_html_()
    assert 'aria-label="Table: score"' in unnamed and "<thead><tr><td></td>" in unnamed


def test_plain_text_wraps_long_cells_instead_of_cutting_them():
    text = str(tables.show(sample()))
    assert "..." not in text and "00:00:00" not in text and "NaN" not in text
    assert all(word in text.split() for word in LONG.split())
    assert max(len(line) for line in text.splitlines()) < 160


def test_a_series_shows_as_one_record_of_fields():
    events = data.load("events").set_index("event_id")
    record = tables.show(events.loc["weibo_facebook_signup", ["date", "event", "note"]])
    assert record.columns == ["field", "weibo_facebook_signup"]
    assert record.column("field") == ["date", "event", "note"]
    assert record.column("weibo_facebook_signup")[0] == "Jul 24, 2013"


def test_a_meaningful_index_is_kept_as_row_headers():
    frame = pd.DataFrame({"score": [2.909091, 2.818182]}, index=pd.Index(["Singapore", "Hong Kong"], name="market"))
    shown = tables.show(frame)
    assert shown.columns == ["market", "score"] and shown.row_header == "market"
    assert shown.column("score") == ["2.91", "2.82"]


def test_bad_input_says_what_is_allowed():
    with pytest.raises(KeyError, match="no column 'user'.*its columns are"):
        tables.show(sample(), people=["user"])
    with pytest.raises(TypeError, match="DataFrame or Series; got list"):
        tables.show([1, 2, 3])  # type: ignore[arg-type]
