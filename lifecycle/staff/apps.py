from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "lifecycle.staff"
    label = "staff"
    verbose_name = _("Staff roles")

    def ready(self) -> None:
        from lifecycle.staff import api_schema  # noqa: F401 (registers the token's scheme)
        from lifecycle.staff.roles import sync_roles_after_migrate

        # Models added by later migrations get their permissions granted to the roles too.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="staff.sync_roles")
        from django.contrib.auth.signals import user_logged_in

        from lifecycle.staff.views import forget_own_failed_sign_ins

        user_logged_in.connect(forget_own_failed_sign_ins, dispatch_uid="staff.forget_failures")
