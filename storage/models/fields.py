"""Shapes of stored values that more than one layer checks, declared once: the model validates
with them, the API serializer and the admin form are built from them."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class StringList:
    """A JSON list of at most max_items strings of 1 to max_length characters (after trimming)."""

    label: str  # one item, as messages name it: "tag"
    max_items: int
    max_length: int

    @property
    def help_text(self):
        return f"At most {self.max_items} {self.label}s of 1 to {self.max_length} characters."

    def validate(self, value):
        if not isinstance(value, list):
            raise ValidationError(f"{self.label.capitalize()}s must be a list of strings.")
        if len(value) > self.max_items:
            raise ValidationError(f"At most {self.max_items} {self.label}s are allowed.")
        for item in value:
            if not isinstance(item, str) or not 1 <= len(item.strip()) <= self.max_length:
                raise ValidationError(f"Each {self.label} must be a string of 1 to {self.max_length} characters.")

    @staticmethod
    def trimmed(value):
        return [item.strip() if isinstance(item, str) else item for item in value] if isinstance(value, list) else value
