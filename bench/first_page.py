"""`python -m bench.first_page REDIS_URL PREFIX COLLECTION`: a new process's first list page
(what the API does for ?limit=50, through the model API) on a loaded collection, timed after
Django is set up and the store built. Prints JSON {seconds, rss_delta} (RSS growth in bytes)."""

import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from storage.backends.redis import RedisBackend  # noqa: E402
from storage.store import Store, set_store  # noqa: E402

from .storage_bench import list_page, model_of  # noqa: E402


def rss():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main():
    url, prefix, collection = sys.argv[1:4]
    set_store(Store(RedisBackend(url, prefix)))
    model = model_of(collection)
    before = rss()
    started = time.perf_counter()
    list_page(model)
    print(json.dumps({"seconds": time.perf_counter() - started, "rss_delta": rss() - before}))


if __name__ == "__main__":
    main()
