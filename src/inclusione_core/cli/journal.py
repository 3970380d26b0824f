"""
``inclusione journal``: open a case in the case journal, append commands to it (assess,
refer, answer, sign, review, consent, withdraw, close, erase), show its history and export
it as a recipient may see them, give a data subject what is held about them (``access``),
and shred the cases whose retention period has ended (``expire``).

Each write is checked against the case's territory (known services, refusal codes, need
codes...) before it is recorded.

``--store sqlite:PATH`` (default: ``inclusione-journal.db`` in the working folder) or
``--store postgresql://...``. A write prints the events recorded (ids, types, versions: no
case data); ``history`` and ``export`` print the case only through the recipient's view,
recorded in the disclosure audit (``--audit FILE``, otherwise the journal's own audit
table). Giving ``--command-id`` makes a retry safe: the same id is
recorded once.
"""

# ruff: noqa: PLC0415 - the library is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
import getpass
import os
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inclusione_core.i18n import N_, translate

from ._common import EXIT_FAILED, EXIT_INVALID, EXIT_OK, emit_json, engine, err, out

if TYPE_CHECKING:
    from inclusione_core.journal import Command, JournalStore

    from ._main import Commands

STORE_ENV = "INCLUSIONE_JOURNAL"
OPERATOR_ENV = "INCLUSIONE_OPERATOR"


def add(commands: Commands) -> None:
    """The command's parser and its subcommands'."""
    from ._main import date_type

    p = commands.command("journal", "case journal: open a case, record what happens to it (assessment, referrals,"
                                    " project, consents, closure, erasure), show its history and export it as a"
                                    " recipient may see them")
    p.set_defaults(func=usage, journal_parser=p)
    within = p.add_subparsers(dest="journal_command", title=commands.help("subcommands"),
                              metavar=commands.help("SUBCOMMAND"))
    date = date_type(commands.lang)

    def sub(name: str, help: str, func: Any) -> argparse.ArgumentParser:
        q = commands.command(name, help, within=within)
        q.add_argument("case_id", metavar="CASE_ID", help=commands.help("case identifier"))
        q.add_argument("--store", metavar="ADDRESS", default=os.environ.get(STORE_ENV) or None, help=commands.help(
            "the journal: sqlite:PATH or postgresql://... (default: the INCLUSIONE_JOURNAL variable, otherwise"
            " inclusione-journal.db in the working folder)"))
        q.set_defaults(func=func)
        return q

    def writer(name: str, help: str) -> argparse.ArgumentParser:
        q = sub(name, help, write)
        q.add_argument("--actor", metavar="NAME", default=os.environ.get(OPERATOR_ENV) or None,
                       help=commands.help("the operator recording it (default: INCLUSIONE_OPERATOR, otherwise the"
                                          " system user)"))
        q.add_argument("--role", metavar="ROLE", default="operatore", help=commands.help(
            "the operator's role (assistente_sociale, operatore_cpi...; default: operatore)"))
        q.add_argument("--legal-basis", metavar="TEXT", default="",
                       help=commands.help("the legal basis of the processing"))
        q.add_argument("--command-id", metavar="ID", help=commands.help(
            "the command's id (default: a new one): a retry with the same id is recorded once"))
        q.add_argument("--on", metavar="DATE", type=date, required=name not in ("assess", "consent", "sign"),
                       help=commands.help("the date YYYY-MM-DD"))
        q.set_defaults(journal_action=name)
        return q

    _writers(commands, writer)
    for name, help in (("history", N_("the case's history as a recipient may see it (recorded in the audit)")),
                       ("export", N_("the case as a recipient may see it, as JSON (recorded in the audit)"))):
        q = sub(name, help, show)
        commands.disclosure_options(q, required=True)
        commands.date_option(q, "as-of date YYYY-MM-DD (default: today): it chooses the rules in force")
        q.set_defaults(journal_view=name)
    q = sub("access", N_("what the journal holds about a data subject and who saw their case, as JSON (GDPR art. 15;"
                         " recorded in the audit)"), access)
    q.add_argument("--subject", metavar="ID", required=True, help=commands.help("member id"))
    q = commands.command("expire", N_("erase the data subjects of every case whose retention period ended before the"
                                      " date (their keys are destroyed); print the cases"), within=within)
    q.add_argument("--store", metavar="ADDRESS", default=os.environ.get(STORE_ENV) or None, help=commands.help(
        "the journal: sqlite:PATH or postgresql://... (default: the INCLUSIONE_JOURNAL variable, otherwise"
        " inclusione-journal.db in the working folder)"))
    q.add_argument("--on", metavar="DATE", type=date, help=commands.help("the date YYYY-MM-DD (default: today)"))
    q.add_argument("--actor", metavar="NAME", default=os.environ.get(OPERATOR_ENV) or None,
                   help=commands.help("the operator recording it (default: INCLUSIONE_OPERATOR, otherwise the"
                                      " system user)"))
    q.set_defaults(func=expire)


def _writers(commands: Commands, writer: Any) -> None:
    """The subcommands that append to the journal, each with its own options."""
    q = writer("open", N_("open a case: its territory, household and members (the applicant first)"))
    q.add_argument("--territory", metavar="ID", required=True, help=commands.help("territory"))
    q.add_argument("--household", metavar="ID", required=True, help=commands.help("household identifier"))
    q.add_argument("--member", metavar="ID[:RELATION]", action="append", required=True,
                   help=commands.help("a member of the household, with their relation to the applicant (repeatable;"
                                      " the first is the applicant)"))
    for name, help, file_help in (
        ("assess", N_("record an assessment (a JSON file as the case format's assessment)"),
         N_("JSON file of the assessment")),
        ("sign", N_("record the signed project (a JSON file as the case format's project)"),
         N_("JSON file of the project")),
        ("consent", N_("record a consent (a JSON file as the case format's consent)"), N_("JSON file of the consent")),
    ):
        q = writer(name, help)
        q.add_argument("--file", metavar="FILE", type=Path, required=True, help=commands.help(file_help))
    q = writer("refer", N_("send a referral to another service"))
    q.add_argument("--referral", metavar="ID", required=True, help=commands.help("referral identifier"))
    q.add_argument("--from", dest="from_service", metavar="SERVICE", required=True,
                   help=commands.help("sending service"))
    q.add_argument("--to", dest="to_service", metavar="SERVICE", required=True,
                   help=commands.help("receiving service"))
    q.add_argument("--channel", metavar="CODE", default="scheda_invio", help=commands.help("channel"))
    q.add_argument("--reason", metavar="TEXT", required=True, help=commands.help("why"))
    q = writer("answer", N_("the receiving service accepts or refuses a referral"))
    q.add_argument("--referral", metavar="ID", required=True, help=commands.help("referral identifier"))
    choice = q.add_mutually_exclusive_group(required=True)
    choice.add_argument("--accept", action="store_true", help=commands.help("accept"))
    choice.add_argument("--refuse", action="store_true", help=commands.help("refuse (with --code and --reason)"))
    q.add_argument("--code", metavar="CODE", help=commands.help("refusal code"))
    q.add_argument("--reason", metavar="TEXT", default="", help=commands.help("why"))
    q.add_argument("--by", metavar="NAME", default="", help=commands.help("who answers"))
    q = writer("review", N_("record a review of the project"))
    q.add_argument("--project", metavar="ID", required=True, help=commands.help("project identifier"))
    q.add_argument("--note", metavar="TEXT", default="", help=commands.help("note"))
    q = writer("withdraw", N_("withdraw a consent"))
    q.add_argument("--consent", metavar="ID", required=True, help=commands.help("consent identifier"))
    q = writer("close", N_("close the case"))
    q.add_argument("--reason", metavar="TEXT", default="", help=commands.help("why"))
    q = writer("erase", N_("erase a data subject's sealed data (their key is destroyed): a member id, or household"))
    q.add_argument("--subject", metavar="ID", required=True, help=commands.help("member id, or household"))
    q.add_argument("--ground", metavar="TEXT", default="", help=commands.help("the ground of the erasure"))


def usage(args: argparse.Namespace) -> int:
    """``inclusione journal`` without a subcommand: its help on stderr, exit 2."""
    args.journal_parser.print_help(sys.stderr)
    return EXIT_INVALID


def _store(args: argparse.Namespace) -> JournalStore:
    from inclusione_core import journal

    return journal.open_store(args.store)


def _read(args: argparse.Namespace, cls: type) -> Any:
    from inclusione_core import InputError, read_json
    from inclusione_core.journal import structure

    data = read_json(args.file, lang=args.lang, error=InputError)
    return structure(data, cls, str(args.file))


def _command(args: argparse.Namespace) -> Command:
    from inclusione_core import Assessment, Consent, Member, Project
    from inclusione_core import journal as j

    common: dict[str, Any] = {"case_id": args.case_id, "command_id": args.command_id or str(uuid.uuid4()),
                              "actor": args.actor or getpass.getuser(), "role": args.role,
                              "legal_basis": args.legal_basis}
    action = args.journal_action
    if action == "open":
        members = []
        for n, text in enumerate(args.member):
            member_id, _, relation = text.partition(":")
            members.append(Member(id=member_id, relation=relation or ("richiedente" if n == 0 else "altro")))
        return j.OpenCase(**common, territory=args.territory, opened_on=args.on, household_id=args.household,
                          members=tuple(members))
    if action == "assess":
        return j.Assess(**common, assessment=_read(args, Assessment))
    if action == "sign":
        project = _read(args, Project)
        return j.SignProject(**common, project=project, on=args.on or project.start)
    if action == "consent":
        return j.GiveConsent(**common, consent=_read(args, Consent))
    if action == "refer":
        return j.SendReferral(**common, referral_id=args.referral, from_service=args.from_service,
                              to_service=args.to_service, channel=args.channel, reason=args.reason, on=args.on)
    if action == "answer":
        return j.AnswerReferral(**common, referral_id=args.referral, accepted=args.accept, on=args.on, by=args.by,
                                reason=args.reason, code=args.code)
    if action == "review":
        return j.ReviewProject(**common, project_id=args.project, on=args.on, note=args.note)
    if action == "withdraw":
        return j.WithdrawConsent(**common, consent_id=args.consent, on=args.on)
    if action == "close":
        return j.CloseCase(**common, on=args.on, reason=args.reason)
    return j.EraseSubject(**common, subject_id=args.subject, on=args.on, ground=args.ground)


def write(args: argparse.Namespace) -> int:
    """Decide a command on the case and append its events; print what was recorded (no case data)."""
    from inclusione_core import journal

    command = _command(args)
    store = _store(args)
    kept = None
    try:
        closing = command if isinstance(command, journal.CloseCase) else None
        # the case's territory: the command is checked against it, and a closing takes its retention period;
        # not an erasure, which no configuration may hold up (the territory may since have gone)
        case = store.load(command.case_id).case
        name = (command.territory if isinstance(command, journal.OpenCase) else None
                if isinstance(command, journal.EraseSubject) else case.territory if case else None)
        territory = engine(args).territory(name) if name else None
        events = journal.execute(store, command, territory=territory)
        if closing is not None and territory is not None and hasattr(store, "set_retention"):
            kept = journal.retention_until(territory, closing.on)
            store.set_retention(command.case_id, kept)
    finally:
        store.close()
    version = events[-1].version if events else 0
    if args.json:
        emit_json({"case_id": args.case_id, "command_id": command.command_id, "version": version,
                   "events": [{"id": e.id, "version": e.version, "type": e.type} for e in events],
                   **({"retention_until": kept.isoformat()} if kept else {})})
        return EXIT_OK
    out(translate("case {case}: version {version}, events recorded: {events} (command {command})", args.lang,
                  case=args.case_id, version=version, events=", ".join(e.type for e in events) or "—",
                  command=command.command_id))
    if kept:
        out(translate("kept until {day} (the retention period of the territory)", args.lang, day=kept.isoformat()))
    return EXIT_OK


def show(args: argparse.Namespace) -> int:
    """The case rebuilt from its journal, through the recipient's view (audited): its history or all of it."""
    import datetime as dt

    from inclusione_core import ErrorDetail, InputError
    from inclusione_core.journal import JournalAuditLog

    from ._common import audit_key

    store = _store(args)
    try:
        state = store.load(args.case_id)
        if state.case is None:
            raise InputError(args.case_id, [ErrorDetail(
                "$.case_id", translate("no case with this id in the journal", args.lang), args.case_id, "exists")])
        case = state.case
        own = JournalAuditLog(store, key=audit_key(args.lang)) if hasattr(store, "dialect") else None
        shown = engine(args, audit=own).disclose_case(case, recipient=args.recipient, purpose=args.purpose,
                                                      as_of=args.as_of or dt.date.today(), channel="journal",
                                                      territory=args.territory or case.territory)
    finally:
        store.close()
    if args.journal_view == "export" or args.json:
        emit_json(shown.to_json(args.explain) if args.journal_view == "export" else
                  {"case_id": case.id, "version": state.version, "history": shown.get("history"),
                   "not_disclosed": shown.to_json()["not_disclosed"]})
        return EXIT_OK
    out(translate("History of case {case} (version {version}) as {recipient} may see it for {purpose}", args.lang,
                  case=case.id, version=state.version, recipient=args.recipient, purpose=args.purpose))
    withheld = translate("withheld", args.lang)
    for item in shown.get("history") or []:
        parts = [str(item.get("on") or withheld), str(item.get("kind") or withheld)]
        parts += [str(item[k]) for k in ("by", "note", "code") if item.get(k)]
        out("  " + " · ".join(parts))
    return EXIT_OK


def access(args: argparse.Namespace) -> int:
    """The data subject's access export (GDPR art. 15), as JSON; recorded in the audit."""
    from inclusione_core import AuditLog, JsonlAuditLog
    from inclusione_core.journal import JournalAuditLog, access_export

    from ._common import audit_key

    store = _store(args)
    try:
        key = audit_key(args.lang)
        log: AuditLog = JsonlAuditLog(args.audit, key=key) if args.audit else JournalAuditLog(store, key=key)
        export = access_export(store, args.case_id, args.subject, audit=log)
    finally:
        store.close()
    emit_json(export)
    return EXIT_OK


def expire(args: argparse.Namespace) -> int:
    """Shred the cases whose retention ended before the date; print them."""
    import datetime as dt

    from inclusione_core.journal import shred_expired
    from inclusione_core.render import error_text

    store = _store(args)
    try:
        done = shred_expired(store, args.on or dt.date.today(), actor=args.actor or getpass.getuser())
    finally:
        store.close()
    code = EXIT_OK if not done.failed else EXIT_FAILED
    if args.json:
        emit_json({"shredded": list(done.shredded),
                   "failed": [{"case_id": c, "error": exc.to_json(args.lang)} for c, exc in done.failed]})
        return code
    out(translate("cases shredded (retention ended): {cases}", args.lang, cases=", ".join(done.shredded) or "—"))
    for case_id, exc in done.failed:  # one line each, for the scheduler's log
        why = "; ".join(line.strip(" -") for line in error_text(exc, args.lang).splitlines() if line.strip())
        err(translate("case {case} not shredded: {why}", args.lang, case=case_id, why=why))
    return code
