"""The paged sort index (storage/scripts/pages.lua), on a real Redis, against a plain sorted list:
any sequence of additions and removals (ties of score included, enough entries to split pages many
times, removals by a wrong or unknown score) leaves the same entries, count and pages in both
orders; every page stays compact; and the script's reading of a stored time gives the score Python
gave it (storage/cache.py epoch_ms), or none, never another."""

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.cache import epoch_ms
from tests.paged_edits import harness


@pytest.fixture
def pz(redis_server, prefix):
    return harness(redis_server.client(), "{" + prefix + "}:pz")


def sorted_model(entries):
    return sorted(entries.items(), key=lambda item: (item[1], item[0]))


def check(pz, entries):
    ordered = [member for member, _ in sorted_model(entries)]
    assert pz("count") == len(ordered)
    assert pz("range", 0, len(ordered) + 5, "0") == ordered
    assert pz("range", 0, len(ordered) + 5, "1") == ordered[::-1]
    for offset, limit in ((0, 1), (7, 50), (119, 3), (len(ordered) - 2, 10), (len(ordered) + 3, 5)):
        assert pz("range", max(offset, 0), limit, "0") == ordered[max(offset, 0) : max(offset, 0) + limit]
        assert pz("range", max(offset, 0), limit, "1") == ordered[::-1][max(offset, 0) : max(offset, 0) + limit]
    for size, encoding in pz("pages"):
        assert 0 < size <= 120 and encoding == "listpack"


OPS = st.lists(
    st.tuples(st.sampled_from(["add", "add", "add", "move", "remove", "remove_unknown"]), st.integers(0, 400)),
    min_size=1,
    max_size=400,
)


@settings(max_examples=40, deadline=None)
@given(ops=OPS, spread=st.sampled_from([3, 50, 10**12]), seed=st.integers(0, 10**6))
def test_any_additions_and_removals_leave_what_a_sorted_list_holds(redis_server, ops, spread, seed):
    import uuid

    client = redis_server.client()
    base = "{p" + uuid.uuid4().hex[:10] + "}:pz"
    pz = harness(client, base)

    rng = random.Random(seed)
    entries = {}
    for op, n in ops:
        member = f"id_{n:04d}"
        score = rng.randrange(-spread, spread)
        if op == "add" and member not in entries:
            for k in range(rng.randrange(1, 60)):  # bursts, so that pages fill and split
                extra = f"{member}_{k}"
                if extra not in entries:
                    entries[extra] = rng.randrange(-spread, spread)
                    pz("add", entries[extra], extra)
        elif op == "move" and entries:
            member = rng.choice(sorted(entries))
            assert pz("remove", entries[member], member, "1") == 1
            entries[member] = score
            pz("add", score, member)
        elif op == "remove" and entries:
            member = rng.choice(sorted(entries))
            assert pz("remove", entries.pop(member), member, "1") == 1
        elif op == "remove_unknown" and entries:
            member = rng.choice(sorted(entries))
            wrong = "" if n % 2 else entries[member] + 1  # unknown, or a score where it is not
            assert pz("remove", wrong, member, "0") == 1
            del entries[member]
    check(pz, entries)
    assert pz("remove", 0, "id_absent", "0") == 0
    for member, score in sorted(entries.items()):
        assert pz("remove", score, member, "1") == 1
    assert pz("count") == 0 and client.exists(base + ":dir") == 0  # no page left behind, nor its entry
    client.delete(*client.keys(base.replace("{", "\\{").replace("}", "\\}") + "*") or ["none"])


def test_adding_again_changes_nothing_and_a_removal_where_it_is_not_is_refused_without_a_search(pz):
    for i in range(300):
        pz("add", i % 7, f"id_{i:03d}")
    assert pz("add", 3, "id_003") == 300  # 3 % 7: where it is
    assert len(pz("pages")) <= 300 // 60 + 1  # a full page splits in halves: pages stay at least half full
    assert pz("remove", 5, "id_003", "1") == 0  # not where score 5 would put it: not looked for
    assert pz("remove", 5, "id_003", "0") == 1  # looked for: found
    check(pz, {f"id_{i:03d}": i % 7 for i in range(300) if i != 3})


TIMES = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
) | st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m))),
)


def test_the_script_reads_a_stored_time_as_python_scores_it(pz):
    @settings(max_examples=300, deadline=None)
    @given(moment=TIMES, digits=st.integers(0, 6), zulu=st.booleans())
    def reads_alike(moment, digits, zulu):
        text = moment.isoformat(timespec="seconds")
        if digits:
            fraction = f"{moment.microsecond:06d}"[:digits]
            text = text[:19] + "." + fraction + text[19:]
        if zulu and moment.utcoffset() == timedelta(0):
            text = text[:-6] + "Z"
        assert pz("ms", text) == str(epoch_ms(text)), text

    reads_alike()


@pytest.mark.parametrize("text", ["2026-12-01T09:00:00", "2026-12-01T09:00:00.5Z", "1969-12-31T23:59:59.999Z"])
def test_times_without_a_zone_or_before_1970_read_as_python_scores_them(pz, text):
    assert pz("ms", text) == str(epoch_ms(text))


@pytest.mark.parametrize(
    "text", ["2026-12-01", "2026-12-01T09:00", "2026-12-01T09:00:00+0100", "soon", "", "2026-13-01T00:00:00Z"]
)
def test_other_forms_have_no_score_and_are_looked_for_page_by_page(pz, text):
    assert pz("ms", text) is None


def test_an_id_that_begins_another_page_s_first_id_goes_before_it(pz):
    """With one score, a page split at k060: k06 sorts before k06- (in the first page) and k060, so
    it belongs to the first page too, though the second page's first id begins with it."""
    for i in [*range(1, 121), 0]:  # the last one added first in order: the full page splits in halves
        pz("add", 0, f"k{i:03d}")
    assert [size for size, _ in pz("pages")] == [60, 61] and pz("range", 60, 1, "0") == ["k060"]
    pz("add", 0, "k06-")
    pz("add", 0, "k06")
    check(pz, {**{f"k{i:03d}": 0 for i in range(121)}, "k06-": 0, "k06": 0})


def test_entries_added_in_order_fill_each_page_before_the_next(pz):
    pz("add", *[x for i in range(360) for x in (1000 + i, f"id{i:03d}")])
    assert [size for size, _ in pz("pages")] == [120, 120, 120]  # the creation order: no half-empty pages
    pz("add", 1300, "id300a")  # one inserted before the end of the last page: it splits in halves
    assert [size for size, _ in pz("pages")] == [120, 120, 60, 61]
    pz("add", 1119, "id119a")  # after every entry of a page, not of the index: that page splits in halves
    assert [size for size, _ in pz("pages")] == [60, 61, 120, 60, 61]
