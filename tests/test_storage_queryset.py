"""The model bridge's QuerySet (storage/models/): filters, ordering, slices, unsupported methods."""

import pytest
from django.db.models import Q

from clients.models import Client
from storage.models import StorageQuerySet
from tests.conftest import make_backend


@pytest.fixture
def people(prefix, tmp_path, use_store):
    store = use_store(make_backend("fakeredis", prefix))
    collection = store.collection("clients")
    for name, email, active in [("Alice", "alice@x.org", True), ("bob", "BOB@y.org", False), ("Carol", "", True)]:
        collection.create({"name": name, "email": email, "phone": "", "notes": "", "tags": [], "is_active": active})
    return store


def names(queryset):
    return [c.name for c in queryset]


def test_q_trees_are_evaluated_like_sql(people):
    qs = Client.objects.order_by("name")
    assert names(qs.filter(Q(name__icontains="AL") | Q(email__icontains="y.org"))) == ["Alice", "bob"]
    assert names(qs.filter(~Q(is_active=True))) == ["bob"]
    assert names(qs.exclude(name__in=["Alice", "Carol"])) == ["bob"]
    assert names(qs.filter(Q(is_active=True) & Q(email=""))) == ["Carol"]
    assert names(qs.filter(name__istartswith="C", is_active=True)) == ["Carol"]
    assert names(qs.filter(Q(name="Nobody") | (Q(is_active=False) & Q(name__contains="o")))) == ["bob"]
    assert names(Client.objects.order_by("-name")) == ["Carol", "bob", "Alice"]
    assert names(Client.objects.order_by("-created_at")) == ["Carol", "bob", "Alice"]
    assert names(Client.objects.order_by("created_at")) == ["Alice", "bob", "Carol"]
    assert names(Client.objects.filter(is_active=True).order_by("-created_at")) == ["Carol", "Alice"]
    assert names(qs.filter(email__icontains="BOB@")) == ["bob"]
    assert names(qs.filter(email__icontains="")) == ["Alice", "bob", "Carol"]
    assert names(Client.objects.all()) == ["Alice", "bob", "Carol"]  # no order_by: creation order


def test_count_then_a_slice_is_one_evaluation_and_one_round_trip(people, monkeypatch):
    backend = people.backend
    Client.storage().all()  # the cache is loaded: from now on a list costs one version round trip
    calls = []
    original = backend.changes_since
    monkeypatch.setattr(backend, "changes_since", lambda *a: calls.append("check") or original(*a))
    qs = Client.objects.filter(is_active=True).order_by("name")
    assert qs.count() == 2
    assert names(qs[1:5]) == ["Carol"]
    assert names(qs[0:1]) == ["Alice"]
    assert calls == ["check"]
    assert Client.objects.all().count() == 3 and calls == ["check", "check"]  # a new queryset re-checks


def test_unsupported_methods_raise_but_hasattr_answers_false(people):
    qs = Client.objects.all()
    assert isinstance(qs, StorageQuerySet)
    assert not hasattr(qs, "mapping")  # DRF's router probes attributes like this
    with pytest.raises(NotImplementedError, match="not supported"):
        qs.aggregate()
