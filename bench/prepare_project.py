"""`python -m bench.prepare_project COUNT OUT.json` (the project's settings from the environment:
REDIS_URL, STORAGE_KEY_PREFIX, DATABASE_URL...): Django's own tables, a superuser with a DRF
token, COUNT clients loaded through the create script; writes {token, ids} to OUT."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from bench import loader  # noqa: E402
from storage.store import get_store  # noqa: E402


def main():
    count, out = int(sys.argv[1]), sys.argv[2]
    call_command("migrate", verbosity=0)
    user = User.objects.create_superuser("bench", "bench@example.com", "bench-password-not-secret")
    token = Token.objects.create(user=user).key
    client = redis.Redis.from_url(settings.STORAGE["REDIS_URL"], decode_responses=True)
    ids, _, _ = loader.load_redis(get_store().collection("clients"), client, loader.client_fields, count)
    with open(out, "w") as handle:
        json.dump({"token": token, "ids": ids[:: max(1, len(ids) // 1000)]}, handle)


if __name__ == "__main__":
    main()
