from django.core.validators import MaxLengthValidator, MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models

from clients.models import Client
from storage.models import StorageForeignKey, StorageModel


class Session(StorageModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No show"

    client = StorageForeignKey(Client, related_name="sessions")
    title = models.CharField(max_length=200, validators=[MinLengthValidator(1)])
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    location = models.CharField(max_length=200, blank=True, default="")
    notes = models.TextField(max_length=10_000, blank=True, default="", validators=[MaxLengthValidator(10_000)])

    class Meta(StorageModel.Meta):
        ordering = ["starts_at"]
        verbose_name = "session"

    class Storage:
        collection = "sessions"
        id_prefix = "session"
        title_field = "title"
        sorted = ("starts_at",)  # the default list order: a sort index serves it on large collections
        listed = ("starts_at",)

    def clean(self):
        from django.core.exceptions import ValidationError

        self.title = (self.title or "").strip()
        if not self.title:
            raise ValidationError({"title": "This field cannot be blank."})

    def __str__(self):
        return self.title
