"""The admin's "Storage diagnostics" page (staff) and its repair flow (superusers, confirmed)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

from storage.errors import StorageError
from storage.store import get_store

from . import checks, compare, verify

PAGE_LIMIT = 50


def _section(run):
    """(result, error message): a storage failure is shown inside the page, not as a 500."""
    try:
        return run(), ""
    except StorageError as exc:
        return None, checks._safe(f"{type(exc).__name__}: {exc}")


def _can_repair(request):
    try:
        return request.user.is_superuser and get_store().backend.can_repair
    except StorageError:
        return False


def _context(request, title):
    crumbs = [{"url": reverse("admin-storage-diagnostics"), "title": "Storage diagnostics"}]
    return {**admin.site.each_context(request), "title": title, "crumbs": crumbs}


def _storage_diagnostics(request):
    health = checks.report()
    verify_report, verify_error = _section(lambda: verify.verify(PAGE_LIMIT))
    sessions, sessions_error = _section(lambda: compare.compare("sessions", PAGE_LIMIT))
    context = _context(request, "Storage diagnostics") | {
        "health": health,
        "health_rows": [{"name": name, **result} for name, result in health["checks"].items()],
        "verify": verify_report,
        "verify_error": verify_error,
        "sessions": sessions,
        "sessions_error": sessions_error,
        "can_repair": _can_repair(request),
    }
    return TemplateResponse(request, "admin/diagnostics/storage.html", context)


def _storage_repair(request):
    if not request.user.is_superuser:
        raise PermissionDenied("Only superusers can repair storage.")
    source = request.POST if request.method == "POST" else request.GET
    delete_orphans = source.get("delete_orphans") == "1"
    confirmed = request.method == "POST" and request.POST.get("confirm") == "yes"
    result, error = _section(lambda: verify.repair(delete_orphans=delete_orphans, dry_run=not confirmed))
    context = _context(request, "Repair storage" if not confirmed else "Storage repaired") | {
        "result": result,
        "error": error,
        "confirmed": confirmed,
        "delete_orphans": delete_orphans,
        "crumb_tail": "Repair",
    }
    return TemplateResponse(request, "admin/diagnostics/repair.html", context)


# admin_view: staff only (anonymous users are sent to the admin login), CSRF-protected, never cached.
storage_diagnostics = admin.site.admin_view(_storage_diagnostics)
storage_repair = admin.site.admin_view(_storage_repair)
