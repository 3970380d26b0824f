"""
Dask (issue 18, item 5): the same assessment over ``dask.bag`` blocks gives the same
outcomes, in the same order, and the same audit as the local stream; with the synchronous
scheduler, and once on a LocalCluster of two worker processes.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

pytest.importorskip("dask.bag", reason="the Dask extra (inclusione-core[dask]) is not installed")
from conftest import PROFILE
from test_stream import AS_OF, NOW, _lines

from inclusione_core import Engine, MemoryAuditLog, read_cases
from inclusione_core._batch import dump_line
from inclusione_core.cluster import assess_files
from inclusione_core.testing import FixedClock


def _local(path: Path) -> tuple[list[bytes], list[str]]:
    engine = Engine(clock=FixedClock(NOW), audit=MemoryAuditLog())
    out = [orjson.dumps(o.to_json()) for o in engine.assess_stream(read_cases(str(path)), as_of=AS_OF,
                                                                       recipient="cpi", purpose="equipe")]
    return out, [r.hash for r in engine.audit.records()]


def _dask(path: Path, **kw: Any) -> tuple[list[bytes], list[str]]:
    engine = Engine(clock=FixedClock(NOW), audit=MemoryAuditLog())
    out = [orjson.dumps(o.to_json()) for o in assess_files(engine, str(path), as_of=AS_OF, recipient="cpi",
                                                           purpose="equipe", channel="api", **kw)]
    return out, [r.hash for r in engine.audit.records()]


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dask") / "casi.jsonl"
    raw = _lines(300)
    # a blank line and an over-long one: numbered as the local reader numbers them
    path.write_bytes(raw + b"\n" + b'{"id": "' + b"x" * 1_000_100 + b'"}\n' + raw.splitlines()[0] + b"\n")
    return path


@pytest.mark.parametrize("blocksize", [20_000, 333_333, "64MiB"])
def test_blocks_on_the_synchronous_scheduler_give_the_local_output(cases: Path, blocksize: Any) -> None:
    local = _local(cases)
    assert len(local[0]) == 302
    assert _dask(cases, blocksize=blocksize, scheduler="synchronous") == local
    sources = [json.loads(line).get("source") for line in local[0]]
    assert sources[8 - 1] == f"{cases}:8" and sources[-2] == f"{cases}:302"


def test_a_local_cluster_of_two_workers_gives_the_local_output(cases: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc, \
            distributed.Client(lc):
        assert _dask(cases, blocksize=100_000) == _local(cases)


def test_the_cli_on_dask_prints_what_it_prints_locally(cases: Path, tmp_path: Path) -> None:
    outputs = []
    for extra in ([], ["--dask", "synchronous"]):
        proc = subprocess.run([sys.executable, "-m", "inclusione_core.cli", "--json", "--audit",
                               str(tmp_path / f"audit{len(extra)}.jsonl"), "assess", "--recipient", "cpi",
                               "--purpose", "equipe", "--as-of", AS_OF.isoformat(), *extra, str(cases)],
                              check=False, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 2, proc.stderr[-1500:]
        lines = [json.loads(line) for line in proc.stdout.splitlines()]
        for line in lines:
            line.pop("at", None)
        outputs.append(lines)
    assert len(outputs[0]) == 302 and outputs[0] == outputs[1]


def test_dask_reads_a_file_not_stdin() -> None:
    proc = subprocess.run([sys.executable, "-m", "inclusione_core.cli", "assess", "--dask", "synchronous", "-"],
                          check=False, input="{}", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--dask" in proc.stderr
    assert dt.date.today()  # the command failed before reading anything


# The "done when": 10,000 lines under the ci profile (CI), 1,000 otherwise.
SAME_LINES = 10_000 if PROFILE == "ci" else 1_000


def test_local_two_jobs_and_dask_give_the_same_bytes_on_the_same_lines(tmp_path: Path) -> None:
    """One process, two worker processes, a LocalCluster of two workers: byte for byte, and the same audit."""
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "casi.jsonl"
    path.write_bytes(_lines(SAME_LINES))

    def lines(outcomes: Any) -> list[bytes]:  # the view encoded here, or where it was assessed
        return [o.line if o.line is not None else dump_line(o.view.to_json("compact")) if o.view is not None
                else dump_line(o.to_json()) for o in outcomes]

    def stream(jobs: int, encode: str | None) -> tuple[list[bytes], list[str]]:
        engine = Engine(clock=FixedClock(NOW), audit=MemoryAuditLog())
        out = lines(engine.assess_stream(read_cases(str(path)), as_of=AS_OF, recipient="cpi", purpose="equipe",
                                         jobs=jobs, encode=encode))
        return out, [r.hash for r in engine.audit.records()]

    local = stream(1, None)
    assert len(local[0]) == SAME_LINES and len(local[1]) == SAME_LINES - 2  # a bad line and an invalid case
    assert stream(2, "compact") == local
    assert stream(2, None) == local
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc, \
            distributed.Client(lc):
        engine = Engine(clock=FixedClock(NOW), audit=MemoryAuditLog())
        out = lines(assess_files(engine, str(path), as_of=AS_OF, recipient="cpi", purpose="equipe", channel="api",
                                 blocksize=1_000_000, encode="compact"))
        assert (out, [r.hash for r in engine.audit.records()]) == local
