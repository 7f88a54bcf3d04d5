"""An exact filter on a unique field of a collection larger than the process cache is answered by
the record the unique index names, in one round trip, never by a scan of the collection."""

import pytest

from clients.models import Client
from storage.store import Store, get_store
from tests.test_bounded_cache import CAP, fresh_process, ids, make_clients
from tests.test_storage_contract import CountingBackend, client_fields


@pytest.fixture
def small(store):
    """The contract store (every backend) with a cache of CAP records per collection."""
    store.max_records = CAP
    return store


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
