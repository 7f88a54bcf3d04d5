"""What the current request (context) was served: stale memory, records left out because they do
not parse. Set by the collections, read by the middleware that flags the response and by health."""

import contextvars

_stale = contextvars.ContextVar("storage_stale", default=False)
# "collection:id" of the records left out of what the current context read, because they don't parse
_skipped = contextvars.ContextVar("storage_unparsable", default=frozenset())


def stale_served():
    """True when something in the current context was served from stale memory."""
    return _stale.get()


def reset_stale():
    """A new request: nothing served yet."""
    _stale.set(False)
    _skipped.set(frozenset())


def unparsable_skipped():
    """The "collection:id" of the records that did not parse and were left out of what the
    current context read (lists, counts), sorted; empty when every record parsed."""
    return sorted(_skipped.get())


def mark_stale():
    _stale.set(True)


def mark_skipped(collection, record_ids):
    _skipped.set(_skipped.get() | {f"{collection}:{i}" for i in record_ids})
