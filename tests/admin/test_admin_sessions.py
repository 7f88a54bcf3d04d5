"""The Session admin on real Redis: list (client names without per-row reads), search, filters,
sorting, add/change with the client autocomplete, field errors, bulk delete."""

from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import ADDITION, DELETION, LogEntry

from sessions_app.models import Session
from storage.admin.forms import VERSION_FIELD
from tests.conftest import make_backend
from tests.test_storage_contract import CountingBackend

from .conftest import make_client, make_session

LIST = "/admin/sessions_app/session/"
ADD = "/admin/sessions_app/session/add/"
AUTOCOMPLETE = "/admin/autocomplete/"


def titles(response):
    return [obj.title for obj in response.context["cl"].result_list]


def session_form(client_id, **fields):
    data = {
        "client": client_id,
        "title": "Intro",
        "starts_at_0": "2026-12-01",
        "starts_at_1": "10:00:00",
        "duration_minutes": "60",
        "status": "scheduled",
        "location": "",
        "notes": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def two_clients(rstore):
    ann, bob = make_client("Ann"), make_client("Bob")
    make_session(ann, "Yoga", starts_at=datetime(2026, 12, 3, 9, tzinfo=UTC), status="completed")
    make_session(ann, "Pilates", starts_at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    make_session(bob, "Boxing", starts_at=datetime(2026, 12, 2, 9, tzinfo=UTC), duration_minutes=90)
    return ann, bob


def test_changelist_columns_with_client_names(superuser, two_clients):
    response = superuser.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    for header in ("Title", "Client", "Starts at", "Duration minutes", "Status"):
        assert f">{header}<" in html
    rows = {s.title: s.client_name for s in response.context["cl"].result_list}
    assert rows == {"Yoga": "Ann", "Pilates": "Ann", "Boxing": "Bob"}
    assert titles(response) == ["Yoga", "Boxing", "Pilates"]  # default: latest start first


def test_changelist_reads_no_record_per_row(prefix, redis_server, use_store, superuser, db):
    backend = CountingBackend(make_backend("redis", prefix, redis_server=redis_server))
    use_store(backend)
    clients = [make_client(f"Client {i}") for i in range(5)]
    for i in range(40):
        make_session(clients[i % 5], f"S{i}")
    superuser.get(LIST)  # warm the caches
    backend.calls.clear()
    response = superuser.get(LIST)
    assert len(response.context["cl"].result_list) == 40
    calls = [name for name, _ in backend.calls]
    assert "get" not in calls and "get_many" not in calls  # names come from the client cache
    assert len(calls) <= 6  # a few version checks, whatever the number of rows


def test_search_by_title(superuser, two_clients):
    assert titles(superuser.get(LIST, {"q": "ga"})) == ["Yoga"]
    assert titles(superuser.get(LIST, {"q": "BOX"})) == ["Boxing"]


def test_filters_by_status_and_client(superuser, two_clients):
    ann, bob = two_clients
    assert titles(superuser.get(LIST, {"status__exact": "completed"})) == ["Yoga"]
    assert titles(superuser.get(LIST, {"client__id__exact": ann.pk})) == ["Yoga", "Pilates"]
    html = superuser.get(LIST).content.decode()
    assert "By client" in html and f"client__id__exact={bob.pk}" in html  # few clients: all listed


def test_sorting_by_client_name_and_duration(superuser, two_clients):
    assert titles(superuser.get(LIST, {"o": "-2.1"})) == ["Boxing", "Pilates", "Yoga"]  # client desc, title
    assert titles(superuser.get(LIST, {"o": "-4"}))[0] == "Boxing"  # longest first


def test_add_form_uses_the_autocomplete_not_a_select_of_every_client(superuser, two_clients):
    html = superuser.get(ADD).content.decode()
    assert 'class="admin-autocomplete' in html and 'data-ajax--url="/admin/autocomplete/"' in html
    assert ">Ann<" not in html and ">Bob<" not in html


def test_autocomplete_searches_clients_by_name_and_email(superuser, rstore):
    make_client("Ann Martin", email="ann@example.com")
    make_client("Bob", email="martin@work.org")
    make_client("Cyd")
    params = {"app_label": "sessions_app", "model_name": "session", "field_name": "client"}
    results = superuser.get(AUTOCOMPLETE, {**params, "term": "martin"}).json()["results"]
    assert sorted(r["text"] for r in results) == ["Ann Martin", "Bob"]
    assert all(r["id"].startswith("client_") for r in results)


def test_add_saves_and_logs(superuser, two_clients):
    ann, _ = two_clients
    response = superuser.post(ADD, session_form(ann.pk, title="New one"))
    assert response.status_code == 302
    saved = Session.objects.filter(title="New one").first()
    assert saved.client_id == ann.pk and saved.starts_at == datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert LogEntry.objects.get(action_flag=ADDITION).object_id == saved.pk


def test_add_with_bad_fields_shows_errors(superuser, two_clients):
    response = superuser.post(ADD, session_form("client_missing", title=" ", duration_minutes="0", status="late"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"client", "title", "duration_minutes", "status"}
    assert Session.objects.count() == 3


def test_change_with_the_selected_client_shown(superuser, two_clients):
    ann, bob = two_clients
    session = Session.objects.filter(title="Boxing").first()
    html = superuser.get(f"/admin/sessions_app/session/{session.pk}/change/").content.decode()
    assert f'<option value="{bob.pk}" selected>Bob</option>' in html
    form = session_form(ann.pk, title="Boxing", **{VERSION_FIELD: str(session.version)})
    response = superuser.post(f"/admin/sessions_app/session/{session.pk}/change/", form)
    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).client_id == ann.pk


def test_a_change_reads_the_session_once_and_writes_it_at_the_version_the_form_was_opened_at(
    prefix, redis_server, use_store, superuser, db
):
    backend = CountingBackend(make_backend("redis", prefix, redis_server=redis_server))
    use_store(backend)
    ann = make_client("Ann")
    session = make_session(ann, "Boxing")
    backend.calls.clear()
    form = session_form(ann.pk, title="Renamed", **{VERSION_FIELD: str(session.version)})
    assert superuser.post(f"/admin/sessions_app/session/{session.pk}/change/", form).status_code == 302
    touched = [(name, args[0]) for name, args in backend.calls if name in ("get", "get_many", "write")]
    assert [(name, collection) for name, collection in touched if collection == "sessions"] == [("get", "sessions")]
    writes = [args[0] for name, args in backend.calls if name == "write"]
    assert len(writes) == 1 and writes[0].record_id == session.pk and writes[0].expected_version == 1


def test_bulk_delete_sessions(superuser, two_clients):
    ids = [s.pk for s in Session.objects.filter(client=two_clients[0].pk)]
    data = {"action": "delete_selected", "_selected_action": ids}
    page = superuser.post(LIST, data).content.decode()
    assert "Are you sure you want to delete the selected sessions?" in page and "Also delete" not in page
    done = superuser.post(LIST, {**data, "post": "yes"}, follow=True).content.decode()
    assert "Successfully deleted 2 sessions." in done
    assert [s.title for s in Session.objects.all()] == ["Boxing"]
    assert LogEntry.objects.filter(action_flag=DELETION).count() == 2


def test_client_filter_with_many_clients_lists_only_the_chosen_one(superuser, two_clients, monkeypatch):
    import sessions_app.admin

    monkeypatch.setattr(sessions_app.admin, "LISTED_CLIENTS_MAX", 1)
    ann, bob = two_clients
    html = superuser.get(LIST).content.decode()
    assert "By client" not in html  # too many clients to list: no 100,000-entry sidebar
    chosen = superuser.get(LIST, {"client__id__exact": bob.pk})
    assert titles(chosen) == ["Boxing"] and "By client" in chosen.content.decode()
    missing = superuser.get(LIST, {"client__id__exact": "client_gone"})
    assert titles(missing) == [] and "client_gone (no such client)" in missing.content.decode()


def test_single_session_delete_and_history(superuser, two_clients):
    session = Session.objects.filter(title="Yoga").first()
    url = f"/admin/sessions_app/session/{session.pk}/"
    page = superuser.get(url + "delete/").content.decode()
    assert "Are you sure you want to delete the session" in page and "Also delete" not in page
    assert superuser.post(url + "delete/", {"post": "yes"}).status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()
    assert LogEntry.objects.get(action_flag=DELETION).object_repr == "Yoga"
    other = Session.objects.filter(title="Boxing").first()
    history = superuser.get(f"/admin/sessions_app/session/{other.pk}/history/")
    assert history.status_code == 200 and "Change history: Boxing" in history.content.decode()
