"""Snapshot: the cached records of a collection in list order at one moment, as an immutable
sequence of chunks, so that taking one after a change costs the number of chunks, not of records."""

from bisect import bisect_right
from collections.abc import Sequence


class Snapshot(Sequence):
    """The cached records in list order at one moment: an immutable sequence made of chunks, so
    taking one after a change costs the number of chunks, not the number of records."""

    __slots__ = ("_chunks", "_starts", "_length")

    def __init__(self, chunks=()):
        self._chunks = tuple(chunks)
        starts, total = [], 0
        for chunk in self._chunks:
            starts.append(total)
            total += len(chunk)
        self._starts = starts
        self._length = total

    def __len__(self):
        return self._length

    def __eq__(self, other):
        if not isinstance(other, Snapshot | tuple | list):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=False))

    __hash__ = None

    def __repr__(self):
        return f"<Snapshot of {self._length} record(s)>"

    def __iter__(self):
        for chunk in self._chunks:
            yield from chunk

    def __reversed__(self):
        for chunk in reversed(self._chunks):
            yield from reversed(chunk)

    def __getitem__(self, item):
        if isinstance(item, slice):
            start, stop, step = item.indices(self._length)
            if step == 1:
                return self._range(start, stop)
            return tuple(self[i] for i in range(start, stop, step))
        if item < 0:
            item += self._length
        if not 0 <= item < self._length:
            raise IndexError("Snapshot index out of range")
        at = bisect_right(self._starts, item) - 1
        return self._chunks[at][item - self._starts[at]]

    def window(self, start, stop, reverse=False):
        """Records [start, stop) of the list order, or of its reverse."""
        if not reverse:
            return self[start:stop]
        stop = self._length if stop is None else min(stop, self._length)
        start = min(start, stop)
        return tuple(reversed(self._range(self._length - stop, self._length - start)))

    def _range(self, start, stop):
        if start >= stop:
            return ()
        out = []
        at = bisect_right(self._starts, start) - 1
        while at < len(self._chunks) and self._starts[at] < stop:
            base = self._starts[at]
            out.extend(self._chunks[at][max(start - base, 0) : stop - base])
            at += 1
        return tuple(out)
