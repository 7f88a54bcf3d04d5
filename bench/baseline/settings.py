"""Baseline app settings, from the environment set by bench/api_bench.py:
BASELINE_DB=sqlite|postgres, BASELINE_SQLITE_PATH, BASELINE_PG_NAME, BASELINE_PG_HOST/PORT/USER,
BASELINE_CACHE_URL (set: django-redis cache-aside in front of the ORM)."""

import os

SECRET_KEY = "bench-baseline-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.baseline.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework.authtoken",
    "bench.baseline",
]
# The project's stack, minus what needs templates or storage.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
INSTALLED_APPS.insert(0, "django.contrib.sessions")

if os.environ.get("BASELINE_DB", "sqlite") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["BASELINE_PG_NAME"],
            "HOST": os.environ.get("BASELINE_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("BASELINE_PG_PORT", "5432"),
            "USER": os.environ.get("BASELINE_PG_USER", "postgres"),
            "CONN_MAX_AGE": 600,  # persistent connections, as a tuned deployment would use
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["BASELINE_SQLITE_PATH"]}}

CACHE_URL = os.environ.get("BASELINE_CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "baseline",
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissions"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "bench.baseline.pagination.Pagination",
}
