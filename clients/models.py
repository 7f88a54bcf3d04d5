from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models

from storage.models import StorageModel
from storage.models.fields import StringList

TAGS = StringList(label="tag", max_items=20, max_length=50)


def normalise_email(value):
    """Emails are unique among clients ignoring case (and surrounding spaces)."""
    return (value or "").strip().casefold()


def validate_tags(value):
    TAGS.validate(value)


class Client(StorageModel):
    name = models.CharField(max_length=200, validators=[MinLengthValidator(1)])
    email = models.EmailField(max_length=254, blank=True, default="")
    phone = models.CharField(max_length=32, blank=True, default="")
    notes = models.TextField(max_length=10_000, blank=True, default="", validators=[MaxLengthValidator(10_000)])
    tags = models.JSONField(default=list, blank=True, validators=[validate_tags])
    is_active = models.BooleanField(default=True)

    class Meta(StorageModel.Meta):
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
        self.tags = TAGS.trimmed(self.tags)

    def __str__(self):
        return self.name
