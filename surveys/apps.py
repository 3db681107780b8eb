from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        # Registers the survey emails with the sending pipeline (workers need them too).
        from surveys import emails  # noqa: F401
