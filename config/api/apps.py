"""The API toolkit as a Django app, so that the signals revoking cached tokens are connected in
every process (web workers, management commands, the shell), not only where the API runs."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "config.api"
    label = "api_toolkit"

    def ready(self):
        from django.contrib.auth.models import Group, Permission, User
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from rest_framework.authtoken.models import Token

        from .authentication import bump, bump_on_change

        for model in (Token, User, Group, Permission):
            post_save.connect(bump_on_change, sender=model, dispatch_uid=f"token-cache-save-{model.__name__}")
            post_delete.connect(bump, sender=model, dispatch_uid=f"token-cache-delete-{model.__name__}")
        for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(bump, sender=through, dispatch_uid=f"token-cache-m2m-{through.__name__}")
