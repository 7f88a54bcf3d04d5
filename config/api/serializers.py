"""The base serializer of a storage record type: strict JSON types, and the system fields (set by
the store) read-only, as the model declares them."""

from rest_framework import serializers

from .fields import STRICT_FIELD_MAPPING


class RecordSerializer(serializers.ModelSerializer):
    serializer_field_mapping = STRICT_FIELD_MAPPING  # JSON types as the schema states them

    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        for name in self.Meta.model.system_fields:
            extra[name] = {**extra.get(name, {}), "read_only": True}
        return extra
