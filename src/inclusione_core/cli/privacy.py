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

from inclusione_core.i18n import N_, Message, translate

from ._common import AUDIT_KEY_ENV, EXIT_INVALID, EXIT_OK, audit_key, emit_json, engine, err, out
from ._common import output_format as _format

if TYPE_CHECKING:
    from inclusione_core import AuditProblem

    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser and its subcommands'."""
    p = commands.command("privacy", "privacy: a territory's data flows, the view of a case for a recipient, a case's "
                                    "disclosure history, audit verification")
    p.set_defaults(func=usage, privacy_parser=p)
    within = p.add_subparsers(dest="privacy_command", title=commands.help("subcommands"),
                              metavar=commands.help("SUBCOMMAND"))
    q = commands.command("flows", "data-flow table: who receives which categories, for which purpose, on which legal "
                                  "basis (from the configuration)", within=within)
    q.add_argument("--territory", metavar="ID", required=True, help=commands.help("territory"))
    q.set_defaults(func=flows)
    q = commands.command("view", "the data of a case that a recipient may receive for a purpose on a date, with what "
                                 "is withheld (recorded in the audit)", within=within)
    q.add_argument("case", metavar="CASE", type=Path, help=commands.help("case file (.json)"))
    commands.disclosure_options(q, required=True)
    commands.date_option(q, "as-of date YYYY-MM-DD (default: today): it chooses the rules in force; consents count "
                            "when the data leave, not on this date")
    commands.format_option(q)
    q.set_defaults(func=view)
    q = commands.command("history", "who received which data about a case, when and on which basis (from the audit "
                                    "file: the data subject's right of access)", within=within)
    q.add_argument("case_id", metavar="CASE_ID", help=commands.help("case identifier"))
    q.set_defaults(func=history)
    q = commands.command("verify", "check that the audit file is intact (hash chain, head file) and name the first "
                                   "edited or missing record with its line; exit status 0 intact, 2 broken. The HMAC "
                                   "key, if the audit has one, is read from the file named by "
                                   "INCLUSIONE_AUDIT_KEY_FILE", within=within)
    q.add_argument("file", metavar="FILE", type=Path, help=commands.help("audit file (JSON Lines) to check"))
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
    rows = Policy.of(terr).table(args.lang)
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
        emit_json(shown.to_json(args.explain))
        return EXIT_OK
    renderer = eng.renderer(_format(args), sys.stdout, lang=lang, explain=args.explain)
    renderer.view(shown, eng.territory(territory))
    renderer.close()
    return EXIT_OK


NEEDS_AUDIT = N_("the disclosure history is read from the audit file: give --audit FILE or the INCLUSIONE_AUDIT"
                 " variable")
_PROBLEMS = {  # the kinds of problem of an audit file (AuditProblem.kind) -> English msgid
    "torn": N_("line cut by an interrupted write (the chain goes on past it)"),
    "bad_json": N_("not a JSON line"),
    "not_a_record": N_("not an audit record of this format"),
    "edited": N_("record edited: its hash does not match its content"),
    "unkeyed": N_("record without the key's HMAC (hash recomputed without the key?)"),
    "key_required": N_("the audit is protected by an HMAC key: name the key file with {env}"),
    "missing": N_("records missing or moved before this one"),
    "reordered": N_("record out of order or repeated"),
    "broken_chain": N_("broken chain: prev is not the hash of the record before"),
    "truncated": N_("records missing after the end of the file: the head names more"),
    "head_missing": N_("the head file (FILE.head) is missing: records deleted at the end cannot be ruled out"),
    "head_invalid": N_("invalid head file"),
    "head_mismatch": N_("the head does not match the record with its number (file or head replaced)"),
    "unanchored": N_("records written after the last head (interrupted between the two writes)"),
}


def _audit_file(path: Path | None, lang: str) -> Path:
    """An audit file named on the command line; it must exist (a mistyped path must not answer "nobody saw")."""
    from inclusione_core import ErrorDetail, InputError

    if path is None:
        raise InputError("--audit", [ErrorDetail("$", Message(NEEDS_AUDIT), rule="audit")])
    if not path.is_file():
        raise InputError(str(path), [ErrorDetail("$", Message("file not found"), str(path), "file")])
    return path


def _problem_text(p: AuditProblem, lang: str) -> str:
    """One problem of an audit file, in words: where, what, expected and found."""
    text = translate(_PROBLEMS[p.kind], lang, env=AUDIT_KEY_ENV)
    if p.expected is not None or p.found is not None:
        found = translate("expected {expected}, found {found}", lang, expected=_short_hash(p.expected),
                          found=_short_hash(p.found))
        text += f" ({found})"
    if p.detail and p.kind in ("bad_json", "not_a_record", "torn", "head_invalid"):
        text += f": {p.detail}"
    where = translate("line {line}", lang, line=p.line) if p.line is not None else translate("head file", lang)
    return f"{where}: {text}"


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
        err(translate(NEEDS_AUDIT, lang))
        return EXIT_INVALID
    audit = _audit_file(args.audit, lang)
    log = JsonlAuditLog(audit)
    records, bad = log.read(args.case_id)  # every good line; the bad ones named, not fatal
    if bad and not records and not log.read()[0]:  # not one line is an audit record: not an audit file
        problem = translate("unreadable audit file ({exc}): expected JSON Lines records written by inclusione", lang,
                            exc="; ".join(_problem_text(p, lang) for p in bad[:3]))
        raise InputError(str(audit), [ErrorDetail("$", problem, rule="audit")])
    if bad:
        skipped = translate("lines of the audit that cannot be read, skipped: {n} (check with `inclusione privacy"
                            " verify {audit}`)", lang, n=len(bad), audit=audit)
        err(f"{translate('warning', lang)}: {skipped}")
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
    title = translate("Verification of the audit {path}", lang, path=args.file)
    lines = [title, "=" * min(len(title), 100),
             "  " + translate("lines: {lines} · records: {records} · last record: {last} · head: {head}", lang,
                              lines=report.lines, records=report.records,
                              last="—" if report.last_seq is None else report.last_seq,
                              head="—" if report.head_seq is None else report.head_seq),
             "  " + (translate("hashes: HMAC-SHA256 with the key of {env}", lang, env=AUDIT_KEY_ENV) if report.keyed
                     else translate("hashes: SHA-256 without a key (detects accidental or naive edits, not someone who"
                                    " recomputes the hashes; that needs an HMAC key)", lang))]
    first = report.first_problem
    lines.append("  " + (translate("result: INTACT", lang) if first is None else
                         translate("result: BROKEN, first problem: {where}", lang, where=_problem_text(first, lang))))
    for msgid, items in ((N_("problems ({n}):"), report.problems), (N_("warnings ({n}):"), report.warnings)):
        if items:
            lines.append("  " + translate(msgid, lang, n=len(items)))
            lines += [f"    {_problem_text(p, lang)}" for p in items]
    out("\n".join(lines))
    return EXIT_OK if report.ok else EXIT_INVALID
