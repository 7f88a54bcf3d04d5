"""Real Redis topologies on loopback for the scale-out tests: a 3-master Redis Cluster, and a
master + replica watched by three sentinels. Built from the redis-server binary (tests/redis_server.py)."""

import os
import shutil
import subprocess
import tempfile
import time

import redis

from tests.redis_server import BINARY, RedisServer, free_port

REDIS_CLI = shutil.which("redis-cli")


def wait_until(predicate, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (redis.RedisError, OSError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout}s: {message}")


class Cluster:
    """Three masters, no replicas, every slot assigned (redis-cli --cluster create)."""

    def __init__(self, size=3):
        options = ("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
        # An explicit bus port: the default (port + 10000) may be taken, or past 65535.
        self.nodes = [RedisServer(*options, "--cluster-port", str(free_port())) for _ in range(size)]

    @property
    def url(self):
        return self.nodes[0].url

    def start(self):
        for node in self.nodes:
            node.start()
        addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
        subprocess.run(
            [REDIS_CLI, "--cluster", "create", *addresses, "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=30,
        )
        for node in self.nodes:
            wait_until(lambda n=node: n.client().info("cluster") and _cluster_ok(n), 20, "cluster_state:ok")
        return self

    def close(self):
        for node in self.nodes:
            node.close()


def _cluster_ok(node):
    info = node.client().execute_command("CLUSTER", "INFO")
    if isinstance(info, bytes):
        info = info.decode()
    return "cluster_state:ok" in info if isinstance(info, str) else info.get("cluster_state") == "ok"


class SentinelServer:
    """redis-server --sentinel with a generated config (small down-after and failover timeouts)."""

    def __init__(self, service, master_port, down_after_ms=400, failover_timeout_ms=2000):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="sentinel-test-")
        self.config = os.path.join(self.dir, "sentinel.conf")
        with open(self.config, "w") as handle:
            handle.write(
                f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\n"
                f"logfile {os.path.join(self.dir, 'sentinel.log')}\n"
                f"sentinel monitor {service} 127.0.0.1 {master_port} 2\n"
                f"sentinel down-after-milliseconds {service} {down_after_ms}\n"
                f"sentinel failover-timeout {service} {failover_timeout_ms}\n"
                f"sentinel parallel-syncs {service} 1\n"
            )
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [BINARY, self.config, "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_until(lambda: redis.Redis(port=self.port, socket_timeout=1).ping(), 10, f"sentinel on {self.port}")
        return self

    def close(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


class SentinelGroup:
    """A master, one replica and three sentinels watching them as `service`."""

    def __init__(self, service="mymaster"):
        self.service = service
        # Diskless sync with no delay: the replica is in sync in milliseconds, not the default 5 s.
        sync = ("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0")
        self.master = RedisServer(*sync)
        self.replica = RedisServer(*sync, "--replicaof", "127.0.0.1", str(self.master.port))
        self.sentinels = [SentinelServer(service, self.master.port) for _ in range(3)]

    def url(self, db=0):
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis+sentinel://{hosts}/{self.service}/{db}"

    def start(self):
        self.master.start()
        self.replica.start()
        wait_until(
            lambda: self.replica.client().info("replication")["master_link_status"] == "up", 20, "replica in sync"
        )
        for sentinel in self.sentinels:
            sentinel.start()
        # Every sentinel knows the replica and the other sentinels before a failover is possible.
        wait_until(self._sentinels_ready, 30, "sentinels see the replica and each other")
        return self

    def _sentinels_ready(self):
        for sentinel in self.sentinels:
            info = redis.Redis(port=sentinel.port, decode_responses=True, socket_timeout=1).sentinel_master(
                self.service
            )
            if int(info["num-slaves"]) < 1 or int(info["num-other-sentinels"]) < len(self.sentinels) - 1:
                return False
        return True

    def master_port(self):
        client = redis.Redis(port=self.sentinels[0].port, decode_responses=True, socket_timeout=1)
        return int(client.sentinel_get_master_addr_by_name(self.service)[1])

    def close(self):
        for server in (*self.sentinels, self.master, self.replica):
            server.close()
