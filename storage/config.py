"""Backend choice: made once at startup, from the values config/settings.py read from the
environment. Each backend class checks its own settings (from_settings / its constructor); this
module only picks the class, by dotted path, the way Django picks a cache backend."""

from django.utils.module_loading import import_string

from .errors import ConfigurationError

BACKENDS = {
    "redis": "storage.backends.redis.RedisBackend",
    "rest": "storage.backends.rest.RestBackend",
    "jsonfile": "storage.backends.jsonfile.JsonFileBackend",
}


def select_backend(*, backend="", redis_url="", rest_url="", rest_token="", rest_read_only_token="", debug=False):
    """The backend to use: STORAGE_BACKEND if set; else REDIS_URL; else the REST pair; else
    jsonfile in DEBUG; else a ConfigurationError that names the variables to set. The chosen
    class then checks the values it will use (URL scheme, token)."""
    backend = (backend or "").strip().lower()
    if backend and backend not in BACKENDS:
        raise ConfigurationError(f"STORAGE_BACKEND={backend!r} is not a backend: choose one of {', '.join(BACKENDS)}")
    if not backend:
        backend = _implied(redis_url, rest_url, rest_token, debug)
    if backend == "redis" and not redis_url:
        raise ConfigurationError("STORAGE_BACKEND=redis needs REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    if backend == "rest" and not (rest_url and rest_token):
        raise ConfigurationError(
            "STORAGE_BACKEND=rest needs KV_REST_API_URL and KV_REST_API_TOKEN "
            "(or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN)"
        )
    backend_class(backend).check_target(
        redis_url=redis_url, rest_url=rest_url, rest_token=rest_token, rest_read_only_token=rest_read_only_token
    )
    return backend


def _implied(redis_url, rest_url, rest_token, debug):
    if redis_url:
        return "redis"
    if rest_url and rest_token:
        return "rest"
    if rest_url or rest_token:
        missing = "KV_REST_API_TOKEN" if rest_url else "KV_REST_API_URL"
        raise ConfigurationError(
            f"The Vercel KV / Upstash REST settings are incomplete: {missing} is not set "
            "(KV_REST_API_URL and KV_REST_API_TOKEN, or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN)"
        )
    if debug:
        return "jsonfile"
    raise ConfigurationError(
        "No storage backend is configured and DEBUG is off. Set REDIS_URL "
        "(e.g. redis://:password@host:6379/0), or KV_REST_API_URL and KV_REST_API_TOKEN "
        "(Vercel KV / Upstash), or STORAGE_BACKEND=jsonfile with STORAGE_DATA_DIR."
    )


def backend_class(name):
    if name not in BACKENDS:
        raise ConfigurationError(f"unknown storage backend {name!r}: choose one of {', '.join(BACKENDS)}")
    return import_string(BACKENDS[name])


def build_backend(settings):
    """The backend object for the STORAGE settings dict built by config/settings.py."""
    return backend_class(settings["BACKEND"]).from_settings(settings)
