"""A ModelForm for storage models whose last validation step is the storage write itself.

Uniqueness, references and the record version can only be checked atomically by the write script
(checking first with a read would race), so the form writes when everything else validated and
turns the script's refusals into form errors:

- UniqueViolation / ReferenceViolation -> an error on the field (as_validation_error);
- VersionConflict (someone saved the record after this form was opened, at the version carried in
  the hidden `opened_version` field) -> a clear error, and the form shows the record's *current*
  values and version, so saving again is a deliberate choice, never a silent overwrite;
- NotFound -> the record was deleted meanwhile;
- StorageUnavailable -> nothing was saved: an error says so, the form keeps what the user typed and
  `storage_unavailable` is set (the admin answers 503).

After is_valid() the instance is saved (`written` is True): save() does not write again.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from storage.errors import NotFound, ReferenceViolation, StorageUnavailable, UniqueViolation, VersionConflict
from storage.models import as_validation_error

VERSION_FIELD = "opened_version"


class StringListField(forms.CharField):
    """A StringList (storage/models/fields.py) edited as comma-separated words: `vip, gold` is
    ["vip", "gold"]; the stored value, and the API, keep the list. The model validates the items."""

    def __init__(self, shape, **kwargs):
        self.shape = shape
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", f"Comma-separated, e.g. “vip, gold”. {shape.help_text} A {shape.label} can't contain a comma."
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return list(value)
        return [word.strip() for word in (value or "").split(",") if word.strip()]

    def has_changed(self, initial, data):
        return self.to_python(initial) != self.to_python(data)


class StorageModelForm(forms.ModelForm):
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.written = False
        self.storage_unavailable = False
        self.version_conflict = False
        if not self.instance._state.adding:
            self.initial.setdefault(VERSION_FIELD, self.instance.version)

    def _post_clean(self):
        super()._post_clean()  # builds the instance and runs the model's validation
        if not self._errors:
            self._write()

    def _write(self):
        instance = self.instance
        adding = instance._state.adding
        if not adding:
            opened = self.cleaned_data.get(VERSION_FIELD)
            if opened is None:
                self.add_error(None, "This form does not say which version it edits: reload the page.")
                return
            instance.version = opened
        try:
            instance.save()  # an update refuses a version other than the one the form was opened at
        except (UniqueViolation, ReferenceViolation, NotFound) as exc:
            self.add_error(None, as_validation_error(type(instance), exc))
        except VersionConflict as exc:
            self._show_current(exc)
        except StorageUnavailable as exc:
            self.storage_unavailable = True
            self.add_error(
                None,
                "Storage is unavailable, nothing was saved. What you typed is still in the form: "
                f"try again in {exc.retry_after} seconds.",
            )
        else:
            self.written = True

    def _show_current(self, conflict):
        """Refuse a stale edit and show the record as it is now (typed values are discarded)."""
        self.version_conflict = True
        name = self.instance._meta.verbose_name
        try:
            self.instance.refresh_from_db()
        except self.instance.DoesNotExist:
            self.add_error(None, f"This {name} was deleted by someone else since you opened it.")
            return
        self.add_error(
            None,
            ValidationError(
                f"This {name} was changed by someone else since you opened it (you opened version "
                f"{conflict.expected}, it is now at version {conflict.current}). Nothing was saved. "
                "The form now shows the current values: re-apply your changes and save again.",
                code="version_conflict",
            ),
        )
        self.initial = {**model_to_dict(self.instance), VERSION_FIELD: self.instance.version}
        self.is_bound = False  # render the initial (current) values, keep the errors
        self._bound_fields_cache = {}

    def save(self, commit=True):
        if self.errors:
            return super().save(commit)  # raises the usual ValueError
        if commit:
            if not self.written:
                self.instance.save()
                self.written = True
            self._save_m2m()
        else:
            self.save_m2m = self._save_m2m
        return self.instance
