"""The REST backend's pipelines and transactions, against httpx.MockTransport: which endpoint each
goes to, and an error, a discarded transaction or a short reply inside one."""

import httpx
import pytest

from storage import retry
from storage.errors import CommandError, StorageUnavailable
from tests.rest_fake import FakeApi, b64, make


@pytest.fixture(autouse=True)
def no_retry_delay(monkeypatch):
    monkeypatch.setattr(retry, "DELAYS", (0, 0))


def test_transactions_go_to_multi_exec_and_pipelines_to_pipeline():
    reply = httpx.Response(200, json=[{"result": b64("3")}, {"result": [b64("a"), b64("b")]}])
    api = FakeApi(reply)
    backend = make(api)
    commands = [("GET", "v"), ("ZRANGE", "i", 0, -1)]
    assert backend.pipeline(commands, transaction=True) == ["3", ["a", "b"]]
    assert backend.pipeline(commands) == ["3", ["a", "b"]]
    assert [r.url.path for r in api.requests] == ["/multi-exec", "/pipeline"]
    assert api.bodies()[0] == [["GET", "v"], ["ZRANGE", "i", "0", "-1"]]


def test_an_error_inside_a_pipeline_is_raised():
    api = FakeApi(httpx.Response(200, json=[{"result": 1}, {"error": "WRONGTYPE Operation against a key"}]))
    with pytest.raises(CommandError, match="WRONGTYPE"):
        make(api).pipeline([("INCR", "a"), ("GET", "b")])


def test_a_discarded_transaction_is_a_command_error():
    api = FakeApi(httpx.Response(400, json={"error": "EXECABORT Transaction discarded because of previous errors."}))
    with pytest.raises(CommandError, match="EXECABORT"):
        make(api).pipeline([("NOPE",)], transaction=True)


def test_a_pipeline_reply_of_the_wrong_length_is_transient():
    api = FakeApi(httpx.Response(200, json=[{"result": 1}]))
    with pytest.raises(StorageUnavailable):
        make(api).pipeline([("INCR", "a"), ("INCR", "b")])
