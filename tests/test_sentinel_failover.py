"""Sentinel failover on real servers: kill -9 the master, the sentinels promote the replica, and
the same process keeps serving reads and writes without a restart; writes acknowledged with
STORAGE_WAIT_REPLICAS=1 before the kill are all on the new master."""

import threading
import time

import pytest

from storage import log
from storage.backends.redis import RedisBackend
from storage.errors import StorageUnavailable, WriteNotDurable
from storage.served import reset_stale, stale_served
from tests.conftest import need_redis_server
from tests.redis_topologies import SentinelGroup, wait_until
from tests.test_storage_contract import client_fields

RECOVERY_DEADLINE = 30  # seconds: a bound for the test to end, not a speed assertion

pytestmark = pytest.mark.slow


@pytest.fixture
def sentinel_group():
    need_redis_server()
    group = SentinelGroup().start()
    yield group
    group.close()


def until_it_works(action):
    """Call action until the backend answers (StorageUnavailable while the failover runs)."""
    deadline = time.monotonic() + RECOVERY_DEADLINE
    while True:
        try:
            return action()
        except StorageUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def durable_and_app_stores(group, prefix, use_store):
    """(the durable writer's clients, the app's clients): one waits for a replica on every write, the
    other serves stale reads from memory while Redis is unreachable."""
    options = {"socket_timeout": 1.0, "connect_timeout": 0.5}
    durable = use_store(RedisBackend(group.url(), prefix, wait_replicas=1, wait_timeout_ms=500, **options))
    app = use_store(RedisBackend(group.url(), prefix, **options), stale_reads=True)
    return durable.collection("clients"), app.collection("clients")


def assert_fresh_reads_updates_and_deletes(clients, acknowledged, created):
    reset_stale()  # what the middleware does at the start of each request
    listed = clients.all()
    assert not stale_served()
    assert {r["id"] for r in listed} == set(acknowledged) | {created["id"]}
    assert clients.update(acknowledged[0], client_fields(name="renamed"), expected_version=1)["version"] == 2
    clients.delete(acknowledged[1])
    assert clients.get(acknowledged[1]) is None


def assert_kept_on_the_promoted_replica(group, prefix, kept_ids, records_in_index):
    """Read on the promoted replica directly, not through the storage layer."""
    direct = group.replica.client()
    assert all(direct.exists(f"{{{prefix}}}:clients:{record_id}") for record_id in kept_ids)
    assert int(direct.get(f"{{{prefix}}}:clients:order:created_at:n")) == records_in_index


def rejoin_old_master_as_replica(group):
    """The sentinels would reconfigure it by themselves at their next 10 s INFO round; done at once here."""
    group.master.start()
    group.master.client().replicaof("127.0.0.1", group.replica.port)
    wait_until(
        lambda: group.replica.client().info("replication").get("slave0", {}).get("state") == "online",
        RECOVERY_DEADLINE,
        "old master re-joined as a replica",
    )


def assert_not_durable_while_the_replica_sleeps(group, writes):
    frozen = threading.Thread(target=lambda: group.master.client().execute_command("DEBUG", "SLEEP", "3"))
    frozen.start()
    group.master.wait_until_asleep()  # polled; the sleep lasts more than 5 x the 500 ms WAIT below
    with pytest.raises(WriteNotDurable):
        writes.create(client_fields(name="while the replica sleeps"))
    frozen.join()


def test_failover_keeps_serving_and_keeps_every_acknowledged_write(sentinel_group, prefix, use_store):
    group = sentinel_group
    writes, clients = durable_and_app_stores(group, prefix, use_store)

    acknowledged = [writes.create(client_fields(name=f"c{i}", email=f"c{i}@example.org"))["id"] for i in range(25)]
    assert len(clients.all()) == 25  # this process's memory is warm
    old_master = group.master_port()

    group.master.kill()  # kill -9: whatever the replica does not have is lost
    started = time.monotonic()

    # While the sentinels vote, reads are still served (from memory, flagged stale).
    assert {r["id"] for r in clients.all()} == set(acknowledged)

    created = until_it_works(lambda: clients.create(client_fields(name="after the failover")))
    log.warning(f"Failover: writes served again after {time.monotonic() - started:.1f} s")
    assert group.master_port() == group.replica.port != old_master

    # Same process, no restart: fresh reads, updates and deletes on the new master.
    assert_fresh_reads_updates_and_deletes(clients, acknowledged, created)

    # Every write acknowledged with WAIT 1 is on the promoted replica (25 - 1 deleted + 1 created).
    assert_kept_on_the_promoted_replica(group, prefix, acknowledged[2:], records_in_index=25)

    # The new master has no replica: a write that asks for one is failed-or-unknown, never a success.
    with pytest.raises(WriteNotDurable):
        writes.create(client_fields(name="no replica left"))

    # The old master comes back as a replica of the new one; WAIT 1 works again.
    rejoin_old_master_as_replica(group)
    assert until_it_works(lambda: writes.create(client_fields(name="durable again")))["version"] == 1
    assert group.master.client().exists(f"{{{prefix}}}:clients:order:created_at:n")

    # WAIT counts real acknowledgements: with the replica frozen, a write is never reported saved.
    assert_not_durable_while_the_replica_sleeps(group, writes)
