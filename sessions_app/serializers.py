"""The Session API representation, generated from the model's field declarations."""

from django.core.validators import RegexValidator
from rest_framework import serializers

from storage.keys import ID_PATTERN

from .models import Session

ORDERING = ("starts_at", "-starts_at", "created_at", "-created_at")
client_id_validator = RegexValidator(ID_PATTERN, "Enter a valid client id (1-64 letters, digits, '_' or '-').")


class SessionSerializer(serializers.ModelSerializer):
    # A plain string: the client's existence is checked atomically by the write script (400 on
    # client_id when it names no client), not by a query first.
    client_id = serializers.CharField(max_length=64, validators=[client_id_validator], help_text="The client's id.")

    class Meta:
        model = Session
        fields = [
            "id",
            "client_id",
            "title",
            "starts_at",
            "duration_minutes",
            "status",
            "location",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "created_at", "updated_at"]


class SessionQuery(serializers.Serializer):
    """Query parameters of GET /api/sessions/ (and of a client's sessions)."""

    client_id = serializers.CharField(required=False, max_length=64, validators=[client_id_validator])
    status = serializers.ChoiceField(choices=Session.Status.choices, required=False)
    starts_after = serializers.DateTimeField(required=False, help_text="Sessions starting at or after (ISO 8601).")
    starts_before = serializers.DateTimeField(required=False, help_text="Sessions starting before (ISO 8601).")
    ordering = serializers.ChoiceField(choices=ORDERING, default="starts_at")


class ClientSessionQuery(SessionQuery):
    client_id = None  # given by the path
