"""Fixtures of the REST API tests: real Redis (redis_store), users with given permissions, and
Django test clients authenticated as them."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient

ALL_PERMS = [f"{action}_{model}" for model in ("client", "session") for action in ("view", "add", "change", "delete")]


@pytest.fixture
def cluster_store(redis_cluster, prefix, use_store):
    """A Store on the 3-master Redis Cluster (mode found by itself)."""
    from storage.backends.redis import RedisBackend

    return use_store(RedisBackend(redis_cluster.url, prefix))


@pytest.fixture(params=["redis", "rest", "cluster"])
def api_store(request):
    """The API on a real Redis: directly, through the Vercel KV / Upstash REST protocol, and on a
    Redis Cluster (a fresh key prefix per test)."""
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def make_user(db, django_user_model):
    def make(username, perms=(), superuser=False):
        user = django_user_model.objects.create_user(username, password="pw-" + username, is_superuser=superuser)
        if perms:
            user.user_permissions.set(Permission.objects.filter(codename__in=perms))
        return user

    return make


@pytest.fixture
def as_user():
    def login(user):
        http = HttpClient()
        http.force_login(user)
        return http

    return login


@pytest.fixture
def api(api_store, make_user, as_user):
    """A test client logged in as a user holding the four permissions on both record types."""
    return as_user(make_user("editor", ALL_PERMS))


@pytest.fixture
def serialised(monkeypatch):
    """The ids of the client records serialised (none when a response comes from the render cache)."""
    from clients.serializers import ClientSerializer

    calls = []
    original = ClientSerializer.to_representation

    def counting(self, instance):
        calls.append(instance.pk)
        return original(self, instance)

    monkeypatch.setattr(ClientSerializer, "to_representation", counting)
    return calls
