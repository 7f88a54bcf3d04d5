"""The diagnostic endpoints: /api/health (public), live / ready probes, and two staff-only reports.

DRF views, so they authenticate exactly as the REST API does (token, Basic, session: the
REST_FRAMEWORK settings), answer DRF's 401 with a WWW-Authenticate challenge a client knows and 403
for non-staff users, and appear in the OpenAPI document. Nothing here shows a record's contents in
public, a secret or a URL with credentials (backends describe their target masked).
"""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAdminUser

from config.api.schema import ERRORS
from storage.errors import StorageError, StorageUnavailable
from storage.store import get_store

from . import checks, compare, verify

REPORT = OpenApiResponse(OpenApiTypes.OBJECT, description="The report.")
UNAVAILABLE = OpenApiResponse(OpenApiTypes.OBJECT, description="The storage backend is unavailable: {detail, ...}.")
LIMIT = OpenApiParameter(
    "limit",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    description=f"How many differing records to list (1..{verify.MAX_LIMIT}, default {verify.DEFAULT_LIMIT}).",
)
STAFF_RESPONSES = {
    200: REPORT,
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid limit: {detail}."),
    401: ERRORS,
    403: ERRORS,
    503: UNAVAILABLE,
}


def _json(data, status=200, **headers):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def public(summary, responses):
    """A GET anyone may call (credentials, when sent, are still checked: a wrong token is a 401)."""

    def decorate(view):
        view = api_view(["GET"])(permission_classes([AllowAny])(view))
        return never_cache(extend_schema(summary=summary, responses=responses, tags=["diagnostics"])(view))

    return decorate


def staff_only(summary):
    """A GET for staff users: 401 without valid credentials, 403 for a non-staff user."""

    def decorate(view):
        view = api_view(["GET"])(permission_classes([IsAdminUser])(view))
        schema = extend_schema(summary=summary, parameters=[LIMIT], responses=STAFF_RESPONSES, tags=["diagnostics"])
        return never_cache(schema(view))

    return decorate


def unavailable(exc):
    retry = getattr(exc, "retry_after", StorageUnavailable.retry_after)
    body = {"detail": f"The storage backend is unavailable: {checks._safe(str(exc))}", "retry_after": retry}
    return _json(body, 503, Retry_After=str(retry))


@public(
    "Health of the storage backend and its checks (the backend's target for staff only).",
    {
        200: REPORT,
        401: ERRORS,
        503: OpenApiResponse(OpenApiTypes.OBJECT, description="Unhealthy: a critical check failed."),
    },
)
def health(request):
    report = checks.report()
    if not (request.user.is_authenticated and request.user.is_staff):
        # Where the data lives (host, port, directory) is for staff, not the public.
        report["backend"].pop("target", None)
        for check in report["checks"].values():
            check.get("values", {}).pop("target", None)
    return _json(report, 503 if report["status"] == "unhealthy" else 200)


@public("Liveness probe: the process answers.", {200: REPORT, 401: ERRORS})
def live(request):
    return _json({"status": "alive"})


@public("Readiness probe: the storage backend answers a ping.", {200: REPORT, 401: ERRORS, 503: UNAVAILABLE})
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


@staff_only("Verify every collection in the backend: records, indexes, counters (staff only).")
def verify_redis(request):
    return _limited(request, lambda limit: verify.verify(limit))


@staff_only("Compare this process's memory of the sessions with the backend (staff only).")
def check_sessions(request):
    return _limited(request, lambda limit: compare.compare("sessions", limit))
