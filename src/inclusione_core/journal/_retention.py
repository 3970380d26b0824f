"""
Retention of closed cases, as the territory configures it (section ``journal.retention``).

No period is built in: a territory sets ``closed_case_years`` with the act that fixes it.
Without one, :data:`DEFAULT_RETENTION_YEARS` (``None``) applies: no period, no expiry date,
the case is kept until a period is configured.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

__all__ = ["DEFAULT_RETENTION_YEARS", "retention_until", "retention_years"]

DEFAULT_RETENTION_YEARS: Final[int | None] = None
"""The default period: none (a closed case has no expiry date until the territory sets one)."""


def retention_years(territory: Any) -> int | None:
    """The territory's period in years (``journal.retention.closed_case_years``), or the default."""
    retention = (territory.section("journal") or {}).get("retention") or {}
    years = retention.get("closed_case_years", DEFAULT_RETENTION_YEARS)
    return None if years is None else int(years)


def retention_until(territory: Any, closed_on: dt.date) -> dt.date | None:
    """
    The last day a case closed on ``closed_on`` must be kept, by the territory's period.

    :return: ``None`` when the territory sets no period (the default).
    """
    years = retention_years(territory)
    if years is None:
        return None
    try:
        return closed_on.replace(year=closed_on.year + years)
    except ValueError:  # 29 February in a year that has none
        return closed_on.replace(year=closed_on.year + years, day=28)
