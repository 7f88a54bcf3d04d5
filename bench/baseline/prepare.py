"""`python -m bench.baseline.prepare COUNT OUT.json` (baseline settings from the environment):
create the tables, a superuser with a token, COUNT clients in bulk; write {token, ids} to OUT."""

import json
import os
import sys
from datetime import datetime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.baseline.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from bench import loader  # noqa: E402
from bench.baseline.models import BaselineClient  # noqa: E402

BATCH = 5000


def main():
    count, out = int(sys.argv[1]), sys.argv[2]
    call_command("migrate", run_syncdb=True, verbosity=0)
    user = User.objects.create_superuser("bench", "bench@example.com", "bench-password-not-secret")
    token = Token.objects.create(user=user).key
    ids = []
    for start in range(0, count, BATCH):
        rows = []
        for i in range(start, min(count, start + BATCH)):
            stamp = datetime.fromisoformat(loader.stamp(i).replace("Z", "+00:00"))
            rows.append(
                BaselineClient(id=f"client_{i:08d}", created_at=stamp, updated_at=stamp, **loader.client_fields(i))
            )
            ids.append(rows[-1].id)
        BaselineClient.objects.bulk_create(rows)
    with open(out, "w") as handle:
        json.dump({"token": token, "ids": ids[:: max(1, len(ids) // 1000)]}, handle)


if __name__ == "__main__":
    main()
