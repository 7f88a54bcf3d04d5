"""StorageModelAdmin: the Django admin for a storage model, every read and write through storage.

What differs from a plain ModelAdmin, and why:
- forms are StorageModelForm: the storage write is the last validation step (unique, reference and
  version are checked atomically by the write script) and a stale edit is refused;
- 100 rows per page; counts are len() of in-memory lists, so the full count is shown;
- delete (one or selected) refuses to delete records that others reference unless the user ticks
  "Also delete ..." on Django's confirmation page (a cascade in one atomic script per record);
- LogEntry rows are written only for deletions storage acknowledged.
Registers nothing: apps register their models with a subclass. Not for inlines: the form writes
when it validates, before any inline formset would be checked.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_ngettext
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy

from storage.errors import DependentsExist, NotFound, StorageUnavailable
from storage.models import StorageForeignKey
from storage.served import stale_served

from .forms import StorageModelForm

CASCADE_FIELD = "cascade"
STALE_MESSAGE = (
    "Storage can't be reached: this page shows the last known data kept in memory, which may be out "
    "of date. Changes can't be saved until storage is back."
)


@admin.action(permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s"))
def delete_selected(modeladmin, request, queryset):
    """Django's bulk delete (same confirmation page), deleting through storage record by record."""
    if request.POST.get("post"):
        _, _, perms_needed, protected = modeladmin.get_deleted_objects(queryset, request)
        if perms_needed or protected:
            raise PermissionDenied
        modeladmin.delete_selected_confirmed(request, list(queryset))
        return None  # back to the change list, with the messages
    return modeladmin.render_delete_selected(request, queryset)


class StorageModelAdmin(admin.ModelAdmin):
    form = StorageModelForm
    list_per_page = 100
    show_facets = admin.ShowFacets.NEVER  # facet counts need QuerySet.aggregate(), which storage lacks
    actions = [delete_selected]
    delete_confirmation_template = "admin/storage/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/storage/delete_selected_confirmation.html"

    def get_readonly_fields(self, request, obj=None):
        return self.model.system_fields if obj is not None else ()

    # lists and pages served from memory when storage can't be read (production's stale reads)
    def changelist_view(self, request, extra_context=None):
        return self._flag_stale(request, super().changelist_view(request, extra_context))

    def _flag_stale(self, request, response):
        if stale_served():
            self.message_user(request, STALE_MESSAGE, messages.WARNING)
        return response

    # add / change
    def save_model(self, request, obj, form, change):
        form.save()  # the form already wrote during validation; this only saves an unsaved form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        form = _form_of(response)
        if form is not None and form.version_conflict:
            response.context_data["errors"] = [form.non_field_errors()]  # shows the admin's error note
            response.status_code = 409
        if form is not None and form.storage_unavailable:
            response.status_code = 503
            response["Retry-After"] = str(StorageUnavailable.retry_after)
        return self._flag_stale(request, response)

    # delete
    def dependents(self, objs):
        """[(related model, {pk: how many of its records reference it})] for the given objects."""
        wanted = {obj.pk for obj in objs}
        found = []
        for rel in self.model._meta.related_objects:
            if isinstance(rel.field, StorageForeignKey):
                counts = rel.related_model.objects.counts_by(rel.field.name)  # one pass, memoised
                per_object = {pk: counts[pk] for pk in wanted if counts.get(pk)}
                if per_object:
                    found.append((rel.related_model, per_object))
        return found

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for related_model, per_object in self.dependents(objs):
            opts = related_model._meta
            total = sum(per_object.values())
            deleted.append(f"{total} {opts.verbose_name_plural}: deleted too only if you tick “Also delete” below")
            if not request.user.has_perm(f"{opts.app_label}.{get_permission_codename('delete', opts)}"):
                perms_needed.add(opts.verbose_name_plural)
        return deleted, model_count, perms_needed, protected

    def cascade_context(self, request, objs):
        """What the confirmation templates need to offer the cascade."""
        found = []
        for related_model, per_object in self.dependents(objs):
            found.append(
                {
                    "name": related_model._meta.verbose_name_plural,
                    "total": sum(per_object.values()),
                    "objects": len(per_object),
                }
            )
        return {"dependents": found, "cascade_field": CASCADE_FIELD}

    def render_delete_form(self, request, context):
        context.update(self.cascade_context(request, [context["object"]]))
        return super().render_delete_form(request, context)

    def render_delete_selected(self, request, queryset):
        """Django's bulk confirmation page (the context of django.contrib.admin.actions.delete_selected,
        which can't name a StorageQuerySet), plus the cascade choice."""
        objs = list(queryset)
        deletable, model_count, perms_needed, protected = self.get_deleted_objects(objs, request)
        objects_name = model_ngettext(self.opts, len(objs))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Cannot delete {objects_name}" if perms_needed or protected else "Delete multiple objects",
            "subtitle": None,
            "objects_name": str(objects_name),
            "deletable_objects": [deletable],
            "model_count": dict(model_count).items(),
            "queryset": objs,
            "perms_lacking": perms_needed,
            "protected": protected,
            "opts": self.opts,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
            **self.cascade_context(request, objs),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.delete_selected_confirmation_template, context)

    def wants_cascade(self, request):
        return request.POST.get(CASCADE_FIELD) == "on"

    def delete_model(self, request, obj):
        obj.delete(cascade=self.wants_cascade(request))

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DependentsExist as exc:  # the transaction rolled the LogEntry back: nothing happened
            self.message_user(request, self._dependents_message(exc.count, exc.dependent_collection), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except NotFound:
            self.message_user(request, "It was already deleted by someone else.", messages.WARNING)
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def delete_selected_confirmed(self, request, objs):
        cascade = self.wants_cascade(request)
        if not cascade:
            blocking = self.dependents(objs)
            if blocking:
                total = sum(sum(per.values()) for _, per in blocking)
                names = ", ".join(str(model._meta.verbose_name_plural) for model, _ in blocking)
                self.message_user(request, self._dependents_message(total, names), messages.ERROR)
                return
        deleted = cascaded = 0
        refused = []
        for obj in objs:
            try:
                count, _ = obj.delete(cascade=cascade)
            except NotFound:
                continue  # already gone
            except DependentsExist:  # references were added since the confirmation page
                refused.append(str(obj))
                continue
            deleted += 1
            cascaded += count - 1
            self.log_deletions(request, [obj])  # logged only once storage acknowledged the delete
        if deleted:
            extra = f" and {cascaded} record(s) that referenced them" if cascaded else ""
            self.message_user(
                request,
                f"Successfully deleted {deleted} {model_ngettext(self.opts, deleted)}{extra}.",
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                f"Not deleted (other records now reference them): {', '.join(refused)}.",
                messages.ERROR,
            )

    def _dependents_message(self, count, what):
        return (
            f"Nothing was deleted: {count} {what} still reference it. Tick “Also delete” on the "
            "confirmation page to delete them too."
        )


def _form_of(response):
    context = getattr(response, "context_data", None) or {}
    adminform = context.get("adminform")
    form = getattr(adminform, "form", None)
    return form if isinstance(form, StorageModelForm) else None
