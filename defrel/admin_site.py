"""The editors' admin site: its name and its front page, whatever URL configuration serves it."""
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminSite(admin.AdminSite):
    site_header = "defrel"
    site_title = "defrel"
    index_template = "defrel_admin/index.html"  # links the data-quality page


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin, with ``admin.site`` an AdminSite of ours."""

    default_site = "defrel.admin_site.AdminSite"
