"""The SQLite journal store: atomic appends, optimistic concurrency, idempotency, crash safety, erasure."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from journal_samples import DAY, MARKER, assess_with_marker, clock, ids, meta, open_case

from inclusione_core import journal
from inclusione_core.journal import ConcurrencyConflict, SqliteJournal

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteJournal]:
    s = SqliteJournal(tmp_path / "journal.db")
    yield s
    s.close()


def test_schema_is_made_by_the_numbered_migrations(store: SqliteJournal) -> None:
    """The tables of the issue exist, made by migration 0001, and opening again applies nothing twice."""
    tables = {r[0] for r in store._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"cases", "case_events", "commands", "event_subjects", "subject_keys", "erased_subjects",
            "disclosure_audit", "journal_migrations"} <= tables
    assert store.schema_version() == 1
    again = SqliteJournal(store.path)
    assert again.schema_version() == 1
    pragmas = {p: again._conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("journal_mode", "synchronous",
                                                                             "secure_delete")}
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "secure_delete": 1}
    again.close()


def test_events_are_stored_and_replayed(store: SqliteJournal) -> None:
    """A case written command by command loads back to the same state, with who, when and why kept."""
    first = journal.execute(store, open_case(members=2), clock=clock, new_id=ids("a"))
    journal.execute(store, assess_with_marker(), clock=clock, new_id=ids("b"))
    events = store.events("c-1")
    assert [e.version for e in events] == [1, 2, 3, 4]
    assert [e.type for e in events] == ["case.opened", "member.added", "member.added", "case.assessed"]
    assert events[:3] == [journal.Event(**{**_fields(e), "recorded_at": events[0].recorded_at}) for e in first]
    assert events[3].actor == "rossi" and events[3].legal_basis == "art. 6.1.e GDPR"
    state = store.load("c-1")
    assert state.version == 4 and state.case is not None and state.case.assessment is not None
    assert state.case.assessment.needs[0].note == MARKER
    row = store._conn.execute("SELECT version, status, territory FROM cases WHERE id = 'c-1'").fetchone()
    assert row == (4, "valutazione", "toscana")
    assert store.integrity_check() == ()


def _fields(event: journal.Event) -> dict[str, object]:
    return {f: getattr(event, f) for f in ("id", "case_id", "version", "data", "occurred_at", "actor", "role",
                                           "legal_basis", "command_id", "recorded_at", "erased")}


def test_stale_version_raises_a_conflict_and_writes_nothing(store: SqliteJournal) -> None:
    """Appending on a version that is no longer the latest raises ConcurrencyConflict naming both versions."""
    journal.execute(store, open_case(), clock=clock, new_id=ids())
    stale = store.load("c-1")
    journal.execute(store, assess_with_marker(command_id="k-a"), clock=clock, new_id=ids("x"))
    events = journal.decide(stale, journal.CloseCase(**meta(command_id="k-close"), on=DAY), clock=clock,
                            new_id=ids("y"))
    with pytest.raises(ConcurrencyConflict) as exc:
        store.append("c-1", stale.version, events, "k-close")
    assert (exc.value.case_id, exc.value.expected, exc.value.actual) == ("c-1", 2, 3)
    assert store.version("c-1") == 3 and [e.type for e in store.events("c-1")][-1] == "case.assessed"
    assert store._conn.execute("SELECT count(*) FROM commands WHERE command_id = 'k-close'").fetchone()[0] == 0


def test_retrying_a_command_id_returns_the_first_events(store: SqliteJournal) -> None:
    """The same command appended twice (even on the old version, with new event ids) is recorded once."""
    journal.execute(store, open_case(), clock=clock, new_id=ids())
    state = store.load("c-1")
    command = assess_with_marker(command_id="k-retry")
    first = store.append("c-1", state.version, journal.decide(state, command, clock=clock, new_id=ids("p")),
                         "k-retry")
    again = store.append("c-1", state.version, journal.decide(state, command, clock=clock, new_id=ids("q")),
                         "k-retry")
    assert again == first and [e.id for e in again] == ["p1"]
    assert store.version("c-1") == 3
    assert store._conn.execute("SELECT count(*) FROM case_events WHERE command_id = 'k-retry'").fetchone()[0] == 1
    other = journal.decide(journal.CaseState(case_id="c-2"), open_case("c-2", command_id="k-retry"), clock=clock,
                           new_id=ids("z"))
    with pytest.raises(journal.JournalError):
        store.append("c-2", 0, other, "k-retry")


def test_two_writers_on_the_same_version_exactly_one_succeeds(tmp_path: Path) -> None:
    """Two connections append on the same expected version at once: one commits, the other gets the conflict."""
    path = tmp_path / "journal.db"
    with SqliteJournal(path) as setup:
        journal.execute(setup, open_case(), clock=clock, new_id=ids())
    writers = [SqliteJournal(path), SqliteJournal(path)]
    states = [w.load("c-1") for w in writers]
    batches = [journal.decide(s, journal.CloseCase(**meta(command_id=f"k-{n}"), on=DAY), clock=clock,
                              new_id=ids(f"w{n}-")) for n, s in enumerate(states)]
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def write(n: int) -> None:
        barrier.wait()
        try:
            outcomes[n] = writers[n].append("c-1", states[n].version, batches[n], f"k-{n}")
        except ConcurrencyConflict as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=write, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conflicts = [o for o in outcomes if isinstance(o, ConcurrencyConflict)]
    assert len(conflicts) == 1 and (conflicts[0].expected, conflicts[0].actual) == (2, 3)
    assert writers[0].version("c-1") == 3 and len(writers[0].events("c-1")) == 3
    assert writers[0].integrity_check() == ()
    for w in writers:
        w.close()


WRITER = textwrap.dedent("""
    import sys
    from journal_samples import clock, ids, open_case
    from inclusione_core import journal
    from inclusione_core.journal import _sqlite

    mode, path = sys.argv[1], sys.argv[2]
    store = journal.SqliteJournal(path)
    if mode == "block":  # the third batch stops with its events inserted, before its commit
        real, calls = _sqlite.status_after, []

        def status_after(status, events):
            calls.append(1)
            if len(calls) == 3:
                print("mid-batch", flush=True)
                sys.stdin.read()
            return real(status, events)

        _sqlite.status_after = status_after
    n = 0
    while True:
        n += 1
        journal.execute(store, open_case(f"c-{n}", members=40), clock=clock, new_id=ids(f"{n}-"))
        if n == 2 and mode == "loop":
            print("writing", flush=True)
""")


@pytest.mark.parametrize("mode", ["block", "loop"])
def test_a_writer_killed_mid_batch_leaves_no_partial_batch(tmp_path: Path, mode: str) -> None:
    """SIGKILL during appends of 41-event batches: whole batches only, contiguous versions, writes go on."""
    path = tmp_path / "journal.db"
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, str(script), mode, str(path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, env=env)
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() in (b"mid-batch", b"writing"), line
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    with SqliteJournal(path) as store:
        assert store.integrity_check() == ()
        cases = store.case_ids()
        assert len(cases) >= 2
        if mode == "block":
            assert cases == ["c-1", "c-2"]  # the third batch was inserted but never committed
        for case_id in cases:
            assert [e.version for e in store.events(case_id)] == list(range(1, 42))
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        journal.execute(store, open_case("after", members=3), clock=clock, new_id=ids("after"))
        journal.execute(store, assess_with_marker("after"), clock=clock, new_id=ids("after2-"))
        assert store.version("after") == 5 and store.integrity_check() == ()


def _file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def _erase(store: SqliteJournal, subject: str) -> None:
    journal.execute(store, journal.EraseSubject(**meta(command_id=f"erase-{subject}"), subject_id=subject, on=DAY,
                                                ground="art. 17 GDPR"), clock=clock, new_id=ids("z"))


def test_crypto_shredding_leaves_nothing_recoverable_in_the_file(store: SqliteJournal) -> None:
    """After erasure the subject's key is in no byte of the database or its log; the sealed data no longer open."""
    journal.execute(store, open_case(members=2), clock=clock, new_id=ids())
    journal.execute(store, assess_with_marker(), clock=clock, new_id=ids("a"))
    key = store._conn.execute("SELECT key FROM subject_keys WHERE subject = 'household'").fetchone()[0]
    before = _file_bytes(store.path)
    assert MARKER.encode() not in before  # sealed: never written in clear
    assert key in before  # the scan does see what is in the files
    assert store.load("c-1").case.assessment.needs[0].note == MARKER  # type: ignore[union-attr]
    _erase(store, "household")
    after = _file_bytes(store.path)
    assert key not in after and MARKER.encode() not in after
    events = store.events("c-1")
    assert [e.erased for e in events if e.type == "case.assessed"] == [True]
    state = store.load("c-1")
    assert state.case is not None and state.case.assessment is None and "household" in state.erased
    assert store.integrity_check() == ()
    with pytest.raises(journal.JournalError):  # nothing of an erased subject is sealed again
        journal.execute(store, assess_with_marker(command_id="k-again"), clock=clock, new_id=ids("b"))


def test_without_secure_delete_the_scan_would_find_the_key(store: SqliteJournal) -> None:
    """The control of the scan above: with secure_delete off, the destroyed key stays in a free page of the file."""
    journal.execute(store, open_case(members=2), clock=clock, new_id=ids())
    key = store._conn.execute("SELECT key FROM subject_keys WHERE subject = 'm2'").fetchone()[0]
    store._conn.execute("PRAGMA secure_delete = OFF")
    _erase(store, "m2")
    assert store._conn.execute("SELECT count(*) FROM subject_keys WHERE subject = 'm2'").fetchone()[0] == 0
    assert key in _file_bytes(store.path)


def test_erasing_a_member_keeps_the_others(store: SqliteJournal) -> None:
    """Erasing one member leaves their id only; the other member's sealed data still open."""
    from inclusione_core._models import Member

    people = (Member(id="m1", skills=("saldatura",)), Member(id="m2", relation="figlio", skills=(MARKER,)))
    journal.execute(store, journal.OpenCase(**meta(command_id="k-open"), territory="toscana", opened_on=DAY,
                                            household_id="h", members=people), clock=clock, new_id=ids())
    _erase(store, "m2")
    state = store.load("c-1")
    assert state.case is not None
    assert state.case.household.members == (people[0], Member(id="m2"))
    assert MARKER.encode() not in _file_bytes(store.path)


def test_events_and_audit_are_append_only(store: SqliteJournal) -> None:
    """The database itself refuses to change or delete a recorded event."""
    journal.execute(store, open_case(), clock=clock, new_id=ids())
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._conn.execute("UPDATE case_events SET actor = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._conn.execute("DELETE FROM case_events")


def test_a_sealed_blob_moved_to_another_event_does_not_open(store: SqliteJournal) -> None:
    """The associated data bind a ciphertext to its event: copied onto another event, reading it fails loudly."""
    journal.execute(store, open_case(members=1), clock=clock, new_id=ids())
    journal.execute(store, assess_with_marker(command_id="k1"), clock=clock, new_id=ids("a"))
    journal.execute(store, assess_with_marker(command_id="k2"), clock=clock, new_id=ids("b"))
    store._conn.execute("DROP TRIGGER case_events_append_only_update")
    store._conn.execute("UPDATE case_events SET sealed = (SELECT sealed FROM case_events WHERE event_id = 'a1')"
                        " WHERE event_id = 'b1'")
    with pytest.raises(journal.JournalError, match="b1"):
        store.load("c-1")


def test_a_stored_version_1_payload_is_upcast_on_load(store: SqliteJournal) -> None:
    """A project.reviewed row written in schema version 1 loads as version 2."""
    from inclusione_core._models import Project

    journal.execute(store, open_case(), clock=clock, new_id=ids())
    journal.execute(store, journal.SignProject(**meta(command_id="k-p"), on=DAY, project=Project(id="p-1", start=DAY)),
                    clock=clock, new_id=ids("p"))
    store._conn.execute(
        "INSERT INTO case_events (case_id, version, event_id, command_id, type, schema_version, occurred_at,"
        " recorded_at, actor, role, legal_basis, subject, payload, sealed) VALUES ('c-1', 4, 'old', 'k-old',"
        " 'project.reviewed', 1, '2025-03-03T09:00:00+00:00', '2025-03-03T09:00:00+00:00', 'rossi', 'as', '',"
        " 'household', '{\"on\":\"2025-04-01\",\"project\":\"p-1\"}', NULL)")
    event = store.events("c-1")[-1]
    assert event.data == journal.ProjectReviewed(project_id="p-1", on=DAY.replace(month=4), note="")
    state = store.load("c-1")
    assert state.case is not None and state.case.project is not None
    assert state.case.project.reviews_done == (DAY.replace(month=4),)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    """A database migrated by a newer library is not written by this one."""
    path = tmp_path / "j.db"
    SqliteJournal(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO journal_migrations VALUES (99, '0099_future.sql', 'x')")
    db.close()
    with pytest.raises(journal.JournalError, match="99"):
        SqliteJournal(path)
