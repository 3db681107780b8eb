from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken


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


# How much of a key's start admin shows to tell tokens apart (knox stores 15 characters).
KEY_START_SHOWN = 8


class ApiToken(AuthToken):
    """knox's hashed, expiring token, named as staff know it (lifecycle/staff/api_tokens.py)."""

    class Meta:
        proxy = True
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        # Never the digest: admin's history and delete pages show this.
        return f"{self.token_key[:KEY_START_SHOWN]}… ({self.user})"
