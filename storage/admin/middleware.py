"""Admin pages answer 503 inside the admin layout when storage can't be reached (never a 500), and
a page naming the record (and verify_redis) when a stored record doesn't parse.

A POSTed form is not lost: the page lists what the user typed (passwords excepted) and offers to
send it again unchanged (the hidden version travels with it, so a stale edit is still refused).
Requests from scripts (the autocomplete's XHR) get a JSON 503. Other paths are left alone.
"""

from django.contrib import admin
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from storage.errors import StorageUnavailable, UnparsableRecord

from .forms import VERSION_FIELD

HIDDEN_POST_FIELDS = ("csrfmiddlewaretoken",)
MESSAGE = "Storage is unavailable: the record store can't be reached right now."


class StorageUnavailableAdminMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UnparsableRecord) and _is_admin(request):
            return _unparsable(request, exception)
        if not isinstance(exception, StorageUnavailable) or not _is_admin(request):
            return None
        retry_after = str(exception.retry_after)
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            response = JsonResponse({"error": MESSAGE}, status=503)  # no form to keep: a read
        else:
            typed = [
                (key, value)
                for key, values in request.POST.lists()
                if key not in HIDDEN_POST_FIELDS and "password" not in key.lower()
                for value in values
            ]
            # Shown to the user: their fields, not the form's machinery (sent again all the same).
            shown = [(k, v) for k, v in typed if not k.startswith(("_", "initial-")) and k != VERSION_FIELD]
            context = {
                **admin.site.each_context(request),
                "title": "Storage unavailable",
                "message": f"{MESSAGE} Nothing was saved." if request.method == "POST" else MESSAGE,
                "retry_after": retry_after,
                "typed": typed if request.method == "POST" else [],
                "shown": shown,
                "resubmit_url": request.get_full_path(),
            }
            response = render(request, "admin/storage/unavailable.html", context, status=503)
        response["Retry-After"] = retry_after
        return response


def _unparsable(request, exception):
    """A stored record that doesn't parse: said in the admin layout, with what to do (a 500: the
    data is damaged on the server's side, retrying won't help)."""
    context = {**admin.site.each_context(request), "title": "Record does not parse", "message": str(exception)}
    return render(request, "admin/storage/unparsable.html", context, status=500)


def _is_admin(request):
    try:
        return request.path.startswith(reverse("admin:index"))
    except NoReverseMatch:
        return False
