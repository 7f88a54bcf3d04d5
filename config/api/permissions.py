"""Django model permissions, with `view` required for reads (DRF's own class lets any
authenticated user read). A view may name several models (`permission_models`): the user needs
the permission on each (a client's sessions need view_client and view_session)."""

from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        models = getattr(view, "permission_models", None) or [self._queryset(view).model]
        wanted = [perm for model in models for perm in self.get_required_permissions(request.method, model)]
        return request.user.has_perms(wanted)
