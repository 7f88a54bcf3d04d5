"""How a page of a collection larger than the cache is planned and kept: a window of up to a thousand
records at any offset is one page read of the index in the asked order; the pages kept weigh their
records; a page ordered by an annotation follows the collection the annotation maps; and a page the
backend fails to read is the last answer, flagged, only when stale reads are allowed."""

import logging

import pytest

from clients.models import Client
from sessions_app.models import Session
from storage.backends.base import Backend
from storage.errors import StorageUnavailable
from storage.models.annotations import MappedValue
from storage.served import reset_stale, stale_served
from storage.store import Store, get_store, set_store
from tests.test_bounded_cache import CAP, fresh_process, ids
from tests.test_indexed_queries import backend_calls, mixed_clients, sessions_of
from tests.test_storage_contract import CountingBackend, client_fields, session_fields


def page_reads(counting):
    return [args for name, args in counting.calls if name == "page"]


def test_a_window_of_up_to_a_thousand_records_at_any_offset_is_one_page_read_in_the_asked_order(small):
    sessions_of(mixed_clients())
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    for query, read in (
        (Client.objects.order_by("-created_at")[0:1000], ("clients", 0, 1000, True, None)),
        (Client.objects.order_by("-created_at")[995:997], ("clients", 995, 2, True, None)),
        (Session.objects.order_by("-starts_at")[400:700], ("sessions", 400, 300, True, "starts_at")),
        (Session.objects.order_by("starts_at")[2:4], ("sessions", 2, 2, False, "starts_at")),
    ):
        list(query)
        assert page_reads(counting) == [read]  # not a scan of the collection in creation order
        counting.calls.clear()


def test_a_page_weighs_its_records_in_the_bound_of_results_kept(small):
    mixed_clients()
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    first = ids(Client.objects.order_by("created_at")[0:2])
    ids(Client.objects.order_by("created_at")[5:6])  # with the first: 3 records, more than CAP // 2 = 2
    backend_calls(counting)
    assert ids(Client.objects.order_by("created_at")[0:2]) == first
    # the first page had to leave: read again (the size check brings only a page read at a new version)
    assert backend_calls(counting) == ["size_and_page", "page"]


def test_a_page_ordered_by_an_annotation_follows_the_collection_the_annotation_maps(small):
    clients = mixed_clients()
    sessions_of(clients)  # three sessions of the first client, five of the second
    fresh_process(small)

    def busiest():
        counts = MappedValue("id", lambda: Session.objects.counts_by("client"), default=0)
        return ids(Client.objects.annotate(n=counts).order_by("-n")[:1])

    assert busiest() == [clients[1]["id"]]
    for i in range(3):  # the clients are unchanged: their version is the same
        get_store().collection("sessions").create(session_fields(clients[0]["id"], f"More {i}"))
    assert busiest() == [clients[0]["id"]]


class FailingPages(CountingBackend):
    """A backend whose page reads fail while `failing` is set (the rest of it answers)."""

    failing = False

    def page(self, *args):
        if self.failing:
            raise StorageUnavailable("the page read failed")
        return self.backend.page(*args)

    def size_and_page(self, *args):
        return Backend.size_and_page(self, *args)  # the size, then the failing page read


@pytest.mark.parametrize("stale_reads", [True, False])
def test_a_page_the_backend_fails_to_read_is_the_last_answer_flagged_only_with_stale_reads(small, stale_reads, caplog):
    mixed_clients()
    backend = FailingPages(small.backend)
    set_store(Store(backend, stale_reads=stale_reads, max_records=CAP))
    newest = ids(Client.objects.order_by("-created_at")[:3])
    Store(small.backend, max_records=CAP).collection("clients").create(client_fields("Late", "late@example.org"))
    backend.failing = True
    reset_stale()
    caplog.set_level(logging.WARNING, logger="storage")
    if not stale_reads:
        with pytest.raises(StorageUnavailable):
            ids(Client.objects.order_by("-created_at")[:3])
        assert stale_served() is False
        return
    assert ids(Client.objects.order_by("-created_at")[:3]) == newest  # the version before "Late"
    assert stale_served() is True
    where = get_store().collection("clients").where
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "CRITICAL",
            f"CRITICAL: cannot read clients from {where} (the page read failed); serving the last known memory "
            "state, which may be stale",
        )
    ]


def test_a_loading_collection_answers_from_its_indexes_only_the_queries_an_index_serves(prefix, use_store):
    from storage.models import indexed
    from tests.conftest import make_backend

    use_store(make_backend("fakeredis", prefix))
    served = {
        "creation order": (Session.objects.order_by("-created_at"), True),
        "a sort index": (Session.objects.order_by("starts_at"), True),
        "a sort index reversed": (Session.objects.order_by("-starts_at"), True),
        "a sort index then a tie-break": (Session.objects.order_by("starts_at", "title"), False),
        "a field without an index": (Session.objects.order_by("title"), False),
        "ids": (Client.objects.filter(pk__in=["client_a", "client_b"]), True),
        "one reference value": (Session.objects.filter(client_id="client_a"), True),
        "one unique value": (Client.objects.filter(email="a@example.org"), True),
        "any other filter": (Client.objects.filter(name="Ann"), False),
    }
    assert {name: indexed.servable(query) for name, (query, _) in served.items()} == {
        name: expected for name, (_, expected) in served.items()
    }
