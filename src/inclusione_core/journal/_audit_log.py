"""
The disclosure audit kept in the journal's own database (table ``disclosure_audit``).

The records are those of :class:`~inclusione_core.JsonlAuditLog`, chained the same way
(``seq``, ``prev``, ``hash``: SHA-256, or HMAC-SHA256 under a key) and stored as the same
canonical JSON lines, so :meth:`JournalAuditLog.verify` checks them as ``verify_audit``
checks a file. The table is append-only (triggers refuse UPDATE and DELETE), which takes the
place of the file's head: records cannot be deleted at the end without dropping a trigger.
An embedding system without a journal keeps the JSON Lines audit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

import orjson

from .._audit import GENESIS, AuditRecord, VerifyReport, _Check, _check_key, _seal, _to_record

__all__ = ["JournalAuditLog"]


class _Store(Protocol):
    dialect: str
    _conn: Any

    def _write(self) -> Any: ...


class JournalAuditLog:
    """
    An :class:`~inclusione_core.AuditLog` in a journal store's database (SQLite or PostgreSQL).

    :param store: a :class:`~inclusione_core.journal.SqliteJournal` or ``PostgresJournal``.
    :param key: an HMAC key (at least 32 bytes): records are then MACed, as in the file log.
    """

    def __init__(self, store: Any, *, key: bytes | None = None) -> None:
        self.store: _Store = store
        self._key = _check_key(key)
        self._p = "?" if store.dialect == "sqlite" else "%s"

    def append(self, record: AuditRecord) -> None:
        """Append one record, chained to the last."""
        self.append_many((record,))

    def append_many(self, records: Iterable[AuditRecord]) -> None:
        """Append several records, in order, in one transaction."""
        p = self._p
        with self.store._write() as db:
            if self.store.dialect == "postgresql":  # one writer of the chain at a time
                db.execute("LOCK TABLE disclosure_audit IN EXCLUSIVE MODE")
            last = db.execute("SELECT seq, hash FROM disclosure_audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (int(last[0]), str(last[1])) if last else (0, GENESIS)
            for record in records:
                seq += 1
                sealed, line = _seal(record, seq, prev, self._key)
                db.execute(f"INSERT INTO disclosure_audit (seq, case_id, at, prev, hash, record)"
                           f" VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
                           (seq, sealed.case_id, sealed.at, prev, sealed.hash, line.rstrip(b"\n").decode()))
                prev = sealed.hash

    def _lines(self, case_id: str | None = None) -> list[str]:
        with self.store._write() as db:
            if case_id is None:
                rows = db.execute("SELECT record FROM disclosure_audit ORDER BY seq").fetchall()
            else:
                rows = db.execute(f"SELECT record FROM disclosure_audit WHERE case_id = {self._p} ORDER BY seq",
                                  (case_id,)).fetchall()
        return [str(r[0]) for r in rows]

    def records(self, case_id: str | None = None) -> list[AuditRecord]:
        """The records, oldest first, optionally of one case only."""
        return [_to_record(orjson.loads(line)) for line in self._lines(case_id)]

    def verify(self) -> VerifyReport:
        """Check every record's hash (HMAC with the key) and the chain of ``seq`` and ``prev``."""
        check = _Check(self._key, hashes=True)
        for n, line in enumerate(self._lines(), 1):
            check.line(n, line.encode(), True)
        check.end()
        return VerifyReport(path=f"{self.store.dialect}:disclosure_audit", keyed=self._key is not None,
                            lines=check.lines, records=check.records,
                            last_seq=check.last[0] if check.last else None, head_seq=None,
                            problems=tuple(check.problems), warnings=tuple(check.warnings))
