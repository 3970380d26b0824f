"""``inclusione new-territory ID --extends PARENT [--plugin] [--dir DIR]``: a territory (and a plugin) ready to edit."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from inclusione_core.i18n import translate

from ._common import EXIT_OK, emit_json, engine, out

if TYPE_CHECKING:
    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("new-territory", "create a territory that extends another: a folder with territory.yaml, an"
                                          " example case, a scenario file and a README, valid and passing its test"
                                          " at once (with --plugin, inside a plugin distribution)")
    p.add_argument("territory", metavar="ID", help=commands.help("the new territory's id (lowercase letters, digits"
                                                                 " and _)"))
    p.add_argument("--extends", required=True, metavar="PARENT",
                   help=commands.help("the territory it extends (an installed one: `inclusione territories`)"))
    p.add_argument("--dir", type=Path, default=Path(), metavar="DIR",
                   help=commands.help("where to create it (default: the current folder); the territory folder is"
                                      " DIR/ID, to use with --config-dir DIR"))
    p.add_argument("--plugin", action="store_true",
                   help=commands.help("also a plugin distribution, DIR/inclusione-ID: pyproject with the entry point,"
                                      " a package registering the territory folder (inside it, in territories/ID),"
                                      " an example hook, tests on the shared fixtures"))
    p.add_argument("--label", metavar="TEXT", help=commands.help("the territory's name (default: from its id)"))
    p.add_argument("--level", metavar="LEVEL",
                   help=commands.help("nazionale, regione, zona, distretto or ambito (default: the level below the"
                                      " parent's)"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the territory (and the plugin), then say what was written and what to run next."""
    lang = args.lang
    made = engine(args).new_territory(args.territory, extends=args.extends, directory=args.dir, plugin=args.plugin,
                                      label=args.label, level=args.level)
    config_dir = shlex.quote(str(made.config_dir))
    steps = [f"inclusione --config-dir {config_dir} {command} {made.territory}"
             for command in ("validate", "test", "demo", "config show")]
    if made.distribution is not None:
        dist = shlex.quote(str(made.distribution))
        steps = [f"python -m pip install -e {dist}", f"python -m pytest {dist}",
                 f"inclusione validate {made.territory}", f"inclusione test {made.territory}"]
    if args.json:
        emit_json({"territory": made.territory, "folder": str(made.folder), "config_dir": str(made.config_dir),
                   "distribution": None if made.distribution is None else str(made.distribution),
                   "files": [str(f) for f in made.files], "next": steps})
        return EXIT_OK
    for file in made.files:
        out(translate("written: {path}", lang, path=file))
    out()
    out(translate("Territory {id} created in {folder}. Next:", lang, id=made.territory, folder=made.folder))
    for step in steps:
        out(f"  {step}")
    return EXIT_OK
