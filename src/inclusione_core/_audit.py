"""
The disclosure audit: one record per view produced, chained, queryable per case, verifiable.

"Who saw what about me": the data subject's right of access (GDPR art. 15) needs the
recipients to whom data was disclosed. Every view the engine produces appends an
:class:`AuditRecord` to the engine's :class:`AuditLog` before the view is returned.

The records form a hash chain: each record carries its sequence number (``seq``), the
hash of the record before it (``prev``; 64 zeros for the first) and its own ``hash``,
SHA-256 of its canonical JSON form, or HMAC-SHA256 under a key from the configuration.
:class:`JsonlAuditLog` keeps them in a JSON Lines file next to a small *head* file
(``FILE.head``) holding the last ``seq`` and ``hash``, so that records deleted at the end
of the file are noticed too. :func:`verify_audit` checks a file and names the first
broken or missing record; :meth:`JsonlAuditLog.read` reads every good line and names the
bad ones. The format is described in ``docs/privacy.md`` ("The audit file").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import threading
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Final, Protocol

import attrs

from ._errors import InclusioneError
from ._reader import Refused, parse_json
from .i18n import N_, Message

try:  # POSIX: serialise appends between processes
    import fcntl
except ImportError:  # pragma: no cover - Windows: threads are still serialised by the log's lock
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "AuditError",
    "AuditLog",
    "AuditProblem",
    "AuditRecord",
    "AuditWarning",
    "JsonlAuditLog",
    "MemoryAuditLog",
    "VerifyReport",
    "verify_audit",
]

FORMAT_VERSION: Final = 1
GENESIS: Final = "0" * 64
MIN_KEY_BYTES: Final = 32
MAC_SHA256: Final = "sha256"
MAC_HMAC: Final = "hmac-sha256"
_HASH_PREFIX: Final = b',"hash":"'
_HASH_SUFFIX_LEN: Final = len(_HASH_PREFIX) + 64 + len(b'"}')
_HEX: Final = frozenset("0123456789abcdef")
_TAIL_BLOCK: Final = 1 << 16
_HEAD_FORMAT: Final = "not a head file of this format"
_HEAD_TAG: Final = "the head's HMAC does not match the key"
_HEAD_UNKEYED: Final = "the head file is not keyed"

#: Problem kinds about one line of the audit (``AuditProblem.line`` is that line).
LINE_KINDS: Final = frozenset({
    "torn", "bad_json", "not_a_record", "edited", "unkeyed", "key_required", "missing", "reordered", "broken_chain",
})


class AuditError(InclusioneError):
    """
    The audit file cannot be appended to safely: it does not end as its head file says
    (records deleted at the end, head replaced), it is open to other users, the key does
    not match, or it is not an audit of this format. Nothing is disclosed without its
    record, so the disclosure fails too.

    :ivar path: the audit file.
    """

    __module__ = "inclusione_core"

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(Message("audit {path}: {problem}", path=self.path, problem=problem))


class AuditWarning(UserWarning):
    """Something about the audit an operator should look at, that does not stop disclosures."""

    __module__ = "inclusione_core"


@attrs.frozen(kw_only=True)
class AuditRecord:
    """
    One disclosure: when, to whom, for what, which categories went out and on which basis,
    which categories the recipient may not receive; and its place in the chain.

    The engine fills the disclosure fields; the log sets ``v``, ``seq``, ``prev``, ``mac``
    and ``hash`` when it appends the record (a record built by the engine has ``seq=0``).

    :ivar at: when the data were disclosed (the engine's clock), ISO 8601 with seconds, UTC.
    :ivar as_of: the date whose rules applied (``YYYY-MM-DD``).
    :ivar disclosed: each category disclosed with its basis (JSON-ready dicts, as the
        engine builds them).
    :ivar not_disclosed: the sorted codes of the categories the recipient may not receive
        for that purpose on that date, whatever the case holds (no per-case counts: they
        would reveal the data).
    :ivar v: the record format version.
    :ivar seq: the record's number in the log, from 1.
    :ivar prev: the ``hash`` of the record before (64 zeros for the first).
    :ivar mac: ``sha256`` or ``hmac-sha256`` (keyed).
    :ivar hash: hex digest of the canonical JSON of every other field.
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
    not_disclosed: tuple[str, ...]
    pseudonymised: bool
    config_digest: str
    v: int = FORMAT_VERSION
    seq: int = 0
    prev: str = ""
    mac: str = ""
    hash: str = ""


@attrs.frozen(kw_only=True)
class AuditProblem:
    """
    One thing wrong (or worth a look) in an audit file.

    :ivar line: the line of the audit file, from 1 (for ``truncated``, the line where the
        first missing record would be); ``None`` for a problem of the head file itself.
    :ivar kind: ``torn`` (a line cut by an interrupted write), ``bad_json``,
        ``not_a_record``, ``edited`` (the hash does not match the record), ``unkeyed`` (a
        record without the key's HMAC), ``key_required`` (a keyed audit checked without the
        key), ``missing`` (records missing or moved before this one), ``reordered`` (a
        record out of order or repeated), ``broken_chain`` (``prev`` is not the hash of the
        record before), ``truncated`` (records missing after the end of the file),
        ``head_missing``, ``head_invalid``, ``head_mismatch``, ``unanchored`` (records
        written after the last head: a crash between the two writes).
    :ivar expected: what the chain expected there (a ``seq``, a hash), if anything.
    :ivar found: what the line holds instead.
    :ivar detail: a technical detail (the JSON error, the field at fault); never record content.
    """

    line: int | None
    kind: str
    expected: str | None = None
    found: str | None = None
    detail: str = ""


@attrs.frozen(kw_only=True)
class VerifyReport:
    """
    The result of :func:`verify_audit`.

    :ivar path: the audit file checked.
    :ivar keyed: whether hashes were checked as HMAC under a key.
    :ivar lines: lines in the file.
    :ivar records: well-formed records read (whether or not their chain holds).
    :ivar last_seq: the ``seq`` of the last well-formed record (``None``: none).
    :ivar head_seq: the ``seq`` in the head file (``None``: missing or unreadable).
    :ivar problems: every error, in file order: any one makes the audit broken.
    :ivar warnings: what does not break the audit: torn lines the chain continues across,
        records not yet anchored by the head.
    """

    path: str
    keyed: bool
    lines: int
    records: int
    last_seq: int | None
    head_seq: int | None
    problems: tuple[AuditProblem, ...]
    warnings: tuple[AuditProblem, ...]

    @property
    def ok(self) -> bool:
        """No problem found (warnings allowed)."""
        return not self.problems

    @property
    def first_problem(self) -> AuditProblem | None:
        """The first broken or missing record, if any."""
        return self.problems[0] if self.problems else None

    @property
    def bad_lines(self) -> tuple[int, ...]:
        """Every line of the file with a problem or a warning, in order."""
        return tuple(sorted({p.line for p in (*self.problems, *self.warnings)
                             if p.line is not None and p.kind in LINE_KINDS}))


class AuditLog(Protocol):
    """Where disclosure records go. Implementations must be append-only."""

    def append(self, record: AuditRecord) -> None:
        """Append one record."""

    def records(self, case_id: str | None = None) -> list[AuditRecord]:
        """The records, oldest first, optionally of one case only."""
        ...


# --------------------------------------------------------------------------- canonical form and hashes


def _check_key(key: bytes | None) -> bytes | None:
    if key is None:
        return None
    if not isinstance(key, bytes | bytearray):
        raise TypeError("la chiave HMAC dell'audit deve essere bytes")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(
            f"la chiave HMAC dell'audit deve avere almeno {MIN_KEY_BYTES} byte (ne ha {len(key)}): "
            "generane una casuale, ad esempio con `head -c 32 /dev/urandom > chiave`")
    return bytes(key)


def _canonical(data: dict[str, Any]) -> bytes:
    """Sorted keys, compact separators, UTF-8 without escapes: the bytes that are hashed."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _digest(body: bytes, key: bytes | None) -> str:
    if key is None:
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _seal(record: AuditRecord, seq: int, prev: str, key: bytes | None) -> tuple[AuditRecord, bytes]:
    """
    The record with its place in the chain, and its line: the canonical JSON of every
    field but ``hash``, with ``,"hash":"…"`` inserted before the closing brace.
    """
    chain: dict[str, Any] = {"v": FORMAT_VERSION, "seq": seq, "prev": prev, "mac": MAC_HMAC if key else MAC_SHA256}
    fields = attrs.asdict(record, recurse=False)
    del fields["hash"]
    fields.update(chain)
    body = _canonical(fields)
    digest = _digest(body, key)
    return attrs.evolve(record, **chain, hash=digest), body[:-1] + _HASH_PREFIX + digest.encode() + b'"}\n'


def _fast(raw: bytes, key: bytes | None) -> tuple[int, str, str] | None:
    """
    ``(seq, prev, hash)`` of a line written by this module whose hash checks under ``key``
    (``None`` otherwise: the caller then parses the line to say what is wrong).

    The hash covers the bytes of the line, so a line whose hash checks is the line as
    written: its chain fields are read at their place (the last top-level keys ``mac``,
    ``prev`` and ``seq`` come after every nested object in the canonical order, and ``,"``
    cannot occur inside a JSON string), without parsing the whole line.
    """
    if len(raw) <= _HASH_SUFFIX_LEN or raw[-_HASH_SUFFIX_LEN:-66] != _HASH_PREFIX or not raw.endswith(b'"}'):
        return None
    body = raw[:-_HASH_SUFFIX_LEN] + b"}"
    if not body.endswith(b',"v":1}'):
        return None
    mac_at, prev_at, seq_at = body.rfind(b',"mac":"'), body.rfind(b',"prev":"'), body.rfind(b',"seq":')
    if min(mac_at, prev_at, seq_at) < 0:
        return None
    mac = body[mac_at + 8:body.find(b'"', mac_at + 8)]
    if mac != (b"hmac-sha256" if key is not None else b"sha256"):
        return None
    digest = _digest(body, key)
    if not hmac.compare_digest(digest.encode(), raw[-66:-2]):
        return None
    try:
        seq = int(body[seq_at + 7:body.find(b",", seq_at + 7)])
        prev = body[prev_at + 9:prev_at + 73].decode("ascii")
    except ValueError:
        return None
    return seq, prev, digest


def _body(raw: bytes, data: dict[str, Any]) -> bytes:
    """The hashed bytes of a line: the line without its ``hash`` member (as written, byte for byte)."""
    if len(raw) > _HASH_SUFFIX_LEN and raw.endswith(b'"}') and raw[-_HASH_SUFFIX_LEN:-66] == _HASH_PREFIX:
        return raw[:-_HASH_SUFFIX_LEN] + b"}"
    fields = dict(data)  # not as written: hash the canonical form, which will not match
    fields.pop("hash", None)
    return _canonical(fields)


_STR_FIELDS: Final = ("at", "case_id", "territory", "recipient", "recipient_name", "purpose", "as_of", "channel",
                      "config_digest", "mac")
_KEYS: Final = frozenset(a.name for a in attrs.fields(AuditRecord))


def _is_hex64(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


def _shape_problem(data: object) -> str:
    """What makes a parsed line not a record of this format ('' if nothing)."""
    if not isinstance(data, dict):
        return "not a JSON object"
    keys = set(data)
    if keys != _KEYS:
        parts = []
        if _KEYS - keys:
            parts.append("missing fields: " + ", ".join(sorted(_KEYS - keys)))
        if keys - _KEYS:
            parts.append("unknown fields: " + ", ".join(sorted(str(k) for k in keys - _KEYS)))
        return "; ".join(parts)
    if data["v"] != FORMAT_VERSION:
        return f"format version {str(data['v'])[:12]!r} (this version reads {FORMAT_VERSION})"
    wrong = [k for k in _STR_FIELDS if not isinstance(data[k], str)]
    if not (data["recipient_service"] is None or isinstance(data["recipient_service"], str)):
        wrong.append("recipient_service")
    if not (isinstance(data["seq"], int) and not isinstance(data["seq"], bool) and data["seq"] >= 1):
        wrong.append("seq")
    if not isinstance(data["pseudonymised"], bool):
        wrong.append("pseudonymised")
    if not (isinstance(data["disclosed"], list) and all(isinstance(d, dict) for d in data["disclosed"])):
        wrong.append("disclosed")
    if not (isinstance(data["not_disclosed"], list) and all(isinstance(c, str) for c in data["not_disclosed"])):
        wrong.append("not_disclosed")
    wrong += [k for k in ("prev", "hash") if not _is_hex64(data[k])]
    if data["mac"] not in (MAC_SHA256, MAC_HMAC) and "mac" not in wrong:
        wrong.append("mac")
    return ("wrong type or value: " + ", ".join(wrong)) if wrong else ""


def _parse(raw: bytes) -> tuple[dict[str, Any] | None, str, str]:
    """``(fields, "", "")`` for a record; ``(None, kind, detail)`` for a bad line."""
    try:
        data = parse_json(raw)  # the one strict reader: UTF-8, no NaN, no repeated key, bounded
    except Refused as exc:
        return None, "bad_json", "; ".join(str(d) for d in exc.details)
    problem = _shape_problem(data)
    if problem:
        return None, "not_a_record", problem
    return data, "", ""


def _to_record(data: dict[str, Any]) -> AuditRecord:
    return AuditRecord(**{**data, "disclosed": tuple(data["disclosed"]), "not_disclosed": tuple(data["not_disclosed"])})


# --------------------------------------------------------------------------- the head file


def head_path(path: Path | str) -> Path:
    """The head file of an audit file: ``FILE.head``."""
    p = Path(path)
    return p.with_name(p.name + ".head")


@attrs.frozen
class _Head:
    seq: int
    hash: str
    mac: str


def _head_bytes(seq: int, digest: str, key: bytes | None) -> bytes:
    data: dict[str, Any] = {"v": FORMAT_VERSION, "seq": seq, "hash": digest, "mac": MAC_HMAC if key else MAC_SHA256}
    if key is not None:
        data["tag"] = _digest(_canonical(data), key)
    return _canonical(data) + b"\n"


def _read_head(path: Path, key: bytes | None) -> tuple[_Head | None, AuditProblem | None]:
    """
    The head file, checked: ``(None, None)`` when it does not exist, ``(head or None,
    problem)`` when it cannot be trusted (unreadable, another mode, wrong tag).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    try:
        data = parse_json(raw)
        ok = (isinstance(data, dict) and data.get("v") == FORMAT_VERSION and isinstance(data.get("seq"), int)
              and not isinstance(data.get("seq"), bool) and data["seq"] >= 0 and _is_hex64(data.get("hash"))
              and data.get("mac") in (MAC_SHA256, MAC_HMAC))
    except Refused:
        ok = False
    if not ok:
        return None, AuditProblem(line=None, kind="head_invalid", detail=_HEAD_FORMAT)
    head = _Head(data["seq"], data["hash"], data["mac"])
    if head.mac == MAC_HMAC:
        if key is None:
            return head, AuditProblem(line=None, kind="key_required", expected=MAC_SHA256, found=MAC_HMAC,
                                      detail="the head file is keyed")
        tag = data.get("tag")
        body = {k: v for k, v in data.items() if k != "tag"}
        if not (isinstance(tag, str) and hmac.compare_digest(tag, _digest(_canonical(body), key))):
            return None, AuditProblem(line=None, kind="head_invalid", detail=_HEAD_TAG)
    elif key is not None:
        return None, AuditProblem(line=None, kind="head_invalid", expected=MAC_HMAC, found=MAC_SHA256,
                                  detail=_HEAD_UNKEYED)
    return head, None


# --------------------------------------------------------------------------- reading and checking a file


def _lines(f: IO[bytes]) -> Iterator[tuple[int, bytes, bool]]:
    """``(line number, content without newline, ended by a newline)`` of each line of a file."""
    for n, raw in enumerate(f, 1):
        if raw.endswith(b"\n"):
            yield n, raw[:-1], True
        else:
            yield n, raw, False


class _Check:
    """
    Walks the lines of an audit once: classifies bad lines, follows the chain (``seq`` and
    ``prev``) and, when asked, each record's hash. Resynchronises after each problem so
    that one deleted, edited or moved record is reported once.
    """

    def __init__(self, key: bytes | None, *, hashes: bool, head_seq: int | None = None) -> None:
        self.key = key
        self.hashes = hashes
        self.head_seq = head_seq
        self.hash_at_head: str | None = GENESIS if head_seq == 0 else None
        self.line_at_head: int | None = None
        self.first_after_head: int | None = None
        self.expected = 1
        self.prev = GENESIS
        self.pending: list[tuple[int, bool, str]] = []  # unreadable lines: (line, ended by newline, detail)
        self.problems: list[AuditProblem] = []
        self.warnings: list[AuditProblem] = []
        self.records = 0
        self.last: tuple[int, str, int] | None = None  # (seq, hash, line)
        self.lines = 0
        self.keyed_record_line: int | None = None

    def line(self, n: int, raw: bytes, ended: bool) -> dict[str, Any] | None:
        """Take one line; return the record's fields if it was parsed as a well-formed record."""
        self.lines = n
        if self.hashes:
            fast = _fast(raw, self.key)  # the common case: a good line, not parsed
            if fast is not None:
                self.records += 1
                self._link(n, *fast)
                return None
        data, kind, detail = _parse(raw)
        if data is None:
            if kind == "bad_json":
                self.pending.append((n, ended, detail))
            else:
                self.problems.append(AuditProblem(line=n, kind=kind, detail=detail))
            return None
        self.records += 1
        if self.hashes:
            self._hash(n, raw, data)
        self._link(n, data["seq"], data["prev"], data["hash"])
        return data

    def _link(self, n: int, seq: int, prev: str, digest: str) -> None:
        continues = seq == self.expected and prev == self.prev
        for line, _ended, why in self.pending:  # a torn line leaves the chain whole; anything else breaks it
            if continues:
                self.warnings.append(AuditProblem(line=line, kind="torn", detail=why))
            else:
                self.problems.append(AuditProblem(line=line, kind="bad_json", detail=why))
        self.pending.clear()
        if seq > self.expected:
            self.problems.append(AuditProblem(line=n, kind="missing", expected=str(self.expected), found=str(seq)))
        elif seq < self.expected:
            self.problems.append(AuditProblem(line=n, kind="reordered", expected=str(self.expected), found=str(seq)))
        elif prev != self.prev:
            self.problems.append(AuditProblem(line=n, kind="broken_chain", expected=self.prev, found=prev))
        if seq >= self.expected:
            self.expected, self.prev = seq + 1, digest
            self.last = (seq, digest, n)
        if seq == self.head_seq:
            self.hash_at_head, self.line_at_head = digest, n
        elif self.head_seq is not None and seq > self.head_seq and self.first_after_head is None:
            self.first_after_head = n

    def _hash(self, n: int, raw: bytes, data: dict[str, Any]) -> None:
        if data["mac"] == MAC_HMAC and self.key is None:
            if self.keyed_record_line is None:
                self.keyed_record_line = n
                self.problems.append(AuditProblem(line=n, kind="key_required", expected=MAC_SHA256, found=MAC_HMAC))
            return
        if data["mac"] == MAC_SHA256 and self.key is not None:
            self.problems.append(AuditProblem(line=n, kind="unkeyed", expected=MAC_HMAC, found=MAC_SHA256))
            return
        computed = _digest(_body(raw, data), self.key)
        if not hmac.compare_digest(computed, data["hash"]):
            self.problems.append(AuditProblem(line=n, kind="edited", expected=computed, found=data["hash"]))

    def end(self) -> None:
        """The end of the file: an unreadable last line without newline is a torn write."""
        for line, ended, why in self.pending:
            last = line == self.lines and not ended
            target = self.warnings if last else self.problems
            target.append(AuditProblem(line=line, kind="torn" if last else "bad_json", detail=why))
        self.pending.clear()


def verify_audit(path: Path | str, key: bytes | None = None) -> VerifyReport:
    """
    Check an audit file: every line a record, every record's hash (HMAC under ``key``),
    the chain of ``seq`` and ``prev``, and the end of the file against its head file.

    Reads the file once, line by line. Without the key of a keyed audit, the hashes cannot
    be checked (``key_required``); with a key, records hashed without it are ``unkeyed``.

    :param key: the audit's HMAC key (at least 32 bytes), if it has one.
    :raises FileNotFoundError: the audit file does not exist.
    :raises ValueError: the key is shorter than 32 bytes.
    """
    key = _check_key(key)
    path = Path(path)
    head, head_problem = _read_head(head_path(path), key)
    check = _Check(key, hashes=True, head_seq=head.seq if head is not None else None)
    with path.open("rb") as f:
        for n, raw, ended in _lines(f):
            check.line(n, raw, ended)
    check.end()
    problems, warns = check.problems, check.warnings
    last_seq = check.last[0] if check.last else None
    if head_problem is not None and (head_problem.kind != "key_required" or check.keyed_record_line is None):
        problems.append(head_problem)
    if head is None:
        if check.records and head_problem is None:
            problems.append(AuditProblem(line=None, kind="head_missing", found=str(last_seq)))
    else:
        _check_head(head, check, problems, warns)
    order = {p: i for i, p in enumerate(problems)}
    problems.sort(key=lambda p: (p.line is None, p.line or 0, order[p]))
    warns.sort(key=lambda p: (p.line or 0))
    return VerifyReport(path=str(path), keyed=key is not None, lines=check.lines, records=check.records,
                        last_seq=last_seq, head_seq=head.seq if head is not None else None,
                        problems=tuple(problems), warnings=tuple(warns))


def _check_head(head: _Head, check: _Check, problems: list[AuditProblem], warns: list[AuditProblem]) -> None:
    last_seq, last_hash, last_line = check.last or (0, GENESIS, 0)
    if head.seq > last_seq:  # records deleted at the end (or the file replaced by an older copy)
        problems.append(AuditProblem(line=check.lines + 1, kind="truncated", expected=str(head.seq),
                                     found=str(last_seq)))
    elif head.seq == last_seq:
        if head.hash != last_hash:
            problems.append(AuditProblem(line=last_line or None, kind="head_mismatch", expected=head.hash,
                                         found=last_hash))
    elif check.hash_at_head is not None and head.hash != check.hash_at_head:
        problems.append(AuditProblem(line=check.line_at_head, kind="head_mismatch", expected=head.hash,
                                     found=check.hash_at_head))
    else:  # written after the last head: a crash between the record and its head
        warns.append(AuditProblem(line=check.first_after_head, kind="unanchored", expected=str(head.seq),
                                  found=str(last_seq)))


def _read(path: Path, case_id: str | None) -> tuple[list[AuditRecord], tuple[AuditProblem, ...]]:
    check = _Check(None, hashes=False)
    out: list[AuditRecord] = []
    with path.open("rb") as f:
        for n, raw, ended in _lines(f):
            data = check.line(n, raw, ended)
            if data is not None and (case_id is None or data["case_id"] == case_id):
                out.append(_to_record(data))
    check.end()
    bad = [p for p in (*check.problems, *check.warnings) if p.kind in {"torn", "bad_json", "not_a_record"}]
    return out, tuple(sorted(bad, key=lambda p: p.line or 0))


# --------------------------------------------------------------------------- the logs


class MemoryAuditLog:
    """
    An in-memory audit log (tests, short-lived embedding), chained like :class:`JsonlAuditLog`.

    :param key: an HMAC key (at least 32 bytes): records are then MACed, as in the file log.
    """

    def __init__(self, *, key: bytes | None = None) -> None:
        self._key = _check_key(key)
        self._records: list[AuditRecord] = []
        self._lock = threading.Lock()

    def append(self, record: AuditRecord) -> None:
        """Append one record, chained to the last."""
        self.append_many((record,))

    def append_many(self, records: Iterable[AuditRecord]) -> None:
        """Append several records, in order."""
        with self._lock:
            for record in records:
                last = self._records[-1] if self._records else None
                sealed, _line = _seal(record, last.seq + 1 if last else 1, last.hash if last else GENESIS, self._key)
                self._records.append(sealed)

    def records(self, case_id: str | None = None) -> list[AuditRecord]:
        """The records, oldest first, optionally of one case only."""
        return [r for r in self._records if case_id is None or r.case_id == case_id]


@attrs.frozen
class _Tail:
    """What an append needs to know of the file, and how to tell it has not changed since."""

    dev: int
    ino: int
    size: int
    seq: int
    hash: str
    needs_newline: bool


class JsonlAuditLog:
    """
    An append-only JSON Lines file, one chained record per line, with its head file
    ``FILE.head``; each append is written in one ``write``, fsynced, then anchored in the
    head (written to a temporary file, fsynced, renamed).

    The file is created with mode 0600 and never rewritten, nor its mode changed: an
    existing file that other users may read or write, or the group may write, is refused
    (:class:`AuditError`); one the group may read gets an :class:`AuditWarning`. Appends are
    serialised by a lock (threads) and ``fcntl.flock`` (processes). The last ``seq`` and
    ``hash`` are learnt once from the end of the file and cached; the file's size and inode
    tell when another process appended, and only then is the end read again. A torn last
    line (a crash mid-write) stays in the file: the next record starts on a new line and
    chains from the last good record. Rotate or archive the file (with its head) with the
    tools of the host system.

    :param key: an HMAC key (at least 32 bytes): the hashes are then HMAC-SHA256 under it,
        and so is the head. A file is keyed or not for its whole life.
    """

    def __init__(self, path: Path | str, *, key: bytes | None = None) -> None:
        self.path = Path(path)
        self.head = head_path(self.path)
        self._key = _check_key(key)
        self._lock = threading.Lock()
        self._tail: _Tail | None = None
        self._warned = False

    @property
    def keyed(self) -> bool:
        """Whether records are MACed with a key."""
        return self._key is not None

    def append(self, record: AuditRecord) -> None:
        """Append one record durably."""
        self.append_many((record,))

    def append_many(self, records: Iterable[AuditRecord]) -> None:
        """Append several records durably: one write, one fsync of the file, one of the head."""
        pending = list(records)
        if not pending:
            return
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)  # released when fd is closed
                before = os.fstat(fd)
                self._check_mode(before.st_mode)
                tail = self._current_tail(fd, before)
                self._tail = None  # until this append is complete
                seq, prev = tail.seq, tail.hash
                chunks = [b"\n"] if tail.needs_newline else []
                for record in pending:
                    seq += 1
                    sealed, line = _seal(record, seq, prev, self._key)
                    prev = sealed.hash
                    chunks.append(line)
                _write_all(fd, b"".join(chunks))
                os.fsync(fd)
                self._write_head(seq, prev)
                after = os.fstat(fd)
                self._tail = _Tail(after.st_dev, after.st_ino, after.st_size, seq, prev, False)
            finally:
                os.close(fd)

    def records(self, case_id: str | None = None) -> list[AuditRecord]:
        """
        The records of every good line, oldest first, optionally of one case only; bad lines
        are skipped with an :class:`AuditWarning` naming them (:meth:`read` returns them).
        """
        records, bad = self.read(case_id)
        if bad:
            where = ", ".join(f"{p.line} ({p.kind})" for p in bad)
            warnings.warn(AuditWarning(Message("audit {path}: unreadable lines skipped: {where}", path=self.path,
                                               where=where)), stacklevel=2)
        return records

    def read(self, case_id: str | None = None) -> tuple[list[AuditRecord], tuple[AuditProblem, ...]]:
        """
        The records of every good line (optionally of one case only) and the bad lines
        (``torn``, ``bad_json``, ``not_a_record``), each with its line number. Reading does
        not check hashes or the chain: :func:`verify_audit` does.
        """
        if not self.path.exists():
            return [], ()
        return _read(self.path, case_id)

    def verify(self) -> VerifyReport:
        """:func:`verify_audit` on this log's file, with its key."""
        return verify_audit(self.path, self._key)

    # ------------------------------------------------------------------ internals

    def _check_mode(self, mode: int) -> None:
        if mode & (stat.S_IRWXO | stat.S_IWGRP):
            raise AuditError(self.path, Message(
                "the file is open to other users (permissions {mode}): the audit holds personal data. Restrict the"
                " permissions (chmod 600 {path}) and try again; inclusione does not change the permissions of an"
                " existing file", mode=stat.filemode(mode), path=self.path))
        if mode & stat.S_IRGRP and not self._warned:
            self._warned = True
            warnings.warn(AuditWarning(Message(
                "audit {path}: readable by the group (permissions {mode}); fine only if the group is the one that"
                " checks the audit", path=self.path, mode=stat.filemode(mode))), stacklevel=2)

    def _current_tail(self, fd: int, st: os.stat_result) -> _Tail:
        cached = self._tail
        if cached is not None and (cached.dev, cached.ino, cached.size) == (st.st_dev, st.st_ino, st.st_size):
            return cached
        last, needs_newline = _last_record(fd, st.st_size, self.path)
        head, problem = _read_head(self.head, self._key)
        if problem is not None:
            why = problem.detail if problem.kind == "head_invalid" else problem.kind
            raise AuditError(self.path, _refusal(why, head=self.head))
        if last is not None and last["mac"] != (MAC_HMAC if self._key else MAC_SHA256):
            raise AuditError(self.path, _refusal(_HEAD_UNKEYED if self._key else "key_required", head=self.head))
        seq, digest = (last["seq"], last["hash"]) if last is not None else (0, GENESIS)
        if head is None:
            if last is not None:
                raise AuditError(self.path, _refusal("head_missing", head=self.head))
            self._write_head(0, GENESIS)  # a new audit: its head exists before its first record
        elif head.seq > seq or (head.seq == seq and head.hash != digest):
            raise AuditError(self.path, _refusal("truncated", head=self.head, head_seq=head.seq, seq=seq))
        return _Tail(st.st_dev, st.st_ino, st.st_size, seq, digest, needs_newline)

    def _write_head(self, seq: int, digest: str) -> None:
        tmp = self.head.with_name(self.head.name + ".tmp")  # one writer at a time: under the file's lock
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            _write_all(fd, _head_bytes(seq, digest, self._key))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.head)


_VERIFY_HINT: Final = N_("Check it with `inclusione privacy verify FILE`; to go on, start a new audit file.")
_HEAD_REFUSALS: Final = {  # why an audit cannot be appended to -> English msgid ({hint}: _VERIFY_HINT)
    _HEAD_FORMAT: N_("the head file {head} is not valid. {hint}"),
    _HEAD_TAG: N_("the HMAC key is not the audit's, or the head file {head} was altered. {hint}"),
    _HEAD_UNKEYED: N_("the audit has no HMAC key: a file is keyed or not for its whole life; to use the key start a"
                      " new audit file."),
    "key_required": N_("the audit is protected by an HMAC key: configure it (INCLUSIONE_AUDIT_KEY_FILE for the"
                       " inclusione command, key= in the API)."),
    "head_missing": N_("the head file {head} is missing: records deleted at the end cannot be ruled out. {hint}"),
    "truncated": N_("the file does not end where its head {head} says (record {head_seq}, the file ends at record"
                    " {seq}): records deleted at the end or the file replaced. {hint}"),
}


def _refusal(why: str, **params: Any) -> Message:
    return Message(_HEAD_REFUSALS[why], hint=Message(_VERIFY_HINT), **params)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _pread(fd: int, size: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows; appends ignore the position (O_APPEND)
    return os.read(fd, size)  # pragma: no cover


def _last_record(fd: int, size: int, path: Path) -> tuple[dict[str, Any] | None, bool]:
    """
    The last well-formed record of the file, reading backwards from the end (normally one
    block), and whether the file lacks its final newline (a torn last line).

    :raises AuditError: the last readable line is JSON but not a record of this format.
    """
    if size == 0:
        return None, False
    needs_newline = _pread(fd, 1, size - 1) != b"\n"
    pos = size
    carry = b""
    while True:
        start = max(0, pos - _TAIL_BLOCK)
        lines = (_pread(fd, pos - start, start) + carry).split(b"\n")
        pos = start
        carry = lines.pop(0) if pos > 0 else b""  # may be cut: completed by the next block
        for raw in reversed(lines):
            if not raw.strip():
                continue
            data, kind, detail = _parse(raw)
            if data is not None:
                return data, needs_newline
            if kind == "not_a_record":
                raise AuditError(path, Message("the last readable line is not an audit record of this format"
                                               " ({detail}). {hint}", detail=detail, hint=Message(_VERIFY_HINT)))
        if pos == 0:
            return None, needs_newline
