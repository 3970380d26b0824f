"""The scheda di invio built from a case through the recipient's view: the fields seed 000 lists, valid, audited."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import DataCategory, Engine, InputError, Territory
from inclusione_core.testing import FixedClock
from inclusione_prato import build_scheda_invio, instrument_errors

ALL_NEEDS = ["lavoro", "formazione", "economico", "abitativo", "reti_relazioni", "cura_familiare", "salute",
             "disabilita", "dipendenze", "salute_mentale", "giustizia", "poverta_educativa"]
SPECIAL_NEEDS = {"salute", "disabilita", "dipendenze", "salute_mentale", "giustizia"}
HEALTH_NEEDS = {"salute", "disabilita", "dipendenze", "salute_mentale"}
SPECIAL = ["health", "addiction", "mental_health", "justice", "records"]


def with_referral(case: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The case with one referral SSP -> CPI (changes override its fields)."""
    referral = {"id": "INV-1", "from_service": "ssp", "to_service": "cpi", "channel": "scheda_invio",
                "reason": "Accompagnamento al lavoro dopo la stabilizzazione del percorso terapeutico.",
                "sent_on": "2025-04-10"}
    case["referrals"] = [*case.get("referrals", []), referral | changes]
    return case


def consent(**changes: Any) -> dict[str, Any]:
    """A consent of member m1 to pass addiction data to the CPI for the referral, given on 1 April 2025."""
    return {"id": "CONS-1", "member": "m1", "categories": ["addiction"], "recipients": ["cpi"],
            "purposes": ["referral"], "given_on": "2025-04-01", "evidence": "modulo firmato, prot. 123"} | changes


def test_pua_booking_form_matches_the_weekly_slot(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """The PUA's form for a booked referral has the booking channel and the next weekly CPI appointment."""
    case = engine.load_case(example("pua_non_valutato.json"))
    form = build_scheda_invio(case, referral="PUA-PO-2025-0412", sender_operator="Giulia Bartolini", engine=engine)
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


def test_the_form_is_a_disclosure_recorded_in_the_audit(
    audited_engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """Filling the form discloses the case to the CPI for the referral on the date sent, and the audit says so."""
    engine = audited_engine
    case = engine.load_case(with_referral(example("dipendenze_e_lavoro.json")))
    build_scheda_invio(case, referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    (record,) = engine.disclosure_history(case.id)
    assert (record.recipient, record.recipient_service, record.purpose, record.channel, record.as_of) == (
        "cpi", "cpi", "referral", "scheda_invio", "2025-04-10")
    assert {d["category"] for d in record.disclosed} >= {"identity", "work", "education", "process"}
    assert set(record.not_disclosed) >= {"addiction", "health"}  # what the CPI may not receive, not what was held


def test_health_needs_stay_out_of_the_form_without_consent(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """For a person followed by the SerD, without consent the form has no addiction need, no SerD, no health reason."""
    case = engine.load_case(with_referral(example("dipendenze_e_lavoro.json")))
    form = build_scheda_invio(case, referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert instrument_errors(prato, "scheda_invio", form) == []
    assert form["bisogni_emergenti"] == ["economico", "lavoro"]
    assert "impedimenti_ricerca_autonoma" not in form
    assert form["informazioni_riservate_trasmesse"] is False
    assert "riferimento_consenso" not in form
    assert [d["categoria"] for d in form["dati_non_trasmessi"]] == SPECIAL
    assert "dipendenze" not in form["bisogni_emergenti"]
    assert "serd" not in json.dumps(form).lower()
    assert form["precedenti_contatti_servizi"] == []  # ssp is the sender, the SerD is not listed


def test_a_valid_consent_lets_the_addiction_need_reach_the_cpi(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """With the person's consent for addiction data to the CPI, the form carries the need and names the consent."""
    data = with_referral(example("dipendenze_e_lavoro.json"))
    data["consents"] = [consent()]
    form = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert instrument_errors(prato, "scheda_invio", form) == []
    assert form["bisogni_emergenti"] == ["dipendenze", "economico", "lavoro"]
    assert form["impedimenti_ricerca_autonoma"] == ["motivi di salute"]
    assert form["informazioni_riservate_trasmesse"] is True
    assert form["riferimento_consenso"] == "dipendenze (art. 9 GDPR): consenso CONS-1"
    # that the SerD sent the case concerns the household: it goes only with every adult's consent;
    # that the SerD has m1 in charge is m1's own datum: with m1's consent, with no date
    assert [(c["tipo_servizio"], c.get("dal")) for c in form["precedenti_contatti_servizi"]] == [("altro", None)]
    assert "addiction" in [d["categoria"] for d in form["dati_non_trasmessi"]]  # not for the whole case
    data["consents"] = [consent(), consent(id="CONS-2", member="m2")]
    form = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert form["riferimento_consenso"] == "dipendenze (art. 9 GDPR): consenso CONS-1, CONS-2"
    assert [(c["tipo_servizio"], c.get("dal")) for c in form["precedenti_contatti_servizi"]] == [
        ("altro", "2025-03-20")]  # the SerD that referred (and has m1 in charge), once


def test_a_consent_for_another_purpose_or_withdrawn_does_not_count(
    engine: Engine, example: Callable[[str], dict[str, Any]], clock: FixedClock
) -> None:
    """
    The example's consents (equipe, monitoring) do not cover the referral; one withdrawn
    before the form leaves neither, whatever date the form is filled as of.
    """
    data = with_referral(example("dipendenze_e_lavoro.json"))
    assert {tuple(c["purposes"]) for c in data["consents"]} == {("equipe", "monitoring")}
    form = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert "dipendenze" not in form["bisogni_emergenti"]
    data["consents"] = [consent(withdrawn_on="2025-04-10")]
    form = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert "dipendenze" not in form["bisogni_emergenti"]
    backdated = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Lucia Rindi",
                                   engine=engine, as_of=dt.date(2025, 4, 9))
    assert "dipendenze" not in backdated["bisogni_emergenti"]  # the withdrawal holds when the form leaves
    clock.set(dt.date(2025, 4, 9))
    earlier = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Lucia Rindi",
                                 engine=engine)
    assert "dipendenze" in earlier["bisogni_emergenti"]


def test_previous_contacts_come_from_the_case_history(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """Services met before the referral (access, assessment, other referrals) are listed, first contact first."""
    data = example("cpi_reinvio_ssp.json")
    data = with_referral(data, id="CPI-ESITO-1", from_service="cpi", to_service="ssp", channel="scheda_esito",
                         sent_on="2025-05-20", reason="Presa in carico integrata per la conciliazione.")
    case = engine.load_case(data)
    form = build_scheda_invio(case, referral="CPI-ESITO-1", sender_operator="Marco Lenzi", engine=engine,
                              receiver_operator="Sara Mugnai", impediments=["orari dei mezzi pubblici"])
    # the CPI, which has her in charge, is the sender: not a previous contact
    assert [(c["tipo_servizio"], c["dal"]) for c in form["precedenti_contatti_servizi"]] == [("pua", "2025-03-04")]
    assert form["canale"] == "altro"
    # care load (two children, a single parent), no driving licence (recorded as none), and the caller's
    assert form["impedimenti_ricerca_autonoma"] == ["carichi di cura", "mancanza di patente",
                                                    "orari dei mezzi pubblici"]
    assert form["servizio_destinatario"]["operatore"] == "Sara Mugnai"
    assert "appuntamento_prenotato" not in form


def test_work_experience_comes_from_the_case(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """
    The member's work history (case format 2) fills the past work experience, the most
    recent job first, with what the case records of each; the caller passes none.
    """
    data = example("cpi_reinvio_ssp.json")
    data["household"]["members"][0]["work_history"].reverse()  # in any order in the case
    form = build_scheda_invio(engine.load_case(data), referral="PUA-PO-2025-0412", sender_operator="Giulia Bartolini",
                              engine=engine)
    assert instrument_errors(prato, "scheda_invio", form) == []
    assert form["nessuna_esperienza_lavorativa"] is False
    assert form["esperienza_lavorativa_pregressa"] == [
        {"mansione": "collaboratrice domestica", "settore": "lavoro domestico", "dal": "2019-02-01",
         "al": "2024-06-30", "tipo_contratto": "senza_contratto_regolare"},
        {"mansione": "addetta al controllo qualità", "settore": "tessile", "dal": "2006-09-04", "al": "2018-12-31",
         "tipo_contratto": "tempo_determinato"},
    ]
    data["household"]["members"][0]["work_history"] = [{"occupation": "cameriera"}, {
        "occupation": "aiuto cuoca", "start": "2025-01-07"}]  # the job that lasts comes first
    form = build_scheda_invio(engine.load_case(data), referral="PUA-PO-2025-0412", sender_operator="x", engine=engine)
    assert [j["mansione"] for j in form["esperienza_lavorativa_pregressa"]] == ["aiuto cuoca", "cameriera"]
    with pytest.raises(TypeError):
        build_scheda_invio(engine.load_case(data), referral="PUA-PO-2025-0412", sender_operator="x", engine=engine,
                           work_experience=[{"mansione": "x"}])  # type: ignore[call-arg]


def test_a_member_s_services_and_record_give_contacts_and_impediments(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """
    The services that have the person in charge join the previous contacts (a SerD only
    with the person's consent, as "altro"); health services, a low level of Italian and no
    driving licence are impediments, each only as far as the view shows it.
    """
    data = with_referral(example("dipendenze_e_lavoro.json"))
    data["consents"] = []
    data["household"]["members"][0].update(languages=[{"code": "ar", "level": "madrelingua"},
                                                      {"code": "it", "level": "A2"}], driving_licences=[])
    form = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert form["precedenti_contatti_servizi"] == []  # the SSP is the sender; the SerD withheld (and its sending)
    assert form["impedimenti_ricerca_autonoma"] == ["conoscenza della lingua italiana", "mancanza di patente"]
    assert [j["mansione"] for j in form["esperienza_lavorativa_pregressa"]] == [
        "magazziniere", "addetto al carico e scarico merci"]
    data["consents"] = [consent()]  # m1's own consent: their services, not the household's sender
    form = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert form["precedenti_contatti_servizi"] == [
        {"servizio": prato.section("services")["serd"]["label"]["it"], "tipo_servizio": "altro"}]
    assert form["impedimenti_ricerca_autonoma"] == ["motivi di salute", "conoscenza della lingua italiana",
                                                    "mancanza di patente"]
    data["household"]["members"][0].update(languages=[{"code": "it", "level": "B1"}], driving_licences=None)
    form = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert form["impedimenti_ricerca_autonoma"] == ["motivi di salute"]


def test_a_person_who_never_worked(engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]) -> None:
    """An applicant recorded as inoccupato (never worked) is flagged as having no work experience."""
    data = with_referral(example("pua_non_valutato.json"), from_service="pua")
    data["household"]["members"][0]["employment"] = "inoccupato"
    form = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Giulia Bartolini",
                              engine=engine, person_code="PSN-7F3K2Q")
    assert form["nessuna_esperienza_lavorativa"] is True
    assert form["persona"] == {"codice_pseudonimo": "PSN-7F3K2Q"}


def test_a_form_between_two_social_services_is_refused(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """The form is for exchanges with the CPI: between two social services it fails, naming the rule broken."""
    case = engine.load_case(with_referral(example("dipendenze_e_lavoro.json"), to_service="segretariato"))
    with pytest.raises(InputError) as info:
        build_scheda_invio(case, referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert "INV-1" in info.value.source
    assert [(d.path, d.rule, d.value) for d in info.value.details] == [("$.servizio_inviante.tipo", "const", "ssp")]
    assert '"cpi"' in info.value.details[0].message


def test_a_sender_outside_the_form_kinds_is_refused(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """A referral sent by the SerD cannot be written on this form: the error names the field and the value."""
    data = with_referral(example("dipendenze_e_lavoro.json"), from_service="serd")
    for consent in data["consents"]:  # the sender may be disclosed for the referral
        consent["purposes"].append("referral")
    case = engine.load_case(data)
    with pytest.raises(InputError) as info:
        build_scheda_invio(case, referral="INV-1", sender_operator="Operatore SerD", engine=engine)
    assert ("$.servizio_inviante.tipo", "serd") in [(d.path, d.value) for d in info.value.details]


def test_a_sender_that_reveals_a_special_category_needs_a_consent(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """
    A form from the SerD tells the CPI the person is in its care: without a consent for
    the referral the sender is withheld, and the form is refused naming the field (it is
    never filled from the raw referral).
    """
    case = engine.load_case(with_referral(example("dipendenze_e_lavoro.json"), from_service="serd"))
    with pytest.raises(InputError) as info:
        build_scheda_invio(case, referral="INV-1", sender_operator="Operatore SerD", engine=engine)
    [detail] = info.value.details
    assert (detail.path, detail.rule, detail.value) == ("$.referrals[0].from_service", "privacy", None)
    assert "servizio inviante" in detail.message


def test_unknown_referral_or_member_is_a_clear_error(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]]
) -> None:
    """Asking for a referral or a member the case does not have raises InputError naming it."""
    case = engine.load_case(example("pua_non_valutato.json"))
    with pytest.raises(InputError) as info:
        build_scheda_invio(case, referral="NOPE", sender_operator="x", engine=engine)
    assert info.value.details[0].value == "NOPE"
    with pytest.raises(InputError) as info:
        build_scheda_invio(case, referral="PUA-PO-2025-0412", sender_operator="x", engine=engine, member="m9")
    assert info.value.details[0].path == "$.household.members"


def test_a_recipient_without_any_basis_gets_no_form(
    engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """A referral to a service the territory does not know is refused before anything leaves, by path."""
    case = engine.load_case(with_referral(example("dipendenze_e_lavoro.json"), to_service="sconosciuto"))
    with pytest.raises(InputError) as info:
        build_scheda_invio(case, referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert [(d.path, d.rule) for d in info.value.details] == [("$.referrals[0].to_service", "ref:services")]


@settings(max_examples=40, deadline=None)
@given(needs=st.lists(st.sampled_from(ALL_NEEDS), unique=True), care=st.booleans(), treated=st.booleans(),
       consented=st.lists(st.sampled_from(["health", "addiction", "mental_health", "justice"]), unique=True),
       services=st.lists(st.sampled_from(["ssp", "serd", "csm", "sociosanitario", "casa"]), unique=True))
def test_any_form_validates_and_carries_special_data_only_with_consent(
    engine: Engine, prato: Territory, example: Callable[[str], dict[str, Any]],
    needs: list[str], care: bool, treated: bool, consented: list[str], services: list[str],
) -> None:
    """
    Whatever the needs, services in charge and consents, the form validates and lists a
    special need, or a health service in charge, only under a consent for it.
    """
    data = with_referral(example("dipendenze_e_lavoro.json"))
    data["assessment"]["needs"] = [{"code": n, "member": "m1"} for n in needs]
    data["household"]["members"][0]["care_load"] = care  # format 1's boolean still loads
    data["household"]["members"][0]["in_socio_sanitary_care"] = treated
    data["household"]["members"][0]["services"] = services
    data["consents"] = [consent(categories=consented)] if consented else []
    form = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert instrument_errors(prato, "scheda_invio", form) == []
    allowed = {c for c in ALL_NEEDS if prato.data_category("needs", c) in {*consented, "work", "education",
                                                                               "economic", "housing", "social",
                                                                               "household"}}
    assert form["bisogni_emergenti"] == sorted(set(needs) & allowed)
    health_ok = {"health", "addiction", "mental_health"} & set(consented)
    shown_health = (treated and "health" in consented) or any(
        n in HEALTH_NEEDS and prato.data_category("needs", n) in health_ok for n in needs) or any(
        prato.data_category("services", s) in health_ok for s in services)
    contacts = {c["servizio"] for c in form["precedenti_contatti_servizi"]}
    for s in services:
        label = prato.section("services")[s]["label"]["it"]
        category = prato.data_category("services", s)
        assert (label in contacts) is (s != "ssp" and (category in consented or not DataCategory(category).special))
    assert ("motivi di salute" in form.get("impedimenti_ricerca_autonoma", [])) is bool(shown_health)
    assert form["informazioni_riservate_trasmesse"] is ("riferimento_consenso" in form)


@settings(max_examples=40, deadline=None)
@given(needs=st.lists(st.sampled_from(ALL_NEEDS), unique=True), treated=st.booleans())
def test_what_is_not_transmitted_reveals_nothing_about_special_data(
    engine: Engine, example: Callable[[str], dict[str, Any]], needs: list[str], treated: bool,
) -> None:
    """Without consents, the list of data not transmitted is the same whatever special needs the case has."""
    data = with_referral(example("dipendenze_e_lavoro.json"))
    data["consents"] = []
    data["assessment"]["needs"] = [{"code": n, "member": "m1"} for n in needs]
    data["household"]["members"][0]["in_socio_sanitary_care"] = treated
    form = build_scheda_invio(engine.load_case(data), referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert [d["categoria"] for d in form["dati_non_trasmessi"]] == SPECIAL
    assert not SPECIAL_NEEDS & set(form["bisogni_emergenti"])


def test_free_text_leaves_only_with_a_basis_for_records(
    audited_engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """
    The sender's notes and other information may say anything: they are judged as
    ``records`` (special), left out without a basis and listed as not transmitted, and go
    with a consent covering records for the CPI and the referral.
    """
    engine = audited_engine
    text = {"notes": "Segue terapia presso il SerD.", "other_information": "Colloquio del 2 aprile."}
    case = engine.load_case(with_referral(example("dipendenze_e_lavoro.json")))
    form = build_scheda_invio(case, referral="INV-1", sender_operator="Lucia Rindi", engine=engine, **text)
    assert "note" not in form and "altre_informazioni" not in form
    assert "records" in {d["categoria"] for d in form["dati_non_trasmessi"]}
    data = with_referral(example("dipendenze_e_lavoro.json"))
    data["consents"] = [consent(id=f"CONS-R{i}", member=m, categories=["records"]) for i, m in
                        enumerate(("m1", "m2"))]
    data["consents"].append(consent(id="CONS-R3", member="m3", categories=["records"],
                                    representative={"role": "genitore", "name": "Anna Bruni", "member": "m2"}))
    case = engine.load_case(data)
    form = build_scheda_invio(case, referral="INV-1", sender_operator="Lucia Rindi", engine=engine, **text)
    assert (form["note"], form["altre_informazioni"]) == (text["notes"], text["other_information"])
    record = engine.disclosure_history(case.id)[-1]
    assert "records" in {d["category"] for d in record.disclosed}


def test_the_form_leaves_once_through_the_document_disclosure(
    audited_engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """One audit record per form (the document that left), none for a form refused as invalid."""
    engine = audited_engine
    case = engine.load_case(with_referral(example("dipendenze_e_lavoro.json"), to_service="segretariato"))
    with pytest.raises(InputError):
        build_scheda_invio(case, referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert engine.disclosure_history(case.id) == []
    case = engine.load_case(with_referral(example("dipendenze_e_lavoro.json")))
    build_scheda_invio(case, referral="INV-1", sender_operator="Lucia Rindi", engine=engine)
    assert len(engine.disclosure_history(case.id)) == 1
