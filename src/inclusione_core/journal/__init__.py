"""
The case journal: durable cases and their history, with optimistic concurrency and erasure.

A case is the sequence of its events (:class:`Event`, payloads such as :class:`ReferralSent`
with stable type names). Operators issue commands (:class:`SendReferral`...); :func:`decide`
answers a command with its events, :func:`evolve` folds an event into a :class:`CaseState`
(which holds the library's :class:`~inclusione_core.Case`). A :class:`JournalStore` keeps
the events: :class:`SqliteJournal` (one file, the default) or, for production, PostgreSQL.
:func:`execute` is the usual loop: load, decide, append::

    from inclusione_core import journal

    store = journal.open_store("sqlite:casi.db")
    journal.execute(store, journal.SendReferral(case_id="c-1", command_id="cmd-7", actor="rossi",
                    role="assistente_sociale", referral_id="inv-1", from_service="pua",
                    to_service="cpi", channel="scheda_invio", reason="bisogno lavorativo",
                    on=date(2025, 3, 3)))

Appending on a stale version raises :class:`ConcurrencyConflict`; retrying a command id
returns what it recorded. Special-category fields, and codes that may reveal them, are sealed
per data subject and erased by destroying the subject's key (:class:`EraseSubject`; at the
end of the territory's retention period, :func:`shred_expired`). :func:`access_export` gives
a data subject what the journal holds about them and who saw their case, and audits it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from ._access import ACCESS_PURPOSE, access_export
from ._audit_log import JournalAuditLog
from ._model import (
    ERASED_TEXT,
    EVENT_TYPES,
    HOUSEHOLD,
    STATUS_AFTER,
    UPCASTERS,
    AddMember,
    AnswerReferral,
    Assess,
    CaseAssessed,
    CaseClosed,
    CaseOpened,
    CaseRectified,
    CaseState,
    CloseCase,
    CloseReferral,
    Command,
    ConsentGiven,
    ConsentWithdrawn,
    EraseSubject,
    Event,
    EventData,
    ExpireCase,
    GiveConsent,
    MemberAdded,
    OpenCase,
    ProjectReviewed,
    ProjectSigned,
    Rectify,
    ReferralAnswered,
    ReferralClosed,
    ReferralSent,
    ReferralWithdrawn,
    ReviewProject,
    SendReferral,
    SignProject,
    SubjectErased,
    WithdrawConsent,
    WithdrawReferral,
    decide,
    evolve,
    replay,
    sealed,
    sealed_fields,
    upcast,
)
from ._retention import (
    DEFAULT_RETENTION_YEARS,
    RETENTION_BASIS,
    Shredding,
    retention_until,
    retention_years,
    shred_expired,
)
from ._sqlite import SqliteJournal
from ._store import ConcurrencyConflict, JournalError, JournalStore, execute

__all__ = [
    "ACCESS_PURPOSE",
    "DEFAULT_RETENTION_YEARS",
    "ERASED_TEXT",
    "EVENT_TYPES",
    "HOUSEHOLD",
    "RETENTION_BASIS",
    "STATUS_AFTER",
    "UPCASTERS",
    "AddMember",
    "AnswerReferral",
    "Assess",
    "CaseAssessed",
    "CaseClosed",
    "CaseOpened",
    "CaseRectified",
    "CaseState",
    "CloseCase",
    "CloseReferral",
    "Command",
    "ConcurrencyConflict",
    "ConsentGiven",
    "ConsentWithdrawn",
    "EraseSubject",
    "Event",
    "EventData",
    "ExpireCase",
    "GiveConsent",
    "JournalAuditLog",
    "JournalError",
    "JournalStore",
    "MemberAdded",
    "OpenCase",
    "ProjectReviewed",
    "ProjectSigned",
    "Rectify",
    "ReferralAnswered",
    "ReferralClosed",
    "ReferralSent",
    "ReferralWithdrawn",
    "ReviewProject",
    "SendReferral",
    "Shredding",
    "SignProject",
    "SqliteJournal",
    "SubjectErased",
    "WithdrawConsent",
    "WithdrawReferral",
    "access_export",
    "decide",
    "evolve",
    "execute",
    "open_store",
    "replay",
    "retention_until",
    "retention_years",
    "sealed",
    "sealed_fields",
    "shred_expired",
    "structure",
    "upcast",
]

T = TypeVar("T")

DEFAULT_FILE = "inclusione-journal.db"
"""The journal file in the working folder when no store is named."""


def open_store(url: str | Path | None = None, *, plugin_manager: Any = None) -> JournalStore:
    """
    Open a journal store by its address, through the stores the plugins register
    (``inclusione_register_journal_stores``).

    :param url: ``scheme:...``: ``sqlite:PATH``, ``postgresql://...`` (the ``postgresql``
        extra), or a scheme a plugin registers; an address without a known scheme is a
        SQLite file path; ``None``: :data:`DEFAULT_FILE` in the working folder.
    :param plugin_manager: the plugin manager to ask (default: a new one with the installed plugins).
    :return: the store (close it when done).
    """
    text = DEFAULT_FILE if url is None else str(url)
    scheme = text.split(":", 1)[0] if ":" in text else ""
    from .._plugins import Hooks, get_plugin_manager  # noqa: PLC0415

    stores = Hooks(plugin_manager or get_plugin_manager()).register_journal_stores()
    found = stores.get(scheme)
    if found is None:
        return SqliteJournal(text)
    store: JournalStore = found[0](text)
    return store

def structure(data: Any, cls: type[T], source: str) -> T:
    """
    A part of a case (an assessment, a project, a consent...) from its JSON form, as the case format writes it.

    :raises InputError: every problem, with its JSON path.
    """
    from .._convert import make_converter  # noqa: PLC0415
    from .._convert import structure as _structure  # noqa: PLC0415

    return _structure(make_converter(), data, cls, source)
