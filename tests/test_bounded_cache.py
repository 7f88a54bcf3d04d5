"""A collection larger than STORAGE_CACHE_MAX_RECORDS is served from the backend's indexes: pages,
counts and reference filters never load the collection, memory stays bounded, and every answer is
as fresh as the collection version read in the same request — on every backend."""

import threading
import time

import pytest

from clients.models import Client
from sessions_app.models import Session
from storage.snapshot import Snapshot
from storage.store import Store, get_store, set_store
from tests.conftest import CAP
from tests.test_storage_contract import CountingBackend, client_fields, session_fields


def make_clients(count, **extra):
    collection = get_store().collection("clients")
    return [collection.create(client_fields(f"Client {i:02d}", f"c{i}@example.org", **extra)) for i in range(count)]


def fresh_process(store, backend=None):
    """A second Store on the same data, as another worker would have (nothing cached)."""
    other = Store(backend or store.backend, stale_reads=store.stale_reads, max_records=store.max_records)
    set_store(other)
    return other


def list_page(queryset, offset, limit):
    """What the API's paginator does: the count, then the page (a slice of the same queryset)."""
    return queryset.count(), list(queryset[offset : offset + limit])


def ids(instances):
    return [i.pk for i in instances]


def test_a_page_of_a_large_collection_is_read_from_the_index_not_loaded(small):
    created = make_clients(12)
    fresh_process(small)
    newest = Client.objects.order_by("-created_at")
    assert newest.count() == 12
    assert ids(newest[:3]) == [c["id"] for c in reversed(created)][:3]
    assert ids(Client.objects.order_by("created_at")[4:7]) == [c["id"] for c in created[4:7]]
    clients = get_store().collection("clients")
    assert clients.cache.version is None  # never loaded whole
    assert len(clients.cache.records) <= CAP


def test_memory_stays_bounded_while_paging_through_everything(small):
    created = make_clients(23)
    fresh_process(small)
    seen = []
    for offset in range(0, 23, 4):
        seen += ids(Client.objects.order_by("created_at")[offset : offset + 4])
        assert len(get_store().collection("clients").cache.records) <= CAP
    assert seen == [c["id"] for c in created]


def test_a_reference_filter_reads_only_that_reference_set(small):
    clients = make_clients(8)
    sessions = get_store().collection("sessions")
    mine = [sessions.create(session_fields(clients[0]["id"], f"Mine {i}")) for i in range(3)]
    for i in range(7):
        sessions.create(session_fields(clients[1]["id"], f"Other {i}"))
    fresh_process(small)
    found = Session.objects.filter(client_id=clients[0]["id"]).order_by("title")
    assert found.count() == 3
    assert ids(found[0:10]) == [s["id"] for s in mine]
    assert get_store().collection("sessions").cache.version is None


def test_other_filters_and_orders_are_scanned_with_the_right_answer(small):
    created = make_clients(9)
    store = get_store().collection("clients")
    store.update(created[4]["id"], client_fields("Zoé", "c4@example.org", is_active=False))
    fresh_process(small)
    assert Client.objects.filter(is_active=False).count() == 1
    assert ids(Client.objects.filter(name__icontains="client 0")) == [c["id"] for c in created[:4]] + [
        c["id"] for c in created[5:]
    ]
    by_name = Client.objects.order_by("-name")
    assert ids(by_name[:2]) == [created[4]["id"], created[8]["id"]]
    assert Client.objects.filter(is_active=False).exists()


def test_a_page_is_never_older_than_the_version_read_in_the_same_request(small):
    make_clients(7)
    fresh_process(small)
    first = ids(Client.objects.order_by("-created_at")[:2])
    other = fresh_process(small)  # another worker writes
    added = other.collection("clients").create(client_fields("Newcomer", "new@example.org"))
    assert ids(Client.objects.order_by("-created_at")[:2]) == [added["id"], first[0]]
    assert Client.objects.count() == 8


def test_a_page_costs_one_round_trip_unchanged_or_changed_and_another_page_after_a_change_two(small):
    make_clients(8)
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    list_page(Client.objects.order_by("-created_at"), 0, 3)  # warm
    counting.calls.clear()
    count, page = list_page(Client.objects.order_by("-created_at"), 0, 3)
    assert (count, len(page)) == (8, 3)
    assert [name for name, *_ in counting.calls] == ["size_and_page"]  # no page: the version is the same
    writer = get_store().collection("clients")
    writer.create(client_fields("Late", "late@example.org"))
    counting.calls.clear()
    count, page = list_page(Client.objects.order_by("-created_at"), 0, 3)
    assert (count, len(page), page[0].name) == (9, 3, "Late")  # the page read with the new version
    assert [name for name, *_ in counting.calls] == ["size_and_page"]
    writer.create(client_fields("Later", "later@example.org"))
    counting.calls.clear()
    count, page = list_page(Client.objects.order_by("-created_at"), 3, 3)  # not the page read last
    assert [name for name, *_ in counting.calls] == ["size_and_page", "page"]
    assert count == 10 and [c.name for c in page] == [c.name for c in Client.objects.order_by("-created_at")[3:6]]


def test_a_collection_that_shrinks_back_under_the_cap_is_cached_again(small):
    created = make_clients(7)
    fresh_process(small)
    assert Client.objects.count() == 7
    clients = get_store().collection("clients")
    assert clients.cache.version is None
    for record in created[:3]:
        clients.delete(record["id"])
    assert Client.objects.count() == 4
    assert clients.cache.version is not None and len(clients.cache.ordered()) == 4


def test_a_collection_that_grows_past_the_cap_leaves_memory(small):
    make_clients(3)
    assert Client.objects.count() == 3
    clients = get_store().collection("clients")
    assert clients.cache.version is not None
    other = fresh_process(small)
    for i in range(5):
        other.collection("clients").create(client_fields(f"More {i}", f"m{i}@example.org"))
    set_store(small)
    assert Client.objects.count() == 8
    assert clients.cache.version is None and len(clients.cache.records) <= CAP


def test_counts_by_reference_on_a_large_collection_are_read_in_chunks(small):
    clients = make_clients(2)
    sessions = get_store().collection("sessions")
    for i in range(7):
        sessions.create(session_fields(clients[i % 2]["id"], f"S{i}"))
    fresh_process(small)
    assert Session.objects.counts_by("client") == {clients[0]["id"]: 4, clients[1]["id"]: 3}
    assert get_store().collection("sessions").cache.version is None


@pytest.mark.parametrize("reverse", [False, True])
def test_snapshot_windows_match_a_plain_tuple(reverse):
    rows = tuple(range(1300))
    snapshot = Snapshot([rows[:512], rows[512:1024], rows[1024:]])
    plain = tuple(reversed(rows)) if reverse else rows
    for start, stop in [(0, 50), (500, 530), (1020, 1030), (1290, 1400), (0, None), (1400, 1500)]:
        assert snapshot.window(start, stop, reverse=reverse) == plain[start:stop]
    assert snapshot == rows and list(snapshot) == list(rows) and snapshot[1023] == 1023


def outgrown_on_own_redis(server, prefix, use_store, clients=8):
    """A process serving stale reads whose clients (more than CAP) come from the indexes of a Redis
    the test may kill; returns its backend, for another process's writes."""
    from storage.backends.redis import RedisBackend

    backend = RedisBackend(server.url, prefix, socket_timeout=0.5, connect_timeout=0.5)
    store = use_store(backend, stale_reads=True)
    store.max_records = CAP
    make_clients(clients)
    fresh_process(store)
    return backend


def test_when_redis_is_down_the_last_pages_served_are_served_again_flagged(own_redis_server, prefix, use_store):
    from storage.served import reset_stale, stale_served

    outgrown_on_own_redis(own_redis_server, prefix, use_store)
    before = ids(Client.objects.order_by("-created_at")[:3])
    own_redis_server.kill()
    reset_stale()
    assert ids(Client.objects.order_by("-created_at")[:3]) == before
    assert stale_served() is True


def test_pages_reference_sets_and_unique_values_are_read_in_one_script_on_a_cluster(redis_cluster, prefix, use_store):
    from storage.backends.redis import RedisBackend

    store = use_store(RedisBackend(redis_cluster.url, prefix))
    store.max_records = CAP
    clients = make_clients(7)
    sessions = get_store().collection("sessions")
    mine = sessions.create(session_fields(clients[2]["id"]))
    fresh_process(store)
    assert ids(Client.objects.order_by("-created_at")[:2]) == [clients[6]["id"], clients[5]["id"]]
    assert Client.objects.count() == 7
    assert ids(Session.objects.filter(client_id=clients[2]["id"])) == [mine["id"]]
    assert ids(Client.objects.filter(email="c3@example.org")) == [clients[3]["id"]]
    late = Store(store.backend, max_records=CAP).collection("clients").create(client_fields("Late", "l@example.org"))
    assert ids(Client.objects.order_by("-created_at")[:2]) == [late["id"], clients[6]["id"]]  # with the size


def wait_until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_cold_collection_serves_its_first_page_by_index_while_it_loads_in_the_background(store):
    created = make_clients(12)
    release = threading.Event()
    held = HeldLoad(store.backend, release)
    fresh_process(store, held)
    clients = get_store().collection("clients")
    clients.warm_from = 10  # 12 records: loaded in the background, not by the request
    try:
        # the load is held back, yet the page is served (from the index, not by waiting)
        assert ids(Client.objects.order_by("-created_at")[:2]) == [created[11]["id"], created[10]["id"]]
        assert held.loading.wait(30) and clients.cache.version is None
    finally:
        release.set()
    wait_until(lambda: clients.cache.version is not None)
    counting = CountingBackend(held)
    clients.backend = counting
    assert ids(Client.objects.order_by("-created_at")[:2]) == [created[11]["id"], created[10]["id"]]
    assert [name for name, *_ in counting.calls] == ["changes_since"]  # from memory now


class HeldLoad(CountingBackend):
    """A backend whose whole-collection load waits for `release` (set `loading` when it starts)."""

    def __init__(self, backend, release):
        super().__init__(backend)
        self.release, self.loading = release, threading.Event()

    def snapshot_ids(self, collection):  # a request's load reads every id at once
        self._hold()
        return self.backend.snapshot_ids(collection)

    def index_after(self, collection, *cursor):  # the background load reads them by chunks
        self._hold()
        return self.backend.index_after(collection, *cursor)

    def _hold(self):
        self.loading.set()
        assert self.release.wait(30), "the test never released the load"


def test_a_query_that_needs_the_whole_cold_collection_waits_for_its_load(store):
    created = make_clients(12)
    fresh_process(store)
    clients = get_store().collection("clients")
    clients.warm_from = 10
    found = Client.objects.filter(name__icontains="client 1")
    assert ids(found) == [c["id"] for c in created[10:]]
    assert clients.cache.version is not None and clients.outgrown is None


def test_results_kept_for_index_served_lists_hold_at_most_the_cap_in_records(small):
    make_clients(23)
    fresh_process(small)
    clients = get_store().collection("clients")
    for offset in range(0, 23, 2):
        list(Client.objects.order_by("created_at")[offset : offset + 2])
    held = {
        id(r)
        for store in (clients.results.entries, clients.results.latest)
        for value, _ in store.values()
        for r in value[1]
    }
    assert 0 < len(held) <= CAP


def test_counts_of_a_cold_collection_loading_in_the_background_wait_for_its_load(store):
    make_clients(12)
    fresh_process(store)
    clients = get_store().collection("clients")
    clients.warm_from = 10
    release = threading.Event()
    clients.backend = held = HeldLoad(clients.backend, release)
    counted = []
    reader = threading.Thread(target=lambda: counted.append(Client.objects.counts_by("is_active")))
    reader.start()
    assert held.loading.wait(5)
    reader.join(0.2)
    assert reader.is_alive(), "the counts did not wait for the collection's load"
    release.set()
    reader.join(5)
    assert counted == [{True: 12}] and clients.cache.version is not None
