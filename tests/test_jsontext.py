"""The storage layer's JSON text (storage/jsontext.py, by orjson) is the text the standard library
wrote before it, so records stored before and after read alike; and a record stored the old way
with a NaN (json.dumps wrote it, orjson refuses it) still reads."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.cache import parse
from storage.document import document, head
from storage.errors import InvalidRecord
from storage.jsontext import dumps, loads

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)  # any character UTF-8 can carry
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_dumps_writes_what_the_standard_library_wrote(value):
    assert dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT, VALUES, max_size=6), TEXT, TEXT)
def test_a_stored_record_reads_back_as_written(fields, created_at, updated_at):
    text = document(head("client_01HZZZZZZZZZZZZZZZZZZZZZZZ", fields), 3, created_at, updated_at)
    record = json.loads(text)
    assert json.dumps(loads(text)) == json.dumps(record)  # the same values, of the same types
    assert record["version"] == 3 and record["created_at"] == created_at and record["updated_at"] == updated_at


def test_floats_keep_their_value():
    for number in (0.1, 1e-05, 5.49993257387138e-05, 1e300, -2.5):
        assert json.loads(dumps(number)) == number


def test_integers_beyond_64_bits_are_written_as_before():
    value = {"id": "x", "big": 12345678901234567890123, "small": -(2**65) - 1, "u64": 2**64 - 1}
    assert dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    read = loads(dumps(value))
    assert read == value and all(type(read[k]) is int for k in ("big", "small", "u64"))


def test_integers_beyond_64_bits_read_exactly_wherever_they_are_nested():
    value = {"id": "x", "deep": [{"n": [12345678901234567890123]}], "note": "98765432109876543210 text", "f": 0.5}
    read = loads(dumps(value))
    assert read == value and type(read["deep"][0]["n"][0]) is int
    assert loads(dumps([[-(2**70)]])) == [[-(2**70)]]
    assert loads("[-9223372036854775809]") == [-9223372036854775809]  # 19 digits, beyond 64 bits


def test_a_record_stored_with_nan_by_the_old_encoder_still_reads():
    old_text = json.dumps({"id": "client_01HZZZZZZZZZZZZZZZZZZZZZZZ", "score": float("nan"), "n": float("inf")})
    assert "NaN" in old_text
    record = parse(old_text)
    assert math.isnan(record["score"]) and record["n"] == math.inf


@pytest.mark.parametrize("text", ["", "{", "{'id': 1}", "[1,]", "nan"])
def test_what_is_not_json_is_refused(text):
    with pytest.raises(ValueError):
        loads(text)
    with pytest.raises(InvalidRecord):
        parse(text)


def test_what_json_has_no_form_for_is_a_type_error():
    with pytest.raises(TypeError):
        dumps({"id": "x", "value": object()})
