"""
The data subject's access export (GDPR art. 15): all the journal holds about them and who
received data of their case.

It reads the ``subject_access`` view of the journal's database (the events about the
subject and about the household as a whole, the disclosures of the case) and opens the
events' payloads, so that the subject receives their own data, sealed fields included
(unless erased). Data about other members of the household are not in it.

The export is itself a disclosure, to the data subject: it is recorded in the audit log the
caller gives (the journal's own table, and the next export lists it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from .._audit import AuditLog, AuditRecord
from .._categories import DataCategory
from .._convert import make_converter
from .._errors import ErrorDetail, InputError
from ..i18n import Message
from ._audit_log import JournalAuditLog
from ._model import HOUSEHOLD, to_payload
from ._store import utc_now

__all__ = ["ACCESS_BASIS", "ACCESS_PURPOSE", "DATA_SUBJECT", "access_export"]

ACCESS_PURPOSE: Final = "subject_access"
"""The purpose an access export is audited with."""

DATA_SUBJECT: Final = "interessato"
"""The recipient kind an access export is audited with: the data subject."""

ACCESS_BASIS: Final = "Reg. (UE) 2016/679, art. 15"
"""The legal basis of an access export."""


def access_export(store: Any, case_id: str, subject: str, *, audit: AuditLog,
                  clock: Callable[[], dt.datetime] = utc_now) -> dict[str, Any]:
    """
    What the journal holds about one data subject of a case, and who saw data of the case.

    :param store: a :class:`~inclusione_core.journal.SqliteJournal` or ``PostgresJournal``.
    :param case_id: the case.
    :param subject: the member id.
    :param audit: where the export is recorded: the journal's own
        :class:`~inclusione_core.journal.JournalAuditLog` (with its key, if the chain is
        keyed), so that the next export lists it, or the embedder's log.
    :param clock: the moment of the export (for the audit record).
    :return: ``{"case_id", "subject", "events": [...], "disclosures": [...]}``: each event
        with when, its type, who recorded it, their role, the legal basis and its data
        (``erased``: the sealed part no longer exists), less what it says of another member
        (their needs in the household's assessment, their commitments...) and less a
        referral's snapshot (the form as sent, which may describe every member: ``withheld``
        names it, for the operator to give on request, redacted); each disclosure
        of the subject's data (or of the household's) with when, the purpose, the recipient,
        its service and the channel.
    :raises InputError: no such case, or no such member in it.
    """
    state = store.load(case_id)
    if state.case is None or all(m.id != subject for m in state.case.household.members):
        raise InputError(Message("case {id}", id=case_id), [ErrorDetail(
            "$.subject", Message("no member with this id in the case"), subject, "exists")])
    p = "?" if store.dialect == "sqlite" else "%s"
    with store._write() as db:
        rows = db.execute(f"SELECT kind, subject, at, what, who, role, basis, ref FROM subject_access"
                          f" WHERE case_id = {p} AND (subject IS NULL OR subject = {p} OR subject = {p})"
                          f" ORDER BY kind DESC, seq", (case_id, subject, HOUSEHOLD)).fetchall()
    events = {e.id: e for e in store.events(case_id)}
    records = {r.hash: r for r in JournalAuditLog(store).records(case_id)}
    others = {m.id for m in state.case.household.members} - {subject}
    converter = make_converter()
    held: list[dict[str, Any]] = []
    seen: list[dict[str, Any]] = []
    for kind, about, at, what, who, role, basis, ref in rows:
        if kind == "disclosure":
            if not _about(records.get(ref), subject):
                continue
            seen.append({"at": at, "purpose": what, "recipient": who, "recipient_service": role, "channel": basis})
            continue
        event = events[ref]
        opened, sealed_part = to_payload(event.data, converter)
        data = _without(others, {**opened, **({} if event.erased else sealed_part)})
        entry = {"at": at, "type": what, "about": about, "by": who, "role": role, "legal_basis": basis,
                 "event_id": ref, "erased": event.erased, "data": data}
        if data.pop("snapshot", None):  # the form as sent, of the whole household: given on request, redacted
            entry["withheld"] = ["snapshot"]
        held.append(entry)
    at = clock()
    # the same record whatever the subject's data hold: every category, the subject, the basis
    disclosed = tuple({"category": c.value, "basis": "data_subject", "flow": "", "legal_basis": ACCESS_BASIS,
                       "consents": [], "members": [subject]} for c in DataCategory)
    audit.append(AuditRecord(
        at=at.astimezone(dt.UTC).isoformat(timespec="seconds"), case_id=case_id, territory=state.case.territory,
        recipient=DATA_SUBJECT, recipient_service=None, recipient_name=subject, purpose=ACCESS_PURPOSE,
        as_of=at.date().isoformat(), channel="journal", disclosed=disclosed, not_disclosed=(), pseudonymised=False,
        config_digest=""))
    return {"case_id": case_id, "subject": subject, "events": held, "disclosures": seen}


def _about(record: AuditRecord | None, subject: str) -> bool:
    """Whether a disclosure carried data of the subject, or of the household as a whole (no member named)."""
    if record is None:
        return False
    return any(subject in d.get("members", ()) or not d.get("members") for d in record.disclosed)


def _without(others: set[str], data: Any) -> Any:
    """JSON data less the items about another member (a dict whose ``member`` is one of ``others``)."""
    if isinstance(data, dict):
        return {k: [m for m in v if m not in others] if k == "work_ready_members" else _without(others, v)
                for k, v in data.items()}
    if isinstance(data, list):
        return [_without(others, v) for v in data if not (isinstance(v, dict) and v.get("member") in others)]
    return data
