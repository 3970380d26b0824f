"""
The PostgreSQL journal store (psycopg 3), for production: the same tables and behaviour as
:class:`~inclusione_core.journal.SqliteJournal`.

Each append is one transaction that locks the case's row (``SELECT ... FOR UPDATE``), so
writers of one case are serialised and writers of different cases are not; the unique
``(case_id, version)`` and command-id keys are the last guard. A new case is inserted with
``ON CONFLICT DO NOTHING``: of two writers opening the same case, one gets the conflict.

Erasure deletes the subject's key and then runs ``VACUUM FULL subject_keys`` so that the
table's file no longer holds it; PostgreSQL's write-ahead log, its archives and the
backups may still hold the key until they expire: their retention is the operator's to set
(the SQLite store has no such copies beyond its own file).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

import cattrs

from .._convert import make_converter
from ..i18n import Message
from ._model import Event, SubjectErased
from ._sql import COLUMNS, SqlJournal, row_values
from ._sqlite import migrations
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

__all__ = ["PostgresJournal"]

_PLACES: Final = ", ".join(["%s"] * 12 + ["%s::jsonb", "%s"])
_MIGRATION_LOCK: Final = 0x1A19_0001  # the advisory lock of the journal's migrations


class PostgresJournal(SqlJournal):
    """
    A journal store in a PostgreSQL database.

    :param dsn: the connection string (``postgresql://user@host/db`` or ``host=... dbname=...``).
    :param converter: the converter of the payloads (default: :func:`~inclusione_core.make_converter`).
    """

    dialect: Final = "postgresql"
    PLACEHOLDER = "%s"
    SELECT = COLUMNS.replace("payload", "payload::text")
    LAST_VERSION = 2**31 - 1  # the largest version (INTEGER)

    def __init__(self, dsn: str, *, converter: cattrs.Converter | None = None) -> None:
        import psycopg  # noqa: PLC0415 - the optional extra, only for this store

        self._psycopg = psycopg
        self.dsn = dsn
        self.converter = converter or make_converter()
        self._lock = threading.RLock()
        self._cache = StateCache()
        self._conn = psycopg.connect(dsn, autocommit=True)
        self._migrate()

    @contextmanager
    def _write(self) -> Iterator[Any]:
        with self._lock, self._conn.transaction():
            yield self._conn

    def _migrate(self) -> None:
        with self._write() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            db.execute("CREATE TABLE IF NOT EXISTS journal_migrations (version INTEGER PRIMARY KEY,"
                       " name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            done = {row[0] for row in db.execute("SELECT version FROM journal_migrations")}
            known = migrations(self.dialect)
            newer = done - {number for number, _, _ in known}
            if newer:
                raise JournalError(Message("the journal {path} has a newer schema (migration {number}) than this"
                                           " library knows: update inclusione_core", path=self._where(),
                                           number=max(newer)))
            for number, name, script in known:
                if number not in done:
                    db.execute(script)
                    db.execute("INSERT INTO journal_migrations VALUES (%s, %s, %s)",
                               (number, name, utc_now().isoformat()))

    def _where(self) -> str:
        info = self._conn.info
        return f"postgresql {info.host}:{info.port}/{info.dbname}"

    def schema_version(self) -> int:
        """The number of the last migration applied."""
        with self._lock:
            row = self._conn.execute("SELECT coalesce(max(version), 0) FROM journal_migrations").fetchone()
        return int(row[0]) if row else 0

    # ------------------------------------------------------------------ append

    def append(self, case_id: str, expected_version: int, events: Sequence[Event], command_id: str) -> list[Event]:
        """See :meth:`JournalStore.append <inclusione_core.journal.JournalStore.append>`."""
        check_batch(case_id, expected_version, events, command_id)
        errors = self._psycopg.errors
        try:
            recorded, erased = self._append(case_id, expected_version, events, command_id)
        except errors.UniqueViolation as exc:  # a writer of the same command or version committed meanwhile
            with self._write() as db:
                done = db.execute("SELECT case_id, first_version, last_version FROM commands"
                                  " WHERE command_id = %s", (command_id,)).fetchone()
                if done is not None:
                    return self._recorded(db, case_id, command_id, done)
                actual = db.execute("SELECT version FROM cases WHERE id = %s", (case_id,)).fetchone()
            raise ConcurrencyConflict(case_id, expected_version, actual[0] if actual else 0) from exc
        if erased:
            self._compact_after_erasure()
        return recorded

    def _append(self, case_id: str, expected_version: int, events: Sequence[Event],
                command_id: str) -> tuple[list[Event], bool]:
        with self._write() as db:
            done = db.execute("SELECT case_id, first_version, last_version FROM commands WHERE command_id = %s",
                              (command_id,)).fetchone()
            if done is not None:
                return self._recorded(db, case_id, command_id, done), False
            row = db.execute("SELECT version, status FROM cases WHERE id = %s FOR UPDATE", (case_id,)).fetchone()
            actual, status = (row[0], row[1]) if row else (0, OPENED_STATUS)
            if actual != expected_version:
                raise ConcurrencyConflict(case_id, expected_version, actual)
            if not events:
                return [], False
            now = utc_now()
            if row is None:
                territory = territory_of(events)
                if territory is None:
                    raise JournalError(Message("case {case}: the first events of a case must open it", case=case_id))
                created = db.execute(
                    "INSERT INTO cases (id, version, status, territory, created_at, updated_at)"
                    " VALUES (%s, 0, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING RETURNING id",
                    (case_id, status, territory, now, now)).fetchone()
                if created is None:  # another writer opened it first
                    other = db.execute("SELECT version FROM cases WHERE id = %s", (case_id,)).fetchone()
                    raise ConcurrencyConflict(case_id, expected_version, other[0] if other else 0)
            stamp = now.isoformat()
            rows = [encode(e, self.converter, lambda subject: self._key(db, case_id, subject), stamp) for e in events]
            with db.cursor() as cur:
                cur.executemany(f"INSERT INTO case_events ({COLUMNS}) VALUES ({_PLACES})",
                                [row_values(r) for r in rows])
                cur.executemany("INSERT INTO event_subjects (event_id, case_id, subject) VALUES (%s, %s, %s)",
                                [(r.event_id, case_id, r.subject) for r in rows])
            last = events[-1].version
            db.execute("INSERT INTO commands VALUES (%s, %s, %s, %s, %s)",
                       (command_id, case_id, expected_version + 1, last, stamp))
            db.execute("UPDATE cases SET version = %s, status = %s, updated_at = %s WHERE id = %s",
                       (last, status_after(status, events), now, case_id))
            erased = [e for e in events if isinstance(e.data, SubjectErased)]
            for event in erased:
                db.execute("DELETE FROM subject_keys WHERE case_id = %s AND subject = %s", (case_id, event.subject))
                db.execute("INSERT INTO erased_subjects VALUES (%s, %s, %s, %s)",
                           (case_id, event.subject, event.id, stamp))
            return self._read(db, case_id, expected_version + 1, last), bool(erased)

    # ------------------------------------------------------------------ read

    def _events(self, case_id: str, first: int) -> list[Event]:
        with self._lock, self._conn.transaction():
            self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return self._read(self._conn, case_id, first)

    def set_retention(self, case_id: str, until: dt.date | None) -> None:
        """Record the last day the case must be kept (computed from the territory's configured period)."""
        with self._write() as db:
            db.execute("UPDATE cases SET retention_until = %s WHERE id = %s", (until, case_id))

    def expired(self, on: dt.date) -> list[str]:
        """
        The cases whose retention ended before ``on`` (``retention_until`` earlier) and whose
        data are not yet shredded (a subject's key remains), sorted.
        """
        with self._lock:
            rows = self._conn.execute("SELECT id FROM cases c WHERE retention_until < %s AND EXISTS"
                                      " (SELECT 1 FROM subject_keys k WHERE k.case_id = c.id) ORDER BY id",
                                      (on,)).fetchall()
        return [r[0] for r in rows]

    # ------------------------------------------------------------------ maintenance

    def compact(self) -> bool:
        """Rewrite the key table (``VACUUM FULL``) so a deleted key is gone from its file; ``True`` when done."""
        with self._lock:
            self._conn.execute("VACUUM FULL subject_keys")
        return True

    def integrity_check(self) -> tuple[str, ...]:
        """See :meth:`JournalStore.integrity_check <inclusione_core.journal.JournalStore.integrity_check>`."""
        with self._lock:
            gaps = self._conn.execute(
                "SELECT c.id, c.version, count(e.seq), coalesce(max(e.version), 0) FROM cases c"
                " LEFT JOIN case_events e ON e.case_id = c.id GROUP BY c.id, c.version"
                " HAVING count(e.seq) != c.version OR coalesce(max(e.version), 0) != c.version").fetchall()
            problems = [Message("case {case}: version {version}, but {count} events up to version {last}",
                                case=c, version=v, count=n, last=m) for c, v, n, m in gaps]
            torn = self._conn.execute(
                "SELECT k.command_id FROM commands k WHERE (SELECT count(*) FROM case_events e"
                " WHERE e.case_id = k.case_id AND e.command_id = k.command_id)"
                " != k.last_version - k.first_version + 1").fetchall()
            problems += [Message("command {command}: its events are incomplete", command=r[0]) for r in torn]
        return tuple(problems)


