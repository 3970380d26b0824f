"""National measures: three-valued requirements, incompatibilities, requirements not coded, exemption."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusione_core import EligibilityOutcome, Engine, Household, Member, get_plugin_manager
from inclusione_core._models import Assessment, DimensionLevel, MeasureEnrolment, Need
from inclusione_core._predicates import Facts, evaluate, evaluate3
from inclusione_core.testing import minimal_case

ON = dt.date(2024, 6, 1)


@pytest.fixture(scope="module")
def engine() -> Engine:
    """One engine with the installed territories, shared by the module (hypothesis runs many examples)."""
    return Engine(plugin_manager=get_plugin_manager())


def case_of(isee: float | None, *births: dt.date | None, enrolled: tuple[str, ...] = ()) -> Any:
    members = tuple(Member(id=f"m{i + 1}", relation="richiedente" if i == 0 else "altro", birth_date=b)
                    for i, b in enumerate(births))
    case = minimal_case(household=Household(id="h", isee=isee, members=members))
    if enrolled:
        case = attrs.evolve(case, measures=tuple(MeasureEnrolment(code=c, valid_from=dt.date(2024, 1, 1))
                                                 for c in enrolled))
    return case


def measures(engine: Engine, case: Any, on: dt.date = ON) -> dict[str, Any]:
    return {m.measure: m for m in engine.assess(case, as_of=on).measures}


def test_adi_prevails_over_sfl(engine: Engine) -> None:
    """A household meeting both the AdI's and the SFL's requirements gets the AdI: the SFL is incompatible."""
    got = measures(engine, case_of(5000, dt.date(1990, 1, 1), dt.date(2015, 1, 1)))
    assert (got["adi"].eligible, got["adi"].outcome) == (True, EligibilityOutcome.REQUISITI_SODDISFATTI)
    assert (got["sfl"].eligible, got["sfl"].outcome) == (False, EligibilityOutcome.INCOMPATIBILE)
    (why,) = [r for r in got["sfl"].reasons if r.rule == "misura.sfl.incompatibilita.adi"]
    assert "prevale" in why.message_it and why.source.document == "dl_48_2023"
    assert [r.rule for r in got["adi"].reasons][-1] == "misura.sfl.incompatibilita.adi"


def test_sfl_stands_when_the_household_has_no_adi(engine: Engine) -> None:
    """Two adults without minors, ISEE 5,000: no AdI, so the SFL applies, and the reason says there is no conflict."""
    got = measures(engine, case_of(5000, dt.date(1990, 1, 1), dt.date(1988, 1, 1)))
    assert got["adi"].eligible is False
    assert (got["sfl"].eligible, got["sfl"].outcome) == (True, EligibilityOutcome.REQUISITI_SODDISFATTI)


def test_sfl_is_incompatible_with_an_adi_the_household_receives(engine: Engine) -> None:
    """Enrolled in the AdI, the household cannot have the SFL even if the AdI's requirements are not met now."""
    got = measures(engine, case_of(5000, dt.date(1990, 1, 1), dt.date(1988, 1, 1), enrolled=("adi",)))
    assert got["sfl"].outcome is EligibilityOutcome.INCOMPATIBILE
    one = engine.eligibility("sfl", case_of(5000, dt.date(1990, 1, 1), enrolled=("adi",)), as_of=ON)
    assert one.outcome is EligibilityOutcome.INCOMPATIBILE  # the single-measure API applies it too


def test_missing_isee_is_not_assessable_and_named(engine: Engine) -> None:
    """No ISEE: AdI and SFL are non valutabile, naming the ISEE in Italian, not "requisiti non soddisfatti"."""
    got = measures(engine, case_of(None, dt.date(1990, 1, 1), dt.date(2015, 1, 1)))
    for code in ("adi", "sfl"):
        assert (got[code].eligible, got[code].outcome) == (None, EligibilityOutcome.NON_VALUTABILE)
        (req,) = [r for r in got[code].reasons if r.rule == f"misura.{code}.requisiti"]
        assert req.inputs["dati_mancanti"] == ["isee"]
        assert "ISEE del nucleo" in req.message_it


def test_a_decided_requirement_names_nothing_missing(engine: Engine) -> None:
    """An ISEE over every threshold decides "non soddisfatti" whatever the unknown birth date."""
    got = measures(engine, case_of(50000, dt.date(1990, 1, 1), None))
    assert got["adi"].outcome is EligibilityOutcome.REQUISITI_NON_SODDISFATTI
    (req,) = [r for r in got["adi"].reasons if r.rule == "misura.adi.requisiti"]
    assert req.inputs["dati_mancanti"] == []


def test_rdc_threshold_not_configured(engine: Engine) -> None:
    """In 2021 the RdC's ISEE requirement is coded but its threshold is not configured: non valutabile, naming it."""
    got = measures(engine, case_of(5000, dt.date(1990, 1, 1)), dt.date(2021, 5, 3))
    rdc = got["rdc"]
    assert (rdc.in_force, rdc.eligible, rdc.outcome) == (True, None, EligibilityOutcome.NON_VALUTABILE)
    (req,) = [r for r in rdc.reasons if r.rule == "misura.rdc.requisiti"]
    assert req.inputs["dati_mancanti"] == ["parametro:isee_max"]
    assert req.source.document == "dl_4_2019" and "non configurata" in req.message_it


@pytest.mark.parametrize(("code", "on"), [("sia", dt.date(2017, 3, 1)), ("rei", dt.date(2018, 6, 1))])
def test_requirements_not_coded_are_said(engine: Engine, code: str, on: dt.date) -> None:
    """SIA and ReI say that their requirements are not coded, instead of a blank."""
    m = measures(engine, case_of(5000, dt.date(1990, 1, 1)), on)[code]
    assert m.outcome is EligibilityOutcome.REQUISITI_NON_CODIFICATI
    assert any("non codificati" in r.message_it for r in m.reasons)


def test_incompatibility_reasons_do_not_vary_with_the_data(engine: Engine) -> None:
    """The incompatibility reasons are there, with the same categories, whether or not there is a conflict."""
    a = measures(engine, case_of(5000, dt.date(1990, 1, 1), dt.date(2015, 1, 1)))
    b = measures(engine, case_of(5000, dt.date(1990, 1, 1), dt.date(1988, 1, 1)))
    for code in ("adi", "sfl"):
        assert [(r.rule, r.categories) for r in a[code].reasons] == [(r.rule, r.categories) for r in b[code].reasons]


# --------------------------------------------------------------------------- three-valued evaluation

ADI = {"all": [{"any": [{"member": {"age_below": 18}}, {"member": {"age_at_least": 60}}]},
               {"isee_at_most": 9360}]}
PREDICATES = [ADI, {"member": {"age_at_least": 18, "age_below": 60}}, {"not": ADI},
              {"any": [{"isee_at_most": 6000}, {"member": {"age_below": 18}}]}]
births = st.one_of(st.none(), st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2023, 12, 31)))
households = st.tuples(st.one_of(st.none(), st.integers(0, 20000).map(float)), st.lists(births, min_size=1,
                                                                                         max_size=4))


def facts(isee: float | None, dates: list[dt.date | None], engine: Engine) -> Facts:
    return Facts(case=case_of(isee, *dates), territory=engine.territory("italia"), as_of=ON)


@given(households, st.sampled_from(PREDICATES), st.data())
def test_filling_a_missing_datum_never_undoes_a_decision(engine: Engine, hh: Any, predicate: Any,
                                                         data: st.DataObject) -> None:
    """Adding a missing datum never turns a decided outcome into another or into "non valutabile"."""
    isee, dates = hh
    before, _, missing = evaluate3(predicate, facts(isee, dates, engine))
    assert (before is None) == bool(missing)
    filled_isee = data.draw(st.integers(0, 20000).map(float)) if isee is None else isee
    filled = [data.draw(births.filter(lambda d: d is not None)) if d is None else d for d in dates]
    after, _, _ = evaluate3(predicate, facts(filled_isee, filled, engine))
    assert after is not None  # every datum known: decided
    if before is not None:
        assert after is before


@given(households, st.sampled_from(PREDICATES))
def test_three_values_agree_with_two_when_decided(engine: Engine, hh: Any, predicate: Any) -> None:
    """Where the three-valued answer is decided, it is the two-valued one; elsewhere the old semantics hold."""
    f = facts(*hh, engine)
    three, _, _ = evaluate3(predicate, f)
    two, _ = evaluate(predicate, f)
    if three is not None:
        assert three is two


@given(households)
def test_missing_data_named_are_missing(engine: Engine, hh: Any) -> None:
    """Every datum named missing is indeed absent from the case."""
    isee, dates = hh
    _, _, missing = evaluate3(ADI, facts(isee, dates, engine))
    for u in missing:
        if u.code == "isee":
            assert isee is None
        else:
            assert dates[int(u.code.removeprefix("data_di_nascita:m")) - 1] is None


# --------------------------------------------------------------------------- exemption

def csm_case(asks: bool) -> Any:
    member = Member(id="m1", birth_date=dt.date(1986, 4, 11), employment="disoccupato", in_socio_sanitary_care=True,
                    services=("ssp", "csm"), asks_activation=asks)
    case = attrs.evolve(minimal_case(household=Household(id="h", isee=6200.0, members=(member,))), territory="prato")
    return attrs.evolve(case, assessment=Assessment(
        date=dt.date(2024, 9, 16), levels=(DimensionLevel(dimension="lavoro", level=2),
                                           DimensionLevel(dimension="funzionamenti", level=2)),
        needs=(Need(code="salute_mentale"),)))


def test_exempt_member_who_asks_is_activable(engine: Engine) -> None:
    """A CSM user exempt from the activation duties who asks to work gets the tirocinio di inclusione, with the why."""
    result = engine.assess(csm_case(True), as_of=dt.date(2024, 10, 1))
    assert result.profile.profile.activability.value == "parzialmente_attivabile"
    (act,) = [r for r in result.profile.reasons if r.rule == "profilo.attivabilita"]
    assert act.inputs["adesione_volontaria"] == ["m1"] and "adesione volontaria" in act.message_it
    assert "tirocinio_inclusione" in [r.code for r in result.interventions]


def test_exempt_member_without_asking_is_named_exempt(engine: Engine) -> None:
    """Without asking, the exempt member is not obliged: non attivabile, the reason naming the exemption."""
    result = engine.assess(csm_case(False), as_of=dt.date(2024, 10, 1))
    assert result.profile.profile.activability.value == "non_attivabile"
    (act,) = [r for r in result.profile.reasons if r.rule == "profilo.attivabilita"]
    assert act.inputs["componenti_esonerati"] == {"m1": ["programma_di_cura"]}
    assert "esonerat" in act.message_it
    same = [r for r in engine.assess(csm_case(True), as_of=dt.date(2024, 10, 1)).profile.reasons
            if r.rule == "profilo.attivabilita"]
    assert same[0].categories == act.categories  # asking or not, the rule reads the same categories
