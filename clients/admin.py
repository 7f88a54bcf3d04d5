"""Clients in the Django admin: every read and write goes through storage (StorageModelAdmin)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from sessions_app.models import Session
from storage.admin import StorageModelAdmin
from storage.models import MappedValue

from .models import Client


@admin.register(Client)
class ClientAdmin(StorageModelAdmin):
    list_display = ("name", "email", "phone", "is_active", "sessions_count", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name", "email")  # also what the session form's client autocomplete searches
    ordering = ("name",)

    def get_queryset(self, request):
        # Sessions per client: one pass over the sessions in memory (memoised), not one query per row.
        counts = MappedValue("id", lambda: Session.objects.counts_by("client"), default=0)
        return super().get_queryset(request).annotate(sessions_count=counts)

    @admin.display(description="sessions", ordering="sessions_count")
    def sessions_count(self, obj):
        return getattr(obj, "sessions_count", None)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "sessions") if obj is not None else readonly

    @admin.display(description="sessions")
    def sessions(self, obj):
        count = len(Session.storage().ids_by("client_id", obj.pk))  # the reference index: one round trip
        url = reverse("admin:sessions_app_session_changelist")
        return format_html(
            '<a href="{}?client__id__exact={}">View the {} session(s) of this client</a>', url, obj.pk, count
        )
