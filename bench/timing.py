"""Timing: samples of one operation, median and p99, and comparisons run interleaved (ours and
the baseline alternate in rounds, so drift on the machine hits both alike)."""

import statistics
import time


def sample(operation, count, *, setup=None):
    """`count` durations (seconds) of operation(); setup() runs before each, untimed."""
    durations = []
    clock = time.perf_counter
    for _ in range(count):
        if setup is not None:
            setup()
        start = clock()
        operation()
        durations.append(clock() - start)
    return durations


def compare(ours, baseline, count, *, base_count=None, rounds=5, warmup=3, setup=None):
    """(our samples, baseline samples): `count` of ours and `base_count` (default the same) of the
    baseline, alternating in `rounds` blocks. setup() runs untimed before each of ours."""
    base_count = count if base_count is None else base_count
    for _ in range(warmup):
        ours()
        baseline()
    mine, theirs = [], []
    for _ in range(rounds):
        mine += sample(ours, max(1, count // rounds), setup=setup)
        theirs += sample(baseline, max(1, base_count // rounds))
    return mine, theirs


def stats(durations):
    """{"median", "p99", "n"} in seconds. p99 is the nearest-rank percentile (max when n < 100)."""
    ordered = sorted(durations)
    rank = max(0, min(len(ordered) - 1, int(round(0.99 * len(ordered) + 0.5)) - 1))
    return {"median": statistics.median(ordered), "p99": ordered[rank], "n": len(ordered)}
