"""A record's text as the Redis backends store it (without the id the key names) and as it is read
back (with the id first): every text Python builds survives the round, texts stored before the id
was left out read unchanged, and what is no record stays what parse() refuses."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.cache import parse
from storage.document import document, head, with_id, without_id
from storage.errors import InvalidRecord

ID = "client_01HZZZZZZZZZZZZZZZZZZZZZZZ"
TEXT = st.text(max_size=12)
FIELDS = st.dictionaries(
    TEXT, st.none() | st.booleans() | st.integers() | TEXT | st.lists(TEXT, max_size=3), max_size=5
)


@settings(max_examples=300, deadline=None)
@given(FIELDS, st.integers(min_value=1, max_value=10**6), TEXT, TEXT)
def test_a_record_text_comes_back_whole_from_its_stored_form(fields, version, created_at, updated_at):
    text = document(head(ID, fields), version, created_at, updated_at)
    stored = without_id(ID, text)
    assert json.loads(stored) == {k: v for k, v in json.loads(text).items() if k != "id"}
    assert with_id(ID, stored) == text


def test_the_head_of_a_record_with_no_field_is_an_open_brace():
    assert without_id(ID, head(ID, {})) == "{"
    assert without_id(ID, head(ID, {"name": "x"})) == '{"name":"x"'


def test_texts_stored_with_their_id_read_unchanged():
    old = json.dumps({"id": ID, "name": "Old"}, separators=(",", ":"))
    assert with_id(ID, old) == old
    assert with_id(ID, None) is None


@pytest.mark.parametrize("stored", ["not json", "{not json", "{}", "[1]", ""])
def test_what_is_no_record_stays_refused(stored):
    assert with_id(ID, stored) == stored
    with pytest.raises(InvalidRecord):
        parse(with_id(ID, stored))
