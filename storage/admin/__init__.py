"""The Django admin over storage models: StorageModelAdmin (modeladmin.py), its form
(forms.py) and the middleware that answers 503 inside the admin layout (middleware.py)."""

from .forms import StringListField
from .modeladmin import StorageModelAdmin

__all__ = ["StorageModelAdmin", "StringListField"]
