"""Django settings for the in-process storage benchmarks: the real settings, quiet logs. The
benchmarks build their own stores (bench/storage_bench.py); this only registers the record specs."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789abcdefghijklmnop")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("STORAGE_BACKEND", "jsonfile")
os.environ.setdefault("STORAGE_DATA_DIR", tempfile.mkdtemp(prefix="storage-bench-"))
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

from config.settings import *  # noqa: E402,F403
