"""
The tamper-evident disclosure audit (issue 10, item 5): the hash chain, the head file, torn
lines, HMAC keys, file modes, concurrent appends, ``privacy verify`` and ``privacy history``.

Done when: ``inclusione privacy verify`` finds a deleted or edited line in a generated audit
of 10,000 records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusione_core import (
    AuditError,
    AuditRecord,
    AuditWarning,
    Engine,
    JsonlAuditLog,
    MemoryAuditLog,
    cli,
    verify_audit,
)
from inclusione_core import _audit as audit_module

KEY = b"k" * 32
GENESIS = "0" * 64
SMALL = 30  # records of the audit the property tests alter


def record(i: int, case: str | None = None, **changes: Any) -> AuditRecord:
    """A small record, as the engine builds it (the log sets seq, prev and hash)."""
    fields: dict[str, Any] = {
        "at": "2025-03-01T09:30:00+00:00", "case_id": case or f"c{i % 7}", "territory": "italia",
        "recipient": ("cpi", "serd")[i % 2], "recipient_service": None, "recipient_name": "",
        "purpose": "referral", "as_of": "2025-03-01", "channel": f"canale_{i % 3}",
        "disclosed": ({"category": "work", "basis": "law", "flow": "cpi_invio", "legal_basis": "D.Lgs. 147/2017",
                       "consent": None},),
        "not_disclosed": ("addiction", "health"), "pseudonymised": False, "config_digest": "ab" * 32,
    }
    return AuditRecord(**{**fields, **changes})


def head_of(path: Path) -> Path:
    return path.with_name(path.name + ".head")


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def write_audit(path: Path, n: int, key: bytes | None = None) -> Path:
    JsonlAuditLog(path, key=key).append_many(record(i) for i in range(n))
    return path


def copy_audit(source: Path, folder: Path) -> Path:
    """The audit and its head, copied into ``folder``."""
    target = folder / source.name
    for src, dst in ((source, target), (head_of(source), head_of(target))):
        shutil.copyfile(src, dst)
        dst.chmod(0o600)  # as the log created it (a copy gets the umask's mode, which the log refuses)
    return target


def rewrite(raw: bytes, *, rehash: bytes | str | None = None, **changes: Any) -> bytes:
    """
    A line with some fields changed, in the written form; the stored hash is kept unless
    ``rehash`` is given: ``"sha256"`` (an attacker without the key) or a key.
    """
    data = json.loads(raw)
    data.update(changes)
    digest = data.pop("hash")
    if rehash is not None:
        data["mac"] = "sha256" if rehash == "sha256" else "hmac-sha256"
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if rehash == "sha256":
        digest = hashlib.sha256(body).hexdigest()
    elif isinstance(rehash, bytes):
        digest = hmac.new(rehash, body, hashlib.sha256).hexdigest()
    return body[:-1] + b',"hash":"' + digest.encode() + b'"}\n'


@pytest.fixture(scope="module")
def small_audit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An intact audit of SMALL records, never modified (tests alter copies)."""
    return write_audit(tmp_path_factory.mktemp("small") / "audit.jsonl", SMALL)


@pytest.fixture(scope="module")
def big_audit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated audit of 10,000 records, never modified."""
    return write_audit(tmp_path_factory.mktemp("big") / "audit.jsonl", 10_000)


def altered(source: Path, change: Callable[[list[bytes]], list[bytes]]) -> Any:
    """Verify a copy of ``source`` whose lines went through ``change``; the report."""
    with tempfile.TemporaryDirectory() as folder:
        path = copy_audit(source, Path(folder))
        path.write_bytes(b"".join(change(lines_of(path))))
        return verify_audit(path)


# --------------------------------------------------------------------------- the chain


def test_records_are_chained_from_the_genesis(tmp_path: Path) -> None:
    """Each record carries seq from 1, the previous record's hash (64 zeros first) and its own SHA-256."""
    path = write_audit(tmp_path / "audit.jsonl", 3)
    records = JsonlAuditLog(path).records()
    assert [r.seq for r in records] == [1, 2, 3]
    assert [r.prev for r in records] == [GENESIS, records[0].hash, records[1].hash]
    assert {r.mac for r in records} == {"sha256"} and {r.v for r in records} == {1}
    first = json.loads(lines_of(path)[0])
    digest = first.pop("hash")
    canonical = json.dumps(first, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert digest == hashlib.sha256(canonical).hexdigest()  # every field but hash, seq and prev included
    assert json.loads(head_of(path).read_text()) == {"v": 1, "seq": 3, "hash": records[2].hash, "mac": "sha256"}


def test_memory_and_file_logs_chain_alike(tmp_path: Path) -> None:
    """The same records appended to a MemoryAuditLog and a JsonlAuditLog get the same seq, prev and hash."""
    memory, file = MemoryAuditLog(key=KEY), JsonlAuditLog(tmp_path / "audit.jsonl", key=KEY)
    for log in (memory, file):
        log.append(record(0))
        log.append_many([record(1), record(2, case="caso-x")])
    assert file.records() == memory.records()
    assert [r.seq for r in memory.records("caso-x")] == [3]
    assert file.verify().ok


def test_a_generated_audit_of_10000_records_verifies_in_well_under_a_second(big_audit: Path) -> None:
    """verify_audit checks 10,000 records, their chain and the head, fast."""
    start = time.perf_counter()
    report = verify_audit(big_audit)
    elapsed = time.perf_counter() - start
    assert report.ok, report.problems[:3]
    assert (report.records, report.lines, report.last_seq, report.head_seq) == (10_000, 10_000, 10_000, 10_000)
    assert elapsed < 1.0, f"{elapsed:.2f} s"


@pytest.mark.parametrize(("change", "line", "kind"), [
    (lambda ls: ls[:4_999] + ls[5_000:], 5_000, "missing"),
    (lambda ls: [*ls[:7_776], rewrite(ls[7_776], channel="altro"), *ls[7_777:]], 7_777, "edited"),
], ids=["deleted", "edited"])
def test_verify_finds_a_deleted_or_edited_line_among_10000(
    big_audit: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    change: Callable[[list[bytes]], list[bytes]], line: int, kind: str,
) -> None:
    """Done when: `inclusione privacy verify` finds a deleted or an edited line in an audit of 10,000 records."""
    path = copy_audit(big_audit, tmp_path)
    path.write_bytes(b"".join(change(lines_of(path))))
    assert cli.main(["privacy", "verify", str(path)]) == 2
    out = capsys.readouterr().out
    assert f"ALTERATO, primo problema: riga {line}:" in out
    assert cli.main(["--json", "privacy", "verify", str(path)]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["bad_lines"] == [line]
    assert (report["first_problem"]["line"], report["first_problem"]["kind"]) == (line, kind)


@given(data=st.data())
def test_deleting_any_one_line_is_found_at_that_line(small_audit: Path, data: st.DataObject) -> None:
    """A line deleted anywhere is reported at its place: a gap in seq, or records missing after the end."""
    i = data.draw(st.integers(0, SMALL - 1), label="line index")
    report = altered(small_audit, lambda ls: ls[:i] + ls[i + 1:])
    assert not report.ok
    first = report.first_problem
    assert first is not None and first.line == i + 1
    assert first.kind == ("truncated" if i == SMALL - 1 else "missing")


FIELDS = {
    "case_id": st.text(min_size=1, max_size=8), "recipient": st.sampled_from(["ssp", "udp", "impresa"]),
    "channel": st.just("cli_falso"), "at": st.just("2024-01-01T00:00:00+00:00"), "as_of": st.just("2020-01-01"),
    "not_disclosed": st.just([]), "pseudonymised": st.just(True), "disclosed": st.just([]),
    "seq": st.integers(1, 1_000), "prev": st.just("f" * 64), "config_digest": st.just("cd" * 32),
}


@given(data=st.data())
def test_editing_any_field_of_any_line_is_found_at_that_line(small_audit: Path, data: st.DataObject) -> None:
    """Changing one field of one record (its hash left as it was) is reported at that line as edited."""
    i = data.draw(st.integers(0, SMALL - 1), label="line index")
    name = data.draw(st.sampled_from(sorted(FIELDS)), label="field")
    original = json.loads(lines_of(small_audit)[i])
    value = data.draw(FIELDS[name].filter(lambda v: v != original[name]), label="value")
    report = altered(small_audit, lambda ls: [*ls[:i], rewrite(ls[i], **{name: value}), *ls[i + 1:]])
    assert report.first_problem is not None
    assert (report.first_problem.line, report.first_problem.kind) == (i + 1, "edited")


@given(data=st.data())
def test_swapping_two_lines_is_found_at_the_first(small_audit: Path, data: st.DataObject) -> None:
    """Two records swapped are reported at the first of the two lines."""
    i = data.draw(st.integers(0, SMALL - 2), label="first")
    j = data.draw(st.integers(i + 1, SMALL - 1), label="second")

    def swap(ls: list[bytes]) -> list[bytes]:
        ls[i], ls[j] = ls[j], ls[i]
        return ls

    report = altered(small_audit, swap)
    assert report.first_problem is not None and report.first_problem.line == i + 1
    assert report.first_problem.kind in ("missing", "reordered")


@given(keep=st.integers(1, SMALL - 1))
def test_truncating_the_tail_is_found_by_the_head(small_audit: Path, keep: int) -> None:
    """Deleting the last lines leaves a valid chain; the head file says records are missing after the end."""
    report = altered(small_audit, lambda ls: ls[:keep])
    assert [(p.line, p.kind, p.expected, p.found) for p in report.problems] == [
        (keep + 1, "truncated", str(SMALL), str(keep))]


def test_a_rehashed_edit_without_a_key_breaks_the_link_to_the_next_record(small_audit: Path) -> None:
    """Without a key, an edit re-hashed with SHA-256 passes its own check but not the next record's prev."""
    report = altered(small_audit, lambda ls: [*ls[:9], rewrite(ls[9], channel="x", rehash="sha256"), *ls[10:]])
    assert [(p.line, p.kind) for p in report.problems] == [(11, "broken_chain")]


def test_lines_that_are_not_records_are_named(small_audit: Path) -> None:
    """A line of another JSON, or garbage the chain does not cross, is a problem at its line."""
    report = altered(small_audit, lambda ls: [*ls[:3], b"{}\n", *ls[3:]])
    assert [(p.line, p.kind) for p in report.problems] == [(4, "not_a_record")]
    report = altered(small_audit, lambda ls: [*ls[:3], b"non json\n", *ls[4:]])
    assert [(p.line, p.kind) for p in report.problems] == [(4, "bad_json"), (5, "missing")]


# --------------------------------------------------------------------------- torn lines and crashes


@given(cut=st.integers(1, 200))
def test_a_torn_last_line_is_reported_and_the_next_append_starts_a_new_line(small_audit: Path, cut: int) -> None:
    """A write cut by a crash stays in the file; the next record goes on a new line, chained from the last good one."""
    with tempfile.TemporaryDirectory() as folder:
        path = copy_audit(small_audit, Path(folder))
        torn = lines_of(path)[0][:cut]
        with path.open("ab") as f:
            f.write(torn)
        report = verify_audit(path)
        assert report.ok and [(p.line, p.kind) for p in report.warnings] == [(SMALL + 1, "torn")]
        assert report.bad_lines == (SMALL + 1,)

        JsonlAuditLog(path).append(record(99, case="dopo"))
        lines = lines_of(path)
        assert lines[SMALL] == torn + b"\n"  # the torn line stays as it was
        (after,), _bad = JsonlAuditLog(path).read("dopo")
        assert after.seq == SMALL + 1 and after.prev == json.loads(lines[SMALL - 1])["hash"]
        report = verify_audit(path)
        assert report.ok and [(p.line, p.kind) for p in report.warnings] == [(SMALL + 1, "torn")]


def test_a_record_written_after_the_last_head_is_a_warning(tmp_path: Path) -> None:
    """A crash between a record and its head leaves it unanchored: a warning; the next append anchors it."""
    path = write_audit(tmp_path / "audit.jsonl", 5)
    head = head_of(path).read_bytes()
    JsonlAuditLog(path).append(record(5))
    head_of(path).write_bytes(head)  # as if the head had not been written
    report = verify_audit(path)
    assert report.ok and [(p.line, p.kind, p.expected, p.found) for p in report.warnings] == [
        (6, "unanchored", "5", "6")]
    JsonlAuditLog(path).append(record(6))
    assert verify_audit(path).warnings == ()


def test_a_log_refuses_to_append_to_a_truncated_audit(tmp_path: Path) -> None:
    """Appending would re-anchor the head and hide the deletion: the log refuses and says to verify."""
    path = write_audit(tmp_path / "audit.jsonl", 5)
    path.write_bytes(b"".join(lines_of(path)[:3]))
    with pytest.raises(AuditError, match="privacy verify") as info:
        JsonlAuditLog(path).append(record(9))
    assert info.value.path == str(path)
    head_of(path).unlink()
    with pytest.raises(AuditError, match="testa"):
        JsonlAuditLog(path).append(record(9))
    assert [p.kind for p in verify_audit(path).problems] == ["head_missing"]


def test_the_tail_is_read_once_per_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A log learns the last seq and hash once; another writer's append is noticed by the file's size."""
    reads: list[int] = []
    original = audit_module._last_record

    def counting(fd: int, size: int, path: Path) -> Any:
        reads.append(size)
        return original(fd, size, path)

    monkeypatch.setattr(audit_module, "_last_record", counting)
    path = tmp_path / "audit.jsonl"
    log = JsonlAuditLog(path)
    for i in range(20):
        log.append(record(i))
    assert len(reads) == 1
    JsonlAuditLog(path).append(record(20))  # another writer
    log.append(record(21))
    assert len(reads) == 3
    assert verify_audit(path).ok and verify_audit(path).last_seq == 22


# --------------------------------------------------------------------------- file modes


def test_the_audit_and_its_head_are_created_0600(tmp_path: Path) -> None:
    """A new audit file and its head are readable and writable by their owner only, whatever the umask."""
    old = os.umask(0o000)
    try:
        path = write_audit(tmp_path / "sub" / "audit.jsonl", 2)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600
    assert head_of(path).stat().st_mode & 0o777 == 0o600


def test_an_existing_file_open_to_others_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    """Other users' access (or the group's write) is refused; the group's read is warned about; no chmod."""
    path = write_audit(tmp_path / "audit.jsonl", 1)
    path.chmod(0o644)
    with pytest.raises(AuditError, match="chmod 600"):
        JsonlAuditLog(path).append(record(1))
    assert path.stat().st_mode & 0o777 == 0o644
    path.chmod(0o640)
    with pytest.warns(AuditWarning, match="gruppo"):
        JsonlAuditLog(path).append(record(1))
    assert path.stat().st_mode & 0o777 == 0o640
    assert verify_audit(path).ok


# --------------------------------------------------------------------------- HMAC


def test_keys_shorter_than_32_bytes_are_refused(tmp_path: Path) -> None:
    """A short HMAC key is refused by both logs and by verify, before anything is written."""
    for make in (lambda: JsonlAuditLog(tmp_path / "a.jsonl", key=b"x" * 31), lambda: MemoryAuditLog(key=b"corta"),
                 lambda: verify_audit(tmp_path / "a.jsonl", b"x" * 31)):
        with pytest.raises(ValueError, match="32 byte"):
            make()
    assert not (tmp_path / "a.jsonl").exists()


def test_a_keyed_audit_verifies_only_with_its_key(tmp_path: Path) -> None:
    """Records and head are HMAC-SHA256 under the key: verified with it; without it, the key is required."""
    path = write_audit(tmp_path / "audit.jsonl", 5, key=KEY)
    assert {r.mac for r in JsonlAuditLog(path).records()} == {"hmac-sha256"}
    assert verify_audit(path, KEY).ok
    assert [p.kind for p in verify_audit(path).problems] == ["key_required"]
    wrong = verify_audit(path, b"w" * 32)
    assert wrong.first_problem is not None and (wrong.first_problem.line, wrong.first_problem.kind) == (1, "edited")
    with pytest.raises(AuditError, match="chiave"):
        JsonlAuditLog(path, key=b"w" * 32).append(record(5))
    with pytest.raises(AuditError, match="chiave"):
        JsonlAuditLog(path).append(record(5))  # a keyed file stays keyed
    with pytest.raises(AuditError, match="chiave"):
        JsonlAuditLog(write_audit(tmp_path / "plain.jsonl", 1), key=KEY).append(record(1))


def test_a_record_rehashed_with_sha256_fails_under_the_key(tmp_path: Path) -> None:
    """An attacker without the key re-hashes an edited record and the later ones with SHA-256: caught at that line."""
    path = write_audit(tmp_path / "audit.jsonl", 6, key=KEY)
    lines = lines_of(path)
    prev = json.loads(lines[1])["hash"]
    for i in range(2, 6):
        lines[i] = rewrite(lines[i], prev=prev, rehash="sha256", **({"recipient": "impresa"} if i == 2 else {}))
        prev = json.loads(lines[i])["hash"]
    path.write_bytes(b"".join(lines))
    head_of(path).write_text(json.dumps({"v": 1, "seq": 6, "hash": prev, "mac": "sha256"}))
    assert [p.kind for p in verify_audit(path).problems] == ["key_required"]  # without the key: no verdict
    report = verify_audit(path, KEY)
    assert report.first_problem is not None
    assert (report.first_problem.line, report.first_problem.kind) == (3, "unkeyed")
    assert "head_invalid" in [p.kind for p in report.problems]
    lines[2] = rewrite(lines[2], rehash="sha256")
    lines[2] = lines[2].replace(b'"mac":"sha256"', b'"mac":"hmac-sha256"')  # claims the key, has none
    path.write_bytes(b"".join(lines))
    report = verify_audit(path, KEY)
    assert report.first_problem is not None and report.first_problem.line == 3


# --------------------------------------------------------------------------- concurrency

WRITER = textwrap.dedent("""
    import os, sys, time
    from inclusione_core import AuditRecord, JsonlAuditLog
    log = JsonlAuditLog(sys.argv[1])
    while not os.path.exists(sys.argv[1] + ".go"):  # start together
        time.sleep(0.002)
    for i in range(int(sys.argv[3])):
        log.append(AuditRecord(at="2025-03-01T09:30:00+00:00", case_id=sys.argv[2], territory="italia",
            recipient="cpi", recipient_service=None, recipient_name="", purpose="referral", as_of="2025-03-01",
            channel="cli", disclosed=(), not_disclosed=("health",), pseudonymised=False, config_digest="ab"))
""")


def test_concurrent_appends_from_two_processes_keep_a_valid_chain(tmp_path: Path) -> None:
    """Two processes appending to one file at the same time: every record is kept, in one valid chain."""
    path = tmp_path / "audit.jsonl"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, "100"]) for name in ("p1", "p2")]
    time.sleep(0.3)
    Path(f"{path}.go").touch()
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    report = verify_audit(path)
    assert report.ok, report.problems[:3]
    assert report.records == report.last_seq == report.head_seq == 200
    records = JsonlAuditLog(path).records()
    assert [r.seq for r in records] == list(range(1, 201))
    writers = [r.case_id for r in records]
    assert sorted(set(writers)) == ["p1", "p2"]
    assert sum(a != b for a, b in itertools.pairwise(writers)) > 1, "the writers did not overlap"


def test_concurrent_appends_from_threads_keep_a_valid_chain(tmp_path: Path) -> None:
    """Threads sharing one log, and threads with their own logs on the same file, keep one chain."""
    path = tmp_path / "audit.jsonl"
    shared = JsonlAuditLog(path)

    def work(n: int) -> None:
        log = shared if n % 2 else JsonlAuditLog(path)
        for i in range(15):
            log.append(record(i, case=f"t{n}"))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = verify_audit(path)
    assert report.ok and report.records == 60


# --------------------------------------------------------------------------- reading: records() and history


def test_reading_skips_bad_lines_and_names_them(small_audit: Path, tmp_path: Path) -> None:
    """read() returns every good record and the bad lines; records() warns about them."""
    path = copy_audit(small_audit, tmp_path)
    lines = lines_of(path)
    lines[4] = b'{"torn": \n'
    lines[9] = b"[1, 2]\n"
    path.write_bytes(b"".join(lines))
    log = JsonlAuditLog(path)
    records, bad = log.read()
    assert len(records) == SMALL - 2
    assert [(p.line, p.kind) for p in bad] == [(5, "bad_json"), (10, "not_a_record")]
    with pytest.warns(AuditWarning, match="5 \\(bad_json\\), 10 \\(not_a_record\\)"):
        assert len(log.records()) == SMALL - 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert JsonlAuditLog(small_audit).records("c1")  # an intact audit reads quietly


def test_history_reads_around_a_bad_line_and_names_it(small_audit: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """`privacy history` with a bad line in the middle shows the other records, names the line, exits 0."""
    path = copy_audit(small_audit, tmp_path)
    lines = lines_of(path)
    wanted = [i for i, raw in enumerate(lines) if json.loads(raw)["case_id"] == "c1"]
    lines[wanted[1]] = b"\x00garbage\n"
    path.write_bytes(b"".join(lines))
    assert cli.main(["privacy", "history", "c1", "--audit", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.count("Destinatario:") == len(wanted) - 1
    assert f"riga {wanted[1] + 1}: riga non JSON" in err and "privacy verify" in err
    assert cli.main(["--json", "--lang", "en", "privacy", "history", "c1", "--audit", str(path)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [b["line"] for b in shown["bad_lines"]] == [wanted[1] + 1]
    assert len(shown["records"]) == len(wanted) - 1
    assert set(shown["records"][0]) == {
        "at", "case_id", "territory", "recipient", "recipient_service", "recipient_name", "purpose", "as_of",
        "channel", "disclosed", "not_disclosed", "pseudonymised", "config_digest", "v", "seq", "prev", "mac", "hash"}


def test_history_of_a_big_audit_ends_quietly_on_a_closed_pipe(tmp_path: Path) -> None:
    """`inclusione --json privacy history X | head -c1` exits 141 with nothing on stderr."""
    path = tmp_path / "audit.jsonl"
    JsonlAuditLog(path).append_many(record(i, case="c1") for i in range(400))
    proc = subprocess.Popen([sys.executable, "-m", "inclusione_core.cli", "--json", "privacy", "history", "c1",
                             "--audit", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(1) == b"{"
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141
    assert err == b""


# --------------------------------------------------------------------------- the command line


def test_verify_command_exit_status_and_languages(small_audit: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """`privacy verify`: exit 0 and INTEGRO when intact, 2 when broken, English with --lang en, 2 on no file."""
    assert cli.main(["privacy", "verify", str(small_audit)]) == 0
    out = capsys.readouterr().out
    assert "esito: INTEGRO" in out and f"record: {SMALL}" in out and "SHA-256 senza chiave" in out
    path = copy_audit(small_audit, tmp_path)
    path.write_bytes(b"".join(lines_of(path)[:-2]))
    assert cli.main(["--lang", "en", "privacy", "verify", str(path)]) == 2
    out = capsys.readouterr().out
    assert f"BROKEN, first problem: line {SMALL - 1}: records missing after the end of the file" in out
    assert cli.main(["privacy", "verify", str(tmp_path / "nessuno.jsonl")]) == 2
    assert "nessuno.jsonl" in capsys.readouterr().err


def test_the_key_comes_from_a_key_file_named_by_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """INCLUSIONE_AUDIT_KEY_FILE keys what the CLI writes and verifies; a short key is refused with exit 2."""
    from inclusione_core.testing import minimal_case_json

    case = tmp_path / "case.json"
    case.write_text(json.dumps(minimal_case_json()), encoding="utf-8")
    audit = tmp_path / "audit.jsonl"
    key_file = tmp_path / "chiave"
    key_file.write_bytes(b"s" * 8 + b"\n")
    monkeypatch.setenv("INCLUSIONE_AUDIT_KEY_FILE", str(key_file))
    assert cli.main(["--audit", str(audit), "assess", str(case), "--as-of", "2025-03-01"]) == 2
    assert "almeno 32" in capsys.readouterr().err and not audit.exists()

    key_file.write_bytes(KEY + b"\n")
    assert cli.main(["--audit", str(audit), "assess", str(case), "--as-of", "2025-03-01"]) == 0
    capsys.readouterr()
    assert {r.mac for r in JsonlAuditLog(audit).records()} == {"hmac-sha256"}
    assert verify_audit(audit, KEY).ok
    assert cli.main(["privacy", "verify", str(audit)]) == 0
    assert "HMAC-SHA256" in capsys.readouterr().out
    monkeypatch.delenv("INCLUSIONE_AUDIT_KEY_FILE")
    assert cli.main(["privacy", "verify", str(audit)]) == 2
    assert "INCLUSIONE_AUDIT_KEY_FILE" in capsys.readouterr().out


# --------------------------------------------------------------------------- the engine's record


def test_the_engine_stamps_the_disclosure_time_in_utc() -> None:
    """`at` is the engine's clock in UTC with seconds, whatever the clock's zone; `as_of` the rules' date."""
    from inclusione_core.testing import minimal_case

    rome = dt.timezone(dt.timedelta(hours=2))
    engine = Engine(audit=MemoryAuditLog(), clock=lambda: dt.datetime(2025, 6, 1, 11, 15, 42, 999, tzinfo=rome))
    engine.disclose_case(minimal_case(), recipient="cpi", purpose="referral", as_of=dt.date(2025, 5, 1))
    (rec,) = engine.audit.records()
    assert (rec.at, rec.as_of, rec.seq) == ("2025-06-01T09:15:42+00:00", "2025-05-01", 1)
