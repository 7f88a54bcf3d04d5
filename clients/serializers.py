"""The Client API representation, generated from the model's field declarations."""

from rest_framework import serializers

from config.api.fields import string_list_field
from config.api.serializers import RecordSerializer

from .models import TAGS, Client

ORDERING = ("name", "-name", "created_at", "-created_at")


class ClientSerializer(RecordSerializer):
    # The model keeps tags in a JSONField; the API states its shape (and trims each tag).
    tags = string_list_field(TAGS, required=False)

    class Meta:
        model = Client
        fields = ["id", "name", "email", "phone", "notes", "tags", "is_active", "version", "created_at", "updated_at"]


class ClientQuery(serializers.Serializer):
    """Query parameters of GET /api/clients/."""

    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Case-insensitive text searched in name and email."
    )
    ordering = serializers.ChoiceField(choices=ORDERING, default="-created_at")
    is_active = serializers.BooleanField(required=False, help_text="Only active (true) or inactive (false) clients.")
