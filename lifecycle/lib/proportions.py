"""Comparing two proportions honestly on small samples: Wilson score intervals and
Newcombe's interval for their difference (Newcombe 1998, method 10). Pure, no database.

A holdout of a small B2B list has tens of contacts, not thousands: the normal ("Wald")
interval misbehaves there (it can cross 0 and 1, and is too narrow near them); these do not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
# Fewer contacts than this in either group: no verdict at all, only "not enough yet".
MIN_GROUP = 30


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of successes/trials; (0, 1) for no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Difference:
    """p1 - p2 with its 95% interval, or no verdict when a group is too small."""

    p1: float | None
    p2: float | None
    difference: float | None
    low: float | None
    high: float | None
    enough: bool

    @property
    def clear(self) -> bool:
        """The interval excludes zero: the groups really differ (at 95%)."""
        return self.enough and self.low is not None and (self.low > 0 or self.high < 0)


def difference(k1: int, n1: int, k2: int, n2: int, *, minimum: int = MIN_GROUP) -> Difference:
    p1 = k1 / n1 if n1 else None
    p2 = k2 / n2 if n2 else None
    if n1 < minimum or n2 < minimum or p1 is None or p2 is None:
        return Difference(p1, p2, None, None, None, enough=False)
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Difference(p1, p2, d, max(-1.0, low), min(1.0, high), enough=True)
