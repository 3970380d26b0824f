"""
The disclosure audit: one record per view produced, queryable per case.

"Who saw what about me": the data subject's right of access (GDPR art. 15) needs the
recipients to whom data was disclosed. Every view the engine produces appends an
:class:`AuditRecord` to the engine's :class:`AuditLog` before the view is returned.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, Protocol

import attrs

__all__ = ["AuditLog", "AuditRecord", "JsonlAuditLog", "MemoryAuditLog"]


@attrs.frozen(kw_only=True)
class AuditRecord:
    """
    One disclosure: when, to whom, for what, which categories went out and on which basis,
    which were withheld.
    """

    at: str
    case_id: str
    territory: str
    recipient: str
    recipient_service: str | None
    recipient_name: str
    purpose: str
    as_of: str
    channel: str
    disclosed: tuple[dict[str, Any], ...]
    withheld: tuple[dict[str, Any], ...]
    pseudonymised: bool
    config_digest: str


class AuditLog(Protocol):
    """Where disclosure records go. Implementations must be append-only."""

    def append(self, record: AuditRecord) -> None:
        """Append one record."""

    def records(self, case_id: str | None = None) -> list[AuditRecord]:
        """The records, oldest first, optionally of one case only."""
        ...


class MemoryAuditLog:
    """An in-memory audit log (tests, short-lived embedding)."""

    def __init__(self) -> None:
        self._records: list[AuditRecord] = []
        self._lock = threading.Lock()

    def append(self, record: AuditRecord) -> None:
        """Append one record."""
        with self._lock:
            self._records.append(record)

    def records(self, case_id: str | None = None) -> list[AuditRecord]:
        """The records, oldest first, optionally of one case only."""
        return [r for r in self._records if case_id is None or r.case_id == case_id]


class JsonlAuditLog:
    """
    An append-only JSON Lines file: one record per line, flushed and fsynced per record.

    The file is never rewritten; rotate or archive it with the tools of the host system.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, record: AuditRecord) -> None:
        """Append one record durably."""
        line = json.dumps(attrs.asdict(record), ensure_ascii=False, sort_keys=True)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
                f.flush()
                os.fsync(f.fileno())

    def records(self, case_id: str | None = None) -> list[AuditRecord]:
        """The records, oldest first, optionally of one case only."""
        if not self.path.exists():
            return []
        out = []
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                data = json.loads(line)
                data["disclosed"] = tuple(data["disclosed"])
                data["withheld"] = tuple(data["withheld"])
                record = AuditRecord(**data)
                if case_id is None or record.case_id == case_id:
                    out.append(record)
        return out
