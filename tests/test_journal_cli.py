"""`inclusione journal`: commands appended from the command line, retries, refusals, the history view."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import journal_postgres
import pytest
from privacy_oracle import ZONE, write_zone

from inclusione_core import cli, journal


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


OPEN = ["journal", "open", "c-1", "--territory", ZONE, "--household", "h-1", "--member", "m1",
        "--member", "m2:figlio", "--on", "2025-03-01", "--actor", "rossi", "--role", "assistente_sociale"]


def test_commands_append_to_the_default_journal_in_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """open, refer, answer and close, each recorded in order in inclusione-journal.db of the working folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INCLUSIONE_JOURNAL", raising=False)
    config = ["--config-dir", str(write_zone(tmp_path / "config"))]
    code, out, _ = _run([*OPEN, "--json", *config], capsys)
    assert code == 0
    assert [e["type"] for e in json.loads(out)["events"]] == ["case.opened", "member.added", "member.added"]
    steps = [["refer", "c-1", "--referral", "r-1", "--from", "pua", "--to", "cpi", "--reason", "lavoro",
              "--on", "2025-03-02"],
             ["answer", "c-1", "--referral", "r-1", "--accept", "--on", "2025-03-03", "--by", "cpi"],
             ["close", "c-1", "--on", "2025-03-04", "--reason", "concluso"]]
    for step in steps:
        code, out, err = _run(["journal", *step, "--actor", "bianchi", *config], capsys)
        assert code == 0, err
    assert "versione 6" in out and "case.closed" in out
    with journal.open_store(tmp_path / "inclusione-journal.db") as store:  # type: ignore[attr-defined]
        events = store.events("c-1")
        assert [e.type for e in events][-3:] == ["referral.sent", "referral.answered", "case.closed"]
        assert events[-1].actor == "bianchi" and events[0].role == "assistente_sociale"
        state = store.load("c-1")
    assert state.case is not None and state.case.status.value == "chiuso"


def test_a_retried_command_id_is_recorded_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same --command-id twice: the second run answers with the events of the first."""
    store = ["--store", f"sqlite:{tmp_path / 'j.db'}", "--config-dir", str(write_zone(tmp_path / "config"))]
    assert _run([*OPEN, *store], capsys)[0] == 0
    review = ["journal", "close", "c-1", "--on", "2025-03-05", "--command-id", "cmd-42", "--json", *store]
    first = json.loads(_run(review, capsys)[1])
    again = json.loads(_run(review, capsys)[1])
    assert first == again and first["version"] == 4


def test_a_refused_command_exits_2_naming_the_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An answer to a referral never sent, or a step the state machine forbids: exit 2, the error in Italian."""
    store = ["--store", f"sqlite:{tmp_path / 'j.db'}", "--config-dir", str(write_zone(tmp_path / "config"))]
    _run([*OPEN, *store], capsys)
    code, _, err = _run(["journal", "answer", "c-1", "--referral", "r-9", "--accept", "--on", "2025-03-03", *store],
                        capsys)
    assert code == 2 and "nessun invio con questo id" in err and "$.referral_id" in err
    _run(["journal", "refer", "c-1", "--referral", "r-1", "--from", "pua", "--to", "cpi", "--reason", "x",
          "--on", "2025-03-02", *store], capsys)
    _run(["journal", "answer", "c-1", "--referral", "r-1", "--accept", "--on", "2025-03-03", *store], capsys)
    code, _, err = _run(["journal", "answer", "c-1", "--referral", "r-1", "--accept", "--on", "2025-03-04", *store],
                        capsys)
    assert code == 2 and "transizione non ammessa accepted -> accepted" in err


def test_assessment_from_a_file_and_the_history_as_a_recipient_sees_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An assessment read from JSON is recorded; the history shown to a recipient comes through its view."""
    root = write_zone(tmp_path / "config")
    store = ["--store", f"sqlite:{tmp_path / 'j.db'}", "--config-dir", str(root)]
    _run([*OPEN, *store], capsys)
    assessment = tmp_path / "valutazione.json"
    assessment.write_text(json.dumps({"date": "2025-03-02", "needs": [{"code": "lavoro", "note": "segreto"}]}),
                          encoding="utf-8")
    code, out, err = _run(["journal", "assess", "c-1", "--file", str(assessment), *store], capsys)
    assert code == 0 and "case.assessed" in out, err
    bad = tmp_path / "rotta.json"
    bad.write_text(json.dumps({"date": "2025-03-02", "needs": [{"codice": "x"}]}), encoding="utf-8")
    code, _, err = _run(["journal", "assess", "c-1", "--file", str(bad), *store], capsys)
    assert code == 2 and "$.needs[0]" in err
    code, out, err = _run(["journal", "history", "c-1", "--recipient", "zq_cpi", "--purpose", "referral",
                           "--as-of", "2025-03-05", *store], capsys)
    assert code == 0, err
    assert "Storia del caso c-1 (versione 4)" in out and "accesso" in out and "valutazione" in out
    assert "segreto" not in out
    with journal.SqliteJournal(tmp_path / "j.db") as db:  # without --audit: the journal's own audit table
        (record,) = journal.JournalAuditLog(db).records("c-1")
    assert (record.recipient, record.purpose, record.channel) == ("zq_cpi", "referral", "journal")



ROOT = Path(__file__).resolve().parents[1]


def _readme_life() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- journal-life -->\n```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def postgres() -> Iterator[str | None]:
    with journal_postgres.server() as url:
        yield url


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_readme_case_life_runs_as_written_on_both_engines(
        engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """open, assess, refer, answer, sign, review, close and the history: the README's commands, from its folder."""
    if engine == "sqlite":
        address = f"sqlite:{tmp_path / 'casi.db'}"
    else:
        url = request.getfixturevalue("postgres")
        if url is None:
            if os.environ.get("INCLUSIONE_REQUIRE_POSTGRES"):
                pytest.fail("INCLUSIONE_REQUIRE_POSTGRES is set but no PostgreSQL server could be started")
            pytest.skip("no PostgreSQL server (initdb and pg_ctl not found, INCLUSIONE_TEST_POSTGRES not set)")
        address = journal_postgres.new_database(url, f"journal_readme_{os.getpid()}")
    env = {**os.environ, "INCLUSIONE_JOURNAL": address, "INCLUSIONE_AUDIT": str(tmp_path / "audit.jsonl")}
    outs = []
    for line in _readme_life():
        proc = subprocess.run(line, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                              check=False)
        assert proc.returncode == 0, (line, proc.stderr[-2000:])
        outs.append(proc.stdout)
    assert [o.split(",")[0] for o in outs[:-1]] == [f"caso PO-1: versione {v}" for v in (3, 4, 5, 6, 7, 8, 9)]
    assert "case.closed" in outs[-2]
    history = [line.strip().split(" · ")[1] for line in outs[-1].splitlines()[1:]]
    assert history == ["accesso", "valutazione", "invio", "invio", "patto", "verifica", "chiusura"]
    with journal.open_store(address) as store:
        assert store.integrity_check() == ()
        assert [e.version for e in store.events("PO-1")] == list(range(1, 10))


def test_an_erasure_needs_no_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Writes are checked against the case's territory, which must load; an erasure is not held up by it."""
    store = ["--store", f"sqlite:{tmp_path / 'j.db'}"]
    config = ["--config-dir", str(write_zone(tmp_path / "config"))]
    assert _run([*OPEN, *store, *config], capsys)[0] == 0
    code, _, err = _run(["journal", "close", "c-1", "--on", "2025-03-04", *store], capsys)  # the zone is not found
    assert code == 2 and ZONE in err
    code, out, err = _run(["journal", "erase", "c-1", "--subject", "m2", "--on", "2025-03-04", *store], capsys)
    assert code == 0 and "subject.erased" in out, err
