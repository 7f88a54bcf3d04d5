"""JSON text in and out of the storage layer, by orjson: every write encodes a record and its
script's arguments, every read decodes records, and the standard library's json costs several times
more per call. The text is what json.dumps(..., ensure_ascii=False, separators=(",", ":")) writes
(floats aside: orjson writes their shortest exact form, which decodes to the same value, and a NaN
or an infinity, which JSON has no form for and the API's parser refuses, as null)."""

import json

import orjson


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
    Infinity, which json.dumps wrote for such floats) are read by json, and so are values with a
    float: orjson reads an integer beyond 64 bits as one (losing its last digits), and a run of
    digits in the text can't tell that from a float (-9223372036854775809 has 19).
    ValueError for what is not JSON."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
    if _has_float(value):
        return json.loads(text)
    return value


def _has_float(value):
    """Whether a float is anywhere in value. Looking for one costs less than searching every text
    for long numbers (records rarely hold floats; the search ran on every record read)."""
    kind = type(value)
    if kind is dict:
        value = value.values()
    elif kind is not list:
        return kind is float
    for item in value:
        kind = type(item)
        if kind is float or ((kind is dict or kind is list) and _has_float(item)):
            return True
    return False
