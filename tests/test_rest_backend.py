"""The REST backend's client, against httpx.MockTransport: every reply shape and failure mode."""

import json

import httpx
import pytest

from storage import retry, scripts
from storage.backends.base import Changes
from storage.backends.rest import RestBackend
from storage.errors import CommandError, ConfigurationError, StorageUnavailable
from tests.rest_fake import TOKEN, URL, FakeApi, b64, make


@pytest.fixture(autouse=True)
def no_retry_delay(monkeypatch):
    monkeypatch.setattr(retry, "DELAYS", (0, 0))


def test_requests_carry_bearer_token_base64_encoding_and_string_arguments():
    api = FakeApi(httpx.Response(200, json={"result": b64("PONG")}))
    backend = make(api, url=URL + "/")  # a trailing slash is fine
    assert backend.call("ZRANGE", "k", 0, -1) == "PONG"
    request = api.requests[0]
    assert str(request.url) == URL
    assert request.method == "POST"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["upstash-encoding"] == "base64"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == ["ZRANGE", "k", "0", "-1"]


def test_timeouts_are_explicit():
    backend = RestBackend(URL, TOKEN, "p", timeout=1.5, connect_timeout=0.5)
    assert backend.http.timeout.connect == 0.5
    assert backend.http.timeout.read == 1.5


def test_401_is_a_configuration_error_that_never_shows_the_token():
    api = FakeApi(httpx.Response(401, json={"error": f"Unauthorized: {TOKEN}"}))
    with pytest.raises(ConfigurationError) as caught:
        make(api).call("GET", "k")
    assert "refused the token" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert len(api.requests) == 1  # not retried


def test_400_error_is_the_command_error_and_is_not_retried():
    api = FakeApi(httpx.Response(400, json={"error": "ERR wrong number of arguments for 'get' command"}))
    with pytest.raises(CommandError, match="ERR wrong number of arguments"):
        make(api).call("GET")
    assert len(api.requests) == 1


def test_429_is_retried_then_reported_unavailable():
    api = FakeApi(httpx.Response(429, json={"error": "ERR max requests limit exceeded"}))
    with pytest.raises(StorageUnavailable, match="429"):
        make(api).call("GET", "k")
    assert len(api.requests) == 3


def test_502_with_an_html_body_is_transient_and_the_retry_succeeds():
    html = httpx.Response(502, text="<html><body><h1>502 Bad Gateway</h1></body></html>")
    api = FakeApi(html, html, httpx.Response(200, json={"result": b64("value")}))
    assert make(api).call("GET", "k") == "value"
    assert len(api.requests) == 3


def test_502_html_body_is_not_dumped_into_the_error():
    api = FakeApi(httpx.Response(502, text="<html><body>Bad Gateway</body></html>"))
    with pytest.raises(StorageUnavailable) as caught:
        make(api).call("GET", "k")
    assert "<html>" not in str(caught.value) and "502" in str(caught.value)


def test_non_json_200_is_transient():
    api = FakeApi(httpx.Response(200, text="<html>captive portal</html>"))
    with pytest.raises(StorageUnavailable, match="not JSON"):
        make(api).call("GET", "k")
    assert len(api.requests) == 3


def test_timeout_is_transient_and_retried():
    api = FakeApi(httpx.ReadTimeout("timed out"))
    with pytest.raises(StorageUnavailable, match="did not answer in time"):
        make(api).call("GET", "k")
    assert len(api.requests) == 3


def test_connect_error_is_transient_and_retried():
    api = FakeApi(httpx.ConnectError("connection refused"), httpx.Response(200, json={"result": 1}))
    assert make(api).call("INCR", "k") == 1
    assert len(api.requests) == 2


def test_nested_base64_results_are_decoded_and_ok_may_be_plain():
    nested = [b64("a"), None, 7, [b64('{"x": "é"}'), [b64("deep"), b64("")]], "OK", b64("OK")]
    api = FakeApi(httpx.Response(200, json={"result": nested}), httpx.Response(200, json={"result": "OK"}))
    backend = make(api)
    assert backend.call("EVAL", "...") == ["a", None, 7, ['{"x": "é"}', ["deep", ""]], "OK", "OK"]
    assert backend.call("SET", "k", "v") == "OK"


def test_a_string_that_is_not_base64_is_a_clear_error():
    api = FakeApi(httpx.Response(200, json={"result": "not base64!"}))
    with pytest.raises(CommandError, match="not base64"):
        make(api).call("GET", "k")


def test_sync_token_is_kept_and_sent_back():
    api = FakeApi(
        httpx.Response(200, json={"result": 1}, headers={"upstash-sync-token": "t1"}),
        httpx.Response(200, json={"result": 2}),  # no header: the last token stays
        httpx.Response(200, json={"result": 3}, headers={"upstash-sync-token": "t2"}),
        httpx.Response(200, json={"result": 4}),
    )
    backend = make(api)
    for _ in range(4):
        backend.call("INCR", "k")
    sent = [r.headers.get("upstash-sync-token") for r in api.requests]
    assert sent == [None, "t1", "t1", "t2"]


def test_noscript_falls_back_to_eval_with_the_script_source():
    api = FakeApi(
        httpx.Response(400, json={"error": "NOSCRIPT No matching script. Please use EVAL."}),
        httpx.Response(200, json={"result": [b64("ok"), 1, 3]}),
    )
    assert make(api).evalsha("create", ["k1", "k2"], ["{}", "doc"]) == ["ok", 1, 3]
    first, second = api.bodies()
    assert first == ["EVALSHA", scripts.sha1("create"), "2", "k1", "k2", "{}", "doc"]
    assert second == ["EVAL", scripts.source("create"), "2", "k1", "k2", "{}", "doc"]


def test_read_only_token_gives_a_clear_error_on_the_first_write():
    api = FakeApi(
        httpx.Response(400, json={"error": "NOPERM this user has no permissions to run the 'evalsha' command"})
    )
    with pytest.raises(ConfigurationError, match="read-only token"):
        make(api).evalsha("create", ["k"], ["{}", "doc"])
    assert len(api.requests) == 1


def test_a_wrong_url_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="https://"):
        RestBackend("redis://example:6379", TOKEN, "p")
    api = FakeApi(httpx.Response(404, text="Not found"))
    with pytest.raises(ConfigurationError, match="404"):
        make(api).call("PING")
    api = FakeApi(httpx.Response(308, headers={"location": "https://elsewhere.example/"}))
    with pytest.raises(ConfigurationError, match="redirects"):
        make(api).call("PING")


def test_describe_shows_the_url_without_the_token():
    info = make(FakeApi(httpx.Response(200, json={"result": "OK"}))).describe()
    assert info == {"backend": "rest", "target": URL, "mode": "http"}
    assert TOKEN not in json.dumps(info)


def test_transport_failures_name_their_cause():
    with pytest.raises(StorageUnavailable, match=r"did not answer in time \(ReadTimeout\)$"):
        make(FakeApi(httpx.ReadTimeout("timed out"))).call("GET", "k")
    with pytest.raises(StorageUnavailable) as caught:
        make(FakeApi(httpx.ConnectError("connection refused"))).call("GET", "k")
    assert str(caught.value) == f"the REST API at {URL} is unreachable: ConnectError: connection refused"


REFUSED = f"the REST API at {URL} refused the token (HTTP 401): check KV_REST_API_TOKEN (or UPSTASH_REDIS_REST_TOKEN)"
NOPERM = "NOPERM this user has no permissions to run the 'set' command"
MAY_NOT = "the REST token may not run {} ({}). Is KV_REST_API_TOKEN the read-only token (KV_REST_API_READ_ONLY_TOKEN)? "
MAY_NOT += "Writes need the standard token."
NOT_THE_API = f"KV_REST_API_URL {URL} does not answer like an Upstash REST API (HTTP"
MOVED = "the REST API redirects (HTTP {} to {}): set KV_REST_API_URL to the final https:// URL"
NOT_BASE64 = "the REST API sent a string that is not base64 although Upstash-Encoding: base64 was asked: "
NOT_BASE64 += "is KV_REST_API_URL an Upstash-compatible REST API?"


@pytest.mark.parametrize(
    ("response", "error", "message"),
    [
        ((401, {"error": "Unauthorized"}), ConfigurationError, REFUSED),
        ((429, {"error": "ERR max requests"}), StorageUnavailable, "the REST API answered HTTP 429: ERR max requests"),
        ((503, {"message": "busy"}), StorageUnavailable, "the REST API answered HTTP 503"),
        ((502, ["busy"]), StorageUnavailable, "the REST API answered HTTP 502"),
        ((502, "<html>"), StorageUnavailable, "the REST API answered HTTP 502"),
        ((200, "<html>"), StorageUnavailable, "the REST API answered HTTP 200 with a body that is not JSON"),
        ((200, {"value": 1}), StorageUnavailable, "the REST API answered SET with an unexpected dict"),
        ((200, {"result": "Y2xp ZW50"}), CommandError, NOT_BASE64),
        ((400, "Bad Request"), CommandError, "the REST API answered HTTP 400"),
        ((400, {"message": "bad"}), CommandError, "the REST API answered HTTP 400"),
        ((400, ["bad"]), CommandError, "the REST API answered HTTP 400"),
        ((400, {"error": NOPERM}), ConfigurationError, MAY_NOT.format("this command", NOPERM)),
        ((403, {"error": "Forbidden"}), ConfigurationError, f"{NOT_THE_API} 403: Forbidden)"),
        ((404, "Not found"), ConfigurationError, f"{NOT_THE_API} 404)"),
        ((405, "Method Not Allowed"), ConfigurationError, f"{NOT_THE_API} 405)"),
        ((300, "https://u:pw@kv2.example/"), ConfigurationError, MOVED.format(300, "https://u:***@kv2.example/")),
        ((308, "https://elsewhere.example/"), ConfigurationError, MOVED.format(308, "https://elsewhere.example/")),
        ((302, None), ConfigurationError, MOVED.format(302, "?")),
    ],
)
def test_each_reply_is_classified_and_explained(response, error, message):
    status, body = response
    if 300 <= status < 400:
        answer = httpx.Response(status, headers={"location": body} if body else {})
    else:
        answer = httpx.Response(status, **({"text": body} if isinstance(body, str) else {"json": body}))
    with pytest.raises(error) as caught:
        make(FakeApi(answer)).call("SET", "k", "v")
    assert str(caught.value) == message


def test_errors_inside_a_pipeline_name_the_command_that_failed():
    api = FakeApi(httpx.Response(200, json=[{"result": 1}, {"error": NOPERM}]))
    with pytest.raises(ConfigurationError) as caught:
        make(api).pipeline([("INCR", "a"), ("SET", "k", "v")])
    assert str(caught.value) == MAY_NOT.format("SET", NOPERM)
    api = FakeApi(httpx.Response(200, json=[{"error": "NOSCRIPT No matching script. Please use EVAL."}]))
    with pytest.raises(CommandError, match="^NOSCRIPT No matching script"):
        make(api).pipeline([("EVALSHA", "abc", 0)])
    api = FakeApi(httpx.Response(200, json=[{"result": 1}, {"value": 2}]))
    with pytest.raises(StorageUnavailable, match="^the REST API answered GET with an unexpected dict$"):
        make(api).pipeline([("INCR", "a"), ("GET", "b")])


def test_the_rate_counter_and_the_reads_that_must_agree_are_each_one_transaction():
    api = FakeApi(
        httpx.Response(200, json=[{"result": "OK"}, {"result": 1}, {"result": 60}]),
        httpx.Response(200, json=[{"result": b64("1")}, {"result": 59}]),
        httpx.Response(200, json=[{"result": None}, {"result": 0}, {"result": []}, {"result": []}]),
        httpx.Response(200, json=[{"result": b64("7")}, {"result": b64("5")}, {"result": [b64("c_1")]}]),
    )
    backend = make(api)
    assert [backend.hit("login", 60), backend.hits("login"), backend.snapshot_ids("c")] == [(1, 60), (1, 59), (0, [])]
    assert backend.changes_listed("c", 6) == Changes(version=7, floor=5, ids=("c_1",))
    assert [r.url.path for r in api.requests] == ["/multi-exec"] * 4


def test_the_ids_of_a_paged_creation_index_are_kept_only_when_no_write_came_between_its_two_reads():
    directory = [{"result": b64("3")}, {"result": 0}, {"result": []}, {"result": [b64("0010000000000000c_1 1")]}]
    api = FakeApi(
        httpx.Response(200, json=directory),
        httpx.Response(200, json=[{"result": b64("4")}, {"result": [b64("c_1"), b64("c_2")]}]),  # a write between
        httpx.Response(200, json=[{"result": b64("4")}, *directory[1:]]),
        httpx.Response(200, json=[{"result": b64("4")}, {"result": [b64("c_1"), b64("c_2")]}]),
    )
    assert make(api).snapshot_ids("c") == (4, ["c_1", "c_2"])
    assert api.bodies()[1] == [["GET", "{p}:c:version"], ["ZRANGE", "{p}:c:order:created_at:p:1", "0", "-1"]]
    assert [r.url.path for r in api.requests] == ["/multi-exec"] * 4


def test_a_collection_never_written_is_at_version_zero_with_no_change_log_floor():
    api = FakeApi(
        httpx.Response(200, json={"result": None}),
        httpx.Response(200, json=[{"result": None}, {"result": None}, {"result": []}]),
    )
    backend = make(api)
    assert backend.version("c") == 0
    assert backend.changes_listed("c", 0) == Changes(version=0, floor=0, ids=())
    assert api.bodies() == [
        ["GET", "{p}:c:version"],
        [["GET", "{p}:c:version"], ["HGET", "{p}:meta", "floor:c"], ["ZRANGEBYSCORE", "{p}:c:changes", "(0", "+inf"]],
    ]
