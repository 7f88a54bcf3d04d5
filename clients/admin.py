"""Clients in the Django admin: every read and write goes through storage (StorageModelAdmin)."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.urls import reverse

from storage.admin import StorageModelAdmin, StringListField
from storage.models import MappedValue

from .models import TAGS, Client


def sessions_relation():
    """The sessions' foreign key to clients, found from the client side (Client.sessions): the
    clients app does not import the sessions app that depends on it."""
    return next(r for r in Client._meta.related_objects if r.get_accessor_name() == "sessions")


@admin.register(Client)
class ClientAdmin(StorageModelAdmin):
    list_display = ("name", "email", "phone", "is_active", "sessions_count", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name", "email")  # also what the session form's client autocomplete searches
    ordering = ("name",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":  # comma-separated words in the form, a list in storage and the API
            return StringListField(TAGS, label="Tags")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        # Sessions per client: one pass over the sessions in memory (memoised), not one query per row.
        field = sessions_relation().field
        counts = MappedValue("id", lambda: field.model.objects.counts_by(field.name), default=0)
        return super().get_queryset(request).annotate(sessions_count=counts)

    @admin.display(description="sessions", ordering="sessions_count")
    def sessions_count(self, obj):
        return getattr(obj, "sessions_count", None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Adds the link to the client's sessions (filtered change list) to the page's tools."""
        client_id = unquote(object_id)
        field = sessions_relation().field
        meta = field.model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        context = {
            **(extra_context or {}),
            "sessions_url": f"{url}?{urlencode({f'{field.name}__id__exact': client_id})}",
            # The reference index: one round trip, not a scan of every session.
            "sessions_count": len(field.model.storage().ids_by(field.attname, client_id)),
        }
        return super().change_view(request, object_id, form_url, context)
