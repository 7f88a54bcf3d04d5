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
from tests.figures import record

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
    """40 rounds: two writer processes (forked by one zygote, so a round costs a fork, not an
    interpreter start) write at once; both are killed with SIGKILL at a random moment."""
    zygote = subprocess.Popen(
        [sys.executable, "-m", "tests.storage_worker", f"jsonfile:{tmp_path}", prefix, "zygote"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    acknowledged = set()
    rounds = 40
    try:
        for round_ in range(rounds):
            acks = [tmp_path / f"acks-{round_}-{n}.txt" for n in range(2)]
            pids = []
            for ack in acks:
                zygote.stdin.write(f"spawn {ack}\n")
                zygote.stdin.flush()
                pids.append(int(zygote.stdout.readline()))
            wait_until_written(acks)  # both are writing now
            time.sleep(random.uniform(0.0, 0.05))
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            for pid in pids:
                wait_gone(pid)
            for ack in acks:
                # an id written was acknowledged before the kill (a line cut by the kill is not counted)
                acknowledged.update(ack.read_text().split("\n")[:-1])
            path = tmp_path / prefix / "counters.json"
            state = json.loads(path.read_text())  # always parses: never a half-written file
            missing = acknowledged - set(state["records"])
            assert not missing, f"round {round_}: {len(missing)} acknowledged record(s) lost"
            leftovers = [p for p in os.listdir(tmp_path / prefix) if p.endswith(".json") and p != "counters.json"]
            assert not leftovers
    finally:
        zygote.stdin.close()
        zygote.wait(10)
    assert len(acknowledged) >= 2 * rounds  # the writers really did write between the kills
    record("jsonfile_kill9", rounds=rounds, kills=2 * rounds, acknowledged=len(acknowledged), lost=0)


def wait_until_written(paths, timeout=20):
    deadline = time.monotonic() + timeout
    while not all(p.exists() and p.stat().st_size for p in paths):
        assert time.monotonic() < deadline, "a writer wrote nothing"
        time.sleep(0.002)


def wait_gone(pid, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, f"process {pid} survived SIGKILL"
        time.sleep(0.002)
