from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "lifecycle.staff"
    label = "staff"
    verbose_name = _("Staff roles")

    def ready(self) -> None:
        from lifecycle.staff.roles import sync_roles_after_migrate

        # Models added by later migrations get their permissions granted to the roles too.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="staff.sync_roles")
