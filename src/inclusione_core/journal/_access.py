"""
The data subject's access export (GDPR art. 15): all the journal holds about them and who
received data of their case.

It reads the ``subject_access`` view of the journal's database (the events about the
subject and about the household as a whole, the disclosures of the case) and opens the
events' payloads, so that the subject receives their own data, sealed fields included
(unless erased). Data about other members of the household are not in it.
"""

from __future__ import annotations

from typing import Any

from .._convert import make_converter
from ._model import HOUSEHOLD, to_payload

__all__ = ["access_export"]


def access_export(store: Any, case_id: str, subject: str) -> dict[str, Any]:
    """
    What the journal holds about one data subject of a case, and who saw data of the case.

    :param store: a :class:`~inclusione_core.journal.SqliteJournal` or ``PostgresJournal``.
    :param case_id: the case.
    :param subject: the member id.
    :return: ``{"case_id", "subject", "events": [...], "disclosures": [...]}``: each event
        with when, its type, who recorded it, their role, the legal basis and its data
        (``erased``: the sealed part no longer exists); each disclosure with when, the
        purpose, the recipient, its service and the channel.
    """
    p = "?" if store.dialect == "sqlite" else "%s"
    with store._write() as db:
        rows = db.execute(f"SELECT kind, subject, at, what, who, role, basis, ref FROM subject_access"
                          f" WHERE case_id = {p} AND (subject IS NULL OR subject = {p} OR subject = {p})"
                          f" ORDER BY kind DESC, seq", (case_id, subject, HOUSEHOLD)).fetchall()
    events = {e.id: e for e in store.events(case_id)}
    converter = make_converter()
    held: list[dict[str, Any]] = []
    seen: list[dict[str, Any]] = []
    for kind, about, at, what, who, role, basis, ref in rows:
        if kind == "disclosure":
            seen.append({"at": at, "purpose": what, "recipient": who, "recipient_service": role, "channel": basis})
            continue
        event = events[ref]
        opened, sealed_part = to_payload(event.data, converter)
        held.append({"at": at, "type": what, "about": about, "by": who, "role": role, "legal_basis": basis,
                     "event_id": ref, "erased": event.erased,
                     "data": {**opened, **({} if event.erased else sealed_part)}})
    return {"case_id": case_id, "subject": subject, "events": held, "disclosures": seen}
