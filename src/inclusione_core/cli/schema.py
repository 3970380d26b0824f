"""``inclusione schema``: the JSON Schemas the library publishes (case, territory, scenario, result, view, report)."""

# ruff: noqa: PLC0415 - the library is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from inclusione_core.i18n import Message, translate

from ._common import EXIT_INVALID, EXIT_OK, emit_json, err, out

if TYPE_CHECKING:
    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("schema", "print one JSON Schema on stdout (--name) or write them all to a directory "
                                   "(--out): case, territory configuration, scenario file, result, view (the --json "
                                   "output of assess and privacy view), report (the --json output of report)")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help=commands.help("directory to write every schema to (or only the one named by --name)"))
    p.add_argument("--name", metavar="NAME", help=commands.help("the schema to print on stdout (or to write, "
                                                                "with --out)"))
    p.set_defaults(func=run, schema_parser=p)


def run(args: argparse.Namespace) -> int:
    """
    ``--name NAME``: that schema on stdout; ``--out DIR``: every schema (or only NAME)
    written to DIR as ``NAME.schema.json``; neither: the usage and the names on stderr,
    exit 2 (nothing is written where the user did not ask).
    """
    from inclusione_core import SCHEMA_NAMES, ErrorDetail, InputError, schema_text

    lang = args.lang
    if args.name is not None and args.name not in SCHEMA_NAMES:
        raise InputError("--name", [ErrorDetail("$", Message("unknown schema; published: {known}",
                                                             known=", ".join(SCHEMA_NAMES)),
                                                args.name, "schema")])
    if args.out is None:
        if args.name is None:
            args.schema_parser.print_usage(sys.stderr)
            err(translate("name a schema with --name ({names}) to print it on stdout, or --out DIR to write them all",
                          lang, names=", ".join(SCHEMA_NAMES)))
            return EXIT_INVALID
        sys.stdout.write(schema_text(args.name))
        return EXIT_OK
    names = [args.name] if args.name else list(SCHEMA_NAMES)
    target_dir: Path = args.out
    written: list[str] = []
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        for name in names:
            target = target_dir / f"{name}.schema.json"
            target.write_text(schema_text(name), encoding="utf-8")
            written.append(str(target))
    except OSError as exc:
        problem = Message("file error: {exc}", exc=exc.strerror or exc)
        raise InputError(str(target_dir), [ErrorDetail("$", problem, str(target_dir), "file")]) from None
    if args.json:
        emit_json({"written": written})
    else:
        for w in written:
            out(translate("written: {path}", lang, path=w))
    return EXIT_OK
