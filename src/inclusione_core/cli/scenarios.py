"""``inclusione test [PATH...] [-k NAME]``: run YAML scenario files and compare the expected results."""

# ruff: noqa: PLC0415 - the engine is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inclusione_core.i18n import translate

from ._common import EXIT_FAILED, EXIT_INVALID, EXIT_OK, emit_json, engine, err, out

if TYPE_CHECKING:
    from inclusione_core import Engine, InclusioneError

    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("test", "run YAML scenario files and compare the expected results")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help=commands.help("scenario files, directories or territory ids (default: the scenarios of "
                                      "every installed territory)"))
    p.add_argument("-k", dest="select", action="append", default=[], metavar="NAME",
                   help=commands.help("run only the scenarios whose name contains NAME (case-insensitive; "
                                      "repeatable: any of them)"))
    p.set_defaults(func=run)


class _Report:
    """The text report: each error in full the first time, then by its first line (a broken configuration fails
    every scenario of its territory: said once)."""

    def __init__(self, lang: str, quiet: bool) -> None:
        self.lang = lang
        self.quiet = quiet
        self.seen: set[str] = set()

    def error(self, exc: InclusioneError, indent: str) -> None:
        from inclusione_core.render import error_text

        if self.quiet:
            return
        text = error_text(exc, self.lang)
        if text in self.seen:
            head = text.splitlines()[0] if text else ""
            out(f"{indent}{translate('{error} (reported above)', self.lang, error=head)}")
            return
        self.seen.add(text)
        for line in text.splitlines():
            out(f"{indent}{line}")


def _files(eng: Engine, specs: list[str], lang: str, report: _Report,
           problems: list[dict[str, Any]]) -> list[Path]:
    """
    The scenario files to run. With no PATH, those of every territory: a territory whose
    configuration is invalid is reported (once) and the others still run.
    """
    from inclusione_core import InclusioneError

    if specs:
        return eng.scenario_files(specs, lang=lang)
    files: list[Path] = []
    for info in eng.territories():
        try:
            files += eng.scenario_files([info.id], lang=lang)
        except InclusioneError as exc:
            problems.append({"territory": info.id, "error": exc.to_json(lang)})
            if not report.quiet:
                out(info.id)
            report.error(exc, "  ")
    return files


def _warnings(eng: Engine, specs: list[str], lang: str) -> list[dict[str, str]]:
    """The warnings of the territories run (named, or every one): scenario files not listed, recipients missing."""
    from inclusione_core import InclusioneError

    ids = eng.index.ids()
    chosen = [s for s in specs if s in ids and not Path(s).exists()] if specs else ids
    found = []
    for territory in chosen:
        try:
            found += [{"territory": territory, "warning": w.text(lang)} for w in eng.territory_warnings(territory)]
        except InclusioneError:  # reported where its scenarios fail
            continue
    return found


def run(args: argparse.Namespace) -> int:
    """Run every scenario; exit 1 if one failed, 2 if a file, a territory or a scenario could not run."""
    lang = args.lang
    eng = engine(args)
    report = _Report(lang, quiet=args.json)
    problems: list[dict[str, Any]] = []
    files = _files(eng, args.paths, lang, report, problems)
    warnings = _warnings(eng, args.paths, lang)
    if not args.json:
        for w in warnings:
            err(f"{translate('warning', lang)}: {w['territory']}: {w['warning']}")
    passed = failed = errors = invalid_files = 0
    files_json: list[dict[str, Any]] = []
    for run_ in eng.run_scenarios(files, lang=lang, select=args.select):
        if run_.error is None and not run_.outcomes and args.select:
            continue  # no scenario of this file is selected
        files_json.append(run_.to_json(lang))
        if not args.json:
            out(str(run_.file))
        if run_.error is not None:
            invalid_files += 1
            report.error(run_.error, "  ")
            continue
        for outcome in run_.outcomes:
            if outcome.error is not None:
                errors += 1
                if not args.json:
                    out(f"  ! {outcome.name}")
                report.error(outcome.error, "      ")
                continue
            passed += outcome.passed
            failed += not outcome.passed
            if not args.json:
                out(f"  {'✓' if outcome.passed else '✗'} {outcome.name}")
                for m in outcome.mismatches:
                    out(f"      - {m}")
    ran = passed + failed + errors
    unmatched = bool(args.select) and not ran and not invalid_files
    summary = {"passed": passed, "failed": failed, "errors": errors, "invalid_files": invalid_files,
               "invalid_territories": len(problems)}
    if args.json:
        emit_json({"files": files_json, **summary, "territories": problems, "warnings": warnings})
    elif unmatched:
        err(translate("no scenario name contains {names}", lang, names=", ".join(repr(k) for k in args.select)))
    elif not files and not problems:
        out(translate("no scenario file found", lang))
    else:
        out()
        line = translate("{n} scenarios: {passed} passed, {failed} failed, {errors} with input errors", lang,
                         n=ran, passed=passed, failed=failed, errors=errors)
        if invalid_files:
            line += "; " + translate("{invalid} invalid scenario files", lang, invalid=invalid_files)
        if problems:
            line += "; " + translate("{invalid} territories with an invalid configuration", lang,
                                     invalid=len(problems))
        out(line)
    if errors or invalid_files or problems or unmatched:
        return EXIT_INVALID
    return EXIT_FAILED if failed else EXIT_OK
