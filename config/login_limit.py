"""Password guessing is stopped: after AUTH_FAILURE_LIMIT failed logins within AUTH_FAILURE_WINDOW
seconds, for one user name or from one client address, every login path answers 429 with
Retry-After until the window ends: the admin login, the browsable API's /api/auth/login/,
POST /api/auth/token/, and Basic authentication on any API request.

Three pieces, all on Django's own authentication hooks (every path above goes through
django.contrib.auth.authenticate):
- LoginRateLimitBackend, first in AUTHENTICATION_BACKENDS, refuses to check any password while
  the user name or the address is over the limit (and marks the request);
- the user_login_failed signal counts each failure, per user name and per address;
- LoginRateLimitMiddleware turns a marked request's answer into a 429 (JSON under /api/).
The counters live in the storage backend (config/ratelimit.py), so every process shares them.
When the backend is unreachable the limit is not enforced (logged): logins need no records.
"""

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse

from storage import log
from storage.errors import StorageError

from .ratelimit import RateLimit

MARK = "login_rate_limited"


def limits():
    window = settings.AUTH_FAILURE_WINDOW
    return (
        ("user", RateLimit("login-user", limit=settings.AUTH_FAILURE_LIMIT, window=window)),
        ("ip", RateLimit("login-ip", limit=settings.AUTH_FAILURE_LIMIT, window=window)),
    )


def subjects(request, username):
    """{"user": normalised user name, "ip": client address}, for those that are known."""
    found = {}
    if username:
        found["user"] = str(username).strip().lower()
    http = getattr(request, "_request", request)  # DRF wraps Django's request
    meta = getattr(http, "META", None) or {}
    address = meta.get(settings.AUTH_CLIENT_IP_HEADER) or meta.get("REMOTE_ADDR")
    if address:
        found["ip"] = address.split(",")[0].strip()
    return http, found


class LoginRateLimitBackend:
    """Checks no password: only refuses (PermissionDenied stops authenticate()) when over the limit."""

    def authenticate(self, request, username=None, **credentials):
        http, found = subjects(request, username)
        try:
            wait = max((limit.blocked(found[kind]) for kind, limit in limits() if kind in found), default=0)
        except StorageError as exc:
            log.error(f"Login rate limit not checked (storage unavailable): {exc}")
            return None
        if wait:
            if http is not None:
                setattr(http, MARK, wait)
            log.warning("Login refused: too many failed attempts", retry_after=wait)
            raise PermissionDenied
        return None

    # No get_user(): this backend never logs anyone in, so no session ever names it (and
    # Django's force_login / login pick the next backend that does).


def count_failure(sender, credentials, request=None, **kwargs):
    http, found = subjects(request, credentials.get("username"))
    if getattr(http, MARK, 0):
        return  # refused by the limit: already counted
    try:
        for kind, limit in limits():
            if kind in found:
                limit.count(found[kind])
    except StorageError as exc:
        log.error(f"Failed login not counted (storage unavailable): {exc}")


user_login_failed.connect(count_failure, dispatch_uid="config.login_limit.count_failure")


class LoginRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        wait = getattr(request, MARK, 0)
        if wait:
            if request.path.startswith("/api/"):
                response = JsonResponse(
                    {
                        "detail": f"Too many failed login attempts; try again in {wait} seconds.",
                        "code": "too_many_attempts",
                    },
                    status=429,
                )
            else:
                response.status_code = 429  # the login form, with its error, answered 429
            response["Retry-After"] = str(wait)
        return response
