from storage.apps import StorageAppConfig


class SessionsAppConfig(StorageAppConfig):
    name = "sessions_app"
    label = "sessions_app"
    verbose_name = "Sessions"
