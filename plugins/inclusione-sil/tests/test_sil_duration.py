"""The maximum duration of a SIL path (§5, "max due anni"): refused projects, the deadline, the dimissioni flag."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusione_sil
from inclusione_core import DeadlineStatus, Engine, Project, Purpose, Recipient
from inclusione_sil import Tables, add_months, duration_problems


def project(start: dt.date, end: dt.date | None) -> Project:
    return Project(id="p", start=start, end=end)


@pytest.mark.parametrize(("start", "months", "expected"), [
    (dt.date(2025, 1, 13), 24, dt.date(2027, 1, 13)),
    (dt.date(2024, 2, 29), 24, dt.date(2026, 2, 28)),
    (dt.date(2025, 8, 31), 6, dt.date(2026, 2, 28)),
    (dt.date(2025, 12, 1), 1, dt.date(2026, 1, 1)),
])
def test_add_months_keeps_the_calendar_day(start: dt.date, months: int, expected: dt.date) -> None:
    """Adding months keeps the day of the month, or the month's last day when it is shorter."""
    assert add_months(start, months) == expected


def test_two_years_exactly_is_allowed_one_day_more_is_not(tables: Tables) -> None:
    """A project ending on the same calendar day two years later passes; one day later is refused."""
    start = dt.date(2025, 1, 13)
    assert duration_problems(project(start, dt.date(2027, 1, 13)), tables) == []
    (problem,) = duration_problems(project(start, dt.date(2027, 1, 14)), tables)
    assert problem.reason.rule == "sil.durata_massima"
    assert problem.reason.inputs["limite"] == "2027-01-13"


def test_project_without_end_is_a_problem(tables: Tables) -> None:
    """A project must state its times (phase 6): no end date is a problem citing the phase table."""
    (problem,) = duration_problems(project(dt.date(2025, 1, 13), None), tables)
    assert (problem.path, problem.reason.rule) == ("$.project.end", "sil.durata.fine_mancante")
    assert problem.reason.source.quote == "Predisposizione del progetto, obiettivi e tempi"


@settings(max_examples=200, deadline=None)
@given(start=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), days=st.integers(1, 1500))
def test_a_project_is_refused_exactly_when_it_exceeds_24_months(tables: Tables, start: dt.date, days: int) -> None:
    """Whatever the dates, the project is refused if and only if it ends after the same day 24 months later."""
    end = start + dt.timedelta(days=days)
    problems = duration_problems(project(start, end), tables)
    assert bool(problems) is (end > add_months(start, 24))
    for p in problems:
        assert p.reason.source.document == inclusione_sil.DOCUMENT


def test_the_deadline_and_the_flag_follow_the_warning_window(engine: Engine,
                                                             example: Callable[[str], dict[str, Any]]) -> None:
    """Upcoming until 91 days before, due and flagged for dimissioni from 90 days before, then overdue."""
    case = example("verso_dimissioni.json")
    seen = {}
    for as_of in (dt.date(2024, 11, 4), dt.date(2025, 9, 4), dt.date(2025, 9, 5), dt.date(2025, 12, 5)):
        result = engine.assess(case, as_of=as_of)
        (deadline,) = [d for d in result.deadlines if d.code == "sil_durata_massima"]
        assert deadline.due == dt.date(2025, 12, 4)
        seen[as_of] = (deadline.status, "sil_dimissioni" in result.profile.profile.flags)
    assert seen == {
        dt.date(2024, 11, 4): (DeadlineStatus.UPCOMING, False),
        dt.date(2025, 9, 4): (DeadlineStatus.UPCOMING, False),
        dt.date(2025, 9, 5): (DeadlineStatus.DUE, True),
        dt.date(2025, 12, 5): (DeadlineStatus.OVERDUE, True),
    }


def test_the_dimissioni_reason_names_the_destinations(engine: Engine,
                                                      example: Callable[[str], dict[str, Any]]) -> None:
    """The flag's reason says when the two years end and where the dimissioni lead, citing §1 of seed 004."""
    result = engine.assess(example("verso_dimissioni.json"), as_of=dt.date(2025, 11, 3))
    (reason,) = [r for r in result.profile.reasons if r.rule == "sil.durata.sil_dimissioni"]
    assert "2025-12-04" in reason.message_it and "tra 31 giorni" in reason.message_it
    assert "percorso formativo consolidato" in reason.message_it
    assert "servizio con caratteristiche di supporto" in reason.message_it
    assert "«dimissioni»" in reason.source.quote
    (deadline,) = [d for d in result.deadlines if d.code == "sil_durata_massima"]
    assert deadline.reason.source.quote == "La durata massima del percorso è caratterizzata da max due anni"


def test_the_deadline_is_met_once_the_final_evaluation_is_reached(engine: Engine,
                                                                   example: Callable[[str], dict[str, Any]]) -> None:
    """After the final evaluation (phase 8) the maximum-duration deadline is met and no flag is raised."""
    case = example("verso_dimissioni.json")
    case["history"].append({"on": "2025-10-20", "kind": "sil_fase_valutazione_finale"})
    result = engine.assess(case, as_of=dt.date(2025, 11, 3))
    (deadline,) = [d for d in result.deadlines if d.code == "sil_durata_massima"]
    assert deadline.status is DeadlineStatus.MET
    assert "sil_dimissioni" not in result.profile.profile.flags


def test_no_project_no_deadline(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """A case without a project has no maximum-duration deadline and no dimissioni flag."""
    result = engine.assess(example("l68_invalidita_50.json"), as_of=dt.date(2025, 3, 10))
    assert [d.code for d in result.deadlines if d.code.startswith("sil_")] == []


def test_the_dimissioni_flag_shows_the_same_whatever_the_disability(engine: Engine,
                                                                    example: Callable[[str], dict[str, Any]]) -> None:
    """
    The housing office (no consent) sees the flag exactly as often with or without a civil
    invalidity: the flag carries its own reason's categories, not those of the L. 68 reason
    beside it (found by the differential test).
    """
    seen = []
    for percent in (None, 67):
        data = example("verso_dimissioni.json")
        if percent is not None:
            data["household"]["members"][0]["disability_percent"] = percent
        case = engine.load_case(data)
        result = engine.assess(case, as_of=dt.date(2025, 12, 5))
        view = engine.preview_result(result, case, recipient=Recipient(kind="casa", service="casa"),
                                     purpose=Purpose.EQUIPE)
        seen.append(view.data["profile"]["profile"]["flags"])
    assert seen[0] == seen[1]
