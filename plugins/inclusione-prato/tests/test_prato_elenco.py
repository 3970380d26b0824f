"""The elenco nominativo of an EM meeting, built from cases and schede di esito (seed 000) through the views."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import Engine, InputError, Purpose, Territory
from inclusione_core.testing import FixedClock
from inclusione_prato import build_elenco_nominativo, instrument_errors

MEETING = dt.date(2025, 6, 5)
INSTRUMENTS = Path(__file__).resolve().parents[3] / "territories" / "prato" / "instruments"
CASES = ["dipendenze_e_lavoro.json", "cpi_reinvio_ssp.json", "progetto_in_corso.json", "accesso_diretto_siil.json",
         "segnalazione_siil_terzo_settore.json"]


def scheda_esito(**changes: Any) -> dict[str, Any]:
    """The example scheda di esito of case PO-2025-000187 (proposes the EM), with changes."""
    data: dict[str, Any] = json.loads((INSTRUMENTS / "examples" / "scheda_esito.json").read_text(encoding="utf-8"))
    return data | changes


@pytest.fixture(scope="module")
def elenco(engine: Engine, example: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """The agenda of 5 June 2025 for the example cases and the CPI's scheda di esito."""
    return build_elenco_nominativo([example(n) for n in CASES], meeting_date=MEETING, engine=engine,
                                   schede_esito=[scheda_esito()], coordinator="Elena Cecchi",
                                   place="Sede SdS Area Pratese, Prato")


def entries(elenco: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The agenda's entries by case id."""
    return {e["case_id"]: e for e in elenco["voci"]}


def test_agenda_validates_and_names_meeting_and_source(prato: Territory, elenco: dict[str, Any]) -> None:
    """The agenda validates against its instrument schema and names date, coordinator, place and the Prato article."""
    assert instrument_errors(prato, "elenco_nominativo", elenco) == []
    assert elenco["data_incontro"] == "2025-06-05"
    assert elenco["coordinatore"] == "Elena Cecchi"
    assert elenco["fonte"]["documento"].startswith('F. Di Maria, N. Imprescia, "Inclusione e lavoro')
    assert "non vincolante" in elenco["fonte"]["documento"]
    assert elenco["digest_configurazione"] == prato.digest


def test_refused_access_is_not_on_the_agenda(elenco: dict[str, Any]) -> None:
    """The direct request refused by the SIIL calls for no EM and is left out; the other cases are on the agenda."""
    assert set(entries(elenco)) == {"PO-2025-000231", "PO-2025-000187", "PO-2024-000412", "PO-2025-000356"}


def test_each_entry_has_operator_format_members_and_why(elenco: dict[str, Any]) -> None:
    """An entry names the social worker holding the case, the household, the format with its members and the reason."""
    entry = entries(elenco)["PO-2025-000187"]
    assert entry["operatore"] == "Sara Mugnai"
    assert entry["riferimento_nucleo"] == "H-PO-0187"
    # the format is chosen by a rule that may read special data, which some recipient may not receive
    assert (entry["format"], entry["partecipa_nucleo"], entry["modalita"]) == ("non_comunicato", None, [])
    assert entry["componenti"] == []
    sources = [m["fonte"] for m in entry["motivi"]]
    assert sources == ["scheda_esito", "valutazione"]
    assert entry["motivi"][0]["riferimento"] == "CPI-PO-ESITO-2025-0233"


def test_overdue_review_puts_the_project_on_the_agenda(elenco: dict[str, Any]) -> None:
    """A project whose progress review is overdue is on the agenda for monitoring."""
    why = entries(elenco)["PO-2024-000412"]["motivi"]
    assert {"fonte": "monitoraggio", "data": "2025-01-31",
            "descrizione": "Verifica dello stato di avanzamento del progetto scaduta il 2025-01-31."} in why


def test_the_agenda_names_its_recipients(elenco: dict[str, Any]) -> None:
    """The elenco names the CPI, the social service and the convened services whose name reveals no special data."""
    assert elenco["destinatari"] == ["casa", "cpi", "ssp", "terzo_settore"]  # SerD and CSM receive it, unnamed


def test_no_special_data_reaches_the_agenda_without_everyones_basis(elenco: dict[str, Any]) -> None:
    """The addiction need and the SerD stay out while some recipient lacks a consent; the entry lists the categories."""
    addiction = entries(elenco)["PO-2025-000231"]
    assert addiction["aree_di_bisogno"] == ["economico", "lavoro"]
    assert addiction["componenti"] == [] and addiction["format"] == "non_comunicato"
    assert [d["categoria"] for d in addiction["dati_non_trasmessi"]] == [
        "health", "addiction", "mental_health", "justice", "records"]
    text = json.dumps(elenco["voci"], ensure_ascii=False).lower()
    for word in ('"dipendenze"', "operatore_serd", '"salute_mentale"', "operatore_csm"):
        assert word not in text


def test_a_consent_of_every_recipient_lets_the_need_through(
    engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """Alone on the agenda, the addiction case goes to CPI, SSP and SerD, every member's consent covering them all:
    the need, the equipe allargata and the SerD show."""
    elenco = build_elenco_nominativo([example("dipendenze_e_lavoro.json")], meeting_date=MEETING, engine=engine)
    assert elenco["destinatari"] == ["cpi", "ssp"]  # the SerD receives it but is not named
    (entry,) = elenco["voci"]
    assert entry["aree_di_bisogno"] == ["dipendenze", "economico", "lavoro"]
    assert entry["format"] == "allargata"
    assert {"ruolo": "operatore_serd", "servizio": "serd"} in entry["componenti"]
    assert "addiction" not in [d["categoria"] for d in entry["dati_non_trasmessi"]]


def test_a_withdrawn_consent_no_longer_counts(engine: Engine, example: Callable[[str], dict[str, Any]],
                                              clock: FixedClock) -> None:
    """The mental-health consent withdrawn on 1 April 2025 lets nothing through at a meeting on 5 June."""
    clock.set(MEETING)
    elenco = build_elenco_nominativo([example("segnalazione_siil_terzo_settore.json")], meeting_date=MEETING,
                                     engine=engine)
    (entry,) = elenco["voci"]
    assert "salute_mentale" not in entry["aree_di_bisogno"]
    assert "mental_health" in [d["categoria"] for d in entry["dati_non_trasmessi"]]


def test_every_recipient_and_case_is_audited(
    audited_engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """Each case's entry leaves once to each recipient (through disclose_document), on channel elenco_nominativo."""
    engine = audited_engine
    elenco = build_elenco_nominativo([example("dipendenze_e_lavoro.json"), example("accesso_diretto_siil.json")],
                                     meeting_date=MEETING, engine=engine)
    records = engine.audit.records()
    assert {r.channel for r in records} == {"elenco_nominativo"}
    assert {r.case_id for r in records} == {"PO-2025-000231"}  # the refused access is not on the agenda
    assert sorted(r.recipient for r in records) == ["cpi", "serd", "ssp"]  # the SerD too, unnamed
    assert "serd" not in elenco["destinatari"]
    assert {r.purpose for r in records} == {"equipe"}


def test_rdc_recipient_enters_from_the_analisi_preliminare(
    engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """
    Under the RdC (June 2023, the regional equipe rules in force) the household enters through its
    analisi preliminare; in 2025 (AdI, work needs only) it is not on the agenda: routed to the CPI alone,
    it convenes no equipe. In May 2021 no rule that convenes an equipe was in force yet (DGRT 544/2023).
    """
    case = example("solo_lavoro.json")
    assert build_elenco_nominativo([case], meeting_date=dt.date(2021, 5, 3), engine=engine)["voci"] == []
    in_2021 = build_elenco_nominativo([case], meeting_date=dt.date(2023, 6, 15), engine=engine)
    assert [m["fonte"] for m in in_2021["voci"][0]["motivi"]] == ["analisi_preliminare"]
    assert in_2021["voci"][0]["misure_attive"] == ["rdc"]
    in_2025 = build_elenco_nominativo([case], meeting_date=MEETING, engine=engine)
    assert in_2025["voci"] == []
    # the CPI may not receive special data: the format, chosen by a rule that may read them, is not shown
    assert in_2021["voci"][0]["format"] == "non_comunicato"


def test_a_scheda_proposing_the_em_is_enough(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """A case not yet calling for an equipe is on the agenda when the CPI's scheda di esito proposes it."""
    case = example("pua_non_valutato.json")
    alone = build_elenco_nominativo([case], meeting_date=MEETING, engine=engine)
    assert alone["voci"] == []
    proposed = build_elenco_nominativo([case], meeting_date=MEETING, engine=engine, schede_esito=[scheda_esito()])
    (entry,) = proposed["voci"]
    assert [m["fonte"] for m in entry["motivi"]] == ["scheda_esito"]
    assert entry["format"] == "nessuna"
    later = build_elenco_nominativo([case], meeting_date=dt.date(2025, 5, 19), engine=engine,
                                    schede_esito=[scheda_esito()])
    assert later["voci"] == []  # the scheda is dated 20 May
    declined = build_elenco_nominativo([case], meeting_date=MEETING, engine=engine,
                                       schede_esito=[scheda_esito(proposta_equipe=False)])
    assert declined["voci"] == []


def test_bad_inputs_are_listed(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """A case outside Prato, a repeated case and a scheda for a case not given are all reported, by path."""
    outside = example("dipendenze_e_lavoro.json") | {"territory": "toscana", "id": "TO-1"}
    with pytest.raises(InputError) as info:
        build_elenco_nominativo([outside, example("solo_lavoro.json"), example("solo_lavoro.json")],
                                meeting_date=MEETING, engine=engine)
    assert [(d.path, d.value) for d in info.value.details] == [("$[0].territory", "toscana"),
                                                                ("$[2].id", "PO-2021-000102")]
    with pytest.raises(InputError) as info:
        build_elenco_nominativo([example("solo_lavoro.json")], meeting_date=MEETING, engine=engine,
                                schede_esito=[scheda_esito(), scheda_esito(esito_percorso="boh")])
    assert [(d.path, d.rule) for d in info.value.details] == [("$[0].case_id", "case_id"),
                                                              ("$[1].esito_percorso", "enum")]


@settings(max_examples=20, deadline=None)
@given(picked=st.lists(st.sampled_from(CASES), unique=True),
       day=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31)))
def test_any_agenda_is_valid_and_sorted(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]], picked: list[str], day: dt.date
) -> None:
    """Any agenda validates, is sorted, and shows a special need only if every recipient may receive it that day."""
    cases = {c["id"]: engine.load_case(c) for c in (example(n) for n in picked)}
    elenco = build_elenco_nominativo(list(cases.values()), meeting_date=day, engine=engine)
    assert instrument_errors(prato, "elenco_nominativo", elenco) == []
    keys = [(e["operatore"] or "~", e["case_id"]) for e in elenco["voci"]]
    assert keys == sorted(set(keys))
    assert all(e["motivi"] for e in elenco["voci"])
    for e in elenco["voci"]:
        case = cases[e["case_id"]]
        for need in e["aree_di_bisogno"]:
            category = prato.data_category("needs", need)
            subjects = [n.member or "*nucleo" for n in case.assessment.needs if n.code == need]  # type: ignore[union-attr]
            assert all(any(engine.grants(case, recipient=r, purpose=Purpose.EQUIPE).allows(category, s)
                           for s in subjects) for r in elenco["destinatari"]), (e["case_id"], need)
