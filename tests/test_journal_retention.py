"""Retention of closed cases: a period the territory configures (section journal:), none by default."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from inclusione_core import ConfigurationError, Engine, cli, journal
from inclusione_core._plugins import get_plugin_manager

Writer = Callable[[str, str], Path]
LAYER = 'id: zona\nlabel: {it: Zona, en: Zone}\nlevel: zona\nversion: "1"\nextends: italia\n'
PERIOD = "journal:\n  retention:\n    closed_case_years: {years}\n    source: {{kind: default, note: prova}}\n"


def _territory(root: Path) -> object:
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root]).territory("zona")


def test_no_period_is_the_default(write_layer: Writer) -> None:
    """A territory that sets no period gets none: no expiry date is computed."""
    territory = _territory(write_layer("zona", LAYER))
    assert journal.DEFAULT_RETENTION_YEARS is None
    assert journal.retention_years(territory) is None
    assert journal.retention_until(territory, dt.date(2025, 3, 1)) is None


def test_the_territory_sets_the_period(write_layer: Writer) -> None:
    """closed_case_years counts from the closing date (29 February to 28 February)."""
    territory = _territory(write_layer("zona", LAYER + PERIOD.format(years=5)))
    assert journal.retention_years(territory) == 5
    assert journal.retention_until(territory, dt.date(2025, 3, 1)) == dt.date(2030, 3, 1)
    assert journal.retention_until(territory, dt.date(2024, 2, 29)) == dt.date(2029, 2, 28)


@pytest.mark.parametrize("body", [PERIOD.format(years=0), "journal:\n  retention:\n    closed_case_years: 5\n",
                                  "journal:\n  conservazione: 5\n"])
def test_a_malformed_period_is_a_configuration_error(write_layer: Writer, body: str) -> None:
    """Zero years, a period without its source, an unknown key: refused with the path, as any configuration."""
    with pytest.raises(ConfigurationError) as exc:
        _territory(write_layer("zona", LAYER + body))
    assert any(d.path.startswith("$.journal") for d in exc.value.details)


def test_closing_a_case_from_the_command_line_records_its_retention(
        write_layer: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`journal close` stores the last day by the territory's period; the store lists the expired cases."""
    root = write_layer("zona", LAYER + PERIOD.format(years=2))
    store = ["--store", f"sqlite:{tmp_path / 'j.db'}", "--config-dir", str(root)]
    assert cli.main(["journal", "open", "c-1", "--territory", "zona", "--household", "h", "--member", "m1",
                     "--on", "2025-03-01", *store]) == 0
    capsys.readouterr()
    assert cli.main(["journal", "close", "c-1", "--on", "2025-03-04", "--json", *store]) == 0
    assert json.loads(capsys.readouterr().out)["retention_until"] == "2027-03-04"
    with journal.SqliteJournal(tmp_path / "j.db") as db:
        assert db.expired(dt.date(2027, 3, 4)) == []
        assert db.expired(dt.date(2027, 3, 5)) == ["c-1"]
    assert cli.main(["journal", "expire", "--on", "2027-03-04", "--json", *store]) == 0
    assert json.loads(capsys.readouterr().out) == {"shredded": [], "failed": []}  # the last day is still kept
    assert cli.main(["journal", "expire", "--on", "2027-03-05", "--actor", "archivio", "--json", *store]) == 0
    assert json.loads(capsys.readouterr().out) == {"shredded": ["c-1"], "failed": []}
    assert cli.main(["journal", "expire", "--on", "2027-03-06", *store]) == 0
    assert "—" in capsys.readouterr().out  # shredded once: nothing left to do
    with journal.SqliteJournal(tmp_path / "j.db") as db:
        state = db.load("c-1")
        assert state.erased == {"household", "m1"}
        assert {e.actor for e in db.events("c-1") if e.type == "subject.erased"} == {"archivio"}


def test_a_case_that_cannot_be_shredded_is_reported_on_one_line_in_the_language_asked(
        write_layer: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An open case with a retention date: `expire` exits 1, one line naming the case and why, in English."""
    root = write_layer("zona", LAYER + PERIOD.format(years=2))
    store = ["--store", f"sqlite:{tmp_path / 'j.db'}", "--config-dir", str(root)]
    assert cli.main(["journal", "open", "c-1", "--territory", "zona", "--household", "h", "--member", "m1",
                     "--on", "2025-03-01", *store]) == 0
    with journal.SqliteJournal(tmp_path / "j.db") as db:
        db.set_retention("c-1", dt.date(2025, 3, 2))
    capsys.readouterr()
    assert cli.main(["--lang", "en", "journal", "expire", "--on", "2025-03-03", *store]) == 1
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert "c-1" in line and "not closed" in line
    assert cli.main(["journal", "expire", "--on", "2025-03-03", "--json", *store]) == 1
    failed = json.loads(capsys.readouterr().out)["failed"]
    assert [f["case_id"] for f in failed] == ["c-1"] and failed[0]["error"]["details"][0]["rule"] == "closed"
