"""The regional rules of DGRT 544/2023: equipe essenziale and allargata, the SIIL, the instruments' suitability."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import Citation, Engine, Result, RoutingOutcome

AS_OF = dt.date(2025, 3, 3)
DGRT = "dgrt_544_2023"
"""The registry id of DGRT 544/2023, read through the article that describes it."""
ARTICLE = "integrazione_intersettoriale"


def cites_the_dgrt(source: Citation) -> bool:
    """The DGRT, through the article, binding, and rendered as an operator cites it."""
    return (source.document, source.via.id if source.via else None, source.binding) == (DGRT, ARTICLE, True) and \
        source.text("it").startswith("Regione Toscana, DGRT n. 544/2023, nella descrizione di")
SPECIALIST = {  # need -> role the equipe allargata adds
    "dipendenze": "operatore_serd",
    "salute_mentale": "operatore_csm",
    "abitativo": "operatore_casa",
    "disabilita": "operatore_sociosanitario",
    "salute": "operatore_sociosanitario",
    "poverta_educativa": "operatore_scuola",
}
DIMENSION = {"dipendenze": "funzionamenti", "salute_mentale": "funzionamenti", "abitativo": "abitare",
             "disabilita": "funzionamenti", "salute": "funzionamenti", "poverta_educativa": "istruzione"}
"""The dimension each specialist need belongs to (a moderate need there is a need of level 2)."""
PLAIN_NEEDS = ["lavoro", "formazione", "economico", "reti_relazioni", "cura_familiare"]
MEASURES = ["sia", "rei", "rdc", "adi", "sfl", "gol"]


def case(*, levels: dict[str, int] | None = None, needs: list[str] | None = None, work_ready: bool = False,
         access: dict[str, Any] | None = None, measures: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """A Toscana case: an unemployed adult with a child, assessed with these levels and needs (None: not assessed)."""
    data: dict[str, Any] = {
        "id": "TO-1",
        "territory": "toscana",
        "opened_on": "2025-01-10",
        "household": {"id": "h1", "isee": 6000, "members": [
            {"id": "m1", "birth_date": "1983-05-01", "employment": "disoccupato"},
            {"id": "m2", "relation": "figlio", "birth_date": "2014-09-01", "employment": "studente"},
        ]},
        "measures": measures or [],
    }
    if access is not None:
        data["access"] = access
    if levels is not None or needs is not None:
        data["assessment"] = {
            "date": "2025-01-20",
            "levels": [{"dimension": d, "level": v} for d, v in (levels or {}).items()],
            "needs": [{"code": n} for n in needs or []],
            "work_ready_members": ["m1"] if work_ready else [],
        }
    return data


def roles(result: Result) -> set[str]:
    """The roles of the composed equipe."""
    return {m.role for m in result.equipe.members}


def test_only_work_needs_give_equipe_essenziale(engine: Engine) -> None:
    """A household with only work needs gets the equipe essenziale: CPI and social service, nobody else."""
    result = engine.assess(case(levels={"lavoro": 2, "economica": 2}, needs=["lavoro"]), as_of=AS_OF)
    assert result.profile.profile.flags == ("integrazione_socio_lavorativa",)
    assert result.equipe.format == "essenziale"
    assert roles(result) == {"operatore_cpi", "assistente_sociale"}
    (why,) = result.equipe.reasons
    assert cites_the_dgrt(why.source)
    assert "non distinguerà più tra le varie progettualità" in why.source.quote


def test_addiction_need_gives_allargata_with_serd_citing_the_dgrt(engine: Engine) -> None:
    """An addiction need with a work need gives the equipe allargata with the SerD, its reason citing DGRT 544/2023."""
    result = engine.assess(case(levels={"lavoro": 2, "funzionamenti": 2}, needs=["lavoro", "dipendenze"]),
                           as_of=AS_OF)
    assert result.equipe.format == "allargata"
    (serd,) = [m for m in result.equipe.members if m.role == "operatore_serd"]
    assert serd.service == "serd"
    # the threshold (a moderate need) is the project's default, citing the DGRT it reads
    assert serd.reason.source.is_default and serd.reason.source.document == DGRT
    assert serd.reason.inputs["bisogni"] == ["dipendenze"]  # only the needs the trigger asked about
    assert serd.reason.inputs["gravita_minima"] == 2
    fmt = engine.territory("toscana").section("equipe", "formats")["allargata"]
    assert "in particolare dipendenze e salute mentale" in fmt["source"]["quote"]


@pytest.mark.parametrize(("need", "role"), sorted(SPECIALIST.items()))
def test_each_specialist_need_adds_its_service(engine: Engine, need: str, role: str) -> None:
    """Each specialist need makes the equipe allargata and adds the competent service's operator."""
    result = engine.assess(case(levels={"lavoro": 2, DIMENSION[need]: 2}, needs=["lavoro", need]), as_of=AS_OF)
    assert result.equipe.format == "allargata"
    assert roles(result) == {"operatore_cpi", "assistente_sociale", role}


def test_third_sector_referral_adds_the_referring_body(engine: Engine) -> None:
    """A case sent by a Third Sector body, in the equipe allargata, has the body's operator in it."""
    access = {"date": "2025-01-10", "point": "ssp", "channel": "invio", "from_service": "terzo_settore"}
    result = engine.assess(case(levels={"lavoro": 2}, needs=["salute_mentale"], access=access), as_of=AS_OF)
    assert roles(result) == {"operatore_cpi", "assistente_sociale", "operatore_csm", "operatore_terzo_settore"}


def test_no_socio_labour_integration_means_no_toscana_equipe(engine: Engine) -> None:
    """Without a work component the Toscana formats do not apply (the national rules decide)."""
    result = engine.assess(case(levels={"abitare": 3}, needs=["abitativo"]), as_of=AS_OF)
    assert "integrazione_socio_lavorativa" not in result.profile.profile.flags
    assert result.equipe.format not in ("essenziale", "allargata")


def test_work_ready_members_alone_raise_the_flag_but_a_mild_work_need_convenes_no_equipe(engine: Engine) -> None:
    """Members ready for work raise the flag, but a mild work need (level 1) is not social and work needs together."""
    result = engine.assess(case(levels={"lavoro": 1, "abitare": 2}, needs=["abitativo"], work_ready=True),
                           as_of=AS_OF)
    assert "integrazione_socio_lavorativa" in result.profile.profile.flags
    assert result.equipe.format not in ("essenziale", "allargata")
    assert result.routing.reasons[0].rule != "instradamento.integrazione_in_equipe"


def test_direct_access_to_siil_is_refused_with_its_reason(engine: Engine) -> None:
    """A direct request to the SIIL is refused: second level, referral only; the alternative is the One Stop Shop."""
    access = {"date": "2025-02-12", "point": "siil", "channel": "diretto"}
    result = engine.assess(case(access=access), as_of=AS_OF)
    assert result.routing.outcome is RoutingOutcome.REFUSED
    assert result.routing.service == "siil"
    # the One Stop Shop first, then every service that may refer the case (from the configuration)
    assert result.routing.alternatives[0] == "one_stop_shop"
    assert {"cpi", "ssp", "terzo_settore"} <= set(result.routing.alternatives)
    assert "siil" not in result.routing.alternatives
    (reason,) = result.routing.reasons
    assert cites_the_dgrt(reason.source)
    assert "non ad accesso diretto" in reason.source.quote
    assert "secondo livello" in reason.message_it
    assert "second-level" in reason.message_en


@pytest.mark.parametrize("sender", ["ssp", "cpi", "serd", "csm", "terzo_settore", "one_stop_shop"])
def test_siil_accepts_referrals_from_services_and_third_sector(engine: Engine, sender: str) -> None:
    """A referral to the SIIL from another service or a Third Sector body is routed to the SIIL by segnalazione."""
    access = {"date": "2025-02-12", "point": "siil", "channel": "invio", "from_service": sender}
    data = case(levels={"lavoro": 2}, needs=["lavoro"], access=access)
    data["household"]["members"][0]["services"] = ["ssp"]  # in charge of the services, as the SIIL asks
    result = engine.assess(data, as_of=AS_OF)
    assert (result.routing.outcome, result.routing.service, result.routing.channel) == (
        RoutingOutcome.ROUTED, "siil", "segnalazione")


def test_siil_refuses_a_referral_without_an_admitted_sender(engine: Engine) -> None:
    """A referral to the SIIL that names no admitted sending service is refused too."""
    access = {"date": "2025-02-12", "point": "siil", "channel": "invio"}
    result = engine.assess(case(access=access), as_of=AS_OF)
    assert result.routing.outcome is RoutingOutcome.REFUSED
    assert result.routing.alternatives[0] == "one_stop_shop"


def test_socio_therapeutic_placement_for_addiction_with_low_occupability(engine: Engine) -> None:
    """Inserimento socio-terapeutico suits an addiction need with low occupability; no propedeuticity is imposed."""
    result = engine.assess(case(levels={"lavoro": 3, "funzionamenti": 2}, needs=["lavoro", "dipendenze"]),
                           as_of=AS_OF)
    recs = {r.code: r for r in result.interventions}
    assert "inserimento_socio_terapeutico" in recs
    assert recs["inserimento_socio_terapeutico"].prerequisites == ()
    assert "tirocinio_formativo" not in recs  # needs a member ready for work
    territory = engine.territory("toscana")
    for code in ("inserimento_socio_terapeutico", "tirocinio_formativo", "borsa_lavoro"):
        entry = territory.section("interventions")[code]
        assert entry["prerequisites_source"]["kind"] == "default"
        assert entry["suitable_source"]["kind"] == "default"  # the guidelines fix no criteria: the project's
        assert (entry["source"]["document"], entry["source"]["via"]) == (DGRT, ARTICLE)
    # the reason for recommending it cites the project's default, not the DGRT
    assert recs["inserimento_socio_terapeutico"].reason.source.is_default


def test_training_traineeship_for_an_activable_case(engine: Engine) -> None:
    """A work-ready member with a moderate work need gets the tirocinio formativo, not the socio-therapeutic path."""
    result = engine.assess(case(levels={"lavoro": 2}, needs=["lavoro"], work_ready=True), as_of=AS_OF)
    codes = [r.code for r in result.interventions]
    assert "tirocinio_formativo" in codes
    assert "inserimento_socio_terapeutico" not in codes


@settings(max_examples=40, deadline=None)
@given(
    work=st.integers(min_value=2, max_value=3),
    plain=st.lists(st.sampled_from(PLAIN_NEEDS), unique=True),
    special=st.lists(st.sampled_from(sorted(SPECIALIST)), unique=True),
    measure=st.none() | st.sampled_from(MEASURES),
)
def test_format_follows_specialist_needs_whatever_the_measure(
    engine: Engine, work: int, plain: list[str], special: list[str], measure: str | None
) -> None:
    """With a work need: allargata iff a specialist need exists, one role per need, whatever the measure."""
    measures = [] if measure is None else [{"code": measure, "valid_from": "2016-01-01"}]
    levels = {"lavoro": work, "economica": 2} | {DIMENSION[n]: 2 for n in special}
    result = engine.assess(case(levels=levels, needs=plain + special, measures=measures), as_of=AS_OF)
    if special:
        assert result.equipe.format == "allargata"
        assert roles(result) == {"operatore_cpi", "assistente_sociale"} | {SPECIALIST[n] for n in special}
    else:
        assert result.equipe.format == "essenziale"
        assert roles(result) == {"operatore_cpi", "assistente_sociale"}
    without = engine.assess(case(levels=levels, needs=plain + special), as_of=AS_OF)
    assert roles(without) == roles(result)
