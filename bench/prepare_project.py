"""`python -m bench.prepare_project CLIENTS SESSIONS DIR` (the project's settings from the environment:
REDIS_URL, STORAGE_KEY_PREFIX, DATABASE_URL...): Django's own tables, a superuser with a DRF
token, the clients and sessions loaded through the create script; writes the files of
bench/loader.py write_ids into DIR."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from bench import loader  # noqa: E402
from storage.store import get_store  # noqa: E402


def main():
    count, sessions, directory = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    call_command("migrate", verbosity=0)
    user = User.objects.create_superuser("bench", "bench@example.com", "bench-password-not-secret")
    token = Token.objects.create(user=user).key
    client = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    store = get_store()
    ids, _, _ = loader.load_redis(store.collection("clients"), client, loader.client_fields, count)
    loader.load_redis(
        store.collection("sessions"),
        client,
        lambda i: loader.session_fields(i, ids[loader.owner_of(i)]),
        sessions,
    )
    loader.write_ids(directory, token, ids, sessions)


if __name__ == "__main__":
    main()
