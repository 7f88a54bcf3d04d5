"""Diagnostics routes, included by config/urls.py (the admin pages before the admin's catch-all)."""

from django.urls import path

from . import admin_views, views

api_patterns = [
    path("api/health", views.health, name="diagnostics-health"),
    path("api/health/live", views.live, name="diagnostics-live"),
    path("api/health/ready", views.ready, name="diagnostics-ready"),
    path("api/database/verify-redis", views.verify_redis, name="diagnostics-verify-redis"),
    path("api/database/check-sessions", views.check_sessions, name="diagnostics-check-sessions"),
]

admin_patterns = [
    path("admin/diagnostics/storage/", admin_views.storage_diagnostics, name="admin-storage-diagnostics"),
    path("admin/diagnostics/storage/repair/", admin_views.storage_repair, name="admin-storage-repair"),
]
