"""JSON files for local development (DEBUG): one file per collection under STORAGE_DATA_DIR/<prefix>/.

Crash safety: every write goes to a temp file, is fsynced, replaces the old file atomically
(os.replace) and the directory is fsynced, so a file is always either the old or the new state.
Read-modify-write runs under flock on a separate lock file, because the runserver reloader (or any
second process) may write at the same time. The write semantics mirror the Lua scripts exactly.
"""

import fcntl
import json
import os
import random
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from ..errors import CommandError, InvalidRecord, StorageUnavailable, TransientError
from ..keys import CREATION_ORDER, KeyLayout
from .base import Backend, Changes, Page, RawState
from .commands import interpret_reply
from .jsonfile_writes import apply

RATE_FILE = ".ratelimit.json"


def _empty():
    return {
        "version": 0,
        "floor": 0,
        "records": {},
        "index": {},
        "changes": {},
        "unique": {},
        "by": {},
        "ops": {},
        "sort": {},  # field -> {id: score}; files written before sort indexes have none
        "sorted": [],  # the sort fields whose index is complete
    }


class JsonFileBackend(Backend):
    name = "jsonfile"

    @classmethod
    def from_settings(cls, settings):
        return cls(settings["DATA_DIR"], settings["KEY_PREFIX"])

    def __init__(self, data_dir, prefix):
        self.keys = KeyLayout(prefix)  # validates the prefix, which becomes a directory name
        self.dir = Path(data_dir) / prefix
        self._parsed = {}  # collection -> (file signature, state)

    def describe(self):
        return {"backend": self.name, "target": str(self.dir), "mode": "local files"}

    def _path(self, collection):
        return self.dir / f"{collection}.json"

    @contextmanager
    def _locked(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _load(self, collection):
        path = self._path(collection)
        try:
            stat = path.stat()
        except FileNotFoundError:
            return _empty()
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cached = self._parsed.get(collection)
        if cached and cached[0] == signature:
            return cached[1]
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidRecord(f"{path} does not parse as JSON: {exc}") from exc
        self._parsed[collection] = (signature, state)
        return state

    def _save(self, collection, state):
        self._write_atomically(self._path(collection), state)
        self._parsed.pop(collection, None)

    def _write_atomically(self, path, state):
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=f".{path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(state, handle, ensure_ascii=False, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(self.dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _read(self, collection):
        try:
            return self._load(collection)
        except OSError as exc:
            raise TransientError(str(exc)) from exc

    # reads
    def ping(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        return True

    def get(self, collection, record_id):
        record = self._read(collection)["records"].get(record_id)
        return None if record is None else json.dumps(record, ensure_ascii=False)

    def get_many(self, collection, record_ids):
        records = self._read(collection)["records"]
        return [None if records.get(i) is None else json.dumps(records[i], ensure_ascii=False) for i in record_ids]

    def version(self, collection):
        return self._read(collection)["version"]

    def snapshot_ids(self, collection):
        state = self._read(collection)
        return state["version"], sorted(state["index"], key=lambda i: (state["index"][i], i))

    def changes_since(self, collection, since):
        state = self._read(collection)
        ids = tuple(sorted((i for i, v in state["changes"].items() if v > since), key=state["changes"].get))
        return Changes(version=state["version"], floor=state["floor"], ids=ids)

    def count(self, collection):
        return len(self._read(collection)["index"])

    def ids_by(self, collection, field, value):
        return sorted(self._read(collection)["by"].get(field, {}).get(value, []))

    def size(self, collection, sorts=()):
        state = self._read(collection)
        ready = set(state.get("sorted", ()))
        return state["version"], len(state["index"]), tuple(f for f in sorts if f in ready)

    def page(self, collection, offset, limit, reverse=False, sort=None):
        state = self._read(collection)
        index = state.get("sort", {}).get(sort, {}) if sort else state["index"]
        ordered = sorted(index, key=lambda i: (index[i], i), reverse=reverse)
        ids = tuple(ordered[int(offset) : int(offset) + int(limit)])
        return Page(state["version"], len(index), ids, self._texts(state, ids))

    def members(self, collection, field, value):
        state = self._read(collection)
        ids = tuple(state["by"].get(field, {}).get(value, []))
        return Page(state["version"], len(ids), ids, self._texts(state, ids))

    def owner(self, collection, field, normalised):
        state = self._read(collection)
        found = state["unique"].get(field, {}).get(normalised)
        ids = () if found is None else (found,)
        return Page(state["version"], len(ids), ids, self._texts(state, ids))

    def index_after(self, collection, score, record_id, limit):
        index = self._read(collection)["index"]
        after = sorted((s, i) for i, s in index.items() if (s, i) > (score, record_id))
        return [(i, s) for s, i in after[:limit]]

    def fill_sort(self, collection, field, entries):
        with self._locked():
            state = json.loads(json.dumps(self._load(collection)))
            scores = state.setdefault("sort", {}).setdefault(field, {})
            placed = 0
            for record_id, version, score in entries:
                record = state["records"].get(record_id)
                if record is not None and int(record.get("version", 0)) == int(version):
                    if score is None:
                        scores.pop(record_id, None)
                    else:
                        scores[record_id] = score
                    placed += 1
            self._save(collection, state)
        return placed

    def reference_keys(self, collection):
        return []  # its reference indexes have one form only

    def upgrade_references(self, keys):
        return 0

    def move_unique(self, collection, field, cursor, limit):
        return "0", 0, 0  # the file has one layout

    def unique_to_move(self, collection, fields):
        return ()

    def sort_progress(self, collection, field):
        if field == CREATION_ORDER:  # one form of creation index here: nothing to build
            return True, None
        state = self._read(collection)
        cursor = state.get("sortfill", {}).get(field)
        return field in state.get("sorted", ()), tuple(cursor) if cursor else None

    def save_sort_progress(self, collection, field, cursor, complete=False):
        with self._locked():
            state = json.loads(json.dumps(self._load(collection)))
            progress = state.setdefault("sortfill", {})
            if complete:
                progress.pop(field, None)
                state["sorted"] = sorted({*state.get("sorted", ()), field})
            else:
                progress[field] = list(cursor)
            self._save(collection, state)

    @staticmethod
    def _texts(state, ids):
        records = state["records"]
        return tuple(None if records.get(i) is None else json.dumps(records[i], ensure_ascii=False) for i in ids)

    # rate limiting: one hidden file of counters, rewritten under the lock like the collections
    def _rate_counters(self):
        try:
            counters = json.loads((self.dir / RATE_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise TransientError(f"{self.dir / RATE_FILE} is unreadable: {exc}") from exc
        now = time.time()
        return {name: value for name, value in counters.items() if value[1] > now}

    def hit(self, name, window_seconds, start=0):
        self.keys.rate(name)  # the same names as the Redis backends accept
        with self._locked():
            counters = self._rate_counters()
            count, ends = counters.get(name, (int(start), time.time() + int(window_seconds)))
            counters[name] = [count + 1, ends]
            self._write_atomically(self.dir / RATE_FILE, counters)
        return count + 1, max(int(ends - time.time()), 0)

    def hits(self, name):
        self.keys.rate(name)
        count, ends = self._rate_counters().get(name, (0, 0))
        return count, max(int(ends - time.time()), 0) if count else 0

    def counted(self, name):
        return self.hits(name)[0]

    # diagnostics
    def server_info(self):
        return {"applicable": False, "reason": "JSON files (local development): no server to inspect"}

    def canary(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex
        path = self.dir / f".canary-{token}"
        try:
            path.write_text(token, encoding="utf-8")
            read_back = path.read_text(encoding="utf-8") == token
            path.unlink()
        except OSError as exc:
            raise TransientError(str(exc)) from exc
        return {"written": True, "read_back": read_back, "deleted": not path.exists()}

    def sample_ids(self, collection, count):
        ids = list(self._read(collection)["index"])
        return random.sample(ids, min(count, len(ids)))

    def raw_state(self, collection):
        state = self._read(collection)
        exists = self._path(collection).exists()
        return RawState(
            records={i: json.dumps(r, ensure_ascii=False) for i, r in state["records"].items()},
            index=dict(state["index"]),
            unique={f: dict(v) for f, v in state["unique"].items()},
            by={f: {v: tuple(ids) for v, ids in values.items()} for f, values in state["by"].items()},
            version=state["version"] if exists else None,
            changes=len(state["changes"]),
            keys=(str(self._path(collection)),) if exists else (),
        )

    def repair(self, fix):
        raise CommandError(
            "repair is not applicable to the jsonfile backend: each file is rewritten whole under a lock, "
            "so its indexes only drift if the file was edited by hand (fix the file, or export and import)"
        )

    # writes
    def write(self, write):
        with self._locked():
            states = {}

            def state_of(collection):
                if collection not in states:
                    states[collection] = json.loads(json.dumps(self._load(collection)))  # private copy
                return states[collection]

            reply, touched = apply(write, state_of)
            try:
                for collection in sorted(touched, key=lambda c: c == write.collection):  # dependents first
                    self._save(collection, states[collection])
            except OSError as exc:  # a full disk, a read-only directory: the write is not acknowledged
                raise StorageUnavailable(f"could not write to {self.dir}: {exc.strerror or exc}") from exc
        return interpret_reply(write, reply)
