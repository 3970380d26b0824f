"""
The journal store contract (:class:`JournalStore`), its errors, and what every adapter shares.

A store keeps each case's events in order, numbered from 1 without gaps, and appends a
command's events all or none. :meth:`JournalStore.append` takes the version the caller
read: if the case moved on since, it raises :class:`ConcurrencyConflict` and writes
nothing (optimistic concurrency). A command id already recorded returns the events it
recorded then, whatever the expected version (a retry never duplicates). Sealed payload
fields (:func:`~inclusione_core.journal.sealed`) are encrypted under the key of the event's
data subject; an event recording :class:`~inclusione_core.journal.SubjectErased` destroys
that key in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Final, Protocol

import attrs
import cattrs
import orjson

from .._config import Territory
from .._errors import InclusioneError
from ..i18n import Message
from . import _seal
from ._model import (
    STATUS_AFTER,
    CaseOpened,
    CaseState,
    Command,
    Event,
    SubjectErased,
    decide,
    evolve,
    from_payload,
    to_payload,
)

__all__ = ["ConcurrencyConflict", "JournalError", "JournalStore", "Row", "decode", "encode", "execute", "utc_now"]

OPENED_STATUS: Final = "accesso"


class ConcurrencyConflict(InclusioneError):
    """
    An append was based on a version of the case that is no longer the latest: someone else
    wrote first. Nothing was written: reload the case, decide again, and retry.

    :ivar case_id: the case.
    :ivar expected: the version the writer had read.
    :ivar actual: the version the case has.
    """

    __module__ = "inclusione_core.journal"

    def __init__(self, case_id: str, expected: int, actual: int) -> None:
        self.case_id = case_id
        self.expected = expected
        self.actual = actual
        super().__init__(Message(
            "case {case}: written meanwhile by someone else (version {actual}, this change was based on version"
            " {expected}); nothing was recorded: reload the case and try again",
            case=case_id, actual=actual, expected=expected))


class JournalError(InclusioneError):
    """
    The journal cannot do what was asked: a database of a newer schema, a command id already
    used for another case, a sealed payload that does not open with its key (altered).

    :ivar problem: what is wrong.
    """

    __module__ = "inclusione_core.journal"

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(problem)


class JournalStore(Protocol):
    """Where case journals are kept (SQLite by default, PostgreSQL in production, or the embedder's own)."""

    def append(self, case_id: str, expected_version: int, events: Sequence[Event], command_id: str) -> list[Event]:
        """
        Append a command's events to a case, atomically.

        :param case_id: the case.
        :param expected_version: the version the events were decided on (0 for a new case).
        :param events: the events, numbered from ``expected_version + 1``.
        :param command_id: the command's id: a second append with the same id returns the
            events recorded the first time and writes nothing.
        :return: the events as recorded (with ``recorded_at``).
        :raises ConcurrencyConflict: the case is no longer at ``expected_version``.
        """
        ...

    def events(self, case_id: str) -> list[Event]:
        """A case's events, oldest first, upcast to the current schema versions (``[]`` for no case)."""
        ...

    def recorded(self, case_id: str, command_id: str) -> list[Event] | None:
        """
        The events a command recorded, or ``None`` when the command id is new.

        :raises JournalError: the command id was recorded for another case.
        """
        ...

    def load(self, case_id: str) -> CaseState:
        """A case's state, replayed from its events."""
        ...

    def integrity_check(self) -> tuple[str, ...]:
        """Problems found in the storage and in the journals (versions not contiguous...); empty when sound."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


def utc_now() -> dt.datetime:
    """The current moment, UTC, to the second (the default clock)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def new_event_id() -> str:
    """A new random event id (UUID 4)."""
    return str(uuid.uuid4())


def execute(store: JournalStore, command: Command, *, clock: Callable[[], dt.datetime] = utc_now,
            new_id: Callable[[], str] = new_event_id, territory: Territory | None = None) -> list[Event]:
    """
    Load the case, decide the command, append its events: the usual way to change a case.

    A command id already recorded is not decided again: its recorded events are returned.

    :param territory: the case's territory: the case after the command is checked against
        it (see :func:`~inclusione_core.journal.decide`).

    :raises ConcurrencyConflict: another writer appended between the load and the append.
    :raises InputError: the command does not fit the case.
    :raises TransitionError: a referral step the state machine does not allow.
    """
    done = store.recorded(command.case_id, command.command_id)
    if done is not None:  # a retry: answered as the first time, not decided again on today's case
        return done
    state = store.load(command.case_id)
    events = decide(state, command, clock=clock, new_id=new_id, territory=territory)
    return store.append(command.case_id, state.version, events, command.command_id)


# --------------------------------------------------------------------------- rows


@attrs.frozen(kw_only=True)
class Row:
    """An event as a store keeps it: every column of ``case_events``."""

    case_id: str
    version: int
    event_id: str
    command_id: str
    type: str
    schema_version: int
    occurred_at: str
    recorded_at: str
    actor: str
    role: str
    legal_basis: str
    subject: str
    payload: bytes
    sealed: bytes | None


def _dumps(value: Any) -> bytes:
    # the journal's own columns, written to the operator's database; sealed fields are encrypted first
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def encode(event: Event, converter: cattrs.Converter, key: Callable[[str], bytes], recorded_at: str) -> Row:
    """
    An event as a row: its open fields as JSON, its sealed fields encrypted under ``key(subject)``.

    :param key: gives (creating it if need be) the key of a data subject of the event's case.
    """
    open_part, sealed_part = to_payload(event.data, converter, omit_defaults=True)
    blob = None
    if sealed_part:
        aad = _seal.associated_data(event.id, event.case_id, event.type)
        blob = _seal.seal(key(event.subject), _dumps(sealed_part), aad)
    return Row(case_id=event.case_id, version=event.version, event_id=event.id, command_id=event.command_id,
               type=event.type, schema_version=event.schema_version,
               occurred_at=event.occurred_at.isoformat(), recorded_at=recorded_at, actor=event.actor,
               role=event.role, legal_basis=event.legal_basis, subject=event.subject, payload=_dumps(open_part),
               sealed=blob)


def decode(row: Row, converter: cattrs.Converter, key: bytes | None) -> Event:
    """
    An event from its row, upcast; sealed fields opened with ``key`` (``None``: destroyed, so
    they take their defaults and the event is marked ``erased``).

    :raises JournalError: a sealed blob does not open (altered, or moved from another event).
    """
    data: dict[str, Any] = orjson.loads(row.payload)
    erased = False
    if row.sealed is not None:
        if key is None:
            erased = True
        else:
            try:
                data.update(orjson.loads(_seal.open_sealed(
                    key, row.sealed, _seal.associated_data(row.event_id, row.case_id, row.type))))
            except _seal.SealError:
                raise JournalError(Message("case {case}, event {event}: the sealed data do not open with their"
                                           " key (altered or moved)", case=row.case_id, event=row.event_id)) from None
    return Event(id=row.event_id, case_id=row.case_id, version=row.version,
                 data=from_payload(row.type, row.schema_version, data, converter),
                 occurred_at=dt.datetime.fromisoformat(row.occurred_at), actor=row.actor, role=row.role,
                 legal_basis=row.legal_basis, command_id=row.command_id,
                 recorded_at=dt.datetime.fromisoformat(row.recorded_at), erased=erased)


def status_after(status: str, events: Sequence[Event]) -> str:
    """The case's status column after some events (the same statuses :func:`evolve` gives the case)."""
    for event in events:
        status = STATUS_AFTER.get(event.type, status)
    return status


def territory_of(events: Sequence[Event]) -> str | None:
    """The territory named by a ``case.opened`` among the events."""
    return next((e.data.territory for e in events if isinstance(e.data, CaseOpened)), None)


def check_batch(case_id: str, expected_version: int, events: Sequence[Event], command_id: str) -> None:
    """Refuse a batch that does not belong where it is appended (a programming error of the caller)."""
    for offset, event in enumerate(events, start=1):
        if event.case_id != case_id or event.version != expected_version + offset or event.command_id != command_id:
            raise JournalError(Message(
                "case {case}: the events appended must be of this case and command, numbered from version {first}",
                case=case_id, first=expected_version + 1))



class StateCache:
    """
    The last state loaded of the most recent cases, so that loading a case again reads and
    folds only the events appended since (the log is append-only).

    Erasure is the one change to the past: earlier events no longer open. It always comes
    with a ``subject.erased`` event, so when one is among the new events the case is
    replayed from its first event.

    :param size: how many cases are kept (the least recently loaded go first).
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._states: OrderedDict[str, CaseState] = OrderedDict()

    def load(self, case_id: str, read: Callable[[int], list[Event]]) -> CaseState:
        """The case's state; ``read(first)`` gives its events from version ``first``."""
        state = self._states.get(case_id) or CaseState(case_id=case_id)
        new = read(state.version + 1)
        if state.version and any(isinstance(e.data, SubjectErased) for e in new):
            state, new = CaseState(case_id=case_id), read(1)
        for event in new:
            state = evolve(state, event)
        if state.version:
            self._states[case_id] = state
            self._states.move_to_end(case_id)
            while len(self._states) > self.size:
                self._states.popitem(last=False)
        return state
