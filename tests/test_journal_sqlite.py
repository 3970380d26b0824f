"""The SQLite journal store: atomic appends, optimistic concurrency, idempotency, crash safety, erasure."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from journal_samples import DAY, MARKER, assess_with_marker, clock, ids, meta, open_case

from inclusione_core import journal
from inclusione_core.journal import SqliteJournal
from inclusione_core.journal._sqlite import migrations

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
    numbers = [n for n, _, _ in migrations("sqlite")]
    assert numbers == list(range(1, len(numbers) + 1)) and store.schema_version() == numbers[-1]
    again = SqliteJournal(store.path)
    assert again.schema_version() == numbers[-1]
    assert again._conn.execute("SELECT count(*) FROM journal_migrations").fetchone()[0] == len(numbers)
    pragmas = {p: again._conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("journal_mode", "synchronous",
                                                                             "secure_delete")}
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "secure_delete": 1}
    again.close()


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


def test_an_older_journal_is_migrated_when_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A journal made by migration 0001 alone gets the later ones when a newer library opens it; its data stay."""
    from inclusione_core.journal import _sqlite

    first = migrations("sqlite")[:1]
    monkeypatch.setattr(_sqlite, "migrations", lambda _dialect: first)
    with SqliteJournal(tmp_path / "j.db") as old:
        journal.execute(old, open_case(), clock=clock, new_id=ids())
        assert old.schema_version() == 1
    monkeypatch.undo()
    with SqliteJournal(tmp_path / "j.db") as new:
        assert new.schema_version() == len(migrations("sqlite"))
        assert new.load("c-1").version == 2
        assert new._conn.execute("SELECT count(*) FROM subject_access").fetchone()[0] == 2


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    """A database migrated by a newer library is not written by this one."""
    path = tmp_path / "j.db"
    SqliteJournal(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO journal_migrations VALUES (99, '0099_future.sql', 'x')")
    db.close()
    with pytest.raises(journal.JournalError, match="99"):
        SqliteJournal(path)


def test_a_referral_to_a_serd_is_in_no_byte_of_the_file_before_or_after_shredding(store: SqliteJournal) -> None:
    """Services, refusal code, consent categories: sealed from the start, the scan never finds them."""
    from inclusione_core._categories import DataCategory
    from inclusione_core._models import Consent, Purpose

    journal.execute(store, open_case(members=2), clock=clock, new_id=ids())
    journal.execute(store, journal.SendReferral(**meta(command_id="k-s"), referral_id="inv-1", from_service="ssp",
                                                to_service="serd", channel="scheda_invio", reason="lavoro", on=DAY),
                    clock=clock, new_id=ids("s"))
    journal.execute(store, journal.AnswerReferral(**meta(command_id="k-a"), referral_id="inv-1", accepted=False,
                                                  on=DAY, by="serd", code="non_in_carico", reason="non seguito"),
                    clock=clock, new_id=ids("a"))
    journal.execute(store, journal.GiveConsent(**meta(command_id="k-c"), consent=Consent(
        id="cs-1", member="m1", categories=(DataCategory.ADDICTION,), recipients=("serd",),
        purposes=(Purpose.REFERRAL,), given_on=DAY)), clock=clock, new_id=ids("c"))
    revealing = (b"serd", b"non_in_carico", b"addiction")
    before = _file_bytes(store.path)
    assert b"inv-1" in before and b"cs-1" in before  # the scan sees the open part
    assert [w for w in revealing if w in before] == []
    assert store.load("c-1").case.referrals[0].to_service == "serd"  # type: ignore[union-attr]
    _erase(store, "household")
    journal.execute(store, journal.EraseSubject(**meta(command_id="erase-m1"), subject_id="m1", on=DAY), clock=clock,
                    new_id=ids("y"))
    after = _file_bytes(store.path)
    assert [w for w in revealing if w in after] == []
    assert store.load("c-1").case.referrals == ()  # type: ignore[union-attr]
