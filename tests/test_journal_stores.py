"""
Every journal store, SQLite and PostgreSQL alike: replay, optimistic concurrency,
idempotent commands, crash safety, erasure, upcasting of stored rows.

The PostgreSQL cases run against a throwaway server (tests/journal_postgres.py); they are
skipped where none can be started, unless ``INCLUSIONE_REQUIRE_POSTGRES`` is set (CI).
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import journal_postgres
import pytest
from journal_samples import DAY, MARKER, assess_with_marker, clock, ids, meta, open_case

from inclusione_core import AuditRecord, InputError, MemoryAuditLog, journal
from inclusione_core.journal import ConcurrencyConflict, JournalStore

ROOT = Path(__file__).resolve().parents[1]
_DATABASES = itertools.count(1)


@pytest.fixture(scope="module")
def postgres() -> Iterator[str | None]:
    with journal_postgres.server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def address(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The address of an empty store of each engine."""
    if request.param == "sqlite":
        return f"sqlite:{tmp_path / 'journal.db'}"
    url = request.getfixturevalue("postgres")
    if url is None:
        if os.environ.get("INCLUSIONE_REQUIRE_POSTGRES"):
            pytest.fail("INCLUSIONE_REQUIRE_POSTGRES is set but no PostgreSQL server could be started")
        pytest.skip("no PostgreSQL server (initdb and pg_ctl not found, INCLUSIONE_TEST_POSTGRES not set)")
    return journal_postgres.new_database(url, f"journal_test_{os.getpid()}_{next(_DATABASES)}")


@pytest.fixture
def opener(address: str) -> Iterator[Callable[[], JournalStore]]:
    """Opens connections to the test's store (each a separate connection); all closed at the end."""
    opened: list[JournalStore] = []

    def open_one() -> JournalStore:
        opened.append(journal.open_store(address))
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(opener: Callable[[], JournalStore]) -> JournalStore:
    return opener()


def _raw(store: JournalStore, sql: str) -> list[tuple[object, ...]]:
    cursor = store._conn.execute(sql)  # type: ignore[attr-defined]
    return list(cursor.fetchall()) if cursor.description else []


def test_events_are_stored_and_replayed(store: JournalStore) -> None:
    """A case written command by command loads back to the same events and state, with who, when and why."""
    first = journal.execute(store, open_case(members=2), clock=clock, new_id=ids("a"))
    journal.execute(store, assess_with_marker(), clock=clock, new_id=ids("b"))
    events = store.events("c-1")
    assert [e.version for e in events] == [1, 2, 3, 4]
    assert [e.type for e in events] == ["case.opened", "member.added", "member.added", "case.assessed"]
    assert [e.data for e in events[:3]] == [e.data for e in first]
    assert events[3].actor == "rossi" and events[3].legal_basis == "art. 6.1.e GDPR"
    assert events[3].occurred_at == clock() and events[3].recorded_at is not None
    state = store.load("c-1")
    assert state.version == 4 and state.case is not None and state.case.assessment is not None
    assert state.case.assessment.needs[0].note == MARKER
    assert _raw(store, "SELECT version, status, territory FROM cases WHERE id = 'c-1'") == [(4, "valutazione",
                                                                                            "toscana")]
    assert _raw(store, "SELECT subject FROM event_subjects ORDER BY subject") == [
        ("household",), ("household",), ("m1",), ("m2",)]
    assert store.integrity_check() == ()


def test_stale_version_raises_a_conflict_and_writes_nothing(store: JournalStore) -> None:
    """Appending on a version that is no longer the latest raises ConcurrencyConflict naming both versions."""
    journal.execute(store, open_case(), clock=clock, new_id=ids())
    stale = store.load("c-1")
    journal.execute(store, assess_with_marker(command_id="k-a"), clock=clock, new_id=ids("x"))
    events = journal.decide(stale, journal.CloseCase(**meta(command_id="k-close"), on=DAY), clock=clock,
                            new_id=ids("y"))
    with pytest.raises(ConcurrencyConflict) as exc:
        store.append("c-1", stale.version, events, "k-close")
    assert (exc.value.case_id, exc.value.expected, exc.value.actual) == ("c-1", 2, 3)
    assert [e.type for e in store.events("c-1")][-1] == "case.assessed"
    assert _raw(store, "SELECT count(*) FROM commands WHERE command_id = 'k-close'") == [(0,)]


def test_retrying_a_command_id_returns_the_first_events(store: JournalStore) -> None:
    """The same command appended twice (even on the old version, with new event ids) is recorded once."""
    journal.execute(store, open_case(), clock=clock, new_id=ids())
    state = store.load("c-1")
    command = assess_with_marker(command_id="k-retry")
    first = store.append("c-1", state.version, journal.decide(state, command, clock=clock, new_id=ids("p")),
                         "k-retry")
    again = store.append("c-1", state.version, journal.decide(state, command, clock=clock, new_id=ids("q")),
                         "k-retry")
    assert again == first and [e.id for e in again] == ["p1"]
    assert store.load("c-1").version == 3
    assert _raw(store, "SELECT count(*) FROM case_events WHERE command_id = 'k-retry'") == [(1,)]
    other = journal.decide(journal.CaseState(case_id="c-2"), open_case("c-2", command_id="k-retry"), clock=clock,
                           new_id=ids("z"))
    with pytest.raises(journal.JournalError):
        store.append("c-2", 0, other, "k-retry")


def test_execute_answers_a_retry_without_deciding_again(store: JournalStore) -> None:
    """A retried command that the case would now refuse (closing a closed case) gets its first events back."""
    journal.execute(store, open_case(), clock=clock, new_id=ids())
    close = journal.CloseCase(**meta(command_id="k-close"), on=DAY)
    first = journal.execute(store, close, clock=clock, new_id=ids("a"))
    assert journal.execute(store, close, clock=clock, new_id=ids("b")) == first
    with pytest.raises(journal.JournalError):  # the same id for another case is a mistake, said as such
        journal.execute(store, journal.CloseCase(**meta("c-2", "k-close"), on=DAY), clock=clock, new_id=ids("c"))
    with pytest.raises(InputError):  # a new command on the closed case is refused
        journal.execute(store, journal.CloseCase(**meta(command_id="k-close-2"), on=DAY), clock=clock,
                        new_id=ids("d"))


@pytest.mark.parametrize("new_case", [False, True])
def test_two_writers_on_the_same_version_exactly_one_succeeds(opener: Callable[[], JournalStore],
                                                              new_case: bool) -> None:
    """Two connections append on the same expected version at once: one commits, the other gets the conflict."""
    writers = [opener(), opener()]
    if not new_case:
        journal.execute(writers[0], open_case(), clock=clock, new_id=ids())
    states = [w.load("c-1") for w in writers]
    commands = [open_case(command_id=f"k-{n}") if new_case else
                journal.CloseCase(**meta(command_id=f"k-{n}"), on=DAY) for n in (0, 1)]
    batches = [journal.decide(s, c, clock=clock, new_id=ids(f"w{n}-"))
               for n, (s, c) in enumerate(zip(states, commands, strict=True))]
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
    winner = next(o for o in outcomes if isinstance(o, list))
    expected = 0 if new_case else 2
    assert len(conflicts) == 1 and conflicts[0].expected == expected and conflicts[0].actual == expected + len(winner)
    assert writers[0].events("c-1")[expected:] == winner
    assert writers[0].integrity_check() == ()


WRITER = textwrap.dedent("""
    import sys
    from journal_samples import clock, ids, open_case
    from inclusione_core import AuditRecord, InputError, MemoryAuditLog, journal
    from inclusione_core.journal import _postgresql, _sqlite

    mode, address = sys.argv[1], sys.argv[2]
    store = journal.open_store(address)
    if mode == "block":  # the third batch stops with its events inserted, before its commit
        calls = []

        def stop(real):
            def status_after(status, events):
                calls.append(1)
                if len(calls) == 3:
                    print("mid-batch", flush=True)
                    sys.stdin.read()
                return real(status, events)
            return status_after

        _sqlite.status_after = stop(_sqlite.status_after)
        _postgresql.status_after = stop(_postgresql.status_after)
    n = 0
    while True:
        n += 1
        journal.execute(store, open_case(f"c-{n}", members=40), clock=clock, new_id=ids(f"{n}-"))
        if n == 2 and mode == "loop":
            print("writing", flush=True)
""")


@pytest.mark.parametrize("mode", ["block", "loop"])
def test_a_writer_killed_mid_batch_leaves_no_partial_batch(tmp_path: Path, address: str,
                                                           opener: Callable[[], JournalStore], mode: str) -> None:
    """SIGKILL during appends of 41-event batches: whole batches only, contiguous versions, writes go on."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, str(script), mode, address], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, env=env)
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() in (b"mid-batch", b"writing"), line
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    store = opener()
    assert store.integrity_check() == ()
    cases = store.case_ids()  # type: ignore[attr-defined]
    assert len(cases) >= 2
    if mode == "block":
        assert cases == ["c-1", "c-2"]  # the third batch was inserted but never committed
    for case_id in cases:
        assert [e.version for e in store.events(case_id)] == list(range(1, 42))
    if address.startswith("sqlite:"):
        assert _raw(store, "PRAGMA integrity_check") == [("ok",)]
    journal.execute(store, open_case("after", members=3), clock=clock, new_id=ids("after"))
    journal.execute(store, assess_with_marker("after"), clock=clock, new_id=ids("after2-"))
    assert store.load("after").version == 5 and store.integrity_check() == ()


def test_erasure_destroys_the_key_and_the_projection_is_rebuilt(store: JournalStore) -> None:
    """After a subject's erasure their sealed fields read as erased, the case replays, their key is gone."""
    journal.execute(store, open_case(members=2), clock=clock, new_id=ids())
    journal.execute(store, assess_with_marker(), clock=clock, new_id=ids("a"))
    journal.execute(store, journal.EraseSubject(**meta(command_id="k-erase"), subject_id="household", on=DAY,
                                                ground="art. 17 GDPR"), clock=clock, new_id=ids("z"))
    assessed = [e for e in store.events("c-1") if e.type == "case.assessed"]
    assert [(e.erased, e.data) for e in assessed] == [(True, journal.CaseAssessed(on=DAY))]
    state = store.load("c-1")
    assert state.case is not None and state.case.assessment is None and state.erased == {"household"}
    assert _raw(store, "SELECT subject FROM subject_keys ORDER BY subject") == [("m1",), ("m2",)]
    assert _raw(store, "SELECT subject FROM erased_subjects") == [("household",)]
    with pytest.raises(journal.JournalError):  # nothing of an erased subject is sealed again
        journal.execute(store, assess_with_marker(command_id="k-again"), clock=clock, new_id=ids("b"))
    assert store.integrity_check() == ()


def test_recorded_events_cannot_be_changed(store: JournalStore) -> None:
    """The database itself refuses to change or delete a recorded event."""
    journal.execute(store, open_case(), clock=clock, new_id=ids())
    with pytest.raises(Exception, match="append-only"):
        _raw(store, "UPDATE case_events SET actor = 'x'")
    with pytest.raises(Exception, match="append-only"):
        _raw(store, "DELETE FROM case_events")
    assert [e.actor for e in store.events("c-1")] == ["rossi", "rossi"]


def test_a_stored_version_1_payload_is_upcast_on_load(store: JournalStore) -> None:
    """A project.reviewed row written in schema version 1 loads as version 2, and replays."""
    from inclusione_core._models import Project

    journal.execute(store, open_case(), clock=clock, new_id=ids())
    journal.execute(store, journal.SignProject(**meta(command_id="k-p"), on=DAY, project=Project(id="p-1", start=DAY)),
                    clock=clock, new_id=ids("p"))
    _raw(store,
         "INSERT INTO case_events (case_id, version, event_id, command_id, type, schema_version, occurred_at,"
         " recorded_at, actor, role, legal_basis, subject, payload, sealed) VALUES ('c-1', 4, 'old', 'k-old',"
         " 'project.reviewed', 1, '2025-03-03T09:00:00+00:00', '2025-03-03T09:00:00+00:00', 'rossi', 'as', '',"
         " 'household', '{\"on\":\"2025-04-01\",\"project\":\"p-1\"}', NULL)")
    event = store.events("c-1")[-1]
    assert event.data == journal.ProjectReviewed(project_id="p-1", on=DAY.replace(month=4), note="")
    state = store.load("c-1")
    assert state.case is not None and state.case.project is not None
    assert state.case.project.reviews_done == (DAY.replace(month=4),)


def test_a_plugin_registers_a_store_by_scheme(tmp_path: Path) -> None:
    """open_store asks the plugins: a registered scheme opens the plugin's store; an unknown one is a SQLite path."""
    from inclusione_core import RuleCollisionError, hookimpl
    from inclusione_core._plugins import get_plugin_manager

    opened: list[str] = []

    class Folder:
        @hookimpl
        def inclusione_register_journal_stores(self, register: Callable[..., None]) -> None:
            def open_folder(address: str) -> JournalStore:
                opened.append(address)
                return journal.SqliteJournal(tmp_path / address.removeprefix("cartella:"))

            register("cartella", open_folder)

    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(Folder(), name="cartella")
    with journal.open_store("cartella:casi.db", plugin_manager=pm) as store:  # type: ignore[attr-defined]
        journal.execute(store, open_case(), clock=clock, new_id=ids())
    assert opened == ["cartella:casi.db"] and (tmp_path / "casi.db").exists()
    with journal.open_store(tmp_path / "altro.db", plugin_manager=pm) as store:  # type: ignore[attr-defined]
        assert isinstance(store, journal.SqliteJournal) and store.path == tmp_path / "altro.db"

    class Again(Folder):
        pass

    pm.register(Again(), name="cartella-2")
    with pytest.raises(RuleCollisionError, match="cartella"):
        journal.open_store("cartella:x.db", plugin_manager=pm)



def _record(case_id: str, recipient: str = "cpi") -> AuditRecord:
    return AuditRecord(at="2025-03-03T09:00:00+00:00", case_id=case_id, territory="toscana", recipient=recipient,
                       recipient_service=None, recipient_name=recipient, purpose="referral", as_of="2025-03-03",
                       channel="journal", disclosed=({"category": "work", "basis": "law"},),
                       not_disclosed=("health",), pseudonymised=False, config_digest="x")


@pytest.mark.parametrize("key", [None, b"k" * 32], ids=["sha256", "hmac"])
def test_the_disclosure_audit_is_chained_in_the_journal(store: JournalStore, key: bytes | None) -> None:
    """Records appended to the journal's audit table chain like the file's, read per case, and verify."""
    log = journal.JournalAuditLog(store, key=key)
    log.append(_record("c-1"))
    log.append_many([_record("c-2"), _record("c-1", "serd")])
    assert [(r.seq, r.case_id, r.recipient) for r in log.records("c-1")] == [(1, "c-1", "cpi"), (3, "c-1", "serd")]
    records = log.records()
    assert records[0].prev == "0" * 64 and records[1].prev == records[0].hash and records[2].prev == records[1].hash
    memory = MemoryAuditLog(key=key)
    memory.append_many([_record("c-1"), _record("c-2"), _record("c-1", "serd")])
    assert [r.hash for r in memory.records()] == [r.hash for r in records]  # the same chain as the other logs
    report = log.verify()
    assert report.ok and report.records == 3 and report.last_seq == 3


def test_an_edited_audit_record_is_found(store: JournalStore) -> None:
    """A record changed behind the triggers' back breaks its hash: verify names the record."""
    log = journal.JournalAuditLog(store)
    log.append_many([_record("c-1"), _record("c-2")])
    drop = ("DROP TRIGGER disclosure_audit_append_only_update" if isinstance(store, journal.SqliteJournal)
            else "DROP TRIGGER disclosure_audit_append_only ON disclosure_audit")
    _raw(store, drop)
    _raw(store, "UPDATE disclosure_audit SET record = replace(record, '\"cpi\"', '\"ssp\"') WHERE seq = 1")
    report = log.verify()
    assert not report.ok and report.first_problem is not None
    assert (report.first_problem.line, report.first_problem.kind) == (1, "edited")


def test_the_access_export_holds_the_subjects_data_and_who_saw_the_case(store: JournalStore) -> None:
    """A member's export: the events about them and the household, their sealed data opened, the disclosures."""
    from inclusione_core._models import Member

    people = (Member(id="m1", skills=("saldatura",)), Member(id="m2", relation="figlio", skills=("pittura",)))
    journal.execute(store, journal.OpenCase(**meta(command_id="k-open"), territory="toscana", opened_on=DAY,
                                            household_id="h", members=people), clock=clock, new_id=ids())
    journal.execute(store, assess_with_marker(), clock=clock, new_id=ids("a"))
    journal.JournalAuditLog(store).append(_record("c-1", "cpi"))
    export = journal.access_export(store, "c-1", "m1", audit=journal.JournalAuditLog(store))
    assert [(e["type"], e["about"]) for e in export["events"]] == [
        ("case.opened", "household"), ("member.added", "m1"), ("case.assessed", "household")]
    assert export["events"][1]["data"]["member"]["skills"] == ["saldatura"]  # sealed, opened for its subject
    assert export["events"][2]["data"]["assessment"]["needs"][0]["note"] == MARKER
    assert "pittura" not in repr(export)  # the other member's data are not theirs
    assert [(d["recipient"], d["purpose"]) for d in export["disclosures"]] == [("cpi", "referral")]
    journal.execute(store, journal.EraseSubject(**meta(command_id="k-erase"), subject_id="m1", on=DAY), clock=clock,
                    new_id=ids("z"))
    after = journal.access_export(store, "c-1", "m1", audit=journal.JournalAuditLog(store))
    assert [e["erased"] for e in after["events"] if e["type"] == "member.added"] == [True]
    assert "saldatura" not in repr(after)


def test_retention_dates_are_kept_and_expired_cases_listed(store: JournalStore) -> None:
    """set_retention records the last day; expired names the cases past it, on either engine."""
    import datetime as dt

    for case_id in ("c-1", "c-2", "c-3"):
        journal.execute(store, open_case(case_id), clock=clock, new_id=ids(case_id))
    store.set_retention("c-1", dt.date(2030, 1, 1))  # type: ignore[attr-defined]
    store.set_retention("c-2", dt.date(2031, 1, 1))  # type: ignore[attr-defined]
    assert store.expired(dt.date(2030, 1, 1)) == []  # type: ignore[attr-defined]
    assert store.expired(dt.date(2030, 6, 1)) == ["c-1"]  # type: ignore[attr-defined]
    assert store.expired(dt.date(2040, 1, 1)) == ["c-1", "c-2"]  # type: ignore[attr-defined]


def test_a_cached_state_follows_other_writers_and_erasures(opener: Callable[[], JournalStore]) -> None:
    """load reads only new events, yet always equals a full replay, even after another connection's erasure."""
    mine, other = opener(), opener()
    journal.execute(mine, open_case(members=2), clock=clock, new_id=ids())
    assert mine.load("c-1").version == 3
    journal.execute(other, assess_with_marker(), clock=clock, new_id=ids("a"))
    state = mine.load("c-1")
    assert state == journal.replay("c-1", mine.events("c-1"))
    assert state.case is not None and state.case.assessment is not None
    journal.execute(other, journal.EraseSubject(**meta(command_id="k-erase"), subject_id="household", on=DAY),
                    clock=clock, new_id=ids("z"))
    state = mine.load("c-1")
    assert state == journal.replay("c-1", mine.events("c-1"))
    assert state.case is not None and state.case.assessment is None and state.erased == {"household"}


def test_erasing_the_household_keeps_the_project_and_its_reviews_without_their_content(store: JournalStore) -> None:
    """The access request and the project are sealed: after erasure the case replays with the project's id only."""
    from inclusione_core._models import Access, Member, Objective, Project

    journal.execute(store, journal.OpenCase(
        **meta(command_id="k-open"), territory="toscana", opened_on=DAY, household_id="h", members=(Member(id="m1"),),
        access=Access(date=DAY, point="pua", request=MARKER)), clock=clock, new_id=ids())
    project = Project(id="p-1", start=DAY, objectives=(Objective(text=MARKER),))
    journal.execute(store, journal.SignProject(**meta(command_id="k-p"), on=DAY, project=project), clock=clock,
                    new_id=ids("p"))
    journal.execute(store, journal.ReviewProject(**meta(command_id="k-r"), project_id="p-1", on=DAY), clock=clock,
                    new_id=ids("r"))
    before = store.load("c-1").case
    assert before is not None and before.project == attrs.evolve(project, reviews_done=(DAY,))
    assert before.access is not None and before.access.request == MARKER
    journal.execute(store, journal.EraseSubject(**meta(command_id="k-erase"), subject_id="household", on=DAY),
                    clock=clock, new_id=ids("z"))
    after = store.load("c-1").case
    assert after is not None and after.access is None
    assert after.project == Project(id="p-1", start=DAY, reviews_done=(DAY,))
    assert MARKER not in repr(journal.access_export(store, "c-1", "m1", audit=journal.JournalAuditLog(store)))


# --------------------------------------------------------------------------- codes sealed, retention, access audited

REVEALING = ("serd", "non_in_carico", "addiction")


def _revealing_case(store: JournalStore, case_id: str = "c-1") -> None:
    """A case sent to a SerD, refused with a code that reveals addiction, with a consent to disclose addiction data."""
    from inclusione_core._categories import DataCategory
    from inclusione_core._models import Consent, Purpose

    journal.execute(store, open_case(case_id, members=2), clock=clock, new_id=ids(case_id))
    for n, command in enumerate((
            journal.SendReferral(**meta(case_id, "k-s"), referral_id="inv-1", from_service="ssp", to_service="serd",
                                 channel="scheda_invio", reason="lavoro", on=DAY),
            journal.AnswerReferral(**meta(case_id, "k-a"), referral_id="inv-1", accepted=False, on=DAY, by="serd",
                                   code="non_in_carico", reason="non seguito"),
            journal.GiveConsent(**meta(case_id, "k-c"), consent=Consent(
                id="cs-1", member="m1", categories=(DataCategory.ADDICTION,), recipients=("serd",),
                purposes=(Purpose.REFERRAL,), given_on=DAY)))):
        journal.execute(store, command, clock=clock, new_id=ids(f"{case_id}-{n}-"))


def test_codes_that_may_reveal_a_special_category_are_stored_sealed(store: JournalStore) -> None:
    """No column of the journal holds the SerD, the refusal code or the consent's categories in clear."""
    _revealing_case(store)
    case = store.load("c-1").case
    assert case is not None and case.referrals[0].to_service == "serd" and case.consents[0].recipients == ("serd",)
    assert case.referrals[0].response is not None and case.referrals[0].response.code == "non_in_carico"
    stored = "".join(repr(_raw(store, f"SELECT * FROM {table}"))
                     for table in ("cases", "case_events", "event_subjects", "commands", "erased_subjects"))
    assert "inv-1" in stored and "cs-1" in stored  # the scan sees the open part
    assert not [word for word in REVEALING if word in stored]


def test_erasing_the_household_and_the_member_removes_the_referral_and_the_consent(store: JournalStore) -> None:
    """Once their keys are gone, the referral and the consent leave the case; their steps stay in its history."""
    _revealing_case(store)
    for subject in ("household", "m1"):
        journal.execute(store, journal.EraseSubject(**meta(command_id=f"k-erase-{subject}"), subject_id=subject,
                                                    on=DAY), clock=clock, new_id=ids(f"z{subject}"))
    state = store.load("c-1")
    assert state == journal.replay("c-1", store.events("c-1"))
    assert state.case is not None and state.case.referrals == () and state.case.consents == ()
    assert state.shredded == {"inv-1", "cs-1"} and state.erased == {"household", "m1"}
    assert [h.kind for h in state.case.history].count("invio") == 2
    assert not [word for word in REVEALING if word in repr(state)]
    assert store.integrity_check() == ()


def test_cases_past_their_retention_are_shredded_once(store: JournalStore) -> None:
    """shred_expired erases every subject of an expired case, with the basis and the ground; a rerun does nothing."""
    import datetime as dt

    for case_id in ("c-1", "c-2"):
        journal.execute(store, open_case(case_id, members=2), clock=clock, new_id=ids(case_id))
        journal.execute(store, assess_with_marker(case_id, f"k-assess-{case_id}"), clock=clock,
                        new_id=ids(f"a{case_id}"))
        journal.execute(store, journal.CloseCase(**meta(case_id, f"k-close-{case_id}"), on=DAY), clock=clock,
                        new_id=ids(f"x{case_id}"))
    store.set_retention("c-1", dt.date(2030, 1, 1))  # type: ignore[attr-defined]
    store.set_retention("c-2", dt.date(2031, 1, 1))  # type: ignore[attr-defined]
    nothing = journal.Shredding(shredded=(), failed=())
    assert journal.shred_expired(store, dt.date(2030, 1, 1), clock=clock) == nothing  # the last day is still kept
    assert journal.shred_expired(store, dt.date(2030, 6, 1), clock=clock) == journal.Shredding(
        shredded=("c-1",), failed=())
    state = store.load("c-1")
    assert state.erased == {"household", "m1", "m2"}
    assert state.case is not None and state.case.assessment is None
    assert all(m == journal.MemberAdded(member_id=m.member_id) for m in (e.data for e in store.events("c-1"))
               if isinstance(m, journal.MemberAdded))
    shred = [e for e in store.events("c-1") if e.type == "subject.erased"]
    assert {(e.actor, e.legal_basis, e.data.on, e.command_id) for e in shred} == {  # type: ignore[attr-defined]
        ("inclusione", journal.RETENTION_BASIS, dt.date(2030, 6, 1), "retention:c-1")}  # one command, one batch
    assert _raw(store, "SELECT count(*) FROM subject_keys WHERE case_id = 'c-1'") == [(0,)]
    assert store.expired(dt.date(2030, 6, 1)) == []  # type: ignore[attr-defined]
    assert journal.shred_expired(store, dt.date(2030, 6, 2), clock=clock) == nothing
    assert store.load("c-2").case.assessment is not None  # type: ignore[union-attr]
    assert store.integrity_check() == ()


def test_the_access_export_is_recorded_in_the_audit_alike_whatever_the_data(store: JournalStore) -> None:
    """Each export is a disclosure to the data subject, listed by the next; its record does not depend on the data."""
    journal.execute(store, open_case("c-1"), clock=clock, new_id=ids("c-1"))
    journal.execute(store, assess_with_marker("c-1"), clock=clock, new_id=ids("a"))
    journal.execute(store, open_case("c-2"), clock=clock, new_id=ids("c-2"))
    first = journal.access_export(store, "c-1", "m1", audit=journal.JournalAuditLog(store), clock=clock)
    assert first["disclosures"] == []
    second = journal.access_export(store, "c-1", "m1", audit=journal.JournalAuditLog(store), clock=clock)
    assert [(d["recipient"], d["purpose"], d["channel"]) for d in second["disclosures"]] == [
        ("interessato", journal.ACCESS_PURPOSE, "journal")]
    journal.access_export(store, "c-2", "m1", audit=journal.JournalAuditLog(store), clock=clock)
    log = journal.JournalAuditLog(store)
    with_addiction, without = log.records("c-1")[0], log.records("c-2")[0]
    ignore = {"case_id", "seq", "prev", "hash"}
    assert ({k: v for k, v in attrs.asdict(with_addiction).items() if k not in ignore}
            == {k: v for k, v in attrs.asdict(without).items() if k not in ignore})
    assert log.verify().ok
    with pytest.raises(InputError) as exc:
        journal.access_export(store, "c-1", "m9", audit=journal.JournalAuditLog(store))
    assert exc.value.details[0].path == "$.subject"


def test_a_case_whose_household_was_erased_can_still_be_closed_and_expire(store: JournalStore) -> None:
    """A closing without a reason seals nothing, so it needs no key; one with a reason is refused."""
    import datetime as dt

    journal.execute(store, open_case(members=2), clock=clock, new_id=ids())
    journal.execute(store, journal.EraseSubject(**meta(command_id="k-erase"), subject_id="household", on=DAY),
                    clock=clock, new_id=ids("z"))
    with pytest.raises(journal.JournalError):
        journal.execute(store, journal.CloseCase(**meta(command_id="k-c1"), on=DAY, reason="trasferito"),
                        clock=clock, new_id=ids("x"))
    journal.execute(store, journal.CloseCase(**meta(command_id="k-c2"), on=DAY), clock=clock, new_id=ids("y"))
    store.set_retention("c-1", DAY)  # type: ignore[attr-defined]
    done = journal.shred_expired(store, DAY + dt.timedelta(days=1), clock=clock)
    assert done.shredded == ("c-1",) and store.load("c-1").erased == {"household", "m1", "m2"}


def test_one_case_that_cannot_be_shredded_does_not_stop_the_others(store: JournalStore,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """An open case with a retention date is reported with why; the closed one is shredded; one compaction."""
    import datetime as dt

    for case_id in ("c-1", "c-2"):
        journal.execute(store, open_case(case_id), clock=clock, new_id=ids(case_id))
        store.set_retention(case_id, DAY)  # type: ignore[attr-defined]
    journal.execute(store, journal.CloseCase(**meta("c-2", "k-close"), on=DAY), clock=clock, new_id=ids("x"))
    compactions: list[bool] = []
    real = store.compact  # type: ignore[attr-defined]
    monkeypatch.setattr(store, "compact", lambda: compactions.append(real()) or True)
    done = journal.shred_expired(store, DAY + dt.timedelta(days=1), clock=clock)
    assert done.shredded == ("c-2",)
    assert [c for c, _ in done.failed] == ["c-1"] and "non è chiuso" in str(done.failed[0][1])
    assert len(compactions) == 1  # at the end of the run, not after each case
    assert store.load("c-1").erased == frozenset()


def test_the_access_export_leaves_out_the_other_members_and_their_disclosures(store: JournalStore) -> None:
    """m1's export: not m2's need in the household's assessment, not a disclosure of m2's data only; keyed chain ok."""
    from inclusione_core._models import Assessment, Need

    key = b"k" * 32
    log = journal.JournalAuditLog(store, key=key)
    journal.execute(store, open_case(members=2), clock=clock, new_id=ids())
    assessment = Assessment(date=DAY, needs=(Need(code="dipendenza", member="m2", note=MARKER),
                                             Need(code="lavoro", member="m1", note="cerca lavoro")))
    journal.execute(store, journal.Assess(**meta(command_id="k-a"), assessment=assessment), clock=clock,
                    new_id=ids("a"))
    only_m2 = attrs.evolve(_record("c-1", "serd"), disclosed=(
        {"category": "addiction", "basis": "consent", "flow": "f", "legal_basis": "", "consents": ["cs-1"],
         "members": ["m2"]},))
    log.append_many([only_m2, _record("c-1", "cpi")])
    export = journal.access_export(store, "c-1", "m1", audit=log)
    assert MARKER not in repr(export) and "cerca lavoro" in repr(export)
    assert [d["recipient"] for d in export["disclosures"]] == ["cpi"]
    assert [d["recipient"] for d in journal.access_export(store, "c-1", "m2", audit=log)["disclosures"]] == [
        "serd", "cpi"]
    assert log.verify().ok


def test_a_run_of_erasures_compacts_once_at_its_end_and_only_if_something_was_erased(
        store: JournalStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Overlapping runs leave the compaction to the last to end; an erasure outside any run compacts at once."""
    journal.execute(store, open_case(members=3), clock=clock, new_id=ids())
    compactions: list[bool] = []
    real = store.compact  # type: ignore[attr-defined]
    monkeypatch.setattr(store, "compact", lambda: compactions.append(real()) or True)

    def erase(subject: str) -> None:
        journal.execute(store, journal.EraseSubject(**meta(command_id=f"k-{subject}"), subject_id=subject, on=DAY),
                        clock=clock, new_id=ids(f"z{subject}"))

    with store.erasures():  # type: ignore[attr-defined]
        pass
    assert compactions == []  # nothing erased, nothing to compact
    first, second = store.erasures(), store.erasures()  # type: ignore[attr-defined]
    first.__enter__()
    second.__enter__()
    erase("m2")
    first.__exit__(None, None, None)
    assert compactions == []  # another run is still under way
    erase("m3")
    second.__exit__(None, None, None)
    assert len(compactions) == 1
    erase("m1")
    assert len(compactions) == 2


def test_the_access_export_withholds_a_referrals_snapshot(store: JournalStore) -> None:
    """The form as sent may describe every member: named as withheld, not given."""
    journal.execute(store, open_case(members=2), clock=clock, new_id=ids())
    journal.execute(store, journal.SendReferral(
        **meta(command_id="k-s"), referral_id="inv-1", from_service="ssp", to_service="cpi", channel="scheda_invio",
        reason="lavoro", on=DAY, snapshot={"members": [{"id": "m2", "notes": MARKER}]}), clock=clock, new_id=ids("s"))
    export = journal.access_export(store, "c-1", "m1", audit=journal.JournalAuditLog(store))
    (sent,) = [e for e in export["events"] if e["type"] == "referral.sent"]
    assert sent["withheld"] == ["snapshot"] and sent["data"]["to_service"] == "cpi"
    assert MARKER not in repr(export)
