"""The records as Django models: validation from the one declaration, the storage bridge, no SQL."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import TAGS, Client
from sessions_app.models import Session
from storage import errors
from storage.models import as_validation_error


@pytest.fixture
def client_record(redis_store):
    client = Client(name="Jeanne Dupont", email="jeanne@example.org", tags=["vip"])
    client.full_clean()
    client.save()
    return client


@pytest.mark.django_db
def test_reading_and_writing_records_runs_no_sql(redis_store):
    with CaptureQueriesContext(connection) as queries:
        client = Client(name="Jeanne", email="j@example.org")
        client.full_clean()
        client.save()
        session = Session(client=client, title="Intro", starts_at=datetime(2026, 12, 1, 10, tzinfo=UTC))
        session.full_clean()
        session.save()
        assert Client.objects.get(pk=client.pk).name == "Jeanne"
        assert list(Session.objects.filter(client=client)) == [session]
        assert Session.objects.get(pk=session.pk).client.name == "Jeanne"
        assert client.sessions.count() == 1
        client.name = "Jeanne D."
        client.save()
        client.delete(cascade=True)
    assert queries.captured_queries == []


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "ok", "email": "not-an-email"}, "email"),
        ({"name": "ok", "email": "a" * 250 + "@x.org"}, "email"),
        ({"name": "ok", "phone": "1" * 33}, "phone"),
        ({"name": "ok", "notes": "n" * 10_001}, "notes"),
        ({"name": "ok", "tags": ["t"] * 21}, "tags"),
        ({"name": "ok", "tags": ["x" * 51]}, "tags"),
        ({"name": "ok", "tags": [""]}, "tags"),
        ({"name": "ok", "tags": "vip"}, "tags"),
        ({"name": "ok", "tags": [1]}, "tags"),
    ],
)
def test_client_field_rules(fields, bad_field):
    with pytest.raises(ValidationError) as caught:
        Client(**fields).full_clean()
    assert bad_field in caught.value.message_dict


def test_client_name_is_trimmed_and_defaults_apply():
    client = Client(name="  Jeanne  ")
    client.full_clean()
    assert client.name == "Jeanne" and client.is_active is True and client.tags == [] and client.email == ""


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"title": ""}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 1441}, "duration_minutes"),
        ({"status": "done"}, "status"),
        ({"location": "l" * 201}, "location"),
        ({"starts_at": None}, "starts_at"),
    ],
)
def test_session_field_rules(fields, bad_field):
    values = {"client_id": "client_x", "title": "Intro", "starts_at": datetime(2026, 1, 1, tzinfo=UTC), **fields}
    with pytest.raises(ValidationError) as caught:
        Session(**values).full_clean()
    assert bad_field in caught.value.message_dict


def test_session_starts_at_is_stored_as_utc_iso(client_record):
    from zoneinfo import ZoneInfo

    session = Session(
        client=client_record, title="Intro", starts_at=datetime(2026, 12, 1, 11, 30, tzinfo=ZoneInfo("Europe/Paris"))
    )
    session.save()
    stored = Session.storage().get(session.pk)
    assert stored["starts_at"] == "2026-12-01T10:30:00.000000Z"
    assert stored["status"] == "scheduled" and stored["duration_minutes"] == 60


def test_duplicate_email_becomes_a_field_error(client_record):
    with pytest.raises(errors.UniqueViolation) as caught:
        Client(name="Other", email="JEANNE@example.org").save()
    assert "email" in as_validation_error(Client, caught.value).message_dict


def test_missing_client_becomes_a_field_error(redis_store):
    session = Session(client_id="client_01HZZZZZZZZZZZZZZZZZZZZZZZ", title="x", starts_at=datetime.now(UTC))
    session.full_clean()  # no query for the client: the write script checks it atomically
    with pytest.raises(errors.ReferenceViolation) as caught:
        session.save()
    assert "client" in as_validation_error(Session, caught.value).message_dict
    assert Session.objects.count() == 0


def test_stale_instance_is_refused_unless_asked(client_record):
    stale = Client.objects.get(pk=client_record.pk)
    client_record.name = "First"
    client_record.save()
    stale.name = "Second"
    with pytest.raises(errors.VersionConflict):
        stale.save()
    stale.save(check_version=False)
    assert Client.objects.get(pk=client_record.pk).name == "Second"


def test_queryset_filters_orders_and_slices_in_memory(redis_store):
    for name, active in [("Bob", True), ("alice", False), ("Carol", True)]:
        Client(name=name, email=f"{name.lower()}@example.org", is_active=active).save()
    names = [c.name for c in Client.objects.order_by("name")]
    assert names == ["alice", "Bob", "Carol"]
    assert [c.name for c in Client.objects.order_by("-name")[:2]] == ["Carol", "Bob"]
    assert Client.objects.filter(is_active=True).count() == 2
    assert Client.objects.filter(name__icontains="AL").get().name == "alice"
    assert Client.objects.exclude(is_active=True).count() == 1
    from django.db.models import Q

    assert Client.objects.filter(Q(name="Bob") | Q(email__istartswith="CAROL")).count() == 2
    assert Client.objects.filter(pk="client_missing").exists() is False
    with pytest.raises(Client.DoesNotExist):
        Client.objects.get(pk="../../etc/passwd")


def test_unsupported_queryset_features_say_so(redis_store):
    with pytest.raises(NotImplementedError):
        Client.objects.all().union(Client.objects.all())
    with pytest.raises(NotImplementedError):
        Client.objects.filter(sessions__title="x")
    with pytest.raises(NotImplementedError):
        Client.objects.order_by("nonexistent")


def test_ordered_list_of_an_unchanged_collection_is_sorted_once(redis_store, monkeypatch):
    """A list page of an unchanged collection must not sort every record again;
    any write makes the next list sort afresh (and see the write)."""
    import storage.models.lookups

    calls = []
    real = storage.models.lookups.sort_key
    monkeypatch.setattr(storage.models.lookups, "sort_key", lambda value: calls.append(1) or real(value))
    for name in ("Bob", "alice", "Carol"):
        Client(name=name, email=f"{name.lower()}@example.org").save()
    assert [c.name for c in Client.objects.order_by("name")] == ["alice", "Bob", "Carol"]
    sorted_once = len(calls)
    assert sorted_once > 0
    assert [c.name for c in Client.objects.order_by("name")[:2]] == ["alice", "Bob"]
    assert len(calls) == sorted_once, "the unchanged collection was sorted again"
    bob = Client.objects.get(name="Bob")
    bob.name = "Aaron"
    bob.save()
    assert [c.name for c in Client.objects.order_by("name")] == ["Aaron", "alice", "Carol"]
    assert len(calls) > sorted_once
    assert [c.name for c in Client.objects.order_by("-created_at")] == ["Carol", "alice", "Aaron"]


def test_registering_a_model_declares_its_collection_spec_once():
    from storage.models import register_model
    from storage.store import specs

    register_model(Client)  # again, as a second ready() would: the same declaration is accepted
    assert specs()["clients"] == Client.storage_spec()


def test_a_record_deleted_meanwhile_and_a_non_validation_error_say_so():
    gone = as_validation_error(Client, errors.NotFound("clients", "client_x1"))
    assert gone.messages == ["Client 'client_x1' no longer exists."]
    with pytest.raises(TypeError, match="^VersionConflict is not a validation problem$"):
        as_validation_error(Client, errors.VersionConflict("clients", "client_x1", 1, 2))


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("vip", "Tags must be a list of strings."),
        (["t"] * 21, "At most 20 tags are allowed."),
        (["x" * 51], "Each tag must be a string of 1 to 50 characters."),
        ([" "], "Each tag must be a string of 1 to 50 characters."),
    ],
)
def test_tags_refused_say_why(tags, message):
    with pytest.raises(ValidationError) as caught:
        Client(name="Ann", tags=tags).full_clean()
    assert caught.value.message_dict["tags"] == [message]


def test_tags_at_the_limits_are_accepted_and_trimmed():
    client = Client(name="Ann", tags=["t"] * 19 + [" " + "x" * 50 + " "])
    client.full_clean()
    assert client.tags == ["t"] * 19 + ["x" * 50]
    assert TAGS.trimmed("vip") == "vip" and TAGS.trimmed([" a ", 1]) == ["a", 1]
