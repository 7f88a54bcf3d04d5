from django.contrib import admin
from django.urls import path

# Diagnostics (issue 4): /api/health..., /api/database/..., the admin's storage diagnostics page.
from diagnostics.urls import admin_patterns as diagnostics_admin_patterns
from diagnostics.urls import api_patterns as diagnostics_api_patterns

urlpatterns = [
    *diagnostics_admin_patterns,  # before "admin/": the admin's catch-all would answer first
    path("admin/", admin.site.urls),
    *diagnostics_api_patterns,
]
