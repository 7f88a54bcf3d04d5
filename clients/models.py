from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models

from storage.models import StorageModel

MAX_TAGS = 20
MAX_TAG_LENGTH = 50


def normalise_email(value):
    """Emails are unique among clients ignoring case (and surrounding spaces)."""
    return (value or "").strip().casefold()


def validate_tags(value):
    if not isinstance(value, list):
        raise ValidationError("Tags must be a list of strings.")
    if len(value) > MAX_TAGS:
        raise ValidationError(f"At most {MAX_TAGS} tags are allowed.")
    for tag in value:
        if not isinstance(tag, str) or not 1 <= len(tag.strip()) <= MAX_TAG_LENGTH:
            raise ValidationError(f"Each tag must be a string of 1 to {MAX_TAG_LENGTH} characters.")


class Client(StorageModel):
    name = models.CharField(max_length=200, validators=[MinLengthValidator(1)])
    email = models.EmailField(max_length=254, blank=True, default="")
    phone = models.CharField(max_length=32, blank=True, default="")
    notes = models.TextField(max_length=10_000, blank=True, default="", validators=[MaxLengthValidator(10_000)])
    tags = models.JSONField(default=list, blank=True, validators=[validate_tags])
    is_active = models.BooleanField(default=True)

    class Meta:
        managed = False
        base_manager_name = "objects"
        ordering = ["-created_at"]
        verbose_name = "client"

    class Storage:
        collection = "clients"
        id_prefix = "client"
        title_field = "name"
        unique = {"email": normalise_email}

    def clean(self):
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError({"name": "This field cannot be blank."})
        self.email = (self.email or "").strip()
        if isinstance(self.tags, list):
            self.tags = [t.strip() if isinstance(t, str) else t for t in self.tags]

    def __str__(self):
        return self.name
