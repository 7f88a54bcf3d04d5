from django.contrib import admin
from django.urls import include, path

from config.api.token import obtain_token
from config.views import api_root, home

# Diagnostics: /api/health..., /api/database/..., the admin's storage diagnostics page.
from diagnostics.urls import admin_patterns as diagnostics_admin_patterns
from diagnostics.urls import api_patterns as diagnostics_api_patterns

urlpatterns = [
    path("", home, name="home"),  # the landing page (the admin's "View site")
    path("api/", api_root, name="api-root"),
    *diagnostics_admin_patterns,  # before "admin/": the admin's catch-all would answer first
    path("admin/", admin.site.urls),
    *diagnostics_api_patterns,
    # REST API: each app's record endpoints, then the schema and its documentation
    path("api/", include("clients.urls")),
    path("api/", include("sessions_app.urls")),
    path("api/", include("config.api.urls")),
    path("api/auth/token/", obtain_token, name="api-token"),  # a program gets its token
    path("api/auth/", include("rest_framework.urls")),  # log in / out for the browsable API
]

# JSON error pages under /api/ (HTML elsewhere), also with DEBUG off.
handler400 = "config.api.errors.handler400"
handler403 = "config.api.errors.handler403"
handler404 = "config.api.errors.handler404"
handler500 = "config.api.errors.handler500"
