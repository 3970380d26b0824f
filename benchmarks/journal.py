"""
Benchmark of the case journal: appends per second and the replay of a 500-event case, on
SQLite and on PostgreSQL.

    python benchmarks/journal.py [--events N] [--postgresql URL] [--json]

For each engine it writes one case of N events (default 500), one command per append
(``journal.execute``: load, decide, append, each in its own transaction with
``synchronous=FULL`` on SQLite), and reports:

* ``appends_per_s``: commands appended per second (each a load of the case, from the
  store's cache of states plus the new events, a decision and one transaction);
* ``append_only_per_s``: the same appends decided beforehand, so only the store's
  transaction is timed;
* ``replay_ms``: reading the N events back (decrypting the sealed ones) and folding them
  into the case from nothing (no cache), median of 5;
* ``read_ms``: reading them only, median of 5.

PostgreSQL runs against ``--postgresql URL``, or a throwaway server started as the tests
start it (tests/journal_postgres.py) when initdb and pg_ctl are installed; otherwise it is
skipped. Bounded in count, never asserted in a test: compare across machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from inclusione_core import journal
from inclusione_core._models import Member, Project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import journal_postgres

DAY = dt.date(2025, 3, 1)
AT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def _commands(case_id: str, n: int) -> Iterator[journal.Command]:
    meta = {"case_id": case_id, "actor": "rossi", "role": "assistente_sociale", "legal_basis": "bench"}
    yield journal.OpenCase(**meta, command_id=f"{case_id}-open", territory="toscana", opened_on=DAY,
                           household_id="h", members=(Member(id="m1"),))
    yield journal.SignProject(**meta, command_id=f"{case_id}-sign", on=DAY,
                              project=_project())
    for i in range(n - 3):
        yield journal.ReviewProject(**meta, command_id=f"{case_id}-r{i}", project_id="p-1",
                                    on=DAY + dt.timedelta(days=i // 4), note=f"verifica {i}: nota riservata")


def _project() -> Project:
    return Project(id="p-1", start=DAY)


def _median_ms(action: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def measure(store: journal.JournalStore, events: int) -> dict[str, Any]:
    """The figures of one engine."""
    ids = (f"e{i}" for i in itertools.count())
    start = time.perf_counter()
    count = 0
    for command in _commands("bench-1", events):
        journal.execute(store, command, clock=lambda: AT, new_id=lambda: next(ids))
        count += 1
    appends = count / (time.perf_counter() - start)
    state = journal.CaseState(case_id="bench-2")
    batches = []
    for command in _commands("bench-2", events):
        decided = journal.decide(state, command, clock=lambda: AT, new_id=lambda: next(ids))
        batches.append((state.version, decided, command.command_id))
        for event in decided:
            state = journal.evolve(state, event)
    start = time.perf_counter()
    for version, decided, command_id in batches:
        store.append("bench-2", version, decided, command_id)
    append_only = len(batches) / (time.perf_counter() - start)
    version = store.load("bench-1").version
    return {"events": version, "appends_per_s": round(appends, 1), "append_only_per_s": round(append_only, 1),
            "replay_ms": _median_ms(lambda: journal.replay("bench-1", store.events("bench-1"))),
            "read_ms": _median_ms(lambda: store.events("bench-1"))}


@contextmanager
def _postgresql(url: str | None) -> Iterator[str | None]:
    if url:
        yield url
        return
    with journal_postgres.server() as server:
        yield journal_postgres.new_database(server, "journal_bench") if server else None


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--postgresql", metavar="URL")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder, journal.SqliteJournal(Path(folder) / "bench.db") as store:
        results["sqlite"] = measure(store, args.events)
    with _postgresql(args.postgresql) as url:
        if url is None:
            results["postgresql"] = None
        else:
            store = journal.open_store(url)
            try:
                results["postgresql"] = measure(store, args.events)
            finally:
                store.close()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for engine, figures in results.items():
        print(f"{engine}: " + ("skipped (no server)" if figures is None else
                               ", ".join(f"{k} {v}" for k, v in figures.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
