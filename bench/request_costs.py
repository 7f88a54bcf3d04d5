"""What three per-process reuses buy one API request, measured in process: each feature on and
off, alternating in rounds, through the real WSGI application (every middleware, request signals
and all), on a redis-server of its own and Django's database in a SQLite file.

    .venv/bin/python -m bench.request_costs [--count 300] [--rounds 6] [--clients 300]

- render cache: GET of a detail and of a list of 50, JSON kept (API_RENDER_CACHE_BYTES) or rebuilt;
- serializer fields built once per class, or per serializer as ModelSerializer does (a detail GET,
  render cache off, so that the serializer runs);
- persistent connections to Django's database (CONN_MAX_AGE 600 or 0), on a request that queries
  it: a token looked up in SQL (the token cache emptied before each request, untimed).

Prints the median and p99 of each side in microseconds.
"""

import argparse
import io
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
WORK = Path(tempfile.mkdtemp(prefix="request-costs-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'db.sqlite3'}"
os.environ.setdefault("STATIC_ROOT", str(WORK))

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.timing import sample, stats  # noqa: E402
from clients.serializers import ClientSerializer  # noqa: E402
from config.api import authentication, render_cache  # noqa: E402
from storage.backends.redis import RedisBackend  # noqa: E402
from storage.store import Store, set_store  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

application = WSGIHandler()


def call(method, path, token, body=None):
    """One request through the WSGI application; the response closed (request_finished sent)."""
    data = json.dumps(body).encode() if body is not None else b""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "HTTP_ACCEPT": "application/json",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status = []
    response = application(environ, lambda s, headers, exc_info=None: status.append(s))
    content = b"".join(response)
    response.close()
    if not status[0].startswith(("200", "201")):
        raise RuntimeError(f"{method} {path}: {status[0]} {content[:200]!r}")
    return content


def set_render_cache(on):
    render_cache.cache.clear()
    render_cache.cache.max_bytes = 16 * 1024 * 1024 if on else 0


KEPT_FIELDS = ClientSerializer.get_fields  # RecordSerializer's: built once per class, then copied


def rebuilt_fields(self):
    """As ModelSerializer does: the fields introspected again for this serializer."""
    if "_built_fields" in ClientSerializer.__dict__:
        del ClientSerializer._built_fields
    return KEPT_FIELDS(self)


def set_fields_once(on):
    ClientSerializer.get_fields = KEPT_FIELDS if on else rebuilt_fields


def set_persistent(on):
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 600 if on else 0


def alternate(name, switch, request, count, rounds, setup=None):
    """The request timed with the feature on and off, alternating blocks of count // rounds."""
    durations = {True: [], False: []}
    for side in (True, False):  # warm both
        switch(side)
        sample(request, 5, setup=setup)
    for _ in range(rounds):
        for side in (True, False):
            switch(side)
            durations[side] += sample(request, max(1, count // rounds), setup=setup)
    switch(True)
    on, off = stats(durations[True]), stats(durations[False])
    print(
        f"{name:<46} on {on['median'] * 1e6:8.0f} µs (p99 {on['p99'] * 1e6:6.0f})   "
        f"off {off['median'] * 1e6:8.0f} µs (p99 {off['p99'] * 1e6:6.0f})   "
        f"saved {(off['median'] - on['median']) * 1e6:6.0f} µs, n={on['n']}+{off['n']}"
    )


def prepare(server, clients):
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    set_store(Store(RedisBackend(server.url, "request-costs")))
    call_command("migrate", verbosity=0)
    user = User.objects.create_superuser("bench", password="pw-bench-0123456789")
    token = Token.objects.create(user=user).key
    ids = [json.loads(call("POST", "/api/clients/", token, {"name": f"Client {i}"}))["id"] for i in range(clients)]
    return token, ids[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="requests per side and measurement")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--clients", type=int, default=300, help="client records stored first")
    args = parser.parse_args(argv)
    server = RedisServer().start()
    try:
        token, record_id = prepare(server, args.clients)
        detail, page = f"/api/clients/{record_id}/", "/api/clients/?limit=50"
        n, rounds = args.count, args.rounds
        print(f"{args.clients} clients, {n} requests per side, {rounds} alternating rounds")
        alternate("render cache: GET detail", set_render_cache, lambda: call("GET", detail, token), n, rounds)
        alternate("render cache: GET list of 50", set_render_cache, lambda: call("GET", page, token), n, rounds)
        set_render_cache(False)
        get_detail = lambda: call("GET", detail, token)  # noqa: E731
        alternate("fields once: GET detail (render cache off)", set_fields_once, get_detail, n, rounds)
        alternate(
            "persistent connection: token looked up in SQL",
            set_persistent,
            lambda: call("GET", detail, token),
            n,
            rounds,
            setup=authentication.cache.clear,
        )
    finally:
        server.close()


if __name__ == "__main__":
    main()
