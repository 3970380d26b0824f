"""
The scheda di invio/segnalazione, filled from a case (the Prato article), through the recipient view.

"La scheda di invio raccoglie informazioni preliminari (a titolo esemplificativo:
precedenti contatti con i servizi, bisogni emergenti, etc.), nonché una serie di altre
informazioni dettagliate riguardanti l'esperienza lavorativa pregressa, il livello di
istruzione ed eventuali impedimenti alla ricerca autonoma di un impiego."

The form is filled from the receiving service's view of the case
(:meth:`inclusione_core.Engine.preview_case`, purpose ``referral``, on the date sent)
and leaves through :meth:`inclusione_core.Engine.disclose_document` (channel
``scheda_invio``, audited once), field by field as :data:`CATEGORIES` says: it carries
only the categories that the territory's ``privacy`` flows or a valid consent allow. The
sender's free text (``altre_informazioni``, ``note``) is ``records`` and goes only with
a consent covering it. Health, addiction, mental-health and judicial data therefore
reach the CPI only with the person's consent; what is left out is listed in
``dati_non_trasmessi`` (see :mod:`inclusione_prato._privacy`). The past work experience
comes from the member's ``work_history`` (case format 2), the services in charge of the
member join the previous contacts, and care loads, health, a low level of Italian and no
driving licence are impediments; what the case does not model (further impediments, free
notes) is passed in. The result is validated against ``instruments/scheda_invio.schema.json``.
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
ITALIAN = "conoscenza della lingua italiana"
NO_LICENCE = "mancanza di patente"
_BASIC_LEVELS = {"A1", "A2"}
"""Levels of Italian (CEFR) below the threshold of an autonomous user: an impediment."""
CHANNEL = "scheda_invio"
_PROCESS, _RECORDS = DataCategory.PROCESS.value, DataCategory.RECORDS.value
CATEGORIES: dict[str, str] = {
    # the act and its parties; what comes from the case view was filtered field by field there
    "id_scheda": _PROCESS, "case_id": _PROCESS, "data_invio": _PROCESS, "servizio_inviante": _PROCESS,
    "servizio_destinatario": _PROCESS, "canale": _PROCESS, "appuntamento_prenotato": _PROCESS,
    "precedenti_contatti_servizi": _PROCESS, "motivo_invio": _PROCESS,
    "informazioni_riservate_trasmesse": _PROCESS, "riferimento_consenso": _PROCESS, "dati_non_trasmessi": _PROCESS,
    "persona": DataCategory.IDENTITY.value,
    "bisogni_emergenti": DataCategory.SOCIAL.value, "impedimenti_ricerca_autonoma": DataCategory.SOCIAL.value,
    "nessuna_esperienza_lavorativa": DataCategory.WORK.value,
    "esperienza_lavorativa_pregressa": DataCategory.WORK.value,
    "livello_istruzione": DataCategory.EDUCATION.value, "titolo_studio_descrizione": DataCategory.EDUCATION.value,
    # free text written by the sender may say anything: documents as exchanged (special)
    "altre_informazioni": _RECORDS, "note": _RECORDS,
}
"""The data category of each field of the form, for :meth:`inclusione_core.Engine.disclose_document`."""


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
    members: list[dict[str, Any]] | None = view.get("household", "members")
    if members is None:
        raise _withheld_error(case, view, "$.household.members", message("the household"))
    if member is None:
        ready = view.get("assessment", "work_ready_members") or []
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
                      allowed: Allowed, person: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """
    Services the case met before the referral, first contact first, from the recipient's view.

    Found in the access (point and sender), the assessment and the case's other referrals,
    up to the referral's date, then the services that have the person in charge
    (``person``'s ``services``, with no date); the sending service itself is the form's
    sender, not a previous contact. A health service (SerD, CSM, socio-sanitary) is listed
    only when the category it reveals may flow to the recipient: about the household for
    the case's contacts, about the person for their own services.
    """
    seen: dict[str, dt.date] = {}
    sent_on = dt.date.fromisoformat(referral["sent_on"])

    def met(service: str | None, on: str | None) -> None:
        if service is None or on is None or service == referral["from_service"]:
            return
        day = dt.date.fromisoformat(on)
        if day <= sent_on:
            seen[service] = min(day, seen.get(service, day))

    met(view.get("access", "point"), view.get("access", "date"))
    met(view.get("access", "from_service"), view.get("access", "date"))
    met(view.get("assessment", "by_service"), view.get("assessment", "date"))
    for other in view.get("referrals") or []:
        if other["id"] != referral["id"]:
            met(other["from_service"], other["sent_on"])
            met(other["to_service"], other["sent_on"])
    out = []

    def contact(service: str, since: dt.date | None, subject: str) -> None:
        kind = territory.service_kind(service) or "altro"
        if kind in SERVICE_CATEGORY and not allowed(SERVICE_CATEGORY[kind], subject):
            return
        svc = territory.section("services").get(service)
        item = {
            "servizio": svc["label"]["it"] if svc else service,
            "tipo_servizio": kind if kind in _CONTACT_KINDS else _CONTACT_ALIASES.get(kind, "altro"),
        }
        if since is not None:
            item["dal"] = since.isoformat()
        out.append(item)

    for service, since in sorted(seen.items(), key=lambda kv: (kv[1], kv[0])):
        contact(service, since, HOUSEHOLD)
    for service in (person or {}).get("services") or []:  # withheld ones are not in the view
        if service not in seen and service != referral["from_service"]:
            contact(service, None, str(person["id"]) if person else HOUSEHOLD)
    return out


def _needs(view: View) -> list[dict[str, Any]]:
    needs: list[dict[str, Any]] = view.get("assessment", "needs") or []
    return needs


def _care_load(load: Mapping[str, Any] | None) -> bool:
    """Whether the care load the view shows has a grade (a withheld part is null: not counted)."""
    if not load:
        return False
    young = load.get("children_under_3") or []
    return bool(young or len({*young, *(load.get("minors") or [])}) >= 3  # three or more minors
                or load.get("dependants") or load.get("other"))


def _impediments(view: View, territory: Territory, member: Mapping[str, Any], extra: Sequence[str]) -> list[str]:
    mine = [n for n in _needs(view) if n.get("member") in (None, member.get("id"))]
    found: list[str] = []
    if _care_load(member.get("care_load")) or any(n["code"] == "cura_familiare" for n in mine):
        found.append(CARE)
    health = member.get("in_socio_sanitary_care") or member.get("disability_percent") or any(
        territory.data_category("needs", n["code"]) in HEALTH_CATEGORIES for n in mine) or any(
        territory.data_category("services", s) in HEALTH_CATEGORIES for s in member.get("services") or [])
    if health:  # only what the view disclosed: the schema asks for these words and no detail
        found.append(HEALTH)
    languages = member.get("languages")
    if languages:  # recorded: Italian missing, or below B1
        italian = [x.get("level") for x in languages if x.get("code") == "it"]
        if not italian or all(level in _BASIC_LEVELS for level in italian):
            found.append(ITALIAN)
    if member.get("driving_licences") == []:  # recorded as none (null: not recorded, or withheld)
        found.append(NO_LICENCE)
    for item in extra:
        if item not in found:
            found.append(item)
    return found


def work_experience(member: Mapping[str, Any]) -> list[dict[str, Any]]:
    """
    The member's jobs as the form's ``esperienza_lavorativa_pregressa``, the most recent
    first (a job that lasts first, then by end, else start), from the view's ``work_history``.
    """
    def recent(job: Mapping[str, Any]) -> tuple[bool, str]:
        return job.get("end") is None, job.get("end") or job.get("start") or ""

    out = []
    for job in sorted(member.get("work_history") or [], key=recent, reverse=True):
        item: dict[str, Any] = {"mansione": job.get("occupation") or "non indicata"}
        for key, field in (("settore", "sector"), ("dal", "start"), ("al", "end"), ("tipo_contratto", "contract")):
            if job.get(field):
                item[key] = job[field]
        out.append(item)
    return out


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
    impediments: Sequence[str] = (),
    other_information: str | None = None,
    notes: str | None = None,
) -> dict[str, Any]:
    """
    Fill the Prato scheda di invio for one of the case's referrals, through the view of the
    receiving service (audited on channel ``scheda_invio``).

    :param case: the case; its assessment gives the emerging needs, the member's record their
        work experience, education, services in charge and impediments.
    :param referral: the referral (or its id among ``case.referrals``); one of its two
        services must be the CPI, as the form requires.
    :param sender_operator: who fills in the form at the sending service.
    :param engine: the engine whose configuration, privacy flows and audit apply.
    :param as_of: the date whose rules apply (default: the date sent); consents are judged
        when the form leaves (the engine's clock), never on it.
    :param member: the member referred (default: the first work-ready member, else the applicant).
    :param scheda_id: the form's number (default: the referral id).
    :param person_code: a pseudonymous code; default ``<household id>/<member id>``.
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
    view = engine.preview_case(case, recipient=recipient, purpose=Purpose.REFERRAL, as_of=when)
    allowed = Allowed(engine, case, [kind], Purpose.REFERRAL)
    at = next((i for i, r in enumerate(view.get("referrals") or []) if r["id"] == ref.id), None)
    if at is None:
        raise _withheld_error(case, view, "$.referrals", message("the referral"))
    shown = view.data["referrals"][at]
    where = next((i for i, r in enumerate(case.referrals) if r.id == ref.id), at)  # the caller's path
    # A form from the SerD or the CSM tells the CPI that the person is in their care: it
    # leaves only when the sender may be disclosed (a basis or the person's consent).
    for party in ("from_service", "to_service"):
        if shown[party] is None:
            raise _withheld_error(case, view, f"$.referrals[{where}].{party}",
                                  message("the sending service") if party == "from_service"
                                  else message("the receiving service"))
    person = _member(case, view, member)
    channel = _CHANNELS.get(shown["channel"], "altro")
    form: dict[str, Any] = {
        "id_scheda": scheda_id or shown["id"],
        "case_id": view.case_id,
        "data_invio": shown["sent_on"],
        "servizio_inviante": _service(territory, shown["from_service"], sender_operator),
        "servizio_destinatario": _service(territory, shown["to_service"], receiver_operator),
        "canale": channel,
        "persona": ({"codice_pseudonimo": person_code} if person_code
                    else {"id_persona": f"{view.get('household', 'id')}/{person.get('id')}"}),
        "precedenti_contatti_servizi": previous_contacts(view, territory, shown, allowed, person),
        "bisogni_emergenti": sorted({n["code"] for n in _needs(view)}),
        "motivo_invio": shown["reason"],
    }
    appointment = _appointment(territory, shown, channel)
    if appointment is not None:
        form["appuntamento_prenotato"] = appointment
    jobs = work_experience(person)
    if jobs:
        form["nessuna_esperienza_lavorativa"] = False
        form["esperienza_lavorativa_pregressa"] = jobs
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
    if notes:
        form["note"] = notes
    # What the caller adds (free text, impediments) is judged like the case's data: a field
    # whose category may not flow is left out, and its category is listed as not transmitted.
    form = {key: value for key, value in form.items() if allowed(CATEGORIES[key])}
    withheld = allowed.not_transmitted()
    if withheld:
        form["dati_non_trasmessi"] = withheld
    what = f"scheda di invio {form['id_scheda']} (caso {case.id})"
    territory.validate_instrument(INSTRUMENT, form, what)  # before it leaves: an invalid form is never audited
    sent = engine.disclose_document(case, form, categories=CATEGORIES, recipient=recipient,
                                    purpose=Purpose.REFERRAL, as_of=when, channel=CHANNEL)
    return sent.data
