"""A query on a collection larger than the cache is answered from the backend's indexes (a page, a
reference set, a unique value, ids, or a chunked scan): the same count and page as the same query
on a process that holds the whole collection in memory, in every order, window and filter."""

from django.db.models import Q

from clients.models import Client
from sessions_app.models import Session
from storage.store import Store, get_store, set_store
from tests.test_bounded_cache import fresh_process, ids
from tests.test_storage_contract import CountingBackend, client_fields, session_fields

NAMES = ["Cyd", "Ann", "Bob", "Ann", "Dan", "Bob", "Eve", "Ann", "Cyd"]  # ties, to pin the tie-break


def mixed_clients():
    """Nine clients with repeated names, three inactive, each with an email."""
    collection = get_store().collection("clients")
    return [
        collection.create(client_fields(name, f"c{i}@example.org", is_active=i % 3 != 1))
        for i, name in enumerate(NAMES)
    ]


def sessions_of(clients):
    """Eight sessions, titles out of creation order, three of the first client and five of the second."""
    collection = get_store().collection("sessions")
    titles = ["Mid", "Alpha", "Zulu", "Beta", "Yank", "Gamma", "Xray", "Delta"]
    return [collection.create(session_fields(clients[i % 3 and 1]["id"], title)) for i, title in enumerate(titles)]


def in_memory(small):
    """A process on the same data whose cache holds the whole collection."""
    return set_store(Store(small.backend, stale_reads=small.stale_reads, max_records=10_000))


def answers(queries):
    """(count, page ids, count of the page) of each (queryset factory, offset, limit)."""
    found = []
    for make, offset, limit in queries:
        page = make()[offset : None if limit is None else offset + limit]
        found.append((make().count(), ids(page), page.count()))
    return found


def from_indexes_and_memory(small, queries, collection):
    fresh_process(small)
    indexed = answers(queries)
    assert get_store().collection(collection).cache.version is None  # served from the indexes
    in_memory(small)
    memory = answers(queries)
    assert get_store().collection(collection).cache.version is not None  # served from memory
    return indexed, memory


def test_pages_in_any_order_and_window_are_the_same_from_the_indexes_as_from_memory(small):
    mixed_clients()
    queries = [
        (lambda: Client.objects.order_by("created_at"), 2, 3),
        (lambda: Client.objects.order_by("-created_at"), 3, 4),
        (lambda: Client.objects.order_by("created_at"), 7, 5),  # past the end
        (lambda: Client.objects.order_by("name"), 0, 4),
        (lambda: Client.objects.order_by("name"), 3, 4),
        (lambda: Client.objects.order_by("-name"), 1, 5),
        (lambda: Client.objects.order_by("is_active", "-name"), 0, 6),
        (lambda: Client.objects.order_by("-is_active", "name"), 2, 5),
        (lambda: Client.objects.order_by("name"), 0, 0),
        (lambda: Client.objects.order_by("name"), 1, None),  # open-ended: scanned
        (lambda: Client.objects.order_by("-created_at"), 4, None),
    ]
    indexed, memory = from_indexes_and_memory(small, queries, "clients")
    assert indexed == memory
    assert memory[0] == (9, ids(Client.objects.order_by("created_at"))[2:5], 3)


def test_filtered_queries_are_the_same_from_the_indexes_as_from_memory(small):
    clients = mixed_clients()
    picked = [clients[i]["id"] for i in (6, 1, 4, 7)]
    queries = [
        (lambda: Client.objects.filter(is_active=False), 0, 10),
        (lambda: Client.objects.filter(is_active=True).order_by("-name"), 1, 3),
        (lambda: Client.objects.filter(name="Ann").order_by("-created_at"), 0, 2),
        (lambda: Client.objects.filter(name__icontains="a"), 0, 0),
        (lambda: Client.objects.filter(pk__in=picked).order_by("-name"), 0, 3),
        (lambda: Client.objects.filter(pk__in=picked, is_active=True), 0, 10),
        (lambda: Client.objects.filter(email="c3@example.org"), 0, 10),
        (lambda: Client.objects.filter(email__exact="C5@Example.org "), 0, 10),
        (lambda: Client.objects.filter(email="c5@example.org", name="Dan"), 0, 10),
    ]
    indexed, memory = from_indexes_and_memory(small, queries, "clients")
    assert indexed == memory
    assert [found[0] for found in memory] == [3, 6, 3, 4, 4, 1, 1, 0, 0]


def test_one_clients_sessions_in_any_order_are_the_same_from_the_indexes_as_from_memory(small):
    clients = mixed_clients()
    sessions_of(clients)
    mine = clients[1]["id"]
    queries = [
        (lambda: Session.objects.filter(client_id=mine), 0, 10),
        (lambda: Session.objects.filter(client_id=mine).order_by("-title"), 0, 10),
        (lambda: Session.objects.filter(client=mine).order_by("title"), 1, 2),
        (lambda: Session.objects.filter(client_id=mine, title__startswith="Y"), 0, 10),
    ]
    indexed, memory = from_indexes_and_memory(small, queries, "sessions")
    assert indexed == memory
    assert [found[0] for found in memory] == [5, 5, 5, 1]


def backend_calls(counting):
    names = [name for name, *_ in counting.calls]
    counting.calls.clear()
    return names


def test_an_ids_filter_reads_just_those_records_and_again_unchanged_only_the_version(small):
    clients = mixed_clients()
    get_store().collection("clients").update(clients[2]["id"], client_fields("Bea", "c2@example.org"))
    picked = [clients[i]["id"] for i in (2, 5)]
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    assert [c.name for c in Client.objects.filter(pk__in=picked)] == ["Bea", "Bob"]
    assert backend_calls(counting) == ["size", "get_many"]  # not a scan of the collection
    assert [c.name for c in Client.objects.filter(pk__in=picked)] == ["Bea", "Bob"]
    assert backend_calls(counting) == ["size"]  # the version (10, not the size 9) keys the result


def test_a_reference_filter_reads_its_set_and_a_unique_value_its_index_entry_not_a_scan(small):
    clients = mixed_clients()
    sessions_of(clients)
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    for mine in (Q(client_id=clients[0]["id"]), Q(client=clients[0]["id"]), Q(client_id__exact=clients[0]["id"])):
        assert len(Session.objects.filter(mine)) == 3
        assert backend_calls(counting) == ["size", "members"]
    assert ids(Client.objects.filter(email__exact="c3@example.org")) == [clients[3]["id"]]
    assert backend_calls(counting) == ["size", "owner"]


def test_a_unique_field_filtered_by_none_is_scanned_and_matches_nothing(small):
    mixed_clients()
    fresh_process(small)
    assert Client.objects.filter(email=None).count() == 0


def test_a_filter_on_a_blank_unique_value_waits_for_a_cold_collection_to_load_instead_of_scanning(store):
    collection = get_store().collection("clients")
    blank = [collection.create(client_fields(f"No email {i}")) for i in range(3)]
    mixed_clients()
    counting = CountingBackend(store.backend)
    fresh_process(store, counting)
    get_store().collection("clients").warm_from = 10  # 12 records: a query that can't use an index waits
    assert ids(Client.objects.filter(email="").order_by("created_at")) == [c["id"] for c in blank]
    assert "page" not in backend_calls(counting)  # blank values have no index entry: loaded, not scanned
    assert get_store().collection("clients").cache.version is not None
