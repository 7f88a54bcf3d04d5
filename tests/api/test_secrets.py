"""Secrets never leak: with a password in REDIS_URL, a REST token and SECRET_KEY set and
DEBUG off, every error path is forced (Redis down, wrong Redis password, refused REST token,
validation errors, 404, 405, 413, an unhandled 500); no secret appears in any response body,
header or log line (formatted as text and as JSON, tracebacks included)."""

import logging

import pytest
from django.test import Client as HttpClient

from storage.log import EmojiFormatter, JsonFormatter
from tests.api.conftest import ALL_PERMS
from tests.conftest import make_backend
from tests.figures import record
from tests.redis_server import RedisServer

REDIS_PASSWORD = "redis-pw-Zq8sK2vX9tLm"
REST_TOKEN = "rest-token-Hf3nW7pQ1yRc"
SECRET_KEY = "secret-key-Jd5bT0uE6gNa-" + "x" * 40
SECRETS = (REDIS_PASSWORD, REST_TOKEN, SECRET_KEY)


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []
        self.formatters = [EmojiFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"), JsonFormatter()]

    def emit(self, record):
        for formatter in self.formatters:
            self.lines.append(formatter.format(record))


@pytest.fixture
def logs():
    handler = Collect()
    loggers = [logging.getLogger(name) for name in ("", "storage", "django", "django.request", "django.server")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if logger.name == "storage" else logging.INFO)
    yield handler
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def secret_settings(settings, redis_server):
    settings.DEBUG = False
    settings.SECRET_KEY = SECRET_KEY
    settings.REDIS_URL = f"redis://:{REDIS_PASSWORD}@127.0.0.1:{redis_server.port}/0"
    settings.KV_REST_API_TOKEN = REST_TOKEN
    settings.STORAGE = {**settings.STORAGE, "REDIS_URL": settings.REDIS_URL, "REST_TOKEN": REST_TOKEN}
    settings.ROOT_URLCONF = "tests.api.boom_urls"
    return settings


@pytest.fixture
def people(make_user, django_user_model):
    def client_of(user):
        http = HttpClient(raise_request_exception=False)  # a 500 is answered, as in production
        http.force_login(user)
        return http

    root = django_user_model.objects.create_superuser("root", password="pw-root-123")
    return {"editor": client_of(make_user("editor", ALL_PERMS)), "root": client_of(root)}


def every_error_path(people):
    """Requests that fail in every way the API can fail, by whom they are made."""
    editor, root = people["editor"], people["root"]
    json_ = "application/json"
    return [
        editor.get("/api/clients/"),
        editor.get("/api/clients/client_01ABCDEFGHJKMNPQRSTVWXYZ00/"),
        editor.post("/api/clients/", {"name": "x"}, content_type=json_),
        editor.patch("/api/clients/client_01ABCDEFGHJKMNPQRSTVWXYZ00/", {"name": "x"}, content_type=json_),
        editor.post("/api/clients/", {"name": ""}, content_type=json_),
        editor.post("/api/clients/", "{bad json", content_type=json_),
        editor.post("/api/clients/", "x" * (2 * 1024 * 1024), content_type=json_),
        editor.get("/api/clients/?limit=-1"),
        editor.get("/api/nowhere/"),
        editor.delete("/api/clients/"),
        editor.get("/api/health"),
        root.get("/api/health"),
        editor.get("/api/health/ready"),
        root.get("/api/database/verify-redis"),
        root.get("/api/database/check-sessions"),
        root.get("/admin/diagnostics/storage/"),
        editor.get("/api/boom/"),
        editor.post("/api/auth/token/", {"username": "editor", "password": "wrong"}),
    ]


def assert_no_secret(responses, logs):
    statuses = {}
    for response in responses:
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        texts = [response.content.decode("utf-8", "replace")] + [f"{k}: {v}" for k, v in response.items()]
        for text in texts:
            for secret in SECRETS:
                assert secret not in text, (response.status_code, text[:300])
    assert logs.lines  # the failures were logged
    for line in logs.lines:
        for secret in SECRETS:
            assert secret not in line, line[:500]
    return statuses


def test_redis_down_with_a_password_in_the_url(secret_settings, prefix, use_store, people, logs):
    server = RedisServer(password=REDIS_PASSWORD).start()
    store = use_store(make_backend("redis", prefix, redis_server=server, socket_timeout=0.2, connect_timeout=0.2))
    assert REDIS_PASSWORD in store.backend.url  # the secret is there to leak
    server.close()  # kill -9: every storage call fails
    responses = every_error_path(people)
    statuses = assert_no_secret(responses, logs)
    assert statuses.get(503) and statuses.get(500) == 1  # storage down, and the test-only failure
    record("secrets_redis_down", responses=len(responses), log_lines=len(logs.lines), statuses=statuses)


def test_wrong_redis_password(secret_settings, prefix, use_store, people, logs):
    server = RedisServer(password="the-real-one-is-different").start()
    try:
        server.password = REDIS_PASSWORD  # the URL carries a wrong password
        use_store(make_backend("redis", prefix, redis_server=server))
        responses = every_error_path(people)
    finally:
        server.close()
    assert_no_secret(responses, logs)
    assert any(r.status_code >= 500 for r in responses[:4])


def test_refused_rest_token(secret_settings, rest_server, prefix, use_store, people, logs):
    from storage.backends.rest import RestBackend

    use_store(RestBackend(rest_server.url, REST_TOKEN, prefix))  # the server does not know this token
    responses = every_error_path(people)
    assert_no_secret(responses, logs)
    assert any(r.status_code >= 500 for r in responses[:4])


def test_validation_errors_and_404_on_a_working_backend(secret_settings, prefix, use_store, people, logs, redis_server):
    use_store(make_backend("redis", prefix, redis_server=redis_server))
    responses = every_error_path(people)
    statuses = assert_no_secret(responses, logs)
    assert {400, 404, 405, 413, 500} <= set(statuses)
