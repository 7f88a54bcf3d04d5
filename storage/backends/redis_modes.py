"""How the redis backend connects: standalone (redis://, rediss://, unix://), Redis Cluster (found
by itself through INFO cluster, or REDIS_MODE=cluster) and Sentinel (redis+sentinel://).

Every client gets the same options: explicit timeouts, a health check on idle pooled connections,
and redis-py's own retry turned off (storage/retry.py is the one policy). redis-py pools check the
process id on every checkout, so a pool created before a fork opens fresh sockets in the child.
"""

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry
from redis.sentinel import Sentinel

from ..errors import ConfigurationError

MODES = ("auto", "standalone", "cluster", "sentinel")
SENTINEL_SCHEME = "redis+sentinel"
STANDALONE_SCHEMES = ("redis", "rediss", "unix")
CERT_REQS = ("required", "optional", "none")
CLIENT_NAME = "django-redis-storage"


@dataclass(frozen=True)
class ConnectOptions:
    mode: str = "auto"
    socket_timeout: float = 2.0
    connect_timeout: float = 2.0
    ssl_cert_reqs: str = ""  # rediss:// only: required (default), optional or none
    ssl_ca_certs: str = ""  # rediss:// only: a CA bundle file to verify the server with
    sentinel_password: str = ""  # the sentinels' own password, when they have one

    def __post_init__(self):
        if self.mode not in MODES:
            raise ConfigurationError(f"REDIS_MODE={self.mode!r} is not a mode: choose one of {', '.join(MODES)}")
        if self.ssl_cert_reqs and self.ssl_cert_reqs not in CERT_REQS:
            raise ConfigurationError(
                f"REDIS_SSL_CERT_REQS={self.ssl_cert_reqs!r}: choose one of {', '.join(CERT_REQS)}"
            )
        if self.ssl_ca_certs and not os.path.isfile(self.ssl_ca_certs):
            raise ConfigurationError(f"REDIS_SSL_CA_CERTS={self.ssl_ca_certs!r} is not a readable file")


@dataclass(frozen=True)
class SentinelTarget:
    hosts: tuple  # ((host, port), ...)
    service: str
    db: int
    username: str | None
    password: str | None


def mode_of_url(url, mode):
    """The mode the URL and REDIS_MODE ask for ("auto" is settled later, by INFO cluster)."""
    scheme = urlsplit(url).scheme
    if scheme == SENTINEL_SCHEME:
        if mode not in ("auto", "sentinel"):
            raise ConfigurationError(f"REDIS_MODE={mode} does not fit a redis+sentinel:// URL")
        return "sentinel"
    if scheme not in STANDALONE_SCHEMES:
        raise ConfigurationError(
            "REDIS_URL must start with redis://, rediss://, unix:// or redis+sentinel://"
            f" (got a {scheme or 'schemeless'} URL)"
        )
    if mode == "sentinel":
        raise ConfigurationError("REDIS_MODE=sentinel needs REDIS_URL=redis+sentinel://host:26379,.../<service>/<db>")
    if mode == "cluster" and scheme == "unix":
        raise ConfigurationError("REDIS_MODE=cluster needs a redis:// or rediss:// URL, not unix://")
    return mode


def parse_sentinel_url(url):
    """redis+sentinel://[user:password@]host1:26379,host2:26379/<service>/<db>"""
    parts = urlsplit(url)
    netloc = parts.netloc
    username = password = None
    if "@" in netloc:
        userinfo, netloc = netloc.rsplit("@", 1)
        user, _, secret = userinfo.partition(":")
        username, password = unquote(user) or None, unquote(secret) or None
    hosts = []
    for item in filter(None, netloc.split(",")):
        host, port = item, "26379"
        if item.startswith("["):  # [IPv6]:port
            host, _, rest = item[1:].partition("]")
            port = rest.lstrip(":") or port
        elif item.count(":") == 1:
            host, port = item.split(":")
        if not host or not port.isdigit():
            raise ConfigurationError(f"REDIS_URL: {item!r} is not a sentinel host:port")
        hosts.append((host, int(port)))
    path = [p for p in parts.path.split("/") if p]
    if not hosts or not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise ConfigurationError(
            "REDIS_URL for Sentinel must read redis+sentinel://[user:password@]host1:26379,host2:26379/<service>/<db>"
        )
    return SentinelTarget(tuple(hosts), path[0], int(path[1]) if len(path) == 2 else 0, username, password)


def client_options(options):
    return {
        "decode_responses": True,
        "socket_timeout": options.socket_timeout,
        "socket_connect_timeout": options.connect_timeout,
        # A pooled connection idle for this long is checked before use: a restarted Redis costs
        # no failed request.
        "health_check_interval": 10,
        "retry": Retry(NoBackoff(), 0),  # redis-py would retry on its own (10 times in 8.x)
        "client_name": CLIENT_NAME,
    }


def tls_options(url, options):
    if urlsplit(url).scheme != "rediss":
        return {}
    found = {"ssl_cert_reqs": options.ssl_cert_reqs or "required"}
    if options.ssl_ca_certs:
        found["ssl_ca_certs"] = options.ssl_ca_certs
    return found


def standalone_client(url, options):
    return redis.Redis.from_url(url, **client_options(options), **tls_options(url, options))


def cluster_client(url, options):
    try:
        return RedisCluster.from_url(url, **client_options(options), **tls_options(url, options))
    except redis.exceptions.RedisClusterException as exc:
        # Raised by the first connection: no node answered, or the node is not in cluster mode.
        if "not enabled" in str(exc):
            raise ConfigurationError(f"REDIS_MODE=cluster but the server is not a cluster node: {exc}") from exc
        raise redis.ConnectionError(str(exc)) from exc


def sentinel_client(url, options):
    """The master of the service, re-discovered from the sentinels on every new connection: after a
    failover the old connections fail (or hit READONLY), are dropped and reconnect to the new
    master. Reads go to the master too (see README: a replica could answer from before a write
    that already returned)."""
    target = parse_sentinel_url(url)
    common = client_options(options)
    sentinel_kwargs = {
        "socket_timeout": options.socket_timeout,
        "socket_connect_timeout": options.connect_timeout,
        "retry": Retry(NoBackoff(), 0),  # a dead sentinel is skipped at once, the next one is asked
    }
    if options.sentinel_password:
        sentinel_kwargs["password"] = options.sentinel_password
    sentinel = Sentinel(list(target.hosts), sentinel_kwargs=sentinel_kwargs, **common)
    return sentinel.master_for(target.service, db=target.db, username=target.username, password=target.password)


def is_cluster_node(client):
    """INFO cluster says cluster_enabled:1 on a cluster node. A server that hides INFO is standalone."""
    try:
        return int(client.info("cluster").get("cluster_enabled", 0)) == 1
    except redis.ResponseError:
        return False


def connect(url, options):
    """(client, mode): the redis-py client for the URL and the mode it runs in. May raise redis-py
    connection errors (auto mode asks the server), which the caller retries."""
    mode = mode_of_url(url, options.mode)
    if mode == "sentinel":
        return sentinel_client(url, options), "sentinel"
    if mode == "cluster":
        return cluster_client(url, options), "cluster"
    client = standalone_client(url, options)
    if mode == "auto" and is_cluster_node(client):
        client.close()
        return cluster_client(url, options), "cluster"
    return client, "standalone"
