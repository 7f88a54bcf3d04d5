"""The background load of a cold collection reads it by chunks of the creation index (no reply as
large as the collection, which held the interpreter and Redis while a request waited), and what
other processes write between its chunks is neither lost nor kept stale: the next refresh applies
the change log from the version read before the first chunk."""

import pytest

from storage import collection as collection_module
from storage.store import Store, get_store
from tests.test_bounded_cache import fresh_process, make_clients, wait_until
from tests.test_storage_contract import CountingBackend, client_fields


class WritesBetweenChunks(CountingBackend):
    """Counts the chunks a load reads; after the first one, another process creates, updates and
    deletes records (once)."""

    def __init__(self, backend, other):
        super().__init__(backend)
        self.other, self.chunks, self.written = other, 0, None

    def index_after(self, collection, *cursor):
        found = self.backend.index_after(collection, *cursor)
        self.chunks += 1
        if self.chunks == 2 and self.written is None:
            self.written = self.other()
        return found


@pytest.mark.parametrize("store", ["redis", "jsonfile", "rest"], indirect=True)
def test_a_background_load_reads_by_chunks_and_misses_nothing_written_between_them(store, monkeypatch):
    monkeypatch.setattr(collection_module, "LOAD_CHUNK", 3)
    created = make_clients(10)
    writer = Store(store.backend).collection("clients")

    def other_process():
        writer.delete(created[0]["id"])  # already read in the first chunk
        writer.delete(created[8]["id"])  # not read yet
        writer.update(created[1]["id"], client_fields("Renamed", "c1@example.org"))
        return writer.create(client_fields("Late", "late@example.org"))

    backend = WritesBetweenChunks(store.backend, other_process)
    fresh_process(store, backend)
    clients = get_store().collection("clients")
    clients.warm_from = 5
    assert clients.all(wait=False) is None  # loading in the background
    wait_until(lambda: clients.cache.version is not None)
    assert backend.chunks >= 4  # 10 ids, then 9 after the deletes, 3 a chunk at most: never all at once
    assert "snapshot_ids" not in [name for name, *_ in backend.calls]
    expected = {c["id"]: c["name"] for c in created if c["id"] not in (created[0]["id"], created[8]["id"])}
    expected[created[1]["id"]] = "Renamed"
    expected[backend.written["id"]] = "Late"
    assert {r["id"]: r["name"] for r in clients.all()} == expected
    assert [r["id"] for r in clients.all()] == [r["id"] for r in Store(store.backend).collection("clients").all()]
