"""
What the SQLite and PostgreSQL journal stores share: the same tables, so the same reads.

Each store keeps what its engine does its own way (opening, transactions and snapshots,
migrations, the append's locking, retention dates, maintenance); the queries written here
use ``?`` and are given to the driver with its own placeholder (:attr:`SqlJournal.PLACEHOLDER`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, ClassVar, Final, Self

import cattrs

from ..i18n import Message
from . import _seal
from ._model import CaseState, Event
from ._store import JournalError, Row, StateCache, decode, utc_now

__all__ = ["COLUMNS", "SqlJournal", "row_values"]

COLUMNS: Final = ("case_id, version, event_id, command_id, type, schema_version, occurred_at, recorded_at, actor,"
                  " role, legal_basis, subject, payload, sealed")
"""The columns of ``case_events`` a store writes and reads, in this order."""


class SqlJournal:
    """The reads and the keys of a journal store over a DB-API connection (subclassed per engine)."""

    PLACEHOLDER: ClassVar[str] = "?"  # the driver's parameter placeholder
    SELECT: ClassVar[str] = COLUMNS  # the columns as read back (PostgreSQL casts the payload to text)
    LAST_VERSION: ClassVar[int] = 2**62  # no version is beyond it

    converter: cattrs.Converter
    _lock: threading.RLock
    _conn: Any
    _cache: StateCache
    _erasing: int = 0  # erasures() under way (any thread): erasing appends leave the compaction to their end
    _pending: bool = False  # an erasure happened meanwhile: compact when the last erasures() ends

    def compact(self) -> bool:
        """Make the storage forget what an erasure deleted (per engine)."""
        raise NotImplementedError

    @contextmanager
    def erasures(self) -> Iterator[None]:
        """
        A run of erasures (``shred_expired``): the storage is compacted once, when the last
        run under way ends (even after an error), instead of after each erasing append, and
        only if something was erased. An erasure from another thread meanwhile is compacted
        then too.
        """
        with self._lock:
            self._erasing += 1
        try:
            yield
        finally:
            with self._lock:
                self._erasing -= 1
                due = self._erasing == 0 and self._pending
                if due:
                    self._pending = False
            if due:
                self.compact()

    def _compact_after_erasure(self) -> None:
        with self._lock:
            if self._erasing:
                self._pending = True
                return
        self.compact()

    def _q(self, sql: str) -> str:
        """A query written with ``?``, in the driver's placeholder."""
        return sql if self.PLACEHOLDER == "?" else sql.replace("?", self.PLACEHOLDER)

    def _write(self) -> AbstractContextManager[Any]:
        """One write transaction (the connection, locked)."""
        raise NotImplementedError

    def _events(self, case_id: str, first: int) -> list[Event]:
        """The case's events from version ``first``, read in one snapshot."""
        raise NotImplementedError

    def _recorded(self, db: Any, case_id: str, command_id: str, done: Sequence[Any]) -> list[Event]:
        if done[0] != case_id:
            raise JournalError(Message("command {command}: already recorded for another case", command=command_id))
        return self._read(db, case_id, done[1], done[2])

    def _key(self, db: Any, case_id: str, subject: str) -> bytes:
        """The subject's key in the case, made on first use; refused for a subject erased."""
        found = db.execute(self._q("SELECT key FROM subject_keys WHERE case_id = ? AND subject = ?"),
                           (case_id, subject)).fetchone()
        if found is not None:
            return bytes(found[0])
        if db.execute(self._q("SELECT 1 FROM erased_subjects WHERE case_id = ? AND subject = ?"),
                      (case_id, subject)).fetchone():
            raise JournalError(Message("case {case}: the data subject {subject} was erased: no data of theirs is"
                                       " recorded again", case=case_id, subject=subject))
        key = _seal.new_key()
        db.execute(self._q("INSERT INTO subject_keys VALUES (?, ?, ?, ?)"),
                   (case_id, subject, key, utc_now().isoformat()))
        return key

    def _read(self, db: Any, case_id: str, first: int = 1, last: int | None = None) -> list[Event]:
        keys = {s: bytes(k) for s, k in db.execute(self._q("SELECT subject, key FROM subject_keys WHERE case_id = ?"),
                                                    (case_id,))}
        rows = db.execute(self._q(f"SELECT {self.SELECT} FROM case_events WHERE case_id = ? AND version >= ?"
                                  " AND version <= ? ORDER BY version"),
                          (case_id, first, self.LAST_VERSION if last is None else last))
        return [decode(_row(r), self.converter, keys.get(r[11])) for r in rows]

    def events(self, case_id: str) -> list[Event]:
        """See :meth:`JournalStore.events <inclusione_core.journal.JournalStore.events>`."""
        return self._events(case_id, 1)

    def recorded(self, case_id: str, command_id: str) -> list[Event] | None:
        """See :meth:`JournalStore.recorded <inclusione_core.journal.JournalStore.recorded>`."""
        with self._write() as db:
            done = db.execute(self._q("SELECT case_id, first_version, last_version FROM commands"
                                      " WHERE command_id = ?"), (command_id,)).fetchone()
            return None if done is None else self._recorded(db, case_id, command_id, done)

    def load(self, case_id: str) -> CaseState:
        """See :meth:`JournalStore.load <inclusione_core.journal.JournalStore.load>` (only new events are read)."""
        with self._lock:
            return self._cache.load(case_id, lambda first: self._events(case_id, first))

    def version(self, case_id: str) -> int:
        """The case's current version (0: no such case)."""
        with self._lock:
            row = self._conn.execute(self._q("SELECT version FROM cases WHERE id = ?"), (case_id,)).fetchone()
        return int(row[0]) if row else 0

    def case_ids(self) -> list[str]:
        """The ids of every case, sorted."""
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT id FROM cases ORDER BY id")]

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def row_values(row: Row) -> tuple[Any, ...]:
    """An encoded event as the values of :data:`COLUMNS`."""
    return (row.case_id, row.version, row.event_id, row.command_id, row.type, row.schema_version, row.occurred_at,
            row.recorded_at, row.actor, row.role, row.legal_basis, row.subject, row.payload.decode(), row.sealed)


def _row(r: Sequence[Any]) -> Row:
    return Row(case_id=r[0], version=r[1], event_id=r[2], command_id=r[3], type=r[4], schema_version=r[5],
               occurred_at=r[6], recorded_at=r[7], actor=r[8], role=r[9], legal_basis=r[10], subject=r[11],
               payload=bytes(r[12]) if isinstance(r[12], bytes | memoryview) else r[12].encode(),
               sealed=bytes(r[13]) if r[13] is not None else None)


