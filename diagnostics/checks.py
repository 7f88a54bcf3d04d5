"""The health-check registry, shared by /api/health, the admin page and `manage.py health`.

Each check is a small class with a name, a critical flag and a timeout; `check()` returns
(status, message, values) or raises. `run_checks()` runs them concurrently, each bounded by its
timeout: an exception or a timeout is a failed check, never a crash. Nothing here issues a Redis
command: checks ask the storage layer (ping, server_info, canary, counts, versions).
"""

import contextvars
import os
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime

from django.conf import settings

from storage.backends.shared import mask_url
from storage.cache import parse
from storage.errors import InvalidRecord, StorageError, StorageUnavailable
from storage.keys import CREATION_ORDER
from storage.served import stale_served
from storage.startup import fallback, fallback_message
from storage.store import get_store, specs

from . import __version__
from .check_types import FAILED, PASSED, WARNING, Check, Result

MEMORY_WARNING_RATIO = 0.9
SAMPLE_SIZE = 50
INSECURE_KEY_PREFIX = "django-insecure"
BACKEND_VARIABLES = {
    "redis": [("REDIS_URL",)],
    "rest": [("KV_REST_API_URL", "UPSTASH_REDIS_REST_URL"), ("KV_REST_API_TOKEN", "UPSTASH_REDIS_REST_TOKEN")],
    "jsonfile": [],
}


class RedisAvailable(Check):
    name = "redis_available"
    title = "Storage backend answers"
    critical = True

    def check(self):
        backend = get_store().backend
        info = backend.describe()
        backend.ping()
        fell_back = fallback()
        if fell_back:  # answering, but not the backend that was asked for: degraded, never healthy
            message = fallback_message(fell_back)
            return WARNING, f"{message[0].upper()}{message[1:]} in {info['target']}", dict(info, **fell_back)
        return PASSED, f"The {info['backend']} backend answers ({info['mode']})", dict(info)


class RedisHealth(Check):
    name = "redis_health"
    title = "Storage server health"

    def check(self):
        backend = get_store().backend
        started = time.perf_counter()
        backend.ping()
        values = {"latency_ms": round((time.perf_counter() - started) * 1000, 2)}
        problems = []
        try:
            canary = backend.canary()
        except StorageUnavailable:
            raise
        except StorageError as exc:  # e.g. out of memory, read-only replica, no write permission
            canary = {"written": False, "read_back": False, "deleted": False}
            problems.append(f"canary write failed: {_safe(str(exc))}")
        values["canary"] = canary
        if canary["written"] and not (canary["read_back"] and canary["deleted"]):
            problems.append("the canary value was not read back and deleted")
        info = backend.server_info()
        if not info.get("applicable", True):
            values["server"] = info
            if problems:
                return FAILED, "; ".join(problems), values
            if backend.name == "jsonfile":  # nothing more to know about local files
                return PASSED, f"Write/read/delete canary ok; {info['reason']}", values
            return WARNING, f"Canary ok, but persistence and eviction policy are unknown: {info['reason']}", values
        values.update({k: v for k, v in info.items() if k != "applicable"})
        warnings = _server_warnings(info, values)
        if problems:
            return FAILED, "; ".join(problems + warnings), values
        if warnings:
            return WARNING, "; ".join(warnings), values
        persistence = "AOF" if info["aof_enabled"] else "RDB"
        return (
            PASSED,
            f"Redis {info['redis_version']} ({info['role']}), {persistence} on, policy {info['maxmemory_policy']}, "
            f"canary ok, {values['latency_ms']} ms",
            values,
        )


def _server_warnings(info, values):
    """What an operator should know about the server's persistence, eviction, memory and role."""
    warnings = []
    if not info["aof_enabled"] and info["rdb_save"] == "":
        warnings.append("persistence is off (no AOF, no RDB save points): a restart loses every record")
    elif not info["aof_enabled"] and info["rdb_save"] is None:
        warnings.append("AOF is off and the RDB save points can't be read (CONFIG unavailable)")
    if info["evicting"]:
        warnings.append(
            f"maxmemory-policy is {info['maxmemory_policy']}: an evicting Redis deletes records; use noeviction"
        )
    if info["maxmemory"]:
        ratio = info["used_memory"] / info["maxmemory"]
        values["memory_used_ratio"] = round(ratio, 3)
        if ratio >= MEMORY_WARNING_RATIO:
            warnings.append(f"memory use is at {ratio:.0%} of maxmemory")
    if info["role"] not in ("master", ""):
        warnings.append(f"this Redis is a {info['role']}: writes need the primary")
    return warnings


class Environment(Check):
    name = "environment"
    title = "Environment variables"
    timeout = 1.0

    def check(self):
        backend = settings.STORAGE["BACKEND"]
        live = get_store().backend.name
        missing = []
        for alternatives in BACKEND_VARIABLES.get(live, []):
            if not any(os.environ.get(name) for name in alternatives):
                missing.append(" or ".join(alternatives))
        values = {"backend": live, "configured_backend": backend, "debug": settings.DEBUG, "missing": missing}
        values["set"] = sorted(n for group in BACKEND_VARIABLES.get(live, []) for n in group if os.environ.get(n))
        if missing:
            return FAILED, f"Missing environment variable(s) for the {live} backend: {', '.join(missing)}", values
        warnings = []
        if not settings.DEBUG:
            if settings.SECRET_KEY.startswith(INSECURE_KEY_PREFIX) or len(settings.SECRET_KEY) < 32:
                warnings.append("SECRET_KEY is weak (shorter than 32 characters or a development key)")
            if live == "jsonfile":
                warnings.append("the jsonfile backend is for local development, not production")
        if warnings:
            return WARNING, "; ".join(warnings), values
        mode = "development (DEBUG on)" if settings.DEBUG else "production (DEBUG off, SECRET_KEY set)"
        return PASSED, f"Variables for the {live} backend are set; {mode}", values


class DataInRedis(Check):
    name = "data_in_redis"
    title = "Stored data readable"
    timeout = 5.0

    def check(self):
        backend = get_store().backend
        collections, disagreements, unbuilt, unmoved = {}, [], [], []
        for name, spec in sorted(specs().items()):
            count = backend.count(name)
            sample = backend.sample_ids(name, SAMPLE_SIZE)
            texts = backend.get_many(name, sample)
            missing = sum(1 for text in texts if text is None)
            # records that don't parse: in the sample, or left out of this process's lists
            unparsable = {i for i, text in zip(sample, texts, strict=True) if text is not None and not _parses(text)}
            unparsable |= get_store().collection(name).unparsable
            collections[name] = {
                "count": count,
                "version": backend.version(name),
                "sampled": len(sample),
                "index_without_record": missing,
                "unparsable": sorted(unparsable),
                "sort_indexes_to_build": _sort_indexes_to_build(backend, name, spec.sorts, count),
                "unique_indexes_to_move": list(backend.unique_to_move(name, tuple(spec.unique))),
            }
            unbuilt += [f"{name}.{field}" for field in collections[name]["sort_indexes_to_build"]]
            unmoved += [f"{name}.{field}" for field in collections[name]["unique_indexes_to_move"]]
            if missing:
                disagreements.append(f"{name}: {missing} of {len(sample)} sampled index entries have no record")
            if unparsable:
                shown = ", ".join(sorted(unparsable)[:5]) + (", ..." if len(unparsable) > 5 else "")
                disagreements.append(f"{name}: {len(unparsable)} record(s) do not parse ({shown})")
        values = {"collections": collections}
        if disagreements:
            return WARNING, "; ".join(disagreements) + " (run manage.py verify_redis)", values
        if unbuilt or unmoved:
            upgrades = []
            if unbuilt:
                upgrades.append(
                    f"Index not built for {', '.join(unbuilt)}: data written before it (an older version) is "
                    "listed in that order by scanning, slowly, on a collection larger than the cache, or read "
                    "from the previous layout's creation index, which takes more memory"
                )
            if unmoved:
                upgrades.append(
                    f"Unique index of {', '.join(unmoved)} still in the layout of an older version (one hash, "
                    "about 1.8 times the memory; read as well as the buckets until moved)"
                )
            return WARNING, "; ".join(upgrades) + " (run manage.py build_indexes)", values
        counts = ", ".join(f"{c['count']} {n}" for n, c in collections.items())
        return PASSED, f"Collections readable: {counts or 'none registered'}; sampled index entries agree", values


class CacheCoherence(Check):
    name = "cache_coherence"
    title = "Memory cache agrees with storage"

    def check(self):
        store = get_store()
        collections, behind, ahead = {}, [], []
        for name in sorted(specs()):
            memory, cached = store.collection(name).memory_summary()
            backend_version = store.backend.version(name)
            collections[name] = {
                "memory_version": memory,
                "backend_version": backend_version,
                "cached_records": cached,
                "behind": None if memory is None else max(0, backend_version - memory),
            }
            if memory is not None and memory > backend_version:
                ahead.append(f"{name} (memory {memory}, backend {backend_version})")
            elif memory is not None and memory < backend_version:
                behind.append(f"{name} by {backend_version - memory}")
        serving_stale = [name for name in sorted(specs()) if store.collection(name).serving_stale]
        stale = stale_served() or bool(serving_stale)
        values = {"collections": collections, "stale_served": stale, "serving_stale": serving_stale}
        warnings = []
        if ahead:
            warnings.append(
                "Memory is ahead of the backend for " + ", ".join(ahead) + ": the backend lost writes "
                "(restart without persistence?) or was reset; run manage.py check_sessions"
            )
        if stale:
            which = ", ".join(serving_stale) or "this request"
            warnings.append(f"Serving stale memory ({which}): the last read could not reach the backend")
        if warnings:
            return WARNING, "; ".join(warnings), values
        if behind:
            return PASSED, "Memory is behind for " + ", ".join(behind) + " (refreshed on the next read)", values
        return PASSED, "Memory is at the backend's versions (or not loaded yet)", values


REGISTRY = [RedisAvailable(), RedisHealth(), Environment(), DataInRedis(), CacheCoherence()]


def _sort_indexes_to_build(backend, name, sorts, count):
    """The sort fields of a collection holding records whose index is not complete (a collection
    written only by this version has them complete from its first record); created_at when its
    creation index is still in the previous layout's form."""
    if not count:
        return []
    creation = [] if backend.sort_progress(name, CREATION_ORDER)[0] else [CREATION_ORDER]
    ready = backend.size(name, sorts)[2] if sorts else ()
    return creation + [field for field in sorts if field not in ready]


def _timed(check):
    started = time.perf_counter()
    try:
        status, message, values = check.check()
    except Exception as exc:  # any failure inside a check is a failed check, never a crash
        status, message, values = FAILED, f"{type(exc).__name__}: {_safe(str(exc))}", {}
    duration = round((time.perf_counter() - started) * 1000, 2)
    return Result(check.name, status, message, check.critical, duration, values, check.title)


def _parses(text):
    try:
        parse(text)
    except InvalidRecord:
        return False
    return True


def _safe(text):
    """Error texts may quote a URL: mask any credentials in it."""
    words = [mask_url(w) if "://" in w else w for w in text.split(" ")]
    return " ".join(words)


def run_checks(checks=None):
    """Run the checks concurrently; each is bounded by its own timeout. Returns [Result]."""
    checks = list(REGISTRY if checks is None else checks)
    pool = ThreadPoolExecutor(max_workers=max(1, len(checks)), thread_name_prefix="health")
    started = time.perf_counter()
    futures = [(c, pool.submit(contextvars.copy_context().run, _timed, c)) for c in checks]
    results = []
    for check, future in futures:
        remaining = max(0.0, check.timeout - (time.perf_counter() - started))
        try:
            results.append(future.result(timeout=remaining))
        except FutureTimeout:
            duration = round((time.perf_counter() - started) * 1000, 2)
            message = f"No answer within {check.timeout:g} s"
            results.append(Result(check.name, FAILED, message, check.critical, duration, title=check.title))
    pool.shutdown(wait=False, cancel_futures=True)
    return results


def report(results=None):
    """The /api/health document: {status, checks, summary, backend, timestamp, version}."""
    results = run_checks() if results is None else results
    summary = {
        "total": len(results),
        "passed": sum(r.status == PASSED for r in results),
        "failed": sum(r.status == FAILED for r in results),
        "warnings": sum(r.status == WARNING for r in results),
    }
    if any(r.critical and r.status == FAILED for r in results):
        status = "unhealthy"
    elif summary["failed"] or summary["warnings"]:
        status = "degraded"
    else:
        status = "healthy"
    try:
        backend = get_store().backend.describe()
    except Exception:  # a store that can't be built: the critical check already says why
        backend = {"backend": settings.STORAGE.get("BACKEND", ""), "target": "", "mode": "unavailable"}
    return {
        "status": status,
        "checks": {r.name: r.as_dict() for r in results},
        "summary": summary,
        "backend": backend,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "version": __version__,
    }
