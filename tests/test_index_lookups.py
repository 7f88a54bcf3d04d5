"""Filters the backend's indexes answer without a scan: an exact filter on a unique field of a
collection larger than the process cache (the record its unique index names), and a filter on one
reference value of a collection held in memory (the ids from the reference index)."""

from clients.models import Client
from sessions_app.models import Session
from storage.store import Store, get_store
from tests.test_bounded_cache import fresh_process, ids, make_clients
from tests.test_storage_contract import CountingBackend, client_fields, session_fields


def test_a_unique_field_filter_reads_the_record_its_index_names_not_the_collection(small):
    make_clients(8)
    ann = get_store().collection("clients").create(client_fields("Ann", "Ann@Example.org"))
    get_store().collection("clients").create(client_fields("Blank", ""))
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    counting.calls.clear()
    assert ids(Client.objects.filter(email="Ann@Example.org")) == [ann["id"]]
    assert [name for name, *_ in counting.calls] == ["size", "owner"]  # no page of the collection read
    counting.calls.clear()
    assert ids(Client.objects.filter(email="Ann@Example.org")) == [ann["id"]]
    assert [name for name, *_ in counting.calls] == ["size"]  # memoised at the version read with the record
    assert Client.objects.filter(email="ann@example.org").count() == 0  # exact: the index finds, the filter decides
    assert Client.objects.filter(email="nobody@example.org").count() == 0
    counting.calls.clear()
    assert [c.name for c in Client.objects.filter(email="")] == ["Blank"]  # blank values are not indexed: scanned
    assert "page" in [name for name, *_ in counting.calls]


def test_a_unique_field_filter_sees_another_process_changing_the_value(small):
    make_clients(8)
    ann = get_store().collection("clients").create(client_fields("Ann", "ann@example.org"))
    fresh_process(small)
    assert ids(Client.objects.filter(email="ann@example.org")) == [ann["id"]]
    writer = Store(small.backend, max_records=small.max_records).collection("clients")
    writer.update(ann["id"], client_fields("Ann", "ann@elsewhere.org"))
    bea = writer.create(client_fields("Bea", "ann@example.org"))
    assert ids(Client.objects.filter(email="ann@example.org")) == [bea["id"]]
    assert Client.objects.get(email="ann@elsewhere.org").pk == ann["id"]


def test_the_sessions_of_one_client_in_memory_are_picked_by_its_reference_index_not_a_scan(store):
    clients = get_store().collection("clients")
    ann, bob = clients.create(client_fields("Ann")), clients.create(client_fields("Bob"))
    sessions = get_store().collection("sessions")
    mine = [sessions.create(session_fields(ann["id"], f"Ann {i}"))["id"] for i in range(3)]
    sessions.create(session_fields(bob["id"], "Bob 0"))
    counting = CountingBackend(store.backend)
    fresh_process(store, counting)
    assert len(Session.objects.all()) == 4  # the collection is in memory
    counting.calls.clear()
    assert ids(Session.objects.filter(client_id=ann["id"]).order_by("created_at")) == mine
    assert [name for name, *_ in counting.calls] == ["changes_since", "ids_by"]
    assert Session.objects.filter(client_id=ann["id"], title="Ann 1").count() == 1  # the other conditions apply


def test_the_sessions_of_one_client_follow_another_process_moving_and_adding_them(store):
    clients = get_store().collection("clients")
    ann, bob = clients.create(client_fields("Ann")), clients.create(client_fields("Bob"))
    sessions = get_store().collection("sessions")
    first = sessions.create(session_fields(ann["id"], "First"))
    fresh_process(store)
    assert ids(Session.objects.filter(client_id=ann["id"])) == [first["id"]]
    writer = Store(store.backend).collection("sessions")
    writer.update(first["id"], session_fields(bob["id"], "First"))
    second = writer.create(session_fields(ann["id"], "Second"))
    assert ids(Session.objects.filter(client_id=ann["id"])) == [second["id"]]
    assert ids(Session.objects.filter(client_id=bob["id"])) == [first["id"]]
