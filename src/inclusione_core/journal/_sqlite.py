"""
The SQLite journal store: the embedded default, one file (stdlib :mod:`sqlite3`).

The file is opened in WAL mode with ``synchronous=FULL`` (a committed append survives a
power cut), ``secure_delete`` (a deleted key is overwritten, not left in a free page) and a
busy timeout; every write is one ``BEGIN IMMEDIATE`` transaction, so two writers are
serialised and a writer killed mid-batch leaves nothing of its batch. The schema is made by
the numbered scripts in ``migrations/sqlite`` (``journal_migrations`` records those applied).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Final

import cattrs

from .._convert import make_converter
from ..i18n import Message
from . import _seal
from ._model import CaseState, Event, SubjectErased
from ._store import (
    OPENED_STATUS,
    ConcurrencyConflict,
    JournalError,
    Row,
    StateCache,
    check_batch,
    decode,
    encode,
    status_after,
    territory_of,
    utc_now,
)

__all__ = ["SqliteJournal", "migrations"]

BUSY_TIMEOUT_S: Final = 30.0
_COLUMNS: Final = ("case_id, version, event_id, command_id, type, schema_version, occurred_at, recorded_at, actor,"
                   " role, legal_basis, subject, payload, sealed")


def migrations(dialect: str) -> list[tuple[int, str, str]]:
    """The numbered migration scripts of a dialect (``sqlite``, ``postgresql``): ``(number, name, sql)``, in order."""
    folder = resources.files("inclusione_core.journal").joinpath("migrations", dialect)
    out = []
    for item in folder.iterdir():
        if item.name.endswith(".sql"):
            number = int(item.name.split("_", 1)[0])
            out.append((number, item.name, item.read_text(encoding="utf-8")))
    return sorted(out)


def _statements(script: str) -> Iterator[str]:
    """The statements of a script, one by one (a trigger's body keeps its semicolons)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        if not pending and (not line.strip() or line.lstrip().startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip():
        yield pending


class SqliteJournal:
    """
    A journal store in one SQLite file.

    :param path: the database file (created, with its schema, when missing).
    :param busy_timeout: how long a writer waits for another's transaction, in seconds.
    :param converter: the converter of the payloads (default: :func:`~inclusione_core.make_converter`).
    """

    dialect: Final = "sqlite"

    def __init__(self, path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT_S,
                 converter: cattrs.Converter | None = None) -> None:
        self.path = Path(path)
        self.converter = converter or make_converter()
        self._lock = threading.RLock()
        self._cache = StateCache()
        self._conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None,
                                     check_same_thread=False)
        self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":  # pragma: no cover - a file system without shared memory
            raise JournalError(Message("the journal {path} cannot use write-ahead logging", path=str(path)))
        for pragma in ("synchronous = FULL", "secure_delete = ON", "foreign_keys = ON"):
            self._conn.execute(f"PRAGMA {pragma}")
        self._migrate()

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _migrate(self) -> None:
        with self._write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS journal_migrations (version INTEGER PRIMARY KEY,"
                       " name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            done = {row[0] for row in db.execute("SELECT version FROM journal_migrations")}
            known = migrations(self.dialect)
            newer = done - {number for number, _, _ in known}
            if newer:
                raise JournalError(Message("the journal {path} has a newer schema (migration {number}) than this"
                                           " library knows: update inclusione_core", path=str(self.path),
                                           number=max(newer)))
            for number, name, script in known:
                if number in done:
                    continue
                for statement in _statements(script):
                    db.execute(statement)
                db.execute("INSERT INTO journal_migrations VALUES (?, ?, ?)",
                           (number, name, utc_now().isoformat()))

    def schema_version(self) -> int:
        """The number of the last migration applied."""
        return int(self._conn.execute("SELECT max(version) FROM journal_migrations").fetchone()[0] or 0)

    # ------------------------------------------------------------------ append

    def append(self, case_id: str, expected_version: int, events: Sequence[Event], command_id: str) -> list[Event]:
        """See :meth:`JournalStore.append <inclusione_core.journal.JournalStore.append>`."""
        check_batch(case_id, expected_version, events, command_id)
        with self._write() as db:
            done = db.execute("SELECT case_id, first_version, last_version FROM commands WHERE command_id = ?",
                              (command_id,)).fetchone()
            if done is not None:
                return self._recorded(db, case_id, command_id, done)
            row = db.execute("SELECT version, status FROM cases WHERE id = ?", (case_id,)).fetchone()
            actual, status = (row[0], row[1]) if row else (0, OPENED_STATUS)
            if actual != expected_version:
                raise ConcurrencyConflict(case_id, expected_version, actual)
            if not events:
                return []
            now = utc_now().isoformat()
            if row is None:
                territory = territory_of(events)
                if territory is None:
                    raise JournalError(Message("case {case}: the first events of a case must open it", case=case_id))
                db.execute("INSERT INTO cases (id, version, status, territory, created_at, updated_at)"
                           " VALUES (?, 0, ?, ?, ?, ?)", (case_id, status, territory, now, now))
            rows = [encode(e, self.converter, lambda subject: self._key(db, case_id, subject), now) for e in events]
            db.executemany(f"INSERT INTO case_events ({_COLUMNS}) VALUES ({', '.join('?' * 14)})",
                           [_values(r) for r in rows])
            db.executemany("INSERT INTO event_subjects (event_id, case_id, subject) VALUES (?, ?, ?)",
                           [(r.event_id, case_id, r.subject) for r in rows])
            last = events[-1].version
            db.execute("INSERT INTO commands VALUES (?, ?, ?, ?, ?)",
                       (command_id, case_id, expected_version + 1, last, now))
            db.execute("UPDATE cases SET version = ?, status = ?, updated_at = ? WHERE id = ?",
                       (last, status_after(status, events), now, case_id))
            erased = [e for e in events if isinstance(e.data, SubjectErased)]
            for event in erased:
                db.execute("DELETE FROM subject_keys WHERE case_id = ? AND subject = ?", (case_id, event.subject))
                db.execute("INSERT INTO erased_subjects VALUES (?, ?, ?, ?)",
                           (case_id, event.subject, event.id, now))
            recorded = self._read(db, case_id, expected_version + 1, last)
        if erased:
            self.compact()
        return recorded

    def _recorded(self, db: sqlite3.Connection, case_id: str, command_id: str, done: tuple[Any, ...]) -> list[Event]:
        if done[0] != case_id:
            raise JournalError(Message("command {command}: already recorded for another case", command=command_id))
        return self._read(db, case_id, done[1], done[2])

    @staticmethod
    def _key(db: sqlite3.Connection, case_id: str, subject: str) -> bytes:
        found = db.execute("SELECT key FROM subject_keys WHERE case_id = ? AND subject = ?",
                           (case_id, subject)).fetchone()
        if found is not None:
            return bytes(found[0])
        if db.execute("SELECT 1 FROM erased_subjects WHERE case_id = ? AND subject = ?",
                      (case_id, subject)).fetchone():
            raise JournalError(Message("case {case}: the data subject {subject} was erased: no data of theirs is"
                                       " recorded again", case=case_id, subject=subject))
        key = _seal.new_key()
        db.execute("INSERT INTO subject_keys VALUES (?, ?, ?, ?)", (case_id, subject, key, utc_now().isoformat()))
        return key

    # ------------------------------------------------------------------ read

    def _read(self, db: sqlite3.Connection, case_id: str, first: int = 1, last: int | None = None) -> list[Event]:
        keys = {s: bytes(k) for s, k in db.execute("SELECT subject, key FROM subject_keys WHERE case_id = ?",
                                                    (case_id,))}
        rows = db.execute(f"SELECT {_COLUMNS} FROM case_events WHERE case_id = ? AND version >= ?"
                          " AND version <= ? ORDER BY version", (case_id, first, last if last is not None else 2**62))
        return [decode(_row(r), self.converter, keys.get(r[11])) for r in rows]

    def events(self, case_id: str) -> list[Event]:
        """See :meth:`JournalStore.events <inclusione_core.journal.JournalStore.events>`."""
        return self._events(case_id, 1)

    def _events(self, case_id: str, first: int) -> list[Event]:
        with self._lock:
            self._conn.execute("BEGIN")  # one snapshot for the keys and the events
            try:
                return self._read(self._conn, case_id, first)
            finally:
                self._conn.execute("COMMIT")

    def recorded(self, case_id: str, command_id: str) -> list[Event] | None:
        """See :meth:`JournalStore.recorded <inclusione_core.journal.JournalStore.recorded>`."""
        with self._write() as db:
            done = db.execute("SELECT case_id, first_version, last_version FROM commands WHERE command_id = ?",
                              (command_id,)).fetchone()
            return None if done is None else self._recorded(db, case_id, command_id, done)

    def load(self, case_id: str) -> CaseState:
        """See :meth:`JournalStore.load <inclusione_core.journal.JournalStore.load>` (only new events are read)."""
        with self._lock:
            return self._cache.load(case_id, lambda first: self._events(case_id, first))

    def version(self, case_id: str) -> int:
        """The case's current version (0: no such case)."""
        with self._lock:
            row = self._conn.execute("SELECT version FROM cases WHERE id = ?", (case_id,)).fetchone()
        return int(row[0]) if row else 0

    def case_ids(self) -> list[str]:
        """The ids of every case, sorted."""
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT id FROM cases ORDER BY id")]

    def set_retention(self, case_id: str, until: dt.date | None) -> None:
        """Record the last day the case must be kept (computed from the territory's configured period)."""
        with self._write() as db:
            db.execute("UPDATE cases SET retention_until = ? WHERE id = ?",
                       (until.isoformat() if until else None, case_id))

    def expired(self, on: dt.date) -> list[str]:
        """The cases whose retention ended before ``on`` (``retention_until`` earlier), sorted."""
        with self._lock:
            rows = self._conn.execute("SELECT id FROM cases WHERE retention_until < ? ORDER BY id",
                                      (on.isoformat(),)).fetchall()
        return [r[0] for r in rows]

    # ------------------------------------------------------------------ maintenance

    def compact(self) -> bool:
        """
        Move the write-ahead log into the file and empty it, so that pages overwritten by an
        erasure are gone from the log too.

        :return: whether the whole log was checkpointed (``False``: a reader held it; call again).
        """
        with self._lock:
            busy, _log, _done = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return not busy

    def integrity_check(self) -> tuple[str, ...]:
        """See :meth:`JournalStore.integrity_check <inclusione_core.journal.JournalStore.integrity_check>`."""
        with self._lock:
            problems = [r[0] for r in self._conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
            problems += [f"foreign key: {r}" for r in self._conn.execute("PRAGMA foreign_key_check")]
            gaps = self._conn.execute(
                "SELECT c.id, c.version, count(e.seq), coalesce(max(e.version), 0) FROM cases c"
                " LEFT JOIN case_events e ON e.case_id = c.id GROUP BY c.id"
                " HAVING count(e.seq) != c.version OR coalesce(max(e.version), 0) != c.version")
            problems += [Message("case {case}: version {version}, but {count} events up to version {last}",
                                 case=c, version=v, count=n, last=m) for c, v, n, m in gaps]
            torn = self._conn.execute(
                "SELECT k.command_id FROM commands k WHERE (SELECT count(*) FROM case_events e"
                " WHERE e.case_id = k.case_id AND e.command_id = k.command_id) != k.last_version - k.first_version + 1")
            problems += [Message("command {command}: its events are incomplete", command=r[0]) for r in torn]
        return tuple(problems)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SqliteJournal:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _values(row: Row) -> tuple[Any, ...]:
    return (row.case_id, row.version, row.event_id, row.command_id, row.type, row.schema_version, row.occurred_at,
            row.recorded_at, row.actor, row.role, row.legal_basis, row.subject, row.payload.decode(), row.sealed)


def _row(r: Sequence[Any]) -> Row:
    return Row(case_id=r[0], version=r[1], event_id=r[2], command_id=r[3], type=r[4], schema_version=r[5],
               occurred_at=r[6], recorded_at=r[7], actor=r[8], role=r[9], legal_basis=r[10], subject=r[11],
               payload=bytes(r[12]) if isinstance(r[12], bytes | memoryview) else r[12].encode(),
               sealed=bytes(r[13]) if r[13] is not None else None)
