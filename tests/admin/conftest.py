"""Fixtures of the admin tests: real Redis (redis_store), staff users with chosen permissions."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission, User

from clients.models import Client
from sessions_app.models import Session


@pytest.fixture
def rstore(redis_store, db):
    """Real Redis for the records, the test database for users and LogEntry."""
    return redis_store


@pytest.fixture
def staff(rstore, client):
    """staff("view_client", "add_session", ...) -> the test client, logged in as such a user."""

    def login(*codenames, superuser=False):
        user = User.objects.create_user(
            f"user{User.objects.count()}", password="pw", is_staff=True, is_superuser=superuser
        )
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        client.force_login(user)
        client.user = user
        return client

    return login


@pytest.fixture
def superuser(staff):
    return staff(superuser=True)


def make_client(name="Jeanne Dupont", **extra):
    return Client.objects.create(name=name, **extra)


def make_session(client, title="Intro", **extra):
    extra.setdefault("starts_at", datetime(2026, 12, 1, 10, tzinfo=UTC))
    return Session.objects.create(client_id=client.pk, title=title, **extra)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item (rep_call...), so that a fixture can tell after
    the test whether it failed (the browser tests keep a screenshot of a failure)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
