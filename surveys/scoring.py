"""Survey scales, score bands and the NPS formula: pure functions, no database."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from lifecycle.lib.numbers import one_decimal


class SurveyKind(models.TextChoices):
    NPS = "nps", _("NPS (0-10)")
    CSAT = "csat", _("CSAT (1-5)")
    CES = "ces", _("CES (1-7)")


class Band(models.TextChoices):
    """Low, neutral, high: detractor/passive/promoter for NPS, unhappy/neutral/happy else."""

    LOW = "low", _("Low")
    NEUTRAL = "neutral", _("Neutral")
    HIGH = "high", _("High")


# kind: (lowest score, highest score, highest low score, highest neutral score)
SCALES: dict[str, tuple[int, int, int, int]] = {
    SurveyKind.NPS: (0, 10, 6, 8),
    SurveyKind.CSAT: (1, 5, 2, 3),
    SurveyKind.CES: (1, 7, 3, 4),
}

# A score this much lower than the contact's previous answer is a downward trend.
TREND_DROP = 3


def scale(kind: str) -> range:
    low, high, _low_band, _neutral_band = SCALES[kind]
    return range(low, high + 1)


def in_scale(kind: str, score: int) -> bool:
    return kind in SCALES and score in scale(kind)


def band(kind: str, score: int) -> Band:
    _low, _high, low_band, neutral_band = SCALES[kind]
    if score <= low_band:
        return Band.LOW
    if score <= neutral_band:
        return Band.NEUTRAL
    return Band.HIGH


def band_range(kind: str, which: str) -> tuple[int, int]:
    """The inclusive scores of one band, for filters."""
    low, high, low_band, neutral_band = SCALES[kind]
    return {
        Band.LOW: (low, low_band),
        Band.NEUTRAL: (low_band + 1, neutral_band),
        Band.HIGH: (neutral_band + 1, high),
    }[Band(which)]


def needs_follow_up(kind: str, score: int) -> bool:
    """An NPS detractor (0-6) or an unhappy CSAT (1-2)."""
    return kind in (SurveyKind.NPS, SurveyKind.CSAT) and band(kind, score) == Band.LOW


def dropped(previous: int | None, score: int) -> bool:
    return previous is not None and previous - score >= TREND_DROP


def nps(promoters: int, detractors: int, responses: int) -> float | None:
    """-100..100, one decimal; None without answers."""
    if not responses:
        return None
    return one_decimal(Decimal(100) * (promoters - detractors) / responses)


def weighted_nps(
    promoter_mrr: Decimal | int, detractor_mrr: Decimal | int, total_mrr: Decimal | int
) -> float | None:
    """NPS with each answer weighted by its account's MRR: the same formula over money."""
    if not total_mrr:
        return None
    return one_decimal(
        Decimal(100) * (Decimal(promoter_mrr) - Decimal(detractor_mrr)) / Decimal(total_mrr)
    )
