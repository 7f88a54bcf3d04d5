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


class StorageAppConfig(AppConfig):
    """The AppConfig of an app with storage models: every concrete StorageModel of the app is
    registered with the storage layer when the app is ready (no per-model call to forget)."""

    def ready(self):
        from .models import StorageModel, register_model

        for model in self.get_models():
            if issubclass(model, StorageModel):
                register_model(model)
