from .collection import reset_stale, stale_served


class StaleReadMiddleware:
    """Flags responses served (in part) from stale memory with X-Storage-Stale: true."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reset_stale()
        response = self.get_response(request)
        if stale_served():
            response["X-Storage-Stale"] = "true"
        return response
