"""``inclusione demo [TERRITORY...]``: assess the example cases of the territories and show the explained results."""

# ruff: noqa: PLC0415 - the engine is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from inclusione_core.i18n import translate

from ._common import DEFAULT_PURPOSE, DEFAULT_RECIPIENT, EXIT_INVALID, EXIT_OK, engine, err, out, output_format

if TYPE_CHECKING:
    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("demo", "assess the examples of every installed territory and show the explained results")
    p.add_argument("territories", nargs="*", metavar="TERRITORY",
                   help=commands.help("only the examples of these territories (default: every installed one)"))
    commands.date_option(p, "as-of date for every example (default: each example's own)")
    commands.format_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Each example through the view of the social service holding the case (audited, channel ``demo``)."""
    from inclusione_core import InclusioneError, InvalidCaseError, TerritoryNotFoundError, read_json
    from inclusione_core.render import error_text

    lang = args.lang
    eng = engine(args, notice=False)
    installed = {info.id: info for info in eng.territories()}
    for territory in args.territories:
        if territory not in installed:
            raise TerritoryNotFoundError(territory, list(installed))
    chosen = [installed[t] for t in dict.fromkeys(args.territories)] if args.territories else list(installed.values())
    renderer = eng.renderer(output_format(args), sys.stdout, lang=lang, explain=args.explain)
    shown = 0
    bad = False
    for info in chosen:
        try:
            terr = eng.territory(info.id)
        except InclusioneError as exc:
            bad = True
            err(error_text(exc, lang))
            continue
        for file, as_of, title in terr.examples():
            try:
                data = read_json(file, limits=eng.limits, lang=lang, error=InvalidCaseError)
                case = eng.load_case(data, str(file), checked=True)
                result = eng.assess(case, as_of=args.as_of or as_of, territory=info.id)
                view = eng.disclose_result(result, case, recipient=DEFAULT_RECIPIENT, purpose=DEFAULT_PURPOSE,
                                           channel="demo")
            except InclusioneError as exc:
                bad = True
                err(error_text(exc, lang))
                continue
            shown += 1
            name = terr.label if lang == "it" else info.id
            heading = f"### {translate('Example', lang)} — {name}: {title or file.name}\n    ({file})"
            renderer.view(view, terr, heading=heading)
    renderer.close()
    if not shown and not bad and not args.json:
        out(translate("no installed territory has examples", lang))
    return EXIT_INVALID if bad else EXIT_OK
