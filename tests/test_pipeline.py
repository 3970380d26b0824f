"""The explained pipeline on the national layer: profile, routing, equipe, interventions, deadlines."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from strategies import as_of_dates, italia_cases

from inclusione_core import (
    Assessment,
    Case,
    Commitment,
    DeadlineStatus,
    DimensionLevel,
    Engine,
    Grade,
    IntervalUnit,
    MeasureEnrolment,
    MonitoringRhythm,
    Need,
    Objective,
    Project,
    Result,
    ScheduledIntervention,
    Signature,
    get_plugin_manager,
)
from inclusione_core._pipeline.stage6_deadlines import add_days
from inclusione_core.testing import minimal_case

D = dt.date
AS_OF = D(2025, 3, 3)
SRC = "source: {kind: default, note: test}"

_ENGINE: Engine | None = None


def italia() -> Engine:
    """One engine for the whole module: the configuration is compiled once and reused (assess is pure)."""
    global _ENGINE  # noqa: PLW0603 - a module-level cache shared with hypothesis tests
    if _ENGINE is None:
        _ENGINE = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False))
    return _ENGINE


ASSESSED_ON = D(2025, 2, 1)


def assessed(*levels: tuple[str, int], needs: tuple[str, ...] = (), on: dt.date = ASSESSED_ON,
             **kw: Any) -> Assessment:
    """An assessment with the given dimension levels and need codes."""
    return Assessment(date=on, levels=tuple(DimensionLevel(dimension=d, level=lv) for d, lv in levels),
                      needs=tuple(Need(code=n) for n in needs), **kw)


def assess(case: Case, as_of: dt.date = AS_OF, engine: Engine | None = None) -> Result:
    """Assess a case on the italia engine."""
    return (engine or italia()).assess(case, as_of=as_of)


# --------------------------------------------------------------------------- profile and routing


def test_an_unassessed_case_goes_to_the_preliminary_analysis() -> None:
    """Without an assessment the pathway is da_valutare and the social service does the analisi preliminare."""
    result = assess(minimal_case())
    profile = result.profile.profile
    assert (profile.occupability, profile.complexity, profile.activability) == (None, None, None)
    assert profile.pathway == "da_valutare"
    assert (result.routing.service, result.routing.channel) == ("ssp", "analisi_preliminare")
    assert result.routing.reasons[0].rule == "instradamento.analisi_preliminare"
    assert result.equipe.format == "nessuna"
    assert result.interventions == ()


def test_work_only_needs_lead_to_the_work_pact_at_the_cpi() -> None:
    """Needs only in work and training give patto_lavoro and a referral to the CPI, with cited reasons."""
    result = assess(minimal_case(assessment=assessed(("lavoro", 2), ("istruzione", 1), ("reti", 1))))
    profile = result.profile.profile
    assert profile.pathway == "patto_lavoro"
    assert profile.occupability is Grade.MEDIA
    assert profile.complexity is Grade.BASSA  # one dimension with need >= 2
    assert (result.routing.service, result.routing.channel) == ("cpi", "invio")
    reason = result.routing.reasons[0]
    assert reason.rule == "instradamento.patto_lavoro"
    assert reason.source.document == "dlgs_147_2017"  # the registry id; what an operator reads is its text
    assert reason.source.text("it").startswith("D.Lgs. n. 147/2017, art. 5")
    assert reason.source.binding and reason.source.kind == "norma"
    assert reason.defined_in == "italia/territory.yaml"
    assert reason.message_it and reason.message_en


def test_complex_needs_convene_the_multidisciplinary_equipe() -> None:
    """An addiction need makes complexity alta: equipe_quadro_approfondito, multidisciplinary equipe with reasons."""
    result = assess(minimal_case(assessment=assessed(("lavoro", 1), ("funzionamenti", 3), needs=("dipendenze",))))
    profile = result.profile.profile
    assert profile.complexity is Grade.ALTA
    assert profile.pathway == "equipe_quadro_approfondito"
    assert (result.routing.service, result.routing.channel) == ("ssp", "equipe_multidisciplinare")
    assert result.equipe.format == "multidisciplinare"
    assert {m.role for m in result.equipe.members} == {"assistente_sociale", "operatore_cpi"}
    assert {m.service for m in result.equipe.members} == {"ssp", "cpi"}
    assert all(m.reason.rule.startswith("equipe.multidisciplinare.ruolo.") for m in result.equipe.members)
    complexity = next(r for r in result.profile.reasons if r.rule == "profilo.complessita")
    assert complexity.inputs["bisogni_specialistici"] == ["dipendenze"]


def test_social_needs_lead_to_the_inclusion_pact() -> None:
    """Social needs in one dimension without complexity give patto_inclusione with the social service."""
    result = assess(minimal_case(assessment=assessed(("abitare", 2), ("lavoro", 1))))
    assert result.profile.profile.pathway == "patto_inclusione"
    assert (result.routing.service, result.routing.channel) == ("ssp", "presa_in_carico")


def test_activability_follows_age_and_condition() -> None:
    """A working-age unemployed adult is activable; a pensioner alone is not; the assessment's word prevails."""
    from inclusione_core import EmploymentStatus, Household, Member

    adult = minimal_case(assessment=assessed(("lavoro", 2)))
    assert assess(adult).profile.profile.activability.value == "attivabile"  # type: ignore[union-attr]
    pensioner = Household(id="h", members=(Member(id="m1", birth_date=D(1950, 1, 1),
                                                  employment=EmploymentStatus.PENSIONATO),))
    alone = minimal_case(household=pensioner, assessment=assessed(("lavoro", 2)))
    assert assess(alone).profile.profile.activability.value == "non_attivabile"  # type: ignore[union-attr]
    ready = minimal_case(household=pensioner, assessment=assessed(("lavoro", 2), work_ready_members=("m1",)))
    assert assess(ready).profile.profile.activability.value == "attivabile"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- interventions


CATALOGUE = """
interventions:
  bilancio_competenze:
    label: {it: Bilancio di competenze, en: Skills audit}
    category: orientamento
    providers: [cpi]
    suitable_when: {assessed: true}
    priority: 90
    SRC
  formazione_base:
    label: {it: Formazione di base, en: Basic training}
    category: formazione
    providers: [cpi]
    prerequisites: [bilancio_competenze]
    suitable_when: {need: formazione}
    priority: 10
    SRC
  corso_professionale:
    label: {it: Corso professionale, en: Vocational course}
    category: formazione
    providers: [cpi]
    prerequisites: [formazione_base, orientamento_specialistico]
    prerequisites_source: {kind: default, note: test-propedeuticita}
    suitable_when: {need: lavoro}
    priority: 5
    SRC
  orientamento_specialistico:
    label: {it: Orientamento specialistico, en: Specialist guidance}
    category: orientamento
    providers: [cpi]
    suitable_when: {need: giustizia}
    priority: 50
    SRC
""".replace("SRC", SRC)


@pytest.fixture(scope="module")
def catalogue_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """An engine with a layer ``catalogo`` (extends italia) adding interventions with prerequisites."""
    root = tmp_path_factory.mktemp("config")
    (root / "catalogo").mkdir()
    (root / "catalogo" / "territory.yaml").write_text(
        "id: catalogo\nlabel: {it: Catalogo, en: Catalogue}\nlevel: zona\nversion: '1'\nextends: italia\n"
        + CATALOGUE, encoding="utf-8")
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])


def test_prerequisites_come_first_and_are_recommended_with_their_reason(catalogue_engine: Engine) -> None:
    """A suitable intervention brings its prerequisites (transitively), which always come before it."""
    case = minimal_case(territory="catalogo", assessment=assessed(("lavoro", 2), needs=("lavoro",)))
    recs = catalogue_engine.assess(case, as_of=AS_OF).interventions
    codes = [r.code for r in recs]
    # corso_professionale (priority 5) needs formazione_base (10, needs bilancio 90) and orientamento (50)
    assert codes.index("bilancio_competenze") < codes.index("formazione_base") < codes.index("corso_professionale")
    assert codes.index("orientamento_specialistico") < codes.index("corso_professionale")
    by_code = {r.code: r for r in recs}
    assert by_code["corso_professionale"].prerequisites == ("formazione_base", "orientamento_specialistico")
    pulled = by_code["orientamento_specialistico"].reason
    assert pulled.rule == "interventi.corso_professionale.propedeuticita"
    assert pulled.source.is_default and pulled.source.note == "test-propedeuticita"
    assert pulled.inputs == {"propedeutico_a": "corso_professionale"}
    assert by_code["corso_professionale"].reason.rule == "interventi.corso_professionale"
    assert all(r.decided_by is not None and r.decided_by.plugin == "inclusione_core" for r in recs)


def test_unrelated_interventions_are_ordered_by_priority(catalogue_engine: Engine) -> None:
    """Interventions with no prerequisite between them come in priority order."""
    case = minimal_case(territory="catalogo", assessment=assessed(("lavoro", 1), needs=("giustizia",)))
    codes = [r.code for r in catalogue_engine.assess(case, as_of=AS_OF).interventions]
    assert codes == ["orientamento_specialistico", "bilancio_competenze"]


@settings(max_examples=40)
@given(italia_cases(), as_of_dates())
def test_recommendations_always_respect_prerequisites(catalogue_engine: Engine, case: Case, as_of: dt.date) -> None:
    """
    For any case, every prerequisite of a recommendation is recommended too, and earlier, or
    is done or under way (listed as not proposed again).
    """
    case = attrs.evolve(case, territory="catalogo")
    result = catalogue_engine.assess(case, as_of=as_of)
    recs = result.interventions
    position = {r.code: i for i, r in enumerate(recs)}
    held = {r.code for r in result.not_proposed}
    for i, rec in enumerate(recs):
        for pre in rec.prerequisites:
            assert pre in held or (pre in position and position[pre] < i)


# --------------------------------------------------------------------------- projects


def test_a_project_is_checked_against_the_law_and_the_catalogue() -> None:
    """A project without objectives or commitments, with an unknown intervention, lists each problem by path."""
    project = Project(id="p1", start=D(2025, 2, 1), interventions=(
        ScheduledIntervention(code="tirocinio_inclusione", provider="cpi", start=D(2025, 2, 1), end=D(2027, 6, 1)),
        ScheduledIntervention(code="corso_di_yoga", start=D(2025, 2, 1)),
    ))
    result = assess(minimal_case(project=project))
    problems = {p.path: p.reason.rule for p in result.project_problems}
    assert problems == {
        "$.project.objectives": "progetto.obiettivi",
        "$.project.commitments": "progetto.impegni",
        "$.project.interventions[0].end": "interventi.tirocinio_inclusione.durata_massima",
        "$.project.interventions[1].code": "progetto.intervento_sconosciuto",
    }
    assert all(p.decided_by is not None for p in result.project_problems)


# --------------------------------------------------------------------------- deadlines


def test_working_days_skip_weekends() -> None:
    """20 working days from Wednesday 1 March 2023 is Wednesday 29 March; calendar days just add."""
    assert add_days(D(2023, 3, 1), 20, working=True) == D(2023, 3, 29)
    assert add_days(D(2023, 3, 3), 1, working=True) == D(2023, 3, 6)  # Friday -> Monday
    assert add_days(D(2023, 3, 1), 20, working=False) == D(2023, 3, 21)


RDC = MeasureEnrolment(code="rdc", valid_from=D(2020, 1, 1), valid_to=D(2023, 12, 31))


def rdc_case(**kw: Any) -> Case:
    """An RdC household assessed on Wednesday 1 March 2023."""
    return minimal_case(measures=(RDC,), assessment=assessed(("lavoro", 2), on=D(2023, 3, 1)), **kw)


@pytest.mark.parametrize(("as_of", "status"), [
    (D(2023, 3, 10), DeadlineStatus.UPCOMING),
    (D(2023, 3, 15), DeadlineStatus.DUE),      # 14 days before: due soon
    (D(2023, 3, 29), DeadlineStatus.DUE),      # the day itself
    (D(2023, 3, 30), DeadlineStatus.OVERDUE),
])
def test_the_rdc_pact_is_due_within_20_working_days(as_of: dt.date, status: DeadlineStatus) -> None:
    """RdC: the pact is signed within 20 working days of the assessment; the status follows the as-of date."""
    (deadline,) = [d for d in assess(rdc_case(), as_of).deadlines if d.code == "rdc_patto"]
    assert deadline.due == D(2023, 3, 29)
    assert deadline.status is status
    assert deadline.reason.inputs == {"dal": "2023-03-01", "giorni": 20, "scadenza": "2023-03-29",
                                      "calendario": "IT"}  # no public holiday in March 2023
    assert deadline.reason.source.document == "dl_4_2019"
    assert deadline.reason.source.text("it").startswith("D.L. n. 4/2019")


def test_a_signed_project_meets_the_rdc_deadline() -> None:
    """Once the project is signed the RdC deadline is met, even after the due date."""
    project = Project(id="p", start=D(2023, 3, 20), signatures=(
        Signature(party="nucleo", name="M. Rossi", signed_on=D(2023, 3, 20)),))
    (deadline,) = [d for d in assess(rdc_case(project=project), D(2023, 4, 30)).deadlines if d.code == "rdc_patto"]
    assert deadline.status is DeadlineStatus.MET


def test_the_rdc_deadline_does_not_apply_once_rdc_has_ended() -> None:
    """After RdC ended (2023-12-31) its deadline is no longer computed."""
    assert not [d for d in assess(rdc_case(), D(2024, 2, 1)).deadlines if d.code == "rdc_patto"]


def test_adi_first_appointment_within_120_days() -> None:
    """AdI: first appointment within 120 days of the measure's start; met once the case is assessed."""
    adi = MeasureEnrolment(code="adi", valid_from=D(2024, 3, 1))
    (open_,) = [d for d in assess(minimal_case(measures=(adi,)), D(2024, 7, 5)).deadlines
                if d.code == "adi_primo_appuntamento"]
    assert open_.due == D(2024, 6, 29) and open_.status is DeadlineStatus.OVERDUE
    done = minimal_case(measures=(adi,), assessment=assessed(("lavoro", 1), on=D(2024, 4, 1)))
    (met,) = [d for d in assess(done, D(2024, 7, 5)).deadlines if d.code == "adi_primo_appuntamento"]
    assert met.status is DeadlineStatus.MET


def review(case: Case, as_of: dt.date) -> Any:
    """The project review deadline of a case, or None."""
    found = [d for d in assess(case, as_of).deadlines if d.code == "verifica_progetto"]
    return found[0] if found else None


def test_monitoring_reviews_follow_the_projects_rhythm() -> None:
    """A project reviewed every 4 weeks: due 28 days after the start, then after each review held."""
    project = Project(id="p", start=D(2025, 1, 1), monitoring=MonitoringRhythm(every=4, unit=IntervalUnit.WEEKS))
    case = minimal_case(project=project)
    first = review(case, D(2025, 1, 10))
    assert first.due == D(2025, 1, 29) and first.status is DeadlineStatus.UPCOMING  # 19 days ahead
    assert review(case, D(2025, 1, 16)).status is DeadlineStatus.DUE  # within the 14-day warning
    assert review(case, D(2025, 2, 5)).status is DeadlineStatus.OVERDUE
    held = minimal_case(project=attrs.evolve(project, reviews_done=(D(2025, 1, 28),)))
    after = review(held, D(2025, 2, 5))
    assert after.due == D(2025, 2, 25) and after.status is DeadlineStatus.UPCOMING
    assert after.reason.inputs["verifiche_svolte"] == 1


def test_monitoring_falls_back_to_the_territory_rhythm() -> None:
    """Without its own rhythm a project is reviewed every 90 days (italia default, cited as a default)."""
    case = minimal_case(project=Project(id="p", start=D(2025, 1, 1)))
    deadline = review(case, D(2025, 2, 1))
    assert deadline.due == D(2025, 4, 1)
    assert deadline.reason.source.kind == "default"


def test_no_review_after_the_project_ended() -> None:
    """A project that ended before the as-of date has no next review."""
    case = minimal_case(project=Project(id="p", start=D(2024, 1, 1), end=D(2024, 12, 31)))
    assert review(case, D(2025, 2, 1)) is None


# --------------------------------------------------------------------------- determinism and totality


def full_case() -> Case:
    """A case using most of the format: assessment, measures, project with objectives and reviews."""
    return minimal_case(
        measures=(MeasureEnrolment(code="adi", valid_from=D(2024, 6, 1)),),
        assessment=assessed(("lavoro", 2), ("abitare", 3), needs=("abitativo", "lavoro")),
        project=Project(id="p", start=D(2025, 1, 10), objectives=(Objective(text="lavoro stabile"),),
                        commitments=(Commitment(text="colloqui"),),
                        interventions=(ScheduledIntervention(code="puc", provider="ssp", start=D(2025, 2, 1)),),
                        reviews_done=(D(2025, 2, 10),)),
    )


def test_the_same_inputs_give_equal_results() -> None:
    """Assessing the same case on the same date twice, or on two engines, gives equal results and JSON."""
    case = full_case()
    first, again = assess(case), assess(case)
    other = assess(case, engine=Engine(plugin_manager=get_plugin_manager(load_entrypoints=False)))
    assert first == again == other
    assert json.dumps(italia().to_json(first), sort_keys=True) == json.dumps(italia().to_json(other), sort_keys=True)


def test_the_as_of_date_changes_the_result() -> None:
    """The as-of date selects the measures in force: RdC in 2022, AdI in 2025."""
    case = full_case()
    in_force = lambda day: {m.measure for m in assess(case, day).measures if m.in_force}  # noqa: E731
    assert "rdc" in in_force(D(2022, 6, 1)) and "adi" not in in_force(D(2022, 6, 1))
    assert "adi" in in_force(D(2025, 6, 1)) and "rdc" not in in_force(D(2025, 6, 1))


def assert_explained(result: Result) -> None:
    """Every decision in a result carries at least one reason with both languages and a source."""
    reasons = [*result.profile.reasons, *result.routing.reasons, *result.equipe.reasons,
               *(m.reason for m in result.equipe.members), *(r.reason for r in result.interventions),
               *(d.reason for d in result.deadlines), *(p.reason for p in result.project_problems)]
    for e in result.measures:
        assert e.reasons, e.measure
        reasons += e.reasons
    assert result.profile.reasons and result.routing.reasons and result.equipe.reasons
    for r in reasons:
        assert r.rule and r.message_it and r.message_en
        assert r.source.document or (r.source.is_default and r.source.note), r.rule
        assert r.source.text_it and r.source.text_en


@settings(max_examples=60)
@given(italia_cases(), as_of_dates())
def test_assess_is_total_explained_and_deterministic(case: Case, as_of: dt.date) -> None:
    """For any structurally valid case in italia, assess returns, explains every decision and repeats itself."""
    result = assess(case, as_of)
    assert_explained(result)
    assert result.provenance.territory == "italia" and result.provenance.as_of == as_of
    assert assess(case, as_of) == result
    json.dumps(italia().to_json(result))


def test_a_case_inconsistent_with_its_territory_is_refused_with_every_error() -> None:
    """
    A typo in a need code, a missing member, a duplicate id and a period ending early are all reported by path;
    fields whose data category comes from the configuration by code (needs, dimensions, services) carry no value.
    """
    from inclusione_core import Engine, InvalidCaseError, get_plugin_manager

    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False))
    case = engine.load_case({
        "id": "c1", "territory": "italia", "opened_on": "2025-01-10",
        "household": {"id": "h1", "members": [{"id": "m1"}, {"id": "m1"}]},
        "assessment": {"date": "2025-01-12", "needs": [{"code": "dipendenza", "member": "m9"}],
                       "levels": [{"dimension": "lavor", "level": 2}]},
        "access": {"date": "2025-01-10", "point": "sert", "channel": "diretto"},
        "measures": [{"code": "adi", "valid_from": "2025-02-01", "valid_to": "2025-01-01"}],
    })
    with pytest.raises(InvalidCaseError) as info:
        engine.assess(case, as_of=dt.date(2025, 3, 1))
    found = {(d.path, d.value) for d in info.value.details}
    assert found == {
        ("$.household.members[1].id", "m1"),
        ("$.assessment.needs[0].code", None),
        ("$.assessment.needs[0].member", None),
        ("$.assessment.levels[0].dimension", None),
        ("$.access.point", None),
        ("$.measures[0].valid_to", "2025-01-01"),
    }


def test_the_generated_italia_codes_are_the_configuration_s() -> None:
    """The codes the strategies draw for italia cases are exactly those the italia layer defines."""
    from strategies import ITALIA

    from inclusione_core import Engine, get_plugin_manager

    italia = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False)).territory("italia")
    assert {k: set(v) for k, v in ITALIA.items()} == {k: set(italia.section(k)) for k in ITALIA}
