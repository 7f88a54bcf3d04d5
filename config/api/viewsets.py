"""The base viewset of a storage-backed record type: list with validated query parameters
(ETag, If-None-Match -> 304), create (201 + Location + ETag), retrieve (ETag, If-None-Match -> 304),
update (If-Match -> 412), destroy (If-Match, ?cascade=true when the record type allows it).

Reads cost: a detail GET is one backend round trip (the pk get of the model bridge); a list page
is one version round trip, then memory (StorageQuerySet over the collection cache). What they read
decides the rest: a 304 is answered before anything is serialised, and JSON already rendered for
the same record version, or the same collection version and query, is sent again as it was
(render_cache.py).
"""

from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from storage.errors import VersionConflict

from . import render_cache
from .conditional import etag, list_etag, normalised_query, not_modified, require_match
from .schema import DeleteQuery, RecordSchema

UPDATE_ATTEMPTS = 3  # without If-Match, a write that lost a race is re-applied on the fresh record


class RecordViewSet(viewsets.ModelViewSet):
    lookup_value_regex = "[^/]+"  # any id reaches the view; impossible ids are 404 without a round trip
    query_serializer_class = None  # validates the list's query parameters (400 on bad values)
    cascade_delete = False  # ?cascade=true on DELETE
    schema = RecordSchema()

    def get_queryset(self):
        # A fresh StorageQuerySet per request: DRF only re-clones Django QuerySets, and an evaluated
        # StorageQuerySet keeps its results.
        return self.queryset.all()

    # list
    def query_params(self):
        """The list's query parameters, validated by query_serializer_class (400 otherwise, with the
        pagination's errors in the same answer)."""
        query = self.query_serializer_class and self.query_serializer_class(data=self.request.query_params.dict())
        errors = dict(query.errors) if query and not query.is_valid() else {}
        # the page's limit / offset are checked now too, so that every bad parameter is in one 400
        errors.update(getattr(self.paginator, "page_query_errors", lambda request: {})(self.request))
        if errors:
            raise ValidationError(errors)
        return query.validated_data if query else {}

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return self.filter_records(queryset, self.query_params())

    def filter_records(self, queryset, params):
        """Subclasses: narrow and order `queryset` (a StorageQuerySet) by the validated params."""
        return queryset

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)  # evaluates: the version round trip
        query = normalised_query(request)
        tag = list_etag(queryset.version_seen(), query, request.accepted_media_type)
        headers = {"ETag": tag}
        if not_modified(request, tag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        media_type = render_cache.cacheable(request)
        key = None
        if media_type is not None:
            # The links (next / previous) are absolute: the host and scheme are part of the bytes.
            version = (self.storage(), queryset.version_seen())
            key = ("list", type(self), version, query, request.get_host(), request.scheme, media_type)
            hit = render_cache.cached_response(key, headers=headers)
            if hit is not None:
                return hit
        if page is None:  # a subclass without pagination: the whole list
            response = Response(self.get_serializer(queryset, many=True).data)
        else:
            response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        response["ETag"] = tag
        return render_cache.keep_when_rendered(response, key) if key else response

    # one record
    def collection_name(self):
        return self.get_queryset().model.Storage.collection

    def storage(self):
        """This process's Collection object: part of the render-cache keys, since versions count
        per store (a test, or a process whose store was replaced, starts from a new count)."""
        return self.get_queryset().model.storage()

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        headers = {"ETag": etag(instance.version)}
        if not_modified(request, headers["ETag"]):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        media_type = render_cache.cacheable(request)
        if media_type is None:
            return Response(self.get_serializer(instance).data, headers=headers)
        version = (self.storage(), instance.version, instance.updated_at)
        key = ("detail", type(self), instance.pk, version, media_type)
        hit = render_cache.cached_response(key, headers=headers)
        if hit is not None:
            return hit
        return render_cache.keep_when_rendered(Response(self.get_serializer(instance).data, headers=headers), key)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = serializer.save()
        headers = {"ETag": etag(instance.version), "Location": self.reverse_action("detail", args=[instance.pk])}
        return Response(serializer.data, status=status.HTTP_201_CREATED, headers=headers)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        expected = require_match(request, self.collection_name(), instance.pk, instance.version)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        for attempt in range(1, UPDATE_ATTEMPTS + 1):
            try:
                instance = serializer.save()  # refuses a version other than the one read, atomically
                break
            except VersionConflict:
                if expected is not None or attempt == UPDATE_ATTEMPTS:
                    raise
                serializer.instance = self.get_object()
        return Response(serializer.data, headers={"ETag": etag(instance.version)})

    def destroy(self, request, *args, **kwargs):
        cascade = False
        if self.cascade_delete:
            query = DeleteQuery(data=request.query_params.dict())
            query.is_valid(raise_exception=True)
            cascade = query.validated_data["cascade"]
        instance = self.get_object()
        expected = require_match(request, self.collection_name(), instance.pk, instance.version)
        instance.delete(cascade=cascade, check_version=expected is not None)
        return Response(status=status.HTTP_204_NO_CONTENT)
