"""
Load benchmark of the HTTP service on loopback: throughput and latency, beside the floors
measured in the same run.

    python benchmarks/http_load.py [--requests N] [--seconds S] [--clients C] [--json]

Starts ``inclusione serve`` on a free loopback port (its own process, as in production),
sends ``POST /v1/evaluate`` with the Prato example cases (each with its own date) from C
concurrent clients until N requests are answered or S seconds have passed, and reports:

* ``throughput``: requests answered per second;
* ``p50``, ``p95``: latency of one request (milliseconds);
* ``library``: the same cases through the Python API in this process (load, assess,
  disclose, JSON), per case, the floor the service adds HTTP to;
* ``orjson``: orjson parse + dump of the same request body, the floor of all;
* the ratios of p50 to both.

Bounded in count and time, never asserted in a test: compare the ratios across machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from inclusione_core import Engine, MemoryAuditLog

HEADERS = {"Content-Type": "application/json", "X-Inclusione-Subject": "benchmark", "X-Inclusione-Recipient": "cpi",
           "X-Inclusione-Purpose": "equipe"}


def bodies() -> list[bytes]:
    """The request bodies: each Prato example case with its date."""
    terr = Engine().territory("prato")
    return [orjson.dumps({"case": orjson.loads(Path(path).read_bytes()), "as_of": day.isoformat()})
            for path, day, _ in terr.examples()]


def library_floor(payloads: list[bytes], rounds: int = 20) -> tuple[float, float]:
    """Seconds per case: the Python API's whole path, and orjson's parse + dump of the body."""
    engine = Engine(audit=MemoryAuditLog())
    parsed = [orjson.loads(p) for p in payloads]
    engine.assess(engine.load_case(parsed[0]["case"]), as_of=dt.date.fromisoformat(parsed[0]["as_of"]))
    start = time.perf_counter()
    for _ in range(rounds):
        for body in payloads:
            data = orjson.loads(body)
            case = engine.load_case(data["case"])
            result = engine.assess(case, as_of=dt.date.fromisoformat(data["as_of"]))
            orjson.dumps(engine.disclose_result(result, case, recipient="cpi", purpose="equipe").to_json())
    library = (time.perf_counter() - start) / (rounds * len(payloads))
    start = time.perf_counter()
    for _ in range(rounds * 50):
        for body in payloads:
            orjson.dumps(orjson.loads(body))
    floor = (time.perf_counter() - start) / (rounds * 50 * len(payloads))
    return library, floor


def serve() -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "inclusione_core.cli", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("inclusione serve did not start") from None
            time.sleep(0.2)


def load(port: int, payloads: list[bytes], requests: int, seconds: float, clients: int) -> dict[str, Any]:
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    url = f"http://127.0.0.1:{port}/v1/evaluate"

    def client(k: int) -> None:
        nonlocal failures
        with httpx.Client(timeout=30) as c:
            i = k
            while time.monotonic() < stop:
                with lock:
                    if len(latencies) + failures >= requests:
                        return
                t = time.perf_counter()
                response = c.post(url, content=payloads[i % len(payloads)], headers=HEADERS)
                elapsed = time.perf_counter() - t
                with lock:
                    if response.status_code == 200:
                        latencies.append(elapsed)
                    else:
                        failures += 1
                i += clients

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - start
    ordered = sorted(latencies)
    return {"answered": len(latencies), "failed": failures, "seconds": round(wall, 2),
            "throughput": round(len(latencies) / wall, 1) if wall else 0.0,
            "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else None,
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2) if ordered else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=500, help="at most this many requests (default 500)")
    parser.add_argument("--seconds", type=float, default=30.0, help="at most this long (default 30 s)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args()
    payloads = bodies()
    library, floor = library_floor(payloads)
    server, port = serve()
    try:
        report = load(port, payloads, args.requests, args.seconds, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report |= {"library_ms": round(library * 1000, 3), "orjson_us": round(floor * 1e6, 2)}
    if report["p50_ms"] is not None:
        report["p50_over_library"] = round(report["p50_ms"] / report["library_ms"], 1)
        report["p50_over_orjson"] = round(report["p50_ms"] * 1000 / report["orjson_us"], 1)
    if args.json:
        print(json.dumps(report))
        return 0
    for key, value in report.items():
        print(f"{key:>18}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
