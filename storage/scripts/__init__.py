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
)  # without the write prelude: reads, the sort index fill


@cache
def source(operation):
    if operation in STANDALONE:
        return (HERE / f"{operation}.lua").read_text()
    if operation not in OPERATIONS:
        raise ValueError(f"no script for {operation!r}")
    return (HERE / "prelude.lua").read_text() + "\n" + (HERE / f"{operation}.lua").read_text()


@cache
def sha1(operation):
    return hashlib.sha1(source(operation).encode(), usedforsecurity=False).hexdigest()
