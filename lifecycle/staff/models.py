from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffArea(models.Model):
    """No table: a home for the permissions that belong to no model."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("access_staff_area", _("Can use the staff web UI and API")),
            ("view_dashboards", _("Can view the dashboards")),
            ("import_data", _("Can import CSV files")),
        ]

    def __str__(self) -> str:
        return "staff area"
