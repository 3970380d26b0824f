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
from typing import Final

import cattrs

from .._convert import make_converter
from ..i18n import Message
from ._model import Event, SubjectErased
from ._sql import COLUMNS, SqlJournal, row_values
from ._store import (
    OPENED_STATUS,
    ConcurrencyConflict,
    JournalError,
    StateCache,
    check_batch,
    encode,
    status_after,
    territory_of,
    utc_now,
)

__all__ = ["SqliteJournal", "migrations"]

BUSY_TIMEOUT_S: Final = 30.0


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


class SqliteJournal(SqlJournal):
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
            db.executemany(f"INSERT INTO case_events ({COLUMNS}) VALUES ({', '.join('?' * 14)})",
                           [row_values(r) for r in rows])
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
            self._compact_after_erasure()
        return recorded

    # ------------------------------------------------------------------ read

    def _events(self, case_id: str, first: int) -> list[Event]:
        with self._lock:
            self._conn.execute("BEGIN")  # one snapshot for the keys and the events
            try:
                return self._read(self._conn, case_id, first)
            finally:
                self._conn.execute("COMMIT")

    def set_retention(self, case_id: str, until: dt.date | None) -> None:
        """Record the last day the case must be kept (computed from the territory's configured period)."""
        with self._write() as db:
            db.execute("UPDATE cases SET retention_until = ? WHERE id = ?",
                       (until.isoformat() if until else None, case_id))

    def expired(self, on: dt.date) -> list[str]:
        """
        The cases whose retention ended before ``on`` (``retention_until`` earlier) and whose
        data are not yet shredded (a subject's key remains), sorted.
        """
        with self._lock:
            rows = self._conn.execute("SELECT id FROM cases c WHERE retention_until < ? AND EXISTS"
                                      " (SELECT 1 FROM subject_keys k WHERE k.case_id = c.id) ORDER BY id",
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


