from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyTotal(models.Model):
    """Customers and MRR at the close of one day, filled nightly from the subscriptions.

    A cache for long charts: the subscriptions stay the source of truth, and the nightly job
    rewrites every day so that back-dated imports are reflected by the next morning."""

    day = models.DateField(_("day"), unique=True)
    customers = models.PositiveIntegerField(_("customers"))
    mrr = models.DecimalField(_("MRR"), max_digits=14, decimal_places=2)
    filled_at = models.DateTimeField(_("filled at"), auto_now=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("daily total")
        verbose_name_plural = _("daily totals")

    def __str__(self) -> str:
        return f"{self.day}: {self.customers} customers, MRR {self.mrr}"
