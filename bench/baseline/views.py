"""The baseline endpoints: plain DRF ModelViewSets (what a user would write), with an optional
cache-aside (django-redis): detail by id, list pages by query string under a generation number
that every write bumps. ETag = the version; a write with If-Match refuses another version (412),
as the project's API does. CeilingView is the framework's ceiling: token authentication and a
constant body, nothing else."""

import uuid

from django.conf import settings
from django.utils import timezone
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import BaselineClient, BaselineSession

CACHE_SECONDS = 300
CONSTANT = {"id": "client_constant", "name": "Constant", "version": 1}


class ClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = BaselineClient
        fields = ["id", "name", "email", "phone", "notes", "tags", "is_active", "version", "created_at", "updated_at"]
        read_only_fields = ["id", "version", "created_at", "updated_at"]


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = BaselineSession
        fields = ["id", "client", "title", "starts_at", "duration_minutes", "status", "location", "notes"]
        fields += ["version", "created_at", "updated_at"]
        read_only_fields = ["id", "version", "created_at", "updated_at"]


def cache():
    from django.core.cache import cache as default

    return default if settings.CACHE_URL else None


class CachedViewSet(viewsets.ModelViewSet):
    """Cache-aside when a cache is configured: details under `<name>:<pk>`, list pages under the
    collection's generation and the query string."""

    name = ""

    def retrieve(self, request, *args, **kwargs):
        store = cache()
        if store is None:
            instance = self.get_object()
            return Response(self.get_serializer(instance).data, headers={"ETag": f'"{instance.version}"'})
        key = f"{self.name}:{kwargs['pk']}"
        data = store.get(key)
        if data is None:
            data = self.get_serializer(self.get_object()).data
            store.set(key, data, CACHE_SECONDS)
        return Response(data, headers={"ETag": f'"{data["version"]}"'})

    def list(self, request, *args, **kwargs):
        store = cache()
        if store is None:
            return super().list(request, *args, **kwargs)
        generation = store.get_or_set(f"{self.name}:generation", 1, None)
        key = f"{self.name}:list:{generation}:{request.GET.urlencode()}"
        data = store.get(key)
        if data is None:
            data = super().list(request, *args, **kwargs).data
            store.set(key, data, CACHE_SECONDS)
        return Response(data)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        wanted = request.headers.get("If-Match")
        if wanted is not None and wanted.strip() not in ("*", f'"{instance.version}"'):
            return Response({"detail": "version mismatch"}, status=status.HTTP_412_PRECONDITION_FAILED)
        response = super().update(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    def perform_create(self, serializer):
        now = timezone.now()
        serializer.save(id=f"{self.name}_{uuid.uuid4().hex}", created_at=now, updated_at=now)
        self.invalidate()

    def perform_update(self, serializer):
        serializer.save(version=serializer.instance.version + 1, updated_at=timezone.now())
        self.invalidate(serializer.instance.pk)

    def perform_destroy(self, instance):
        pk = instance.pk
        instance.delete()
        self.invalidate(pk)

    def invalidate(self, pk=None):
        store = cache()
        if store is None:
            return
        if pk is not None:
            store.delete(f"{self.name}:{pk}")
        try:
            store.incr(f"{self.name}:generation")
        except ValueError:
            store.set(f"{self.name}:generation", 1, None)


class ClientViewSet(CachedViewSet):
    name = "client"
    queryset = BaselineClient.objects.all()
    serializer_class = ClientSerializer


class SessionViewSet(CachedViewSet):
    name = "session"
    queryset = BaselineSession.objects.all()
    serializer_class = SessionSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        client_id = self.request.query_params.get("client_id")
        return queryset.filter(client_id=client_id) if client_id else queryset


class CeilingView(APIView):
    """Token authentication (the REST_FRAMEWORK default) and a constant body: the framework's cost."""

    permission_classes = [permissions.IsAuthenticated]

    def get(self, request):
        return Response(CONSTANT)
