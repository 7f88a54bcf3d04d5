"""Sessions in the Django admin: every read and write goes through storage (StorageModelAdmin)."""

from django.contrib import admin

from clients.models import Client
from storage.admin import StorageModelAdmin
from storage.models import MappedValue

from .models import Session

LISTED_CLIENTS_MAX = 100


class ClientFilter(admin.SimpleListFilter):
    """Filter by client without a 100,000-entry sidebar: every client is listed only when there are
    few; otherwise the one chosen (from a client's page, "View the sessions of this client")."""

    title = "client"
    parameter_name = "client__id__exact"

    def lookups(self, request, model_admin):
        names = Client.objects.value_map("name")  # in memory after one round trip
        choices = []
        if len(names) <= LISTED_CLIENTS_MAX:
            choices = sorted(names.items(), key=lambda item: ((item[1] or "").casefold(), item[0]))
        chosen = self.value()
        if chosen and chosen not in dict(choices):
            # Always shown when chosen (an unlisted filter would be silently dropped by the ChangeList).
            choices.append((chosen, names.get(chosen, f"{chosen} (no such client)")))
        return choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(client=self.value())
        return queryset


@admin.register(Session)
class SessionAdmin(StorageModelAdmin):
    list_display = ("title", "client_name", "starts_at", "duration_minutes", "status")
    list_filter = ("status", ClientFilter)
    search_fields = ("title",)
    autocomplete_fields = ("client",)
    ordering = ("-starts_at",)

    def get_queryset(self, request):
        # Client names from the in-memory client cache (one round trip), not one get per row.
        names = MappedValue("client", lambda: Client.objects.value_map("name"), default="")
        return super().get_queryset(request).annotate(client_name=names)

    @admin.display(description="client", ordering="client_name")
    def client_name(self, obj):
        return getattr(obj, "client_name", "")
