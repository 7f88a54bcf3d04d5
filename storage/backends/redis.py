"""redis-py backend: standalone (redis://, rediss:// TLS, unix://), Redis Cluster and Sentinel
(the connection modes live in redis_modes.py), with optional WAIT for replicas after each write."""

import threading

import redis

from .. import log, scripts
from ..errors import CommandError, ConfigurationError, TransientError, WriteNotDurable
from ..retry import with_retry
from .command_diagnostics import SCAN_COUNT
from .commands import CommandBackend
from .held_connection import HeldConnection
from .redis_modes import ConnectOptions, connect, mode_of_url
from .shared import CREDENTIAL_REPLIES, TRANSIENT_REPLIES, mask_url

# redis-py strips the reply's first word from these: matched by class, not by text.
REDIRECTS = (redis.ReadOnlyError, redis.exceptions.TryAgainError, redis.exceptions.AskError)


TRANSLATED = (redis.RedisError, redis.exceptions.RedisClusterException, OSError)


class TranslatedErrors:
    """redis-py exceptions -> storage errors (transient ones are retried by the caller). A class
    rather than a generator context manager: it wraps every command, and costs a fifth as much."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        if exc is None or not isinstance(exc, TRANSLATED):
            return False
        raise _translated(exc) from exc


def _translated(exc):
    if isinstance(exc, redis.AuthenticationError):
        return ConfigurationError(f"Redis refused the credentials in REDIS_URL: {exc}")
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError | OSError):
        # Sentinel: MasterNotFoundError and "the previous master is now a replica" land here.
        return TransientError(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, redis.exceptions.ClusterError | redis.exceptions.RedisClusterException):
        # cluster down, slot not covered, no node reachable: a failover or an outage
        return TransientError(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, redis.ResponseError):
        message = str(exc)
        if message.startswith(CREDENTIAL_REPLIES):
            return ConfigurationError(f"Redis refused the credentials in REDIS_URL: {message}")
        if isinstance(exc, REDIRECTS) or message.startswith(TRANSIENT_REPLIES):
            return TransientError(f"{type(exc).__name__}: {message}")
        return CommandError(message)
    return CommandError(f"{type(exc).__name__}: {exc}")  # anything else redis-py raises is still a storage error


translated_errors = TranslatedErrors


class RedisBackend(CommandBackend):
    name = "redis"

    @classmethod
    def from_settings(cls, settings):
        return cls(
            settings["REDIS_URL"],
            settings["KEY_PREFIX"],
            socket_timeout=settings["SOCKET_TIMEOUT"],
            connect_timeout=settings["CONNECT_TIMEOUT"],
            mode=settings.get("REDIS_MODE", "auto"),
            ssl_cert_reqs=settings.get("REDIS_SSL_CERT_REQS", ""),
            ssl_ca_certs=settings.get("REDIS_SSL_CA_CERTS", ""),
            sentinel_password=settings.get("REDIS_SENTINEL_PASSWORD", ""),
            wait_replicas=settings.get("WAIT_REPLICAS", 0),
            wait_timeout_ms=settings.get("WAIT_TIMEOUT_MS", 1000),
        )

    @classmethod
    def check_target(cls, *, redis_url="", **_):
        mode_of_url(redis_url, "auto")

    def __init__(
        self,
        url,
        prefix,
        *,
        socket_timeout=2.0,
        connect_timeout=2.0,
        mode="auto",
        ssl_cert_reqs="",
        ssl_ca_certs="",
        sentinel_password="",
        wait_replicas=0,
        wait_timeout_ms=1000,
        client=None,
    ):
        super().__init__(prefix)
        self.url = url
        self.options = ConnectOptions(
            mode, socket_timeout, connect_timeout, ssl_cert_reqs, ssl_ca_certs, sentinel_password
        )
        self.mode = "standalone" if client is not None else mode_of_url(url, mode)  # "auto" until connected
        self.wait_replicas, self.wait_timeout_ms = int(wait_replicas), int(wait_timeout_ms)
        if self.wait_replicas < 0 or (self.wait_replicas and not 0 < self.wait_timeout_ms < socket_timeout * 1000):
            raise ConfigurationError(
                "STORAGE_WAIT_REPLICAS must be >= 0 and STORAGE_WAIT_TIMEOUT_MS between 1 and the socket "
                f"timeout ({int(socket_timeout * 1000)} ms), so that WAIT answers before the socket gives up"
            )
        self._client = client
        self._held = None if client is None else HeldConnection(client)
        self._lock = threading.Lock()

    @property
    def client(self):
        """Connected on first use, so that a Redis down at startup costs no crash, only a retry."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    client, self.mode = connect(self.url, self.options)
                    # a cluster routes each command to its slot's node: redis-py picks the connection
                    self._held = HeldConnection(client) if self.mode != "cluster" else None
                    self._client = client
                    log.success(f"Redis connection mode: {self.mode} ({mask_url(self.url)})", mode=self.mode)
        return self._client

    def describe(self):
        return {"backend": self.name, "target": mask_url(self.url), "mode": self.mode}

    def _command(self, *args):
        client = self.client
        held = self._held
        return client.execute_command(*args) if held is None else held.execute(*args)

    @with_retry
    def call(self, *args):
        with translated_errors():
            return self._command(*args)

    def counted(self, name):
        # Read on every API request before anything else: one attempt, no retry (a failure is
        # StorageError; the caller then does without the counter), so that an outage costs a
        # request the retry policy's patience once, in the operation that needs the backend.
        with translated_errors():
            return int(self._command("GET", self.keys.rate(name)) or 0)

    @with_retry
    def pipeline(self, commands, transaction=False):
        # On a cluster a MULTI pipeline runs on the node of its keys' slot: every key of a prefix
        # shares the {prefix} hash tag, so the version and the ids are still read in one MULTI.
        with translated_errors():
            pipe = self.client.pipeline(transaction=transaction)
            for command in commands:
                pipe.execute_command(*command)
            return pipe.execute()

    def evalsha(self, operation, keys, args):
        if not self.wait_replicas:
            return self._script(operation, keys, args)
        reply, acked = self._script_and_wait(operation, keys, args)
        if reply[0] == "ok" and acked < self.wait_replicas:
            log.error(
                f"Write {operation} reached {acked} of {self.wait_replicas} replica(s) in {self.wait_timeout_ms} ms: "
                "reported as failed or unknown",
                acked=acked,
            )
            raise WriteNotDurable(acked, self.wait_replicas, self.wait_timeout_ms)
        return reply

    def read_script(self, operation, keys, args):
        return self._script(operation, keys, args)  # no WAIT: it writes nothing a replica must hold

    @with_retry
    def _script(self, operation, keys, args):
        with translated_errors():
            try:
                return self._command("EVALSHA", scripts.sha1(operation), len(keys), *keys, *args)
            except redis.exceptions.NoScriptError:
                return self._command("EVAL", scripts.source(operation), len(keys), *keys, *args)

    @with_retry
    def _script_and_wait(self, operation, keys, args):
        """EVALSHA then WAIT on the same connection (WAIT counts the writes of its own connection).
        A retry after a lost reply finds the script's recorded result, which touches the op key: the
        retry's WAIT then covers the original write too."""
        with translated_errors():
            node = self._node_client(keys[0])
            for attempt in range(2):
                pipe = node.pipeline(transaction=False)
                pipe.evalsha(scripts.sha1(operation), len(keys), *keys, *args)
                pipe.execute_command("WAIT", self.wait_replicas, self.wait_timeout_ms)
                reply, acked = pipe.execute(raise_on_error=False)
                if isinstance(reply, redis.exceptions.MovedError) and self.mode == "cluster":
                    self.client.nodes_manager.initialize()  # the slot moved: learn the new map
                    raise TransientError(f"MOVED {reply}")
                if isinstance(reply, redis.exceptions.NoScriptError) and attempt == 0:
                    node.script_load(scripts.source(operation))
                    continue
                for result in (reply, acked):
                    if isinstance(result, Exception):
                        raise result
                return reply, int(acked)

    def scan(self, pattern):
        """On a cluster, SCAN only the master that holds the prefix's slot (RedisCluster would ask
        every node and answer a dict); elsewhere, the plain SCAN loop."""
        if self._connected_mode() != "cluster":
            return super().scan(pattern)
        return self._scan_node(pattern)

    @with_retry
    def _connected_mode(self):
        with translated_errors():
            self.client  # noqa: B018 - connecting is what tells the mode
        return self.mode

    @with_retry
    def _scan_node(self, pattern):
        with translated_errors():
            node = self._node_client(self.keys.meta())
            return sorted(set(node.scan_iter(match=pattern, count=SCAN_COUNT)))

    def _node_client(self, key):
        """The plain client of the node that holds the key (RedisCluster would send WAIT everywhere)."""
        client = self.client
        if self.mode != "cluster":
            return client
        return client.get_redis_connection(client.get_node_from_key(key))

    def close(self):
        if self._held is not None:
            self._held.release()
        if self._client is not None:
            self._client.close()
