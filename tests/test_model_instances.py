"""Model instances built from stored records (StorageModel.from_record): a list page builds fifty,
so the converted values of an unchanged record are reused; each instance is still its own."""

from datetime import UTC, datetime
from types import MappingProxyType

import pytest
from django.db.models.signals import post_init

import storage.models.lookups
import storage.models.model
from clients.models import Client
from sessions_app.models import Session


def test_instances_of_one_stored_record_do_not_share_their_lists(redis_store):
    Client(name="Ann", email="ann@example.org", tags=["vip"]).save()
    first, second = Client.objects.all()[0], Client.objects.all()[0]
    assert first is not second and first == second
    first.tags.append("gold")
    first.name = "Changed"
    assert (second.tags, second.name) == (["vip"], "Ann")
    assert Client.objects.all()[0].tags == ["vip"]


def test_a_changed_record_gives_instances_with_its_new_values(redis_store):
    ann = Client(name="Ann", email="ann@example.org", tags=["vip"])
    ann.save()
    assert Client.objects.get(pk=ann.pk).tags == ["vip"]
    ann.name, ann.tags = "Ann B.", ["gold"]
    ann.save()
    fresh = Client.objects.get(pk=ann.pk)
    assert (fresh.name, fresh.tags, fresh.version) == ("Ann B.", ["gold"], 2)
    assert fresh.updated_at >= fresh.created_at and not fresh._state.adding


def test_instances_from_a_plain_dict_are_never_reused(redis_store):
    record = {"id": "client_x1", "name": "Ann", "email": "a@example.org", "version": 1}
    assert Client.from_record(record).name == "Ann"
    record["name"] = "Bea"  # the same dict object, changed
    assert Client.from_record(record).name == "Bea"


def test_a_post_init_receiver_still_sees_every_instance(redis_store):
    Client(name="Ann", email="ann@example.org").save()
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.name)

    post_init.connect(receiver, sender=Client)
    try:
        Client.objects.all()[0]
        Client.objects.all()[0]
    finally:
        post_init.disconnect(receiver, sender=Client)
    assert seen == ["Ann", "Ann"]


class CountedDatetime(datetime):
    """datetime whose fromisoformat (how stored timestamps become instance values) is counted."""

    parsed = 0

    @classmethod
    def fromisoformat(cls, text):
        CountedDatetime.parsed += 1
        return datetime.fromisoformat(text)


@pytest.fixture
def timestamps_parsed(monkeypatch):
    monkeypatch.setattr(storage.models.lookups, "datetime", CountedDatetime)
    monkeypatch.setattr(CountedDatetime, "parsed", 0)
    return lambda: CountedDatetime.parsed


def save_clients(*names):
    for name in names:
        Client(name=name, email=f"{name.lower()}@example.org").save()


def test_a_list_of_unchanged_records_converts_their_values_once(redis_store, timestamps_parsed):
    save_clients("Ann", "Bea", "Cyd")
    assert sorted(c.name for c in Client.objects.all()) == ["Ann", "Bea", "Cyd"]
    first = timestamps_parsed()
    assert first == 6  # created_at and updated_at of each record
    assert sorted(c.name for c in Client.objects.all()) == ["Ann", "Bea", "Cyd"]
    assert timestamps_parsed() == first, "the unchanged records' values were converted again"


def test_the_conversions_kept_are_bounded_and_dropped_past_the_bound(redis_store, timestamps_parsed, monkeypatch):
    monkeypatch.setattr(storage.models.model, "BUILT_RECORDS_KEPT", 2)
    save_clients("Ann", "Bea", "Cyd")
    list(Client.objects.all())
    first = timestamps_parsed()
    assert sorted(c.name for c in Client.objects.all()) == ["Ann", "Bea", "Cyd"]
    assert timestamps_parsed() == first * 2, "three records past a bound of two: all converted again"


def test_the_first_list_of_a_fresh_worker_builds_its_instances(redis_store, monkeypatch):
    save_clients("Ann")
    monkeypatch.delattr(Client, "_built", raising=False)  # what a worker that listed no client yet has
    assert [c.name for c in Client.objects.all()] == ["Ann"]
    assert [c.name for c in Client.objects.all()] == ["Ann"]


def test_a_record_stored_before_a_field_existed_gets_the_field_default(redis_store, monkeypatch):
    monkeypatch.delattr(Client, "_built", raising=False)  # the defaults are read on a worker's first build
    old = Client.from_record(MappingProxyType({"id": "client_old1", "name": "Ann", "version": 1}))
    assert (old.email, old.phone, old.notes, old.tags, old.is_active) == ("", "", "", [], True)
    assert (old.created_at, old.updated_at) == (None, None)


def test_a_listed_record_can_be_pointed_at_a_client_just_saved(redis_store):
    ann = Client(name="Ann", email="ann@example.org")
    ann.save()
    Session(client=ann, title="Intro", starts_at=datetime(2026, 12, 1, 10, tzinfo=UTC)).save()
    bea = Client(name="Bea", email="bea@example.org")
    bea.save()
    session = Session.objects.all()[0]
    session.client = bea  # Django refuses a relation between instances of two different databases
    session.save()
    assert Session.objects.get(pk=session.pk).client_id == bea.pk
