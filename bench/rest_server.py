"""Run tests/upstash_server.py in its own process (so its threads don't share the benchmark's GIL):
`python -m bench.rest_server REDIS_PORT` prints "URL TOKEN" on one line, then serves until killed."""

import sys
import threading

from tests.upstash_server import UpstashServer


def main():
    server = UpstashServer(int(sys.argv[1])).start()
    print(server.url, server.token, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
