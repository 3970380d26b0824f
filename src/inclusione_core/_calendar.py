"""
Working days: Monday to Friday, less public holidays and the local patron saint's day.

A territory's ``calendar`` setting names the country (``IT``), optionally a subdivision of
the `holidays <https://pypi.org/project/holidays/>`_ package (a province such as ``PO``,
whose capital's patron saint it adds) and a ``patron_saint`` day of its own (for a comune
whose patron is not the capital's). The public holidays come from the ``holidays`` package,
imported only when a working day is first asked about (never when the command line
starts), one frozen set per country, subdivision and year.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

__all__ = ["WorkCalendar", "calendar_of", "subdivisions"]

_ONE = dt.timedelta(days=1)
_SATURDAY = 5


@functools.lru_cache(maxsize=512)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    import holidays  # noqa: PLC0415 - lazy: about 0.1 s, needed only where working days are counted

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


def subdivisions(country: str) -> tuple[frozenset[str], frozenset[str]]:
    """The subdivision codes (``PO``) and aliases (``Prato``) the ``holidays`` package knows for a country."""
    import holidays  # noqa: PLC0415 - lazy, as above

    cls: Any = type(holidays.country_holidays(country))
    return frozenset(cls.subdivisions), frozenset(getattr(cls, "subdivisions_aliases", {}))


@attrs.frozen
class WorkCalendar:
    """
    The working days of a territory.

    :ivar country: ISO 3166 code of the country whose public holidays apply.
    :ivar subdivision: a subdivision of the ``holidays`` package (an Italian province
        adds its capital's patron saint), or None.
    :ivar patron_saint: ``(month, day)`` of a local patron saint's day, or None.
    """

    country: str = "IT"
    subdivision: str | None = None
    patron_saint: tuple[int, int] | None = None

    def is_holiday(self, day: dt.date) -> bool:
        """Whether ``day`` is a public holiday or the patron saint's day (whatever the weekday)."""
        if self.patron_saint is not None and (day.month, day.day) == self.patron_saint:
            return True
        return day in _public_holidays(self.country, self.subdivision, day.year)

    def is_working_day(self, day: dt.date) -> bool:
        """Monday to Friday, and not a holiday."""
        return day.weekday() < _SATURDAY and not self.is_holiday(day)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (``start`` itself does not count); ``start`` for 0."""
        day = start
        left = days
        while left > 0:
            day += _ONE
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days fall after ``start`` up to ``end`` included (0 when ``end <= start``)."""
        return sum(1 for day in _days_after(start, end) if self.is_working_day(day))

    def holidays_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The holidays on a weekday after ``start`` up to ``end`` included: the days skipped besides weekends."""
        return [day for day in _days_after(start, end) if day.weekday() < _SATURDAY and self.is_holiday(day)]

    def describe(self) -> str:
        """``IT``, ``IT-PO``, ``IT-PO + 06-24``: which holidays apply."""
        text = self.country if self.subdivision is None else f"{self.country}-{self.subdivision}"
        if self.patron_saint is not None:
            text += f" + {self.patron_saint[0]:02d}-{self.patron_saint[1]:02d}"
        return text


def _days_after(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day < end:
        day += _ONE
        yield day


def calendar_of(setting: Mapping[str, Any] | None) -> WorkCalendar:
    """The working-day calendar of a territory's ``calendar`` setting (Italy's public holidays without one)."""
    if not setting:
        return WorkCalendar()
    patron = setting.get("patron_saint")
    return WorkCalendar(
        country=str(setting.get("country", "IT")),
        subdivision=setting.get("subdivision"),
        patron_saint=None if not patron else (int(patron["month"]), int(patron["day"])),
    )
