"""A small HTTP load generator, run in its own process by bench/api_bench.py:

python -m bench.loadgen --port P --path /api/clients/ [--ids F] [--post] --requests N --concurrency C --token T

A fixed number of requests from C threads (one connection per request: gunicorn's sync workers
close each one); prints JSON {requests, errors, statuses, seconds, rps, median, p99, durations}."""

import argparse
import http.client
import itertools
import json
import os
import threading
import time

from .timing import stats


def make_request_factory(args):
    ids = itertools.cycle(json.load(open(args.ids))["ids"]) if args.ids else None
    serial = itertools.count()
    lock = threading.Lock()

    def next_request():
        with lock:
            n = next(serial)
            record_id = next(ids) if ids else None
        if args.post:
            body = {"name": f"Load {n}", "email": f"load{os.getpid()}-{n}-{args.nonce}@example.com", "tags": ["load"]}
            return "POST", args.path, json.dumps(body)
        path = args.path.replace("{id}", record_id) if record_id else args.path
        return "GET", path, None

    return next_request


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--ids")
    parser.add_argument("--post", action="store_true")
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--token", required=True)
    parser.add_argument("--nonce", default=str(time.time_ns()))
    args = parser.parse_args()
    next_request = make_request_factory(args)
    headers = {"Authorization": f"Token {args.token}", "Content-Type": "application/json", "Accept": "application/json"}
    durations, statuses, errors = [], {}, []
    lock = threading.Lock()
    remaining = itertools.count()

    def worker():
        while next(remaining) < args.requests:
            method, path, body = next_request()
            start = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                connection.close()
            except OSError as exc:
                status = type(exc).__name__
            elapsed = time.perf_counter() - start
            with lock:
                durations.append(elapsed)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if not (isinstance(status, int) and status < 400):
                    errors.append(status)

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    summary = stats(durations)
    print(
        json.dumps(
            {
                "requests": len(durations),
                "errors": len(errors),
                "statuses": statuses,
                "seconds": seconds,
                "rps": len(durations) / seconds,
                "median": summary["median"],
                "p99": summary["p99"],
                "durations": durations,
            }
        )
    )


if __name__ == "__main__":
    main()
