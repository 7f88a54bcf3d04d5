"""The base serializer of a storage record type: strict JSON types, the system fields (set by the
store) read-only, as the model declares them, and the same defaults for form-encoded bodies as for
JSON ones."""

from rest_framework import serializers
from rest_framework.fields import empty

from .fields import STRICT_FIELD_MAPPING


class RecordSerializer(serializers.ModelSerializer):
    serializer_field_mapping = STRICT_FIELD_MAPPING  # JSON types as the schema states them

    def get_fields(self):
        # A field left out of a form-encoded body is left out, as in JSON (the model's default
        # applies): DRF would read an absent checkbox as false and an absent text as "".
        fields = super().get_fields()
        for field in fields.values():
            if not field.read_only and not field.required:
                field.default_empty_html = empty
        return fields

    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        for name in self.Meta.model.system_fields:
            extra[name] = {**extra.get(name, {}), "read_only": True}
        return extra
