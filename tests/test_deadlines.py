"""
Deadlines met by dated events (issue 14, item 2): the met / late / overdue rule, the AdI
duties, the configuration of deadlines that follow one another, and how results show them.
Working days are in test_calendar.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusione_core import (
    Assessment,
    CaseEvent,
    ConfigurationError,
    Deadline,
    DeadlineStatus,
    DimensionLevel,
    Engine,
    MeasureEnrolment,
    Need,
    Purpose,
    Reason,
    Referral,
    ReferralResponse,
    ReferralStatus,
    get_plugin_manager,
    hookimpl,
)
from inclusione_core._pipeline.stage6_deadlines import first_event, standing
from inclusione_core._report import deadline_standing
from inclusione_core.testing import minimal_case

D = dt.date
ROOT = Path(__file__).resolve().parents[1]
_ENGINES: dict[str, Engine] = {}


def italia() -> Engine:
    """The core engine (no plugins), compiled once for the module."""
    if "italia" not in _ENGINES:
        _ENGINES["italia"] = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False))
    return _ENGINES["italia"]


def deadlines(case: Any, as_of: dt.date, engine: Engine | None = None) -> dict[str, Deadline]:
    """The deadlines of a case on a date, by code."""
    return {d.code: d for d in (engine or italia()).assess(case, as_of=as_of).deadlines}


def adi_case(start: dt.date, *, assessed_on: dt.date | None = None, history: tuple[CaseEvent, ...] = (),
             work_ready: tuple[str, ...] = ()) -> Any:
    """An AdI household (since ``start``), assessed on ``assessed_on`` if given."""
    assessment = None if assessed_on is None else Assessment(
        date=assessed_on, levels=(DimensionLevel(dimension="lavoro", level=2),), work_ready_members=work_ready)
    return minimal_case(measures=(MeasureEnrolment(code="adi", valid_from=start),), assessment=assessment,
                        history=history)


# --------------------------------------------------------------------------- the rule, as a property

DAYS = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))


@given(due=DAYS, as_of=DAYS, met_on=st.none() | DAYS, soon=st.integers(0, 60))
def test_met_only_by_an_event_by_the_due_date_and_not_after_the_as_of_date(
    due: dt.date, as_of: dt.date, met_on: dt.date | None, soon: int,
) -> None:
    """
    An event after the as-of date never meets a deadline; one on or before both the due date
    and the as-of date meets it; one after the due date meets it late by exactly the days
    between; unmet, it is overdue by exactly the days from the due date to the as-of date.
    """
    s = standing(due, as_of, met_on, soon)
    happened = met_on is not None and met_on <= as_of
    assert (s.status is DeadlineStatus.MET) == (happened and met_on is not None and met_on <= due)
    assert (s.status is DeadlineStatus.MET_LATE) == (happened and met_on is not None and met_on > due)
    assert s.met_on == (met_on if happened else None)
    if s.status is DeadlineStatus.MET:
        assert s.days_late == 0 and s.days_overdue is None
    elif s.status is DeadlineStatus.MET_LATE:
        assert met_on is not None and s.days_late == (met_on - due).days > 0 and s.days_overdue is None
    elif due < as_of:
        assert s.status is DeadlineStatus.OVERDUE and s.days_overdue == (as_of - due).days > 0
        assert s.days_late is None
    else:
        assert s.status is (DeadlineStatus.DUE if (due - as_of).days <= soon else DeadlineStatus.UPCOMING)
        assert s.days_late is None and s.days_overdue is None


@given(start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 6, 30)),
       assessed=st.integers(-30, 400), as_of=st.integers(0, 500))
def test_the_adi_first_appointment_follows_the_rule_end_to_end(start: dt.date, assessed: int, as_of: int) -> None:
    """
    Through the engine: the first appointment (120 days from the start of the AdI) is met
    only by an assessment on or after the start, on or before the due date and not after
    the as-of date; days late and overdue are exact.
    """
    assessed_on, on = start + dt.timedelta(days=assessed), start + dt.timedelta(days=as_of)
    found = deadlines(adi_case(start, assessed_on=assessed_on), on)
    first = found["adi_primo_appuntamento"]
    due = start + dt.timedelta(days=120)
    assert first.due == due
    counts = start <= assessed_on <= on
    expected = standing(due, on, assessed_on if counts else None, 14)
    assert (first.status, first.met_on, first.days_late, first.days_overdue) == (
        expected.status, expected.met_on, expected.days_late, expected.days_overdue)
    if assessed_on > on:
        assert first.status not in (DeadlineStatus.MET, DeadlineStatus.MET_LATE)


def test_first_event_counts_only_what_happened_in_the_window() -> None:
    """The first event on or after the start (strictly after, when asked) and not after the as-of date."""
    days = [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)]
    assert first_event(days, D(2024, 1, 1), D(2024, 12, 31)) == D(2024, 1, 1)
    assert first_event(days, D(2024, 1, 1), D(2024, 12, 31), strict=True) == D(2024, 2, 1)
    assert first_event(days, D(2024, 2, 2), D(2024, 2, 28)) is None


# --------------------------------------------------------------------------- the AdI duties


def test_the_first_appointment_is_not_met_by_an_assessment_before_the_measure() -> None:
    """An assessment made before the AdI started (under the RdC, say) is not its first appointment."""
    found = deadlines(adi_case(D(2024, 1, 1), assessed_on=D(2021, 4, 12)), D(2024, 6, 1))
    first = found["adi_primo_appuntamento"]
    assert (first.status, first.met_on, first.days_overdue) == (DeadlineStatus.OVERDUE, None, 32)
    assert first.reason.source.document == "dl_48_2023" and first.reason.source.section == "art. 4"


def test_no_adi_deadline_before_the_measure_started() -> None:
    """As of a date before the household's AdI, no AdI clock has started."""
    found = deadlines(adi_case(D(2024, 1, 1), assessed_on=D(2021, 4, 12), work_ready=("m1",)), D(2021, 5, 3))
    assert not {"adi_primo_appuntamento", "adi_presentazione.1", "adi_patto_servizio"} & set(found)


def test_presentations_run_every_90_days_from_the_last_one() -> None:
    """After the first appointment, each period of 90 days runs from the last presentation."""
    history = (CaseEvent(on=D(2024, 4, 20), kind="presentazione"),)
    case = adi_case(D(2024, 1, 1), assessed_on=D(2024, 2, 1), history=history)
    found = deadlines(case, D(2024, 6, 1))
    assert "adi_presentazione.1" not in found  # met on time: not listed
    second = found["adi_presentazione.2"]
    assert (second.due, second.status) == (D(2024, 7, 19), DeadlineStatus.UPCOMING)
    assert second.reason.inputs["dal"] == "2024-04-20"
    assert second.reason.inputs["periodi_rispettati"] == 1
    assert second.reason.message_it == ("Presentazione periodica ai servizi (AdI) (periodo 2): entro 90 giorni"
                                        " dal 2024-04-20.")


def test_no_presentation_before_the_first_appointment() -> None:
    """The presentations start only once the first appointment was met."""
    found = deadlines(adi_case(D(2024, 1, 1)), D(2024, 6, 1))
    assert not [code for code in found if code.startswith("adi_presentazione")]


def test_the_service_pact_applies_to_members_who_can_work() -> None:
    """The patto di servizio (60 days) is due only when the assessment found members able to work."""
    ready = deadlines(adi_case(D(2024, 1, 1), assessed_on=D(2024, 2, 1), work_ready=("m1",)), D(2024, 5, 1))
    pact = ready["adi_patto_servizio"]
    assert (pact.due, pact.status, pact.days_overdue) == (D(2024, 4, 1), DeadlineStatus.OVERDUE, 30)
    assert "work" in pact.reason.categories  # it says that someone can work
    assert pact.reason.inputs["componenti_attivabili"] == ["m1"]
    signed = adi_case(D(2024, 1, 1), assessed_on=D(2024, 2, 1), work_ready=("m1",),
                      history=(CaseEvent(on=D(2024, 4, 3), kind="patto_servizio"),))
    late = deadlines(signed, D(2024, 5, 1))["adi_patto_servizio"]
    assert (late.status, late.met_on, late.days_late) == (DeadlineStatus.MET_LATE, D(2024, 4, 3), 2)
    nobody = deadlines(adi_case(D(2024, 1, 1), assessed_on=D(2024, 2, 1)), D(2024, 5, 1))
    assert "adi_patto_servizio" not in nobody


def test_a_later_assessment_does_not_move_the_start_of_the_rdc_pact() -> None:
    """The RdC pact runs from the first assessment: a re-assessment recorded later does not restart it."""
    rdc = MeasureEnrolment(code="rdc", valid_from=D(2020, 1, 1), valid_to=D(2023, 12, 31))
    case = minimal_case(measures=(rdc,), assessment=Assessment(date=D(2023, 6, 1)),
                        history=(CaseEvent(on=D(2023, 3, 1), kind="valutazione"),))
    pact = deadlines(case, D(2023, 7, 1))["rdc_patto"]
    assert pact.reason.inputs["dal"] == "2023-03-01"


def test_a_referral_deadline_is_met_by_the_answer_on_its_date(write_layer: Any) -> None:
    """A referral answered after the term meets its deadline late, by the days between."""
    root = write_layer("zona", (
        "id: zona\nlabel: {it: Zona, en: Zone}\nlevel: zona\nversion: '1'\nextends: italia\n"
        "deadlines:\n  risposta_invio:\n    label: {it: Risposta all'invio, en: Answer to the referral}\n"
        "    from: referral_sent\n    met_by: referral_answered\n"
        "    days: [{valid_from: '2020-01-01', value: 10, source: {kind: default, note: prova}}]\n"
        "    source: {kind: default, note: prova}\n"))
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])
    referral = Referral(id="r1", from_service="ssp", to_service="cpi", channel="scheda_invio", reason="lavoro",
                        sent_on=D(2025, 1, 10), status=ReferralStatus.ACCEPTED,
                        response=ReferralResponse(on=D(2025, 1, 24)))
    case = minimal_case(territory="zona", referrals=(referral,))
    late = deadlines(case, D(2025, 2, 1), engine)["risposta_invio.r1"]
    assert (late.due, late.status, late.met_on, late.days_late) == (
        D(2025, 1, 20), DeadlineStatus.MET_LATE, D(2025, 1, 24), 4)
    before = deadlines(case, D(2025, 1, 22), engine)["risposta_invio.r1"]  # the answer is still in the future
    assert (before.status, before.days_overdue) == (DeadlineStatus.OVERDUE, 2)


def test_a_deadline_that_follows_another_reads_what_that_one_read(write_layer: Any) -> None:
    """
    A deadline started by another's meeting reveals that the other applies: its reason
    carries the other's data categories (here an addiction need), so a recipient who may
    not know them receives neither.
    """
    root = write_layer("zona", (
        "id: zona\nlabel: {it: Zona, en: Zone}\nlevel: zona\nversion: '1'\nextends: italia\n"
        "deadlines:\n"
        "  colloquio_serd:\n    label: {it: Colloquio, en: Interview}\n    from: assessment\n"
        "    when: {need: dipendenze}\n    met_by: equipe_held\n"
        "    days: [{valid_from: '2020-01-01', value: 30, source: {kind: default, note: prova}}]\n"
        "    source: {kind: default, note: prova}\n"
        "  seguito:\n    label: {it: Seguito, en: Follow-up}\n    from: deadline_met\n    deadline: colloquio_serd\n"
        "    events: [verifica]\n"
        "    days: [{valid_from: '2020-01-01', value: 30, source: {kind: default, note: prova}}]\n"
        "    source: {kind: default, note: prova}\n"))
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])
    case = minimal_case(territory="zona", assessment=Assessment(date=D(2025, 1, 10), needs=(Need(code="dipendenze"),)),
                        history=(CaseEvent(on=D(2025, 1, 20), kind="equipe"),))
    found = deadlines(case, D(2025, 2, 1), engine)
    assert found["colloquio_serd"].met_on == D(2025, 1, 20)
    follow = found["seguito"]
    assert (follow.due, follow.status) == (D(2025, 2, 19), DeadlineStatus.UPCOMING)
    assert "addiction" in follow.reason.categories


# --------------------------------------------------------------------------- configuration

ZONA = "id: zona\nlabel: {it: Zona, en: Zone}\nlevel: zona\nversion: '1'\nextends: italia\n"


@pytest.mark.parametrize(("body", "path", "rule"), [
    ("deadlines:\n  dopo:\n    label: {it: Dopo, en: After}\n    from: deadline_met\n    deadline: nessuna\n"
     "    days: [{valid_from: '2020-01-01', value: 10, source: {kind: default, note: prova}}]\n"
     "    source: {kind: default, note: prova}\n", "$.deadlines.dopo.deadline", "ref:deadlines"),
    ("deadlines:\n  a:\n    label: {it: A, en: A}\n    from: deadline_met\n    deadline: b\n"
     "    days: [{valid_from: '2020-01-01', value: 10, source: {kind: default, note: prova}}]\n"
     "    source: {kind: default, note: prova}\n"
     "  b:\n    label: {it: B, en: B}\n    from: deadline_met\n    deadline: a\n"
     "    days: [{valid_from: '2020-01-01', value: 10, source: {kind: default, note: prova}}]\n"
     "    source: {kind: default, note: prova}\n", "$.deadlines.a.deadline", "acyclic"),
    ("deadlines:\n  x:\n    label: {it: X, en: X}\n    from: measure_start\n    measure: rcd\n"
     "    days: [{valid_from: '2020-01-01', value: 10, source: {kind: default, note: prova}}]\n"
     "    source: {kind: default, note: prova}\n", "$.deadlines.x.measure", "ref:measures"),
])
def test_deadline_errors(write_layer: Any, body: str, path: str, rule: str) -> None:
    """An unknown or circular deadline, an unknown measure: each once, with its line."""
    root = write_layer("zona", ZONA + body)
    with pytest.raises(ConfigurationError) as info:
        Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root]).territory("zona")
    found = [(d.path, d.rule) for d in info.value.details]
    assert (path, rule) in found
    assert len([r for _, r in found if r == rule]) == 1
    detail = next(d for d in info.value.details if d.rule == rule)
    assert detail.line is not None


# --------------------------------------------------------------------------- what results show


def test_reports_say_how_late_in_italian_and_english() -> None:
    """Met late, overdue (singular and plural), met on a date: in words, in both languages."""
    reason = Reason(rule="r", territory="italia", message_it="x", message_en="x",
                    source=italia().territory("italia").citation({"kind": "default", "note": "n"}))
    late = Deadline(code="c", label="C", due=D(2024, 6, 29), status=DeadlineStatus.MET_LATE, reason=reason,
                    met_on=D(2024, 9, 10), days_late=73)
    one = attrs.evolve(late, status=DeadlineStatus.OVERDUE, met_on=None, days_late=None, days_overdue=1)
    many = attrs.evolve(one, days_overdue=18)
    met = attrs.evolve(late, status=DeadlineStatus.MET, days_late=0)
    assert deadline_standing(late, "it") == "rispettata in ritardo di 73 giorni, il 2024-09-10"
    assert deadline_standing(late, "en") == "met 73 days late, on 2024-09-10"
    one_day = attrs.evolve(late, days_late=1)
    assert deadline_standing(one_day, "it") == "rispettata in ritardo di 1 giorno, il 2024-09-10"
    assert deadline_standing(one, "it") == "scaduta da 1 giorno"
    assert deadline_standing(many, "it") == "scaduta da 18 giorni"
    assert deadline_standing(many, "en") == "overdue by 18 days"
    assert deadline_standing(met, "it") == "rispettata il 2024-09-10"


@pytest.fixture(scope="module")
def progetto() -> tuple[Engine, Any]:
    engine = Engine()
    case = engine.load_case(json.loads((ROOT / "territories/prato/examples/progetto_in_corso.json").read_text()))
    return engine, case


def test_the_text_report_and_the_csv_show_the_days(progetto: tuple[Engine, Any]) -> None:
    """The explained text and the spreadsheet row say which deadlines were met late and by how much."""
    engine, case = progetto
    result = engine.assess(case, as_of=D(2025, 3, 20))
    view = engine.disclose_result(result, case, recipient="ssp", purpose=Purpose.ASSESSMENT)
    out = io.StringIO()
    renderer = engine.renderer("text", out)
    renderer.view(view, engine.territory("prato"))
    renderer.close()
    text = " ".join(out.getvalue().split())
    assert "Primo appuntamento ai servizi (AdI) (adi_primo_appuntamento) — rispettata in ritardo di 73 giorni" in text
    assert "Presentazione periodica ai servizi (AdI) (periodo 2) (adi_presentazione.2) — scaduta da 18 giorni" in text
    assert ("Scadenze da curare: Patto di servizio personalizzato al Centro per l'Impiego (AdI) (scaduta da 131"
            " giorni)") in text
    out = io.StringIO()
    renderer = engine.renderer("csv", out)
    renderer.view(view, engine.territory("prato"))
    renderer.close()
    header, row = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"), newline=""), delimiter=";"))
    cells = dict(zip(header, row, strict=True))
    assert cells["scadenze rispettate in ritardo"] == "Primo appuntamento ai servizi (AdI) (rispettata in ritardo" \
                                                      " di 73 giorni, il 2024-09-10)"
    assert "Presentazione periodica ai servizi (AdI) (periodo 2) (scaduta da 18 giorni)" in cells["scadenze da curare"]


def test_the_json_of_a_result_carries_the_days(progetto: tuple[Engine, Any]) -> None:
    """``met_on``, ``days_late`` and ``days_overdue`` are fields of every deadline in the JSON."""
    engine, case = progetto
    data = engine.to_json(engine.assess(case, as_of=D(2025, 3, 20)))
    by_code = {d["code"]: d for d in data["deadlines"]}
    assert {k: by_code["adi_primo_appuntamento"][k] for k in ("status", "met_on", "days_late", "days_overdue")} == {
        "status": "met_late", "met_on": "2024-09-10", "days_late": 73, "days_overdue": None}
    assert by_code["verifica_progetto"]["days_overdue"] == 48


class _LatePlugin:
    """A plugin that gives only a status, as plugins written before these fields did."""

    @hookimpl
    def inclusione_compute_deadlines(self, case: Any, territory: Any, as_of: dt.date) -> list[Deadline]:
        reason = Reason(rule="p", territory=territory.id, message_it="p", message_en="p",
                        source=territory.citation({"kind": "default", "note": "prova"}))
        return [Deadline(code="plugin", label="Plugin", due=as_of - dt.timedelta(days=5),
                         status=DeadlineStatus.OVERDUE, reason=reason)]


def test_a_plugins_overdue_deadline_gets_its_days() -> None:
    """A plugin that says only "overdue" still yields the days overdue in the result."""
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=[("late", _LatePlugin())]))
    (found,) = [d for d in engine.assess(minimal_case(), as_of=D(2025, 3, 1)).deadlines if d.code == "plugin"]
    assert found.days_overdue == 5
