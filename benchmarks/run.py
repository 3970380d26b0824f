"""
Benchmark: cost of the pipeline per case, as ratios to baselines measured in the same run.

    python benchmarks/run.py [--cases N] [--territory ID] [--json]

Baseline: ``json.loads`` + ``json.dumps`` of the same case (the cost of merely reading and
writing it). Reported per case, and as a multiple of the baseline:

* ``structure``: the strict cattrs check and conversion (bulk input path);
* ``jsonschema``: a full schema validation (the path used only to explain a failure);
* ``assess``: the whole pipeline (profile, routing, equipe, interventions, deadlines,
  measures, provenance) with the configuration compiled once;
* ``compile``: loading, validating and merging the territory configuration, once.

Ratios, not seconds, are what to compare across machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable
from typing import Any

DIMENSIONS = ("funzionamenti", "economica", "lavoro", "istruzione", "abitare", "reti")
NEEDS = ("lavoro", "formazione", "abitativo", "dipendenze", "salute_mentale", "economico", "reti_relazioni")


def synthetic_case(i: int, territory: str, rng: random.Random) -> dict[str, Any]:
    """A realistic ~1 KB case with random levels and needs."""
    members = [
        {"id": f"m{j}", "relation": "richiedente" if j == 0 else "figlio",
         "birth_date": f"{rng.randint(1960, 2020)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
         "employment": rng.choice(["disoccupato", "inoccupato", "occupato", "studente"])}
        for j in range(rng.randint(1, 4))
    ]
    return {
        "id": f"bench-{i}", "territory": territory, "opened_on": "2025-01-10",
        "household": {"id": f"h{i}", "isee": rng.randint(0, 20000), "members": members},
        "access": {"date": "2025-01-10", "point": "pua", "channel": "diretto"},
        "assessment": {
            "date": "2025-01-20",
            "levels": [{"dimension": d, "level": rng.randint(0, 3)} for d in DIMENSIONS],
            "needs": [{"code": n} for n in rng.sample(NEEDS, rng.randint(0, 3))],
        },
        "measures": [{"code": "adi", "valid_from": "2025-01-01"}] if rng.random() < 0.5 else [],
    }


def per_case(fn: Callable[[Any], Any], items: list[Any]) -> float:
    """Mean seconds per item of ``fn`` over ``items`` (best of 3 passes)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, (time.perf_counter() - t0) / len(items))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--territory", default="italia")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from inclusione_core import Engine  # noqa: PLC0415 - after argparse, so --help stays instant
    from inclusione_core._schema import validator  # noqa: PLC0415

    rng = random.Random(42)
    cases = [synthetic_case(i, args.territory, rng) for i in range(args.cases)]
    texts = [json.dumps(c) for c in cases]
    as_of = dt.date(2025, 3, 1)

    t0 = time.perf_counter()
    engine = Engine()
    engine.territory(args.territory)
    compile_s = time.perf_counter() - t0

    check = validator("case")
    structured = [engine.load_case(c) for c in cases]
    baseline = per_case(lambda t: json.dumps(json.loads(t)), texts)
    timings = {
        "structure": per_case(engine.load_case, cases),
        "jsonschema": per_case(lambda c: list(check.iter_errors(c)), cases),
        "assess": per_case(lambda c: engine.assess(c, as_of=as_of), structured),
    }
    report = {
        "cases": args.cases,
        "case_bytes_mean": round(sum(map(len, texts)) / len(texts)),
        "baseline_us": round(baseline * 1e6, 1),
        "compile_ms_once": round(compile_s * 1e3, 1),
        **{f"{k}_us": round(v * 1e6, 1) for k, v in timings.items()},
        **{f"{k}_x_baseline": round(v / baseline, 1) for k, v in timings.items()},
    }
    if args.json:
        print(json.dumps(report))
    else:
        for k, v in report.items():
            print(f"{k:>24}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
