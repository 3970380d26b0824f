"""``inclusione test [PATH...]``: run YAML scenario files and compare the expected results."""

# ruff: noqa: PLC0415 - the engine is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._common import EXIT_FAILED, EXIT_INVALID, EXIT_OK, emit_json, engine, out
from ._texts import message

if TYPE_CHECKING:
    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("test")
    p.add_argument("paths", nargs="*", metavar="PATH", help=commands.help("test.paths"))
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
        report.append(run_.to_json())
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
        out(message(lang, "no_scenarios"))
    else:
        out()
        line = message(lang, "test_summary", n=passed + failed + errors, passed=passed, failed=failed,
                       errors=errors)
        if invalid_files:
            line += "; " + message(lang, "invalid_files", invalid=invalid_files)
        out(line)
    if errors or invalid_files:
        return EXIT_INVALID
    return EXIT_FAILED if failed else EXIT_OK
