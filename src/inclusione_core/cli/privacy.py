"""
``inclusione privacy``: a territory's data flows, a case's view for a recipient, a case's
disclosure history, and the integrity of an audit file.
"""

# ruff: noqa: PLC0415 - the library is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import AUDIT_KEY_ENV, EXIT_INVALID, EXIT_OK, PURPOSES, audit_key, emit_json, engine, err, out
from ._common import output_format as _format
from ._texts import message

if TYPE_CHECKING:
    from inclusione_core import AuditProblem

    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser and its subcommands'."""
    p = commands.command("privacy")
    p.set_defaults(func=usage, privacy_parser=p)
    within = p.add_subparsers(dest="privacy_command", title=commands.help("privacy.commands"),
                              metavar="SOTTOCOMANDO" if commands.lang == "it" else "SUBCOMMAND")
    q = commands.command("flows", key="privacy.flows", within=within)
    q.add_argument("--territory", metavar="ID", required=True, help=commands.help("privacy.flows.territory"))
    q.set_defaults(func=flows)
    q = commands.command("view", key="privacy.view", within=within)
    q.add_argument("case", metavar="CASE", type=Path, help=commands.help("privacy.view.case"))
    q.add_argument("--territory", metavar="ID", help=commands.help("assess.territory"))
    q.add_argument("--recipient", metavar="KIND", required=True, help=commands.help("recipient"))
    q.add_argument("--purpose", choices=PURPOSES, required=True, help=commands.help("purpose"))
    commands.date_option(q, "privacy.view.as_of")
    commands.format_option(q)
    q.set_defaults(func=view)
    q = commands.command("history", key="privacy.history", within=within)
    q.add_argument("case_id", metavar="CASE_ID", help=commands.help("privacy.history.case_id"))
    q.set_defaults(func=history)
    q = commands.command("verify", key="privacy.verify", within=within)
    q.add_argument("file", metavar="FILE", type=Path, help=commands.help("privacy.verify.file"))
    q.set_defaults(func=verify)


def usage(args: argparse.Namespace) -> int:
    """``inclusione privacy`` without a subcommand: its help on stderr, exit 2."""
    args.privacy_parser.print_help(sys.stderr)
    return EXIT_INVALID


def flows(args: argparse.Namespace) -> int:
    """The data-flow table of a territory (configuration: no case data)."""
    from inclusione_core import Policy
    from inclusione_core.render import flows_text

    terr = engine(args).territory(args.territory)
    rows = Policy.of(terr).table()
    if args.json:
        emit_json({"territory": terr.id, "config_digest": terr.digest, "flows": rows})
    else:
        out(flows_text(rows, terr, args.lang))
    return EXIT_OK


def view(args: argparse.Namespace) -> int:
    """What a recipient may receive of a case, now, with the rules of ``--as-of`` (audited)."""
    import datetime as dt

    from inclusione_core import InvalidCaseError, read_json

    lang = args.lang
    eng = engine(args)
    data = read_json(args.case, limits=eng.limits, lang=lang, error=InvalidCaseError)
    case = eng.load_case(data, str(args.case), checked=True)
    territory = args.territory or case.territory
    shown = eng.disclose_case(case, recipient=args.recipient, purpose=args.purpose,
                              as_of=args.as_of or dt.date.today(), channel="cli", territory=territory)
    if args.json and getattr(args, "format", None) is None:
        emit_json(shown.to_json())
        return EXIT_OK
    renderer = eng.renderer(_format(args), sys.stdout, lang=lang)
    renderer.view(shown, eng.territory(territory))
    renderer.close()
    return EXIT_OK


def _audit_file(path: Path | None, lang: str) -> Path:
    """An audit file named on the command line; it must exist (a mistyped path must not answer "nobody saw")."""
    from inclusione_core import ErrorDetail, InputError

    if path is None:
        raise InputError("--audit", [ErrorDetail("$", message(lang, "history_needs_audit"), rule="audit")])
    if not path.is_file():
        raise InputError(str(path), [ErrorDetail("$", message(lang, "no_file"), str(path), "file")])
    return path


def _problem_text(p: AuditProblem, lang: str) -> str:
    """One problem of an audit file, in words: where, what, expected and found."""
    text = message(lang, f"kind.{p.kind}", env=AUDIT_KEY_ENV)
    if p.expected is not None or p.found is not None:
        text += f" ({message(lang, 'expected_found', expected=_short_hash(p.expected), found=_short_hash(p.found))})"
    if p.detail and p.kind in ("bad_json", "not_a_record", "torn", "head_invalid"):
        text += f": {p.detail}"
    return f"{message(lang, 'line', line=p.line) if p.line is not None else message(lang, 'head')}: {text}"


def _short_hash(value: str | None) -> str:
    if value is None:
        return "—"
    return value[:16] + "…" if len(value) == 64 else value


def history(args: argparse.Namespace) -> int:
    """Who received what about a case (the controller's, and the data subject's right of access)."""
    import attrs

    from inclusione_core import ErrorDetail, InputError, JsonlAuditLog
    from inclusione_core.render import history_text

    lang = args.lang
    if args.audit is None:
        err(message(lang, "history_needs_audit"))
        return EXIT_INVALID
    audit = _audit_file(args.audit, lang)
    log = JsonlAuditLog(audit)
    records, bad = log.read(args.case_id)  # every good line; the bad ones named, not fatal
    if bad and not records and not log.read()[0]:  # not one line is an audit record: not an audit file
        problem = message(lang, "bad_audit", exc="; ".join(_problem_text(p, lang) for p in bad[:3]))
        raise InputError(str(audit), [ErrorDetail("$", problem, rule="audit")])
    if bad:
        err(f"{message(lang, 'warning')}: {message(lang, 'bad_lines', n=len(bad), audit=audit)}")
        for p in bad:
            err(f"  {_problem_text(p, lang)}")
    if args.json:
        emit_json({"case_id": args.case_id, "audit": str(audit), "records": [attrs.asdict(r) for r in records],
                   "bad_lines": [attrs.asdict(p) for p in bad]})
    else:
        out(history_text(records, args.case_id, str(audit), lang))
    return EXIT_OK


def verify(args: argparse.Namespace) -> int:
    """Whether an audit file is whole: the first broken or missing record, every bad line; exit 2 if broken."""
    import attrs

    from inclusione_core import verify_audit

    lang = args.lang
    report = verify_audit(_audit_file(args.file, lang), audit_key(lang))
    if args.json:
        emit_json({**attrs.asdict(report), "ok": report.ok, "bad_lines": list(report.bad_lines),
                   "first_problem": attrs.asdict(report.first_problem) if report.first_problem else None})
        return EXIT_OK if report.ok else EXIT_INVALID
    title = message(lang, "verify_title", path=args.file)
    lines = [title, "=" * min(len(title), 100),
             "  " + message(lang, "verify_counts", lines=report.lines, records=report.records,
                            last="—" if report.last_seq is None else report.last_seq,
                            head="—" if report.head_seq is None else report.head_seq),
             "  " + message(lang, "verify_keyed" if report.keyed else "verify_unkeyed", env=AUDIT_KEY_ENV)]
    first = report.first_problem
    lines.append("  " + (message(lang, "verify_ok") if first is None else
                         message(lang, "verify_broken", where=_problem_text(first, lang))))
    for key, items in (("verify_problems", report.problems), ("verify_warnings", report.warnings)):
        if items:
            lines.append("  " + message(lang, key, n=len(items)))
            lines += [f"    {_problem_text(p, lang)}" for p in items]
    out("\n".join(lines))
    return EXIT_OK if report.ok else EXIT_INVALID
