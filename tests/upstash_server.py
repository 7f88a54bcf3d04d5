"""A local Upstash-compatible REST server for the tests, in front of a real redis-server.

It speaks the documented protocol (Upstash docs: redis/features/restapi; the open-source
serverless-redis-http proxy behaves the same way):
- POST / with one command as a JSON array; POST /pipeline (commands run one by one, not atomic);
  POST /multi-exec (MULTI, the commands, EXEC on one connection: atomic);
- Authorization: Bearer <token>, else 401 {"error": "Unauthorized"}; each token maps to Redis
  credentials, so a token bound to a read-only ACL user answers NOPERM on writes, as Upstash's
  read-only token does;
- raw Redis replies, errors with their prefix ("ERR ...", "NOSCRIPT ..."): a failed single
  command is 400 {"error"}; a pipeline is 200 with one {"result"} / {"error"} per command; a
  transaction discarded by Redis (EXECABORT) is 400 {"error"};
- Upstash-Encoding: base64 encodes every string of a result, nested arrays too, except the "OK"
  status; without it, invalid UTF-8 becomes U+FFFD;
- every response carries a fresh upstash-sync-token header; the tokens received are recorded.

`fail_next(status, body)` makes the next requests fail (429, 5xx, HTML...) for fault tests;
with after_running=True the command runs first and only its reply is lost.
Redis is spoken to with a tiny RESP2 client so replies reach the HTTP side untouched.
"""

import base64
import itertools
import json
import secrets
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class Status(str):
    """A RESP simple-string reply (+OK), as opposed to a bulk string."""


class RespError(str):
    """A RESP error reply, prefix included ("ERR ...")."""


class Resp:
    """One connection to redis-server, RESP2, replies left raw (bytes, ints, lists, errors)."""

    def __init__(self, port, username=None, password=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.reader = self.sock.makefile("rb")
        if password is not None:
            reply = self.command(["AUTH", username or "default", password])
            if isinstance(reply, RespError):
                self.close()
                raise ConnectionError(reply)

    def command(self, args):
        out = [b"*%d\r\n" % len(args)]
        for arg in args:
            data = arg if isinstance(arg, bytes) else str(arg).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(data), data))
        self.sock.sendall(b"".join(out))
        return self.read()

    def read(self):
        line = self.reader.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("redis-server closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return Status(rest.decode())
        if kind == b"-":
            return RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            return None if size < 0 else self.reader.read(size + 2)[:-2]
        if kind == b"*":
            size = int(rest)
            return None if size < 0 else [self.read() for _ in range(size)]
        raise ConnectionError(f"unexpected RESP reply {line[:40]!r}")

    def close(self):
        self.reader.close()
        self.sock.close()


def render(value, base64_strings):
    """A raw Redis reply as the REST API writes it in JSON."""
    if isinstance(value, list):
        return [render(v, base64_strings) for v in value]
    if isinstance(value, RespError):
        return str(value)
    if isinstance(value, Status):
        if base64_strings and value != "OK":
            return base64.b64encode(value.encode()).decode()
        return str(value)
    if isinstance(value, bytes):
        if base64_strings:
            return base64.b64encode(value).decode()
        return value.decode("utf-8", errors="replace")
    return value  # int or None


def item(reply, base64_strings):
    if isinstance(reply, RespError):
        return {"error": str(reply)}
    return {"result": render(reply, base64_strings)}


def is_command(value):
    return isinstance(value, list) and value and all(isinstance(a, str | int | float) for a in value)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle + delayed ACK add ~40 ms each.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):  # quiet: pytest shows failures, not every request
        pass

    def do_GET(self):
        self.answer(405, {"error": "ERR only POST is supported here"})

    def do_POST(self):
        app = self.server.app
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        app.received_sync_tokens.append(self.headers.get("upstash-sync-token"))
        fault = app.take_fault()
        if fault and not fault[3]:
            return self.answer(*fault[:3])
        self.override = fault  # after_running: run the command, then lose its reply
        auth = self.headers.get("Authorization", "")
        credentials = app.tokens.get(auth[len("Bearer ") :]) if auth.startswith("Bearer ") else None
        if credentials is None:
            return self.answer(401, {"error": "Unauthorized"})
        path = urlsplit(self.path).path.rstrip("/") or "/"
        if path not in ("/", "/pipeline", "/multi-exec"):
            return self.answer(404, {"error": "ERR endpoint not found"})
        try:
            parsed = json.loads(body)
        except ValueError:
            return self.answer(400, {"error": "ERR failed to parse command"})
        encode = self.headers.get("Upstash-Encoding", "").lower() == "base64"
        try:
            conn = Resp(app.redis_port, *credentials)
        except OSError as exc:
            return self.answer(500, {"error": f"ERR cannot reach Redis: {exc}"})
        try:
            if path == "/":
                if not is_command(parsed):
                    return self.answer(400, {"error": "ERR a command is a non-empty JSON array"})
                reply = conn.command(parsed)
                if isinstance(reply, RespError):
                    return self.answer(400, {"error": str(reply)})
                return self.answer(200, {"result": render(reply, encode)})
            if not (isinstance(parsed, list) and parsed and all(is_command(c) for c in parsed)):
                return self.answer(400, {"error": "ERR a pipeline is a non-empty JSON array of commands"})
            if path == "/pipeline":
                return self.answer(200, [item(conn.command(c), encode) for c in parsed])
            started = conn.command(["MULTI"])
            if isinstance(started, RespError):
                return self.answer(400, {"error": str(started)})
            for c in parsed:
                conn.command(c)  # QUEUED, or an error that makes EXEC abort
            replies = conn.command(["EXEC"])
            if isinstance(replies, RespError):
                return self.answer(400, {"error": str(replies)})
            return self.answer(200, [item(r, encode) for r in replies])
        except OSError as exc:
            return self.answer(500, {"error": f"ERR lost the connection to Redis: {exc}"})
        finally:
            conn.close()

    def answer(self, status, payload, content_type="application/json"):
        if getattr(self, "override", None):
            (status, payload, content_type), self.override = self.override[:3], None
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("upstash-sync-token", self.server.app.next_sync_token())
        self.end_headers()
        self.wfile.write(data)


class UpstashServer:
    def __init__(self, redis_port, token=None, redis_password=None):
        self.redis_port = redis_port
        self.token = token or secrets.token_urlsafe(24)
        self.tokens = {self.token: (None, redis_password)}
        self.received_sync_tokens = []
        self._faults = []
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.app = self
        self.thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def add_token(self, username, password):
        """A further token, bound to a Redis ACL user (e.g. a read-only one)."""
        token = secrets.token_urlsafe(24)
        self.tokens[token] = (username, password)
        return token

    def fail_next(self, status, body, content_type="application/json", times=1, after_running=False):
        """Answer the next request(s) with this instead; after_running=True runs the command first
        (a reply lost after Redis applied the write: the ambiguous case)."""
        with self._lock:
            self._faults.extend([(status, body, content_type, after_running)] * times)

    def take_fault(self):
        with self._lock:
            return self._faults.pop(0) if self._faults else None

    def next_sync_token(self):
        return f"sync-{next(self._counter)}"

    def start(self):
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="upstash-server", daemon=True
        )
        self.thread.start()
        return self

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
