"""The SIL path's current phase: computed from the case, shown, gating the staff and the interventions (issue 14)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import Case, CaseEvent, Engine, Project
from inclusione_sil import Tables
from inclusione_sil._current import current_phase, gate_reason
from inclusione_sil._duration import path_start
from inclusione_sil._phases import NUMBERED, TRANSITIONS, Phase
from inclusione_sil._tables import Proposals

D = dt.date


def case_of(engine: Engine, example: Callable[[str], dict[str, Any]], name: str) -> Case:
    """An example case of the sil territory."""
    return engine.load_case(example(name))


def test_phase_recorded_in_the_history(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """The last phase the history records by the as-of date is the current one."""
    case = case_of(engine, example, "l68_invalidita_50.json")
    now = current_phase(case, D(2025, 3, 10))
    assert now is not None and (now.phase, now.number, now.since, now.inferred_from) == (
        Phase.COLLOQUIO_PERSONA, 4, D(2025, 2, 24), "")
    earlier = current_phase(case, D(2025, 2, 5))
    assert earlier is not None and earlier.phase is Phase.PRIMA_VALUTAZIONE


def test_phase_inferred_without_events(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """No phase recorded: a started project means the acceptance, an assessment the interview, an access phase 1."""
    case = attrs.evolve(case_of(engine, example, "verso_dimissioni.json"), history=())
    on_project = current_phase(case, D(2024, 1, 8))
    assert on_project is not None and (on_project.phase, on_project.inferred_from) == (Phase.ACCETTAZIONE, "progetto")
    assessed = current_phase(case, D(2023, 11, 1))
    assert assessed is not None
    assert (assessed.phase, assessed.inferred_from) == (Phase.COLLOQUIO_PERSONA, "valutazione")
    accessed = current_phase(case, D(2023, 9, 20))
    assert accessed is not None and (accessed.phase, accessed.inferred_from) == (Phase.SEGNALAZIONE, "accesso")
    assert current_phase(case, D(2023, 9, 1)) is None


def test_phase_4_gets_no_staff_and_no_interventions(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """Before the decision the SIL composes no staff and proposes nothing; the phase and why are shown."""
    result = engine.assess(example("l68_invalidita_50.json"), as_of=D(2025, 3, 10))
    assert result.equipe.format == "nessuna" and result.interventions == ()
    rules = {r.rule: r for r in result.profile.reasons}
    shown = rules["sil.fase"]
    assert shown.message_it.startswith("Fase attuale del percorso SIL: 4. colloquio con il soggetto da inserire")
    assert shown.source.document == "linee_guida_sil_2007" and shown.categories == ("process",)
    gate = rules["sil.fase.proposte"]
    assert "6. accettazione" in gate.message_it
    assert gate.source.quote == "Predisposizione del progetto, obiettivi e tempi"
    assert result.equipe.reasons == (gate,)


def test_what_each_phase_allows_comes_from_the_configuration(tables: Tables) -> None:
    """The reference lists: staff and interventions from phase 6 to phase 8; a district may change them."""
    assert tables.proposals is not None
    assert tables.proposals.states("equipe") == ("accettazione", "sviluppo", "valutazione_finale")
    only_staff = attrs.evolve(tables, proposals=Proposals(
        equipe=frozenset({"decisione"}), interventions=frozenset(), source=tables.proposals.source))
    from inclusione_sil._current import CurrentPhase  # noqa: PLC0415

    reason = gate_reason(CurrentPhase(phase=Phase.DECISIONE, since=D(2025, 1, 1)), only_staff)
    assert reason is not None and reason.inputs["equipe"] is True and reason.inputs["interventi"] is False
    assert gate_reason(CurrentPhase(phase=Phase.SVILUPPO, since=D(2025, 1, 1)), tables) is None
    assert gate_reason(CurrentPhase(phase=Phase.SVILUPPO, since=D(2025, 1, 1)),
                       attrs.evolve(tables, proposals=None)) is None


def test_the_two_years_count_from_the_first_project(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """After a re-design the path's start stays the first acceptance, not the new project's start."""
    case = case_of(engine, example, "verso_dimissioni.json")
    events = (CaseEvent(on=D(2025, 11, 10), kind="sil_fase_valutazione_finale"),
              CaseEvent(on=D(2025, 11, 17), kind="sil_fase_accettazione"))
    redesigned = attrs.evolve(case, history=case.history + events,
                              project=Project(id="p2", start=D(2025, 11, 17), end=D(2026, 5, 15)))
    assert path_start(redesigned, D(2025, 12, 1)) == D(2023, 12, 4)
    now = current_phase(redesigned, D(2025, 12, 1))
    assert now is not None and (now.phase, now.cycle) == (Phase.ACCETTAZIONE, 2)
    problems = engine.assess(redesigned, as_of=D(2025, 12, 1)).project_problems
    assert [p.reason.inputs.get("limite") for p in problems if p.reason.rule == "sil.durata_massima"] == ["2025-12-04"]


@st.composite
def paths(draw: st.DrawFn) -> list[CaseEvent]:
    """A legal path of the §3 machine (re-designs included), one event every 1-30 days."""
    phase, day = Phase.SEGNALAZIONE, D(2022, 1, 3)
    out = [CaseEvent(on=day, kind="sil_fase_segnalazione")]
    for _ in range(draw(st.integers(0, 14))):
        nxt = sorted(TRANSITIONS[phase])
        if not nxt:
            break
        phase = draw(st.sampled_from(nxt))
        day += dt.timedelta(days=draw(st.integers(0, 30)))
        out.append(CaseEvent(on=day, kind=f"sil_fase_{phase.value}", note="motivo"))  # a refusal needs one
    return out


@settings(max_examples=60, deadline=None)
@given(paths(), st.integers(0, 16), st.booleans())
def test_the_phase_never_goes_back(engine: Engine, example: Callable[[str], dict[str, Any]], events: list[CaseEvent],
                                   cut: int, with_project: bool) -> None:
    """
    For any legal path, the phase's position (cycle, rank) on a prefix of the history is at
    most the one on the whole history, and it never decreases as the as-of date moves on.
    """
    base = case_of(engine, example, "segnalazione_da_valutare.json")
    project = Project(id="p", start=events[min(cut, len(events) - 1)].on) if with_project else None
    whole = attrs.evolve(base, history=tuple(events), project=project)
    part = attrs.evolve(whole, history=tuple(events[:max(1, cut)]))
    last = events[-1].on + dt.timedelta(days=1)
    a, b = current_phase(part, last), current_phase(whole, last)
    assert a is not None and b is not None and a.key <= b.key
    keys = [p.key for p in (current_phase(whole, e.on) for e in events) if p is not None]
    assert keys == sorted(keys)
    assert all(k[1] in range(1, len(NUMBERED) + 2) for k in keys)
