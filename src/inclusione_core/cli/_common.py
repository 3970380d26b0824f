"""
What every command shares: exit statuses, output streams, and the engine the global options ask for.

Only the standard library at module level: ``inclusione --help`` answers at once. The
engine, attrs, cattrs and jsonschema are imported when a command runs.
"""

# Imports inside functions are the point: they keep start-up fast.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inclusione_core.i18n import Message, message_of, translate

if TYPE_CHECKING:
    from inclusione_core import AuditLog, AuditRecord, Engine, Limits

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as the shell reports a command killed by it
# Purpose, without importing it
PURPOSES = ("assessment", "equipe", "referral", "coordination", "monitoring", "statistics")
DEFAULT_RECIPIENT = "ssp"  # the social service holding the case...
DEFAULT_PURPOSE = "assessment"  # ...for the multidimensional assessment
AUDIT_ENV = "INCLUSIONE_AUDIT"
AUDIT_KEY_ENV = "INCLUSIONE_AUDIT_KEY_FILE"  # names a file holding the audit's HMAC key, never the key itself
MIN_AUDIT_KEY_BYTES = 32
DEBUG_ENV = "INCLUSIONE_DEBUG"


def out(text: str = "") -> None:
    """A line on standard output."""
    print(text, file=sys.stdout)


def err(text: str) -> None:
    """A line on standard error."""
    print(text, file=sys.stderr)


def emit_json(data: Any, *, pretty: bool = True) -> None:
    """JSON on standard output (``allow_nan=False``: a value that is not JSON is an error, never invalid output)."""
    if pretty:
        out(json.dumps(data, ensure_ascii=False, indent=2, default=str, allow_nan=False))
    else:
        out(json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str, allow_nan=False))
    sys.stdout.flush()


def debugging() -> bool:
    """``INCLUSIONE_DEBUG`` set: defects raise with their traceback."""
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


class NoticeAudit:
    """
    The audit of a command run without ``--audit``: it says once, on stderr, that the
    disclosures will not be kept, and keeps none (a batch of a million cases holds nothing
    per case); it counts them.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.told = False
        self.count = 0

    def append(self, record: AuditRecord) -> None:
        """Count the record, saying the first time that it is not kept."""
        if not self.told:
            self.told = True
            err(translate("warning: disclosures of data are recorded in memory only and will be lost when the command"
                          " ends; use --audit FILE (or INCLUSIONE_AUDIT) to keep them", self.lang))
        self.count += 1

    def records(self, case_id: str | None = None) -> list[AuditRecord]:
        """None: they are not kept."""
        return []


def engine(args: argparse.Namespace, *, notice: bool = True, audit: AuditLog | None = None) -> Engine:
    """
    The engine for a command: configuration directories, limits, and the audit of
    ``--audit`` (a JSON Lines file) or an in-memory one that warns, at the first
    disclosure, that its records are lost (``notice=False``: the demo, which discloses
    only example cases); ``audit``: the log to use when ``--audit`` is not given (the
    journal's own table).
    """
    from inclusione_core import Engine, JsonlAuditLog, MemoryAuditLog

    path = getattr(args, "audit", None)
    if path is not None:
        audit = JsonlAuditLog(path, key=audit_key(args.lang))
    elif audit is None:
        audit = NoticeAudit(args.lang) if notice else MemoryAuditLog()
    return Engine(config_dirs=args.config_dir, audit=audit, limits=limits(args))


def limits(args: argparse.Namespace) -> Limits:
    """The limits of ``--limit NAME=VALUE`` over the defaults; a bad one is an input error."""
    from inclusione_core import ErrorDetail, InputError, Limits

    settings = [*getattr(args, "limit", []), *getattr(args, "limit_after", [])]
    try:
        return Limits.parse(settings)
    except ValueError as exc:
        raise InputError("--limit", [ErrorDetail("$", Message("invalid limit: {problem}", problem=message_of(exc)),
                                                 None, "limit")]) from None


def audit_key(lang: str) -> bytes | None:
    """
    The audit's HMAC key, from the file named by ``INCLUSIONE_AUDIT_KEY_FILE`` (its bytes,
    without a final line ending); ``None`` when the variable is not set.
    """
    from inclusione_core import ErrorDetail, InputError

    name = os.environ.get(AUDIT_KEY_ENV, "")
    if not name:
        return None
    try:
        key = Path(name).read_bytes().rstrip(b"\r\n")
    except OSError as exc:
        problem = Message("audit key file ({env}) cannot be read: {exc}", env=AUDIT_KEY_ENV, exc=exc.strerror or exc)
        raise InputError(name, [ErrorDetail("$", problem, rule="audit-key")]) from None
    if len(key) < MIN_AUDIT_KEY_BYTES:
        problem = Message("the audit key in the file named by {env} has {n} bytes: at least {min} are needed; generate"
                          " a random one, e.g. with `head -c 32 /dev/urandom > key` (mode 600)", env=AUDIT_KEY_ENV,
                          n=len(key), min=MIN_AUDIT_KEY_BYTES)
        raise InputError(name, [ErrorDetail("$", problem, rule="audit-key")])
    return key


def output_format(args: argparse.Namespace) -> str:
    """The format of the views a command prints: ``--format``, else ``jsonl`` with ``--json``, else ``text``."""
    chosen: str | None = getattr(args, "format", None)
    return chosen or ("jsonl" if args.json else "text")
