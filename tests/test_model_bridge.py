"""The model bridge's declarations and write path: the collection a model declares to the storage
layer, its references, and what delete() and refresh_from_db() do with versions and dependents."""

from datetime import UTC, datetime

import pytest
from django.db import models

from clients.models import Client, normalise_email
from sessions_app.models import Session
from storage import errors
from storage.collection import CollectionSpec
from storage.models import StorageForeignKey, StorageModel
from tests.conftest import make_backend


class Note(StorageModel):
    """A model declaring only what a collection needs (abstract: registered with neither Django nor storage)."""

    text = models.CharField(max_length=50)

    class Meta(StorageModel.Meta):
        abstract = True
        verbose_name = "note"

    class Storage:
        collection = "notes"
        id_prefix = "note"


@pytest.fixture
def fake_store(prefix, use_store):
    return use_store(make_backend("fakeredis", prefix))


def make_client_with_a_session(name="Ann"):
    client = Client(name=name, email=f"{name.lower()}@example.org")
    client.save()
    Session(client=client, title="Intro", starts_at=datetime(2026, 12, 1, 10, tzinfo=UTC)).save()
    return client


def test_each_model_declares_its_whole_collection_spec():
    assert Client.storage_spec() == CollectionSpec(
        name="clients",
        id_prefix="client",
        label="Client",
        unique={"email": normalise_email},
        references={},
        title_field="name",
        listed=(),
        sorts=(),
    )
    assert Session.storage_spec() == CollectionSpec(
        name="sessions",
        id_prefix="session",
        label="Session",
        unique={},
        references={"client_id": "clients"},
        title_field="title",
        listed=("starts_at",),
        sorts=("starts_at",),
    )


def test_a_model_declaring_only_its_collection_and_id_prefix_gets_the_spec_defaults():
    assert Note.storage_spec() == CollectionSpec(
        name="notes",
        id_prefix="note",
        label="Note",
        unique={},
        references={},
        title_field="",
        listed=(),
        sorts=(),
    )


def test_a_storage_reference_asks_nothing_of_the_database_unless_told():
    reference = StorageForeignKey(Client, related_name="notes")
    assert reference.remote_field.model is Client and reference.remote_field.related_name == "notes"
    assert reference.remote_field.on_delete is models.DO_NOTHING  # the write script handles dependents
    assert reference.db_constraint is False
    explicit = StorageForeignKey(Client, on_delete=models.CASCADE, db_constraint=True)
    assert explicit.remote_field.on_delete is models.CASCADE and explicit.db_constraint is True


def test_delete_refuses_a_record_with_dependents_unless_cascading_and_counts_them(fake_store):
    client = make_client_with_a_session()
    with pytest.raises(errors.DependentsExist):
        client.delete()
    assert Client.objects.filter(pk=client.pk).exists() and Session.objects.count() == 1
    assert client.delete(cascade=True) == (2, {"clients.Client": 1})
    assert not Client.objects.filter(pk=client.pk).exists() and Session.objects.count() == 0


def test_delete_without_dependents_counts_the_one_record(fake_store):
    client = Client(name="Bea", email="bea@example.org")
    client.save()
    assert client.delete() == (1, {"clients.Client": 1})
    assert Client.objects.count() == 0


def test_delete_of_a_stale_instance_goes_through_unless_the_version_is_checked(fake_store):
    client = Client(name="Ann", email="ann@example.org")
    client.save()
    stale = Client.objects.get(pk=client.pk)
    client.name = "Ann B."
    client.save()
    with pytest.raises(errors.VersionConflict):
        stale.delete(check_version=True)
    assert Client.objects.get(pk=client.pk).name == "Ann B."
    client.delete(check_version=True)  # the current version: deleted
    assert not Client.objects.filter(pk=client.pk).exists()
    other = Client(name="Bea", email="bea@example.org")
    other.save()
    stale_other = Client.objects.get(pk=other.pk)
    other.save()
    stale_other.delete()  # by default a delete does not check the version
    assert not Client.objects.filter(pk=other.pk).exists()


def test_refresh_from_db_takes_every_value_another_writer_stored(fake_store):
    client = Client(name="Ann", email="ann@example.org", tags=["vip"])
    client.save()
    seen = Client.objects.get(pk=client.pk)
    client.name, client.tags, client.is_active = "Ann B.", ["gold"], False
    client.save()
    seen.name = "typed but not saved"
    seen.refresh_from_db()
    assert (seen.pk, seen.name, seen.tags, seen.is_active, seen.email) == (
        client.pk,
        "Ann B.",
        ["gold"],
        False,
        "ann@example.org",
    )
    assert (seen.version, seen.created_at, seen.updated_at) == (2, client.created_at, client.updated_at)


def test_refresh_from_db_of_a_deleted_record_says_which_one_no_longer_exists(fake_store):
    client = Client(name="Ann", email="ann@example.org")
    client.save()
    seen = Client.objects.get(pk=client.pk)
    client.delete()
    with pytest.raises(Client.DoesNotExist) as caught:
        seen.refresh_from_db()
    assert str(caught.value) == f"Client {client.pk!r} no longer exists"
