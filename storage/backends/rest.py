"""Vercel KV / Upstash REST backend. Not built yet: choosing it fails with a clear message."""

from ..errors import ConfigurationError
from .commands import CommandBackend


class RestBackend(CommandBackend):
    name = "rest"

    def __init__(self, url, token, prefix, timeout=2.0):
        raise ConfigurationError(
            "The Vercel KV / Upstash REST backend (KV_REST_API_URL + KV_REST_API_TOKEN) is not "
            "available in this version. Set REDIS_URL to your Redis (Vercel KV also provides one) "
            "or STORAGE_BACKEND=jsonfile for local development."
        )
