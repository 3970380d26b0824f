"""``inclusione test [PATH...]``: run YAML scenario files and compare the expected results."""

# ruff: noqa: PLC0415 - the engine is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from inclusione_core.i18n import translate

from ._common import EXIT_FAILED, EXIT_INVALID, EXIT_OK, emit_json, engine, out

if TYPE_CHECKING:
    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("test", "run YAML scenario files and compare the expected results")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help=commands.help("scenario files, directories or territory ids (default: the scenarios of "
                                      "every installed territory)"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run every scenario; exit 1 if one failed, 2 if a file or a scenario could not run."""
    from inclusione_core.render import error_text

    lang = args.lang
    eng = engine(args)
    files = eng.scenario_files(args.paths, lang=lang)
    passed = failed = errors = invalid_files = 0
    report: list[dict[str, Any]] = []
    for run_ in eng.run_scenarios(files, lang=lang):
        report.append(run_.to_json(lang))
        if not args.json:
            out(str(run_.file))
        if run_.error is not None:
            invalid_files += 1
            if not args.json:
                for line in error_text(run_.error, lang).splitlines():
                    out(f"  {line}")
            continue
        for outcome in run_.outcomes:
            if outcome.error is not None:
                errors += 1
                if not args.json:
                    out(f"  ! {outcome.name}")
                    for line in error_text(outcome.error, lang).splitlines():
                        out(f"      {line}")
                continue
            passed += outcome.passed
            failed += not outcome.passed
            if not args.json:
                out(f"  {'✓' if outcome.passed else '✗'} {outcome.name}")
                for m in outcome.mismatches:
                    out(f"      - {m}")
    summary = {"passed": passed, "failed": failed, "errors": errors, "invalid_files": invalid_files}
    if args.json:
        emit_json({"files": report, **summary})
    elif not files:
        out(translate("no scenario file found", lang))
    else:
        out()
        line = translate("{n} scenarios: {passed} passed, {failed} failed, {errors} with input errors", lang,
                         n=passed + failed + errors, passed=passed, failed=failed, errors=errors)
        if invalid_files:
            line += "; " + translate("{invalid} invalid scenario files", lang, invalid=invalid_files)
        out(line)
    if errors or invalid_files:
        return EXIT_INVALID
    return EXIT_FAILED if failed else EXIT_OK
