"""413 for request bodies over settings.API_MAX_BODY_BYTES, decided from Content-Length before
anything reads the body (DRF's parsers read the stream without Django's upload limit)."""

from django.conf import settings
from django.http import JsonResponse


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
