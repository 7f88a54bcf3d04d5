"""StorageModelForm: the storage write as the form's last validation step (fakeredis)."""

from datetime import UTC, datetime

import pytest
from django.forms import modelform_factory

from clients.models import Client
from sessions_app.models import Session
from storage.admin.forms import VERSION_FIELD, StorageModelForm
from storage.errors import StorageUnavailable
from storage.store import get_store
from tests.conftest import make_backend

ClientForm = modelform_factory(Client, form=StorageModelForm, fields=["name", "email", "phone", "is_active"])
SessionForm = modelform_factory(Session, form=StorageModelForm, fields=["client", "title", "starts_at"])


@pytest.fixture
def fake(prefix, use_store):
    return use_store(make_backend("fakeredis", prefix))


def test_a_valid_form_is_written_once(fake):
    form = ClientForm({"name": "Ann", "email": "ann@example.com", "is_active": "on"})
    assert form.is_valid() and form.written
    saved = form.save()
    assert saved.pk and Client.objects.get(pk=saved.pk).version == 1  # save() did not write again


def test_duplicate_email_is_an_email_error(fake):
    Client.objects.create(name="Ann", email="ann@example.com")
    form = ClientForm({"name": "Other", "email": "ANN@example.com"})
    assert not form.is_valid()
    assert list(form.errors) == ["email"] and not form.written
    with pytest.raises(ValueError):
        form.save()


def test_a_client_deleted_before_the_write_is_a_client_error(fake):
    ann = Client.objects.create(name="Ann")
    form = SessionForm({"client": ann.pk, "title": "Intro", "starts_at": "2026-12-01 10:00"})
    form.fields["client"].to_python = lambda value: Client(id=value)  # validated before the delete
    ann.delete()
    assert not form.is_valid()
    assert "does not exist" in form.errors["client"][0]
    assert Session.objects.count() == 0


def test_a_change_form_carries_its_version_and_refuses_a_stale_one(fake):
    ann = Client.objects.create(name="Ann", phone="1")
    assert ClientForm(instance=ann).initial[VERSION_FIELD] == 1
    other = Client.objects.get(pk=ann.pk)
    other.phone = "theirs"
    other.save()
    form = ClientForm({"name": "Ann", "phone": "mine", VERSION_FIELD: "1"}, instance=Client.objects.get(pk=ann.pk))
    assert not form.is_valid() and form.version_conflict
    assert "changed by someone else" in form.non_field_errors()[0]
    assert not form.is_bound  # renders the current values...
    assert form["phone"].value() == "theirs" and form[VERSION_FIELD].value() == 2
    assert Client.objects.get(pk=ann.pk).phone == "theirs"  # ...and nothing was overwritten


def test_a_change_form_without_its_version_is_refused(fake):
    ann = Client.objects.create(name="Ann")
    form = ClientForm({"name": "Ann B"}, instance=ann)
    assert not form.is_valid() and "which version" in form.non_field_errors()[0]
    assert Client.objects.get(pk=ann.pk).name == "Ann"


def test_storage_unavailable_keeps_what_was_typed(fake, monkeypatch):
    def down(write):
        raise StorageUnavailable("connection refused")

    monkeypatch.setattr(get_store().backend, "write", down)
    form = ClientForm({"name": "Typed", "email": "typed@example.com"})
    assert not form.is_valid() and form.storage_unavailable
    assert "nothing was saved" in form.non_field_errors()[0]
    assert form.is_bound and form["name"].value() == "Typed"


def test_model_validation_runs_before_any_write(fake, monkeypatch):
    writes = []
    monkeypatch.setattr(get_store().backend, "write", writes.append)
    form = SessionForm({"client": "client_nope", "title": " ", "starts_at": datetime(2026, 1, 1, tzinfo=UTC)})
    assert not form.is_valid()
    assert set(form.errors) == {"client", "title"} and writes == []
