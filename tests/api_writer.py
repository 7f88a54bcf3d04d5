"""A separate OS process writing through the HTTP API (httpx), for the multi-process tests.

    python -m tests.api_writer <base URLs, comma-separated> <token> create <name prefix> <seconds>
    python -m tests.api_writer <base URLs, comma-separated> <token> rmw <client id> <n> <seconds>

create: POSTs clients named <prefix>-<i> for <seconds>; every 5th one reuses an acknowledged
  email, which the write script must refuse (a definite failure). Prints {"ok", "fail", "info"}:
  the names acknowledged (2xx), refused (4xx) and indeterminate (503, timeouts, no answer), and
  "ok_at": when each acknowledgement arrived (time.time(), comparable across processes).
rmw: n read-modify-write increments of the client's notes (a counter) with If-Match, retrying on
  412, until n are acknowledged or <seconds> pass. Prints {"acked", "attempted", "conflicts",
  "indeterminate", "read_failures"}.
Requests go to the servers in turn.
"""

import itertools
import json
import sys
import time

import httpx


def main(urls, token, task, *args):
    servers = itertools.cycle(urls.split(","))
    http = httpx.Client(headers={"Authorization": f"Token {token}"}, timeout=10)
    if task == "create":
        print(json.dumps(create(http, servers, args[0], float(args[1]))), flush=True)
    elif task == "rmw":
        print(json.dumps(rmw(http, servers, args[0], int(args[1]), float(args[2]))), flush=True)
    else:
        raise SystemExit(f"unknown task {task!r}")


def create(http, servers, prefix, seconds):
    outcome = {"ok": [], "ok_at": [], "fail": [], "info": []}
    deadline = time.monotonic() + seconds
    taken = None
    for i in itertools.count():
        if time.monotonic() > deadline:
            return outcome
        name = f"{prefix}-{i}"
        email = taken if (taken and i % 5 == 4) else f"{name}@example.com"
        try:
            status = http.post(f"{next(servers)}/api/clients/", json={"name": name, "email": email}).status_code
        except httpx.HTTPError:
            status = None
        if status is not None and 200 <= status < 300:
            outcome["ok"].append(name)
            outcome["ok_at"].append(time.time())
            taken = taken or email
        elif status is not None and 400 <= status < 500:
            outcome["fail"].append(name)
        else:
            outcome["info"].append(name)
            time.sleep(0.05)


def rmw(http, servers, client_id, wanted, seconds):
    report = {"acked": 0, "attempted": 0, "conflicts": 0, "indeterminate": 0, "read_failures": 0}
    deadline = time.monotonic() + seconds
    while report["acked"] < wanted and time.monotonic() < deadline:
        url = f"{next(servers)}/api/clients/{client_id}/"
        try:
            current = http.get(url)
        except httpx.HTTPError:
            current = None
        if current is None or current.status_code != 200:
            report["read_failures"] += 1
            time.sleep(0.02)
            continue
        value = int(current.json()["notes"] or 0)
        report["attempted"] += 1
        try:
            answer = http.patch(url, json={"notes": str(value + 1)}, headers={"If-Match": current.headers["ETag"]})
            status = answer.status_code
        except httpx.HTTPError:
            status = None
        if status == 200:
            report["acked"] += 1
        elif status == 412:
            report["conflicts"] += 1
        else:
            report["indeterminate"] += 1
            time.sleep(0.02)
    return report


if __name__ == "__main__":
    main(*sys.argv[1:])
