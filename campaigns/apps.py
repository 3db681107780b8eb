from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        # Emails written in admin: their builder (workers need it too) and content kind.
        from campaigns import extensions
        from campaigns.authored import AUTHORED

        extensions.register(AUTHORED)
