"""
Assessing JSON Lines files on Dask (``pip install 'inclusione-core[dask]'``): past one machine.

:func:`assess_files` reads each file with ``dask.bag.read_text`` in blocks, assesses every
block on the workers (each worker builds its engine once, with the plugins installed on it:
nothing of the engine is pickled but its configuration folders, limits and clock), and
yields one :class:`~inclusione_core.Outcome` per line, in file and line order, exactly as
:meth:`Engine.assess_stream` does on the same lines: the same views, the same errors with
the same ``file:line``, and the audit appended by the calling process block by block, before
the block's outcomes are yielded. See ``docs/performance.md``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._batch import Outcome, _one, _release, _Task
from ._errors import InvalidCaseError
from ._reader import _json_lines

if TYPE_CHECKING:
    from ._audit import AuditRecord
    from ._engine import Engine
    from ._models import Purpose
    from ._privacy import Recipient

__all__ = ["assess_files"]

_ENGINES: dict[str, Any] = {}


def _engine(spec: dict[str, Any]) -> Engine:
    """The worker's engine for a spec, built once per worker process."""
    key = repr(sorted((k, repr(v)) for k, v in spec.items()))
    found = _ENGINES.get(key)
    if found is None:
        from ._engine import Engine  # noqa: PLC0415 - on the worker

        found = _ENGINES[key] = Engine(config_dirs=spec["config_dirs"], limits=spec["limits"], clock=spec["clock"])
    return found


def _count(lines: Sequence[str]) -> list[int]:
    return [len(lines)]


def _block(lines: Sequence[str], offset: int, name: str, spec: dict[str, Any],
           task: _Task) -> list[tuple[Outcome, AuditRecord | None]]:
    """One block of a file on a worker: its lines read as the local reader reads them, each assessed."""
    engine = _engine(spec)
    limit = engine.limits.max_case_bytes
    raw = []
    for k, text in enumerate(lines):
        whole = text.encode("utf-8", "surrogateescape")
        data = whole.rstrip(b"\r\n")  # an over-long line is sized with its line ending, as the local reader does
        raw.append((offset + k + 1, data, len(data)) if len(data) <= limit else (offset + k + 1, None, len(whole)))
    items = _json_lines(raw, name, engine.limits, "it", InvalidCaseError)
    return [_one(engine, 0, item, *task, False) for item in items]


def assess_files(
    engine: Engine,
    paths: str | Path | Sequence[str | Path],
    *,
    as_of: dt.date,
    recipient: Recipient | str,
    purpose: Purpose | str,
    redact: bool = False,
    channel: str = "dask",
    blocksize: int | str = "64MiB",
    scheduler: Any = None,
    window: int = 8,
    encode: str | None = None,
) -> Iterator[Outcome]:
    """
    Assess JSON Lines files on Dask, one :class:`~inclusione_core.Outcome` per line, in order.

    :param engine: the calling process's engine: its audit receives the records, its
        configuration folders, limits and clock go to the workers.
    :param paths: the files, each named in the errors as given (``casi.jsonl:8``).
    :param blocksize: bytes per block (``dask.bag.read_text``).
    :param scheduler: Dask's (``"synchronous"``, ``"processes"``...); default: the active
        ``distributed.Client`` if there is one, else Dask's default.
    :param window: blocks computed at once (the memory held: about ``window`` blocks of results).
    :param encode: ``compact`` or ``full``: the views encoded on the workers, as
        :meth:`Engine.assess_stream` does.
    """
    dask: Any = importlib.import_module("dask")  # the optional extra (partly typed: used as Any)
    db: Any = importlib.import_module("dask.bag")

    spec = engine._worker_spec()
    if encode not in (None, "compact", "full"):
        raise ValueError(f"assess_files: encode {encode!r} is neither compact nor full")
    task: _Task = (as_of, recipient, purpose, None, channel, redact, encode)
    for path in [paths] if isinstance(paths, str | Path) else list(paths):
        name = str(path)
        bag = db.read_text(name, blocksize=blocksize, encoding="utf-8", errors="surrogateescape")
        counts = bag.map_partitions(_count).compute(scheduler=scheduler)  # line numbers: the blocks' offsets
        offsets = list(itertools.accumulate(counts, initial=0))  # the lines before each block
        blocks = bag.to_delayed()
        for start in range(0, len(blocks), window):
            batch = [dask.delayed(_block)(blocks[i], offsets[i], name, spec, task)
                     for i in range(start, min(start + window, len(blocks)))]
            for done in dask.compute(*batch, scheduler=scheduler):
                yield from _release(engine, done)
