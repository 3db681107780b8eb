"""Staff roles as Django groups, kept in sync with the models' permissions.

Viewer reads dashboards, accounts and answers; Marketer also edits accounts, campaigns and
surveys and imports data; Admin may do everything, Django admin included.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db.models import Q

VIEWER = "Viewer"
MARKETER = "Marketer"
ADMIN = "Admin"
ROLES = (VIEWER, MARKETER, ADMIN)

# Apps whose records the roles read or edit.
CRM_APPS = ("accounts", "surveys", "campaigns")
VIEWER_EXTRA = ("staff.access_staff_area", "staff.view_dashboards")
MARKETER_EXTRA = ("staff.import_data", "outbox.view_outboxemail")


def _named(perms: tuple[str, ...]) -> Q:
    query = Q(pk__in=[])
    for perm in perms:
        app_label, codename = perm.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return query


def _role_permissions(permission_model: Any) -> dict[str, Any]:
    crm = Q(content_type__app_label__in=CRM_APPS)
    viewer = (crm & Q(codename__startswith="view_")) | _named(VIEWER_EXTRA)
    marketer = (crm & ~Q(codename__startswith="delete_")) | _named(VIEWER_EXTRA + MARKETER_EXTRA)
    return {
        VIEWER: permission_model.objects.filter(viewer),
        MARKETER: permission_model.objects.filter(marketer),
        ADMIN: permission_model.objects.all(),
    }


def sync_roles(apps: Any = global_apps) -> None:
    """Create the three role groups and grant them their permissions (idempotent)."""
    for app_config in apps.get_app_configs():
        # Permissions are normally made after migrate, and create_permissions skips an app
        # whose models_module is unset (as in a migration's historical apps).
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, permissions in _role_permissions(permission_model).items():
        group, _created = group_model.objects.get_or_create(name=role)
        group.permissions.set(permissions)


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    if sender.name == "lifecycle.staff":
        sync_roles(kwargs.get("apps") or global_apps)


def assign_role(user: Any, role: str) -> None:
    """Give a staff user exactly one role. Only Admins may enter Django admin."""
    from django.contrib.auth.models import Group

    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    user.groups.remove(*Group.objects.filter(name__in=ROLES))
    user.groups.add(Group.objects.get(name=role))
    user.is_staff = role == ADMIN
    user.save(update_fields=["is_staff"])


def is_admin(user: Any) -> bool:
    """The Admin role (or a superuser): what only Admins may do, such as erasing people."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.groups.filter(name=ADMIN).exists()
