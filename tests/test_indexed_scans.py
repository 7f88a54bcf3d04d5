"""What is scanned chunk by chunk on a collection larger than the cache: the counts and value maps
derived from it (the admin's columns) equal those of memory however many chunks they are read in,
cost the version only while unchanged and follow a change made elsewhere; and a scanned page keeps
only a bounded number of records between chunks, whatever the collection's size."""

from functools import partialmethod

from clients.models import Client
from sessions_app.models import Session
from storage.index_reads import IndexReads
from storage.models import indexed
from storage.store import Store, get_store
from tests.test_bounded_cache import CAP, fresh_process, ids, make_clients
from tests.test_indexed_queries import backend_calls, in_memory, mixed_clients, sessions_of
from tests.test_storage_contract import CountingBackend, session_fields


def derived_maps():
    early = Session.objects.filter(title__lt="N")
    return [
        Session.objects.counts_by("client"),
        Session.objects.value_map("title"),
        early.counts_by("client"),
        early.value_map("client"),
        Client.objects.value_map("name"),
        Client.objects.filter(is_active=True).counts_by("name"),
    ]


def test_counts_and_value_maps_read_in_several_chunks_are_those_of_memory(small, monkeypatch):
    clients = mixed_clients()
    sessions_of(clients)
    fresh_process(small)
    monkeypatch.setattr(IndexReads, "scan", partialmethod(IndexReads.scan, chunk=3))  # 3 chunks of sessions
    chunked = derived_maps()
    assert get_store().collection("sessions").cache.version is None  # never loaded whole
    in_memory(small)
    assert chunked == derived_maps()
    assert chunked[0] == {clients[0]["id"]: 3, clients[1]["id"]: 5}
    assert chunked[5] == {"Cyd": 2, "Bob": 2, "Ann": 1, "Eve": 1}


def test_an_unchanged_derived_map_costs_the_version_only_and_a_change_elsewhere_is_counted(small):
    clients = make_clients(2)
    sessions = sessions_of(clients)
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    expected = {clients[0]["id"]: 3, clients[1]["id"]: 5}
    assert Session.objects.counts_by("client") == expected
    backend_calls(counting)
    assert Session.objects.counts_by("client") == expected
    assert backend_calls(counting) == ["size"]
    writer = Store(small.backend, max_records=CAP).collection("sessions")
    writer.update(sessions[0]["id"], session_fields(clients[1]["id"], sessions[0]["title"]))
    assert Session.objects.counts_by("client") == {clients[0]["id"]: 2, clients[1]["id"]: 6}  # version 9, size 8


def test_a_derived_map_weighs_its_entries_in_the_bound_of_results_kept(small):
    clients = make_clients(2)
    sessions_of(clients)
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    newest = ids(Session.objects.order_by("-created_at")[:1])  # a page of one record
    Session.objects.counts_by("client")  # two entries: with the page, more than CAP // 2 = 2
    backend_calls(counting)
    assert ids(Session.objects.order_by("-created_at")[:1]) == newest
    assert backend_calls(counting) == ["size_and_page", "page"]  # the page had to leave: read again


class ChunkedRecords:
    """What a scanned page needs of a collection: scan(begin) shows the visitor these chunks, and
    notes how many records it keeps after each."""

    def __init__(self, chunks):
        self.chunks, self.kept = chunks, []

    def scan(self, begin):
        visit = begin()
        for chunk in self.chunks:
            visit(chunk)
            self.kept.append(len(visit.state["kept"]))
        return 7, visit


def synthetic_clients(count):
    return [
        {
            "id": f"client_{i:05d}",
            "created_at": f"2026-01-01T00:00:{i % 60:02d}.{i:06d}Z",
            "name": f"N{i * 7919 % count:05d}",
        }
        for i in range(count)
    ]


def test_a_scanned_page_trims_what_it_keeps_to_its_window_once_past_twice_its_end_plus_a_thousand():
    records = synthetic_clients(1851)
    expected = sorted(r["name"] for r in records)[90:100]
    for sizes, kept in (((601, 600, 650), [601, 100, 750]), ((600, 600, 651), [600, 1200, 100])):
        ends = [sum(sizes[:n]) for n in range(4)]
        collection = ChunkedRecords([records[a:b] for a, b in zip(ends, ends[1:], strict=False)])
        count, page = indexed._scan(Client.objects.order_by("name"), collection, 90, 100)[1]
        assert (count, [r["name"] for r in page]) == (1851, expected)
        assert collection.kept == kept  # 2 * 100 + 1000 = 1200 kept at most between chunks
