"""Staff permissions on the storage-backed admin: view only, add, change, delete (real Redis)."""

from clients.models import Client
from sessions_app.models import Session
from storage.admin.forms import VERSION_FIELD

from .conftest import make_client, make_session

LIST = "/admin/clients/client/"


def form(name, version=None):
    data = {"name": name, "email": "", "phone": "", "notes": "", "tags": ""}
    if version is not None:
        data[VERSION_FIELD] = str(version)
    return data


def test_anonymous_is_sent_to_the_login_page(client, rstore):
    response = client.get(LIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_permission_sees_neither_model(staff):
    browser = staff()
    assert browser.get(LIST).status_code == 403
    assert browser.get("/admin/sessions_app/session/").status_code == 403
    index = browser.get("/admin/").content.decode()
    assert "Clients" not in index.split('id="content-main"')[1]


def test_view_only_lists_and_reads_but_cannot_write(staff):
    ann = make_client("Ann")
    browser = staff("view_client")
    assert browser.get(LIST).status_code == 200
    page = browser.get(f"/admin/clients/client/{ann.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="name"' not in html and "Ann" in html  # read-only view
    assert browser.post(f"/admin/clients/client/{ann.pk}/change/", form("X", 1)).status_code == 403
    assert browser.get("/admin/clients/client/add/").status_code == 403
    assert browser.post(f"/admin/clients/client/{ann.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Client.objects.get(pk=ann.pk).name == "Ann"
    bulk = {"action": "delete_selected", "_selected_action": [ann.pk], "post": "yes"}
    browser.post(LIST, bulk)
    assert Client.objects.filter(pk=ann.pk).exists()


def test_add_permission_adds(staff):
    browser = staff("add_client")
    assert browser.post("/admin/clients/client/add/", form("New")).status_code == 302
    assert [c.name for c in Client.objects.all()] == ["New"]


def test_change_permission_changes_but_cannot_delete(staff):
    ann = make_client("Ann")
    browser = staff("change_client")
    assert browser.post(f"/admin/clients/client/{ann.pk}/change/", form("Ann B", 1)).status_code == 302
    assert Client.objects.get(pk=ann.pk).name == "Ann B"
    assert browser.get(f"/admin/clients/client/{ann.pk}/delete/").status_code == 403


def test_delete_permission_deletes(staff):
    ann = make_client("Ann")
    browser = staff("view_client", "delete_client")
    assert browser.post(f"/admin/clients/client/{ann.pk}/delete/", {"post": "yes"}).status_code == 302
    assert Client.objects.count() == 0


def test_cascade_needs_permission_to_delete_the_sessions_too(staff):
    ann = make_client("Ann")
    make_session(ann, "A1")
    browser = staff("view_client", "delete_client")
    page = browser.get(f"/admin/clients/client/{ann.pk}/delete/").content.decode()
    assert "doesn't have permission to delete the following types of objects" in page
    response = browser.post(f"/admin/clients/client/{ann.pk}/delete/", {"post": "yes", "cascade": "on"})
    assert response.status_code == 403
    assert Client.objects.filter(pk=ann.pk).exists() and Session.objects.count() == 1


def test_session_autocomplete_needs_view_permission_on_clients(staff):
    make_client("Ann")
    params = {"app_label": "sessions_app", "model_name": "session", "field_name": "client", "term": "an"}
    assert staff("add_session").get("/admin/autocomplete/", params).status_code == 403
    allowed = staff("add_session", "view_client").get("/admin/autocomplete/", params)
    assert [r["text"] for r in allowed.json()["results"]] == ["Ann"]
