from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self):
        from storage.models import register_model

        from .models import Client

        register_model(Client)
