"""The Django admin, installed with the role-aware site of core/admin.py."""

from django.contrib.admin.apps import AdminConfig


class ClientFocusAdminConfig(AdminConfig):
    default_site = "clientfocus.core.admin.RoleAdminSite"
