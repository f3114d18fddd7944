"""Round trips through the answers wire format, hostile values, malformed payloads, and a real kernel."""

from __future__ import annotations

import collections
import datetime
import json
import math
import os
import struct

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from platform_intl.instructor import answers
from platform_intl.instructor.answers import (
    MIME,
    UNREADABLE,
    Missing,
    Refused,
    capture_code,
    decode,
    encode_answers,
    install_code,
)


def wire(namespace: dict, names: list[str], **limits) -> dict:
    """Encode as the kernel would, through JSON text as the notebook carries it, and decode."""
    return decode(json.dumps(encode_answers(namespace, names, limits or None)), names)


def roundtrip(value, **limits):
    return wire({"x": value}, ["x"], **limits)["x"]


def same(a, b) -> bool:
    """Equal, of exactly the same types, NaN equal to NaN and -0.0 distinct from 0.0."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(10**300), 10**300)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
keys = st.text(max_size=10) | st.integers() | st.tuples(st.integers(), st.text(max_size=3))
plain = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.tuples(inner, inner) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(plain)
def test_plain_values_round_trip_exactly(value):
    assert same(roundtrip(value), value)


@settings(max_examples=50, deadline=None)
@given(st.frozensets(st.integers() | st.text(max_size=5), max_size=8))
def test_sets_round_trip(items):
    assert roundtrip(set(items)) == set(items) and type(roundtrip(set(items))) is set
    assert roundtrip(items) == items and type(roundtrip(items)) is frozenset


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=20),
    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=20),
)
def test_numeric_series_and_frames_round_trip(floats, ints):
    series = pd.Series(np.array(floats, dtype=float), name="values")
    pd.testing.assert_series_equal(roundtrip(series), series, check_exact=True)
    frame = pd.DataFrame({"n": np.array(ints, dtype="int64")}, index=[f"r{i}" for i in range(len(ints))])
    pd.testing.assert_frame_equal(roundtrip(frame), frame, check_exact=True)


def test_special_numbers():
    assert str(roundtrip(-0.0)) == "-0.0" and math.isnan(roundtrip(float("nan")))
    assert roundtrip(float("-inf")) == float("-inf") and roundtrip(5e-324) == 5e-324
    assert roundtrip(10**4000) == 10**4000 and roundtrip(-(2**64)) == -(2**64)
    node = encode_answers({"x": 0.1}, ["x"])["answers"]["x"]
    assert node == {"t": "float", "v": "0.1"}  # numbers travel as text: no JSON parser rounds them


def test_numpy_scalars_become_python_values():
    for value, expected in [
        (np.float64(0.1), 0.1),
        (np.float32(1.5), 1.5),
        (np.int64(-7), -7),
        (np.uint64(2**64 - 1), 2**64 - 1),
        (np.bool_(True), True),
        (np.str_("å"), "å"),
    ]:
        got = roundtrip(value)
        assert same(got, expected), (value, got)


def test_dates_and_missing_markers():
    nanosecond = pd.Timestamp("2020-01-01 05:00:00.000000001", tz="Asia/Shanghai")
    for value in [
        datetime.date(2020, 2, 29),
        datetime.datetime(2021, 1, 2, 3, 4, 5, 6),
        pd.Timestamp("2013-12-31"),
        nanosecond,
    ]:
        got = roundtrip(value)
        assert got == value and type(got) is type(value)
        assert getattr(got, "tz", None) == getattr(value, "tz", None)
    assert roundtrip(pd.NaT) is pd.NaT and roundtrip(pd.NA) is pd.NA


SERIES = {
    "int64": pd.Series([1, -2, 3], dtype="int64"),
    "uint8": pd.Series([0, 255], dtype="uint8"),
    "float64 nan -0.0": pd.Series([0.5, np.nan, -0.0, np.inf], index=list("abcd"), name="share"),
    "float32": pd.Series([1.25, 3.5], dtype="float32"),
    "str": pd.Series(["HK", None, "台灣"], dtype="str"),
    "string": pd.Series(["a", None], dtype="string"),
    "bool": pd.Series([True, False]),
    "datetime64[ns]": pd.Series(
        pd.to_datetime(["2020-01-01", None, "2023-12-31 23:59:59.123456789"], format="ISO8601").astype("datetime64[ns]")
    ),
    "datetime64[us]": pd.Series(pd.to_datetime(["2013-12-31", "2018-09-30"])),
    "datetime tz": pd.Series(pd.to_datetime(["2020-03-31 12:00", None]).tz_localize("Europe/Copenhagen")),
    "category": pd.Series(pd.Categorical(["b", "a", None, "b"], categories=["b", "a", "c"], ordered=True)),
    "Int64": pd.Series([1, None, 3], dtype="Int64"),
    "Float64": pd.Series([1.5, None], dtype="Float64"),
    "boolean": pd.Series([True, None], dtype="boolean"),
    "object": pd.Series([1, "two", [3.0, None], {"k": (4,)}], dtype=object),
    "named index": pd.Series([1.0, 2.0], index=pd.Index(["HK", "TW"], name="territory"), name=("a", 1)),
    "range step": pd.Series([1, 2, 3], index=pd.RangeIndex(10, 16, 2, name="r")),
    "datetime index": pd.Series([1, 2], index=pd.DatetimeIndex(["2015-03-31", "2015-06-30"], name="end")),
    "categorical index": pd.Series([1.0, 2.0], index=pd.CategoricalIndex(["MAU", "DAU"])),
    "multiindex": pd.Series(
        [1, 2, 3],
        index=pd.MultiIndex.from_tuples(
            [("MAU", pd.Timestamp("2013-12-31")), ("MAU", pd.Timestamp("2023-12-31")), ("DAU", pd.NaT)],
            names=["metric", "period_end"],
        ),
    ),
    "empty": pd.Series([], dtype="float64"),
}


@pytest.mark.parametrize("label", SERIES)
def test_series_round_trip_with_dtypes(label):
    series = SERIES[label]
    got = roundtrip(series)
    assert type(got) is pd.Series
    pd.testing.assert_series_equal(got, series, check_exact=True, check_index_type=True, check_freq=False)


def test_frames_indexes_and_arrays_round_trip():
    frame = pd.DataFrame(
        {
            "language": ["es", "pt-BR"],
            "reach": [30_000_000, 24_000_000],
            "cost": [45_000.0, np.nan],
            "when": pd.to_datetime(["2025-01-17", None]),
            "kind": pd.Categorical(["x", "y"]),
            "extra": [{"a": 1}, None],
        }
    )
    frame.columns.name = "field"
    got = roundtrip(frame)
    pd.testing.assert_frame_equal(got, frame, check_exact=True, check_column_type=True)
    assert got["extra"].dtype == object and got["extra"][0] == {"a": 1}
    dup = pd.DataFrame([[1, 2]], columns=["a", "a"])
    pd.testing.assert_frame_equal(roundtrip(dup), dup)
    wide = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)]))
    pd.testing.assert_frame_equal(roundtrip(wide), wide)
    empty = pd.DataFrame(index=pd.Index(["x"]))
    pd.testing.assert_frame_equal(roundtrip(empty), empty)
    for index in [
        pd.Index(["a", "b"], name="n"),
        pd.RangeIndex(3),
        pd.DatetimeIndex(["2020-01-01"]),
        pd.MultiIndex.from_arrays([[1, 2], ["x", "y"]], names=["i", "s"]),
    ]:
        pd.testing.assert_index_equal(roundtrip(index), index, exact=True)
    for array in [
        np.array([1, 2, 3]),
        np.array([[1.5, np.nan], [-0.0, 2.0]]),
        np.array([True, False]),
        np.array(["ab", "c"]),
        np.array([2**64 - 1], dtype="uint64"),
        np.arange(6.0).reshape(3, 2),
    ]:
        got = roundtrip(array)
        assert type(got) is np.ndarray and got.dtype == array.dtype and got.shape == array.shape
        np.testing.assert_array_equal(got, array)


def test_the_course_tables_round_trip(ps2_solutions):
    from platform_intl import data

    for name in data.names():
        table = data.load(name)
        pd.testing.assert_frame_equal(roundtrip(table), table, check_exact=True)
    for name in ("twitter_revenue", "rednote", "tornado", "speakers_by_territory", "is_chinese", "china_2018"):
        value, got = ps2_solutions[name], roundtrip(ps2_solutions[name])
        assert type(got) is type(value)
        (pd.testing.assert_frame_equal if type(value) is pd.DataFrame else pd.testing.assert_series_equal)(
            got, value, check_exact=True
        )


# ------------------------------------------------------------------------------- hostile values


class MyFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class MyInt(int):
    def __float__(self):
        return 0.72


class MyStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class AlwaysDict(dict):
    def __eq__(self, other):
        return True


class Liar:
    @property
    def __class__(self):
        return float

    def __float__(self):
        return 0.72


class MyFrame(pd.DataFrame):
    pass


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (MyFloat(0.3), "MyFloat"),
        (MyInt(3), "MyInt"),
        (MyStr("MAU"), "MyStr"),
        (AlwaysDict(a=1), "AlwaysDict"),
        (Liar(), "Liar"),
        (MyFrame({"a": [1]}), "MyFrame"),
        (collections.OrderedDict(a=1), "OrderedDict"),
        (print, "builtin_function_or_method"),
        (lambda: 1, "function"),
        (os, "module"),
        (1 + 2j, "complex"),
        (np.array([object()]), "numpy.ndarray"),
        (np.timedelta64(1, "D"), "numpy.timedelta64"),
        (np.zeros((2, 2, 2)), "numpy.ndarray"),
        (np.array(1.0), "numpy.ndarray"),
        (pd.Series([pd.Period("2020-01")]), "pandas.core.dtypes.dtypes.PeriodDtype"),
    ],
)
def test_values_that_are_not_plain_data_are_refused(value, type_name):
    got = roundtrip(value)
    assert isinstance(got, Refused) and got.name == "x", got
    assert got.type_name.split(".")[-1] == type_name.split(".")[-1], got
    assert isinstance(Liar(), float)  # what an isinstance check would have believed


def test_refusal_messages_name_the_variable_and_type():
    got = wire({"share": MyFloat(0.3)}, ["share"])["share"]
    assert got.message() == (
        "`share` is a MyFloat, not plain data: store a plain number, string, list, dict or pandas object."
    )
    nested = wire({"moderators": {"en": 84, "ms": MyInt(3)}}, ["moderators"])["moderators"]
    assert nested.path == "['ms']" and nested.message().startswith("`moderators['ms']` is a MyInt")
    column = roundtrip(pd.Series([1.0, MyFloat(2.0)], dtype=object))
    assert isinstance(column, Refused) and column.type_name.endswith("MyFloat") and column.path == "[1]"


def test_cycles_depth_and_size_limits():
    loop = [1]
    loop.append(loop)
    assert roundtrip(loop).reason == "it contains itself"
    shared = [1, 2]
    assert roundtrip([shared, shared]) == [[1, 2], [1, 2]]  # the same object twice is not a cycle
    deep = []
    for _ in range(30):
        deep = [deep]
    assert "nested more than 20 levels" in roundtrip(deep).reason
    assert "too large" in roundtrip(list(range(200)), items=100).reason
    assert "too large" in roundtrip(pd.Series(range(200)), items=100).reason
    assert "too long" in roundtrip("x" * 101, string=100).reason
    assert "too many digits" in roundtrip(10**5000).reason
    assert roundtrip(list(range(50)), items=100) == list(range(50))


def test_patched_pandas_attributes_are_not_consulted(monkeypatch):
    series = pd.Series([0.1, 0.2])
    series.__dict__["to_numpy"] = lambda *a, **k: np.array([0.72, 0.72])
    fake = property(lambda self: np.array([0.72] * len(self)))
    monkeypatch.setattr(pd.Series, "values", fake)
    monkeypatch.setattr(pd.Series, "__array__", lambda self, *a, **k: np.array([0.72] * len(self)))
    monkeypatch.setattr(pd.Series, "tolist", lambda self: [0.72] * len(self))
    got = roundtrip(series)
    monkeypatch.undo()
    pd.testing.assert_series_equal(got, pd.Series([0.1, 0.2]))


def test_missing_names_and_extra_names():
    got = wire({"a": 1, "b": 2}, ["a", "nope"])
    assert got == {"a": 1, "nope": Missing("nope")}
    payload = json.dumps(encode_answers({"a": 1, "b": 2}, ["a", "b"]))
    assert decode(payload, ["b"]) == {"b": 2}


# --------------------------------------------------------------------------- untrusted payloads


def payload_with(node) -> str:
    return json.dumps(
        {"format": "platform-intl-answers", "version": 1, "answers": {"x": node, "ok": {"t": "int", "v": "1"}}}
    )


HEADER = '{"format": "platform-intl-answers", "version": '


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "not json",
        "[]",
        "null",
        b"\xff\xfe",
        json.dumps({"answers": {}}),
        HEADER + '2, "answers": {}}',
        HEADER + '1, "answers": {"x": NaN}}',
        "[" * 100_000 + "]" * 100_000,
        {"format": "platform-intl-answers", "version": 1, "answers": []},
        {"format": "x", "answers": {}},
    ],
)
def test_malformed_payloads_refuse_every_name(payload):
    unreadable = {"x": Refused("x", "", UNREADABLE), "y": Refused("y", "", UNREADABLE)}
    assert decode(payload, ["x", "y"]) == unreadable


def test_payloads_from_nbformat_outputs():
    import nbformat

    bundle = nbformat.from_dict({MIME: encode_answers({"a": [1.5], "b": {"k": "v"}}, ["a", "b"])})
    assert decode(bundle, ["a", "b"]) == {"a": [1.5], "b": {"k": "v"}}


def test_oversized_payloads_are_not_parsed(monkeypatch):
    monkeypatch.setattr(answers, "MAX_BYTES", 100)
    assert decode(payload_with({"t": "str", "v": "x" * 200}), ["x"])["x"].reason == UNREADABLE


@pytest.mark.parametrize(
    "node",
    [
        {"t": "pickle", "v": "gASV"},
        {"t": "int", "v": "12a"},
        {"t": "int", "v": 12},
        {"t": "int", "v": "9" * 6000},
        {"t": "float", "v": 0.5},
        {"t": "float", "v": "0x1p-2"},
        {"t": "bool", "v": "yes"},
        {"t": "str", "v": ["a"]},
        {"t": "dict", "v": [[{"t": "int", "v": "1"}]]},
        {"t": "dict", "v": [[{"t": "list", "v": []}, {"t": "none"}]]},
        {"t": "list", "v": {"t": "none"}},
        {"v": "1"},
        "1",
        None,
        {"t": "ndarray", "shape": [3], "a": {"t": "array", "dtype": "int64", "v": ["1", "2"]}},
        {
            "t": "series",
            "name": {"t": "none"},
            "index": {"t": "range", "name": {"t": "none"}, "start": "0", "stop": "3", "step": "1"},
            "a": {"t": "array", "dtype": "float64", "v": ["1.0"]},
        },
        {
            "t": "index",
            "name": {"t": "none"},
            "a": {
                "t": "array",
                "dtype": "category",
                "codes": [5],
                "ordered": False,
                "categories": {"t": "array", "dtype": "str", "v": ["a"]},
            },
        },
        {"t": "index", "name": {"t": "none"}, "a": {"t": "array", "dtype": "timedelta64[ns]", "v": []}},
        {"t": "index", "name": {"t": "none"}, "a": {"t": "array", "dtype": "object", "v": [{"t": "eval"}]}},
        {"t": "range", "name": {"t": "none"}, "start": "0", "stop": str(10**12), "step": "1"},
        {"t": "refused", "type": 3, "reason": "x", "path": ""},
    ],
)
def test_bad_answers_are_refused_one_by_one(node):
    got = decode(payload_with(node), ["x", "ok"])
    assert isinstance(got["x"], Refused) and got["ok"] == 1, got


# --------------------------------------------------------------------------------- a real kernel


@pytest.mark.slow
def test_capture_snippet_in_a_real_kernel(tmp_path, monkeypatch):
    from jupyter_client.manager import start_new_kernel

    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        student = """
import numpy as np, pandas as pd
class MyFloat(float):
    def __eq__(self, other): return True
share = MyFloat(0.3)
speakers = pd.Series([1.5e6, 2.5e5], index=pd.Index(["HK", "TW"], name="territory"))
table = pd.DataFrame({"a": [1, 2], "c": pd.Categorical(["x", "y"])})
mau = np.float64(446e6)
words = ["Weibo", "NBA"]
type, list, str, dict, len, id, json, isinstance = "shadowed", [], None, 3, 0, 5, 1, 2
"""
        assert kc.execute_interactive(student, timeout=60)["content"]["status"] == "ok"
        names = ["share", "speakers", "table", "mau", "words", "undefined_answer"]
        listing = "print(sorted(k for k in globals()))"
        first, before, messages, after = [], [], [], []
        kc.execute_interactive(listing, output_hook=first.append, store_history=False, timeout=60)
        # As VerdictExecute does when the kernel starts (here after the student's code, which
        # rebinds builtins' names: the installation must not depend on them either).
        installed = kc.execute_interactive(install_code(), silent=True, store_history=False, timeout=60)
        assert installed["content"]["status"] == "ok", installed["content"]
        kc.execute_interactive(listing, output_hook=before.append, store_history=False, timeout=60)
        reply = kc.execute_interactive(
            capture_code(names), output_hook=messages.append, store_history=False, timeout=60
        )
        kc.execute_interactive(listing, output_hook=after.append, store_history=False, timeout=60)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    published = [m for m in messages if m["msg_type"] not in ("status", "execute_input")]
    assert [m["msg_type"] for m in published] == ["display_data"]  # no stream, no error, one display
    assert list(published[0]["content"]["data"]) == [MIME]

    def text(messages):
        return "".join(m["content"].get("text", "") for m in messages if m["msg_type"] == "stream")

    assert text(first) == text(before) == text(after)  # nothing left in the user namespace
    got = decode(published[0]["content"]["data"][MIME], names)
    assert got["share"].type_name == "MyFloat" and got["undefined_answer"] == Missing("undefined_answer")
    pd.testing.assert_series_equal(
        got["speakers"], pd.Series([1.5e6, 2.5e5], index=pd.Index(["HK", "TW"], name="territory"))
    )
    pd.testing.assert_frame_equal(got["table"], pd.DataFrame({"a": [1, 2], "c": pd.Categorical(["x", "y"])}))
    assert got["mau"] == 446e6 and type(got["mau"]) is float and got["words"] == ["Weibo", "NBA"]
    assert decode(published[0]["content"]["data"], ["mau"]) == {"mau": 446e6}  # the whole bundle works too
