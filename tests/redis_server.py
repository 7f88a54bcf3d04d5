"""Start and stop real redis-server processes on free loopback ports, in temp directories."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

BINARY = shutil.which("redis-server")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, *extra_args, port=None, password=None):
        if BINARY is None:
            raise RuntimeError("redis-server is not on PATH")
        self.port = port or free_port()
        self.password = password
        self.dir = tempfile.mkdtemp(prefix="redis-test-")
        self.extra_args = list(extra_args)
        self.process = None

    @property
    def url(self):
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def args(self):
        args = [
            BINARY,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            self.dir,
            "--save",
            "",
            "--appendonly",
            "no",
            "--enable-debug-command",
            "local",
            "--logfile",
            os.path.join(self.dir, "redis.log"),
        ]
        if self.password:
            args += ["--requirepass", self.password]
        return args + self.extra_args

    def start(self):
        self.process = subprocess.Popen(self.args(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return self
            except redis.ResponseError as exc:
                if "LOADING" not in str(exc):
                    return self
            except redis.ConnectionError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}: {self.log()}")
            time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}: {self.log()}")

    def client(self, **kwargs):
        return redis.Redis(
            host="127.0.0.1", port=self.port, password=self.password, decode_responses=True, socket_timeout=5, **kwargs
        )

    def wait_until_asleep(self, probe_timeout=0.25, deadline=10):
        """Return once the server stops answering (a DEBUG SLEEP sent by another thread has begun):
        a PING that gets no answer within probe_timeout. Polls: no sleep stands in for the state."""
        probe = redis.Redis(
            host="127.0.0.1",
            port=self.port,
            password=self.password,
            socket_timeout=probe_timeout,
            retry=Retry(NoBackoff(), 0),  # redis-py would retry the timed-out PING by itself
        )
        give_up = time.monotonic() + deadline
        try:
            while time.monotonic() < give_up:
                try:
                    probe.ping()
                except redis.TimeoutError:
                    return
                time.sleep(0.005)
        finally:
            probe.close()
        raise RuntimeError(f"redis-server on port {self.port} never went to sleep")

    def log(self):
        try:
            with open(os.path.join(self.dir, "redis.log")) as handle:
                return handle.read()[-2000:]
        except OSError:
            return ""

    def stop(self):
        """Graceful shutdown (SIGTERM)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def kill(self):
        """kill -9: no chance to save anything."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def restart(self):
        self.stop()
        return self.start()

    def close(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
