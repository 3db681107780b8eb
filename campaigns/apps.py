from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        # Emails written in admin: their builder (workers need it too) and content kind;
        # the planners of campaigns' own triggers.
        from campaigns import drips, extensions, rules
        from campaigns.authored import AUTHORED
        from campaigns.models import Trigger

        extensions.register(AUTHORED)
        for trigger, planner in [
            (Trigger.ROLLING, rules.plan_rolling),
            (Trigger.ONCE, rules.plan_once),
            (Trigger.WELCOME, rules.plan_welcomes),
            (Trigger.BIRTHDAY, rules.plan_birthdays),
            (Trigger.ANNIVERSARY, rules.plan_anniversaries),
            (Trigger.DRIP, drips.plan_enrollments),
            (Trigger.DRIP_STEP, drips.plan_step),
        ]:
            extensions.register_planner(trigger, planner)
        from accounts.extensions import add_account_panel
        from campaigns.account_pages import EMAILS_PANEL
        from campaigns.holdouts import CLICKED, REFERRED, STAYED

        add_account_panel(EMAILS_PANEL)

        # Bounces and complaints from any email provider django-anymail knows.
        from anymail.signals import tracking

        from campaigns.deliverability import on_tracking

        tracking.connect(on_tracking, dispatch_uid="campaigns.deliverability")

        extensions.register_outcome(STAYED)
        extensions.register_outcome(REFERRED)
        extensions.register_outcome(CLICKED)
