"""Every API error as JSON: DRF's exception handler extended with the storage errors, and the
Django error handlers (404, 500, 400, 403) answering JSON under /api/ (also with DEBUG off).

Storage errors -> HTTP, in this one place:
  StorageUnavailable  503 + Retry-After   {"detail", "code": "storage_unavailable"}
  UniqueViolation     400 on the field     {"email": ["Client with this email already exists."]}
  ReferenceViolation  400 on the field     {"client_id": ["Client 'client_x' does not exist."]}
  VersionConflict     412 + current ETag   {"detail", "code": "version_conflict", "version"}
  DependentsExist     409                  {"detail", "code": "dependents_exist", "count", "dependent"}
  NotFound            404;  AlreadyExists  409
  UnparsableRecord    500                  {"detail" (names the record and verify_redis), "code": "unparsable_record"}
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from storage import errors as storage
from storage.models import as_validation_error

from .conditional import etag

API_PREFIX = "/api/"


def exception_handler(exc, context):
    if isinstance(exc, storage.StorageError):
        return storage_error_response(exc, context)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        # A wrong content type is a 400 (DRF would say 415): the API documents 400 for it.
        exc = exceptions.ParseError(str(exc.detail), code="unsupported_media_type")
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and set(response.data) == {"detail"}:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        response.data["code"] = codes.get("detail") if isinstance(codes, dict) else codes or "error"
    return response


def storage_error_response(exc, context):
    if isinstance(exc, storage.StorageUnavailable):
        return Response(
            {"detail": "The storage backend is unavailable; try again later.", "code": "storage_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, storage.UniqueViolation | storage.ReferenceViolation):
        model = context["view"].get_queryset().model
        messages = [m for ms in as_validation_error(model, exc).message_dict.values() for m in ms]
        return Response({exc.field: messages}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, storage.VersionConflict):
        return Response(
            {
                "detail": f"The record changed: it is at version {exc.current}. Reload it and try again.",
                "code": "version_conflict",
                "version": exc.current,
            },
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": etag(exc.current)},
        )
    if isinstance(exc, storage.DependentsExist):
        return Response(
            {
                "detail": f"This record still has {exc.count} {exc.dependent_collection}; "
                "delete them first or ask for ?cascade=true.",
                "code": "dependents_exist",
                "count": exc.count,
                "dependent": exc.dependent_collection,
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, storage.UnparsableRecord):
        # The server's data is damaged: a 5xx (the client can't fix it), as JSON that says what to do.
        return Response(
            {"detail": str(exc), "code": "unparsable_record", "collection": exc.collection, "id": exc.record_id},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, storage.NotFound):
        return Response({"detail": "Not found.", "code": "not_found"}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, storage.AlreadyExists):
        return Response({"detail": str(exc), "code": "already_exists"}, status=status.HTTP_409_CONFLICT)
    return None  # a bug or a misconfiguration: Django's 500 handler (JSON under /api/) and its log


def _json_or(default, status_code, detail, code):
    def handler(request, *args, **kwargs):
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": detail, "code": code}, status=status_code)
        return default(request, *args, **kwargs)

    return handler


handler400 = _json_or(defaults.bad_request, 400, "Bad request.", "bad_request")
handler403 = _json_or(defaults.permission_denied, 403, "Permission denied.", "permission_denied")
handler404 = _json_or(defaults.page_not_found, 404, "Not found.", "not_found")
handler500 = _json_or(defaults.server_error, 500, "Internal server error.", "server_error")
