"""The diagnostic endpoints: /api/health (public), live / ready probes, and two staff-only reports.

Plain Django views returning JSON; nothing here shows a record's contents in public, a secret or a
URL with credentials (backends describe their target masked).
"""

from functools import wraps

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from storage.errors import StorageError, StorageUnavailable
from storage.store import get_store

from . import checks, compare, verify


def _json(data, status=200, **headers):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def staff_required(view):
    """401 JSON for anonymous users, 403 JSON for authenticated non-staff users."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return _json({"detail": "Authentication credentials were not provided."}, 401, WWW_Authenticate="Session")
        if not (user.is_active and user.is_staff):
            return _json({"detail": "Staff access only."}, 403)
        return view(request, *args, **kwargs)

    return wrapped


def unavailable(exc):
    retry = getattr(exc, "retry_after", StorageUnavailable.retry_after)
    body = {"detail": f"The storage backend is unavailable: {checks._safe(str(exc))}", "retry_after": retry}
    return _json(body, 503, Retry_After=str(retry))


@require_GET
@never_cache
def health(request):
    report = checks.report()
    if not (request.user.is_authenticated and request.user.is_staff):
        # Where the data lives (host, port, directory) is for staff, not the public.
        report["backend"].pop("target", None)
        for check in report["checks"].values():
            check.get("values", {}).pop("target", None)
    return _json(report, 503 if report["status"] == "unhealthy" else 200)


@require_GET
@never_cache
def live(request):
    return _json({"status": "alive"})


@require_GET
@never_cache
def ready(request):
    try:
        get_store().backend.ping()
    except StorageUnavailable as exc:
        return unavailable(exc)
    except Exception as exc:  # misconfigured: not ready either
        return _json({"status": "unavailable", "detail": checks._safe(f"{type(exc).__name__}: {exc}")}, 503)
    return _json({"status": "ready"})


def _limited(request, run):
    try:
        limit = verify.parse_limit(request.GET.get("limit"))
    except ValueError as exc:
        return _json({"detail": str(exc)}, 400)
    try:
        return _json(run(limit))
    except StorageUnavailable as exc:
        return unavailable(exc)
    except StorageError as exc:  # misconfigured or unreadable backend: say why, no traceback
        return _json({"detail": checks._safe(f"{type(exc).__name__}: {exc}")}, 503)


@require_GET
@never_cache
@staff_required
def verify_redis(request):
    return _limited(request, lambda limit: verify.verify(limit))


@require_GET
@never_cache
@staff_required
def check_sessions(request):
    return _limited(request, lambda limit: compare.compare("sessions", limit))
