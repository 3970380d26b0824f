"""Recommendations read the case's history: what is done or under way is not proposed again (issue 14)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import (
    Assessment,
    Case,
    CaseEvent,
    DimensionLevel,
    Engine,
    InterventionStatus,
    InvalidCaseError,
    Need,
    Project,
    ScheduledIntervention,
    get_plugin_manager,
)
from inclusione_core._pipeline.stage4_interventions import add_months, done_by
from inclusione_core.testing import minimal_case

D = dt.date
SRC = "source: {kind: default, note: test}"
LAYER = """id: storia
label: {it: Storia, en: History}
level: zona
version: '1'
extends: italia
interventions:
  bilancio_competenze:
    label: {it: Bilancio di competenze, en: Skills audit}
    category: orientamento
    providers: [cpi]
    suitable_when: {need: formazione}
    alternatives: [bilancio_di_gruppo]
    alternatives_source: {kind: default, note: test-alternative}
    priority: 10
    SRC
  bilancio_di_gruppo:
    label: {it: Bilancio di gruppo, en: Group skills audit}
    category: orientamento
    providers: [cpi]
    suitable_when: {not: {always: true}}
    SRC
  tirocinio:
    label: {it: Tirocinio, en: Traineeship}
    category: tirocinio
    providers: [cpi]
    prerequisites: [bilancio_competenze]
    suitable_when: {need: lavoro}
    priority: 20
    SRC
  orientamento:
    label: {it: Orientamento, en: Guidance}
    category: orientamento
    providers: [cpi]
    suitable_when: {need: lavoro}
    repeatable_after_months: 12
    repeatable_source: {kind: default, note: test-ripetibile}
    priority: 5
    SRC
""".replace("SRC", SRC)
CODES = ("bilancio_competenze", "bilancio_di_gruppo", "tirocinio", "orientamento")
AS_OF = D(2025, 3, 3)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """An engine with a layer ``storia`` (extends italia): an alternative, a prerequisite, a repeatable item."""
    root = tmp_path_factory.mktemp("config")
    (root / "storia").mkdir()
    Path(root / "storia" / "territory.yaml").write_text(LAYER, encoding="utf-8")
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])


def case_with(*, interventions: tuple[ScheduledIntervention, ...] = (), events: tuple[CaseEvent, ...] = (),
              needs: tuple[str, ...] = ("lavoro", "formazione")) -> Case:
    """A case of ``storia`` needing work and training, with a project and a history."""
    assessment = Assessment(date=D(2023, 1, 10), levels=(DimensionLevel(dimension="lavoro", level=2),),
                            needs=tuple(Need(code=n) for n in needs))
    project = Project(id="p1", start=D(2023, 2, 1), interventions=interventions) if interventions else None
    return minimal_case(territory="storia", opened_on=D(2023, 1, 10), assessment=assessment, project=project,
                        history=events)


def test_without_history_everything_suitable_is_proposed(engine: Engine) -> None:
    """With nothing done, the prerequisite comes first and nothing is listed as not proposed."""
    result = engine.assess(case_with(), as_of=AS_OF)
    assert [r.code for r in result.interventions] == ["orientamento", "bilancio_competenze", "tirocinio"]
    assert result.not_proposed == ()


def test_done_in_the_project_is_not_proposed_and_meets_the_prerequisite(engine: Engine) -> None:
    """An ended bilancio is not proposed again; the traineeship is, without pulling the bilancio in."""
    done = ScheduledIntervention(code="bilancio_competenze", start=D(2023, 2, 6), end=D(2023, 4, 28))
    result = engine.assess(case_with(interventions=(done,)), as_of=AS_OF)
    assert [r.code for r in result.interventions] == ["orientamento", "tirocinio"]
    (held,) = result.not_proposed
    assert (held.code, held.status, held.since) == ("bilancio_competenze", InterventionStatus.SVOLTO, D(2023, 4, 28))
    assert held.reason.rule == "interventi.bilancio_competenze.storia"
    assert held.reason.inputs["registrato_in"] == "$.project.interventions[0]"
    assert held.reason.source.is_default
    assert "non si ripropone" in held.reason.message_it and "2023-04-28" in held.reason.message_it
    assert held.decided_by is not None


def test_under_way_is_never_proposed_again(engine: Engine) -> None:
    """An intervention started and not ended (nor its project) is under way since its start."""
    running = ScheduledIntervention(code="tirocinio", start=D(2024, 9, 2))
    result = engine.assess(case_with(interventions=(running,)), as_of=AS_OF)
    held = {r.code: r for r in result.not_proposed}
    assert held["tirocinio"].status is InterventionStatus.IN_CORSO and held["tirocinio"].since == D(2024, 9, 2)
    assert "tirocinio" not in [r.code for r in result.interventions]


def test_planned_after_the_as_of_date_is_still_proposed(engine: Engine) -> None:
    """What starts after the as-of date has not happened: it is proposed, not listed as done."""
    planned = ScheduledIntervention(code="bilancio_competenze", start=D(2025, 4, 1))
    result = engine.assess(case_with(interventions=(planned,)), as_of=AS_OF)
    assert "bilancio_competenze" in [r.code for r in result.interventions]
    assert result.not_proposed == ()


def test_an_alternative_done_in_the_history_counts(engine: Engine) -> None:
    """A group bilancio recorded in the history stands for the bilancio: not proposed, prerequisite met."""
    event = CaseEvent(on=D(2024, 5, 6), kind="intervento", intervention="bilancio_di_gruppo")
    result = engine.assess(case_with(events=(event,)), as_of=AS_OF)
    assert [r.code for r in result.interventions] == ["orientamento", "tirocinio"]
    (held,) = result.not_proposed
    assert held.code == "bilancio_competenze" and held.reason.inputs["intervento_registrato"] == "bilancio_di_gruppo"
    assert held.reason.inputs["registrato_in"] == "$.history[0]"
    assert "alternativa" in held.reason.message_it


def test_repeatable_after_its_months(engine: Engine) -> None:
    """Orientamento done may be proposed again 12 months after (configured), not a day before."""
    event = CaseEvent(on=D(2024, 3, 4), kind="intervento", intervention="orientamento")
    before = engine.assess(case_with(events=(event,)), as_of=D(2025, 3, 3))
    (held,) = [r for r in before.not_proposed if r.code == "orientamento"]
    assert held.reason.inputs["riproponibile_dal"] == "2025-03-04"
    assert held.reason.source.note == "test-ripetibile"
    after = engine.assess(case_with(events=(event,)), as_of=D(2025, 3, 4))
    assert "orientamento" in [r.code for r in after.interventions]
    assert "orientamento" not in [r.code for r in after.not_proposed]


def test_events_after_the_as_of_date_do_not_count(engine: Engine) -> None:
    """An intervention recorded after the as-of date meets nothing yet."""
    event = CaseEvent(on=D(2025, 6, 1), kind="intervento", intervention="bilancio_competenze")
    result = engine.assess(case_with(events=(event,)), as_of=AS_OF)
    assert "bilancio_competenze" in [r.code for r in result.interventions]


@pytest.mark.parametrize(("event", "rule"), [
    ({"on": "2024-01-01", "kind": "intervento"}, "required"),
    ({"on": "2024-01-01", "kind": "intervento", "intervention": "corso_di_yoga"}, "ref:interventions"),
    ({"on": "2024-01-01", "kind": "verifica", "intervention": "orientamento"}, "kind"),
])
def test_a_history_event_names_a_known_intervention(engine: Engine, event: dict[str, object], rule: str) -> None:
    """An intervento event without its intervention, with an unknown one, or another kind naming one is refused."""
    data = {"id": "c1", "territory": "storia", "opened_on": "2024-01-01",
            "household": {"id": "h1", "members": [{"id": "m1"}]}, "history": [event]}
    with pytest.raises(InvalidCaseError) as info:
        engine.assess(data, as_of=AS_OF)
    assert [(d.path, d.rule) for d in info.value.details] == [("$.history[0].intervention", rule)]


def test_add_months_keeps_the_day_or_the_month_end() -> None:
    """The same calendar day months later, or the last day of a shorter month."""
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2024, 3, 4), 12) == D(2025, 3, 4)


dates = st.dates(min_value=D(2023, 1, 1), max_value=D(2026, 12, 31))
scheduled = st.builds(
    lambda code, start, days: ScheduledIntervention(
        code=code, start=start, end=None if days is None else start + dt.timedelta(days=days)),
    st.sampled_from(CODES), dates, st.none() | st.integers(0, 400))
events = st.builds(lambda code, on: CaseEvent(on=on, kind="intervento", intervention=code), st.sampled_from(CODES),
                   dates)


@settings(max_examples=60, deadline=None)
@given(st.lists(scheduled, max_size=4).map(tuple), st.lists(events, max_size=3).map(tuple), dates,
       st.sets(st.sampled_from(["lavoro", "formazione"])))
def test_nothing_done_or_under_way_is_proposed(engine: Engine, interventions: tuple[ScheduledIntervention, ...],
                                               history: tuple[CaseEvent, ...], as_of: dt.date,
                                               needs: set[str]) -> None:
    """
    For any project and history: nothing under way is proposed, nothing done is proposed before
    its configured months, every prerequisite of a proposal is proposed earlier or done or under
    way, and each not proposed is recorded with its status and date.
    """
    case = case_with(interventions=interventions, events=tuple(sorted(history, key=lambda e: e.on)),
                     needs=tuple(sorted(needs)))
    result = engine.assess(case, as_of=as_of)
    records = done_by(case, as_of)
    proposed = [r.code for r in result.interventions]
    held = {r.code: r for r in result.not_proposed}
    assert not set(proposed) & set(held)
    for code in proposed:
        for rec in (records.get(code), records.get("bilancio_di_gruppo") if code == "bilancio_competenze" else None):
            if rec is None:
                continue
            assert rec.status is InterventionStatus.SVOLTO
            assert code == "orientamento" and add_months(rec.since, 12) <= as_of
    for i, rec in enumerate(result.interventions):
        for pre in rec.prerequisites:
            assert pre in held or pre in proposed[:i]
    for rec in result.not_proposed:
        assert rec.status is not InterventionStatus.PROPOSTO and rec.since is not None and rec.since <= as_of
