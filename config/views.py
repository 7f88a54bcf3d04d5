"""The two front doors: the landing page at / (what `make run` prints and the admin's "View site"
link opens) and the API root at /api/ (a map of the API, public, JSON or browsable)."""

from django.shortcuts import render
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from storage.collection import BACKEND_NAMES
from storage.startup import fallback, fallback_message
from storage.store import get_store


def home(request):
    info = get_store().backend.describe()
    fell_back = fallback()
    context = {
        "backend": BACKEND_NAMES.get(info["backend"], info["backend"]),
        "mode": info["mode"],
        # where the records are is for staff only (a public page does not name hosts)
        "target": info["target"] if request.user.is_staff else "",
        "fallback": fallback_message(fell_back) if fell_back and request.user.is_staff else "",
        "degraded": bool(fell_back),
    }
    return render(request, "home.html", context)


class ApiRoot(APIView):
    """The API's endpoints and documentation."""

    permission_classes = [AllowAny]
    schema = None  # a map of the API, not part of it

    def get(self, request, format=None):  # noqa: A002 - DRF's name for the format suffix
        def url(name):
            return reverse(name, request=request, format=format)

        return Response(
            {
                "clients": url("client-list"),
                "sessions": url("session-list"),
                "schema": url("schema"),
                "docs": url("api-docs"),
                "redoc": url("api-redoc"),
                "health": url("diagnostics-health"),
                "token": url("api-token"),
                "login": url("rest_framework:login"),
            }
        )


api_root = ApiRoot.as_view()
