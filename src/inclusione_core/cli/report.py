"""
``inclusione report --territory ID FILE``: the monitoring indicators of a set of cases.

Each case of the input (JSON Lines, read by the same reader as ``assess``) is assessed with
the territory's rules; the output is counts of households per ambito territoriale and for
the territory, small ones suppressed (:func:`inclusione_core.indicators`): no case id, no
value of a case. A line that cannot be read or assessed is said on stderr with its error
(file, line, JSON path, value, rule), counted as rejected in the report, and the others go
on; a case given twice is rejected the second time.
"""

# ruff: noqa: PLC0415 - the engine is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TYPE_CHECKING

from inclusione_core.i18n import Message, translate

from ._common import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, emit_json, engine, err, out

if TYPE_CHECKING:
    from inclusione_core import Assessed, Engine

    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("report", "monitoring indicators of a set of cases per ambito territoriale: counts of "
                                   "households only, small counts suppressed (no case data)")
    p.add_argument("cases", metavar="FILE",
                   help=commands.help("cases: .jsonl (one case per line), .json (one case), or - for stdin"))
    p.add_argument("--territory", metavar="ID", required=True,
                   help=commands.help("territory whose rules, network of ambiti and indicators apply"))
    commands.date_option(p, "as-of date YYYY-MM-DD (default: today)")
    p.set_defaults(func=run)


class _Counted:
    """The cases of the input, each assessed; the rejected ones said on stderr as they come."""

    def __init__(self, eng: Engine, args: argparse.Namespace, territory: str) -> None:
        self.eng, self.args, self.territory = eng, args, territory
        self.failed = self.internal = 0

    def __iter__(self) -> Iterator[Assessed]:
        import datetime as dt

        from inclusione_core import Assessed, ErrorDetail, InputError, read_cases
        from inclusione_core.render import error_text

        lang = self.args.lang
        first: dict[str, str] = {}  # case id -> where it was first read
        lines = read_cases(self.args.cases, limits=self.eng.limits, lang=lang)
        for assessed in self.eng.assess_each(lines, as_of=self.args.as_of or dt.date.today(),
                                             territory=self.territory):
            item = assessed
            if item.case is not None and item.case.id in first:
                item = Assessed(source=item.source, error=InputError(item.source, [ErrorDetail(
                    "$.id", Message("case counted twice: it was first read at {first}", first=first[item.case.id]),
                    item.case.id, "unique")]))
            elif item.case is not None:
                first[item.case.id] = item.source
            if item.error is not None:
                self.failed += 1
                self.internal += item.internal
                if item.internal:
                    kind = getattr(item.error, "kind", type(item.error).__name__)
                    err(f"{item.source}: " + translate(
                        "inclusione_core internal error ({kind}) on this case: the other cases are assessed; please"
                        " report it with the command and the file. INCLUSIONE_DEBUG=1 shows the details.", lang,
                        kind=kind))
                else:
                    err(error_text(item.error, lang))
            yield item


def run(args: argparse.Namespace) -> int:
    """The indicators of the input's cases; exit 2 if a case was rejected, 3 if a defect met one."""
    from inclusione_core import indicators
    from inclusione_core.render import indicators_text

    eng = engine(args)
    terr = eng.territory(args.territory)
    counted = _Counted(eng, args, terr.id)
    report = indicators(counted, terr)
    if args.json:
        emit_json(report.to_json())
    else:
        out(indicators_text(report, args.lang))
    if counted.failed:
        err(translate("cases read: {total}; counted: {ok}; rejected: {failed}", args.lang,
                      total=report.assessed + counted.failed, ok=report.assessed, failed=counted.failed))
    if counted.internal:
        return EXIT_INTERNAL
    return EXIT_INVALID if counted.failed else EXIT_OK
