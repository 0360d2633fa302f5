"""The walk from grafanalib objects to plain JSON: what it keeps, drops and refuses, as an orjson
round trip without nulls would (the compiler's former path, kept here as the oracle)."""

from __future__ import annotations

import dataclasses
import datetime
import enum

import orjson
import pytest
from grafanalib.core import Dashboard, GridPos, Target, TimeSeries

from dashgen.compile.plain import to_plain


def round_trip_without_nulls(obj):
    """orjson.dumps (objects expanded with to_json_data) then loads, then every null dropped."""
    def expand(value):
        convert = getattr(value, "to_json_data", None)
        if convert is None:
            raise TypeError(f"a {type(value).__name__} is not JSON data and has no to_json_data()")
        return convert()

    def drop(value):
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [drop(v) for v in value if v is not None]
        return value

    options = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
    return drop(orjson.loads(orjson.dumps(obj, default=expand, option=options)))


class Wraps:
    def __init__(self, value):
        self.value = value

    def to_json_data(self):
        return self.value


class Raises:
    def to_json_data(self):
        raise AttributeError("no such field")


class Colour(enum.Enum):
    RED = {"hex": "#f00", "alpha": None}

    def to_json_data(self):  # orjson writes an enum's value, whatever it defines
        return "ignored"


@dataclasses.dataclass
class Threshold:
    value: float | None = None

    def to_json_data(self):
        return {"value": self.value, "color": "red"}


FINE = {
    "nulls-at-any-depth": {"a": None, "b": [None, 1, {"c": None, "d": [None]}], "e": (None, (2, None))},
    "nan-and-infinities-are-null": {"a": float("nan"), "b": [float("inf"), 0.5, -float("inf")]},
    "objects-that-give-null": {"a": Wraps(None), "b": [Wraps(float("nan")), Wraps(Wraps({"c": None}))]},
    "keys-that-are-not-strings": {1: "one", False: Wraps(2), None: [None], 1.5: "x"},
    "a-key-given-twice-then-null": {"1": "kept?", 1: None},
    "orjson-natives": {"enum": Colour.RED, "when": datetime.date(2026, 1, 2), "dataclass": Threshold()},
    "grafanalib": Dashboard(title="T", uid="t", panels=[
        TimeSeries(title="CPU", targets=[Target(expr="up", refId="A")], gridPos=GridPos(h=8, w=12, x=0, y=0)),
    ]),
}


@pytest.mark.parametrize("value", FINE.values(), ids=FINE.keys())
def test_the_walk_gives_what_the_round_trip_gave(value):
    assert to_plain(value) == round_trip_without_nulls(value)


REFUSED = {
    "to-json-data-raises": ({"a": [Raises()]}, "Type is not JSON serializable: Raises", AttributeError),
    "not-json": ({"a": {1, 2}}, "Type is not JSON serializable: set", TypeError),
    "bytes": ({"a": b"x"}, "Type is not JSON serializable: bytes", TypeError),
    "past-64-bits": ({"a": [2**64]}, "Integer exceeds 64-bit range", None),
    "lone-surrogate": ({"a": "\ud800"}, "str is not valid UTF-8: surrogates not allowed", None),
}


@pytest.mark.parametrize("value, message, cause", REFUSED.values(), ids=REFUSED.keys())
def test_what_json_cannot_hold_is_refused_in_orjsons_words(value, message, cause):
    with pytest.raises(TypeError) as raised:
        to_plain(value)
    assert str(raised.value) == message
    assert (type(raised.value.__cause__) if raised.value.__cause__ else None) is cause
    with pytest.raises(TypeError, match=message):
        round_trip_without_nulls(value)


def nested(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


def test_nesting_past_orjsons_limit_is_refused():
    assert to_plain(nested(200)) == nested(200)
    with pytest.raises(TypeError, match="Recursion limit reached"):
        to_plain(nested(300))


def test_a_value_inside_itself_is_refused_not_a_crash():
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="nested too deeply"):
        to_plain({"a": loop})
