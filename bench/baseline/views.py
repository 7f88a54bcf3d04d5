"""The baseline endpoints: a plain DRF ModelViewSet (what a user would write), with an optional
cache-aside (django-redis): detail by id, list pages by query string under a generation number
that every write bumps."""

import uuid

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from .models import BaselineClient

CACHE_SECONDS = 300


class ClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = BaselineClient
        fields = ["id", "name", "email", "phone", "notes", "tags", "is_active", "version", "created_at", "updated_at"]
        read_only_fields = ["id", "version", "created_at", "updated_at"]


class ClientViewSet(viewsets.ModelViewSet):
    queryset = BaselineClient.objects.all()
    serializer_class = ClientSerializer

    def perform_create(self, serializer):
        now = timezone.now()
        serializer.save(id=f"client_{uuid.uuid4().hex}", created_at=now, updated_at=now)
        self.invalidate()

    def perform_update(self, serializer):
        serializer.save(version=serializer.instance.version + 1, updated_at=timezone.now())
        self.invalidate(serializer.instance.pk)

    def perform_destroy(self, instance):
        pk = instance.pk
        instance.delete()
        self.invalidate(pk)

    # cache-aside, when a cache is configured
    def retrieve(self, request, *args, **kwargs):
        if not settings.CACHE_URL:
            return super().retrieve(request, *args, **kwargs)
        from django.core.cache import cache

        key = f"client:{kwargs['pk']}"
        data = cache.get(key)
        if data is None:
            data = self.get_serializer(self.get_object()).data
            cache.set(key, data, CACHE_SECONDS)
        return Response(data)

    def list(self, request, *args, **kwargs):
        if not settings.CACHE_URL:
            return super().list(request, *args, **kwargs)
        from django.core.cache import cache

        generation = cache.get_or_set("clients:generation", 1, None)
        key = f"clients:list:{generation}:{request.GET.urlencode()}"
        data = cache.get(key)
        if data is None:
            data = super().list(request, *args, **kwargs).data
            cache.set(key, data, CACHE_SECONDS)
        return Response(data)

    def invalidate(self, pk=None):
        if not settings.CACHE_URL:
            return
        from django.core.cache import cache

        if pk is not None:
            cache.delete(f"client:{pk}")
        try:
            cache.incr("clients:generation")
        except ValueError:
            cache.set("clients:generation", 1, None)
