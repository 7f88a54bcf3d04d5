"""The baselines: what a user would write by hand instead of the storage layer, on each backend.

Each offers get_parse(id) (one document: fetch + json.loads), list_all(ids) (the seed's approach:
fetch every record, parse each) and set(name, doc) (one plain write)."""

import json
import os
import tempfile

import httpx

from storage.backends.commands import MGET_CHUNK


class RawRedis:
    name = "redis-py"

    def __init__(self, client, keys, collection):
        self.client, self.keys, self.collection = client, keys, collection

    def get_parse(self, record_id):
        return json.loads(self.client.get(self.keys.record(self.collection, record_id)))

    def list_all(self, ids):
        records = []
        for start in range(0, len(ids), MGET_CHUNK):
            chunk = [self.keys.record(self.collection, i) for i in ids[start : start + MGET_CHUNK]]
            records.extend(json.loads(text) for text in self.client.mget(chunk))
        return records

    def set(self, name, doc):
        self.client.set(f"{self.keys.root}:bench-raw:{name}", doc)

    def indexed_set(self, name, doc):
        """A hand-written atomic write with the same indexes (MULTI/EXEC: SET, ZADD index, INCR
        version, ZADD changes, HSET unique), without checks, idempotency or a change-log trim."""
        root = f"{self.keys.root}:bench-raw"
        pipe = self.client.pipeline(transaction=True)
        pipe.set(f"{root}:{name}", doc)
        pipe.zadd(f"{root}:index", {name: 1})
        pipe.incr(f"{root}:version")
        pipe.zadd(f"{root}:changes", {name: 1})
        pipe.hset(f"{root}:unique", f"{name}@example.com", name)
        pipe.execute()


class RawRest(RawRedis):
    """The same commands as plain JSON POSTs to the REST API (httpx, no encoding option)."""

    name = "httpx POST"

    def __init__(self, url, token, keys, collection):
        super().__init__(None, keys, collection)
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        self.client = self

    def command(self, *args):
        response = self.http.post("/", json=list(args))
        response.raise_for_status()
        return response.json()["result"]

    def get(self, key):
        return self.command("GET", key)

    def mget(self, keys):
        return self.command("MGET", *keys)

    def set(self, name, doc):
        self.command("SET", f"{self.keys.root}:bench-raw:{name}", doc)

    indexed_set = None  # not measured over REST


class RawFile:
    """The seed's local-file approach: read and parse the whole file; rewrite it whole, fsynced."""

    name = "whole-file json"
    indexed_set = None
    collection = "clients"

    def __init__(self, path):
        self.path = path

    def get_parse(self, record_id):
        with open(self.path, "rb") as handle:
            return json.loads(handle.read())["records"][record_id]

    def list_all(self, ids):
        with open(self.path, "rb") as handle:
            return list(json.loads(handle.read())["records"].values())

    def set(self, name, doc):
        with open(self.path, "rb") as handle:
            state = json.loads(handle.read())
        state["records"][f"bench-raw-{name}"] = json.loads(doc)
        directory = os.path.dirname(self.path)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump(state, handle, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path + ".raw")  # beside the collection's file: ours stays untouched
