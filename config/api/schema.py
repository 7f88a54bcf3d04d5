"""The OpenAPI description of the record endpoints, generated (drf-spectacular) and completed
here with what introspection can't see: the conditional headers, the list's query parameters
(the view's query serializer) and every error response with its body and headers."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .conditional import HEADER


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class VersionConflictSerializer(ErrorSerializer):
    version = serializers.IntegerField(help_text="The record's current version (also its ETag).")


class DependentsExistSerializer(ErrorSerializer):
    count = serializers.IntegerField(help_text="How many dependent records (sessions) the record still has.")
    dependent = serializers.CharField(help_text="The dependent collection, e.g. sessions.")


class DeleteQuery(serializers.Serializer):
    cascade = serializers.BooleanField(
        default=False, help_text="Also delete the client's sessions, atomically (otherwise 409 when it has any)."
    )


def _header(name, description, *, response=False, required=False, pattern=None):
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description=description,
        response=response,
        required=required,
        pattern=pattern,
    )


IF_MATCH = _header(
    "If-Match",
    'Only write if the record is still at this version (its ETag, e.g. "3"); otherwise 412.',
    pattern=HEADER.pattern,
)
IF_NONE_MATCH = _header(
    "If-None-Match", "A previously received ETag: 304 when the record is unchanged.", pattern=HEADER.pattern
)
LIST_IF_NONE_MATCH = _header(
    "If-None-Match",
    'A previously received list ETag (e.g. W/"42:1f2e3d4c5b6a"): 304 when nothing in the collection changed.',
    pattern=HEADER.pattern,
)
ETAG = "ETag"
NOT_MODIFIED = OpenApiResponse(description="Not modified.")
ERRORS = OpenApiResponse(ErrorSerializer, description="Error: {detail, code}")
BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Invalid input: field-level messages (DRF's shape), or {detail, code}."
)


DESCRIPTIONS = {
    "list": "The {plural}, paginated (limit / offset), filtered and ordered by the query parameters; "
    "with the page's ETag in If-None-Match, 304 while the collection is unchanged.",
    "create": "Create a {name}: 201 with the record, its Location and its ETag.",
    "retrieve": "One {name}, with its ETag (its version); If-None-Match with that ETag gives 304.",
    "update": "Replace a {name}'s writable fields; with If-Match, 412 when the {name} has changed.",
    "partial_update": "Change some of a {name}'s fields; with If-Match, 412 when the {name} has changed.",
    "destroy": "Delete a {name}; with If-Match, 412 when the {name} has changed.",
}


class RecordSchema(AutoSchema):
    """For RecordViewSet subclasses (config/api/viewsets.py)."""

    def get_description(self):
        meta = self.view.get_queryset().model._meta
        action = getattr(self.view, "action", None)
        summary = DESCRIPTIONS.get(action, "").format(name=meta.verbose_name, plural=meta.verbose_name_plural)
        return " ".join(part for part in (summary, super().get_description()) if part)

    def get_override_parameters(self):
        view, method = self.view, self.method
        params = list(super().get_override_parameters())
        action = getattr(view, "action", None)
        if self._is_list_view() and getattr(view, "query_serializer_class", None):
            params.append(view.query_serializer_class)
        if action == "retrieve":
            params.append(IF_NONE_MATCH)
            params.append(_header(ETAG, "The record's version.", response=[200, 304], required=True))
        if action == "list":
            params.append(LIST_IF_NONE_MATCH)
            params.append(_header(ETAG, "The collection version and a query hash.", response=[200, 304], required=True))
        if method in ("PUT", "PATCH", "DELETE"):
            params.append(IF_MATCH)
        if action in ("update", "partial_update"):
            params.append(_header(ETAG, "The record's new version.", response=[200, 412], required=True))
        if action == "destroy":
            params.append(_header(ETAG, "The record's current version.", response=[412], required=True))
            if getattr(view, "cascade_delete", False):
                params.append(DeleteQuery)
        if action == "create":
            params.append(_header(ETAG, "The new record's version.", response=[201], required=True))
            params.append(_header("Location", "The new record's URL.", response=[201], required=True))
        if method == "GET":
            params.append(
                _header("X-Storage-Stale", "true when served from memory while Redis was unreachable.", response=[200])
            )
        params.append(_header("WWW-Authenticate", "The authentication challenge.", response=[401], required=True))
        params.append(_header("Retry-After", "Seconds to wait before retrying.", response=[503], required=True))
        return params

    def get_response_serializers(self):
        serializer = self._get_serializer()
        action = getattr(self.view, "action", None)
        common = {401: ERRORS, 403: ERRORS, 503: ERRORS}
        if action == "list":
            return {200: serializer, 304: NOT_MODIFIED, 400: BAD_REQUEST, 404: ERRORS, **common}
        if action == "retrieve":
            return {
                200: serializer,
                304: NOT_MODIFIED,
                400: BAD_REQUEST,
                404: ERRORS,
                **common,
            }
        if action == "create":
            return {201: serializer, 400: BAD_REQUEST, 413: ERRORS, **common}
        conflict = OpenApiResponse(VersionConflictSerializer, description="The record is not at the If-Match version.")
        if action in ("update", "partial_update"):
            return {200: serializer, 400: BAD_REQUEST, 404: ERRORS, 412: conflict, 413: ERRORS, **common}
        if action == "destroy":
            responses = {204: None, 400: BAD_REQUEST, 404: ERRORS, 412: conflict, **common}
            if getattr(self.view, "cascade_delete", False):
                responses[409] = OpenApiResponse(DependentsExistSerializer, description="The record has dependents.")
            return responses
        return super().get_response_serializers()
