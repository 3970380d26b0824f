"""
The elenco nominativo: the named agenda of a meeting of the EM "partecipata" (the Prato article).

"Per agevolare questi incontri, il coordinatore della EM invia ai servizi le informazioni
preliminari necessarie per la discussione in equipe, attraverso un elenco nominativo.
L'alimentazione di questo elenco avviene sia attraverso le schede di esito sia - quando si
tratta di percettore di Reddito di Cittadinanza - attraverso le informazioni raccolte in
occasione dell'analisi preliminare."

A case is on the agenda when, on the meeting date:

* a scheda di esito of the CPI proposes it for the EM (``proposta_equipe``);
* its assessment calls for an equipe (the pipeline composes one and the access is not
  refused): for an RdC recipient at the analisi preliminare this is the article's second
  feed, for anyone else the "percorsi ordinari di accesso ai servizi";
* its project has a progress review due or overdue ("se non si verificano anche
  periodicamente gli stati di avanzamento").

The list goes to every service of the EM (``destinatari``: the CPI, the social service
and every service that an equipe on the agenda convenes), so each entry carries only
what **all** of them may receive for the equipe (purpose ``equipe``): its data come from
each recipient's views of the case and of its result (``Engine.preview_case`` and
``preview_result``), and the entry leaves to each recipient through
:meth:`inclusione_core.Engine.disclose_document` (audited on channel
``elenco_nominativo``); what is left out is listed in the entry's ``dati_non_trasmessi``
(see :mod:`inclusione_prato._privacy`). An addiction need, or the SerD among the
members, shows only when every recipient has a basis or a valid consent for addiction
data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from inclusione_core import (
    HOUSEHOLD_PARTY,
    Case,
    DataCategory,
    Engine,
    ErrorDetail,
    InputError,
    Purpose,
    Recipient,
    Result,
    RoutingOutcome,
    Territory,
    View,
)

from ._i18n import message
from ._privacy import Allowed
from ._territory import TERRITORY

INSTRUMENT = "elenco_nominativo"
CHANNEL = "elenco_nominativo"
REVIEW = "verifica_progetto"
NOT_DISCLOSED = "non_comunicato"
RDC = "rdc"
ENTRY_CATEGORIES: dict[str, str] = {
    # built only from what every recipient's view showed; the categories say what each field is
    "case_id": DataCategory.PROCESS.value, "riferimento_nucleo": DataCategory.IDENTITY.value,
    "operatore": DataCategory.PROCESS.value, "format": DataCategory.PROCESS.value,
    "format_label": DataCategory.PROCESS.value, "partecipa_nucleo": DataCategory.PROCESS.value,
    "modalita": DataCategory.PROCESS.value, "componenti": DataCategory.PROCESS.value,
    "aree_di_bisogno": DataCategory.SOCIAL.value, "misure_attive": DataCategory.ECONOMIC.value,
    "motivi": DataCategory.PROCESS.value, "dati_non_trasmessi": DataCategory.PROCESS.value,
}
"""The data category of each field of an entry, for :meth:`inclusione_core.Engine.disclose_document`."""
ESSENTIAL = ("cpi", "ssp")
"""The EM always gathers the CPI and the social service holding the case (the Prato article)."""


def _fonte(territory: Territory) -> dict[str, str]:
    """Where the elenco comes from, as an operator recognises it: the instrument's configured source."""
    cite = territory.citation(territory.section("instruments")[INSTRUMENT]["source"])
    return {"documento": cite.document_text(), "sezione": cite.section} if cite.section else \
        {"documento": cite.document_text()}


def _cases(cases: Sequence[Case | Mapping[str, Any]], engine: Engine) -> list[Case]:
    loaded = [c if isinstance(c, Case) else engine.load_case(c, f"<elenco[{i}]>") for i, c in enumerate(cases)]
    errors = []
    seen: set[str] = set()
    for i, case in enumerate(loaded):
        if not engine.territory(case.territory).within(TERRITORY):
            errors.append(ErrorDetail(f"$[{i}].territory", message("case outside the area of the Prato EM"),
                                      case.territory, "territorio"))
        if case.id in seen:
            errors.append(ErrorDetail(f"$[{i}].id", message("case repeated in the list"), case.id, "unico"))
        seen.add(case.id)
    if errors:
        raise InputError(message("list of names: cases"), errors)
    return loaded


def _schede(schede: Sequence[Mapping[str, Any]], territory: Territory, cases: Sequence[Case],
            meeting: dt.date) -> dict[str, list[Mapping[str, Any]]]:
    """The schede di esito proposing the EM by the meeting date, by case id (each validated)."""
    errors: list[ErrorDetail] = []
    ids = {c.id for c in cases}
    out: dict[str, list[Mapping[str, Any]]] = {}
    for i, scheda in enumerate(schede):
        found = territory.instrument_errors("scheda_esito", scheda)
        errors += [ErrorDetail(f"$[{i}]{d.path[1:]}", d.message, d.value, d.rule) for d in found]
        if found:
            continue
        if scheda["case_id"] not in ids:
            errors.append(ErrorDetail(f"$[{i}].case_id", message("outcome form of a case not given"),
                                      scheda["case_id"], "case_id"))
        elif scheda["proposta_equipe"] and dt.date.fromisoformat(scheda["data"]) <= meeting:
            out.setdefault(scheda["case_id"], []).append(scheda)
    if errors:
        raise InputError(message("list of names: outcome forms"), errors)
    return out


def _on_agenda(result: Result, schede: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a case goes on the agenda (before any disclosure: nothing leaves here)."""
    if schede:
        return True
    if result.equipe.members and result.routing.outcome is not RoutingOutcome.REFUSED:
        return True
    return any(d.code == REVIEW and d.status.value in ("due", "overdue") for d in result.deadlines)


def _recipients(results: Sequence[Result], territory: Territory) -> dict[str, str]:
    """The services that receive the elenco, kind -> service id: the essential EM and every member's service."""
    out = {kind: kind for kind in ESSENTIAL}
    for result in results:
        for m in result.equipe.members:
            if m.service == HOUSEHOLD_PARTY:
                continue
            kind = territory.service_kind(m.service) or m.service
            out.setdefault(kind, m.service)
    return dict(sorted(out.items()))


def _common(values: Sequence[Any]) -> Any:
    """A value shown only if every recipient's view has it, and the same (None otherwise)."""
    first = values[0]
    return first if all(v == first for v in values[1:]) else None


def _shared_items(lists: Sequence[Sequence[Any]]) -> list[Any]:
    """The items present in every list, in the order of the first."""
    rest = lists[1:]
    return [x for x in lists[0] if all(x in other for other in rest)]


def _why(case_views: Sequence[View], result_views: Sequence[View], schede: Sequence[Mapping[str, Any]],
         meeting: dt.date) -> list[dict[str, str]]:
    why: list[dict[str, str]] = []
    for s in schede:
        item = {"fonte": "scheda_esito", "riferimento": s.get("id_scheda", s["riferimento_invio"]["id_scheda"]),
                "data": s["data"],
                "descrizione": s.get("motivo_proposta_equipe", "Il CPI propone la discussione del caso in equipe.")}
        why.append(item)
    equipe = result_views[0].data["equipe"]
    refused = result_views[0].data["routing"]["outcome"] == RoutingOutcome.REFUSED.value
    # on the agenda because an equipe was convened: said even when its format is not communicated
    if (equipe["members"] or equipe["format"] == NOT_DISCLOSED) and not refused:
        measures = _shared_items([v.get("measures") or [] for v in case_views])
        active = {m["code"] for m in measures if dt.date.fromisoformat(m["valid_from"]) <= meeting
                  and (m["valid_to"] is None or meeting <= dt.date.fromisoformat(m["valid_to"]))}
        stage = _common([v.get("assessment", "stage") for v in case_views])
        date = _common([v.get("assessment", "date") for v in case_views])
        rdc = RDC in active and stage == "analisi_preliminare"
        source = "analisi_preliminare" if rdc else "valutazione"
        # whole sentences (the agenda is an Italian document); a masked format reads the same whatever it was
        where = ("in un'equipe (formato non comunicato)" if equipe["format"] == NOT_DISCLOSED
                 else f"in equipe, nel formato «{equipe['label']}»")
        text = ("Percettore RdC: dall'analisi preliminare" if rdc else "Dalla valutazione") + \
            f" il caso va discusso {where}."
        why.append({"fonte": source, "descrizione": text, **({"data": date} if date is not None else {})})
    deadlines = _shared_items([v.data["deadlines"] for v in result_views])
    for d in deadlines:
        if d["code"] == REVIEW and d["status"] in ("due", "overdue"):
            state = "scaduta il" if d["status"] == "overdue" else "in scadenza il"
            why.append({"fonte": "monitoraggio", "data": d["due"],
                        "descrizione": f"Verifica dello stato di avanzamento del progetto {state} {d['due']}."})
    return why


def _entry(case: Case, result: Result, engine: Engine, territory: Territory, recipients: Mapping[str, str],
           schede: Sequence[Mapping[str, Any]], meeting: dt.date) -> dict[str, Any]:
    """
    One case of the agenda: what every recipient may receive, built from their views
    (previews) and sent through ``disclose_document`` to each of them (audited).
    """
    case_views, result_views = [], []
    addressees = [Recipient(kind=kind, service=service) for kind, service in recipients.items()]
    for who in addressees:
        case_views.append(engine.preview_case(case, recipient=who, purpose=Purpose.EQUIPE, as_of=meeting))
        result_views.append(engine.preview_result(result, case, recipient=who, purpose=Purpose.EQUIPE))
    members = _shared_items([v.data["equipe"]["members"] for v in result_views])
    componenti: list[dict[str, str]] = []
    for m in members:
        item = {"ruolo": m["role"], "servizio": m["service"]}
        if item not in componenti:
            componenti.append(item)
    needs = _shared_items([[n["code"] for n in v.get("assessment", "needs") or []] for v in case_views])
    measures = _shared_items([v.get("measures") or [] for v in case_views])
    active = sorted({m["code"] for m in measures if dt.date.fromisoformat(m["valid_from"]) <= meeting
                     and (m["valid_to"] is None or meeting <= dt.date.fromisoformat(m["valid_to"]))})
    equipe = result_views[0].data["equipe"]
    entry: dict[str, Any] = {
        "case_id": case_views[0].case_id,
        "riferimento_nucleo": _common([v.get("household", "id") for v in case_views]),
        "operatore": _common([v.get("operator") for v in case_views]) or None,
        "format": equipe["format"],
        "format_label": equipe["label"],
        "partecipa_nucleo": equipe["household_takes_part"],
        "modalita": list(equipe["modes"]),
        "componenti": componenti,
        "aree_di_bisogno": sorted(set(needs)),
        "misure_attive": active,
        "motivi": _why(case_views, result_views, schede, meeting),
    }
    allowed = Allowed(engine, case, recipients, Purpose.EQUIPE)
    entry = {key: value for key, value in entry.items() if allowed(ENTRY_CATEGORIES[key])}  # all may receive it
    withheld = allowed.not_transmitted()
    if withheld:
        entry["dati_non_trasmessi"] = withheld
    for who in addressees:  # the entry leaves to each recipient: one audit record each
        engine.disclose_document(case, entry, categories=ENTRY_CATEGORIES, recipient=who, purpose=Purpose.EQUIPE,
                                 as_of=meeting, channel=CHANNEL)
    return entry


def build_elenco_nominativo(
    cases: Sequence[Case | Mapping[str, Any]],
    *,
    meeting_date: dt.date,
    engine: Engine,
    schede_esito: Sequence[Mapping[str, Any]] = (),
    coordinator: str | None = None,
    place: str | None = None,
) -> dict[str, Any]:
    """
    Build the agenda of an EM meeting from cases (and the CPI's schede di esito).

    Each entry: case id, household reference, the responsible social worker (assistente
    sociale titolare), the equipe format and members, the need codes, the active measures
    and why the case is on the agenda, limited to what every recipient of the elenco may
    receive for the equipe, with the categories not transmitted.

    :param cases: Prato cases (models or JSON-ready), each at most once.
    :param meeting_date: the date of the meeting; the pipeline runs, and consents are
        read, as of this date.
    :param engine: the engine that assesses the cases and audits the disclosures.
    :param schede_esito: schede di esito (JSON documents) of these cases.
    :param coordinator: the EM coordinator sending the list.
    :param place: where the meeting is held (for meetings in person).
    :return: the elenco, valid against ``instruments/elenco_nominativo.schema.json``.
    :raises InputError: a case outside Prato or repeated, an invalid scheda di esito, or a
        scheda for a case not given.
    """
    territory = engine.territory(TERRITORY)
    loaded = _cases(cases, engine)
    proposals = _schede(schede_esito, territory, loaded, meeting_date)
    agenda = []
    for case in loaded:
        result = engine.assess(case, as_of=meeting_date)
        if _on_agenda(result, proposals.get(case.id, [])):
            agenda.append((case, result))
    recipients = _recipients([r for _c, r in agenda], territory)
    entries = [_entry(case, result, engine, territory, recipients, proposals.get(case.id, []), meeting_date)
               for case, result in agenda]
    entries = [e for e in entries if e["motivi"]]
    entries.sort(key=lambda e: (e["operatore"] or "~", e["case_id"]))
    elenco: dict[str, Any] = {
        "territorio": TERRITORY,
        "data_incontro": meeting_date.isoformat(),
        # A specialist service among the recipients would tell the others that some case on
        # the agenda involves it: it receives the list but is not named in it.
        "destinatari": [k for k, sid in recipients.items()
                        if not DataCategory(territory.data_category("services", sid)).special],
        "voci": entries,
        "digest_configurazione": territory.digest,
        "fonte": _fonte(territory),
    }
    if coordinator:
        elenco["coordinatore"] = coordinator
    if place:
        elenco["sede"] = place
    territory.validate_instrument(INSTRUMENT, elenco, f"elenco nominativo del {meeting_date.isoformat()}")
    return elenco
