"""redis-py backend: redis://, rediss:// (TLS) and unix:// URLs."""

from contextlib import contextmanager

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .. import scripts
from ..config import mask_url
from ..errors import CommandError, ConfigurationError, TransientError
from ..retry import with_retry
from .commands import CommandBackend

TRANSIENT_REPLIES = ("LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY")
CREDENTIAL_REPLIES = ("NOAUTH", "WRONGPASS", "NOPERM")


@contextmanager
def translated_errors():
    """redis-py exceptions -> storage errors (transient ones are retried by the caller)."""
    try:
        yield
    except redis.AuthenticationError as exc:
        raise ConfigurationError(f"Redis refused the credentials in REDIS_URL: {exc}") from exc
    except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc
    except redis.ResponseError as exc:
        message = str(exc)
        if message.startswith(CREDENTIAL_REPLIES):
            raise ConfigurationError(f"Redis refused the credentials in REDIS_URL: {message}") from exc
        if isinstance(exc, redis.ReadOnlyError) or message.startswith(TRANSIENT_REPLIES):
            raise TransientError(message) from exc
        raise CommandError(message) from exc


class RedisBackend(CommandBackend):
    name = "redis"

    def __init__(self, url, prefix, *, socket_timeout=2.0, connect_timeout=2.0, client=None):
        super().__init__(prefix)
        self.url = url
        self.mode = "standalone"
        self.client = client or redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=socket_timeout,
            socket_connect_timeout=connect_timeout,
            # A pooled connection idle for this long is checked before use, so a restarted Redis
            # costs no failed request.
            health_check_interval=10,
            # redis-py would retry on its own (10 times in 8.x); storage/retry.py is the one policy.
            retry=Retry(NoBackoff(), 0),
            client_name="django-redis-storage",
        )
        self.scripts = {op: self.client.register_script(scripts.source(op)) for op in scripts.OPERATIONS}

    def describe(self):
        return {"backend": self.name, "target": mask_url(self.url), "mode": self.mode}

    @with_retry
    def call(self, *args):
        with translated_errors():
            return self.client.execute_command(*args)

    @with_retry
    def pipeline(self, commands, transaction=False):
        with translated_errors():
            pipe = self.client.pipeline(transaction=transaction)
            for command in commands:
                pipe.execute_command(*command)
            return pipe.execute()

    @with_retry
    def evalsha(self, operation, keys, args):
        with translated_errors():
            return self.scripts[operation](keys=keys, args=args)

    def close(self):
        self.client.close()
