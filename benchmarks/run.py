"""
Benchmark: what a user's whole path costs per case, as ratios to the floor measured in the same run.

    python benchmarks/run.py [--lines N] [--rss-lines N ...] [--json]

The lines are realistic: the example cases of every installed reference territory, varied
(ids, birth dates, need levels, needs), about 1.5 KB each. Per case, in CPU time:

* ``floor``: orjson parse + dump of the same line (the least any JSON tool does);
* ``api``: ``load_case`` + ``assess`` + the result as JSON (orjson), in this process;
* ``api_view_audit``: the same plus the view for the CPI and its audit record (a file);
* ``cli_batch``: ``inclusione --json --audit FILE assess --recipient cpi --jobs 1`` over the
  lines, a process of its own (start-up and compiling included, spread over the lines); and
  the wall time per case with ``--jobs`` the cores available (what a million cases would take);

then the ratios of each to the floor, the peak memory (RSS) of the CLI batch at each
``--rss-lines`` size, and the wall time of a cold ``inclusione --help`` and of one cold
``inclusione assess``. Ratios, not seconds, are what to compare across machines
(``docs/performance.md`` has the figures and the machine).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

AS_OF = "2025-04-15"


def example_cases() -> list[dict[str, Any]]:
    """Every example case of the installed reference territories."""
    from inclusione_core import Engine  # noqa: PLC0415 - after argparse, so --help stays instant

    engine = Engine()
    out = []
    for info in engine.territories():
        for path, _day, _title in engine.territory(info.id).examples():
            out.append(orjson.loads(Path(path).read_bytes()))
    return out


def vary(case: dict[str, Any], i: int, rng: random.Random) -> dict[str, Any]:
    """A variant of an example: its own id, birth dates moved, levels and needs' severity redrawn."""
    c = copy.deepcopy(case)
    c["id"] = f"{c['id']}-{i}"
    for m in c.get("household", {}).get("members", []):
        born = m.get("birth_date")
        if isinstance(born, str) and len(born) == 10:
            year = int(born[:4]) + rng.randint(-3, 3)
            m["birth_date"] = f"{year:04d}{born[4:]}" if born[5:] != "02-29" else f"{year:04d}-02-28"
    assessment = c.get("assessment") or {}
    for level in assessment.get("levels", []):
        level["level"] = rng.randint(0, 3)
    for need in assessment.get("needs", []):
        need["severity"] = rng.randint(1, 3)
    return c


def lines(n: int, seed: int = 42) -> list[bytes]:
    rng = random.Random(seed)
    examples = example_cases()
    return [orjson.dumps(vary(examples[i % len(examples)], i, rng)) for i in range(n)]


def cpu_per(fn: Callable[[bytes], Any], items: list[bytes], passes: int = 3) -> float:
    """CPU seconds per item of ``fn`` (best of ``passes``)."""
    best = float("inf")
    for _ in range(passes):
        t0 = time.process_time()
        for item in items:
            fn(item)
        best = min(best, (time.process_time() - t0) / len(items))
    return best


def child(argv: list[str], stdin: Path | None = None) -> tuple[float, float, int]:
    """Run a command: (wall seconds, CPU seconds, peak RSS in KB) of that process alone."""
    start = time.perf_counter()
    with (stdin.open("rb") if stdin else open(os.devnull, "rb")) as inp, open(os.devnull, "wb") as out:
        proc = subprocess.Popen(argv, stdin=inp, stdout=out, stderr=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        raise SystemExit(f"{' '.join(argv)}: exit {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def write(path: Path, items: Iterable[bytes]) -> None:
    with path.open("wb") as f:
        for item in items:
            f.write(item + b"\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=2000, help="lines for the per-case figures (default 2000)")
    parser.add_argument("--rss-lines", type=int, nargs="*", default=[10_000],
                        help="sizes at which to measure the CLI batch's peak memory (default 10000)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)

    from inclusione_core import Engine, JsonlAuditLog  # noqa: PLC0415

    sample = lines(args.lines)
    inclusione = [sys.executable, "-m", "inclusione_core.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = Engine(audit=JsonlAuditLog(folder / "api-audit.jsonl"))
        as_of = dt.date.fromisoformat(AS_OF)

        def api(line: bytes) -> None:
            result = engine.assess(engine.load_case(orjson.loads(line)), as_of=as_of)
            orjson.dumps(engine.to_json(result))

        def api_view_audit(line: bytes) -> None:
            case = engine.load_case(orjson.loads(line))
            result = engine.assess(case, as_of=as_of)
            orjson.dumps(engine.disclose_result(result, case, recipient="cpi", purpose="equipe").to_json())

        api(sample[0])  # compile the territories before timing
        floor = cpu_per(lambda line: orjson.dumps(orjson.loads(line)), sample, passes=5)
        per = {"api": cpu_per(api, sample, passes=1), "api_view_audit": cpu_per(api_view_audit, sample, passes=1)}
        batch = folder / "lines.jsonl"
        write(batch, sample)
        audit = folder / "cli-audit.jsonl"
        command = [*inclusione, "--json", "--audit", str(audit), "assess", "--recipient", "cpi", "--purpose",
                   "equipe", "--as-of", AS_OF]
        _wall, cpu, _rss = child([*command, "--jobs", "1", str(batch)])
        per["cli_batch"] = cpu / len(sample)
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        audit.unlink(missing_ok=True)
        wall_jobs = child([*command, "--jobs", str(jobs), str(batch)])[0] / len(sample)
        rss: dict[str, int] = {}
        for n in args.rss_lines:
            write(batch, lines(n, seed=n))
            audit.unlink(missing_ok=True)
            rss[str(n)] = child([*command, str(batch)])[2] // 1024
        one = folder / "one.json"
        one.write_bytes(sample[0])
        cold_help = min(child([*inclusione, "--help"])[0] for _ in range(5))
        cold_assess = min(child([*inclusione, "assess", "--as-of", AS_OF, str(one)])[0] for _ in range(3))
    report = {
        "machine": {"python": platform.python_version(), "system": platform.platform(terse=True),
                    "cpus": os.cpu_count(), "processor": platform.machine()},
        "lines": len(sample), "line_bytes_mean": round(sum(map(len, sample)) / len(sample)),
        "floor_us": round(floor * 1e6, 1),
        **{f"{k}_us": round(v * 1e6, 1) for k, v in per.items()},
        **{f"{k}_x_floor": round(v / floor, 1) for k, v in per.items()},
        "cli_batch_rss_mb": rss,
        "cold_help_s": round(cold_help, 3), "cold_assess_s": round(cold_assess, 3),
        "cli_batch_jobs": jobs, "cli_batch_jobs_wall_us": round(wall_jobs * 1e6, 1),
        "one_million_cases_cli_s": round(wall_jobs * 1_000_000, 1),
    }
    if args.json:
        print(json.dumps(report))
    else:
        for k, v in report.items():
            print(f"{k:>36}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
