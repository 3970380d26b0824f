"""
Retention of closed cases, as the territory configures it (section ``journal.retention``).

No period is built in: a territory sets ``closed_case_years`` with the act that fixes it.
Without one, :data:`DEFAULT_RETENTION_YEARS` (``None``) applies: no period, no expiry date,
the case is kept until a period is configured.

When the period has run out, :func:`shred_expired` erases every data subject of the case
(:class:`~inclusione_core.journal.ExpireCase`: the log is append-only, so the subjects' keys
are destroyed and their sealed data can no longer be read), recording why.
What remains is the skeleton of the case: its events' types, dates, versions and
operators, with no special category nor free text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any, Final

import attrs

from .._errors import InclusioneError
from ..i18n import Message
from ._model import ExpireCase
from ._store import JournalError, execute, new_event_id, utc_now

__all__ = ["DEFAULT_RETENTION_YEARS", "RETENTION_BASIS", "Shredding", "retention_until", "retention_years",
           "shred_expired"]

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


@attrs.frozen
class Shredding:
    """
    What :func:`shred_expired` did.

    :ivar shredded: the cases whose data subjects were all erased, sorted.
    :ivar failed: the cases it could not shred, each with the error saying why (the next run
        tries again).
    """

    shredded: tuple[str, ...]
    failed: tuple[tuple[str, InclusioneError], ...]


def shred_expired(store: Any, on: dt.date, *, actor: str = "inclusione", role: str = "conservazione",
                  clock: Callable[[], dt.datetime] = utc_now,
                  new_id: Callable[[], str] = new_event_id) -> Shredding:
    """
    Erase the data subjects of every case whose retention ended before ``on``.

    Each case gets one :class:`~inclusione_core.journal.ExpireCase` command (command id
    ``retention:`` and the case id): its subjects' ``subject.erased`` events in one
    transaction, so a run cut short never leaves a case half shredded, and a rerun records
    nothing twice. A case that cannot be shredded (not closed, written meanwhile, a date
    that would go back in its history...) is reported and does not stop the others. The
    storage is compacted once, at the end of the run.

    :param store: a store with ``expired(on)`` (both built-in stores).
    :param on: the day of the run: cases whose ``retention_until`` is earlier are shredded.
    :param actor: who runs it (recorded as each event's actor).
    :param role: their role.
    :return: the cases shredded and those that failed, with why.
    """
    shredded: list[str] = []
    failed: list[tuple[str, InclusioneError]] = []
    batch = store.erasures() if hasattr(store, "erasures") else contextlib.nullcontext()
    with batch:
        for case_id in store.expired(on):
            command = ExpireCase(case_id=case_id, command_id=f"retention:{case_id}", actor=actor, role=role,
                                 legal_basis=RETENTION_BASIS, on=on)
            try:
                execute(store, command, clock=clock, new_id=new_id)
            except InclusioneError as exc:
                failed.append((case_id, exc))
            else:
                shredded.append(case_id)
    left = set(store.expired(on))  # a key the model does not know of (written by another version...)
    failed += [(c, JournalError(Message("keys of the case remain after its subjects were erased")))
               for c in shredded if c in left]
    return Shredding(shredded=tuple(c for c in shredded if c not in left),
                     failed=tuple(sorted(failed, key=lambda f: f[0])))
