from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission, DjangoModelPermissions
from rest_framework.request import Request

STAFF_AREA = "staff.access_staff_area"


class HasStaffRole(BasePermission):
    """Any of the three roles: for API views that read no single model (root, schema)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.has_perm(STAFF_AREA))


class RoleModelPermissions(DjangoModelPermissions):
    """Model permissions for every method, reads included: a user with no role sees nothing."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request: Request, view: Any) -> bool:
        if getattr(view, "_ignore_model_permissions", False):
            # DRF lets such views (the router's root) through; they still need a role.
            return HasStaffRole().has_permission(request, view)
        return super().has_permission(request, view)
