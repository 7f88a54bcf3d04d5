"""The Lua write scripts (and the diagnostics repair script), shared by every backend that speaks Redis
commands (redis, rest)."""

import hashlib
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
OPERATIONS = ("create", "update", "delete", "repair")  # writes: the prelude comes first
STANDALONE = (
    "page",
    "state",
    "members",
    "owner",
    "changes",
    "sortfill",
    "ids",
    "after",
    "refids",
    "refupgrade",
    "uniquemove",
)  # without the write prelude: reads, the sort index fill, the reference and unique index upgrades


# keep or read a paged index (the creation index, sort indexes)
PAGED = ("create", "update", "delete", "repair", "page", "state", "sortfill", "ids", "after")
REFS = (*OPERATIONS, "members", "refids", "refupgrade")  # keep or read a reference index (refs.lua)


@cache
def source(operation):
    if operation not in STANDALONE and operation not in OPERATIONS:
        raise ValueError(f"no script for {operation!r}")
    parts = ["pages"] if operation in PAGED else []
    parts += ["refs"] if operation in REFS else []
    parts += ["prelude"] if operation in OPERATIONS else []
    return "\n".join((HERE / f"{part}.lua").read_text() for part in [*parts, operation])


@cache
def sha1(operation):
    return hashlib.sha1(source(operation).encode(), usedforsecurity=False).hexdigest()
