"""A test-only URL configuration: the project's routes plus one view that fails with a 500
(tests/api/test_secrets.py forces every error path, this one included)."""

from django.conf import settings
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    key = settings.SECRET_KEY  # a local holding a secret, as a real bug's frame might
    raise RuntimeError(f"test-only failure ({len(key)}-character key in scope)")


urlpatterns = [path("api/boom/", boom), *urlpatterns]
