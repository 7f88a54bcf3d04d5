from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class StorageConfig(AppConfig):
    name = "storage"
    verbose_name = "Storage"

    def ready(self):
        from . import startup
        from .errors import ConfigurationError

        try:
            startup.announce()  # builds the backend: a setting it refuses stops the start here
        except ConfigurationError as exc:
            raise ImproperlyConfigured(str(exc)) from None
