"""Record serializers build their fields once per class; each instance gets its own copies."""

from clients.serializers import ClientSerializer
from sessions_app.serializers import SessionSerializer


def test_fields_are_built_once_per_class_and_never_shared(monkeypatch):
    ClientSerializer().fields  # noqa: B018 - builds the class's fields
    built = []
    original = ClientSerializer.build_field
    monkeypatch.setattr(ClientSerializer, "build_field", lambda self, *a: built.append(a) or original(self, *a))
    one, two = ClientSerializer(), ClientSerializer()
    assert built == []  # no introspection for later instances
    assert one.fields["name"] is not two.fields["name"]
    assert one.fields["name"].parent is one and two.fields["name"].parent is two
    assert one.fields["tags"].child is not two.fields["tags"].child
    assert one.fields["tags"].child.parent is one.fields["tags"]
    assert set(SessionSerializer().fields) != set(one.fields)  # a class of its own


def test_copied_fields_validate_each_instance_with_its_own_context():
    class JsonRequest:
        content_type = "application/json"

    strict = ClientSerializer(data={"name": 0}, context={"request": JsonRequest()})
    assert not strict.is_valid() and "name" in strict.errors
    form = ClientSerializer(data={"name": "Jeanne", "tags": ["a"]})
    assert form.is_valid(), form.errors
