"""The Client record as an ordinary Django model: the same fields as clients/models.py."""

from django.db import models


class BaselineClient(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True, default="", db_index=True)
    phone = models.CharField(max_length=32, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()

    class Meta:
        app_label = "baseline"
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class BaselineSession(models.Model):
    """The Session record as an ordinary Django model: the same fields as sessions_app/models.py."""

    id = models.CharField(primary_key=True, max_length=64)
    client = models.ForeignKey(BaselineClient, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=60)
    status = models.CharField(max_length=16, default="scheduled")
    location = models.CharField(max_length=200, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()

    class Meta:
        app_label = "baseline"
        ordering = ["starts_at"]

    def __str__(self):
        return self.title
