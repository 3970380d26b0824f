"""Shared pieces of the journal tests: a fixed clock, counted ids, a command's common fields, a case opened."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from inclusione_core import journal
from inclusione_core._models import Assessment, Member, Need

AT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
DAY = dt.date(2025, 3, 1)
MARKER = "MARCATORE-SALUTE-7f3a9c"


def clock() -> dt.datetime:
    """A fixed moment."""
    return AT


def ids(prefix: str = "e") -> Callable[[], str]:
    """A fresh counter of event ids."""
    counter = itertools.count(1)
    return lambda: f"{prefix}{next(counter)}"


def meta(case_id: str = "c-1", command_id: str = "k-1", **more: Any) -> dict[str, Any]:
    """The fields every command carries."""
    return {"case_id": case_id, "command_id": command_id, "actor": "rossi", "role": "assistente_sociale",
            "legal_basis": "art. 6.1.e GDPR", **more}


def open_case(case_id: str = "c-1", members: int = 1, command_id: str | None = None) -> journal.OpenCase:
    """The command that opens a case with ``members`` members (the first the applicant)."""
    people = tuple(Member(id=f"m{i}", relation="richiedente" if i == 1 else "figlio") for i in range(1, members + 1))
    return journal.OpenCase(**meta(case_id, command_id or f"open-{case_id}"), territory="toscana", opened_on=DAY,
                            household_id=f"h-{case_id}", members=people)


def assess_with_marker(case_id: str = "c-1", command_id: str = "k-assess") -> journal.Assess:
    """An assessment whose addiction need carries :data:`MARKER` in its note (sealed under the household's key)."""
    need = Need(code="dipendenza", note=MARKER)
    return journal.Assess(**meta(case_id, command_id), assessment=Assessment(date=DAY, needs=(need,)))
