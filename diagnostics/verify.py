"""verify-redis: the key families, the integrity problems and their fixes (storage/integrity.py)."""

from storage.store import get_store

from . import integrity

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000


def verify(limit=DEFAULT_LIMIT):
    store = get_store()
    return {"backend": store.backend.describe(), **integrity.inspect(store).as_dict(limit)}


def repair(*, delete_orphans=False, dry_run=False, limit=DEFAULT_LIMIT):
    """Verify, apply the safe fixes (or show them with dry_run), verify again."""
    store = get_store()
    before = integrity.inspect(store)
    actions = integrity.repair(store, before, delete_orphans=delete_orphans, dry_run=dry_run)
    after = before if dry_run else integrity.inspect(store)
    return {
        "backend": store.backend.describe(),
        "dry_run": dry_run,
        "delete_orphans": delete_orphans,
        "before": before.as_dict(limit),
        "actions": actions[:limit],
        "actions_total": len(actions),
        "applied": sum(a["result"] == "applied" or a["result"].startswith("deleted") for a in actions),
        "after": after.as_dict(limit),
    }


def parse_limit(value, default=DEFAULT_LIMIT):
    """A ?limit= / --limit value: an integer in 1..MAX_LIMIT, else ValueError with a clear message."""
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"limit must be an integer between 1 and {MAX_LIMIT}") from None
    if not 1 <= number <= MAX_LIMIT:
        raise ValueError(f"limit must be an integer between 1 and {MAX_LIMIT}")
    return number
