"""The Client admin on real Redis: list, search, filter, sort, pages, add, change (stale version),
link to its sessions, delete (with cascade), bulk delete, history."""

import re

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

from clients.models import Client
from sessions_app.models import Session
from storage.admin.forms import VERSION_FIELD

from .conftest import make_client, make_session

LIST = "/admin/clients/client/"
ADD = "/admin/clients/client/add/"


def change_url(obj):
    return f"/admin/clients/client/{obj.pk}/change/"


def delete_url(obj):
    return f"/admin/clients/client/{obj.pk}/delete/"


def row_names(response):
    return [obj.name for obj in response.context["cl"].result_list]


def client_form(**fields):
    data = {"name": "Ann", "email": "", "phone": "", "notes": "", "tags": "", "is_active": "on"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_changelist_shows_the_columns_and_sessions_count(superuser):
    ann = make_client("Ann", email="ann@example.com", phone="0102")
    make_session(ann, "S1")
    make_session(ann, "S2")
    make_client("Bob")
    response = superuser.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    for header in ("Name", "Email", "Phone", "Is active", "Sessions", "Updated at"):
        assert f">{header}<" in html
    assert "ann@example.com" in html and "0102" in html
    counts = {obj.name: obj.sessions_count for obj in response.context["cl"].result_list}
    assert counts == {"Ann": 2, "Bob": 0}
    assert "2 clients" in html


def test_search_by_name_and_email(superuser):
    make_client("Ann Martin", email="ann@example.com")
    make_client("Bob", email="bob@work.org")
    make_client("Cyd", email="martin@work.org")
    assert row_names(superuser.get(LIST, {"q": "martin"})) == ["Ann Martin", "Cyd"]
    assert row_names(superuser.get(LIST, {"q": "WORK.org"})) == ["Bob", "Cyd"]
    assert row_names(superuser.get(LIST, {"q": "nobody"})) == []


def test_filter_by_active(superuser):
    make_client("Ann", is_active=True)
    make_client("Bob", is_active=False)
    assert row_names(superuser.get(LIST, {"is_active__exact": "0"})) == ["Bob"]
    assert row_names(superuser.get(LIST, {"is_active__exact": "1"})) == ["Ann"]


def test_facet_counts_are_not_offered_and_their_parameter_is_harmless(superuser):
    make_client("Ann")
    assert "Show counts" not in superuser.get(LIST).content.decode()
    assert row_names(superuser.get(LIST, {"_facets": "True"})) == ["Ann"]


def test_a_bad_filter_value_is_not_a_500(superuser):
    make_client("Ann")
    response = superuser.get(LIST, {"is_active__exact": "maybe"})
    assert response.status_code == 302 and "e=1" in response["Location"]


def test_sortable_columns_including_sessions_count(superuser):
    make_client("Ann")
    bob, cyd = make_client("Bob"), make_client("Cyd")
    make_session(bob, "B1")
    make_session(bob, "B2")
    make_session(cyd, "C1")
    assert row_names(superuser.get(LIST)) == ["Ann", "Bob", "Cyd"]  # default: by name
    assert row_names(superuser.get(LIST, {"o": "-1"})) == ["Cyd", "Bob", "Ann"]  # name, descending
    assert row_names(superuser.get(LIST, {"o": "-5"})) == ["Bob", "Cyd", "Ann"]  # sessions, descending
    response = superuser.get(LIST)
    assert 'class="sortable' in response.content.decode()


def test_pages_of_100(superuser):
    for i in range(101):
        make_client(f"Client {i:03d}")
    first = superuser.get(LIST)
    assert len(first.context["cl"].result_list) == 100
    assert first.context["cl"].result_count == 101
    second = superuser.get(LIST, {"p": "2"})
    assert row_names(second) == ["Client 100"]


def test_add_saves_through_storage_and_logs(superuser):
    response = superuser.post(ADD, client_form(name="  Ann  ", email="Ann@Example.com", tags="vip"))
    assert response.status_code == 302
    (ann,) = Client.objects.filter(name="Ann")
    assert ann.email == "Ann@Example.com" and ann.tags == ["vip"] and ann.version == 1
    entry = LogEntry.objects.get(action_flag=ADDITION)
    assert entry.object_id == ann.pk and entry.object_repr == "Ann"


def test_add_with_invalid_fields_shows_field_errors_and_stores_nothing(superuser):
    response = superuser.post(ADD, client_form(name="   ", email="not-an-email", tags="x" + ", y" * 20))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"name", "email", "tags"}
    assert Client.objects.count() == 0
    assert not LogEntry.objects.exists()


def test_duplicate_email_is_a_field_error(superuser):
    make_client("Ann", email="ann@example.com")
    response = superuser.post(ADD, client_form(name="Other", email="ANN@example.com"))
    assert response.status_code == 200
    assert "already exists" in response.context["adminform"].form.errors["email"][0]
    assert Client.objects.count() == 1


def test_change_form_carries_the_version_it_was_opened_at(superuser):
    ann = make_client("Ann")
    ann.phone = "1"
    ann.save()
    html = superuser.get(change_url(ann)).content.decode()
    assert re.search(rf'<input type="hidden" name="{VERSION_FIELD}" value="2"', html)


def test_change_saves_and_logs(superuser):
    ann = make_client("Ann")
    response = superuser.post(change_url(ann), client_form(name="Ann B", phone="0606", **{VERSION_FIELD: "1"}))
    assert response.status_code == 302
    saved = Client.objects.get(pk=ann.pk)
    assert (saved.name, saved.phone, saved.version) == ("Ann B", "0606", 2)
    entry = LogEntry.objects.get(action_flag=CHANGE)
    assert entry.object_id == ann.pk and "Name" in entry.get_change_message()


def test_stale_edit_is_refused_and_the_form_shows_current_values(superuser):
    ann = make_client("Ann", phone="original")
    opened_at = ann.version
    other = Client.objects.get(pk=ann.pk)  # someone else saves in between
    other.phone = "theirs"
    other.save()
    response = superuser.post(change_url(ann), client_form(name="Ann", phone="mine", **{VERSION_FIELD: str(opened_at)}))
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    assert "Please correct the error below." in html
    assert 'value="theirs"' in html and 'value="mine"' not in html  # current values shown
    assert re.search(rf'name="{VERSION_FIELD}" value="2"', html)  # saving again is deliberate
    assert Client.objects.get(pk=ann.pk).phone == "theirs"
    assert not LogEntry.objects.filter(action_flag=CHANGE).exists()


def test_change_without_version_is_refused(superuser):
    ann = make_client("Ann")
    response = superuser.post(change_url(ann), client_form(name="Ann X"))
    assert response.status_code == 200
    assert "does not say which version" in response.content.decode()
    assert Client.objects.get(pk=ann.pk).name == "Ann"


def test_unknown_client_redirects_with_a_message(superuser):
    response = superuser.get("/admin/clients/client/client_nope/change/", follow=True)
    assert "doesn’t exist" in response.content.decode()


def test_change_page_links_to_the_clients_sessions(superuser):
    ann, bob = make_client("Ann"), make_client("Bob")
    make_session(ann, "A1")
    make_session(ann, "A2")
    make_session(bob, "B1")
    html = superuser.get(change_url(ann)).content.decode()
    match = re.search(r'<a href="([^"]+)" id="client-sessions-link">Sessions \(2\)</a>', html)
    assert match
    listed = superuser.get(match.group(1).replace("&amp;", "&"))
    assert sorted(s.title for s in listed.context["cl"].result_list) == ["A1", "A2"]


def test_delete_with_confirmation_and_log(superuser):
    ann = make_client("Ann")
    page = superuser.get(delete_url(ann))
    assert page.status_code == 200 and "Are you sure" in page.content.decode()
    assert "Also delete" not in page.content.decode()
    response = superuser.post(delete_url(ann), {"post": "yes"})
    assert response.status_code == 302
    assert Client.objects.count() == 0
    entry = LogEntry.objects.get(action_flag=DELETION)
    assert entry.object_id == ann.pk


def test_delete_of_a_client_with_sessions_says_how_many_and_offers_cascade(superuser):
    ann = make_client("Ann")
    make_session(ann, "A1")
    make_session(ann, "A2")
    html = superuser.get(delete_url(ann)).content.decode()
    assert "This client has 2 sessions" in html
    assert 'name="cascade"' in html and "Also delete 2 sessions" in html

    refused = superuser.post(delete_url(ann), {"post": "yes"}, follow=True)
    assert "Nothing was deleted: 2 sessions still reference it" in refused.content.decode()
    assert Client.objects.filter(pk=ann.pk).exists() and Session.objects.count() == 2
    assert not LogEntry.objects.exists()  # the deletion log was rolled back with the refusal

    done = superuser.post(delete_url(ann), {"post": "yes", "cascade": "on"})
    assert done.status_code == 302
    assert Client.objects.count() == 0 and Session.objects.count() == 0
    assert LogEntry.objects.filter(action_flag=DELETION, object_id=ann.pk).count() == 1


def bulk(client, ids, **extra):
    return client.post(LIST, {"action": "delete_selected", "_selected_action": ids, **extra}, follow=True)


def test_bulk_delete_confirms_then_deletes_and_logs_each(superuser):
    ann, bob = make_client("Ann"), make_client("Bob")
    make_client("Cyd")
    page = bulk(superuser, [ann.pk, bob.pk])
    assert "Are you sure you want to delete the selected clients?" in page.content.decode()
    assert Client.objects.count() == 3  # only the confirmation so far
    done = bulk(superuser, [ann.pk, bob.pk], post="yes")
    assert "Successfully deleted 2 clients." in done.content.decode()
    assert [c.name for c in Client.objects.all()] == ["Cyd"]
    assert set(LogEntry.objects.filter(action_flag=DELETION).values_list("object_id", flat=True)) == {ann.pk, bob.pk}


def test_bulk_delete_of_clients_with_sessions_needs_the_cascade(superuser):
    ann, bob = make_client("Ann"), make_client("Bob")
    make_session(ann, "A1")
    page = bulk(superuser, [ann.pk, bob.pk]).content.decode()
    assert "1 of the selected clients have 1 sessions" in page and "Also delete 1 sessions" in page
    refused = bulk(superuser, [ann.pk, bob.pk], post="yes").content.decode()
    assert "Nothing was deleted" in refused
    assert Client.objects.count() == 2 and not LogEntry.objects.exists()
    done = bulk(superuser, [ann.pk, bob.pk], post="yes", cascade="on").content.decode()
    assert "Successfully deleted 2 clients and 1 record(s) that referenced them." in done
    assert Client.objects.count() == 0 and Session.objects.count() == 0


def test_history_lists_additions_and_changes(superuser):
    superuser.post(ADD, client_form(name="Ann"))
    ann = Client.objects.get(name="Ann")
    superuser.post(change_url(ann), client_form(name="Ann B", **{VERSION_FIELD: "1"}))
    html = superuser.get(f"/admin/clients/client/{ann.pk}/history/").content.decode()
    assert "Added." in html and "Changed Name." in html


def test_bulk_delete_reports_records_referenced_since_the_confirmation(superuser, monkeypatch):
    from storage.admin import StorageModelAdmin

    ann, bob = make_client("Ann"), make_client("Bob")
    monkeypatch.setattr(StorageModelAdmin, "dependents", lambda self, objs: [])  # the page saw none...
    make_session(ann, "A1")  # ...then a session was added: storage refuses to delete Ann
    done = bulk(superuser, [ann.pk, bob.pk], post="yes").content.decode()
    assert "Successfully deleted 1 client." in done
    assert "Not deleted (other records now reference them): Ann." in done
    assert [c.name for c in Client.objects.all()] == ["Ann"] and Session.objects.count() == 1
    assert list(LogEntry.objects.values_list("object_id", flat=True)) == [bob.pk]


def test_tags_are_edited_as_comma_separated_words_and_kept_as_a_list(superuser):
    response = superuser.post(ADD, client_form(name="Tagged", tags=" vip, gold ,, new "))
    assert response.status_code == 302
    (tagged,) = Client.objects.filter(name="Tagged")
    assert tagged.tags == ["vip", "gold", "new"]
    page = superuser.get(f"/admin/clients/client/{tagged.pk}/change/").content.decode()
    assert 'value="vip, gold, new"' in page
    assert "Comma-separated" in page  # the help text
    api = superuser.get(f"/api/clients/{tagged.pk}/").json()
    assert api["tags"] == ["vip", "gold", "new"]


def test_names_sort_the_way_a_person_reads_them(superuser):
    for name in ("Zoé", "Émilie", "bruno", "Béatrice", "Éloïse", "Emilie", "alain"):
        make_client(name)
    page = superuser.get("/admin/clients/client/?o=1").content.decode()
    shown = re.findall(r'<th class="field-name"><a href="[^"]*">([^<]+)</a>', page)
    assert shown == ["alain", "Béatrice", "bruno", "Éloïse", "Emilie", "Émilie", "Zoé"]
