"""Health: each status and HTTP code, each check's failure, probes, and no secret in any output."""

import io
import json
import logging
import threading

import pytest

from diagnostics import checks
from storage.served import reset_stale
from tests.conftest import make_backend
from tests.diag_helpers import keys, make_client, make_session, run_json
from tests.paged_edits import add_entry
from tests.redis_server import RedisServer


@pytest.fixture
def on_redis(use_store, prefix, monkeypatch):
    """Install a redis store on `server`, with REDIS_URL set as the environment check expects."""

    def install(server, **options):
        monkeypatch.setenv("REDIS_URL", server.url)
        return use_store(make_backend("redis", prefix, redis_server=server, **options))

    return install


@pytest.fixture
def persistent_server(redis_server):
    """The shared server with AOF on (the tests' servers start with persistence off)."""
    client = redis_server.client()
    client.config_set("appendonly", "yes")
    yield redis_server
    client.config_set("appendonly", "no")


def get_health(client):
    response = client.get("/api/health")
    return response, response.json()


def test_healthy_is_200_with_the_seed_shape_and_no_store(client, persistent_server, on_redis):
    on_redis(persistent_server)
    response, body = get_health(client)
    assert response.status_code == 200, body
    assert body["status"] == "healthy"
    assert set(body) == {"status", "checks", "summary", "backend", "timestamp", "version"}
    assert set(body["checks"]) == {"redis_available", "redis_health", "environment", "data_in_redis", "cache_coherence"}
    assert body["summary"] == {"total": 5, "passed": 5, "failed": 0, "warnings": 0}
    for result in body["checks"].values():
        assert {"status", "message", "duration_ms"} <= set(result)
    assert "no-store" in response["Cache-Control"]
    health = body["checks"]["redis_health"]["values"]
    assert health["canary"] == {"written": True, "read_back": True, "deleted": True}
    assert health["aof_enabled"] is True and health["role"] == "master" and health["redis_version"]


def test_persistence_off_is_a_warning_and_degraded_200(client, redis_server, on_redis):
    on_redis(redis_server)  # started with --save "" --appendonly no
    response, body = get_health(client)
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["redis_health"]["status"] == "warning"
    assert "persistence is off" in body["checks"]["redis_health"]["message"]
    assert body["summary"]["warnings"] == 1


def test_evicting_policy_is_a_warning(client, own_redis_server, on_redis):
    own_redis_server.client().config_set("appendonly", "yes")
    own_redis_server.client().config_set("maxmemory-policy", "allkeys-lru")
    on_redis(own_redis_server)
    response, body = get_health(client)
    assert response.status_code == 200 and body["status"] == "degraded"
    message = body["checks"]["redis_health"]["message"]
    assert "allkeys-lru" in message and "deletes records" in message and "persistence" not in message


def test_memory_near_maxmemory_is_a_warning(own_redis_server, on_redis, monkeypatch):
    server = own_redis_server.client()
    server.config_set("appendonly", "yes")
    server.config_set("maxmemory", str(server.info("memory")["used_memory"] * 4))  # noeviction stays
    monkeypatch.setattr(checks, "MEMORY_WARNING_RATIO", 0.1)
    on_redis(own_redis_server)
    result = checks._timed(checks.RedisHealth())
    assert result.status == "warning" and "of maxmemory" in result.message
    assert 0.1 < result.values["memory_used_ratio"] < 1


def test_redis_out_of_memory_fails_the_canary(own_redis_server, on_redis):
    own_redis_server.client().config_set("maxmemory", "1")
    on_redis(own_redis_server)
    result = checks._timed(checks.RedisHealth())
    assert result.status == "failed"
    assert "canary write failed" in result.message and "maxmemory" in result.message


def test_redis_stopped_is_unhealthy_503(client, own_redis_server, on_redis):
    on_redis(own_redis_server, socket_timeout=0.5, connect_timeout=0.5)
    own_redis_server.stop()
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["status"] == "unhealthy"
    assert body["checks"]["redis_available"]["status"] == "failed"
    assert body["checks"]["redis_available"]["critical"] is True
    assert body["checks"]["redis_health"]["status"] == "failed"


def test_non_critical_failure_is_degraded_200(client, redis_server, on_redis, monkeypatch):
    on_redis(redis_server)
    monkeypatch.delenv("REDIS_URL")
    response, body = get_health(client)
    assert response.status_code == 200 and body["status"] == "degraded"
    environment = body["checks"]["environment"]
    assert environment["status"] == "failed" and "REDIS_URL" in environment["message"]


def test_an_exception_inside_a_check_is_a_failed_check():
    class Broken(checks.Check):
        name = "broken"

        def check(self):
            raise RuntimeError("boom")

    [result] = checks.run_checks([Broken()])
    assert result.status == "failed" and "RuntimeError: boom" in result.message


def test_a_check_that_does_not_answer_in_time_fails_without_blocking_the_others():
    release = threading.Event()

    class Stuck(checks.Check):
        name = "stuck"
        timeout = 0.2

        def check(self):
            release.wait(30)
            return checks.PASSED, "late", {}

    class Quick(checks.Check):
        name = "quick"

        def check(self):
            return checks.PASSED, "ok", {}

    try:
        stuck, quick = checks.run_checks([Stuck(), Quick()])
    finally:
        release.set()
    assert stuck.status == "failed" and "No answer within 0.2 s" in stuck.message
    assert quick.status == "passed"


def test_data_in_redis_warns_when_sampled_index_entries_have_no_record(redis_server, on_redis, prefix):
    on_redis(redis_server)
    make_session(make_client()["id"])
    add_entry(redis_server.client(), keys(prefix).creation("clients"), "client_ghost", 1)
    result = checks._timed(checks.DataInRedis())
    assert result.status == "warning" and "verify_redis" in result.message
    assert result.values["collections"]["clients"]["index_without_record"] == 1
    assert result.values["collections"]["sessions"]["count"] == 1


def test_data_in_redis_warns_while_a_sort_index_is_not_built_and_passes_once_built(redis_server, on_redis):
    from django.core.management import call_command

    from tests.test_sort_index import forget_sort_index

    store = on_redis(redis_server)
    make_session(make_client()["id"])
    assert checks._timed(checks.DataInRedis()).status == "passed"  # written by this version: built
    forget_sort_index(store)  # as data of an older version looks
    result = checks._timed(checks.DataInRedis())
    assert result.status == "warning" and "sessions.starts_at" in result.message and "build_indexes" in result.message
    assert result.values["collections"]["sessions"]["sort_indexes_to_build"] == ["starts_at"]
    call_command("build_indexes", stdout=io.StringIO(), stderr=io.StringIO())
    assert checks._timed(checks.DataInRedis()).status == "passed"


def test_data_in_redis_warns_while_a_unique_index_is_in_the_previous_layout_until_moved(redis_server, on_redis):
    from django.core.management import call_command

    from tests.diag_helpers import keys, to_previous_layout

    store = on_redis(redis_server)
    make_client()
    assert checks._timed(checks.DataInRedis()).status == "passed"
    to_previous_layout(redis_server.client(), keys(store.backend.keys.prefix), "clients", "email")
    result = checks._timed(checks.DataInRedis())
    assert result.status == "warning" and "clients.email" in result.message and "build_indexes" in result.message
    assert result.values["collections"]["clients"]["unique_indexes_to_move"] == ["email"]
    call_command("build_indexes", stdout=io.StringIO(), stderr=io.StringIO())
    assert checks._timed(checks.DataInRedis()).status == "passed"


def test_cache_coherence_reports_behind_then_warns_when_memory_is_ahead(redis_server, on_redis, prefix, use_store):
    store = on_redis(redis_server)
    make_client()
    clients = store.collection("clients")
    clients.all()
    other = make_backend("redis", prefix, redis_server=redis_server)  # another process writes
    from storage.store import Store

    Store(other).collection("clients").create(
        {"name": "B", "email": "", "phone": "", "notes": "", "tags": [], "is_active": True}
    )
    result = checks._timed(checks.CacheCoherence())
    assert result.status == "passed" and "behind" in result.message
    assert result.values["collections"]["clients"]["behind"] == 1
    redis_server.client().set(keys(prefix).version("clients"), 0)  # the backend lost its writes
    clients.cache.version = 2
    result = checks._timed(checks.CacheCoherence())
    assert result.status == "warning" and "ahead" in result.message


def test_jsonfile_backend_is_healthy_and_says_what_does_not_apply(client, tmp_path, prefix, use_store):
    use_store(make_backend("jsonfile", prefix, tmp_path=tmp_path))
    response, body = get_health(client)
    assert response.status_code == 200
    assert body["checks"]["redis_health"]["status"] == "passed"
    assert "no server to inspect" in body["checks"]["redis_health"]["message"]
    assert body["backend"]["backend"] == "jsonfile"


def test_live_and_ready(client, own_redis_server, on_redis):
    on_redis(own_redis_server, socket_timeout=0.5, connect_timeout=0.5)
    assert client.get("/api/health/live").status_code == 200
    assert client.get("/api/health/ready").json() == {"status": "ready"}
    own_redis_server.stop()
    assert client.get("/api/health/live").status_code == 200
    response = client.get("/api/health/ready")
    assert response.status_code == 503 and response["Retry-After"]


def test_health_refuses_other_methods(client):
    assert client.post("/api/health").status_code == 405


@pytest.mark.django_db
def test_no_password_anywhere_in_health_reports_or_logs(client, on_redis, admin_client, caplog):
    password = "Sup3r-s3cret-pass-7f1c"
    server = RedisServer(password=password).start()
    try:
        on_redis(server, socket_timeout=0.5, connect_timeout=0.5)
        make_client()
        with caplog.at_level(logging.DEBUG):
            outputs = [client.get("/api/health").content.decode()]
            outputs.append(admin_client.get("/api/database/verify-redis").content.decode())
            outputs.append(json.dumps(run_json("health")[1]))
            outputs.append(admin_client.get("/admin/diagnostics/storage/").content.decode())
            server.stop()  # failures quote the error: still no password
            outputs.append(client.get("/api/health").content.decode())
            outputs.append(client.get("/api/health/ready").content.decode())
            outputs.append(admin_client.get("/api/database/verify-redis").content.decode())
        assert (
            "redis://:***@127.0.0.1" in outputs[2]
        )  # the operator's report shows the masked target; the public one does not
        for text in [*outputs, caplog.text]:
            assert password not in text
    finally:
        server.close()


def test_a_redis_without_info_is_a_warning_not_a_pass(use_store, prefix):
    use_store(make_backend("fakeredis", prefix))  # fakeredis answers no INFO, like some managed services
    result = checks._timed(checks.RedisHealth())
    assert result.status == "warning" and "unknown" in result.message
    assert result.values["canary"]["read_back"] is True


def test_environment_warns_about_a_weak_secret_key_and_jsonfile_in_production(settings, tmp_path, prefix, use_store):
    use_store(make_backend("jsonfile", prefix, tmp_path=tmp_path))
    settings.DEBUG = False
    settings.SECRET_KEY = "short"
    result = checks._timed(checks.Environment())
    assert result.status == "warning"
    assert "SECRET_KEY is weak" in result.message and "jsonfile" in result.message
    assert "short" not in json.dumps(result.values)  # names and facts only, never values
    settings.DEBUG = True
    assert checks._timed(checks.Environment()).status == "passed"


def test_cache_coherence_warns_while_this_process_serves_stale_memory(own_redis_server, prefix, use_store):
    backend = make_backend("redis", prefix, redis_server=own_redis_server, socket_timeout=0.5)
    store = use_store(backend, stale_reads=True)
    make_client()
    clients = store.collection("clients")
    clients.all()
    own_redis_server.stop()
    assert len(clients.all()) == 1  # served from memory, flagged stale
    own_redis_server.start()
    result = checks._timed(checks.CacheCoherence())
    assert result.status == "warning" and "clients" in result.message and "stale" in result.message
    clients.all()  # the backend answers again (empty: it had no persistence)
    reset_stale()  # a new request
    result = checks._timed(checks.CacheCoherence())
    assert result.status == "passed" and result.values["serving_stale"] == []


@pytest.mark.django_db
def test_public_health_does_not_say_where_the_data_lives(redis_store, client, django_user_model):
    public = client.get("/api/health").json()
    assert "target" not in public["backend"] and public["backend"]["backend"] == "redis"
    assert "127.0.0.1" not in json.dumps(public)
    staff = django_user_model.objects.create_user("ops", password="pw-ops-123456", is_staff=True)
    client.force_login(staff)
    assert client.get("/api/health").json()["backend"]["target"].startswith("redis://127.0.0.1:")
