"""Answers as plain data: captured in the student's kernel, rebuilt in the grader's own process.

The student's kernel only *supplies answers*. At an autograded test cell's position the grader
runs :func:`capture_code` there instead of the test; it publishes the values of the names the
test reads as a tagged JSON tree, in one ``display_data`` of type :data:`MIME`. The tests then
run in a process that never ran student code, on values that :func:`decode` rebuilt. Whatever
the kernel sends can therefore only choose answers: the payload is data, never code or pickles.

Types are checked exactly (``type(v) is float``, or membership in a fixed set of numpy/pandas
types): a subclass can override ``__eq__`` or ``__float__`` and would compare as anything, so it
is refused, with its type named, instead of being converted. Values are read through the base
classes (``float.__repr__(v)``, ``pandas.Series.array.__get__(v)``), so attributes patched onto
one object are not consulted. Every number travels as a string (``repr`` of a float round-trips
exactly, ``nan``/``inf``/``-0.0`` included; ints of any size), so no JSON parser rounds them.
"""

from __future__ import annotations

import binascii
import functools
import inspect
import json
import marshal
import re
import sys
import textwrap
from dataclasses import dataclass
from typing import Any

MIME = "application/vnd.platform-intl.answers+json"
FORMAT = "platform-intl-answers"
VERSION = 1
#: Refusal reason for a payload (or an answer in it) that does not follow the format.
UNREADABLE = "the answers could not be read"
#: Grader-side limits. The capture side keeps within them: 1,000,000 items and 4,000,000
#: characters are at most ~40 MB of JSON (a float is ~25 bytes, a non-ASCII character 6).
MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64
MAX_ITEMS = 2_000_000
MAX_STRING = 1_000_000


@dataclass(frozen=True)
class Refused:
    """An answer that is not plain data (or too large): the test is not run on it."""

    name: str
    type_name: str
    reason: str
    path: str = ""  # where inside the answer, e.g. "[2]" or "['en']"

    def message(self) -> str:
        """The sentence for the student, naming the variable and the type."""
        kind = self.type_name.rsplit(".", 1)[-1] or "value"
        article = "an" if kind[:1].lower() in "aeiou" else "a"
        if self.reason.startswith("it is not plain data"):
            return (
                f"`{self.name}{self.path}` is {article} {kind}, not plain data: store a plain number, "
                "string, list, dict or pandas object."
            )
        return f"`{self.name}{self.path}` could not be graded: {self.reason}."


@dataclass(frozen=True)
class Missing:
    """A name the test reads that the student's notebook never defined."""

    name: str


Answer = Any  # a rebuilt value, a Refused or a Missing


def encode_answers(namespace: dict, names: list, limits: dict | None = None) -> dict:
    """The payload for ``names`` in ``namespace``: runs in the student's kernel.

    Self-contained on purpose (its source is what :func:`capture_code` ships): it uses no
    module globals and imports nothing; numpy and pandas are looked up in ``sys.modules`` only,
    since a value of theirs can only exist if they were imported.
    """
    import sys

    lim = {"depth": 20, "items": 1_000_000, "chars": 4_000_000, "string": 1_000_000}
    lim.update(limits or {})
    budget = {"items": lim["items"], "chars": lim["chars"]}
    np, pd = sys.modules.get("numpy"), sys.modules.get("pandas")
    dt = sys.modules.get("datetime")
    active: set = set()

    class Refuse(Exception):
        def __init__(self, kind: Any, reason: str, path: str) -> None:
            super().__init__(reason)
            self.kind, self.reason, self.path = kind, reason, path

    def tname(kind: Any) -> str:
        try:
            module, qual = (type.__getattribute__(kind, key) for key in ("__module__", "__qualname__"))
        except Exception:
            return "object"
        return qual if module in ("builtins", "__main__") else f"{module}.{qual}"

    def spend(path: str, items: int = 0, chars: int = 0) -> None:
        budget["items"] -= items
        budget["chars"] -= chars
        if budget["items"] < 0:
            raise Refuse(None, f"it is too large (a test's answers may hold {lim['items']:,} items)", path)
        if chars > lim["string"]:
            raise Refuse(None, f"its text is too long (more than {lim['string']:,} characters)", path)
        if budget["chars"] < 0:
            limit = f"a test's answers may hold {lim['chars']:,} characters"
            raise Refuse(None, f"its text is too long ({limit})", path)

    def get(cls: Any, obj: Any, attr: str) -> Any:  # the class's property, not the object's
        return getattr(cls, attr).__get__(obj, cls)

    def at(path: str, key: Any) -> str:  # where in the answer: repr only of plain keys
        plain = {str: str.__repr__, int: int.__repr__}.get(type(key))
        return f"{path}[{plain(key) if plain else '...'}]"

    np_scalars = (
        set()
        if np is None
        else {
            np.bool_,
            np.int8,
            np.int16,
            np.int32,
            np.int64,
            np.uint8,
            np.uint16,
            np.uint32,
            np.uint64,
            np.float16,
            np.float32,
            np.float64,
            np.str_,
        }
    )
    pd_index = set() if pd is None else {pd.Index, pd.DatetimeIndex, pd.CategoricalIndex}

    def scalar(v: Any, kind: Any, path: str) -> dict | None:
        if v is None:
            return {"t": "none"}
        if kind is bool:
            return {"t": "bool", "v": v is True}
        if kind is int:
            try:
                return {"t": "int", "v": int.__repr__(v)}
            except ValueError:
                raise Refuse(kind, "the number has too many digits", path) from None
        if kind is float:
            return {"t": "float", "v": float.__repr__(v)}
        if kind is str:
            spend(path, chars=len(v))
            return {"t": "str", "v": str.__str__(v)}
        if kind in np_scalars:
            plain = kind.item(v)
            return scalar(plain, type(plain), path) if type(plain) in (bool, int, float, str) else None
        if dt is not None and kind in (dt.date, dt.datetime):
            return {"t": kind.__name__, "v": kind.isoformat(v)}
        if pd is not None:
            if kind is pd.Timestamp:
                tz = get(kind, v, "tz")
                return {
                    "t": "timestamp",
                    "v": kind.isoformat(v),
                    "unit": get(kind, v, "unit"),
                    "tz": None if tz is None else str(tz),
                }
            if v is pd.NaT:
                return {"t": "nat"}
            if v is pd.NA:
                return {"t": "na"}
        return None

    def column(arr: Any, depth: int, path: str, allow_objects: bool = True) -> dict:
        if pd is not None and type(arr) is pd.arrays.NumpyExtensionArray:
            arr = pd.arrays.NumpyExtensionArray.to_numpy(arr)
        dtype = arr.dtype
        spend(path, items=len(arr))
        if pd is not None and not isinstance(dtype, np.dtype):
            name, kind = str(dtype), type(dtype)
            if kind is pd.CategoricalDtype:
                cats = column(get(type(arr), arr, "categories").array, depth + 1, path)
                return {
                    "t": "array",
                    "dtype": "category",
                    "codes": get(type(arr), arr, "codes").tolist(),
                    "categories": cats,
                    "ordered": dtype.ordered is True,
                }
            if kind is pd.DatetimeTZDtype:
                utc = arr.asi8.view(f"M8[{dtype.unit}]")
                return {
                    "t": "array",
                    "dtype": f"datetime64[{dtype.unit}]",
                    "tz": str(dtype.tz),
                    "v": [None if s == "NaT" else s for s in np.datetime_as_string(utc).tolist()],
                }
            masked = {
                "Int8",
                "Int16",
                "Int32",
                "Int64",
                "UInt8",
                "UInt16",
                "UInt32",
                "UInt64",
                "Float32",
                "Float64",
                "boolean",
            }
            if not ((kind is pd.StringDtype and name in ("str", "string")) or name in masked):
                raise Refuse(kind, f"its pandas dtype {name} is not supported", path)
            nodes = [scalar(x, type(x), path) for x in arr.to_numpy(dtype=object, na_value=None).tolist()]
            if any(n is None or n["t"] not in ("none", "bool", "int", "float", "str") for n in nodes):
                raise Refuse(kind, f"its {name} column holds values of another type", path)
            return {"t": "array", "dtype": name, "v": [n.get("v") for n in nodes]}
        values = np.asarray(arr)
        kind = values.dtype.kind
        plain = {"i": int.__repr__, "u": int.__repr__, "f": float.__repr__, "b": bool}.get(kind)
        if plain is not None and values.dtype.itemsize <= 8:  # tolist() gives Python ints, floats, bools
            return {"t": "array", "dtype": str(values.dtype), "v": [plain(x) for x in values.tolist()]}
        if kind == "M" and np.datetime_data(values.dtype)[1] == 1:
            text = np.datetime_as_string(values).tolist()
            return {"t": "array", "dtype": str(values.dtype), "v": [None if s == "NaT" else s for s in text]}
        if kind == "U":
            items = values.tolist()
            spend(path, chars=sum(len(s) for s in items))
            return {"t": "array", "dtype": values.dtype.str, "v": items}
        if kind == "O" and allow_objects:
            return {
                "t": "array",
                "dtype": "object",
                "v": [enc(x, depth + 1, f"{path}[{i}]") for i, x in enumerate(values.tolist())],
            }
        raise Refuse(type(values), f"it holds values of dtype {values.dtype}, which are not plain data", path)

    def index(idx: Any, depth: int, path: str) -> dict:
        kind = type(idx)
        if kind is pd.RangeIndex:
            return {
                "t": "range",
                "name": enc(get(kind, idx, "name"), depth + 1, path),
                **{k: int.__repr__(get(kind, idx, k)) for k in ("start", "stop", "step")},
            }
        if kind is pd.MultiIndex:
            levels = [
                column(get(pd.Index, kind.get_level_values(idx, i), "array"), depth + 1, path)
                for i in range(get(kind, idx, "nlevels"))
            ]
            return {
                "t": "multiindex",
                "names": [enc(n, depth + 1, path) for n in get(kind, idx, "names")],
                "levels": levels,
            }
        if kind in pd_index:
            return {
                "t": "index",
                "name": enc(get(pd.Index, idx, "name"), depth + 1, path),
                "a": column(get(pd.Index, idx, "array"), depth + 1, path),
            }
        raise Refuse(kind, "it is not plain data", path)

    def enc(v: Any, depth: int, path: str) -> dict:
        kind = type(v)
        if depth > lim["depth"]:
            raise Refuse(kind, f"it is nested more than {lim['depth']} levels deep", path)
        spend(path, items=1)
        node = scalar(v, kind, path)
        if node is not None:
            return node
        if id(v) in active:
            raise Refuse(kind, "it contains itself", path)
        active.add(id(v))
        try:
            if kind in (list, tuple, set, frozenset):
                return {"t": kind.__name__, "v": [enc(x, depth + 1, f"{path}[{i}]") for i, x in enumerate(v)]}
            if kind is dict:
                return {
                    "t": "dict",
                    "v": [[enc(k, depth + 1, path), enc(x, depth + 1, at(path, k))] for k, x in dict.items(v)],
                }
            if np is not None and kind is np.ndarray:
                if v.ndim not in (1, 2):
                    raise Refuse(kind, f"it is a {v.ndim}-dimensional array: store 1-D or 2-D ones", path)
                flat = column(v.reshape(-1), depth, path, False)
                return {"t": "ndarray", "shape": list(v.shape), "a": flat}
            if pd is not None and kind is pd.Series:
                return {
                    "t": "series",
                    "name": enc(get(kind, v, "name"), depth + 1, path),
                    "index": index(get(kind, v, "index"), depth + 1, path),
                    "a": column(get(kind, v, "array"), depth, path),
                }
            if pd is not None and kind is pd.DataFrame:
                columns, rows = get(kind, v, "columns"), get(kind, v, "iloc")
                spend(path, items=100 * len(columns))  # each column costs a Series: at most ~10,000 of them
                data = [
                    column(get(pd.Series, rows[:, i], "array"), depth, at(path, columns[i]))
                    for i in range(len(columns))
                ]
                return {
                    "t": "dataframe",
                    "index": index(get(kind, v, "index"), depth + 1, path),
                    "columns": index(columns, depth + 1, path),
                    "data": data,
                }
            if pd is not None and kind in pd_index | {pd.RangeIndex, pd.MultiIndex}:
                return index(v, depth, path)
        finally:
            active.discard(id(v))
        raise Refuse(kind, "it is not plain data", path)

    answers = {}
    for name in names:
        if type(name) is not str:
            continue
        if not dict.__contains__(namespace, name):
            answers[name] = {"t": "missing"}
            continue
        value = dict.__getitem__(namespace, name)
        try:
            answers[name] = enc(value, 0, "")
        except Refuse as refusal:
            kind = type(value) if refusal.kind is None else refusal.kind
            answers[name] = {"t": "refused", "type": tname(kind), "reason": refusal.reason, "path": refusal.path}
        except Exception as error:
            answers[name] = {
                "t": "refused",
                "type": tname(type(value)),
                "reason": f"it could not be read ({tname(type(error))})",
                "path": "",
            }
        del value
    return {"format": "platform-intl-answers", "version": 1, "answers": answers}


_PUBLISH = """
def _publish(names, mime):
    import sys
    namespace = sys._getframe(2).f_globals  # the cell's globals, if this is no IPython kernel
    try:
        shell = sys.modules["IPython"].get_ipython()
        if shell is not None:
            namespace = shell.user_ns
    except Exception:
        pass
    try:
        payload = encode_answers(namespace, names)
    except Exception:
        unread = {"t": "refused", "type": "", "reason": "the answers could not be read", "path": ""}
        payload = {"format": "platform-intl-answers", "version": 1, "answers": dict.fromkeys(names, unread)}
    from IPython.display import display
    display({mime: payload}, raw=True)


_publish(_names, _mime)
"""


def capture_code(names: list[str]) -> str:
    """Source to run in the student's kernel at a test cell's position.

    The program runs in a private globals dict, so it binds nothing in the user namespace and
    sees the real builtins even where the notebook rebound ``type``, ``list`` or ``str``; the only
    name it looks up in the notebook is ``exec``. It prints nothing: its one output is the
    ``display_data`` carrying the payload.
    """
    names = [str(n) for n in names]
    private = f"{{'__name__': '_platform_intl_answers', '_names': {names!r}, '_mime': {MIME!r}}}"
    return f"exec(__import__('sys').modules[{CAPTURE_MODULE!r}].program, {private})"


#: Where :func:`install_code` leaves the compiled capture program in the kernel.
CAPTURE_MODULE = "_platform_intl_capture"


def install_code() -> str:
    """Source that leaves the capture program, compiled, in the kernel (once per kernel).

    IPython tokenizes every cell it runs, so a test cell's capture stays one short line; the
    program it runs is sent once, compiled (marshal; compiled from source on another Python).
    A submission that removes or replaces it can only spoil its own answers: whatever the
    kernel sends is decoded as data, strictly (:func:`decode`).
    """
    version = tuple(sys.version_info[:2])
    return (
        "def _install(sys=__import__('sys'), types=__import__('types')):\n"
        f"    program = __import__('marshal').loads(__import__('binascii').a2b_base64({_compiled_program()!r})) "
        f"if sys.version_info[:2] == {version!r} "
        f"else compile({_program()!r}, '<capture>', 'exec', dont_inherit=True)\n"
        f"    sys.modules[{CAPTURE_MODULE!r}] = types.SimpleNamespace(program=program)\n"
        "_install()\ndel _install\n"
    )


@functools.cache
def _program() -> str:
    return "from __future__ import annotations\n" + _encoder_source() + _PUBLISH


@functools.cache
def _compiled_program() -> bytes:
    code = compile(_program(), "<grader's answer capture>", "exec", dont_inherit=True)
    return binascii.b2a_base64(marshal.dumps(code), newline=False)


@functools.cache
def _encoder_source() -> str:
    return textwrap.dedent(inspect.getsource(encode_answers))


# ------------------------------------------------------------------------ grader side


class _Bad(Exception):
    """This answer does not follow the format (or exceeds a limit)."""


_SHAPES = {
    "int": re.compile(r"-?[0-9]{1,5000}"),
    "iso": re.compile(r"[0-9T:.+\- ]{1,64}"),
    "float": re.compile(r"-?(?:inf|nan|[0-9]{1,400}(?:\.[0-9]{1,400})?(?:e[+-]?[0-9]{1,4})?)"),
    "unit": re.compile(r"s|ms|us|ns"),
    "U": re.compile(r"<U[0-9]{1,7}"),
}
_NUMPY = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64"}
_MASKED = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64", "boolean"}
_CONTAINERS = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}


def _s(value: Any, shape: str = "") -> str:
    """``value`` if it is a string (of that shape), else the answer is malformed."""
    if type(value) is not str or len(value) > MAX_STRING or (shape and not _SHAPES[shape].fullmatch(value)):
        raise _Bad(f"bad {shape or 'string'}")
    return value


def _get(node: Any, key: str, kind: type = dict) -> Any:
    value = node.get(key) if type(node) is dict else None
    if type(value) is not kind:
        raise _Bad(f"bad {key!r}")
    return value


def _number(text: Any, dtype: str) -> int | float:
    return float(_s(text, "float")) if dtype.startswith(("float", "Float")) else int(_s(text, "int"))


class _Decoder:
    """Rebuilds one payload's answers, counting items against one budget (numpy/pandas on demand)."""

    def __init__(self) -> None:
        self.items = 0

    def spend(self, n: int, depth: int) -> None:
        self.items += n
        if self.items > MAX_ITEMS or depth > MAX_DEPTH:
            raise _Bad("too large or nested too deeply")

    def value(self, node: Any, depth: int = 0) -> Any:
        self.spend(1, depth)
        tag, v = _get(node, "t", str), node.get("v")
        if tag in ("none", "nat", "na"):
            return None if tag == "none" else getattr(self.pandas(), {"nat": "NaT", "na": "NA"}[tag])
        if tag == "bool" and type(v) is bool:
            return v
        if tag in ("int", "float"):
            return _number(v, tag)
        if tag == "str":
            return _s(v)
        if tag in _CONTAINERS:
            return _CONTAINERS[tag](self.value(x, depth + 1) for x in _get(node, "v", list))
        if tag == "dict":
            pairs = _get(node, "v", list)
            if any(type(p) is not list or len(p) != 2 for p in pairs):
                raise _Bad("bad dict")
            return {self.value(k, depth + 1): self.value(x, depth + 1) for k, x in pairs}
        if tag in ("date", "datetime"):
            import datetime

            return getattr(datetime, tag).fromisoformat(_s(v, "iso"))
        if tag == "timestamp":
            stamp = self.pandas().Timestamp(_s(v, "iso")).as_unit(_s(node.get("unit"), "unit"))
            return stamp if node.get("tz") is None else stamp.tz_convert(_s(node["tz"]))
        if tag == "ndarray":
            import numpy as np

            shape, flat = _get(node, "shape", list), self.array(node.get("a"), depth + 1)
            if (
                type(flat) is not np.ndarray
                or flat.dtype == object
                or len(shape) not in (1, 2)
                or any(type(n) is not int or n < 0 for n in shape)
                or np.prod(shape) != len(flat)
            ):
                raise _Bad("bad ndarray")
            return flat.reshape(shape)
        pd = self.pandas()
        if tag == "series":
            idx, data = self.index(node.get("index"), depth + 1), self.array(node.get("a"), depth + 1)
            if len(idx) != len(data):
                raise _Bad("index and values differ in length")
            return pd.Series(data, index=idx, name=self.label(node.get("name"), depth), dtype=data.dtype)
        if tag == "dataframe":
            idx, columns = (self.index(node.get(key), depth + 1) for key in ("index", "columns"))
            data = [self.array(a, depth + 1) for a in _get(node, "data", list)]
            if len(data) != len(columns) or any(len(a) != len(idx) for a in data):
                raise _Bad("columns differ in length")
            if not data:
                return pd.DataFrame(index=idx, columns=columns)
            frame = pd.DataFrame({i: pd.Series(a, dtype=a.dtype) for i, a in enumerate(data)})
            frame.index, frame.columns = idx, columns
            return frame
        if tag in ("index", "range", "multiindex"):
            return self.index(node, depth)
        raise _Bad(f"unknown kind of value {tag!r}")

    @staticmethod
    def pandas() -> Any:  # imported on first use: answers that are plain numbers need no pandas
        import pandas

        return pandas

    def label(self, node: Any, depth: int) -> Any:
        name = self.value(node, depth + 1)
        hash(name)  # a TypeError for an unhashable label
        return name

    def index(self, node: Any, depth: int) -> Any:
        pd, tag = self.pandas(), _get(node, "t", str)
        if tag == "range":
            r = range(*(int(_s(node.get(k), "int")) for k in ("start", "stop", "step")))
            self.spend(len(r), depth)
            return pd.RangeIndex(r.start, r.stop, r.step, name=self.label(node.get("name"), depth))
        if tag == "multiindex":
            levels = [self.array(a, depth + 1) for a in _get(node, "levels", list)]
            names = [self.label(n, depth) for n in _get(node, "names", list)]
            if not levels or len(names) != len(levels) or len({len(a) for a in levels}) != 1:
                raise _Bad("bad MultiIndex")
            return pd.MultiIndex.from_arrays([pd.Index(a, dtype=a.dtype) for a in levels], names=names)
        if tag == "index":
            data = self.array(node.get("a"), depth + 1)
            return pd.Index(data, dtype=data.dtype, name=self.label(node.get("name"), depth))
        raise _Bad("bad index")

    def array(self, node: Any, depth: int) -> Any:
        import numpy as np

        pd, dtype = self.pandas(), _get(node, "dtype", str)
        if _get(node, "t", str) != "array":
            raise _Bad("bad array")
        if dtype == "category":
            codes = _get(node, "codes", list)
            self.spend(len(codes), depth)
            if any(type(c) is not int for c in codes):
                raise _Bad("bad category codes")
            cats = self.array(node.get("categories"), depth + 1)
            return pd.Categorical.from_codes(
                codes, categories=pd.Index(cats, dtype=cats.dtype), ordered=_get(node, "ordered", bool)
            )
        v = _get(node, "v", list)
        self.spend(len(v), depth)
        if dtype in _NUMPY:
            return np.array([_number(x, dtype) for x in v], dtype=dtype)
        if dtype == "bool" and all(type(x) is bool for x in v):
            return np.array(v, dtype=bool)
        if dtype.startswith("datetime64[") and dtype.endswith("]"):
            unit = _s(dtype[11:-1], "unit")
            stamps = np.array([_s(x, "iso") if x is not None else "NaT" for x in v], dtype=f"M8[{unit}]")
            if node.get("tz") is None:
                return stamps
            return pd.array(stamps).tz_localize("UTC").tz_convert(_s(node["tz"]))
        if _SHAPES["U"].fullmatch(dtype):
            return np.array([_s(x) for x in v], dtype=dtype)
        if dtype in ("str", "string"):
            return pd.array([None if x is None else _s(x) for x in v], dtype=dtype)
        if dtype in _MASKED:
            return pd.array(
                [x if x is None or (dtype == "boolean" and type(x) is bool) else _number(x, dtype) for x in v],
                dtype=dtype,
            )
        if dtype == "object":
            out = np.empty(len(v), dtype=object)
            for i, x in enumerate(v):
                out[i] = self.value(x, depth + 1)
            return out
        raise _Bad(f"unknown dtype {dtype!r}")


def _reject_constant(literal: str) -> None:
    raise _Bad(f"{literal} is not allowed")  # NaN/Infinity: floats travel as strings


def _parse(payload: str | bytes | dict) -> dict:
    if not isinstance(payload, (str, bytes, bytearray)):  # a dict or nbformat's NotebookNode: JSON again
        payload = json.dumps(payload)
    if len(payload) > MAX_BYTES:
        raise _Bad("too large")
    payload = json.loads(payload, parse_constant=_reject_constant)
    if type(payload) is dict and MIME in payload:
        payload = payload[MIME]
    if type(payload) is not dict or payload.get("format") != FORMAT or payload.get("version") != VERSION:
        raise _Bad("not an answers payload")
    return _get(payload, "answers")


def decode(payload: str | bytes | dict, names: list[str]) -> dict[str, Answer]:
    """Rebuild the answers for ``names`` from an untrusted payload (grader side).

    Each name maps to its value, to :class:`Missing`, or to :class:`Refused`. Extra names in
    the payload are ignored; a malformed payload refuses every name.
    """
    try:
        answers = _parse(payload)
    except (_Bad, ValueError, TypeError, RecursionError):  # UnicodeDecodeError is a ValueError
        return {name: Refused(name, "", UNREADABLE) for name in names}
    decoder, result = _Decoder(), {}
    for name in names:
        node = answers.get(name)
        tag = node.get("t") if type(node) is dict else None
        fields = [node.get(k) for k in ("type", "reason", "path")] if tag == "refused" else []
        if tag == "missing":
            result[name] = Missing(name)
        elif fields and all(type(f) is str and len(f) < 300 for f in fields):
            result[name] = Refused(name, *fields)
        else:
            spent = decoder.items
            try:
                result[name] = decoder.value(node)
            except (_Bad, ValueError, TypeError, OverflowError, KeyError, RecursionError, AttributeError):
                decoder.items = spent  # what a refused answer spent does not count against the others
                result[name] = Refused(name, str(tag or ""), "the answer could not be read")
    return result
