from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = "Diagnostics"

    def ready(self):
        from django.contrib import admin

        # The stock admin index plus a "Storage diagnostics" link (the AdminSite itself is untouched).
        if admin.site.index_template is None:
            admin.site.index_template = "admin/diagnostics/index.html"
