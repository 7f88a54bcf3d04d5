"""The admin's "Storage diagnostics" page (staff) and its repair flow (superusers, confirmed)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.forms.utils import pretty_name
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from storage.errors import StorageError
from storage.store import get_store, specs

from . import checks, compare, verify
from .integrity import KINDS

PAGE_LIMIT = 50
# What each problem's fix is, in the words of this page (the report's own `fix` names the command
# line's --repair options).
PAGE_FIXES = {
    "index_without_record": "Repair removes each entry from the index (if the record is still absent).",
    "record_not_indexed": "Repair re-adds each record to the indexes it is missing from.",
    "dangling_reference": (
        "Repair leaves these records alone: recreate the missing record, or use "
        "“Repair and delete orphans” to delete them."
    ),
    "unique_without_record": "Repair removes each entry (if it still points to the same id).",
    "by_without_record": "Repair removes the id from the set (if the record has not changed since).",
    "unparseable_record": (
        "Not repaired automatically: restore the record from an export (manage.py import_data), "
        "or delete its key by hand."
    ),
}
ORPHANS = "dangling_reference"
# A repair's actions and results in the words of the repair page (the command prints the codes,
# which stay in the cells' tooltips).
PAGE_ACTIONS = {
    "unindex": "Remove from the index",
    "reindex": "Re-add to its indexes",
    "drop_unique": "Remove the unique-index entry",
    "drop_by": "Remove from the reference set",
    "delete": "Delete the record",
    "report only": "Leave it as it is",
}
PAGE_RESULTS = {"not deleted (use --delete-orphans)": "Not deleted (“Repair and delete orphans” deletes it)"}


def _page_action(action):
    """The action of a repair row as the page words it: "unindex clients:x" -> "Remove from the index: clients:x"."""
    code = next((c for c in PAGE_ACTIONS if action["action"] == c or action["action"].startswith(c + " ")), None)
    detail = action["action"][len(code) :].strip() if code else ""
    words = PAGE_ACTIONS.get(code, action["action"])
    return {
        "page_action": f"{words}: {detail}" if detail else words,
        "page_result": PAGE_RESULTS.get(action["result"], action["result"].capitalize()),
    }


def _when(value):
    """An ISO 8601 timestamp as a datetime, which the template shows as the admin shows dates; any
    other value as it is."""
    try:
        return (parse_datetime(value) if isinstance(value, str) else None) or value
    except ValueError:  # shaped like a timestamp, but not one (month 13)
        return value


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


def _comparisons():
    """Memory vs backend for each registered collection, its records shown by the fields its spec
    says identify them: the title, each reference by the title of the record it names (its id when
    that record has none), the listed fields (timestamps as the admin shows dates)."""
    store = get_store()
    sections = []
    for name, spec in sorted(specs().items()):
        result, error = _section(lambda name=name: compare.compare(name, PAGE_LIMIT))
        headers = ["id", spec.title_field, *(ref.removesuffix("_id") for ref in spec.references), *spec.listed]
        rows = [_cells(store, spec, row) for row in (result or {}).get(name, [])]
        sections.append(
            {
                "name": name,
                "result": result,
                "error": error,
                "headers": [pretty_name(h) for h in (*headers, "version") if h],
                "rows": rows,
            }
        )
    return sections


def _cells(store, spec, row):
    cells = [row.get("id")] + ([row.get(spec.title_field)] if spec.title_field else [])
    for ref, target in spec.references.items():
        cells.append(row.get(compare.title_key(store, ref, target)) or row.get(ref))
    return [*cells, *(_when(row.get(name)) for name in spec.listed), row.get("version")]


def _storage_diagnostics(request):
    health = checks.report()
    verify_report, verify_error = _section(lambda: verify.verify(PAGE_LIMIT))
    found = (verify_report or {}).get("problems", [])
    problems = [{**p, "page_fix": PAGE_FIXES.get(p["kind"], p["fix"])} for p in found]
    context = _context(request, "Storage diagnostics") | {
        "health": health,
        "checked_at": _when(health["timestamp"]),
        "health_rows": [{"name": name, **result} for name, result in health["checks"].items()],
        "verify": verify_report,
        "problems": problems,
        "has_orphans": any(p["kind"] == ORPHANS for p in problems),
        "verify_error": verify_error,
        "comparisons": _comparisons(),
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
    for action in (result or {}).get("actions", []):
        action["title"] = KINDS.get(action.get("kind"), (action.get("kind"),))[0]
        action.update(_page_action(action))
    for problem in ((result or {}).get("after") or {}).get("problems", []):
        problem["page_fix"] = PAGE_FIXES.get(problem["kind"], problem["fix"])
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
