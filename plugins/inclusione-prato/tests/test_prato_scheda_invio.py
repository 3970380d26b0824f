"""The scheda di invio built from a case: the fields seed 000 lists, valid against its schema, no special categories."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import Engine, InputError, Territory
from inclusione_prato import SPECIAL_CATEGORY_NEEDS, build_scheda_invio, instrument_errors

ALL_NEEDS = ["lavoro", "formazione", "economico", "abitativo", "reti_relazioni", "cura_familiare", "salute",
             "disabilita", "dipendenze", "salute_mentale", "giustizia", "poverta_educativa"]


def with_referral(case: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The case with one referral SSP -> CPI (changes override its fields)."""
    referral = {"id": "INV-1", "from_service": "ssp", "to_service": "cpi", "channel": "scheda_invio",
                "reason": "Accompagnamento al lavoro dopo la stabilizzazione del percorso terapeutico.",
                "sent_on": "2025-04-10"}
    case["referrals"] = [*case.get("referrals", []), referral | changes]
    return case


def test_pua_booking_form_matches_the_weekly_slot(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """The PUA's form for a booked referral has the booking channel and the next weekly CPI appointment."""
    case = engine.load_case(example("pua_non_valutato.json"))
    form = build_scheda_invio(case, referral="PUA-PO-2025-0412", sender_operator="Giulia Bartolini", territory=prato)
    assert instrument_errors(prato, "scheda_invio", form) == []
    assert form["canale"] == "prenotazione_appuntamento_pua"
    assert form["appuntamento_prenotato"] == {"data": "2025-03-11"}
    assert form["servizio_inviante"] == {"tipo": "pua", "nome": prato.section("services")["pua"]["label"]["it"],
                                         "operatore": "Giulia Bartolini"}
    assert form["servizio_destinatario"]["tipo"] == "cpi"
    assert form["persona"] == {"id_persona": "H-PO-0187/m1"}
    assert form["livello_istruzione"] == "licenza_media"
    assert form["impedimenti_ricerca_autonoma"] == ["carichi di cura"]
    assert form["motivo_invio"].startswith("Richiesta di orientamento")


def test_health_needs_stay_out_of_the_form(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """For a person followed by the SerD the form lists no addiction need, no SerD contact, only "motivi di salute"."""
    case = engine.load_case(with_referral(example("dipendenze_e_lavoro.json")))
    form = build_scheda_invio(case, referral="INV-1", sender_operator="Lucia Rindi", territory=prato)
    assert form["bisogni_emergenti"] == ["economico", "lavoro"]
    assert form["impedimenti_ricerca_autonoma"] == ["motivi di salute"]
    assert form["informazioni_riservate_trasmesse"] is False
    text = repr(form).lower()
    for word in ("dipendenz", "serd", "salute_mentale"):
        assert word not in text
    assert [c["tipo_servizio"] for c in form["precedenti_contatti_servizi"]] == []  # ssp is the sender


def test_previous_contacts_come_from_the_case_history(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """Services met before the referral (access, assessment, other referrals) are listed, first contact first."""
    data = example("cpi_reinvio_ssp.json")
    data = with_referral(data, id="CPI-ESITO-1", from_service="cpi", to_service="ssp", channel="scheda_esito",
                         sent_on="2025-05-20", reason="Presa in carico integrata per la conciliazione.")
    case = engine.load_case(data)
    form = build_scheda_invio(case, referral="CPI-ESITO-1", sender_operator="Marco Lenzi", territory=prato,
                              receiver_operator="Sara Mugnai",
                              work_experience=[{"mansione": "Addetta al controllo qualità", "settore": "tessile"}],
                              impediments=["assenza di patente"])
    assert [(c["tipo_servizio"], c["dal"]) for c in form["precedenti_contatti_servizi"]] == [("pua", "2025-03-04")]
    assert form["canale"] == "altro"
    assert form["nessuna_esperienza_lavorativa"] is False
    assert form["esperienza_lavorativa_pregressa"][0]["settore"] == "tessile"
    assert form["impedimenti_ricerca_autonoma"] == ["carichi di cura", "assenza di patente"]
    assert form["servizio_destinatario"]["operatore"] == "Sara Mugnai"
    assert "appuntamento_prenotato" not in form


def test_a_person_who_never_worked(engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]) -> None:
    """An applicant recorded as inoccupato (never worked) is flagged as having no work experience."""
    data = with_referral(example("pua_non_valutato.json"), from_service="pua")
    data["household"]["members"][0]["employment"] = "inoccupato"
    form = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Giulia Bartolini",
                              territory=prato, person_code="PSN-7F3K2Q")
    assert form["nessuna_esperienza_lavorativa"] is True
    assert form["persona"] == {"codice_pseudonimo": "PSN-7F3K2Q"}


def test_a_form_between_two_social_services_is_refused(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """The form is for exchanges with the CPI: between two social services it fails, naming the rule broken."""
    case = engine.load_case(with_referral(example("dipendenze_e_lavoro.json"), to_service="segretariato"))
    with pytest.raises(InputError) as info:
        build_scheda_invio(case, referral="INV-1", sender_operator="Lucia Rindi", territory=prato)
    assert "INV-1" in info.value.source
    assert [d.rule for d in info.value.details] == ["oneOf"]


def test_a_sender_outside_the_form_kinds_is_refused(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """A referral sent by the SerD cannot be written on this form: the error names the field and the value."""
    case = engine.load_case(with_referral(example("dipendenze_e_lavoro.json"), from_service="serd"))
    with pytest.raises(InputError) as info:
        build_scheda_invio(case, referral="INV-1", sender_operator="Operatore SerD", territory=prato)
    assert ("$.servizio_inviante.tipo", "serd") in [(d.path, d.value) for d in info.value.details]


def test_unknown_referral_or_member_is_a_clear_error(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """Asking for a referral or a member the case does not have raises InputError naming it."""
    case = engine.load_case(example("pua_non_valutato.json"))
    with pytest.raises(InputError) as info:
        build_scheda_invio(case, referral="NOPE", sender_operator="x", territory=prato)
    assert info.value.details[0].value == "NOPE"
    with pytest.raises(InputError) as info:
        build_scheda_invio(case, referral="PUA-PO-2025-0412", sender_operator="x", territory=prato, member="m9")
    assert info.value.details[0].path == "$.household.members"


@settings(max_examples=40, deadline=None)
@given(needs=st.lists(st.sampled_from(ALL_NEEDS), unique=True),
       care=st.booleans(), treated=st.booleans())
def test_any_form_validates_and_carries_no_special_category(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]],
    needs: list[str], care: bool, treated: bool,
) -> None:
    """Whatever the needs, the form validates, lists only shareable needs and says at most "motivi di salute"."""
    data = with_referral(example("dipendenze_e_lavoro.json"))
    data["assessment"]["needs"] = [{"code": n, "member": "m1"} for n in needs]
    data["household"]["members"][0]["care_load"] = care
    data["household"]["members"][0]["in_socio_sanitary_care"] = treated
    form = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Lucia Rindi", territory=prato)
    assert instrument_errors(prato, "scheda_invio", form) == []
    assert form["bisogni_emergenti"] == sorted(set(needs) - SPECIAL_CATEGORY_NEEDS)
    health = treated or bool({"salute", "disabilita", "dipendenze", "salute_mentale"} & set(needs))
    assert ("motivi di salute" in form.get("impedimenti_ricerca_autonoma", [])) is health
    assert not any(code in repr(form) for code in SPECIAL_CATEGORY_NEEDS - {"salute"})
