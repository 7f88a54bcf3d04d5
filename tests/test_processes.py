"""Several real OS processes on one backend (tests/storage_worker.py is the other process)."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from storage.backends.redis import RedisBackend
from storage.collection import Collection, CollectionSpec

ROOT = Path(__file__).resolve().parent.parent
COUNTERS = CollectionSpec("counters", "counter", "Counter")


def worker(target, prefix, *task):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.storage_worker", target, prefix, *task],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def run_worker(target, prefix, *task):
    process = worker(target, prefix, *task)
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out
    return out


def test_a_write_in_one_process_is_seen_by_the_next_read_of_another(redis_server, prefix):
    here = Collection(COUNTERS, RedisBackend(redis_server.url, prefix))
    assert run_worker(redis_server.url, prefix, "list") == ""
    created = run_worker(redis_server.url, prefix, "create", "1").split()
    assert [r["id"] for r in here.all()] == created  # the other process's create, seen here
    here.update(created[0], {"value": 41})
    assert json.loads(run_worker(redis_server.url, prefix, "get", created[0]))["value"] == 41
    here.delete(created[0])
    assert json.loads(run_worker(redis_server.url, prefix, "get", created[0])) is None


def test_eight_processes_compare_and_set_one_record_without_losing_an_update(redis_server, prefix):
    counters = Collection(COUNTERS, RedisBackend(redis_server.url, prefix))
    record = counters.create({"value": 0})
    processes = [worker(redis_server.url, prefix, "cas", record["id"], "200") for _ in range(8)]
    reports = []
    for process in processes:
        out, _ = process.communicate(timeout=300)
        assert process.returncode == 0
        reports.append(json.loads(out))
    assert sum(r["done"] for r in reports) == 1600
    final = counters.get(record["id"])
    assert final["value"] == 1600
    assert final["version"] == 1601  # one version per acknowledged update, nothing applied twice


def test_json_files_survive_kill_9_during_writes_from_two_processes(tmp_path, prefix):
    target = f"jsonfile:{tmp_path}"
    acknowledged = set()
    rounds = 10
    for _ in range(rounds):
        writers = [worker(target, prefix, "create", "100000") for _ in range(2)]
        for process in writers:
            acknowledged.add(process.stdout.readline().strip())  # both are writing now
        time.sleep(random.uniform(0.01, 0.2))
        for process in writers:
            process.send_signal(signal.SIGKILL)
        for process in writers:
            out, _ = process.communicate(timeout=30)
            acknowledged.update(out.split())  # an id printed was acknowledged before the kill
        path = tmp_path / prefix / "counters.json"
        state = json.loads(path.read_text())  # always parses: never a half-written file
        missing = acknowledged - set(state["records"])
        assert not missing, f"{len(missing)} acknowledged record(s) lost"
        assert not [p for p in os.listdir(tmp_path / prefix) if p.endswith(".json") and p != "counters.json"]
    assert len(acknowledged) >= 2 * rounds  # the writers really did write between the kills
