"""The base viewset of a storage-backed record type: list with validated query parameters,
create (201 + Location + ETag), retrieve (ETag, If-None-Match -> 304), update (If-Match -> 412),
destroy (If-Match, ?cascade=true when the record type allows it).

Reads cost: a detail GET is one backend round trip (the pk get of the model bridge); a list page
is one version round trip, then memory (StorageQuerySet over the collection cache).
"""

from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from storage.errors import VersionConflict

from .conditional import etag, not_modified, require_match
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

    # one record
    def collection_name(self):
        return self.get_queryset().model.Storage.collection

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        headers = {"ETag": etag(instance.version)}
        if not_modified(request, instance.version):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(self.get_serializer(instance).data, headers=headers)

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
