"""Model instances built from stored records (StorageModel.from_record): a list page builds fifty,
so the converted values of an unchanged record are reused; each instance is still its own."""

from django.db.models.signals import post_init

from clients.models import Client


def test_instances_of_one_stored_record_do_not_share_their_lists(redis_store):
    Client(name="Ann", email="ann@example.org", tags=["vip"]).save()
    first, second = Client.objects.all()[0], Client.objects.all()[0]
    assert first is not second and first == second
    first.tags.append("gold")
    first.name = "Changed"
    assert (second.tags, second.name) == (["vip"], "Ann")
    assert Client.objects.all()[0].tags == ["vip"]


def test_a_changed_record_gives_instances_with_its_new_values(redis_store):
    ann = Client(name="Ann", email="ann@example.org", tags=["vip"])
    ann.save()
    assert Client.objects.get(pk=ann.pk).tags == ["vip"]
    ann.name, ann.tags = "Ann B.", ["gold"]
    ann.save()
    fresh = Client.objects.get(pk=ann.pk)
    assert (fresh.name, fresh.tags, fresh.version) == ("Ann B.", ["gold"], 2)
    assert fresh.updated_at >= fresh.created_at and not fresh._state.adding


def test_instances_from_a_plain_dict_are_never_reused(redis_store):
    record = {"id": "client_x1", "name": "Ann", "email": "a@example.org", "version": 1}
    assert Client.from_record(record).name == "Ann"
    record["name"] = "Bea"  # the same dict object, changed
    assert Client.from_record(record).name == "Bea"


def test_a_post_init_receiver_still_sees_every_instance(redis_store):
    Client(name="Ann", email="ann@example.org").save()
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.name)

    post_init.connect(receiver, sender=Client)
    try:
        Client.objects.all()[0]
        Client.objects.all()[0]
    finally:
        post_init.disconnect(receiver, sender=Client)
    assert seen == ["Ann", "Ann"]
