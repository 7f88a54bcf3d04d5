"""The bound of the results kept for index-served lists counts the records they hold, and a result
replaced under the same key stops counting: the bound is kept as results come and go, not summed
again at every put (a list after a change puts one result, whatever how many are kept)."""

from storage.results import VersionedResults


def held(results):
    return sorted(key for _, key in results.entries)


def test_a_result_replaced_under_its_key_no_longer_counts_toward_the_bound():
    results = VersionedResults(max_records=100)  # 50 records held at most
    results.put("a", 1, "first", weight=40)
    results.put("a", 1, "again", weight=40)  # the same key: 40 held, not 80
    results.put("b", 1, "page", weight=10)
    assert held(results) == ["a", "b"]
    assert results.get("a", 1) == "again"


def test_the_oldest_results_leave_when_the_records_held_pass_the_bound():
    results = VersionedResults(max_records=100)
    for version in range(1, 4):
        results.put("a", version, f"v{version}", weight=20)
    assert [v for v, _ in results.entries] == [2, 3]  # 60 > 50: the oldest went
    results.put("b", 3, "small", weight=5)
    assert [v for v, _ in results.entries] == [2, 3, 3]
    assert results.last("a") == "v3"


def test_a_single_result_larger_than_the_bound_is_still_kept():
    results = VersionedResults(max_records=100)
    results.put("a", 1, "old", weight=10)
    results.put("big", 1, "large", weight=80)
    assert held(results) == ["big"]
    assert results.last("big") == "large"
