"""The per-process cache's records: parsed from the stored text (a text that is not a record is
refused with a reason the operator can read), and, once the collection is too large to hold, at
most `max_records` of them, the most recently used kept."""

import pytest

from storage.cache import CollectionCache, freeze, parse
from storage.errors import InvalidRecord


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "stored value is not JSON: "),
        (None, "stored value is not JSON: "),
        ("[1, 2]", "stored value is not a record"),
        ('{"name": "no id"}', "stored value is not a record"),
    ],
)
def test_a_stored_text_that_is_not_a_record_is_refused_with_its_reason(text, reason):
    with pytest.raises(InvalidRecord) as refused:
        parse(text)
    assert str(refused.value).startswith(reason)


def test_a_partial_cache_keeps_the_most_recently_used_records_up_to_its_bound():
    cache = CollectionCache(max_records=3)  # never replaced: partial
    for record_id in "abc":
        cache.remember(freeze({"id": record_id, "version": 1}))
    cache.remember(freeze({"id": "a", "version": 1}))  # read again: recently used
    cache.remember(freeze({"id": "d", "version": 1}))
    assert sorted(cache.records) == ["a", "c", "d"]  # b, the least recently used, went
    cache.remember(freeze({"id": "c", "version": 2}))  # a newer copy: recently used too
    cache.remember(freeze({"id": "e", "version": 1}))
    assert sorted(cache.records) == ["c", "d", "e"]
