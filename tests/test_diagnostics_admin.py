"""The admin's "Storage diagnostics" page and its repair flow; the staff-only JSON endpoints."""

import re

import pytest
from django.test import Client

from storage import store as store_module
from storage.collection import CollectionSpec
from tests.conftest import make_backend
from tests.diag_helpers import keys, make_client, make_session
from tests.paged_edits import add_entry, entry_score

pytestmark = pytest.mark.django_db

PAGE = "/admin/diagnostics/storage/"
REPAIR = "/admin/diagnostics/storage/repair/"


@pytest.fixture
def on_redis(use_store, prefix, monkeypatch, redis_server):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    store = use_store(make_backend("redis", prefix, redis_server=redis_server))
    make_session(make_client()["id"])
    return store


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(django_user_model):
    return logged_in(django_user_model.objects.create_user("staff", password="pw-staff-1", is_staff=True))


@pytest.fixture
def plain_client(django_user_model):
    return logged_in(django_user_model.objects.create_user("plain", password="pw-plain-1"))


@pytest.fixture
def ghost(on_redis, redis_server, prefix):
    """An index entry without a record, injected by hand."""
    index = keys(prefix).creation("clients")
    add_entry(redis_server.client(), index, "client_ghost", 1)
    return lambda: entry_score(redis_server.client(), index, "client_ghost")


def test_admin_index_links_to_the_page(on_redis, admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert f'href="{PAGE}"' in response.content.decode()


def test_page_for_staff_shows_health_verify_and_sessions_in_the_admin_layout(on_redis, staff_client):
    response = staff_client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["admin/diagnostics/storage.html", "admin/diagnostics/base.html"]
    assert "admin/base_site.html" in [t.name for t in response.templates]
    assert '<div class="breadcrumbs">' in html and "Storage diagnostics" in html
    for name in ("redis_available", "redis_health", "environment", "data_in_redis", "cache_coherence"):
        assert name in html
    assert "No integrity problem found" in html
    assert "Repair" not in html  # staff, not superuser
    for name in ("clients", "sessions"):  # every registered collection is compared
        assert f'id="compare-{name}"' in html and f"{name.capitalize()}: backend vs this process" in html
    sessions = comparison(html, "sessions")
    assert headers(sessions) == ["Id", "Title", "Client", "Starts at", "Version"]
    assert "<td>Intro</td><td>Jeanne Dupont</td>" in sessions  # the client by its name, not its id
    assert headers(comparison(html, "clients")) == ["Id", "Name", "Version"]


def comparison(html, name):
    return html.split(f'id="compare-{name}"', 1)[1].split('<div class="module', 1)[0]


def headers(section):
    return re.findall(r"<th>([^<]*)</th>", section)


def test_a_third_record_type_is_compared_from_its_spec_alone(on_redis, staff_client, monkeypatch):
    spec = CollectionSpec(
        name="notes",
        id_prefix="note",
        label="Note",
        title_field="subject",
        references={"client_id": "clients"},
        listed=("due", "room"),
    )
    monkeypatch.setitem(store_module._specs, "notes", spec)
    client_id = on_redis.collection("clients").all()[0]["id"]
    fields = {"subject": "Call back", "client_id": client_id, "due": "2026-12-01T10:00:00Z", "room": "B2"}
    note = on_redis.collection("notes").create(fields)
    section = comparison(staff_client.get(PAGE).content.decode(), "notes")
    assert "Notes: backend vs this process" in section
    assert headers(section) == ["Id", "Subject", "Client", "Due", "Room", "Version"]
    row = f'<td class="diag-ids">{note["id"]}</td><td>Call back</td><td>Jeanne Dupont</td>'
    assert row + "<td>Dec. 1, 2026, 10 a.m.</td><td>B2</td><td>1</td>" in section


def test_page_refused_for_anonymous_and_non_staff(on_redis, plain_client):
    anonymous = Client().get(PAGE)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    response = plain_client.get(PAGE)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_page_shows_a_clear_message_when_redis_is_down(own_redis_server, prefix, use_store, admin_client):
    use_store(make_backend("redis", prefix, redis_server=own_redis_server, socket_timeout=0.5))
    own_redis_server.stop()
    response = admin_client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "unhealthy" in html and "Could not verify: StorageUnavailable" in html


def test_repair_button_flow_confirms_then_shows_what_changed(ghost, admin_client):
    page = admin_client.get(PAGE).content.decode()
    assert "client_ghost" in page and f'href="{REPAIR}"' in page
    confirm = admin_client.get(REPAIR)
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "Would apply" in html and "Yes, repair" in html
    assert ghost() == 1  # nothing changed by the confirmation page
    done = admin_client.post(REPAIR, {"confirm": "yes"})
    html = done.content.decode()
    assert done.status_code == 200
    assert "1 fix(es) applied" in html and "now consistent" in html
    assert "<td>Remove from the index: client_ghost</td><td>Applied</td>" in re.sub(r'<td title="[^"]*">', "<td>", html)
    assert ghost() is None
    assert "No integrity problem found" in admin_client.get(PAGE).content.decode()


def test_repair_page_words_an_orphan_it_leaves_for_the_page(on_redis, redis_server, prefix, admin_client):
    client_id = store_module.get_store().collection("sessions").all()[0]["client_id"]
    redis_server.client().delete(keys(prefix).record("clients", client_id))  # the session's client is gone
    html = admin_client.get(REPAIR).content.decode()
    cells = re.sub(r'<td title="[^"]*">', "<td>", html)
    assert "<td>Leave it as it is</td><td>Not deleted (“Repair and delete orphans” deletes it)</td>" in cells
    assert "--" not in re.sub(r"<!--.*?-->|<(script|style).*?</\1>", "", cells, flags=re.S)


def test_repair_refused_for_staff_who_are_not_superusers(ghost, staff_client):
    assert staff_client.get(REPAIR).status_code == 403
    assert staff_client.post(REPAIR, {"confirm": "yes"}).status_code == 403
    assert ghost() == 1


def test_repair_post_without_confirmation_changes_nothing(ghost, admin_client):
    response = admin_client.post(REPAIR, {})
    assert response.status_code == 200 and "Would apply" in response.content.decode()
    assert ghost() == 1


@pytest.mark.parametrize("url", ["/api/database/verify-redis", "/api/database/check-sessions"])
def test_json_reports_are_staff_only(on_redis, url, plain_client, staff_client):
    anonymous = Client().get(url)
    assert anonymous.status_code == 401 and anonymous.json()["detail"]
    assert plain_client.get(url).status_code == 403
    response = staff_client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_verify_redis_endpoint_lists_problems_and_bounds_the_listing(ghost, redis_server, prefix, staff_client):
    add_entry(redis_server.client(), keys(prefix).creation("clients"), "client_ghost2", 2)
    body = staff_client.get("/api/database/verify-redis?limit=1").json()
    assert body["consistent"] is False
    problem = body["problems"][0]
    assert problem["kind"] == "index_without_record" and problem["count"] == 2 and len(problem["ids"]) == 1
    assert body["collections"]["clients"]["records"]["count"] == 1
    response = staff_client.get("/api/database/verify-redis?limit=abc")
    assert response.status_code == 400 and "limit" in response.json()["detail"]


def test_check_sessions_endpoint_compares(on_redis, staff_client):
    body = staff_client.get("/api/database/check-sessions").json()
    assert body["backend"]["count"] == 1
    assert set(body["sessions"][0]) == {"id", "title", "client_id", "client_name", "starts_at", "version"}
    assert set(body["differences"]) == {"only_in_backend", "only_in_memory", "different_versions", "counts"}


def test_json_reports_answer_503_when_redis_is_down(own_redis_server, prefix, use_store, staff_client):
    use_store(make_backend("redis", prefix, redis_server=own_redis_server, socket_timeout=0.5))
    own_redis_server.stop()
    response = staff_client.get("/api/database/verify-redis")
    assert response.status_code == 503 and response["Retry-After"]
