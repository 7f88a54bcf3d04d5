"""The Client API representation, generated from the model's field declarations."""

from rest_framework import serializers

from .models import MAX_TAG_LENGTH, MAX_TAGS, Client, validate_tags

ORDERING = ("name", "-name", "created_at", "-created_at")


class TagField(serializers.CharField):
    """A tag is a string (DRF's CharField would turn 1 into "1"), trimmed, 1 to 50 characters."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ClientSerializer(serializers.ModelSerializer):
    # The model keeps tags in a JSONField; the API states its shape (and trims each tag).
    tags = serializers.ListField(
        child=TagField(min_length=1, max_length=MAX_TAG_LENGTH),
        max_length=MAX_TAGS,
        required=False,
        validators=[validate_tags],
        help_text=f"At most {MAX_TAGS} tags of 1 to {MAX_TAG_LENGTH} characters.",
    )

    class Meta:
        model = Client
        fields = ["id", "name", "email", "phone", "notes", "tags", "is_active", "version", "created_at", "updated_at"]
        read_only_fields = ["id", "version", "created_at", "updated_at"]


class ClientQuery(serializers.Serializer):
    """Query parameters of GET /api/clients/."""

    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Case-insensitive text searched in name and email."
    )
    ordering = serializers.ChoiceField(choices=ORDERING, default="-created_at")
    is_active = serializers.BooleanField(required=False, help_text="Only active (true) or inactive (false) clients.")
