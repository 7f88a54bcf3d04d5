"""Vercel KV / Upstash REST backend: the Redis commands of commands.py, sent over HTTPS with httpx.

The protocol, as documented by Upstash (docs/redis/features/restapi, howto/readyourwrites) and as
served by the open-source serverless-redis-http proxy:
- POST {url} with one command as a JSON array; POST {url}/pipeline (not atomic) and
  POST {url}/multi-exec (MULTI/EXEC, atomic) with an array of commands;
- Authorization: Bearer <token>; 401 when the token is refused;
- {"result": ...} or {"error": "ERR ..."} (400 for a single command); a pipeline or transaction
  answers 200 with one {"result"} / {"error"} per command, or one {"error"} if it was discarded;
- Upstash-Encoding: base64 makes every string of a result base64 (nested in arrays too), except
  the "OK" status, which comes back plain (serverless-redis-http encodes it too: both are read);
- the upstash-sync-token response header, sent back on the next request, makes a read replica
  wait for our own writes (read-your-writes).

Not used on purpose: the upstash-redis package (no request timeout, blind retries of writes).
Retries belong to storage/retry.py; WATCH does not exist over REST (the Lua scripts need none).
"""

import base64
import binascii
import json

import httpx

from .. import scripts
from ..errors import CommandError, ConfigurationError, TransientError
from ..keys import index_page
from ..retry import with_retry
from .commands import CommandBackend
from .shared import CREDENTIAL_REPLIES, TRANSIENT_REPLIES, mask_url

SYNC_TOKEN_HEADER = "upstash-sync-token"  # nosec B105
MAX_ERROR_TEXT = 300  # characters of a server's error message kept in ours


class NoScript(CommandError):
    """EVALSHA named a script the server does not have (yet): send it with EVAL."""


class RestBackend(CommandBackend):
    name = "rest"

    @classmethod
    def from_settings(cls, settings):
        return cls(
            settings["REST_URL"],
            settings["REST_TOKEN"],
            settings["KEY_PREFIX"],
            timeout=settings["SOCKET_TIMEOUT"],
            connect_timeout=settings["CONNECT_TIMEOUT"],
        )

    @classmethod
    def check_target(cls, *, rest_url="", rest_token="", rest_read_only_token="", **_):
        if not (rest_url or "").strip().startswith(("https://", "http://")):
            raise ConfigurationError(
                f"KV_REST_API_URL must be the https:// URL of the REST API (got {mask_url(rest_url)!r})"
            )
        if not (rest_token or "").strip():
            raise ConfigurationError("KV_REST_API_TOKEN (or UPSTASH_REDIS_REST_TOKEN) is empty")
        if rest_read_only_token and rest_token == rest_read_only_token:
            raise ConfigurationError(
                "KV_REST_API_TOKEN is the read-only token (it equals KV_REST_API_READ_ONLY_TOKEN): "
                "writes need the standard token"
            )

    def __init__(self, url, token, prefix, *, timeout=2.0, connect_timeout=2.0, transport=None):
        super().__init__(prefix)
        url = (url or "").strip().rstrip("/")
        self.check_target(rest_url=url, rest_token=token)
        self.url = url
        self.target = mask_url(url)  # what messages show
        self.endpoints = {"": url, "pipeline": f"{url}/pipeline", "multi-exec": f"{url}/multi-exec"}
        self.sync_token = None  # the last upstash-sync-token the server gave us
        self.http = httpx.Client(
            headers={
                "Authorization": f"Bearer {token.strip()}",
                "Upstash-Encoding": "base64",
                "Content-Type": "application/json",
            },
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=False,  # a redirect would be a wrong URL: say so instead of following it
            transport=transport,
        )

    def describe(self):
        return {"backend": self.name, "target": self.target, "mode": "http"}

    # transport: each public primitive goes through the one retry policy; _send is not wrapped, so
    # attempts never multiply (EVALSHA then EVAL is one attempt).
    @with_retry
    def call(self, *args):
        return reply_of(self._send("", command(args)), args)

    @with_retry
    def pipeline(self, commands, transaction=False):
        commands = [command(c) for c in commands]
        payload = self._send("multi-exec" if transaction else "pipeline", commands)
        if isinstance(payload, dict) and isinstance(payload.get("error"), str):  # discarded as a whole
            raise error_for(payload["error"], "MULTI" if transaction else "")
        if not isinstance(payload, list) or len(payload) != len(commands):
            raise TransientError(f"the REST API answered {len(commands)} command(s) with {describe_shape(payload)}")
        return [reply_of(item, c) for item, c in zip(payload, commands, strict=True)]

    def changes_since(self, collection, since):
        # The read-only token (KV_REST_API_READ_ONLY_TOKEN) may run read commands, not scripts: a
        # cached list's check before each read stays within them.
        return self.changes_listed(collection, since)

    def snapshot_ids(self, collection):
        # Read commands only, as above: the directory of the paged creation index with the version,
        # then its pages with the version again, kept only when no write came in between.
        keys = self.keys
        legacy, base = keys.index(collection), keys.creation(collection)
        for _attempt in range(3):
            version, exists, ids, pages = self.pipeline(
                [
                    ("GET", keys.version(collection)),
                    ("EXISTS", legacy),
                    ("ZRANGE", legacy, 0, -1),
                    ("ZRANGE", base + ":dir", 0, -1),
                ],
                transaction=True,
            )
            if int(exists) or not pages:
                return int(version or 0), list(ids or ())
            again, *found = self.pipeline(
                [("GET", keys.version(collection))] + [("ZRANGE", index_page(base, entry), 0, -1) for entry in pages],
                transaction=True,
            )
            if again == version:
                return int(version or 0), [record_id for page in found for record_id in page or ()]
        raise TransientError(f"{collection} kept changing while its ids were read; try again")

    @with_retry
    def evalsha(self, operation, keys, args):
        tail = [len(keys), *keys, *args]
        try:
            return reply_of(self._send("", command(["EVALSHA", scripts.sha1(operation), *tail])), ["EVALSHA"])
        except NoScript:
            return reply_of(self._send("", command(["EVAL", scripts.source(operation), *tail])), ["EVAL"])

    def close(self):
        self.http.close()

    def _send(self, endpoint, body):
        """One POST; returns the decoded JSON body or raises a storage error. Keeps the sync token."""
        headers = {SYNC_TOKEN_HEADER: self.sync_token} if self.sync_token else None
        try:
            response = self.http.post(self.endpoints[endpoint], content=json.dumps(body), headers=headers)
        except httpx.TimeoutException as exc:
            raise TransientError(
                f"the REST API at {self.target} did not answer in time ({type(exc).__name__})"
            ) from exc
        except httpx.UnsupportedProtocol as exc:
            raise ConfigurationError(f"KV_REST_API_URL is not usable: {exc}") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"the REST API at {self.target} is unreachable: {type(exc).__name__}: {exc}") from exc
        token = response.headers.get(SYNC_TOKEN_HEADER)
        if token:
            self.sync_token = token
        return payload_of(response, self.target)


def command(args):
    """A command as the JSON array the API takes: every argument as a string."""
    return [a if isinstance(a, str) else str(a) for a in args]


def payload_of(response, url):
    status = response.status_code
    if status == 401:
        # The body is never quoted: nothing the server echoes about our credentials reaches a log.
        raise ConfigurationError(
            f"the REST API at {url} refused the token (HTTP 401): check KV_REST_API_TOKEN (or UPSTASH_REDIS_REST_TOKEN)"
        )
    if status == 429 or status >= 500:
        raise TransientError(f"the REST API answered HTTP {status}{error_text(response)}")
    if 300 <= status < 400:
        raise ConfigurationError(
            f"the REST API redirects (HTTP {status} to {mask_url(response.headers.get('location', '?'))}): "
            "set KV_REST_API_URL to the final https:// URL"
        )
    if status in (403, 404, 405):
        raise ConfigurationError(
            f"KV_REST_API_URL {url} does not answer like an Upstash REST API (HTTP {status}{error_text(response)})"
        )
    try:
        payload = response.json()
    except ValueError:
        if status == 200:
            raise TransientError("the REST API answered HTTP 200 with a body that is not JSON") from None
        raise CommandError(f"the REST API answered HTTP {status}{error_text(response)}") from None
    if status != 200:
        if isinstance(payload, dict) and isinstance(payload.get("error"), str):
            raise error_for(payload["error"])
        raise CommandError(f"the REST API answered HTTP {status}{error_text(response)}")
    return payload


def reply_of(item, args):
    """One {"result"} / {"error"} item: the decoded result, or the storage error it names."""
    if not isinstance(item, dict) or not ("result" in item or "error" in item):
        raise TransientError(f"the REST API answered {args[0]} with {describe_shape(item)}")
    if "error" in item and item["error"] is not None:
        raise error_for(str(item["error"]), args[0])
    return decode(item["result"])


def error_for(message, command_name=""):
    """A Redis error reply (e.g. "ERR ...", "NOSCRIPT ...", "NOPERM ...") as a storage error."""
    message = message[:MAX_ERROR_TEXT]
    if message.startswith("NOSCRIPT"):
        return NoScript(message)
    if message.startswith(CREDENTIAL_REPLIES):
        return ConfigurationError(
            f"the REST token may not run {str(command_name).upper() or 'this command'} ({message}). "
            "Is KV_REST_API_TOKEN the read-only token (KV_REST_API_READ_ONLY_TOKEN)? "
            "Writes need the standard token."
        )
    if message.startswith(TRANSIENT_REPLIES):
        return TransientError(message)
    return CommandError(message)


def decode(value):
    """Undo Upstash-Encoding: base64 in a result: every string, nested in arrays too; "OK" is plain."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, str) or value == "OK":  # "OK" is not valid base64: no ambiguity
        return value
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise CommandError(
            "the REST API sent a string that is not base64 although Upstash-Encoding: base64 was asked: "
            "is KV_REST_API_URL an Upstash-compatible REST API?"
        ) from None


def error_text(response):
    """': <message>' from a JSON {"error"} body; nothing for HTML or other bodies (never dumped)."""
    try:
        payload = response.json()
    except ValueError:
        return ""
    if isinstance(payload, dict) and isinstance(payload.get("error"), str):
        return f": {payload['error'][:MAX_ERROR_TEXT]}"
    return ""


def describe_shape(payload):
    if isinstance(payload, list):
        return f"a list of {len(payload)} item(s)"
    return f"an unexpected {type(payload).__name__}"
