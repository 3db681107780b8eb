from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "lifecycle.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from lifecycle.lib.ratelimit import check_shared_cache

        checks.register(check_shared_cache, checks.Tags.caches, deploy=False)
