"""
Assessing many cases in one stream: each case gives exactly one outcome, in input order.

:meth:`Engine.assess_stream` takes the lines of a reader (:func:`read_cases`) or cases
already in memory and yields, for each, either the view of its result for one recipient
(audited) or its error: whatever fails for one case (its line, its territory's
configuration, a plugin, a defect of the core) fails that case only; the others go on.
The CLI, the HTTP service and the batch engine are faces over this one loop.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from ._errors import InclusioneError
from ._models import Case, Purpose, Result
from ._reader import JsonLine
from .i18n import Message

if TYPE_CHECKING:
    from ._audit import AuditRecord
    from ._engine import Engine
    from ._privacy import Recipient, View

__all__ = ["Assessed", "Outcome", "dump_line"]

DEBUG_ENV = "INCLUSIONE_DEBUG"


@attrs.frozen
class Outcome:
    """
    What one case of a stream gave: the view of its result, or its error.

    :ivar source: where the case came from (``file.jsonl:3``, ``<stdin>:1``, ``<case 0>``).
    :ivar view: the recipient's view of the result (audited), when the case was assessed.
    :ivar error: why it was not, otherwise.
    :ivar internal: the error is a defect of the core or of a plugin, not of the input.
    :ivar line: instead of ``view``, when the stream was asked to ``encode`` the views: the
        view's JSON as one line of UTF-8 (no line end), made where the case was assessed.
    """

    source: str
    view: View | None = None
    error: InclusioneError | None = None
    internal: bool = False
    line: bytes | None = None

    def to_json(self, lang: str = "it") -> dict[str, Any]:
        """One line of a JSON Lines stream: the view's JSON, or ``{source, error}`` (the error in ``lang``)."""
        if self.view is not None:
            return self.view.to_json()
        if self.line is not None:
            data: dict[str, Any] = orjson.loads(self.line)
            return data
        assert self.error is not None
        return {"source": self.source, "error": self.error.to_json(lang)}


@attrs.frozen
class Assessed:
    """
    What one case of a stream gave, not disclosed: the case and its result, or its error.

    For the embedding program (aggregates such as :func:`inclusione_core.indicators`), never
    for a recipient: a result goes out only through :meth:`Engine.disclose_result`.

    :ivar source: where the case came from (``file.jsonl:3``, ``<stdin>:1``, ``<case 0>``).
    :ivar case: the case, when it was read and assessed.
    :ivar result: its result.
    :ivar error: why it was not, otherwise.
    :ivar internal: the error is a defect of the core or of a plugin, not of the input.
    """

    source: str
    case: Case | None = None
    result: Result | None = None
    error: InclusioneError | None = None
    internal: bool = False


class InternalError(InclusioneError):
    """A defect met while assessing one case (not the input's fault); the stream goes on."""

    __module__ = "inclusione_core"

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(Message("internal error ({kind}): a defect of the program, not of the case; please report it"
                                 " ({env}=1 shows the details)", kind=kind, env=DEBUG_ENV))


# what every case of a stream is assessed and disclosed with: as_of, recipient, purpose, territory, channel, redact,
# and the form its view is encoded in where it is assessed (None: the view itself)
_Task = tuple[dt.date, "Recipient | str", "Purpose | str", "str | None", str, bool, "str | None"]

BATCH = 256
"""Cases per batch of a stream: its audit records are appended at once, before its outcomes go out."""


def dump_line(data: Any) -> bytes:
    """One JSON line (no line end), as the ``jsonl`` renderer writes it and a stream's workers encode it."""
    # orjson: several times faster than the standard library on a batch's every line. A view's
    # numbers are finite (cases are read without NaN or Infinity and no rule makes one).
    return orjson.dumps(data, default=str, option=orjson.OPT_NON_STR_KEYS)


def _source(i: int, item: JsonLine | Case | Mapping[str, Any]) -> str:
    """How a case of a stream is named in its errors: its line (``file.jsonl:3``), else its place."""
    return item.source if isinstance(item, JsonLine) else f"<case {i}>"


def _load(engine: Engine, item: JsonLine | Case | Mapping[str, Any], source: str) -> Case:
    """The case of an item of a stream (a line's reading error raised as it is)."""
    if isinstance(item, JsonLine):
        if item.error is not None:
            raise item.error
        return engine.load_case(item.data, source, checked=True)  # the reader applied the limits
    return item if isinstance(item, Case) else engine.load_case(item, source)


def _one(engine: Engine, i: int, item: JsonLine | Case | Mapping[str, Any], as_of: dt.date,
         recipient: Recipient | str, purpose: Purpose | str, territory: str | None, channel: str, redact: bool,
         encode: str | None, debug: bool) -> tuple[Outcome, AuditRecord | None]:
    """One case of a stream: its outcome, and the audit record of its disclosure (not appended yet)."""
    source = _source(i, item)
    try:
        case = _load(engine, item, source)
        result = engine.assess(case, as_of=as_of, territory=territory, source=source)
        # the only way out: the view of the result for the recipient (audited with its batch)
        view, record = engine._disclosure(result, case, recipient, purpose, channel)
    except InclusioneError as exc:
        error = exc.without_values() if redact else exc
        # what it says is all it is: no chain of causes (nor frames) to carry to another process
        error.__context__ = error.__cause__ = error.__traceback__ = None
        return Outcome(source=source, error=error), None
    except Exception as exc:  # a defect on this case: said, and the others go on
        if isinstance(exc, BrokenPipeError) or debug:
            raise
        return Outcome(source=source, error=InternalError(type(exc).__name__), internal=True), None
    if encode is not None:  # the line made here (in a worker, with jobs): only bytes go back
        return Outcome(source=source, line=dump_line(view.to_json(encode))), record
    return Outcome(source=source, view=view), record


def _release(engine: Engine, done: list[tuple[Outcome, AuditRecord | None]]) -> Iterator[Outcome]:
    """A batch's records appended at once (one write and fsync for a file), then its outcomes."""
    records = [r for _, r in done if r is not None]
    if records:
        many = getattr(engine.audit, "append_many", None)
        if many is not None:
            many(records)
        else:
            for record in records:
                engine.audit.append(record)
    for outcome, _ in done:
        yield outcome


def assess_stream(
    engine: Engine,
    cases: Iterable[JsonLine | Case | Mapping[str, Any]],
    *,
    as_of: dt.date,
    recipient: Recipient | str,
    purpose: Purpose | str,
    territory: str | None = None,
    channel: str = "api",
    redact: bool = False,
    jobs: int = 1,
    batch: int = BATCH,
    encode: str | None = None,
) -> Iterator[Outcome]:
    """See :meth:`Engine.assess_stream`."""
    if batch < 1 or jobs < 1:
        raise ValueError("assess_stream: batch and jobs must be at least 1")
    if encode not in (None, "compact", "full"):
        raise ValueError(f"assess_stream: encode {encode!r} is neither compact nor full")
    debug = os.environ.get(DEBUG_ENV, "") not in ("", "0")
    task: _Task = (as_of, recipient, purpose, territory, channel, redact, encode)
    numbered = enumerate(cases)
    first = list(itertools.islice(numbered, batch))
    if jobs > 1 and len(first) == batch:  # more than one batch, perhaps: the workers share them
        yield from _parallel(engine, itertools.chain([first], _chunks(numbered, batch)), jobs, task)
        return
    chunk = first
    while chunk:
        yield from _release(engine, [_one(engine, i, item, *task, debug) for i, item in chunk])
        chunk = list(itertools.islice(numbered, batch))


def _chunks(numbered: Iterator[tuple[int, Any]], batch: int) -> Iterator[list[tuple[int, Any]]]:
    while chunk := list(itertools.islice(numbered, batch)):
        yield chunk


_WORKER: dict[str, Any] = {}


def _start_worker(spec: dict[str, Any]) -> None:
    from ._engine import Engine  # noqa: PLC0415 - in the worker process

    _WORKER["engine"] = Engine(config_dirs=spec["config_dirs"], limits=spec["limits"], clock=spec["clock"])
    _WORKER["debug"] = os.environ.get(DEBUG_ENV, "") not in ("", "0")


def _work(chunk: list[tuple[int, Any]], task: _Task) -> list[tuple[Outcome, AuditRecord | None]]:
    engine = _WORKER["engine"]
    return [_one(engine, i, item, *task, _WORKER["debug"]) for i, item in chunk]


def _parallel(engine: Engine, chunks: Iterable[list[tuple[int, Any]]], jobs: int,
              task: _Task) -> Iterator[Outcome]:
    """The batches shared by worker processes, at most two each in flight, released in input order."""
    from concurrent.futures import Future, ProcessPoolExecutor  # noqa: PLC0415 - only for a parallel stream

    spec = engine._worker_spec()
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(spec,)) as pool:
        pending: collections.deque[Future[list[tuple[Outcome, AuditRecord | None]]]] = collections.deque()
        for chunk in chunks:
            pending.append(pool.submit(_work, chunk, task))
            if len(pending) >= 2 * jobs:
                yield from _release(engine, pending.popleft().result())
        while pending:
            yield from _release(engine, pending.popleft().result())


def assess_each(
    engine: Engine,
    cases: Iterable[JsonLine | Case | Mapping[str, Any]],
    *,
    as_of: dt.date,
    territory: str | None = None,
) -> Iterator[Assessed]:
    """See :meth:`Engine.assess_each`."""
    debug = os.environ.get(DEBUG_ENV, "") not in ("", "0")
    for i, item in enumerate(cases):
        source = _source(i, item)
        try:
            case = _load(engine, item, source)
            result = engine.assess(case, as_of=as_of, territory=territory, source=source)
        except InclusioneError as exc:
            yield Assessed(source=source, error=exc)
            continue
        except Exception as exc:  # a defect on this case: said, and the others go on
            if isinstance(exc, BrokenPipeError) or debug:
                raise
            yield Assessed(source=source, error=InternalError(type(exc).__name__), internal=True)
            continue
        yield Assessed(source=source, case=case, result=result)
