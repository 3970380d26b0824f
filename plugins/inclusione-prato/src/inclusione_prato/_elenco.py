"""
The elenco nominativo: the named agenda of a meeting of the EM "partecipata" (seed 000).

"Per agevolare questi incontri, il coordinatore della EM invia ai servizi le informazioni
preliminari necessarie per la discussione in equipe, attraverso un elenco nominativo.
L'alimentazione di questo elenco avviene sia attraverso le schede di esito sia - quando si
tratta di percettore di Reddito di Cittadinanza - attraverso le informazioni raccolte in
occasione dell'analisi preliminare."

A case is on the agenda when, on the meeting date:

* a scheda di esito of the CPI proposes it for the EM (``proposta_equipe``);
* its assessment calls for an equipe (the pipeline composes one and the access is not
  refused): for an RdC recipient at the analisi preliminare this is the seed's second
  feed, for anyone else the "percorsi ordinari di accesso ai servizi";
* its project has a progress review due or overdue ("se non si verificano anche
  periodicamente gli stati di avanzamento").

The list goes to every service of the EM, so it carries no health detail: special needs
appear only as the category ``specialistica`` and specialist services as one
``operatore_specialistico`` (see :mod:`inclusione_prato._privacy`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from inclusione_core import (
    AssessmentStage,
    Case,
    DeadlineStatus,
    Engine,
    ErrorDetail,
    InputError,
    Result,
    RoutingOutcome,
    Territory,
)

from ._instruments import check_instrument, instrument_errors
from ._privacy import SPECIALIST_SERVICE_KINDS, need_categories
from ._territory import SEED, TERRITORY

INSTRUMENT = "elenco_nominativo"
SPECIALIST_ROLE = "operatore_specialistico"
REVIEW = "verifica_progetto"
RDC = "rdc"


def _cases(cases: Sequence[Case | Mapping[str, Any]], engine: Engine) -> list[Case]:
    loaded = [c if isinstance(c, Case) else engine.load_case(c, f"<elenco[{i}]>") for i, c in enumerate(cases)]
    errors = []
    seen: set[str] = set()
    for i, case in enumerate(loaded):
        if not engine.territory(case.territory).within(TERRITORY):
            errors.append(ErrorDetail(f"$[{i}].territory", "caso fuori dall'ambito della EM di Prato",
                                      case.territory, "territorio"))
        if case.id in seen:
            errors.append(ErrorDetail(f"$[{i}].id", "caso ripetuto nell'elenco", case.id, "unico"))
        seen.add(case.id)
    if errors:
        raise InputError("elenco nominativo: casi", errors)
    return loaded


def _schede(schede: Sequence[Mapping[str, Any]], territory: Territory, cases: Sequence[Case],
            meeting: dt.date) -> dict[str, list[Mapping[str, Any]]]:
    """The schede di esito proposing the EM by the meeting date, by case id (each validated)."""
    errors: list[ErrorDetail] = []
    ids = {c.id for c in cases}
    out: dict[str, list[Mapping[str, Any]]] = {}
    for i, scheda in enumerate(schede):
        found = instrument_errors(territory, "scheda_esito", scheda)
        errors += [ErrorDetail(f"$[{i}]{d.path[1:]}", d.message, d.value, d.rule) for d in found]
        if found:
            continue
        if scheda["case_id"] not in ids:
            errors.append(ErrorDetail(f"$[{i}].case_id", "scheda di esito di un caso non fornito", scheda["case_id"],
                                      "case_id"))
        elif scheda["proposta_equipe"] and dt.date.fromisoformat(scheda["data"]) <= meeting:
            out.setdefault(scheda["case_id"], []).append(scheda)
    if errors:
        raise InputError("elenco nominativo: schede di esito", errors)
    return out


def _members(result: Result, territory: Territory) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for m in result.equipe.members:
        kind = territory.service_kind(m.service)
        item = ({"ruolo": SPECIALIST_ROLE, "servizio": "specialistico"} if kind in SPECIALIST_SERVICE_KINDS
                else {"ruolo": m.role, "servizio": m.service})
        if item not in out:
            out.append(item)
    return out


def _why(case: Case, result: Result, schede: Sequence[Mapping[str, Any]], meeting: dt.date) -> list[dict[str, str]]:
    why: list[dict[str, str]] = []
    for s in schede:
        item = {"fonte": "scheda_esito", "riferimento": s.get("id_scheda", s["riferimento_invio"]["id_scheda"]),
                "data": s["data"],
                "descrizione": s.get("motivo_proposta_equipe", "Il CPI propone la discussione del caso in equipe.")}
        why.append(item)
    equipe = result.equipe
    if equipe.members and result.routing.outcome is not RoutingOutcome.REFUSED:
        a = case.assessment
        rdc = RDC in case.measures_on(meeting) and a is not None and a.stage is AssessmentStage.ANALISI_PRELIMINARE
        source = "analisi_preliminare" if rdc else "valutazione"
        text = ("Percettore RdC: dall'analisi preliminare" if rdc else "Dalla valutazione") + \
            f" il caso va discusso in {equipe.label}."
        why.append({"fonte": source, "descrizione": text,
                    **({"data": a.date.isoformat()} if a is not None else {})})
    for d in result.deadlines:
        if d.code == REVIEW and d.status in (DeadlineStatus.DUE, DeadlineStatus.OVERDUE):
            state = "scaduta il" if d.status is DeadlineStatus.OVERDUE else "in scadenza il"
            text = f"Verifica dello stato di avanzamento del progetto {state} {d.due.isoformat()}."
            why.append({"fonte": "monitoraggio", "data": d.due.isoformat(), "descrizione": text})
    return why


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
    sociale titolare), the equipe format and members (health services masked), the need
    categories, the active measures and why the case is on the agenda.

    :param cases: Prato cases (models or JSON-ready), each at most once.
    :param meeting_date: the date of the meeting; the pipeline runs as of this date.
    :param engine: the engine that assesses the cases.
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
    entries = []
    for case in loaded:
        result = engine.assess(case, as_of=meeting_date)
        why = _why(case, result, proposals.get(case.id, []), meeting_date)
        if not why:
            continue
        needs = case.assessment.need_codes() if case.assessment is not None else frozenset()
        entries.append({
            "case_id": case.id,
            "riferimento_nucleo": case.household.id,
            "operatore": case.operator or None,
            "format": result.equipe.format,
            "format_label": result.equipe.label,
            "partecipa_nucleo": result.equipe.household_takes_part,
            "modalita": list(result.equipe.modes),
            "componenti": _members(result, territory),
            "aree_di_bisogno": need_categories(needs),
            "misure_attive": sorted(case.measures_on(meeting_date)),
            "motivi": why,
        })
    entries.sort(key=lambda e: (e["operatore"] or "~", e["case_id"]))
    elenco: dict[str, Any] = {
        "territorio": TERRITORY,
        "data_incontro": meeting_date.isoformat(),
        "voci": entries,
        "digest_configurazione": territory.digest,
        "fonte": {"documento": SEED, "sezione": "La rete dei servizi di inclusione socio-lavorativa"},
    }
    if coordinator:
        elenco["coordinatore"] = coordinator
    if place:
        elenco["sede"] = place
    check_instrument(territory, INSTRUMENT, elenco, f"elenco nominativo del {meeting_date.isoformat()}")
    return elenco
