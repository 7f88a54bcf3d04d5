"""A redis-server held in LOADING for as long as a test needs, with Redis 7's own configs.

`key-load-delay` sleeps that many microseconds per key while loading (wall-clock: a busy machine
only lengthens the window), `loading-process-events-interval-bytes` makes the server answer
clients after every 1 kB it reads, and an uncompressed RDB of 1 kB keys puts one key in each kB:
each LOADING answer comes within milliseconds, and 10,000 keys at 2 ms hold the window for 20 s.
CONFIG SET is answered while loading, so `finish_loading` ends the window when the test says so.
"""

import subprocess
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.redis_server import RedisServer

KEYS = 10_000
LOADING_ARGS = (
    "--key-load-delay",
    "2000",
    "--loading-process-events-interval-bytes",
    "1024",
    "--rdbcompression",
    "no",
)


def loading_server():
    """A started redis-server that restart_loading() can hold in LOADING."""
    return RedisServer(*LOADING_ARGS).start()


def is_loading(exc):
    return "LOADING" in str(exc) or "loading the dataset" in str(exc)


def _probe(server):
    # no redis-py retry of its own: each PING is one attempt, answered or not
    return redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=5, retry=Retry(NoBackoff(), 0))


def restart_loading(server, deadline=30):
    """kill -9 the server on KEYS filler keys of 1 kB and restart it; return once a PING is
    answered LOADING (the window has begun: it lasts until finish_loading, up to 20 s)."""
    server.client().execute_command("DEBUG", "POPULATE", str(KEYS), "filler", "1000")
    server.client().save()
    server.kill()
    server.process = subprocess.Popen(server.args(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    probe, give_up = _probe(server), time.monotonic() + deadline
    try:
        while time.monotonic() < give_up:
            try:
                probe.ping()
            except redis.BusyLoadingError:
                return
            except redis.ConnectionError:
                pass  # not listening yet
            else:
                raise RuntimeError("redis-server loaded before the test saw LOADING: the window is too short")
            time.sleep(0.01)
    finally:
        probe.close()
    raise RuntimeError(f"redis-server on port {server.port} never answered LOADING")


def finish_loading(server, deadline=60):
    """End the window: no more delay per key; return once the server answers normally."""
    probe, give_up = _probe(server), time.monotonic() + deadline
    try:
        probe.config_set("key-load-delay", 0)
        while time.monotonic() < give_up:
            try:
                probe.ping()
                return
            except redis.BusyLoadingError:
                time.sleep(0.01)
    finally:
        probe.close()
    raise RuntimeError(f"redis-server on port {server.port} never finished loading")


def record_outcomes(backend):
    """Record every attempt the backend makes (the redis backend's commands, or the REST POSTs):
    "answered" or the error's text. Returns the list, appended to as attempts happen."""
    outcomes = []
    owner, name = (backend, "_send") if hasattr(backend, "_send") else (backend, "_command")
    call = getattr(owner, name)

    def recorded(*args, **kwargs):
        try:
            result = call(*args, **kwargs)
        except Exception as exc:
            outcomes.append(str(exc))
            raise
        outcomes.append("answered")
        return result

    setattr(owner, name, recorded)
    return outcomes
