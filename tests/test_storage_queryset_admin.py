"""What the model bridge gives the admin: query-string filter values, the `query` attribute the
ChangeList reads, in-memory annotations, one-pass counts and maps, in_bulk / pk__in from memory."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from clients.models import Client
from sessions_app.models import Session
from storage.models import MappedValue, StorageQuerySet
from tests.conftest import make_backend
from tests.test_storage_contract import CountingBackend


@pytest.fixture
def backend(prefix, use_store):
    counting = CountingBackend(make_backend("fakeredis", prefix))
    use_store(counting)
    return counting


def make_client(name, **extra):
    return Client.objects.create(name=name, **extra)


def make_session(client, title, **extra):
    extra.setdefault("starts_at", datetime(2026, 12, 1, 10, tzinfo=UTC))
    return Session.objects.create(client_id=client.pk, title=title, **extra)


@pytest.fixture
def people(backend):
    ann = make_client("Ann", email="ann@example.com", is_active=True)
    bob = make_client("Bob", email="bob@example.com", is_active=False)
    cyd = make_client("Cyd", is_active=True)
    make_session(ann, "A1", duration_minutes=30)
    make_session(ann, "A2", duration_minutes=90)
    make_session(bob, "B1", duration_minutes=120)
    return ann, bob, cyd


def names(queryset):
    return [obj.name for obj in queryset]


def test_filter_values_from_a_query_string_are_converted_to_the_field_type(people):
    assert names(Client.objects.filter(is_active__exact="0")) == ["Bob"]
    assert names(Client.objects.filter(is_active="1").order_by("name")) == ["Ann", "Cyd"]
    assert sorted(s.title for s in Session.objects.filter(duration_minutes__gte="90")) == ["A2", "B1"]
    assert [s.title for s in Session.objects.filter(duration_minutes__in=["30", "120"]).order_by("title")] == [
        "A1",
        "B1",
    ]


def test_a_filter_value_of_the_wrong_type_is_a_validation_error(people):
    with pytest.raises(ValidationError):
        Client.objects.filter(is_active="maybe")
    with pytest.raises(ValidationError):
        Session.objects.filter(duration_minutes="many")


def test_isnull_accepts_query_string_values(people):
    assert Client.objects.filter(email__isnull="0").count() == 3  # '' is stored, not null
    assert Client.objects.filter(email__isnull="1").count() == 0


def test_empty_q_is_no_condition_and_keeps_the_single_get(backend, people):
    ann = people[0]
    backend.calls.clear()
    assert Client.objects.complex_filter({}).filter(Q()).get(pk=ann.pk).name == "Ann"
    assert [c[0] for c in backend.calls] == ["get"]


def test_query_attribute_shows_ordering_and_no_select_related(people):
    query = Client.objects.order_by("name", "-pk").query
    assert query.order_by == ("name", "-pk")
    assert query.select_related is False


def test_get_through_a_nested_q_is_one_round_trip(backend, people):
    ann = people[0]
    backend.calls.clear()
    assert Client.objects.get(Q(Q(id=ann.pk))).name == "Ann"
    assert [c[0] for c in backend.calls] == ["get"]


def test_related_object_access_is_one_get(backend, people):
    session = Session.objects.filter(title="B1").first()
    backend.calls.clear()
    assert session.client.name == "Bob"
    assert [c[0] for c in backend.calls] == ["get"]


def test_counts_by_counts_in_one_pass(people):
    ann, bob, cyd = people
    counts = Session.objects.counts_by("client")
    assert counts == {ann.pk: 2, bob.pk: 1}
    assert Session.objects.filter(duration_minutes__gt=60).counts_by("client") == {ann.pk: 1, bob.pk: 1}


def test_counts_and_maps_are_memoised_until_the_collection_changes(people):
    ann = people[0]
    first = Session.objects.counts_by("client")
    assert Session.objects.counts_by("client") is first  # same snapshot: not recomputed
    make_session(ann, "A3")
    assert Session.objects.counts_by("client")[ann.pk] == 3


def test_value_map_gives_each_records_field(people):
    ann, bob, cyd = people
    assert Client.objects.value_map("name") == {ann.pk: "Ann", bob.pk: "Bob", cyd.pk: "Cyd"}
    Client.objects.get(pk=cyd.pk).delete()
    assert Client.objects.value_map("name") == {ann.pk: "Ann", bob.pk: "Bob"}


def test_mapped_value_annotates_listed_instances_and_sorts(people):
    ann, bob, cyd = people
    qs = Client.objects.annotate(
        n=MappedValue("id", lambda: Session.objects.counts_by("client"), default=0),
    )
    assert {c.name: c.n for c in qs} == {"Ann": 2, "Bob": 1, "Cyd": 0}
    assert names(qs.order_by("-n")) == ["Ann", "Bob", "Cyd"]
    assert names(qs.order_by("n")[:2]) == ["Cyd", "Bob"]


def test_sorting_by_a_mapped_value_follows_changes(people):
    ann, bob, cyd = people
    qs = Session.objects.annotate(client_name=MappedValue("client", lambda: Client.objects.value_map("name")))
    assert [s.title for s in qs.order_by("client_name", "title")] == ["A1", "A2", "B1"]
    bob.name = "Aaron"
    bob.save()
    assert [s.title for s in qs.order_by("client_name", "title")] == ["B1", "A1", "A2"]
    assert [s.client_name for s in qs.order_by("client_name", "title")] == ["Aaron", "Ann", "Ann"]


def test_annotate_only_takes_mapped_values(people):
    with pytest.raises(NotImplementedError):
        Client.objects.annotate(n=1)
    with pytest.raises(NotImplementedError):
        Client.objects.annotate(n=MappedValue("nope", dict))


def test_ordering_memo_sees_new_records(people):
    assert names(Client.objects.order_by("name")) == ["Ann", "Bob", "Cyd"]
    make_client("Abe")
    assert names(Client.objects.order_by("name")) == ["Abe", "Ann", "Bob", "Cyd"]


def test_in_bulk_and_pk_in_are_served_from_memory(backend, people):
    ann, bob, cyd = people
    Client.objects.count()  # warm the cache
    backend.calls.clear()
    found = Client.objects.in_bulk([ann.pk, cyd.pk, "client_missing", "bad id!"])
    assert sorted(found) == sorted([ann.pk, cyd.pk])
    assert "get" not in [c[0] for c in backend.calls]
    assert names(Client.objects.filter(pk__in=[cyd.pk, ann.pk], is_active=True)) == ["Ann", "Cyd"]
    assert names(Client.objects.filter(pk__in=[cyd.pk, bob.pk]).exclude(name="Cyd")) == ["Bob"]
    assert Client.objects.in_bulk([]) == {}
    with pytest.raises(NotImplementedError):
        Client.objects.in_bulk([ann.pk], field_name="email")


def test_unfiltered_count_needs_no_sort(people):
    assert Client.objects.order_by("name").count() == 3
    assert Client.objects.order_by("name")[1:].count() == 2


def test_unsupported_methods_still_raise_not_implemented(people):
    with pytest.raises(NotImplementedError):
        Client.objects.all().aggregate()
    assert isinstance(Client.objects.all(), StorageQuerySet)


def test_case_insensitive_lookups(people):
    assert names(Client.objects.filter(name__iexact="ANN")) == ["Ann"]
    assert names(Client.objects.filter(name__istartswith="b")) == ["Bob"]
    assert names(Client.objects.filter(email__icontains="EXAMPLE.com").order_by("name")) == ["Ann", "Bob"]
    assert names(Client.objects.filter(Q(name__icontains="y") | Q(email__icontains="BOB")).order_by("name")) == [
        "Bob",
        "Cyd",
    ]
    assert names(Client.objects.exclude(name__icontains="n").order_by("name")) == ["Bob", "Cyd"]


def test_memoised_filter_results_follow_writes(people):
    query = Client.objects.filter(name__icontains="a")
    assert query.count() == 1 and names(query) == ["Ann"]
    make_client("Zara")
    again = Client.objects.filter(name__icontains="a").order_by("name")
    assert again.count() == 2 and names(again) == ["Ann", "Zara"]


def test_counts_and_maps_of_one_collection_are_kept_apart(people):
    ann, bob, cyd = people
    assert Client.objects.value_map("name") == {ann.pk: "Ann", bob.pk: "Bob", cyd.pk: "Cyd"}
    assert Client.objects.counts_by("is_active") == {True: 2, False: 1}
    assert Client.objects.value_map("email")[ann.pk] == "ann@example.com"


def test_values_are_not_derived_from_a_sliced_query(people):
    with pytest.raises(TypeError, match=r"^Cannot derive values from a sliced query\.$"):
        Client.objects.all()[:2].counts_by("is_active")
