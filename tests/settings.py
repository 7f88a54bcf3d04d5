"""Test settings: the real settings module, fed a test environment. Storage is swapped per test
by the fixtures in conftest.py (real redis-server, fakeredis or JSON files)."""

import os
import tempfile

# A developer's .env (left by `make run`) must not leak into the tests, nor into the processes they start.
os.environ.setdefault("DJANGO_ENV_FILE", os.devnull)
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijklmnop")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("STORAGE_BACKEND", "jsonfile")
os.environ.setdefault("STORAGE_DATA_DIR", tempfile.mkdtemp(prefix="storage-test-"))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="static-test-"))  # whitenoise wants it to exist
# Login rate limit: out of the way of the other tests; tests/api/test_login_limit.py lowers it.
os.environ.setdefault("AUTH_FAILURE_LIMIT", "1000")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test users
