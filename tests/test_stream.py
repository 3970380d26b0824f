"""
The streaming batch (issue 18, item 3): batches audited before they go out, worker
processes giving the same outcomes in the same order, and nothing kept per case.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from inclusione_core import AuditRecord, Engine, JsonlAuditLog, MemoryAuditLog, read_json_lines, verify_audit
from inclusione_core.testing import FixedClock

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 4, 15)
NOW = dt.date(2025, 6, 2)


def _lines(n: int) -> bytes:
    """n cases: the Prato and SIL examples under new ids, with a bad line and an invalid case among them."""
    examples = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "territories").glob(
        "*/examples/*.json"))]
    out = []
    for i in range(n):
        if i == 7:
            out.append(b"{non json")
        elif i == 11:
            out.append(orjson.dumps({"id": "x"}))
        else:
            out.append(orjson.dumps(examples[i % len(examples)] | {"id": f"c-{i}"}))
    return b"\n".join(out) + b"\n"


class SpyLog(MemoryAuditLog):
    """A memory audit that counts its appends (one per batch expected)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    def append_many(self, records: Any) -> None:
        records = list(records)
        self.calls.append(len(records))
        super().append_many(records)


def _stream(engine: Engine, raw: bytes, **kw: Any) -> Any:
    return engine.assess_stream(read_json_lines(io.BytesIO(raw), "casi.jsonl"), as_of=AS_OF, recipient="cpi",
                                purpose="equipe", **kw)


def test_a_batch_is_audited_at_once_before_its_outcomes_go_out() -> None:
    audit = SpyLog()
    engine = Engine(clock=FixedClock(NOW), audit=audit)
    seen = 0
    for outcome in _stream(engine, _lines(70), batch=32):
        if outcome.view is not None:
            seen += 1
            assert len(audit.records()) >= seen, "an outcome went out before its audit record"
            assert outcome.view.case_id in {r.case_id for r in audit.records()}
    assert audit.calls == [30, 32, 6]  # 32, 32 and 6 lines; the first has the bad line and the invalid case
    assert seen == 68


def test_workers_give_the_same_outcomes_in_the_same_order_and_the_same_audit() -> None:
    raw = _lines(600)
    runs = []
    for jobs in (1, 2):
        engine = Engine(clock=FixedClock(NOW), audit=MemoryAuditLog())
        out = [orjson.dumps(o.to_json()) for o in _stream(engine, raw, jobs=jobs, batch=64)]
        runs.append((out, [r.hash for r in engine.audit.records()]))
    (one, audit_one), (two, audit_two) = runs
    assert len(one) == 600 and one == two and audit_one == audit_two
    assert json.loads(one[7])["source"] == "casi.jsonl:8"


def test_a_stream_of_one_batch_starts_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    from inclusione_core import _batch

    def boom(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("workers started for a single batch")

    monkeypatch.setattr(_batch, "_parallel", boom)
    engine = Engine(clock=FixedClock(NOW), audit=MemoryAuditLog())
    assert len(list(_stream(engine, _lines(20), jobs=4, batch=64))) == 20


def test_an_audit_file_gets_one_write_per_batch_and_verifies(tmp_path: Path) -> None:
    log = JsonlAuditLog(tmp_path / "audit.jsonl")
    engine = Engine(clock=FixedClock(NOW), audit=log)
    list(_stream(engine, _lines(100), jobs=2, batch=25))
    report = verify_audit(tmp_path / "audit.jsonl")
    assert report.ok and report.records == 98


def test_the_cli_with_jobs_prints_what_it_prints_without(tmp_path: Path) -> None:
    cases = tmp_path / "casi.jsonl"
    cases.write_bytes(_lines(600))
    outputs = []
    for jobs in ("1", "2"):
        audit = tmp_path / f"audit-{jobs}.jsonl"
        proc = subprocess.run([sys.executable, "-m", "inclusione_core.cli", "--json", "--audit", str(audit),
                               "assess", "--recipient", "cpi", "--purpose", "equipe", "--as-of", AS_OF.isoformat(),
                               "--jobs", jobs, str(cases)], check=False, capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 2, proc.stderr[-2000:]  # two cases in error, the others assessed
        lines = [json.loads(line) for line in proc.stdout.splitlines()]
        for line in lines:
            line.pop("at", None)  # the moment of each disclosure
        outputs.append(lines)
        assert verify_audit(audit).records == 598
    assert len(outputs[0]) == 600 and outputs[0] == outputs[1]


def test_without_an_audit_file_the_cli_keeps_no_record() -> None:
    from inclusione_core.cli._common import NoticeAudit

    notice = NoticeAudit("it")
    record = AuditRecord(at="2025-06-02T10:00:00+00:00", case_id="c", territory="prato", recipient="cpi",
                         recipient_service=None, recipient_name="", purpose="equipe", as_of="2025-04-15",
                         channel="cli", disclosed=(), not_disclosed=(), pseudonymised=False, config_digest="x")
    for _ in range(3):
        notice.append(record)
    assert notice.count == 3 and notice.records() == []


def test_a_batch_shows_its_progress_on_a_terminal_and_is_silent_otherwise(tmp_path: Path) -> None:
    import os
    import pty

    cases = tmp_path / "casi.jsonl"
    cases.write_bytes(_lines(40))
    command = [sys.executable, "-m", "inclusione_core.cli", "--json", "assess", "--jobs", "1", str(cases)]
    master, slave = pty.openpty()
    proc = subprocess.run(command, check=False, stdout=subprocess.PIPE, stderr=slave, timeout=300,
                          env=os.environ | {"TERM": "xterm", "COLUMNS": "100"})
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.returncode == 2 and len(proc.stdout.splitlines()) == 40
    assert b"casi valutati" in seen
    quiet = subprocess.run(command, check=False, capture_output=True, timeout=300)
    assert b"casi valutati" not in quiet.stderr and len(quiet.stdout.splitlines()) == 40
