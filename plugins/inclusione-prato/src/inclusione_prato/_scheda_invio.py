"""
The scheda di invio/segnalazione, filled from a case (seed 000).

"La scheda di invio raccoglie informazioni preliminari (a titolo esemplificativo:
precedenti contatti con i servizi, bisogni emergenti, etc.), nonché una serie di altre
informazioni dettagliate riguardanti l'esperienza lavorativa pregressa, il livello di
istruzione ed eventuali impedimenti alla ricerca autonoma di un impiego."

What the case knows is taken from it (services met, needs, education, care loads); what
it does not model (past jobs, further impediments, free notes) is passed in. Special
categories of data never enter the form (see :mod:`inclusione_prato._privacy`). The
result is validated against ``instruments/scheda_invio.schema.json``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from inclusione_core import (
    Case,
    EmploymentStatus,
    ErrorDetail,
    InputError,
    Member,
    Referral,
    Territory,
)

from ._instruments import check_instrument
from ._privacy import HEALTH_NEEDS, SPECIALIST_SERVICE_KINDS, shareable_needs

INSTRUMENT = "scheda_invio"
BOOKING_CHANNEL = "prenotazione_appuntamento_pua"
_CHANNELS = {
    "prenotazione_settimanale": BOOKING_CHANNEL,
    "prenotazione": BOOKING_CHANNEL,
    BOOKING_CHANNEL: BOOKING_CHANNEL,
    "posta_elettronica": "posta_elettronica",
    "pec": "pec",
    "piattaforma_informatica": "piattaforma_informatica",
    "equipe_multidisciplinare": "equipe_multidisciplinare",
    "consegna_diretta": "consegna_diretta",
}
# Service kinds -> the form's tipo_servizio for previous contacts; health services are
# never listed there (the schema says so), other kinds fall back to "altro".
_CONTACT_KINDS = {"ssp", "segretariato", "pua", "cpi", "terzo_settore", "casa"}
_CONTACT_ALIASES = {"scuola": "istruzione_formazione"}
CARE = "carichi di cura"
HEALTH = "motivi di salute"


def _referral(case: Case, referral: Referral | str) -> Referral:
    if isinstance(referral, Referral):
        return referral
    for r in case.referrals:
        if r.id == referral:
            return r
    known = ", ".join(r.id for r in case.referrals) or "nessuno"
    raise InputError(f"caso {case.id}", [ErrorDetail("$.referrals", f"invio sconosciuto; invii del caso: {known}",
                                                     referral, "referral")])


def _member(case: Case, member: str | None) -> Member:
    members = case.household.members
    if member is None:
        ready = case.assessment.work_ready_members if case.assessment is not None else ()
        member = ready[0] if ready else members[0].id
    for m in members:
        if m.id == member:
            return m
    raise InputError(f"caso {case.id}", [ErrorDetail("$.household.members", "componente sconosciuto", member,
                                                     "member")])


def _service(territory: Territory, service_id: str, operator: str | None) -> dict[str, Any]:
    svc = territory.section("services").get(service_id)
    out: dict[str, Any] = {
        "tipo": service_id if svc is None else svc["kind"],
        "nome": service_id if svc is None else svc["label"]["it"],
    }
    if operator:
        out["operatore"] = operator
    return out


def previous_contacts(case: Case, territory: Territory, referral: Referral) -> list[dict[str, Any]]:
    """
    Services the case met before the referral, first contact first; never health services.

    Found in the access (point and sender), the assessment and the case's other referrals,
    up to the referral's date; the sending service itself is the form's sender, not a
    previous contact.
    """
    seen: dict[str, dt.date] = {}

    def met(service: str | None, on: dt.date) -> None:
        if service is None or service == referral.from_service or on > referral.sent_on:
            return
        seen[service] = min(on, seen.get(service, on))

    if case.access is not None:
        met(case.access.point, case.access.date)
        met(case.access.from_service, case.access.date)
    if case.assessment is not None:
        met(case.assessment.by_service, case.assessment.date)
    for other in case.referrals:
        if other.id != referral.id:
            met(other.from_service, other.sent_on)
            met(other.to_service, other.sent_on)
    out = []
    for service, since in sorted(seen.items(), key=lambda kv: (kv[1], kv[0])):
        kind = territory.service_kind(service) or "altro"
        if kind in SPECIALIST_SERVICE_KINDS:
            continue
        svc = territory.section("services").get(service)
        out.append({
            "servizio": svc["label"]["it"] if svc else service,
            "tipo_servizio": kind if kind in _CONTACT_KINDS else _CONTACT_ALIASES.get(kind, "altro"),
            "dal": since.isoformat(),
        })
    return out


def _impediments(case: Case, member: Member, extra: Sequence[str]) -> list[str]:
    needs = case.assessment.needs if case.assessment is not None else ()
    mine = [n for n in needs if n.member in (None, member.id)]
    found: list[str] = []
    if member.care_load or any(n.code == "cura_familiare" for n in mine):
        found.append(CARE)
    if member.in_socio_sanitary_care or member.disability_percent or any(n.code in HEALTH_NEEDS for n in mine):
        found.append(HEALTH)  # the schema asks for these words and no detail
    for item in extra:
        if item not in found:
            found.append(item)
    return found


def _appointment(territory: Territory, referral: Referral, channel: str) -> dict[str, str] | None:
    booking = territory.section("services").get(referral.to_service, {}).get("booking")
    if channel != BOOKING_CHANNEL or booking is None:
        return None
    days = (int(booking["weekday"]) - referral.sent_on.weekday()) % 7 or 7
    return {"data": (referral.sent_on + dt.timedelta(days=days)).isoformat()}


def build_scheda_invio(
    case: Case,
    *,
    referral: Referral | str,
    sender_operator: str,
    territory: Territory,
    member: str | None = None,
    scheda_id: str | None = None,
    receiver_operator: str | None = None,
    person_code: str | None = None,
    work_experience: Sequence[Mapping[str, Any]] = (),
    impediments: Sequence[str] = (),
    other_information: str | None = None,
    notes: str | None = None,
) -> dict[str, Any]:
    """
    Fill the Prato scheda di invio for one of the case's referrals.

    :param case: the case; its assessment gives the emerging needs and the member's data.
    :param referral: the referral (or its id among ``case.referrals``); one of its two
        services must be the CPI, as the form requires.
    :param sender_operator: who fills in the form at the sending service.
    :param territory: the compiled ``prato`` territory (or one within it).
    :param member: the member referred (default: the first work-ready member, else the applicant).
    :param scheda_id: the form's number (default: the referral id).
    :param person_code: a pseudonymous code; default ``<household id>/<member id>``.
    :param work_experience: past jobs, as the form's ``esperienza_lavorativa_pregressa`` items.
    :param impediments: impediments to an autonomous job search besides those the case shows.
    :return: the form, valid against ``instruments/scheda_invio.schema.json``.
    :raises InputError: unknown referral or member, or the form does not validate (every
        error listed by JSON path).
    """
    ref = _referral(case, referral)
    person = _member(case, member)
    channel = _CHANNELS.get(ref.channel, "altro")
    needs = case.assessment.need_codes() if case.assessment is not None else frozenset()
    form: dict[str, Any] = {
        "id_scheda": scheda_id or ref.id,
        "case_id": case.id,
        "data_invio": ref.sent_on.isoformat(),
        "servizio_inviante": _service(territory, ref.from_service, sender_operator),
        "servizio_destinatario": _service(territory, ref.to_service, receiver_operator),
        "canale": channel,
        "persona": ({"codice_pseudonimo": person_code} if person_code
                    else {"id_persona": f"{case.household.id}/{person.id}"}),
        "precedenti_contatti_servizi": previous_contacts(case, territory, ref),
        "bisogni_emergenti": shareable_needs(needs),
        "motivo_invio": ref.reason,
        "informazioni_riservate_trasmesse": False,
    }
    appointment = _appointment(territory, ref, channel)
    if appointment is not None:
        form["appuntamento_prenotato"] = appointment
    if work_experience:
        form["nessuna_esperienza_lavorativa"] = False
        form["esperienza_lavorativa_pregressa"] = [dict(w) for w in work_experience]
    elif person.employment is EmploymentStatus.INOCCUPATO:  # inoccupato: has never worked
        form["nessuna_esperienza_lavorativa"] = True
    if person.education is not None:
        form["livello_istruzione"] = person.education.value
    found = _impediments(case, person, impediments)
    if found:
        form["impedimenti_ricerca_autonoma"] = found
    if other_information:
        form["altre_informazioni"] = other_information
    if notes:
        form["note"] = notes
    check_instrument(territory, INSTRUMENT, form, f"scheda di invio {form['id_scheda']} (caso {case.id})")
    return form
