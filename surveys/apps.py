from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        # Surveys plug into the layers below (docs/architecture.md): the pipeline's email
        # builders, campaign content, and the importer's response columns. Workers need
        # them too, so this runs wherever Django starts.
        from accounts import extensions as account_pages
        from accounts.importer import register_history_kind
        from campaigns import extensions as campaign_contents
        from campaigns.models import Trigger
        from surveys import emails  # noqa: F401  (registers the @builder functions)
        from surveys.account_pages import NPS_COLUMN, SATISFACTION_PANEL
        from surveys.campaign_content import (
            ANSWERED_NPS,
            SURVEYS,
            answered_since_entering,
            follow_up_a_detractor_asked_for_review,
            in_nps_band,
            plan_promoters,
        )
        from surveys.csv_import import RESPONSES_KIND

        campaign_contents.register(SURVEYS)
        campaign_contents.register_planner(Trigger.PROMOTER, plan_promoters)
        campaign_contents.register_outcome(ANSWERED_NPS)
        campaign_contents.register_contact_criterion("nps_band", in_nps_band)
        campaign_contents.register_exit_condition("answered", answered_since_entering)
        campaign_contents.register_sent_hook(follow_up_a_detractor_asked_for_review)
        account_pages.add_list_column(NPS_COLUMN)
        account_pages.add_account_panel(SATISFACTION_PANEL)
        register_history_kind(RESPONSES_KIND)
