"""Redis down: admin pages answer 503 with a clear message inside the admin layout, and a POSTed
form is shown again with what the user typed (real redis-server, stopped during the test)."""

import pytest

from clients.models import Client
from storage.admin.forms import VERSION_FIELD
from tests.conftest import make_backend

from .conftest import make_client


@pytest.fixture
def down(own_redis_server, prefix, use_store, superuser):
    """A store on a redis-server of the test's own, with one client; stop() takes Redis down."""
    use_store(make_backend("redis", prefix, redis_server=own_redis_server, socket_timeout=0.5, connect_timeout=0.5))
    ann = make_client("Ann")
    return own_redis_server, ann


def assert_admin_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert "Storage is unavailable" in html
    assert 'id="site-name"' in html and 'class="breadcrumbs"' in html  # the admin layout
    return html


def test_changelist_is_a_503_inside_the_admin(superuser, down):
    server, _ = down
    server.stop()
    html = assert_admin_503(superuser.get("/admin/clients/client/"))
    assert "Try again" in html


def test_change_page_is_a_503_inside_the_admin(superuser, down):
    server, ann = down
    server.stop()
    assert_admin_503(superuser.get(f"/admin/clients/client/{ann.pk}/change/"))


def test_add_form_is_shown_again_with_what_was_typed(superuser, down):
    server, _ = down
    server.stop()
    data = {"name": "Typed Name", "email": "typed@example.com", "phone": "", "notes": "", "tags": ""}
    response = superuser.post("/admin/clients/client/add/", data)
    html = assert_admin_503(response)
    assert "nothing was saved" in html
    assert 'value="Typed Name"' in html and 'value="typed@example.com"' in html
    assert 'id="client_form"' in html  # the add form itself, not a separate page
    server.start()  # storage is back (empty: no persistence): sending the same data saves it
    assert superuser.post("/admin/clients/client/add/", data).status_code == 302
    assert [c.name for c in Client.objects.all()] == ["Typed Name"]


def test_change_post_keeps_what_was_typed_and_can_send_it_again(superuser, down):
    server, ann = down
    server.stop()
    data = {"name": "Ann <New>", "email": "", "phone": "", "notes": "", "tags": "", VERSION_FIELD: "1"}
    html = assert_admin_503(superuser.post(f"/admin/clients/client/{ann.pk}/change/", data))
    assert "What you typed (not saved)" in html
    assert '<input type="hidden" name="name" value="Ann &lt;New&gt;">' in html
    assert f'<input type="hidden" name="{VERSION_FIELD}" value="1">' in html
    assert "csrfmiddlewaretoken" in html  # the resend form carries a fresh token
    assert f"<td>{VERSION_FIELD}</td>" not in html and "<td>name</td>" in html  # machinery not shown


def test_session_add_with_redis_down_keeps_what_was_typed(superuser, down):
    server, ann = down
    server.stop()
    data = {"client": ann.pk, "title": "Typed title", "starts_at_0": "2026-12-01", "starts_at_1": "10:00"}
    html = assert_admin_503(superuser.post("/admin/sessions_app/session/add/", data))
    assert 'value="Typed title"' in html


def test_autocomplete_gets_a_json_503(superuser, down):
    server, _ = down
    server.stop()
    params = {"app_label": "sessions_app", "model_name": "session", "field_name": "client", "term": "a"}
    response = superuser.get("/admin/autocomplete/", params, headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 503
    assert "Storage is unavailable" in response.json()["error"]


def test_pages_outside_the_admin_are_left_to_their_own_handling(superuser, down, settings):
    from storage.admin.middleware import StorageUnavailableAdminMiddleware
    from storage.errors import StorageUnavailable

    request = type("R", (), {"path": "/api/clients/"})()
    assert StorageUnavailableAdminMiddleware(lambda r: None).process_exception(request, StorageUnavailable()) is None


def test_with_stale_reads_the_list_is_served_from_memory_with_a_warning(superuser, own_redis_server, prefix, use_store):
    backend = make_backend("redis", prefix, redis_server=own_redis_server, socket_timeout=0.5, connect_timeout=0.5)
    use_store(backend, stale_reads=True)  # production's setting
    make_client("Ann")
    assert superuser.get("/admin/clients/client/").status_code == 200  # memory now knows Ann
    own_redis_server.stop()
    response = superuser.get("/admin/clients/client/")
    assert response.status_code == 200 and response["X-Storage-Stale"] == "true"
    html = response.content.decode()
    assert "shows the last known data kept in memory" in html and ">Ann<" in html
