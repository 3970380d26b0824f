"""
Routing and recommendations of a SIL case closed without a placement path.

The configuration routes every other SIL case (``routing.rules`` of ``territory.yaml``).
What it cannot see is the workflow recorded in the case's history:

* after a **negative decision at phase 5** ("In caso di esito negativo segnalazione ente
  inviante") the case goes back to the sending service: a refused routing whose
  alternative is the sender and whose ``refusal_code`` is the code of the decision, with
  the notice as its reason (it quotes the free-text motivazione, so its categories include
  ``records``: a recipient view shows it only where records may flow; the code reaches the
  sender in any case through the notice, :meth:`~inclusione_sil.workflow.Notification.send`);
* after a signalling that is **only registered** (phase 1, "se si procede altrimenti
  registrazione") the SIL does not take the case further: a refused routing too;
* in both cases no equipe is convened and no intervention is recommended (an empty
  answer, not a pass).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from inclusione_core import Case, Equipe, Reason, Recommendation, Routing, RoutingOutcome, Territory, hookimpl

from ._current import allows
from ._i18n import message
from ._phases import Phase
from ._tables import tables_for
from ._territory import TERRITORY
from .workflow import Workflow, closed_without_path, notification_of, workflow_of


def sil_service(territory: Territory) -> str:
    """The id of the territory's SIL service (the first of kind ``sil``; ``sil`` by default)."""
    for sid, svc in territory.section("services").items():
        if svc["kind"] == TERRITORY:
            return str(sid)
    return TERRITORY


def closed_reads(territory: Territory) -> tuple[str, ...]:
    """
    What deciding that a SIL case was closed without a path may read: the workflow in the
    history (process), the free-text notes and motivazione it quotes (records), and the
    sender it returns the case to, which may be any service (a SerD is addiction data).
    """
    return tuple(sorted({"process", "records", *territory.service_categories()}))


def _closed(case: Case, territory: Territory, as_of: dt.date) -> Workflow | None:
    wf = workflow_of(case, as_of=as_of)
    return wf if closed_without_path(wf) else None


@hookimpl
def inclusione_route(case: Case, territory: Territory, as_of: dt.date) -> Routing | None:
    """SIL: a case not accepted (phase 5) or only registered (phase 1) goes back to whoever signalled it."""
    wf = _closed(case, territory, as_of)
    if wf is None:
        return None
    tables = tables_for(territory)
    service = sil_service(territory)
    alternatives = (wf.sender,) if wf.sender else ()
    if wf.phase is Phase.NON_ACCOLTO:
        notice = notification_of(wf, sil_service=service, territory=territory)
        assert notice is not None  # the phase is non_accolto
        return Routing(outcome=RoutingOutcome.REFUSED, service=service, channel="notifica_ente_inviante",
                       deadline=None, alternatives=alternatives, refusal_code=notice.code,
                       reasons=(attrs.evolve(notice.reason(tables, territory), categories=closed_reads(territory)),))
    label, source = tables.outcomes["solo_registrazione"]
    step = wf.steps[-1]
    text = message("Referral registered on {on} without opening the personal file: the SIL does not take it further."
                   " {note}", on=step.on.isoformat(), note=step.note)
    reason = Reason(
        rule="sil.fase1.solo_registrazione",
        territory=tables.layer,
        message_it=text.text("it").rstrip(),
        message_en=text.text("en").rstrip(),
        source=source,
        inputs={"esito": label["it"], "data": step.on.isoformat(), "inviante": wf.sender},
        defined_in=tables.defined_in,
        categories=closed_reads(territory),
    )
    return Routing(outcome=RoutingOutcome.REFUSED, service=service, channel="registrazione", deadline=None,
                   reasons=(reason,), alternatives=alternatives)


@hookimpl
def inclusione_recommend_interventions(case: Case, territory: Territory,
                                       as_of: dt.date) -> Sequence[Recommendation] | None:
    """
    SIL: nothing to recommend for a case not accepted or only registered, nor in a phase
    where the configuration (``sil.proposte``) has the SIL propose no intervention (before
    its decision); otherwise pass (the core recommends, what is done or under way left out).
    """
    if _closed(case, territory, as_of) is not None:
        return []
    allowed, _reason = allows(case, tables_for(territory), as_of, "interventi")
    return None if allowed else []


@hookimpl
def inclusione_compose_equipe(case: Case, territory: Territory, as_of: dt.date, routing: Routing) -> Equipe | None:
    """
    SIL: no equipe for a case not accepted or only registered, nor in a phase where the
    configuration (``sil.proposte``) has the SIL compose no staff; otherwise pass.
    """
    if routing.outcome is not RoutingOutcome.REFUSED or _closed(case, territory, as_of) is None:
        allowed, gate = allows(case, tables_for(territory), as_of, "equipe")
        return None if allowed or gate is None else Equipe.none(gate)
    tables = tables_for(territory)
    source = routing.reasons[0].source if routing.reasons else tables.target_source
    text = message("Case not accepted or only registered: the SIL convenes no team; the case goes back to whoever"
                   " referred it.")
    reason = Reason(
        rule="sil.equipe.nessuna",
        territory=tables.layer,
        message_it=text.text("it"),
        message_en=text.text("en"),
        source=source,
        inputs={"canale": routing.channel, "alternative": list(routing.alternatives)},
        defined_in=tables.defined_in,
        categories=closed_reads(territory),
    )
    return Equipe.none(reason)
