from .served import reset_stale, stale_served, unparsable_skipped


class StaleReadMiddleware:
    """Flags responses served (in part) from stale memory with X-Storage-Stale: true, and those
    that left out stored records that don't parse with X-Storage-Unparsable: collection:id,..."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reset_stale()
        response = self.get_response(request)
        if stale_served():
            response["X-Storage-Stale"] = "true"
        skipped = unparsable_skipped()
        if skipped:
            response["X-Storage-Unparsable"] = ",".join(skipped)
        return response
