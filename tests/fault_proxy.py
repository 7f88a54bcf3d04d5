"""A small fault-injection TCP proxy between the app and Redis, for the reliability tests.

Modes (switch at any time with set_mode; they apply to new and open connections):
  pass          forward both ways
  latency       forward, delaying every chunk by `delay` seconds
  blackhole     accept and read, forward nothing, answer nothing
  reset         drop every connection with a TCP reset
  refuse        stop listening: connections are refused
  close_after   forward `limit` bytes of each reply stream, then close the connection
"""

import select
import socket
import struct
import threading
import time

from storage.retry import DELAYS, MAX_ATTEMPTS

# Each fault a test walks through, by name (set_mode arguments).
FAULTS = [
    ("latency_below_timeout", {"mode": "latency", "delay": 0.05}),
    ("latency_above_timeout", {"mode": "latency", "delay": 1.0}),
    ("blackhole", {"mode": "blackhole"}),
    ("reset", {"mode": "reset"}),
    ("refuse", {"mode": "refuse"}),
    ("close_after_bytes", {"mode": "close_after", "limit": 7}),
]
SLACK = 1.5  # a loaded CI machine: the bound is about the design, not the machine's speed


def failure_bound(timeout):
    """How long one storage operation may take to fail: 3 attempts, each bounded by the connect
    and read timeouts, plus the backoff delays (with their jitter)."""
    return MAX_ATTEMPTS * 2 * timeout + sum(DELAYS) * 1.2


class FaultProxy:
    def __init__(self, upstream_port, upstream_host="127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.mode = "pass"
        self.delay = 0.0
        self.limit = 0
        self.port = None
        self._listener = None
        self._connections = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._listen()

    # control
    def set_mode(self, mode, *, delay=0.0, limit=0):
        assert mode in ("pass", "latency", "blackhole", "reset", "refuse", "close_after")
        self.delay, self.limit = delay, limit
        previous, self.mode = self.mode, mode
        if mode == "refuse" and previous != "refuse":
            self._close_listener()
            self._drop_all()
        elif previous == "refuse" and mode != "refuse":
            self._listen(self.port)
        if mode == "reset":
            self._drop_all(reset=True)

    def close(self):
        self._stopped.set()
        self._close_listener()
        self._drop_all()

    # plumbing
    def _listen(self, port=0):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _close_listener(self):
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None

    def _drop_all(self, reset=False):
        with self._lock:
            connections, self._connections = self._connections, set()
        for sock in connections:
            _close(sock, reset=reset)

    def _accept(self, listener):
        while not self._stopped.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self.mode == "reset":
                _close(client, reset=True)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client, reset=True)
                continue
            with self._lock:
                self._connections.update((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client, server):
        sent_back = 0
        try:
            while not self._stopped.is_set():
                readable, _, _ = select.select([client, server], [], [], 0.05)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    mode = self.mode
                    if mode in ("blackhole", "refuse", "reset"):
                        continue  # swallowed
                    if mode == "latency":
                        time.sleep(self.delay)
                    if sock is client:
                        server.sendall(data)
                        continue
                    if mode == "close_after":
                        room = self.limit - sent_back
                        if room <= 0:
                            return
                        data = data[:room]
                    client.sendall(data)
                    sent_back += len(data)
        except (OSError, ValueError):  # ValueError: select() on a socket another thread closed
            return
        finally:
            with self._lock:
                self._connections.discard(client)
                self._connections.discard(server)
            _close(client)
            _close(server)


def _close(sock, reset=False):
    try:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass
