from storage.apps import StorageAppConfig


class ClientsConfig(StorageAppConfig):
    name = "clients"
    verbose_name = "Clients"
