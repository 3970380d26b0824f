"""
The scheda di invio/segnalazione, filled from a case (seed 000), through the recipient view.

"La scheda di invio raccoglie informazioni preliminari (a titolo esemplificativo:
precedenti contatti con i servizi, bisogni emergenti, etc.), nonché una serie di altre
informazioni dettagliate riguardanti l'esperienza lavorativa pregressa, il livello di
istruzione ed eventuali impedimenti alla ricerca autonoma di un impiego."

The form is filled from :meth:`inclusione_core.Engine.disclose_case` for the receiving
service (purpose ``referral``, channel ``scheda_invio``, on the date sent): it is audited,
and it carries only the categories that the territory's ``privacy`` flows or a valid
consent allow. Health, addiction, mental-health and judicial data therefore reach the CPI
only with the person's consent; what is left out is listed in ``dati_non_trasmessi`` (see
:mod:`inclusione_prato._privacy`). What the case does not model (past jobs, further
impediments, free notes) is passed in. The result is validated against
``instruments/scheda_invio.schema.json``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from inclusione_core import (
    Case,
    DataCategory,
    Engine,
    ErrorDetail,
    InputError,
    Purpose,
    Recipient,
    Referral,
    Territory,
    View,
)

from ._i18n import message
from ._privacy import HEALTH_CATEGORIES, HOUSEHOLD, SERVICE_CATEGORY, Allowed

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
# Service kinds -> the form's tipo_servizio for previous contacts; other kinds fall back to
# "altro". Contacts with health services are listed only when their category may flow.
_CONTACT_KINDS = {"ssp", "segretariato", "pua", "cpi", "terzo_settore", "casa"}
_CONTACT_ALIASES = {"scuola": "istruzione_formazione"}
CARE = "carichi di cura"
HEALTH = "motivi di salute"
CHANNEL = "scheda_invio"


def _referral(case: Case, referral: Referral | str) -> Referral:
    if isinstance(referral, Referral):
        return referral
    for r in case.referrals:
        if r.id == referral:
            return r
    known = ", ".join(r.id for r in case.referrals) or message("none")
    raise InputError(message("case {id}", id=case.id), [ErrorDetail(
        "$.referrals", message("unknown referral; the case's referrals: {known}", known=known), referral, "referral")])


def _withheld_error(case: Case, view: View, path: str, what: str) -> InputError:
    return InputError(message("case {id}", id=case.id), [ErrorDetail(
        path, message("{what} may not be disclosed to {recipient} for {purpose}: the form cannot be filled in (see the"
                      " territory's privacy configuration)", what=what, recipient=view.recipient.kind,
                      purpose=view.purpose.value), None, "privacy")])


def _member(case: Case, view: View, member: str | None) -> dict[str, Any]:
    household = view.data.get("household")
    if household is None or "members" not in household:
        raise _withheld_error(case, view, "$.household.members", message("the household"))
    members: list[dict[str, Any]] = household["members"]
    if member is None:
        ready = (view.data.get("assessment") or {}).get("work_ready_members") or []
        member = ready[0] if ready else members[0].get("id")
    for m in members:
        if m.get("id") == member:
            return m
    raise InputError(message("case {id}", id=case.id), [ErrorDetail("$.household.members", message("unknown member"),
                                                                   member, "member")])


def _service(territory: Territory, service_id: str, operator: str | None) -> dict[str, Any]:
    svc = territory.section("services").get(service_id)
    out: dict[str, Any] = {
        "tipo": service_id if svc is None else svc["kind"],
        "nome": service_id if svc is None else svc["label"]["it"],
    }
    if operator:
        out["operatore"] = operator
    return out


def previous_contacts(view: View, territory: Territory, referral: Mapping[str, Any],
                      allowed: Allowed) -> list[dict[str, Any]]:
    """
    Services the case met before the referral, first contact first, from the recipient's view.

    Found in the access (point and sender), the assessment and the case's other referrals,
    up to the referral's date; the sending service itself is the form's sender, not a
    previous contact. A health service (SerD, CSM, socio-sanitary) is listed only when the
    category it reveals may flow to the recipient.
    """
    seen: dict[str, dt.date] = {}
    sent_on = dt.date.fromisoformat(referral["sent_on"])

    def met(service: str | None, on: str | None) -> None:
        if service is None or on is None or service == referral["from_service"]:
            return
        day = dt.date.fromisoformat(on)
        if day <= sent_on:
            seen[service] = min(day, seen.get(service, day))

    data = view.data
    access = data.get("access") or {}
    met(access.get("point"), access.get("date"))
    met(access.get("from_service"), access.get("date"))
    assessment = data.get("assessment") or {}
    met(assessment.get("by_service"), assessment.get("date"))
    for other in data.get("referrals") or []:
        if other["id"] != referral["id"]:
            met(other["from_service"], other["sent_on"])
            met(other["to_service"], other["sent_on"])
    out = []
    for service, since in sorted(seen.items(), key=lambda kv: (kv[1], kv[0])):
        kind = territory.service_kind(service) or "altro"
        if kind in SERVICE_CATEGORY and not allowed(SERVICE_CATEGORY[kind], HOUSEHOLD):
            continue
        svc = territory.section("services").get(service)
        out.append({
            "servizio": svc["label"]["it"] if svc else service,
            "tipo_servizio": kind if kind in _CONTACT_KINDS else _CONTACT_ALIASES.get(kind, "altro"),
            "dal": since.isoformat(),
        })
    return out


def _needs(view: View) -> list[dict[str, Any]]:
    needs: list[dict[str, Any]] = (view.data.get("assessment") or {}).get("needs") or []
    return needs


def _impediments(view: View, territory: Territory, member: Mapping[str, Any], extra: Sequence[str]) -> list[str]:
    mine = [n for n in _needs(view) if n.get("member") in (None, member.get("id"))]
    found: list[str] = []
    if member.get("care_load") or any(n["code"] == "cura_familiare" for n in mine):
        found.append(CARE)
    health = member.get("in_socio_sanitary_care") or member.get("disability_percent") or any(
        territory.data_category("needs", n["code"]) in HEALTH_CATEGORIES for n in mine)
    if health:  # only what the view disclosed: the schema asks for these words and no detail
        found.append(HEALTH)
    for item in extra:
        if item not in found:
            found.append(item)
    return found


def _appointment(territory: Territory, referral: Mapping[str, Any], channel: str) -> dict[str, str] | None:
    booking = territory.section("services").get(referral["to_service"], {}).get("booking")
    if channel != BOOKING_CHANNEL or booking is None:
        return None
    sent_on = dt.date.fromisoformat(referral["sent_on"])
    days = (int(booking["weekday"]) - sent_on.weekday()) % 7 or 7
    return {"data": (sent_on + dt.timedelta(days=days)).isoformat()}


def _special_references(view: View) -> list[str]:
    """The consents and legal bases under which special categories went out in the view."""
    refs = []
    for d in view.disclosed:
        if not DataCategory(d.category).special:
            continue
        ref = (f"consenso {', '.join(d.consents)}" if d.consents
               else f"{d.legal_basis.document} {d.legal_basis.section}".strip())
        ref = f"{DataCategory(d.category).label_it}: {ref}"
        if ref not in refs:
            refs.append(ref)
    return refs


def build_scheda_invio(
    case: Case,
    *,
    referral: Referral | str,
    sender_operator: str,
    engine: Engine,
    as_of: dt.date | None = None,
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
    Fill the Prato scheda di invio for one of the case's referrals, through the view of the
    receiving service (audited on channel ``scheda_invio``).

    :param case: the case; its assessment gives the emerging needs and the member's data.
    :param referral: the referral (or its id among ``case.referrals``); one of its two
        services must be the CPI, as the form requires.
    :param sender_operator: who fills in the form at the sending service.
    :param engine: the engine whose configuration, privacy flows and audit apply.
    :param as_of: the date whose rules apply (default: the date sent); consents are judged
        when the form leaves (the engine's clock), never on it.
    :param member: the member referred (default: the first work-ready member, else the applicant).
    :param scheda_id: the form's number (default: the referral id).
    :param person_code: a pseudonymous code; default ``<household id>/<member id>``.
    :param work_experience: past jobs, as the form's ``esperienza_lavorativa_pregressa`` items.
    :param impediments: impediments to an autonomous job search besides those the case shows.
    :return: the form, valid against ``instruments/scheda_invio.schema.json``.
    :raises InputError: unknown referral or member, data the form needs withheld from the
        recipient, or the form does not validate (every error listed by JSON path).
    """
    territory = engine.territory(case.territory)
    ref = _referral(case, referral)
    kind = territory.service_kind(ref.to_service) or ref.to_service
    when = as_of or ref.sent_on
    recipient = Recipient(kind=kind, service=ref.to_service, name=receiver_operator or "")
    view = engine.disclose_case(case, recipient=recipient, purpose=Purpose.REFERRAL, as_of=when, channel=CHANNEL)
    allowed = Allowed(engine, case, [kind], Purpose.REFERRAL)
    shown = next((r for r in view.data.get("referrals") or [] if r["id"] == ref.id), None)
    if shown is None:
        raise _withheld_error(case, view, "$.referrals", message("the referral"))
    # Sender and recipient are the parties of the act itself, not content about the person:
    # the recipient learns who sends the form by receiving it.
    shown = {**shown, "from_service": ref.from_service, "to_service": ref.to_service}
    person = _member(case, view, member)
    channel = _CHANNELS.get(shown["channel"], "altro")
    household_id = (view.data.get("household") or {}).get("id")
    form: dict[str, Any] = {
        "id_scheda": scheda_id or shown["id"],
        "case_id": view.data.get("id", case.id),
        "data_invio": shown["sent_on"],
        "servizio_inviante": _service(territory, shown["from_service"], sender_operator),
        "servizio_destinatario": _service(territory, shown["to_service"], receiver_operator),
        "canale": channel,
        "persona": ({"codice_pseudonimo": person_code} if person_code
                    else {"id_persona": f"{household_id}/{person.get('id')}"}),
        "precedenti_contatti_servizi": previous_contacts(view, territory, shown, allowed),
        "bisogni_emergenti": sorted({n["code"] for n in _needs(view)}),
        "motivo_invio": shown["reason"],
    }
    appointment = _appointment(territory, shown, channel)
    if appointment is not None:
        form["appuntamento_prenotato"] = appointment
    if work_experience:
        form["nessuna_esperienza_lavorativa"] = False
        form["esperienza_lavorativa_pregressa"] = [dict(w) for w in work_experience]
    elif person.get("employment") == "inoccupato":  # inoccupato: has never worked
        form["nessuna_esperienza_lavorativa"] = True
    if person.get("education") is not None:
        form["livello_istruzione"] = person["education"]
    found = _impediments(view, territory, person, impediments)
    if found:
        form["impedimenti_ricerca_autonoma"] = found
    if other_information:
        form["altre_informazioni"] = other_information
    refs = _special_references(view)
    form["informazioni_riservate_trasmesse"] = bool(refs)
    if refs:
        form["riferimento_consenso"] = "; ".join(refs)
    withheld = allowed.not_transmitted()
    if withheld:
        form["dati_non_trasmessi"] = withheld
    if notes:
        form["note"] = notes
    territory.validate_instrument(INSTRUMENT, form, f"scheda di invio {form['id_scheda']} (caso {case.id})")
    return form
