"""``inclusione validate FILE...``: territory configurations, cases and scenario files, every error by path."""

# ruff: noqa: PLC0415 - the engine is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from inclusione_core.i18n import N_, translate

from ._common import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, emit_json, engine, out

if TYPE_CHECKING:
    from ._main import Commands


_KINDS = {"territory": N_("configuration"), "case": N_("case"), "cases": N_("JSON Lines cases"),
          "scenario": N_("scenarios"), "unknown": N_("unknown"), "example": N_("example")}
"""The kinds of file (``FileReport.kind``) -> English msgid."""


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("validate", "validate territory configurations, cases (JSON or JSON Lines) and scenario files")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE",
                   help=commands.help("files to validate: territory.yaml, case .json, .jsonl, scenario .yaml"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate each file (a configuration also its examples and scenario files); exit 2 if any is invalid."""
    from inclusione_core.render import error_text

    lang = args.lang
    reports = engine(args).validate(args.files, lang=lang)
    bad = [r for r in reports if not r.valid]
    if args.json:
        emit_json({"valid": not bad, "files": [r.to_json(lang) for r in reports]})
    else:
        for r in reports:
            kind = translate(_KINDS[r.kind], lang)
            if r.valid:
                out(f"{translate('OK', lang)}  {r.source} ({kind})")
            else:
                out(f"{translate('INVALID', lang)}  {r.source} ({kind})")
                for exc in r.errors:
                    for line in error_text(exc, lang).splitlines():
                        out(f"    {line}")
            for w in r.warnings:
                out(f"    {translate('warning', lang)}: {w}")
        if len(reports) > 1:
            out(translate("{n} files: {ok} valid, {bad} invalid", lang, n=len(reports), ok=len(reports) - len(bad),
                          bad=len(bad)))
    if any(r.internal for r in reports):
        return EXIT_INTERNAL
    return EXIT_INVALID if bad else EXIT_OK
