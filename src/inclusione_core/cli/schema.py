"""``inclusione schema``: the JSON Schemas the library publishes (case, territory configuration, scenario file...)."""

# ruff: noqa: PLC0415 - the library is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from inclusione_core.i18n import Message, translate

from ._common import EXIT_OK, emit_json, out

if TYPE_CHECKING:
    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("schema", "write the JSON Schemas (case, territory, scenario)")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help=commands.help("directory to write to (default: the current directory)"))
    p.add_argument("--name", metavar="NAME", help=commands.help("print (or write, with --out) only this schema"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print one schema (``--name``), or write them all into ``--out``."""
    from inclusione_core import SCHEMA_NAMES, ErrorDetail, InputError, schema_text

    lang = args.lang
    if args.name is not None and args.name not in SCHEMA_NAMES:
        raise InputError("--name", [ErrorDetail("$", Message("unknown schema; published: {known}",
                                                             known=", ".join(SCHEMA_NAMES)),
                                                args.name, "schema")])
    names = [args.name] if args.name else list(SCHEMA_NAMES)
    if args.name and args.out is None:
        sys.stdout.write(schema_text(args.name))
        return EXIT_OK
    target_dir = args.out or Path.cwd()
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
