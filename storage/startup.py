"""Once per process: log the chosen backend; in DEBUG only, fall back to JSON files when the
configured Redis can't be reached (the seed's local fallback). Never in production."""

from django.conf import settings

from . import log
from .errors import StorageError
from .store import Store, describe, get_store, set_store

_announced = False


def announce():
    global _announced
    if _announced:
        return
    _announced = True
    config = settings.STORAGE
    if config["DEBUG_FALLBACK"] and config["BACKEND"] != "jsonfile":
        try:
            get_store().backend.ping()
        except StorageError as exc:
            log.warning(
                f"DEBUG: the configured {config['BACKEND']} backend is unreachable ({exc}); "
                f"falling back to JSON files in {config['DATA_DIR']}"
            )
            set_store(Store.from_settings(dict(config, BACKEND="jsonfile")))
    describe()
