"""Backend choice (DESIGN.md "Storage"): made once at startup, from the environment's values."""

from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigurationError

BACKENDS = ("redis", "rest", "jsonfile")


def mask_url(url):
    """The URL with its password (or token-like user info) replaced by ***. Works on the
    multi-host form redis+sentinel://user:password@host1:26379,host2:26379/service too."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if "@" not in parts.netloc:
        return url
    userinfo, hosts = parts.netloc.rsplit("@", 1)
    user, has_password, _ = userinfo.partition(":")
    userinfo = f"{user}:***" if has_password else "***"
    return urlunsplit((parts.scheme, f"{userinfo}@{hosts}", parts.path, parts.query, parts.fragment))


def select_backend(*, backend="", redis_url="", rest_url="", rest_token="", debug=False):
    """The backend to use: STORAGE_BACKEND if set; else REDIS_URL; else the REST pair; else
    jsonfile in DEBUG; else a ConfigurationError that names the variables to set."""
    backend = (backend or "").strip().lower()
    if backend and backend not in BACKENDS:
        raise ConfigurationError(f"STORAGE_BACKEND={backend!r} is not a backend: choose one of {', '.join(BACKENDS)}")
    if not backend:
        if redis_url:
            backend = "redis"
        elif rest_url and rest_token:
            backend = "rest"
        elif rest_url or rest_token:
            missing = "KV_REST_API_TOKEN" if rest_url else "KV_REST_API_URL"
            raise ConfigurationError(
                f"The Vercel KV / Upstash REST settings are incomplete: {missing} is not set "
                "(KV_REST_API_URL and KV_REST_API_TOKEN, or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN)"
            )
        elif debug:
            backend = "jsonfile"
        else:
            raise ConfigurationError(
                "No storage backend is configured and DEBUG is off. Set REDIS_URL "
                "(e.g. redis://:password@host:6379/0), or KV_REST_API_URL and KV_REST_API_TOKEN "
                "(Vercel KV / Upstash), or STORAGE_BACKEND=jsonfile with STORAGE_DATA_DIR."
            )
    if backend == "redis" and not redis_url:
        raise ConfigurationError("STORAGE_BACKEND=redis needs REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    if backend == "rest" and not (rest_url and rest_token):
        raise ConfigurationError(
            "STORAGE_BACKEND=rest needs KV_REST_API_URL and KV_REST_API_TOKEN "
            "(or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN)"
        )
    if backend == "rest" and urlsplit(rest_url.strip()).scheme not in ("https", "http"):
        raise ConfigurationError(f"KV_REST_API_URL must start with https:// (got {mask_url(rest_url)!r})")
    if backend == "redis" and urlsplit(redis_url).scheme not in ("redis", "rediss", "unix", "redis+sentinel"):
        raise ConfigurationError(
            f"REDIS_URL must start with redis://, rediss://, unix:// or redis+sentinel:// (got {mask_url(redis_url)!r})"
        )
    return backend


def build_backend(settings):
    """The backend object for the STORAGE settings dict built by config/settings.py."""
    name = settings["BACKEND"]
    prefix = settings["KEY_PREFIX"]
    if name == "redis":
        from .backends.redis import RedisBackend

        return RedisBackend(
            settings["REDIS_URL"],
            prefix,
            socket_timeout=settings["SOCKET_TIMEOUT"],
            connect_timeout=settings["CONNECT_TIMEOUT"],
            # issue 7 (scale-out): connection modes and replica acknowledgement
            mode=settings.get("REDIS_MODE", "auto"),
            ssl_cert_reqs=settings.get("REDIS_SSL_CERT_REQS", ""),
            ssl_ca_certs=settings.get("REDIS_SSL_CA_CERTS", ""),
            sentinel_password=settings.get("REDIS_SENTINEL_PASSWORD", ""),
            wait_replicas=settings.get("WAIT_REPLICAS", 0),
            wait_timeout_ms=settings.get("WAIT_TIMEOUT_MS", 1000),
        )
    if name == "rest":
        from .backends.rest import RestBackend

        return RestBackend(
            settings["REST_URL"],
            settings["REST_TOKEN"],
            prefix,
            timeout=settings["SOCKET_TIMEOUT"],
            connect_timeout=settings["CONNECT_TIMEOUT"],
        )
    if name == "jsonfile":
        from .backends.jsonfile import JsonFileBackend

        return JsonFileBackend(settings["DATA_DIR"], prefix)
    raise ConfigurationError(f"unknown storage backend {name!r}")
