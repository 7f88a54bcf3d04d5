"""`python -m bench.baseline.prepare CLIENTS SESSIONS DIR` (baseline settings from the environment):
create the tables, a superuser with a token, the clients and sessions in bulk; write DIR/token.txt,
DIR/ids.txt and DIR/owners.txt (see bench/loader.py write_ids)."""

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
from bench.baseline.models import BaselineClient, BaselineSession  # noqa: E402

BATCH = 5000


def moment(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def bulk(model, count, build):
    ids = []
    for start in range(0, count, BATCH):
        rows = [build(i) for i in range(start, min(count, start + BATCH))]
        model.objects.bulk_create(rows)
        ids += [row.pk for row in rows]
    return ids


def main():
    count, sessions, directory = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    call_command("migrate", run_syncdb=True, verbosity=0)
    user = User.objects.create_superuser("bench", "bench@example.com", "bench-password-not-secret")
    token = Token.objects.create(user=user).key

    def client(i):
        stamp = moment(loader.stamp(i))
        return BaselineClient(id=f"client_{i:08d}", created_at=stamp, updated_at=stamp, **loader.client_fields(i))

    ids = bulk(BaselineClient, count, client)

    def session(i):
        stamp = moment(loader.stamp(i))
        fields = loader.session_fields(i, ids[loader.owner_of(i)])
        fields["client_id"], fields["starts_at"] = fields.pop("client_id"), moment(fields["starts_at"])
        return BaselineSession(id=f"session_{i:08d}", created_at=stamp, updated_at=stamp, **fields)

    bulk(BaselineSession, sessions, session)
    loader.write_ids(directory, token, ids, sessions)


if __name__ == "__main__":
    main()
