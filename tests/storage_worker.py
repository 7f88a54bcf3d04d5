"""A separate OS process that uses the storage layer (no Django), driven by the process tests.

    python -m tests.storage_worker <redis URL | jsonfile:DIR> <prefix> <task> [args...]

Tasks: cas <id> <n> (n compare-and-set increments), create <n> (prints each acknowledged id),
get <id> (prints the record as JSON, or null), list (prints the ids, one per line),
hit <name> <window> <n> (counts n rate-limit events, prints the last count),
zygote (reads "spawn <file>" lines: forks a writer that creates records forever, appending each
acknowledged id to <file>, and prints its pid: cheap processes to kill -9, one import for all).
"""

import json
import os
import signal
import sys

from storage.backends.jsonfile import JsonFileBackend
from storage.backends.redis import RedisBackend
from storage.collection import Collection, CollectionSpec
from storage.errors import VersionConflict

COUNTERS = CollectionSpec("counters", "counter", "Counter")


def backend_for(target, prefix):
    if target.startswith("jsonfile:"):
        return JsonFileBackend(target.removeprefix("jsonfile:"), prefix)
    return RedisBackend(target, prefix, socket_timeout=5, connect_timeout=5)


def main(target, prefix, task, *args):
    counters = Collection(COUNTERS, backend_for(target, prefix))
    if task == "cas":
        record_id, times = args[0], int(args[1])
        done = conflicts = 0
        while done < times:
            current = counters.require(record_id)
            fields = {"value": current["value"] + 1}
            try:
                counters.update(record_id, fields, expected_version=current["version"])
                done += 1
            except VersionConflict:
                conflicts += 1
        print(json.dumps({"done": done, "conflicts": conflicts}), flush=True)
    elif task == "create":
        for i in range(int(args[0])):
            record = counters.create({"value": i})
            print(record["id"], flush=True)
    elif task == "get":
        record = counters.get(args[0])
        print(json.dumps(dict(record) if record else None), flush=True)
    elif task == "hit":
        name, window, times = args[0], int(args[1]), int(args[2])
        for _ in range(times):
            count, _ = counters.backend.hit(name, window)
        print(count, flush=True)
    elif task == "zygote":
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed writers are reaped by the kernel
        for line in sys.stdin:
            pid = os.fork()
            if pid == 0:
                write_forever(counters, line.split(maxsplit=1)[1].strip())
            print(pid, flush=True)
    elif task == "list":
        for record in counters.all():
            print(record["id"], flush=True)
    else:
        raise SystemExit(f"unknown task {task!r}")


def write_forever(counters, ack_path):
    try:
        with open(ack_path, "a") as acks:
            i = 0
            while True:
                acks.write(counters.create({"value": i})["id"] + "\n")  # after the backend acknowledged
                acks.flush()
                i += 1
    finally:
        os._exit(1)


if __name__ == "__main__":
    main(*sys.argv[1:])
