"""``inclusione validate FILE...``: territory configurations, cases and scenario files, every error by path."""

# ruff: noqa: PLC0415 - the engine is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, emit_json, engine, out
from ._texts import message

if TYPE_CHECKING:
    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("validate")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=commands.help("validate.files"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate each file (a configuration also its examples and scenario files); exit 2 if any is invalid."""
    from inclusione_core.render import error_text

    lang = args.lang
    reports = engine(args).validate(args.files, lang=lang)
    bad = [r for r in reports if not r.valid]
    if args.json:
        emit_json({"valid": not bad, "files": [r.to_json() for r in reports]})
    else:
        for r in reports:
            kind = message(lang, f"kind.{r.kind}")
            if r.valid:
                out(f"{message(lang, 'ok')}  {r.source} ({kind})")
            else:
                out(f"{message(lang, 'invalid')}  {r.source} ({kind})")
                for exc in r.errors:
                    for line in error_text(exc, lang).splitlines():
                        out(f"    {line}")
            for w in r.warnings:
                out(f"    {message(lang, 'warning')}: {w}")
        if len(reports) > 1:
            out(message(lang, "summary", n=len(reports), ok=len(reports) - len(bad), bad=len(bad)))
    if any(r.internal for r in reports):
        return EXIT_INTERNAL
    return EXIT_INVALID if bad else EXIT_OK
