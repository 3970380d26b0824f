"""
Retention of closed cases, as the territory configures it (section ``journal.retention``).

No period is built in: a territory sets ``closed_case_years`` with the act that fixes it.
Without one, :data:`DEFAULT_RETENTION_YEARS` (``None``) applies: no period, no expiry date,
the case is kept until a period is configured.

When the period has run out, :func:`shred_expired` erases every data subject of the case
as :class:`~inclusione_core.journal.EraseSubject` does (the log is append-only: the
subjects' keys are destroyed, so their sealed data can no longer be read), recording why.
What remains is the skeleton of the case: its events' types, dates, versions and
operators, with no special category nor free text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from ._model import HOUSEHOLD, EraseSubject
from ._store import execute, new_event_id, utc_now

__all__ = ["DEFAULT_RETENTION_YEARS", "RETENTION_BASIS", "retention_until", "retention_years", "shred_expired"]

RETENTION_BASIS: Final = "Reg. (UE) 2016/679, art. 5.1.e e art. 17.1.a"
"""The legal basis recorded with an erasure at the end of the retention period (storage limitation)."""

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


def shred_expired(store: Any, on: dt.date, *, actor: str = "inclusione", role: str = "conservazione",
                  clock: Callable[[], dt.datetime] = utc_now,
                  new_id: Callable[[], str] = new_event_id) -> list[str]:
    """
    Erase the data subjects of every case whose retention ended before ``on``.

    Each subject (the household and each member not erased yet) gets a ``subject.erased``
    event whose command id is derived from the case and the subject, so running it again
    (after a crash, or the next day) records nothing twice; a case whose subjects are all
    erased is no longer listed by ``store.expired``.

    :param store: a store with ``expired(on)`` (both built-in stores).
    :param on: the day of the run: cases whose ``retention_until`` is earlier are shredded.
    :param actor: who runs it (recorded as each event's actor).
    :param role: their role.
    :return: the ids of the cases shredded, sorted.
    """
    done = []
    for case_id in store.expired(on):
        state = store.load(case_id)
        members = [m.id for m in state.case.household.members] if state.case is not None else []
        for subject in (HOUSEHOLD, *members):
            if subject in state.erased:
                continue
            execute(store, EraseSubject(case_id=case_id, command_id=f"retention:{case_id}:{subject}", actor=actor,
                                        role=role, legal_basis=RETENTION_BASIS, subject_id=subject, on=on,
                                        ground="periodo di conservazione concluso"), clock=clock, new_id=new_id)
        done.append(case_id)
    return done
