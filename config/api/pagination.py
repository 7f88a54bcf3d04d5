"""limit / offset pagination that refuses bad values (400) instead of silently correcting them.

The count and the page come from one evaluation of the storage queryset (one snapshot, one
version round trip): slices of a counted StorageQuerySet reuse its matches.
"""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000  # beyond any real collection: a larger offset is a 400, not an empty page


class PageQuery(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0)


class StrictLimitOffsetPagination(LimitOffsetPagination):
    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def page_query_errors(self, request):
        """{parameter: [messages]} for bad limit / offset values, so that a view can report them
        together with its other query-parameter errors (all at once)."""
        query = self._query(request)
        return {} if query.is_valid() else dict(query.errors)

    def _query(self, request):
        wanted = {k: v for k, v in request.query_params.items() if k in ("limit", "offset")}
        return PageQuery(data=wanted)

    def _page_query(self, request):
        query = self._query(request)
        if not query.is_valid():
            raise ValidationError(query.errors)
        return query.validated_data

    def paginate_queryset(self, queryset, request, view=None):
        """One evaluation for the count and the page (one round trip on a large collection)."""
        if not hasattr(queryset, "count_and_slice"):
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.count, page = queryset.count_and_slice(self.offset, self.limit)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True  # the browsable API's page links
        return page

    def get_limit(self, request):
        return self._page_query(request)["limit"]

    def get_offset(self, request):
        return self._page_query(request)["offset"]

    def get_schema_operation_parameters(self, view):
        limit, offset = super().get_schema_operation_parameters(view)
        limit["schema"].update(minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT)
        offset["schema"].update(minimum=0, maximum=MAX_OFFSET, default=0)
        return [limit, offset]
