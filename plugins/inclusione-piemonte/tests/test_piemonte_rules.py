"""
Piemonte (seed 001): the EM di base and its extensions, the conditions for a work path, the
Ambiti's priorities, the catalogue's funding sources and the network of ambiti.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import Engine, Purpose, Reason, Recipient, Result

AS_OF = dt.date(2025, 3, 20)
ARTICLE = "apl_rete_cpi_servizi_sociali"
"""The registry id of the article of Agenzia Piemonte Lavoro (seed 001)."""
BASE = {"assistente_sociale", "operatore_cpi"}
SPECIALIST = {"dipendenze": "operatore_serd", "salute_mentale": "operatore_csm", "abitativo": "operatore_casa"}
NO_WORK_PATH = {"percorso_terapeutico", "sostegno_genitorialita", "conciliazione_famiglia_lavoro", "puc"}
LOW_OCCUPABILITY = {"formazione_qualificazione", "ricerca_attiva", "tirocinio_inserimento"}


def case(*, levels: dict[str, int], needs: dict[str, int], work_ready: bool, municipality: str | None = "001272",
         measures: tuple[str, ...] = ("adi",), access: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Piemonte case: an unemployed adult with a child, assessed with these levels and needs (code -> severity)."""
    data: dict[str, Any] = {
        "id": "PIE-1",
        "territory": "piemonte",
        "opened_on": "2025-01-10",
        "household": {"id": "h1", "isee": 6000, "members": [
            {"id": "m1", "birth_date": "1983-05-01", "employment": "disoccupato"},
            {"id": "m2", "relation": "figlio", "birth_date": "2014-09-01", "employment": "studente"},
        ]},
        "measures": [{"code": m, "valid_from": "2024-02-01"} for m in measures],
        "assessment": {
            "date": "2025-01-20",
            "levels": [{"dimension": d, "level": v} for d, v in levels.items()],
            "needs": [{"code": n, "severity": s} for n, s in needs.items()],
            "work_ready_members": ["m1"] if work_ready else [],
        },
    }
    if municipality is not None:
        data["household"]["municipality_code"] = municipality
    if access is not None:
        data["access"] = access
    return data


def cites_the_article(reason: Reason) -> bool:
    """The reason cites seed 001's article through the registry (itself, or an act read through it)."""
    src = reason.source
    return src.document == ARTICLE or (src.via is not None and src.via.id == ARTICLE)


def roles(result: Result) -> set[str]:
    return {m.role for m in result.equipe.members}


COMPLEX = {"lavoro": 3, "economica": 2, "funzionamenti": 2}
"""Needs in several dimensions: the in-depth assessment, in the EM di base."""


def test_the_em_di_base_has_exactly_two_members_without_a_need_that_adds_one(engine: Engine) -> None:
    """One social-services operator and one CPI operator, each citing the protocol through the article."""
    result = engine.assess(case(levels=COMPLEX, needs={"lavoro": 3, "economico": 2}, work_ready=True), as_of=AS_OF)
    assert result.equipe.format == "em_di_base"
    assert roles(result) == BASE
    assert all(cites_the_article(m.reason) for m in result.equipe.members)
    assert all(cites_the_article(r) for r in result.equipe.reasons)


def test_a_mental_health_need_adds_the_csm_with_its_reason(engine: Engine) -> None:
    """A moderate mental-health need adds the CSM operator, and says why (the need's severity)."""
    result = engine.assess(case(levels=COMPLEX, needs={"lavoro": 3, "salute_mentale": 2}, work_ready=True),
                           as_of=AS_OF)
    assert roles(result) == BASE | {"operatore_csm"}
    (csm,) = [m for m in result.equipe.members if m.role == "operatore_csm"]
    assert "CSM" in csm.reason.message_it and "mental_health" in csm.reason.categories
    assert cites_the_article(csm.reason)


@settings(max_examples=30, deadline=None)
@given(severities=st.dictionaries(st.sampled_from(sorted(SPECIALIST)), st.integers(1, 3)))
def test_each_added_member_comes_from_a_need_of_its_field(engine: Engine, severities: dict[str, int]) -> None:
    """Exactly the specialists whose field has a need of severity 2 or more join the two base members."""
    result = engine.assess(case(levels=COMPLEX, needs={"lavoro": 3, **severities}, work_ready=False), as_of=AS_OF)
    expected = BASE | {SPECIALIST[n] for n, s in severities.items() if s >= 2}
    assert roles(result) == expected
    for member in result.equipe.members:
        if member.role not in BASE:
            assert member.reason.rule.startswith("equipe.em_di_base.")


def test_without_conditions_for_a_work_path_the_therapeutic_parenting_conciliation_and_puc_come_first(
        engine: Engine) -> None:
    """No member ready for work: the Ambiti's first priorities, each reason quoting the article."""
    result = engine.assess(case(levels=COMPLEX, needs={"lavoro": 3, "salute_mentale": 3, "cura_familiare": 2},
                                work_ready=False), as_of=AS_OF)
    assert "condizioni_percorso_lavoro" not in result.profile.profile.flags
    codes = [r.code for r in result.interventions]
    first = codes[:len(NO_WORK_PATH)]
    assert set(first) == NO_WORK_PATH, codes
    for rec in result.interventions[:len(NO_WORK_PATH)]:
        assert rec.reason.rule.endswith(".priorita.senza_condizioni_lavoro")
        assert rec.reason.inputs["priorita"] == 10
        assert cites_the_article(rec.reason) and "In assenza delle condizioni" in rec.reason.source.quote
    assert not LOW_OCCUPABILITY & set(codes)


def test_a_work_ready_case_with_low_occupability_gets_training_job_search_and_traineeship_first(
        engine: Engine) -> None:
    """Conditions for a work path and low occupability: qualification training, job search, traineeship first."""
    result = engine.assess(case(levels={"lavoro": 3, "economica": 2, "istruzione": 2},
                                needs={"lavoro": 3, "formazione": 2}, work_ready=True), as_of=AS_OF)
    assert "condizioni_percorso_lavoro" in result.profile.profile.flags
    codes = [r.code for r in result.interventions]
    assert set(codes[:3]) == LOW_OCCUPABILITY, codes
    for rec in result.interventions[:3]:
        assert rec.reason.rule.endswith(".priorita.occupabilita_bassa")
        assert "se il profilo di occupabilità è basso" in rec.reason.source.quote
    assert "percorso_terapeutico" not in codes


def test_a_severe_health_need_removes_the_conditions_for_a_work_path(engine: Engine) -> None:
    """The default predicate: a member ready for work but a severe addiction need: no conditions."""
    result = engine.assess(case(levels=COMPLEX, needs={"lavoro": 3, "dipendenze": 3}, work_ready=True), as_of=AS_OF)
    assert "condizioni_percorso_lavoro" not in result.profile.profile.flags
    assert result.interventions[0].code == "percorso_terapeutico"


def test_catalogue_entries_carry_their_funding_sources(engine: Engine) -> None:
    """Funding is a field of every Piemonte catalogue entry, and of the recommendation."""
    territory = engine.territory("piemonte")
    for code, item in territory.section("interventions").items():
        if code != "tirocinio_inclusione":  # the national entry, not in the article
            assert set(item["funding"]) <= {"fse", "nazionale", "regionale", "privato"}, code
    result = engine.assess(case(levels={"lavoro": 3, "economica": 2}, needs={"lavoro": 3}, work_ready=True),
                           as_of=AS_OF)
    (rec,) = [r for r in result.interventions if r.code == "formazione_qualificazione"]
    assert rec.funding == ("fse", "regionale")


def test_two_municipalities_reach_two_ambiti_and_two_cpi(engine: Engine) -> None:
    """The municipality code selects the ambito and its CPI; the reason says the network is an example."""
    torino = engine.assess(case(levels=COMPLEX, needs={"lavoro": 3}, work_ready=True, municipality="001272"),
                           as_of=AS_OF).network
    cuneo = engine.assess(case(levels=COMPLEX, needs={"lavoro": 3}, work_ready=True, municipality="004078"),
                          as_of=AS_OF).network
    assert torino is not None and cuneo is not None
    assert (torino.ambito, cuneo.ambito) == ("esempio_torino", "esempio_cuneo")
    assert torino.services["cpi"] != cuneo.services["cpi"]
    assert "rete di esempio" in torino.reason.message_it
    assert torino.reason.categories == ("contact",)
    assert torino.reason.source.document == "dgr_29_3257_2016" and torino.reason.source.via is not None


def test_a_municipality_outside_the_network_gets_no_ambito_and_asks_to_complete_it(engine: Engine) -> None:
    """An unknown municipality code: no ambito, no guess; without a code no network at all."""
    net = engine.assess(case(levels=COMPLEX, needs={"lavoro": 3}, work_ready=True, municipality="999999"),
                        as_of=AS_OF).network
    assert net is not None and net.ambito is None and net.services == {}
    assert "va completata" in net.reason.message_it
    assert engine.assess(case(levels=COMPLEX, needs={"lavoro": 3}, work_ready=True, municipality=None),
                         as_of=AS_OF).network is None


def test_the_governance_is_dated_from_the_protocol_and_names_the_partners(engine: Engine) -> None:
    """
    The regional coordination (Lavoro + Coesione sociale) cites the protocol through the
    article; the Patti territoriali and the gruppo di progettazione are practice, with the
    partners the article names; none is in force before the protocol of 2016.
    """
    piemonte = engine.territory("piemonte")
    assert piemonte.in_force(dt.date(2016, 11, 15)).section("governance", "bodies") == {}
    bodies = piemonte.in_force(AS_OF).section("governance", "bodies")
    assert set(bodies) == {"coordinamento_regionale", "patto_territoriale", "gruppo_progettazione",
                           "gruppi_lavoro_piani_di_zona"}
    coordination = bodies["coordinamento_regionale"]
    assert coordination["level"] == "regione" and not coordination.get("practice")
    assert coordination["source"]["document"] == "dd_813_2016" and coordination["source"]["via"] == ARTICLE
    assert set(coordination["partners"]) == {"regione_coesione_sociale", "agenzia_piemonte_lavoro"}
    planning = bodies["gruppo_progettazione"]
    assert planning["practice"] and planning["level"] == "ambito"
    assert {"comuni", "terzo_settore", "associazioni_categoria", "servizi_sanitari", "scuole",
            "formazione_professionale", "fondazioni_bancarie"} <= set(planning["partners"])
    kinds = piemonte.section("governance", "partner_kinds")
    assert {"serd", "csm"} <= set(kinds["servizi_sanitari"]["services"])
    assert all(bodies[b]["level"] == "ambito" for a in piemonte.section("network", "ambiti").values()
               for b in a.get("bodies", []))


def test_a_recipient_without_consent_sees_the_same_interventions_whatever_the_addiction_need(engine: Engine) -> None:
    """
    The priorities read the flag of the conditions for a work path, which a severe addiction
    need removes: the housing office (no consent) sees the same interventions, in the same
    order, with no addiction need, a mild one or a severe one (found by the differential test:
    a flag left unset used to carry none of what it was decided from).
    """
    seen = []
    for severity in (None, 1, 2, 3):
        needs = {"lavoro": 3, "economico": 2, "cura_familiare": 1} | ({"dipendenze": severity} if severity else {})
        data = case(levels={"lavoro": 3, "economica": 2}, needs=needs, work_ready=True)
        c = engine.load_case(data)
        result = engine.assess(c, as_of=AS_OF)
        view = engine.preview_result(result, c, recipient=Recipient(kind="casa", service="casa"),
                                     purpose=Purpose.EQUIPE)
        seen.append([i["code"] for i in view.data["interventions"]])
    assert all(s == seen[0] for s in seen), seen
