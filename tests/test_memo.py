"""The memo of results derived from a collection snapshot: a result is computed once per unchanged
snapshot, and the memo keeps only its most recently used results."""

from storage.models.memo import Memo


class Computations:
    """compute() callables that record which keys were computed."""

    def __init__(self):
        self.done = []

    def of(self, key):
        return lambda: self.done.append(key) or f"result of {key}"


def read(memo, computations, key, snapshot):
    return memo.get(key, (snapshot,), computations.of(key))


def test_a_result_is_computed_once_while_its_snapshot_is_the_same_object():
    memo, computations = Memo(size=2), Computations()
    snapshot = ("record",)
    assert read(memo, computations, "a", snapshot) == "result of a"
    assert read(memo, computations, "a", snapshot) == "result of a"
    assert computations.done == ["a"]
    read(memo, computations, "a", tuple(["record"]))  # an equal but new snapshot: the collection changed
    assert computations.done == ["a", "a"]


def test_a_full_memo_drops_the_least_recently_used_result_and_keeps_its_size():
    memo, computations = Memo(size=2), Computations()
    snapshot = ("record",)
    for key in ("a", "b", "a", "c"):  # "a" used again after "b": "b" is the one dropped for "c"
        read(memo, computations, key, snapshot)
    assert computations.done == ["a", "b", "c"]
    read(memo, computations, "c", snapshot)
    read(memo, computations, "a", snapshot)
    assert computations.done == ["a", "b", "c"], "the two most recently used results are both kept"
    read(memo, computations, "b", snapshot)
    assert computations.done == ["a", "b", "c", "b"]


def test_a_memo_keeps_64_results_by_default():
    memo, computations = Memo(), Computations()
    snapshot = ("record",)
    for key in range(65):
        read(memo, computations, key, snapshot)
    for key in range(1, 65):
        read(memo, computations, key, snapshot)
    assert computations.done == list(range(65)), "the 64 most recent results are all kept"
    read(memo, computations, 0, snapshot)
    assert computations.done == [*range(65), 0], "the 65th result pushed out the oldest"
