"""Once per process: log the chosen backend; in DEBUG only, fall back to JSON files when the
configured Redis can't be reached (the seed's local fallback). Never in production.

The fallback is never silent: `fallback()` says which backend was configured, where, and why it
could not be reached, for health (degraded) and for the commands that need the configured backend."""

from django.conf import settings

from . import log
from .errors import StorageError
from .store import Store, describe, get_store, set_store

_announced = False
_fallback = None


def announce():
    global _announced, _fallback
    if _announced:
        return
    _announced = True
    config = settings.STORAGE
    if config["DEBUG_FALLBACK"] and config["BACKEND"] != "jsonfile":
        configured = get_store().backend
        try:
            configured.ping()
        except StorageError as exc:
            target = configured.describe()["target"]
            log.warning(
                f"DEBUG: the configured {config['BACKEND']} backend at {target} is unreachable ({exc}); "
                f"falling back to JSON files in {config['DATA_DIR']}"
            )
            set_store(Store.from_settings(dict(config, BACKEND="jsonfile")))
            _fallback = {"configured_backend": config["BACKEND"], "configured_target": target, "reason": str(exc)}
    describe()


def fallback():
    """None, or {configured_backend, configured_target, reason} when this process fell back to
    JSON files because the configured backend could not be reached at startup (DEBUG only)."""
    return dict(_fallback) if _fallback else None


def fallback_message(info):
    return (
        f"the configured {info['configured_backend']} backend at {info['configured_target']} could not be reached "
        f"({info['reason']}); DEBUG fell back to the JSON files"
    )
