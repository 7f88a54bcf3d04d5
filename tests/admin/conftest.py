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


# --- the browser tests (test_admin_browser*.py): Debian's headless Chromium, tests/admin/browser.py ---


@pytest.fixture(scope="module")
def driver():
    from .browser import start_driver

    browser = start_driver()
    yield browser
    browser.quit()


@pytest.fixture(autouse=True)
def screenshot_on_failure(request):
    """After a failed test that used the browser: the page as it was, kept as a test artifact."""
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and "driver" in request.fixturenames:
        from .browser import SHOTS

        browser = request.getfixturevalue("driver")
        SHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SHOTS / f"failed-{request.node.name}.png"))


@pytest.fixture
def site(driver, live_server, redis_store, transactional_db, settings):
    """A live server on real Redis, and the browser logged in as a superuser through the login form."""
    from .browser import log_in

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain http on localhost
    User.objects.create_superuser("boss", password="pw-boss-1234")
    return log_in(driver, live_server.url)
