"""Settings, read from the environment (and a .env file when present) through django-environ only.

Every variable is documented in .env.example and in README.md.
"""

from pathlib import Path

import environ

from config import env_values
from config.problems import Problems
from storage.config import build_backend, select_backend
from storage.errors import ConfigurationError

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# The .env file (values already in the environment win); DJANGO_ENV_FILE names another one.
NAMED_ENV_FILE = environ.Env().str("DJANGO_ENV_FILE", default="")
ENV_FILE = Path(NAMED_ENV_FILE or BASE_DIR / ".env")
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE)

# Every problem is collected and reported together at the end, one line each (config/problems.py).
problems = Problems()
_env = problems.read
if NAMED_ENV_FILE and not ENV_FILE.exists():  # a mistyped path would leave every variable at its default
    problems.append(
        f"DJANGO_ENV_FILE={NAMED_ENV_FILE!r} names no file: set it to an existing file, or unset it to read .env"
    )

DEBUG = problems.boolean("DEBUG", default=False)

SECRET_KEY = _env(env.str, "SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        problems.append(
            "SECRET_KEY is required when DEBUG is off: set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # nosec B105

ALLOWED_HOSTS = _env(env.list, "ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "storage.apps.StorageConfig",
    "clients.apps.ClientsConfig",
    "sessions_app.apps.SessionsAppConfig",
    "diagnostics.apps.DiagnosticsConfig",
    # REST API
    "rest_framework",
    "rest_framework.authtoken",
    "config.api.apps.ApiConfig",  # revokes cached tokens on every process (config/api/authentication.py)
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.api.middleware.RequestBodyLimitMiddleware",  # REST API: 413 before any body is read
    "whitenoise.middleware.WhiteNoiseMiddleware",  # the admin's static files, served by the app
    # Django's, skipped for /api/ requests with Token or Basic credentials (config/api/middleware.py);
    # CSRF stays Django's own (check --deploy looks for it by name; DRF's views are exempt anyway)
    "config.api.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.api.middleware.AuthenticationMiddleware",
    "config.api.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "storage.middleware.StaleReadMiddleware",
    # Admin: storage unavailable -> 503 inside the admin layout.
    "storage.admin.middleware.StorageUnavailableAdminMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Django's own tables (users, admin log, tokens, login sessions) live here, never the records.
DATABASES = {
    "default": env_values.database_url(problems, env, "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
# Persistent connections: a request reuses its worker's connection instead of opening one (checked
# before reuse, so a connection the database dropped is replaced, not an error). 0: one per request.
DATABASES["default"]["CONN_MAX_AGE"] = env_values.at_least(problems, env, "DATABASE_CONN_MAX_AGE", 0, default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = _env(env.str, "STATIC_ROOT", default="") or str(BASE_DIR / "staticfiles")
# whitenoise serves the collected files (`make serve` runs collectstatic) with gzip/brotli copies.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Storage: the backend is chosen once, at startup (docs/architecture.md).
REDIS_URL = _env(env.str, "REDIS_URL", default="")
# Vercel KV / Upstash REST: Vercel's KV_* names first, then the Upstash console's names. The token
# is never logged (Django's error pages hide settings named *TOKEN* / *API*).
KV_REST_API_URL = _env(env.str, "KV_REST_API_URL", default="") or _env(env.str, "UPSTASH_REDIS_REST_URL", default="")
KV_REST_API_TOKEN = _env(env.str, "KV_REST_API_TOKEN", default="") or _env(
    env.str, "UPSTASH_REDIS_REST_TOKEN", default=""
)
_backend = None  # stays None when the choice itself is a reported problem
try:
    _backend = select_backend(
        backend=_env(env.str, "STORAGE_BACKEND", default=""),
        redis_url=REDIS_URL,
        rest_url=KV_REST_API_URL,
        rest_token=KV_REST_API_TOKEN,
        rest_read_only_token=_env(env.str, "KV_REST_API_READ_ONLY_TOKEN", default=""),
        debug=DEBUG,
    )
except ConfigurationError as exc:
    problems.append(str(exc))

STORAGE = {
    "BACKEND": _backend,
    "REDIS_URL": REDIS_URL,
    "REST_URL": KV_REST_API_URL,
    "REST_TOKEN": KV_REST_API_TOKEN,
    "KEY_PREFIX": env_values.key_prefix(problems, env, "STORAGE_KEY_PREFIX", default="app"),
    "DATA_DIR": _env(env.str, "STORAGE_DATA_DIR", default=str(BASE_DIR / "data")),
    "SOCKET_TIMEOUT": env_values.seconds(problems, env, "STORAGE_SOCKET_TIMEOUT", default=2.0),
    "CONNECT_TIMEOUT": env_values.seconds(problems, env, "STORAGE_CONNECT_TIMEOUT", default=2.0),
    # Production serves the last known memory state (flagged stale) when the backend can't be read.
    "STALE_READS": problems.boolean("STORAGE_STALE_READS", default=not DEBUG),
    # In DEBUG, an unreachable Redis at startup falls back to JSON files (the seed's local fallback).
    "DEBUG_FALLBACK": DEBUG,
    # Records a process keeps per collection; a larger collection is listed from Redis's indexes.
    "CACHE_MAX_RECORDS": env_values.at_least(problems, env, "STORAGE_CACHE_MAX_RECORDS", 1, default=100_000),
}

# Redis connection modes, TLS options, replica acknowledgement of writes: checked by the Redis
# backend, which uses them (storage/backends/redis.py, redis_modes.py).
STORAGE.update(
    {
        "REDIS_MODE": _env(env.str, "REDIS_MODE", default="auto").strip().lower(),
        "REDIS_SSL_CERT_REQS": _env(env.str, "REDIS_SSL_CERT_REQS", default="").strip().lower(),
        "REDIS_SSL_CA_CERTS": _env(env.str, "REDIS_SSL_CA_CERTS", default=""),
        "REDIS_SENTINEL_PASSWORD": _env(env.str, "REDIS_SENTINEL_PASSWORD", default=""),
        "WAIT_REPLICAS": env_values.at_least(problems, env, "STORAGE_WAIT_REPLICAS", 0, default=0),
        "WAIT_TIMEOUT_MS": env_values.at_least(problems, env, "STORAGE_WAIT_TIMEOUT_MS", 0, default=1000),
    }
)

# The chosen backend checks the rest of its settings (mode, TLS options, WAIT) without connecting.
if _backend:
    try:
        build_backend(STORAGE)
    except ConfigurationError as exc:
        problems.append(str(exc))

LOG_FORMAT = _env(env.str, "LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    problems.append(f"LOG_FORMAT={LOG_FORMAT!r} is not a format: set it to text or json")
    LOG_FORMAT = "text"
LOG_EMOJI = problems.boolean("LOG_EMOJI", default=True)
LOG_LEVEL = env_values.log_level(problems, env, "LOG_LEVEL", default="INFO")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {
            "()": "storage.log.EmojiFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "emoji": LOG_EMOJI,
        },
        "json": {"()": "storage.log.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "storage": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = problems.boolean("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_values.at_least(problems, env, "SECURE_HSTS_SECONDS", 0, default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    CSRF_TRUSTED_ORIGINS = _env(env.list, "CSRF_TRUSTED_ORIGINS", default=[])

# REST API: Django REST framework, drf-spectacular. Shared pieces live in config/api/.
API_MAX_BODY_BYTES = 1024 * 1024  # request bodies over 1 MiB get 413 before any parsing
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# Rendered JSON of unchanged records and list pages, per process (config/api/render_cache.py); 0: off.
API_RENDER_CACHE_BYTES = env_values.at_least(problems, env, "API_RENDER_CACHE_BYTES", 0, default=16 * 1024 * 1024)
REST_FRAMEWORK = {
    # The first class names the WWW-Authenticate challenge of a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.authentication.CachedTokenAuthentication",  # DRF's, without a query per request
        "rest_framework.authentication.BasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.api.permissions.ModelPermissions"],
    # DRF's defaults, with JSON nested too deeply answered 400 instead of 500
    "DEFAULT_PARSER_CLASSES": [
        "config.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.StrictLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clients and sessions API",
    "DESCRIPTION": "Records kept in Redis as the single source of truth. ETag = record version.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # the schema documents JSON bodies only (the form parsers serve the browsable API's
    # HTML forms, whose untyped fields can't be described as the JSON types the API defines)
    "PARSER_WHITELIST": ["config.api.parsers.JSONParser"],
    "AUTHENTICATION_WHITELIST": [
        "config.api.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.BasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}

# Login rate limit: failed logins per user name and per client address, counted in the
# storage backend (config/login_limit.py) so every process shares the count; 429 past the limit.
AUTHENTICATION_BACKENDS = [
    "config.login_limit.LoginRateLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE += ["config.login_limit.LoginRateLimitMiddleware"]
AUTH_FAILURE_LIMIT = env_values.at_least(problems, env, "AUTH_FAILURE_LIMIT", 1, default=10)
AUTH_FAILURE_WINDOW = env_values.at_least(problems, env, "AUTH_FAILURE_WINDOW", 1, default=900)
# The request header holding the client address when behind a proxy (e.g. HTTP_X_REAL_IP on
# Vercel); empty: the connection's address (REMOTE_ADDR).
AUTH_CLIENT_IP_HEADER = _env(env.str, "AUTH_CLIENT_IP_HEADER", default="")

problems.raise_if_any()
