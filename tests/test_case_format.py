"""
Version 2 of the case exchange format (issue 14, item 6): a member's work history, skills,
qualifications, languages, driving licences, graded care load and services in charge, each
with its data category; version 1 cases still load.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import from_model

from inclusione_core import (
    CASE_FORMAT_VERSION,
    CareGrade,
    CareLoad,
    Case,
    Engine,
    InvalidCaseError,
    Member,
    WorkExperience,
    make_converter,
)
from inclusione_core._convert import structure_case
from inclusione_core._predicates import Facts, evaluate
from inclusione_core._schema import load_schema, validate_instance
from inclusione_core.testing import FixedClock

ROOT = Path(__file__).resolve().parents[1]
CONVERTER = make_converter()
NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC)

WORKER: dict[str, Any] = {
    "id": "m1", "birth_date": "1986-07-14", "employment": "disoccupato",
    "unemployed_since": "2021-03-31",
    "work_history": [
        {"occupation": "magazziniere", "sector": "logistica", "start": "2019-10-01", "end": "2021-03-31",
         "contract": "somministrazione"},
        {"occupation": "aiuto cuoco", "start": "2015-06-01", "end": "2015-09-30"},
    ],
    "qualifications": [{"title": "attestato HACCP", "obtained_on": "2015-05-20"},
                       {"title": "diploma di scuola secondaria", "abroad": True}],
    "skills": ["uso del PC", "guida di carrelli elevatori"],
    "languages": [{"code": "ar", "level": "madrelingua"}, {"code": "it", "level": "B1"}],
    "driving_licences": ["B", "C"],
    "care_load": {"children_under_3": ["m3"], "dependants": ["m2"]},
    "services": ["ssp", "serd"],
}


def case_json(*members: dict[str, Any], territory: str = "prato", **extra: Any) -> dict[str, Any]:
    """A case of ``territory`` with these members (m2 and m3 added when missing)."""
    ids = {m["id"] for m in members}
    rest = [m for m in ({"id": "m2", "birth_date": "1950-01-02"}, {"id": "m3", "birth_date": "2024-02-01"})
            if m["id"] not in ids]
    return {"id": "c-f2", "territory": territory, "opened_on": "2025-03-03",
            "household": {"id": "h-f2", "members": [*members, *rest]}, **extra}


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The installed engine (Prato's services: ssp, serd, cpi...), at a fixed moment."""
    return Engine(clock=FixedClock(NOW))


# --------------------------------------------------------------------------- the format


def test_the_format_declares_its_version() -> None:
    """The case schema and every case carry the version; absent means the current one."""
    assert CASE_FORMAT_VERSION == 2
    schema = load_schema("case")
    assert schema["x-format-version"] == CASE_FORMAT_VERSION
    assert schema["properties"]["format_version"]["maximum"] == CASE_FORMAT_VERSION
    case = CONVERTER.structure(case_json(dict(WORKER)), Case)
    assert case.format_version == 2
    assert CONVERTER.unstructure(case)["format_version"] == 2


def test_a_format_2_member_round_trips_with_every_new_field() -> None:
    """Every field of version 2 structures, unstructures to the same JSON and is valid against the schema."""
    data = case_json(dict(WORKER), format_version=2)
    case = CONVERTER.structure(data, Case)
    member = case.household.members[0]
    assert member.work_history[0] == WorkExperience(occupation="magazziniere", sector="logistica",
                                                    start=dt.date(2019, 10, 1), end=dt.date(2021, 3, 31),
                                                    contract="somministrazione")  # type: ignore[arg-type]
    assert member.care_load == CareLoad(children_under_3=("m3",), dependants=("m2",))
    again = CONVERTER.unstructure(case)
    assert validate_instance("case", again) == []
    assert CONVERTER.structure(json.loads(json.dumps(again)), Case) == case
    for key, value in WORKER.items():
        shown = again["household"]["members"][0][key]
        if isinstance(value, list) and value and isinstance(value[0], dict):
            assert [{k: v for k, v in x.items() if k in y} for x, y in zip(shown, value, strict=True)] == value
        elif key == "care_load":
            assert shown == {"children_under_3": ["m3"], "minors": [], "dependants": ["m2"], "other": False}
        else:
            assert shown == value, key


@settings(max_examples=60)
@given(from_model(Member))
def test_any_member_round_trips(member: Member) -> None:
    """Any member the model allows (every version 2 field generated) survives JSON and the schema."""
    data = json.loads(json.dumps(CONVERTER.unstructure(member)))
    assert CONVERTER.structure(data, Member) == member
    case = {"id": "c", "territory": "italia", "opened_on": "2025-01-01", "household": {"id": "h", "members": [data]}}
    assert validate_instance("case", case) == []


@pytest.mark.parametrize(("old", "new"), [(True, CareLoad(other=True)), (False, None), (None, None)])
def test_a_format_1_care_load_still_loads(old: bool | None, new: CareLoad | None) -> None:
    """Version 1's boolean care_load loads: true as a care load without detail, false as none."""
    data = case_json({"id": "m1", "care_load": old, "in_socio_sanitary_care": True}, format_version=1)
    assert validate_instance("case", data) == []  # the schema still accepts it, as deprecated
    member = CONVERTER.structure(data, Case).household.members[0]
    assert member.care_load == new
    assert member.has_care_load() is bool(old)
    assert member.in_socio_sanitary_care is True  # kept: the AdI condition, not a service
    written = CONVERTER.unstructure(member)
    assert written["care_load"] == (None if new is None else {"children_under_3": [], "minors": [],
                                                              "dependants": [], "other": True})


def test_the_version_1_examples_load_and_assess(engine: Engine) -> None:
    """A shipped example still written in version 1 (no version, a boolean care load) loads and is assessed."""
    path = ROOT / "territories" / "prato" / "examples" / "pua_non_valutato.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "format_version" not in data and data["household"]["members"][0]["care_load"] is True
    case = engine.load_case(data, source=str(path))
    assert case.household.members[0].care_load == CareLoad(other=True)
    assert engine.assess(case, as_of=dt.date(2025, 3, 10)).profile.profile.pathway


def test_a_newer_format_is_refused_by_path() -> None:
    """A case written for a later version than this library reads is refused, naming the field."""
    with pytest.raises(InvalidCaseError) as info:
        structure_case(CONVERTER, case_json({"id": "m1"}, format_version=3))
    assert [(d.path, d.rule) for d in info.value.details] == [("$.format_version", "maximum")]


@pytest.mark.parametrize(("load", "path", "rule"), [
    ({"children_under_3": "m3"}, "$.household.members[0].care_load.children_under_3", "type"),
    ({"dependants": ["not an id"]}, "$.household.members[0].care_load.dependants[0]", "pattern"),
    ({"others": True}, "$.household.members[0].care_load.others", "additionalProperties"),
    (3, "$.household.members[0].care_load", "type"),
])
def test_a_malformed_care_load_is_explained_by_path(load: Any, path: str, rule: str) -> None:
    """The deprecated boolean branch does not hide what is wrong inside a care load object."""
    with pytest.raises(InvalidCaseError) as info:
        structure_case(CONVERTER, case_json({"id": "m1", "care_load": load}))
    assert [(d.path, d.rule) for d in info.value.details] == [(path, rule)]


# --------------------------------------------------------------------------- helpers


def test_care_grades_follow_whom_the_member_looks_after() -> None:
    """The grades of the AdI: a child under 3, three or more minors, a dependant; or another load."""
    assert CareLoad().grades() == () and not CareLoad()
    assert CareLoad(minors=("a", "b")).grades() == ()  # two minors of 3 or more: no grade by itself
    assert CareLoad(children_under_3=("a",), minors=("b", "c")).grades() == (
        CareGrade.FIGLI_SOTTO_3_ANNI, CareGrade.TRE_O_PIU_MINORI)
    assert CareLoad(children_under_3=("a",), minors=("a", "b")).grades() == (CareGrade.FIGLI_SOTTO_3_ANNI,)
    assert CareLoad(dependants=("d",), other=True).grades() == (CareGrade.COMPONENTE_NON_AUTOSUFFICIENTE,
                                                               CareGrade.ALTRO)


@settings(max_examples=200)
@given(since=st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)), on=st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))
def test_months_unemployed_are_whole_months(since: dt.date, on: dt.date) -> None:
    """Whole months from unemployed_since: a month is complete on the same day of the month (or not yet)."""
    months = Member(id="m1", unemployed_since=since).months_unemployed(on)
    if since > on:
        assert months is None
        return
    assert months is not None and months >= 0
    # the months counted have passed, one more has not
    assert _add_months(since, months) <= on
    assert _add_months(since, months + 1) > on
    assert Member(id="m1").months_unemployed(on) is None


def _add_months(day: dt.date, months: int) -> dt.date:
    """``months`` after ``day``; when that month is too short for the day, the first of the month after."""
    y, m = divmod(day.month - 1 + months, 12)
    try:
        return dt.date(day.year + y, m + 1, day.day)
    except ValueError:
        y2, m2 = divmod(m + 1, 12)
        return dt.date(day.year + y + y2, m2 + 1, 1)


def test_the_last_job_is_the_latest() -> None:
    """The job that lasts comes first, then the latest end (else start); None without a history."""
    a = WorkExperience(occupation="a", start=dt.date(2010, 1, 1), end=dt.date(2012, 1, 1))
    b = WorkExperience(occupation="b", start=dt.date(2013, 1, 1))
    c = WorkExperience(occupation="c", end=dt.date(2020, 1, 1))
    assert Member(id="m").last_job() is None
    assert Member(id="m", work_history=(a, c)).last_job() == c
    assert Member(id="m", work_history=(a, b, c)).last_job() == b


# --------------------------------------------------------------------------- checks


def test_the_engine_checks_services_whom_and_dates_by_path(engine: Engine) -> None:
    """Unknown or repeated services, whom a member looks after, and dates out of order are errors with paths."""
    worker = dict(WORKER, birth_date="1990-01-01", unemployed_since="1989-12-31",
                  services=["ssp", "sert", "ssp"],
                  care_load={"minors": ["m9", "m1"], "dependants": ["m2"]},
                  work_history=[{"occupation": "x", "start": "2020-02-01", "end": "2020-01-31"},
                                {"occupation": "y", "start": "1985-01-01"}],
                  qualifications=[{"title": "z", "obtained_on": "1989-01-01"}])
    case = engine.load_case(case_json(worker))
    with pytest.raises(InvalidCaseError) as info:
        engine.check(case)
    found = {(d.path, d.rule, d.value) for d in info.value.details}
    m = "$.household.members[0]"
    assert found == {
        (f"{m}.services[1]", "ref:services", None),  # a service id may be special: no value shown
        (f"{m}.services[2]", "unique", None),
        (f"{m}.care_load.minors[0]", "ref:household.members", "m9"),
        (f"{m}.care_load.minors[1]", "care_load", "m1"),
        (f"{m}.unemployed_since", "date_order", "1989-12-31"),
        (f"{m}.work_history[0].end", "date_order", "2020-01-31"),
        (f"{m}.work_history[1].start", "date_order", "1985-01-01"),
        (f"{m}.qualifications[0].obtained_on", "date_order", "1989-01-01"),
    }
    engine.check(engine.load_case(case_json(dict(WORKER))))  # the consistent member passes


# --------------------------------------------------------------------------- privacy


def consent(member: str, *categories: str, cid: str = "k1") -> dict[str, Any]:
    """A consent of ``member`` for the CPI and the referral."""
    return {"id": cid, "member": member, "categories": list(categories), "recipients": ["cpi"],
            "purposes": ["referral"], "given_on": "2025-01-01"}


def test_a_member_s_serd_is_withheld_from_the_cpi_without_consent(engine: Engine) -> None:
    """
    The SerD in a member's services is addiction data about that member: the CPI does not
    see it (the item is left out, its path withheld for the controller) unless that member
    consents; the other services and the work record go by law.
    """
    case = engine.load_case(case_json(dict(WORKER)))
    view = engine.disclose_case(case, recipient="cpi", purpose="referral", as_of=dt.date(2025, 3, 3))
    shown = view.data["household"]["members"][0]
    assert shown["services"] == ["ssp"]
    assert ("$.household.members[0].services[1]", "addiction") in {(w.path, w.category) for w in view.withheld}
    assert shown["work_history"][0]["occupation"] == "magazziniere" and shown["driving_licences"] == ["B", "C"]
    assert shown["languages"][1] == {"code": "it", "level": "B1"}
    assert shown["care_load"]["children_under_3"] == ["m3"] and shown["care_load"]["dependants"] is None
    consented = engine.load_case(case_json(dict(WORKER), consents=[consent("m1", "addiction")]))
    view = engine.disclose_case(consented, recipient="cpi", purpose="referral", as_of=dt.date(2025, 3, 3))
    assert view.data["household"]["members"][0]["services"] == ["ssp", "serd"]
    other = engine.load_case(case_json(dict(WORKER), consents=[consent("m2", "addiction")]))
    view = engine.disclose_case(other, recipient="cpi", purpose="referral", as_of=dt.date(2025, 3, 3))
    assert view.data["household"]["members"][0]["services"] == ["ssp"]  # another member's consent does not count


def test_whom_a_member_looks_after_for_disability_is_the_household_s(engine: Engine) -> None:
    """
    ``dependants`` says that another member is disabled or non-self-sufficient: the carer's
    consent alone does not open it, every adult member's does.
    """
    carer_only = engine.load_case(case_json(dict(WORKER), consents=[consent("m1", "health")]))
    view = engine.disclose_case(carer_only, recipient="cpi", purpose="referral", as_of=dt.date(2025, 3, 3))
    assert view.data["household"]["members"][0]["care_load"]["dependants"] is None
    assert view.data["household"]["members"][0]["in_socio_sanitary_care"] is False  # m1's own health datum
    adults = [consent("m1", "health"), consent("m2", "health", cid="k2")]
    everyone = engine.load_case(case_json(dict(WORKER), consents=adults))
    view = engine.disclose_case(everyone, recipient="cpi", purpose="referral", as_of=dt.date(2025, 3, 3))
    assert view.data["household"]["members"][0]["care_load"]["dependants"] == ["m2"]


def test_the_care_load_predicate_reads_household_and_health(engine: Engine) -> None:
    """A rule on the care load may read whom a member looks after for disability: it reads health too."""
    terr = engine.territory("prato")
    for load, expected in ((None, False), ({"dependants": ["m2"]}, True), ({"minors": ["m3"]}, False), (True, True)):
        case = engine.load_case(case_json({"id": "m1", "care_load": load}))
        facts = Facts(case=case, territory=terr, as_of=dt.date(2025, 3, 3))
        truth, inputs = evaluate({"member": {"care_load": True}}, facts)
        assert truth is expected
        assert {"identity", "household", "health"} <= set(inputs.categories)
