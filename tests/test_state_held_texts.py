"""The size check of a collection served from its indexes (state.lua) leaves out of its reply the
texts of the page's records that the caller holds and that the change log shows unchanged since
it read them: after one change, one text travels instead of the whole page. A held text is proven
not sent again by holding a marker instead of the real text: the marker comes back only where the
script trusted it, so every case where it must not is a failing assertion here."""

import json

import pytest

from tests.test_storage_contract import client_fields, session_fields

MARKER = '{"held":"marker"}'


@pytest.fixture(params=["redis", "rest"])
def command_store(request):
    return request.getfixturevalue(f"{request.param}_store")


def four_sessions(store):
    client = store.collection("clients").create(client_fields())
    sessions = store.collection("sessions")
    return sessions, [sessions.create(session_fields(client["id"], title)) for title in ("A", "B", "C", "D")]


def held_markers(page):
    return page.version, dict.fromkeys(page.ids, MARKER)


def size_and_page(backend, known, held):
    return backend.size_and_page("sessions", ("starts_at",), known, 0, 4, False, None, held)[3]


def test_only_the_changed_record_s_text_is_sent_again(command_store):
    sessions, made = four_sessions(command_store)
    backend = sessions.backend
    before = backend.page("sessions", 0, 4)
    sessions.update(made[2]["id"], session_fields(made[2]["client_id"], "C changed"))
    found = size_and_page(backend, before.version, held_markers(before))
    sent = [t for t in found.texts if t != MARKER]
    assert [json.loads(t)["title"] for t in sent] == ["C changed"]
    assert found.texts[2] == sent[0] and found.ids == before.ids


def test_a_record_new_to_the_page_is_sent(command_store):
    sessions, made = four_sessions(command_store)
    backend = sessions.backend
    before = backend.page("sessions", 0, 4)
    sessions.delete(made[0]["id"])
    sessions.create(session_fields(made[1]["client_id"], "E"))
    found = size_and_page(backend, before.version, held_markers(before))
    assert found.ids == (*before.ids[1:], found.ids[3]) and found.ids[3] not in before.ids
    assert json.loads(found.texts[3])["title"] == "E"
    assert found.texts[:3] == (MARKER,) * 3


def test_held_texts_older_than_the_change_log_s_floor_are_all_sent_again(command_store):
    sessions, made = four_sessions(command_store)
    backend = sessions.backend
    before = backend.page("sessions", 0, 4)
    sessions.update(made[0]["id"], session_fields(made[0]["client_id"], "A changed"))
    backend.call("HSET", backend.keys.meta(), "floor:sessions", before.version + 1)  # the log was trimmed
    found = size_and_page(backend, before.version, held_markers(before))
    assert MARKER not in found.texts
    assert found == backend.page("sessions", 0, 4)


def test_held_texts_from_a_version_the_backend_no_longer_reached_are_all_sent_again(command_store):
    sessions, made = four_sessions(command_store)
    backend = sessions.backend
    page = backend.page("sessions", 0, 4)
    future = (page.version + 10, dict.fromkeys(page.ids, MARKER))  # read before a reset of the backend
    found = size_and_page(backend, page.version - 1, future)
    assert MARKER not in found.texts
    assert found == page


def test_with_more_changes_than_the_script_looks_through_every_text_is_sent_again(command_store):
    sessions, made = four_sessions(command_store)
    backend = sessions.backend
    before = backend.page("sessions", 0, 4)
    others = [part for i in range(1001) for part in (before.version + 1, f"session_{i}")]
    backend.call("ZADD", backend.keys.changes("sessions"), *others)
    backend.call("SET", backend.keys.version("sessions"), before.version + 1)
    found = size_and_page(backend, before.version, held_markers(before))
    assert MARKER not in found.texts


def test_a_list_after_one_change_receives_one_text(command_store, monkeypatch):
    from storage.store import Store

    sessions, made = four_sessions(command_store)
    reader = Store(sessions.backend, max_records=2).collection("sessions")  # larger than its cache: by index
    reader.all(wait=False)
    reader.page(0, 4, sort="starts_at")
    sent = []
    read_script = reader.backend.read_script

    def counting(operation, keys, args):
        reply = read_script(operation, keys, args)
        if operation == "state":
            sent.append(sum(1 for text in reply[5] if isinstance(text, str)))
        return reply

    monkeypatch.setattr(reader.backend, "read_script", counting)
    sessions.update(made[3]["id"], session_fields(made[3]["client_id"], "D changed"))
    reader.all(wait=False)
    version, total, records = reader.page(0, 4, sort="starts_at")
    assert sent == [1]
    assert [r["title"] for r in records] == ["A", "B", "C", "D changed"]
