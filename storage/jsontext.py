"""JSON text in and out of the storage layer, by orjson: every write encodes a record and its
script's arguments, every read decodes records, and the standard library's json costs several times
more per call. The text is what json.dumps(..., ensure_ascii=False, separators=(",", ":")) writes
(floats aside: orjson writes their shortest exact form, which decodes to the same value, and a NaN
or an infinity, which JSON has no form for and the API's parser refuses, as null)."""

import json
import re

import orjson

_LONG_NUMBER = re.compile(r"[0-9]{20}")


def dumps(value):
    """Compact JSON text, non-ASCII kept as is. What orjson refuses but json writes (integers
    beyond 64 bits) is written by json, so the storage layer accepts what it accepted before;
    TypeError for what JSON has no form for."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text):
    """The value of a JSON text, as json reads it. Texts orjson refuses but json reads (NaN,
    Infinity, which json.dumps wrote for such floats) and texts with a run of 20 digits (orjson
    reads an integer beyond 64 bits as a float, losing its last digits) are read by json;
    ValueError for what is not JSON."""
    if isinstance(text, str) and _LONG_NUMBER.search(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)
