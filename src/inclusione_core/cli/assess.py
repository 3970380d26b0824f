"""
``inclusione assess CASE``: assess one case, or a stream of them, and explain every decision.

Each case gives exactly one output, in order (a view, or its error: one JSON line each
with ``--json``), whatever fails for it; the output is the view of the result for the
recipient (default: the social service holding the case, for the assessment), in the
``--format`` asked; each view is recorded in the disclosure audit.
"""

# ruff: noqa: PLC0415 - the engine is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from typing import TYPE_CHECKING, Any

from inclusione_core.i18n import translate

from ._common import (
    DEFAULT_RECIPIENT,
    EXIT_INTERNAL,
    EXIT_INVALID,
    EXIT_OK,
    engine,
    err,
    output_format,
)

if TYPE_CHECKING:
    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("assess", "assess one case (or many, JSON Lines) and explain the result")
    p.add_argument("case", metavar="CASE",
                   help=commands.help("case file: .json (one case), .jsonl (one case per line, streamed), or - for "
                                      "stdin (JSON Lines or a single case)"))
    commands.date_option(p, "as-of date YYYY-MM-DD (default: today)")
    commands.disclosure_options(p, required=False)
    commands.format_option(p)
    p.add_argument("--jobs", type=int, metavar="N",
                   help=commands.help("worker processes for a stream of cases (default: the cores available; "
                                      "started only past the first batch of 256 cases)"))
    p.add_argument("--dask", metavar="SCHEDULER",
                   help=commands.help("assess a JSON Lines file on Dask (the extra inclusione-core[dask]): "
                                      "synchronous, processes, or the address of a cluster's scheduler "
                                      "(tcp://host:8786); the same output as without"))
    p.set_defaults(func=run)


def jobs(args: argparse.Namespace) -> int:
    """``--jobs``, else the cores this process may use; an invalid number is an input error."""
    import os

    from inclusione_core import ErrorDetail, InputError
    from inclusione_core.i18n import Message

    if args.jobs is None:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if not 1 <= args.jobs <= 256:
        raise InputError("--jobs", [ErrorDetail("$", Message("expected a number of processes from 1 to 256"),
                                                args.jobs, "jobs")])
    return int(args.jobs)


def run(args: argparse.Namespace) -> int:
    """Assess every case of the input, each on its own; exit 2 if any failed, 3 if a defect did."""
    import datetime as dt

    from inclusione_core import read_cases

    lang = args.lang
    eng = engine(args)
    renderer = eng.renderer(output_format(args), sys.stdout, lang=lang, explain=args.explain)
    named = args.recipient is not None  # output meant for a named recipient: errors carry no value
    # JSON Lines: each view encoded where it is assessed (in the workers), only its bytes come back
    encode = args.explain if callable(getattr(renderer, "line", None)) else None
    with contextlib.ExitStack() as stack:
        if args.dask:
            outcomes = on_dask(args, eng, stack, named, encode)
        else:
            outcomes = eng.assess_stream(
                read_cases(args.case, limits=eng.limits, lang=lang), as_of=args.as_of or dt.date.today(),
                recipient=args.recipient or DEFAULT_RECIPIENT, purpose=args.purpose, territory=args.territory,
                channel="cli", redact=named, jobs=jobs(args), encode=encode)
        return _print(progress(outcomes, stack, lang), renderer, eng, lang)


def on_dask(args: argparse.Namespace, eng: Any, stack: contextlib.ExitStack, named: bool, encode: str | None) -> Any:
    """The outcomes of a file assessed on Dask (a cluster's client opened for the command's duration)."""
    import datetime as dt

    from inclusione_core import ErrorDetail, InputError
    from inclusione_core.i18n import Message

    def refuse(problem: Message) -> InputError:
        return InputError("--dask", [ErrorDetail("$", problem, args.dask, "dask")])

    if args.case == "-" or args.territory:
        raise refuse(Message("--dask reads a JSON Lines file (not stdin), each case in its own territory"))
    try:
        from inclusione_core.cluster import assess_files
    except ImportError:
        raise refuse(Message("Dask needs its extra: pip install 'inclusione-core[dask]'")) from None
    scheduler: Any = args.dask
    if "://" in args.dask:
        try:
            client: Any = importlib.import_module("distributed").Client
        except ImportError:
            raise refuse(Message("Dask needs its extra: pip install 'inclusione-core[dask]'")) from None
        stack.enter_context(client(args.dask))
        scheduler = None  # the client's cluster
    return assess_files(eng, args.case, as_of=args.as_of or dt.date.today(),
                        recipient=args.recipient or DEFAULT_RECIPIENT, purpose=args.purpose, redact=named,
                        channel="cli", scheduler=scheduler, encode=encode)


def progress(outcomes: Any, stack: contextlib.ExitStack, lang: str) -> Any:
    """
    The outcomes, counted on the terminal while they come (rich) when the output goes to a
    file or a pipe and stderr is a terminal; as they are otherwise (silent).
    """
    if not (sys.stderr.isatty() and not sys.stdout.isatty()):
        return outcomes
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = stack.enter_context(Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                       TextColumn("{task.completed}"), TimeElapsedColumn(),
                                       console=Console(stderr=True), transient=True))
    task = bar.add_task(translate("cases assessed", lang), total=None)

    def counted() -> Any:
        for outcome in outcomes:
            bar.advance(task)
            yield outcome

    return counted()


def _print(outcomes: Any, renderer: Any, eng: Any, lang: str) -> int:
    """Each outcome printed (an error also said on stderr), then the summary; the exit status."""
    from inclusione_core.render import error_text

    total = failed = internal = 0
    for outcome in outcomes:
        total += 1
        if outcome.line is not None:
            renderer.line(outcome.line)
            continue
        if outcome.view is not None:
            renderer.view(outcome.view, eng.territory(outcome.view.territory))
            continue
        assert outcome.error is not None
        failed += 1
        internal += outcome.internal
        kind = getattr(outcome.error, "kind", type(outcome.error).__name__)
        if outcome.internal:
            err(f"{outcome.source}: " + translate(
                "inclusione_core internal error ({kind}) on this case: the other cases are assessed; please report it"
                " with the command and the file. INCLUSIONE_DEBUG=1 shows the details.", lang, kind=kind))
        else:
            err(error_text(outcome.error, lang))
        renderer.failure(outcome.source, outcome.error)
    renderer.close()
    if total > 1:
        err(translate("cases read: {total}; assessed: {ok}; not assessed: {failed}", lang, total=total,
                      ok=total - failed, failed=failed))
    if internal:
        return EXIT_INTERNAL
    return EXIT_INVALID if failed else EXIT_OK
