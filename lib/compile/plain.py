"""Turns a grafanalib object tree into plain JSON data, at C speed."""

from __future__ import annotations

from typing import Any

import orjson


def _to_json_data(obj: Any) -> Any:
    convert = getattr(obj, "to_json_data", None)
    if convert is None:
        raise TypeError(f"a {type(obj).__name__} is not JSON data and has no to_json_data()")
    return convert()


def to_plain(obj: Any) -> Any:
    """Plain dicts, lists and scalars for `obj`; grafanalib objects are expanded with to_json_data().

    Raises TypeError naming the first value that is neither JSON nor a grafanalib object.
    """
    return orjson.loads(orjson.dumps(
        obj, default=_to_json_data, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS,
    ))
