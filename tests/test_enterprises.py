"""
Enterprises in the core (issue 16, item 5): the ``enterprises:`` section, the matching of
work-ready members to open positions (inclusive enterprises first), the host enterprise of a
scheduled intervention, and what an enterprise may see.

The territory is a test fixture (``tests/fixtures/imprese/bologna_esempio``): invented
enterprises on the model of the Bologna protocol "Insieme per il lavoro" (CTSSM, 30 January
2019), extending ``italia``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import (
    Case,
    ConfigurationError,
    Engine,
    InputError,
    Placement,
    Purpose,
    View,
    match_positions,
)
from inclusione_core._privacy import Recipient
from inclusione_core._render import result_text, view_text
from inclusione_core.testing import FixedClock, quote_problems

FIXTURES = Path(__file__).parent / "fixtures" / "imprese"
TERRITORY = "bologna_esempio"
NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC)
AS_OF = dt.date(2024, 6, 1)
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SPECIAL = {"health", "addiction", "mental_health", "justice", "records"}

Writer = Callable[[str, str], Path]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(config_dirs=[FIXTURES], clock=FixedClock(NOW))


def case_data(member: dict[str, Any] | None = None, *, needs: list[dict[str, Any]] | None = None,
              project: dict[str, Any] | None = None, work_ready: bool = True, **extra: Any) -> dict[str, Any]:
    """A person who lost their job as a waiter, judged ready for a work path."""
    m1 = {"id": "m1", "birth_date": "1980-05-05", "employment": "disoccupato", "education": "diploma",
          "unemployed_since": "2023-11-30", "driving_licences": ["B"],
          "work_history": [{"occupation": "cameriere di sala", "sector": "Ristorante", "end": "2023-11-30"}],
          "skills": ["uso della cassa"]}
    m1.update(member or {})
    data: dict[str, Any] = {
        "id": "IMP-1", "territory": TERRITORY, "opened_on": "2024-03-01",
        "household": {"id": "H-IMP-1", "members": [m1]},
        "access": {"date": "2024-03-01", "point": "ssp"},
        "assessment": {"date": "2024-03-10", "levels": [{"dimension": "lavoro", "level": 2}],
                       "needs": needs or [], "work_ready_members": ["m1"] if work_ready else []},
    }
    if project is not None:
        data["project"] = project
    data.update(extra)
    return data


def load(engine: Engine, data: dict[str, Any]) -> Case:
    return engine.load_case(data)


def placements(engine: Engine, data: dict[str, Any], as_of: dt.date = AS_OF, **kw: Any) -> tuple[Placement, ...]:
    return match_positions(load(engine, data), engine.territory(TERRITORY), as_of, **kw)


def keys(found: tuple[Placement, ...]) -> list[tuple[str, str]]:
    return [(p.enterprise, p.position) for p in found]


# --------------------------------------------------------------------------- configuration


def test_the_example_set_loads_merged_onto_italia(engine: Engine) -> None:
    """Registries, channels, sectors and enterprises are keyed sections of the effective configuration."""
    terr = engine.territory(TERRITORY)
    assert set(terr.section("enterprises", "registries")) == {"albo_imprese_inclusive", "board_insieme_per_il_lavoro"}
    assert set(terr.section("enterprises", "channels")) == {"servizi_sociali_sanitari", "insieme_per_il_lavoro"}
    assert terr.section("enterprises", "registries")["albo_imprese_inclusive"]["mark"]["it"] == "Azienda Inclusiva"
    assert not engine.territory("italia").section("enterprises", "entries")  # italia ships no enterprise


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the source texts are not beside the repository")
def test_the_fixture_quotes_the_ctssm_document_verbatim(engine: Engine) -> None:
    assert quote_problems(engine.territory(TERRITORY), SEEDS, expect=["ctssm_bologna_2019"]) == []


def _child(write_layer: Writer, body: str) -> Engine:
    root = write_layer("figlio", "id: figlio\nlabel: {it: F, en: F}\nlevel: distretto\nextends: bologna_esempio\n"
                                 "version: '1'\n" + body)
    shutil.copytree(FIXTURES / TERRITORY, root / TERRITORY)
    return Engine(config_dirs=[root])


SRC = "source: {kind: default, note: prova}"


def test_unknown_references_are_typed_errors_with_their_paths(write_layer: Writer) -> None:
    """An unknown sector, registry, channel or kind of service is an error at its path, with its rule."""
    engine = _child(write_layer, (
        "enterprises:\n"
        "  channels:\n"
        f"    sil:\n      label: {{it: SIL, en: SIL}}\n      services: [sil_inesistente]\n      {SRC}\n"
        "  entries:\n"
        "    nuova:\n"
        "      label: Nuova\n"
        "      sectors: [ristorazzione]\n"
        f"      registries:\n        albo_inesistente: {{valid_from: '2024-01-01', {SRC}}}\n"
        "      positions:\n"
        f"        p1: {{kind: tirocinio, label: {{it: P, en: P}}, sectors: [edilizia], open_to: [insieme], {SRC}}}\n"
        f"      {SRC}\n"))
    with pytest.raises(ConfigurationError) as info:
        engine.territory("figlio")
    found = {(d.path, d.rule, d.value) for d in info.value.details}
    assert ("$.enterprises.channels.sil.services", "ref:services.kind", "sil_inesistente") in found
    assert ("$.enterprises.entries.nuova.sectors", "ref:enterprises.sectors", "ristorazzione") in found
    assert ("$.enterprises.entries.nuova.registries", "ref:enterprises.registries", "albo_inesistente") in found
    assert ("$.enterprises.entries.nuova.positions.p1.sectors", "ref:enterprises.sectors", "edilizia") in found
    assert ("$.enterprises.entries.nuova.positions.p1.open_to", "ref:enterprises.channels", "insieme") in found
    sector = next(d for d in info.value.details if d.value == "ristorazzione")
    assert "forse 'ristorazione'" in sector.message  # the closest known id


def test_the_schema_refuses_a_position_without_channels_or_of_an_unknown_kind(write_layer: Writer) -> None:
    engine = _child(write_layer, (
        "enterprises:\n  entries:\n    nuova:\n      label: Nuova\n      positions:\n"
        f"        p1: {{kind: stage, label: {{it: P, en: P}}, {SRC}}}\n      {SRC}\n"))
    with pytest.raises(ConfigurationError) as info:
        engine.territory("figlio")
    rules = {(d.path, d.rule) for d in info.value.details}
    assert ("$.enterprises.entries.nuova.positions.p1.kind", "enum") in rules
    assert any(r == "required" and p.startswith("$.enterprises.entries.nuova.positions.p1") for p, r in rules)


def test_a_child_layer_adds_enterprises_and_changes_one_by_key(write_layer: Writer) -> None:
    """Merged by key: a new enterprise is added; an inherited one needs override and keeps what it does not change."""
    engine = _child(write_layer, (
        "enterprises:\n  entries:\n"
        f"    nuova:\n      label: Nuova\n      {SRC}\n"
        "    magazzini_esempio:\n      override: true\n      registries:\n"
        f"        albo_imprese_inclusive: {{valid_from: '2020-01-01', valid_to: '2023-12-31', {SRC}}}\n"))
    firms = engine.territory("figlio").section("enterprises", "entries")
    assert {"nuova", "trattoria_esempio", "magazzini_esempio", "bar_esempio"} <= set(firms)
    magazzini = firms["magazzini_esempio"]
    assert magazzini["registries"]["albo_imprese_inclusive"]["valid_to"] == "2023-12-31"
    assert set(magazzini["positions"]) == {"tirocinio_magazzino", "magazziniere", "chiusa"}  # inherited, kept


def test_redefining_an_enterprise_without_override_is_refused(write_layer: Writer) -> None:
    engine = _child(write_layer, f"enterprises:\n  entries:\n    bar_esempio:\n      label: Altro bar\n      {SRC}\n")
    with pytest.raises(ConfigurationError) as info:
        engine.territory("figlio")
    assert any(d.rule == "override" for d in info.value.details)


# --------------------------------------------------------------------------- matching


def test_a_person_who_lost_their_job_gets_a_traineeship_at_an_inclusive_enterprise(engine: Engine) -> None:
    """Done-when of item 5: routed to Insieme per il lavoro, with a traineeship match at an inclusive enterprise."""
    case = load(engine, case_data())
    result = engine.assess(case, as_of=AS_OF)
    assert result.routing.service == "insieme_per_il_lavoro"
    first = result.placements[0]
    assert (first.enterprise, first.position, first.kind) == ("trattoria_esempio", "tirocinio_sala", "tirocinio")
    assert first.inclusive and first.marks == ("Azienda Inclusiva",)
    assert first.matched == {"settori": ("ristorazione",), "mansioni": ("cameriere",)}
    assert "insieme_per_il_lavoro" in first.open_to and first.example
    fit, membership = first.reasons
    assert fit.rule == "imprese.posizione.trattoria_esempio.tirocinio_sala"
    assert fit.inputs["settori"] == ["ristorazione"] and fit.inputs["mansioni"] == ["cameriere"]
    assert "cameriere di sala" not in json.dumps(fit.inputs)  # what matched is the position's words, not the case's
    assert membership.source.document == "ctssm_bologna_2019" and "Azienda Inclusiva" in membership.source.quote
    assert "Marchio: Azienda Inclusiva" in membership.message_it
    assert all(set(r.categories) == {"identity", "work", "education"} for r in first.reasons)


def test_inclusive_enterprises_come_first_then_the_fit(engine: Engine) -> None:
    found = placements(engine, case_data())
    assert keys(found) == [("trattoria_esempio", "tirocinio_sala"),       # inclusive, fit 2
                           ("magazzini_esempio", "tirocinio_magazzino"),  # inclusive, fit 0
                           ("bar_esempio", "banconista")]                 # not inclusive, fit 3
    assert [p.fit for p in found] == [2, 0, 3]
    assert found[2].matched["competenze"] == ("uso della cassa",)


def test_a_membership_ended_is_not_a_mark_on_a_later_date(engine: Engine) -> None:
    """The trattoria left the Albo at the end of 2024: on a later date it is neither marked nor first."""
    later = placements(engine, case_data(), dt.date(2025, 3, 1))
    sala = next(p for p in later if p.position == "tirocinio_sala")
    assert not sala.inclusive and sala.marks == () and sala.registries == () and len(sala.reasons) == 1
    assert keys(later)[0] == ("magazzini_esempio", "tirocinio_magazzino")
    before = next(p for p in placements(engine, case_data(), dt.date(2024, 12, 31)) if p.position == "tirocinio_sala")
    assert before.inclusive


def test_a_closed_or_not_yet_open_position_is_never_proposed(engine: Engine) -> None:
    assert ("magazzini_esempio", "chiusa") in keys(placements(engine, case_data(), dt.date(2021, 6, 1)))
    assert ("magazzini_esempio", "chiusa") not in keys(placements(engine, case_data(), dt.date(2022, 1, 1)))
    assert ("trattoria_esempio", "tirocinio_sala") not in keys(placements(engine, case_data(), dt.date(2023, 12, 31)))


def test_a_position_asking_for_experience_needs_a_matching_job_and_its_requirements(engine: Engine) -> None:
    warehouse = {"work_history": [{"occupation": "magazziniere", "sector": "magazzino"}]}
    assert ("magazzini_esempio", "magazziniere") not in keys(placements(engine, case_data()))  # a waiter
    found = {keys((p,))[0]: p for p in placements(engine, case_data(warehouse))}
    assert found["magazzini_esempio", "magazziniere"].matched == {"settori": ("logistica",),
                                                                  "mansioni": ("magazziniere",)}
    unknown = placements(engine, case_data({**warehouse, "driving_licences": None}))
    assert next(p for p in unknown if p.position == "magazziniere").to_check == ("driving_licences",)
    assert "magazziniere" not in {p.position for p in placements(engine, case_data({**warehouse,
                                                                                    "driving_licences": ["AM"]}))}


def test_an_education_requirement_excludes_or_is_listed_to_check(engine: Engine) -> None:
    assert "banconista" not in {p.position for p in placements(engine, case_data({"education": "nessuno"}))}
    bar = next(p for p in placements(engine, case_data({"education": None})) if p.position == "banconista")
    assert bar.to_check == ("education",)
    assert "Da verificare" in bar.reasons[0].message_it


def test_only_work_ready_members_and_the_channels_asked(engine: Engine) -> None:
    assert placements(engine, case_data(work_ready=False)) == ()
    ipl = placements(engine, case_data(), channels=["insieme_per_il_lavoro"])
    assert all("insieme_per_il_lavoro" in p.open_to for p in ipl) and "banconista" not in {p.position for p in ipl}
    assert {p.kind for p in placements(engine, case_data(), kinds=["lavoro"])} == {"lavoro"}
    italia = Engine()
    assert italia.assess(italia.load_case({**case_data(), "territory": "italia"}), as_of=AS_OF).placements == ()


# --------------------------------------------------------------------------- host enterprise


def _project(host: str | None) -> dict[str, Any]:
    return {"id": "P1", "start": "2024-04-01", "interventions": [
        {"code": "tirocinio_inclusione", "provider": "ssp", "start": "2024-04-15", "host_enterprise": host}]}


def test_the_host_enterprise_is_checked_against_the_enterprises(engine: Engine) -> None:
    ok = load(engine, case_data(project=_project("trattoria_esempio")))
    assert ok.project is not None and ok.project.interventions[0].host_enterprise == "trattoria_esempio"
    engine.assess(ok, as_of=AS_OF)
    with pytest.raises(InputError) as info:
        engine.assess(load(engine, case_data(project=_project("trattoria_esempi"))), as_of=AS_OF)
    detail = next(d for d in info.value.details if d.path == "$.project.interventions[0].host_enterprise")
    # the value is not shown: the field takes its intervention's category, which may be special
    assert (detail.rule, detail.value) == ("ref:enterprises.entries", None) and "impresa" in detail.message


def test_a_territory_without_enterprises_takes_any_host(engine: Engine) -> None:
    italia = Engine()
    case = italia.load_case({**case_data(project=_project("impresa_qualsiasi")), "territory": "italia"})
    italia.assess(case, as_of=AS_OF)  # no registry to check it against: accepted


def test_an_old_case_without_host_enterprise_loads(engine: Engine) -> None:
    case = load(engine, case_data(project=_project(None)))
    assert case.project is not None and case.project.interventions[0].host_enterprise is None


# --------------------------------------------------------------------------- what an enterprise sees


def _out(engine: Engine, view: View, text: str) -> str:
    """What leaves with a view (the per-path withheld list stays with the controller)."""
    return json.dumps({"data": view.data, "disclosed": engine.to_json(list(view.disclosed)),
                       "not_disclosed": engine.to_json(list(view.not_disclosed)), "masked": list(view.masked),
                       "text": text}, ensure_ascii=False, sort_keys=True)


def enterprise_views(engine: Engine, data: dict[str, Any], recipient: Recipient | str = "impresa") -> tuple[str, str]:
    case = load(engine, data)
    result = engine.assess(case, as_of=AS_OF)
    terr = engine.territory(TERRITORY)
    rview = engine.disclose_result(result, case, recipient=recipient, purpose=Purpose.REFERRAL)
    cview = engine.disclose_case(case, recipient=recipient, purpose=Purpose.REFERRAL, as_of=AS_OF)
    return _out(engine, rview, result_text(rview, terr, "it")), _out(engine, cview, view_text(cview, terr, "it"))


def test_the_enterprise_sees_its_traineeship_match_and_no_special_category(engine: Engine) -> None:
    case = load(engine, case_data(needs=[{"code": "dipendenze", "member": "m1", "severity": 2}],
                                  member={"disability_percent": 50, "in_socio_sanitary_care": True}))
    result = engine.assess(case, as_of=AS_OF)
    view = engine.disclose_result(result, case, recipient=Recipient("impresa", service="trattoria_esempio"),
                                  purpose=Purpose.REFERRAL)
    shown = view.data["placements"]
    assert [(p["enterprise"], p["position"], p["inclusive"]) for p in shown] == [
        ("trattoria_esempio", "tirocinio_sala", True)]  # its own placement only
    reasons = [r for p in shown for r in p["reasons"]]
    assert reasons and all(not SPECIAL & set(r["categories"]) for r in reasons)
    assert not SPECIAL & {d.category for d in view.disclosed}
    text = json.dumps(view.data, ensure_ascii=False)
    assert "dipendenze" not in text and "disability_percent" not in text


_SPECIAL_VARIANT = st.fixed_dictionaries({}, optional={
    "needs": st.lists(st.sampled_from(["dipendenze", "salute_mentale", "giustizia", "disabilita", "salute"]),
                      unique=True, min_size=1).map(lambda codes: [{"code": c, "member": "m1"} for c in codes]),
    "disability_percent": st.integers(0, 100),
    "in_socio_sanitary_care": st.just(True),
    "services": st.sampled_from([["serd"], ["csm"], ["serd", "csm"]]),
    "request": st.sampled_from(["Chiede aiuto per una dipendenza", "Esce dal carcere"]),
    "history_note": st.sampled_from(["In cura al CSM", "Segue una terapia"]),
})
_BASE = st.fixed_dictionaries({
    "occupation": st.sampled_from(["cameriere di sala", "magazziniere", "commessa", "operaio"]),
    "sector": st.sampled_from(["Ristorante", "magazzino", "commercio", "", "edilizia"]),
    "education": st.sampled_from([None, "nessuno", "licenza_media", "diploma"]),
    "driving_licences": st.sampled_from([None, [], ["B"], ["AM"]]),
    "recipient": st.sampled_from([None, "trattoria_esempio", "magazzini_esempio", "bar_esempio"]),
})


def _with_special(base: dict[str, Any], special: dict[str, Any]) -> dict[str, Any]:
    member = {"work_history": [{"occupation": base["occupation"], "sector": base["sector"]}],
              "education": base["education"], "driving_licences": base["driving_licences"]}
    for key in ("disability_percent", "in_socio_sanitary_care", "services"):
        if key in special:
            member[key] = special[key]
    data = case_data(member, needs=special.get("needs"))
    # the free texts (records) are there in both cases, empty in one: only their content differs
    data["access"] = {**data["access"], "request": special.get("request", "")}
    data["history"] = [{"on": "2024-03-05", "kind": "colloquio", "note": special.get("history_note", "")}]
    return data


@settings(max_examples=40, deadline=None)
@given(base=_BASE, special=_SPECIAL_VARIANT)
def test_an_enterprise_view_is_the_same_whatever_special_category_data_the_case_holds(
        engine: Engine, base: dict[str, Any], special: dict[str, Any]) -> None:
    """Differential: two cases differing only in special-category data give byte-identical enterprise views."""
    recipient: Recipient | str = "impresa" if base["recipient"] is None else Recipient("impresa",
                                                                                      service=base["recipient"])
    plain = enterprise_views(engine, _with_special(base, {}), recipient)
    assert enterprise_views(engine, _with_special(base, special), recipient) == plain


# --------------------------------------------------------------------------- properties

_MEMBER = st.fixed_dictionaries({
    "work_history": st.lists(st.fixed_dictionaries({
        "occupation": st.sampled_from(["cameriere", "magazziniere", "barista", "mulettista", "sarta"]),
        "sector": st.sampled_from(["bar", "Ristorazione", "logistica", "trasporti", "56", "tessile", ""]),
    }), max_size=3),
    "skills": st.lists(st.sampled_from(["uso della cassa", "uso del PC", "HACCP"]), unique=True, max_size=2),
    "education": st.sampled_from([None, "nessuno", "licenza_media", "diploma"]),
    "driving_licences": st.sampled_from([None, [], ["B"], ["AM", "B"]]),
})
_DAYS = st.dates(dt.date(2018, 1, 1), dt.date(2027, 12, 31))


def _order_key(p: Placement) -> tuple[Any, ...]:
    return (not p.inclusive, -p.fit, len(p.to_check), p.enterprise, p.position)


@settings(max_examples=150, deadline=None)
@given(member=_MEMBER, day=_DAYS)
def test_matching_never_proposes_a_closed_position_and_orders_inclusive_first(
        engine: Engine, member: dict[str, Any], day: dt.date) -> None:
    terr = engine.territory(TERRITORY)
    firms = terr.section("enterprises", "entries")
    case = load(engine, case_data(member))
    found = match_positions(case, terr, day)
    for p in found:
        position = firms[p.enterprise]["positions"][p.position]
        start, end = position.get("valid_from"), position.get("valid_to")
        assert start is None or dt.date.fromisoformat(start) <= day
        assert end is None or day <= dt.date.fromisoformat(end)
        memberships = firms[p.enterprise].get("registries") or {}
        for reg in p.registries:  # marked only while a member on that day
            m = memberships[reg]
            assert dt.date.fromisoformat(m["valid_from"]) <= day
            assert m.get("valid_to") is None or day <= dt.date.fromisoformat(m["valid_to"])
    assert list(found) == sorted(found, key=_order_key)  # inclusive first, then fit: a total, stable order
    inclusive = [p.inclusive for p in found]
    assert inclusive == sorted(inclusive, reverse=True)
    assert match_positions(case, terr, day) == found  # pure: the same answer every time
    reordered = load(engine, case_data({**member, "work_history": member["work_history"][::-1],
                                        "skills": member["skills"][::-1]}))
    assert keys(match_positions(reordered, terr, day)) == keys(found)  # the order of the history does not count
