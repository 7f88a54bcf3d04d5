"""The Session API representation, generated from the model's field declarations."""

from rest_framework import serializers

from config.api.fields import reference_field
from config.api.serializers import RecordSerializer

from .models import Session

ORDERING = ("starts_at", "-starts_at", "created_at", "-created_at")


class SessionSerializer(RecordSerializer):
    # 400 on client_id when it names no client: checked by the write script.
    client_id = reference_field("client", help_text="The client's id.")

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


class SessionQuery(serializers.Serializer):
    """Query parameters of GET /api/sessions/ (and of a client's sessions)."""

    client_id = reference_field("client", required=False)
    status = serializers.ChoiceField(choices=Session.Status.choices, required=False)
    starts_after = serializers.DateTimeField(required=False, help_text="Sessions starting at or after (ISO 8601).")
    starts_before = serializers.DateTimeField(required=False, help_text="Sessions starting before (ISO 8601).")
    ordering = serializers.ChoiceField(choices=ORDERING, default="starts_at")


class ClientSessionQuery(SessionQuery):
    client_id = None  # given by the path
