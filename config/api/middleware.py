"""The API's middleware: 413 for request bodies over settings.API_MAX_BODY_BYTES, decided from
Content-Length before anything reads the body (DRF's parsers read the stream without Django's
upload limit); and Django's session, authentication and messages middleware, skipped for
/api/ requests that authenticate with a Token or Basic Authorization header."""

from django.conf import settings
from django.http import JsonResponse
from django.utils.module_loading import import_string


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.API_MAX_BODY_BYTES

    def __call__(self, request):
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0:
            return JsonResponse({"detail": "Content-Length must be a whole number.", "code": "bad_request"}, status=400)
        if length > self.limit:
            return JsonResponse(
                {
                    "detail": f"The request body is {length} bytes; the limit is {self.limit} bytes.",
                    "code": "request_too_large",
                },
                status=413,
            )
        return self.get_response(request)


def carries_api_credentials(request):
    """An /api/ request authenticated by its Authorization header (Token or Basic): it needs no
    session and no messages; DRF sets request.user itself."""
    if not request.path.startswith("/api/"):
        return False
    scheme = request.META.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0].lower()
    return scheme in ("token", "basic")


def skipped_with_api_credentials(path):
    """The middleware at `path`, skipped for requests that carry API credentials (with its
    siblings it costs about 0.1 ms a request and buys those requests nothing). A subclass, so
    that Django's checks (the admin's) still recognise it."""
    middleware_class = import_string(path)

    class Skipped(middleware_class):
        def __call__(self, request):
            if carries_api_credentials(request):
                return self.get_response(request)
            return super().__call__(request)

    if hasattr(middleware_class, "process_view"):

        def process_view(self, request, view_func, view_args, view_kwargs):
            if carries_api_credentials(request):
                return None
            return middleware_class.process_view(self, request, view_func, view_args, view_kwargs)

        Skipped.process_view = process_view
    Skipped.__name__ = Skipped.__qualname__ = middleware_class.__name__
    return Skipped


SessionMiddleware = skipped_with_api_credentials("django.contrib.sessions.middleware.SessionMiddleware")
AuthenticationMiddleware = skipped_with_api_credentials("django.contrib.auth.middleware.AuthenticationMiddleware")
MessageMiddleware = skipped_with_api_credentials("django.contrib.messages.middleware.MessageMiddleware")
