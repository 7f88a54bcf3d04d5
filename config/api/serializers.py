"""The base serializer of a storage record type: strict JSON types, the system fields (set by the
store) read-only, as the model declares them, and the same defaults for form-encoded bodies as for
JSON ones.

ModelSerializer builds its fields by introspecting the model for every serializer instance (about
0.5 ms for a client); they depend only on the class, so they are built once per class and each
instance gets copies (fields are bound to their serializer, so they are never shared): plain fields
shallow-copied, fields holding other fields (a list's child) deep-copied.
"""

import copy

from rest_framework import serializers
from rest_framework.fields import empty

from .fields import STRICT_FIELD_MAPPING


def _copy(field):
    if hasattr(field, "child") or hasattr(field, "fields"):
        return copy.deepcopy(field)
    return copy.copy(field)


class RecordSerializer(serializers.ModelSerializer):
    serializer_field_mapping = STRICT_FIELD_MAPPING  # JSON types as the schema states them

    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        for name in self.Meta.model.system_fields:
            extra[name] = {**extra.get(name, {}), "read_only": True}
        return extra

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            for field in built.values():
                # A field left out of a form-encoded body is left out, as in JSON (the model's
                # default applies): DRF would read an absent checkbox as false and an absent text as "".
                if not field.read_only and not field.required:
                    field.default_empty_html = empty
            cls._built_fields = built  # per class: a subclass builds its own
        return {name: _copy(field) for name, field in built.items()}
