"""
The SIL case workflow: the eight phases of §3 of the SIL guidelines as a state machine.

A :class:`Workflow` is a frozen value; every function returns a new one and refuses what
the machine does not allow (see :mod:`inclusione_sil._phases` for the diagram):

* an illegal move raises :class:`~inclusione_core.TransitionError`, naming the case, the
  current and requested phases and the phases reachable from the current one;
* a date before the previous step, a negative decision without its reason, an unknown
  interview type or an interview outside phase 7 raise :class:`~inclusione_core.InputError`.

Each phase knows its subjects (roles) and instruments from the §3 table (:func:`spec`).
A negative decision at phase 5 produces a :class:`Notification` to the sending service
("In caso di esito negativo segnalazione ente inviante"), with its reason: a **code**, one
of the SIL service's ``refusal_codes`` in ``territory.yaml`` (case-management data, always
sent, with its label), and the free-text motivazione. The notice leaves the SIL only
through :meth:`Notification.send`, the recipient view of the core: the free-text reason
(category ``records``) goes to the sender only with a consent that covers it; what is left
out is listed in the notice and the disclosure is audited.

The workflow lives in the case's append-only history as events ``sil_fase_<phase>`` and
``sil_colloquio_<type>``: :func:`record_workflow` appends them, :func:`workflow_of`
replays them. Example::

    from inclusione_sil import workflow as wf

    w = wf.start("SIL-1", on=date(2025, 1, 13), sender="segretariato")
    w = wf.advance(w, wf.Phase.PRIMA_VALUTAZIONE, on=date(2025, 1, 20))
    ...
    w, notice = wf.decide(w, on=date(2025, 3, 3), accepted=False, code="postazioni_non_disponibili",
                          reason="Nessuna postazione compatibile disponibile")
    case = wf.record_workflow(case, w)
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

import attrs

from inclusione_core import (
    AccessChannel,
    Case,
    CaseEvent,
    DataCategory,
    ErrorDetail,
    InputError,
    Purpose,
    Reason,
    Recipient,
    Territory,
    TransitionError,
    record,
)
from inclusione_core.i18n import message_of

from ._i18n import message
from ._phases import CLOSED_WITHOUT_PATH, FINAL, NUMBERED, TRANSITIONS, InterviewType, Phase, number
from ._tables import PhaseSpec, Tables, default_tables, reference_territory
from ._territory import TERRITORY

if TYPE_CHECKING:
    from inclusione_core import Engine, Territory, View

__all__ = [
    "CLOSED_WITHOUT_PATH",
    "FINAL",
    "NOTICE_CATEGORIES",
    "NOTICE_CHANNEL",
    "NUMBERED",
    "PHASE_EVENT",
    "SELF_REFERRED",
    "TRANSITIONS",
    "Interview",
    "InterviewType",
    "Notification",
    "Phase",
    "Step",
    "Workflow",
    "advance",
    "allowed",
    "decide",
    "interview",
    "notification_of",
    "number",
    "record_workflow",
    "refusal_codes",
    "spec",
    "start",
    "workflow_of",
]

PHASE_EVENT: Final = "sil_fase_"
"""Prefix of the history event kinds recording a phase (``sil_fase_decisione``)."""
INTERVIEW_EVENT: Final = "sil_colloquio_"
"""Prefix of the history event kinds recording an interview of phase 7."""
USER: Final = "utente"
"""Recipient of the notification when the person signalled themselves (no sending service)."""
SELF_REFERRED: Final = "interessato"
"""Recipient kind (``privacy.recipients``) of the notice to the person who signalled themselves."""
NOTICE_CHANNEL: Final = "notifica_esito_negativo"
"""The channel recorded in the disclosure audit for the notice of a negative decision."""
NOTICE_CATEGORIES: Final[dict[str, str]] = {
    "case_id": DataCategory.PROCESS.value,  # as Case.id: an identifier of the case, not of the person
    "data": DataCategory.PROCESS.value,
    "fase": DataCategory.PROCESS.value,
    "mittente": DataCategory.PROCESS.value,
    "destinatario": DataCategory.PROCESS.value,
    "esito": DataCategory.PROCESS.value,
    # the code of the reason and its label, from the configuration: case-management data,
    # no label names a special category (territory.yaml), so they always go to the sender
    "codice_motivo": DataCategory.PROCESS.value,
    "motivo": DataCategory.PROCESS.value,
    "motivazione": DataCategory.RECORDS.value,  # free text written by the SIL: it may contain anything
    "responsabile_inserimento": DataCategory.PROCESS.value,  # the SIL operator, not the person
}
"""The data category of each field of the notice (:meth:`Notification.send`)."""


@attrs.frozen(kw_only=True)
class Step:
    """
    Entering a phase, on a date, by an operator, with a note (the reason of a negative
    decision) and, for a negative decision, the code of its reason (``None`` in a history
    written before codes existed).
    """

    phase: Phase
    on: dt.date
    by: str = ""
    note: str = ""
    code: str | None = None


@attrs.frozen(kw_only=True)
class Interview:
    """An interview of phase 7 (accoglienza, anamnesi, legale, ...)."""

    kind: InterviewType
    on: dt.date
    by: str = ""
    note: str = ""


@attrs.frozen(kw_only=True)
class Workflow:
    """
    A SIL case in the workflow.

    :ivar case_id: the case.
    :ivar sender: the sending service id (``None``: the person signalled themselves).
    :ivar log: steps and interviews, in the order they happened.
    """

    case_id: str
    sender: str | None = None
    log: tuple[Step | Interview, ...]

    @property
    def phase(self) -> Phase:
        """The current phase."""
        return self.steps[-1].phase

    @property
    def steps(self) -> tuple[Step, ...]:
        """The phases entered, in order."""
        return tuple(e for e in self.log if isinstance(e, Step))

    @property
    def interviews(self) -> tuple[Interview, ...]:
        """The interviews held in phase 7."""
        return tuple(e for e in self.log if isinstance(e, Interview))

    @property
    def last_date(self) -> dt.date:
        """The date of the latest step or interview."""
        return self.log[-1].on

    def entered(self, phase: Phase) -> dt.date | None:
        """When the workflow last entered ``phase`` (``None`` if never)."""
        return next((s.on for s in reversed(self.steps) if s.phase is phase), None)


def _entity(wf: Workflow) -> str:
    return message("SIL path of case {id}", id=wf.case_id)


def allowed(phase: Phase) -> frozenset[Phase]:
    """The phases reachable in one step from ``phase`` (empty for a closing state)."""
    return TRANSITIONS[phase]


def _not_before(wf: Workflow, on: dt.date, path: str) -> None:
    if on < wf.last_date:
        raise InputError(_entity(wf), [ErrorDetail(
            path, message("the date {on} precedes the last step of the path ({last}): the dates of the path cannot go"
                          " back", on=on.isoformat(), last=wf.last_date.isoformat()), on.isoformat(), "chronology")])


def start(case_id: str, *, on: dt.date, sender: str | None = None, by: str = "", note: str = "") -> Workflow:
    """
    Phase 1: the Segretariato Sociale (or the person) signals the need for a placement.

    :param sender: the sending service id; ``None`` for a direct signalling by the person.
    """
    return Workflow(case_id=case_id, sender=sender, log=(Step(phase=Phase.SEGNALAZIONE, on=on, by=by, note=note),))


def advance(
    wf: Workflow, to: Phase | str, *, on: dt.date, by: str = "", note: str = "", code: str | None = None
) -> Workflow:
    """
    Move to the next phase.

    :param to: the phase to enter; ``non_accolto`` needs the reason in ``note`` (prefer
        :func:`decide`, which also builds the notification and requires and checks the
        code of the reason).
    :param code: for ``non_accolto``, the code of the reason (kept as given: :func:`decide`
        checks it against the configuration).
    :raises TransitionError: ``to`` is not reachable from the current phase.
    :raises InputError: ``on`` precedes the last step, or a negative decision has no reason.
    """
    try:
        target = Phase(to)
    except ValueError:
        raise TransitionError(_entity(wf), wf.phase.value, str(to), (p.value for p in allowed(wf.phase))) from None
    if target not in allowed(wf.phase):
        raise TransitionError(_entity(wf), wf.phase.value, target.value, (p.value for p in allowed(wf.phase)))
    _not_before(wf, on, "$.on")
    if target is Phase.NON_ACCOLTO and not note.strip():
        raise InputError(_entity(wf), [ErrorDetail(
            "$.note", message("a negative outcome must give the reason: the sending service must know why"), note,
            "required")])
    if code is not None and target is not Phase.NON_ACCOLTO:
        raise InputError(_entity(wf), [ErrorDetail(
            "$.code", message("a reason code belongs to a negative decision (non_accolto)"), code,
            "refusal_code.outcome")])
    return attrs.evolve(wf, log=(*wf.log, Step(phase=target, on=on, by=by, note=note, code=code)))


def interview(wf: Workflow, kind: InterviewType | str, *, on: dt.date, by: str = "", note: str = "") -> Workflow:
    """
    Record an interview of phase 7 (*sviluppo dell'intervento*).

    :raises InputError: unknown type, not in phase 7, or ``on`` precedes the last step.
    """
    try:
        itype = InterviewType(kind)
    except ValueError:
        raise InputError(_entity(wf), [ErrorDetail(
            "$.kind", message("unknown kind of interview; the kinds of phase 7: {kinds}",
                              kinds=", ".join(t.value for t in InterviewType)), kind, "enum")]) from None
    if wf.phase is not Phase.SVILUPPO:
        raise InputError(_entity(wf), [ErrorDetail(
            "$.kind", message("development interviews are held in phase 7 (sviluppo); the current phase is {phase}",
                              phase=wf.phase.value),
            itype.value, "phase")])
    _not_before(wf, on, "$.on")
    return attrs.evolve(wf, log=(*wf.log, Interview(kind=itype, on=on, by=by, note=note)))


# --------------------------------------------------------------------------- decision and notification


@attrs.frozen(kw_only=True)
class Notification:
    """
    The notice to the sending service of a negative decision at phase 5, with its reason.

    :ivar to_service: the sending service id, or ``utente`` when the person signalled themselves.
    :ivar reason_text: why the case is not accepted, as written by the SIL (free text, records).
    :ivar code: the code of the reason, one of the SIL service's ``refusal_codes``
        (``None`` only for a decision recorded before codes existed).
    :ivar code_label: the code's label from the configuration, ``{it, en}``.
    """

    case_id: str
    to_service: str
    from_service: str
    on: dt.date
    reason_text: str
    by: str = ""
    code: str | None = None
    code_label: dict[str, str] = attrs.field(factory=dict)

    def reason(self, tables: Tables | None = None, territory: Territory | None = None) -> Reason:
        """
        The notice as a :class:`~inclusione_core.Reason` citing phase 5 of the table of the
        guidelines; the sending service by its label when ``territory`` configures it.
        """
        tables = tables or default_tables()
        label, source = tables.outcomes["non_accolto"]
        reason = self.reason_text
        if self.code is not None:
            reason = f"{self.code_label.get('it') or self.code} ({self.code}); {reason}"
        if self.to_service == USER:
            text = message("Negative decision of the SIL (phase 5, {on}): {reason}. Outcome notified to the person,"
                           " who had signalled themselves.", on=self.on.isoformat(), reason=reason)
        else:
            entry = territory.section("services").get(self.to_service) if territory is not None else None
            service = entry.get("label") if isinstance(entry, dict) else None
            text = message("Negative decision of the SIL (phase 5, {on}): {reason}. Outcome notified to the sending"
                           " service: {service}.", on=self.on.isoformat(), reason=reason,
                           service=dict(service) if isinstance(service, dict) else self.to_service)
        return Reason(
            rule="sil.fase5.esito_negativo",
            territory=tables.layer,
            message_it=text.text("it"),
            message_en=text.text("en"),
            source=source,
            inputs={"caso": self.case_id, "destinatario": self.to_service, "data": self.on.isoformat(),
                    "motivo": self.reason_text, "esito": label["it"], "codice_motivo": self.code},
            defined_in=tables.defined_in,
            # the reason quotes the free-text motivazione: shown only where records may flow; it
            # names the sending service, which may be any the territory knows (a SerD too)
            categories=tuple(sorted({DataCategory.PROCESS.value, DataCategory.RECORDS.value,
                                     *(territory.service_categories() if territory is not None else ())})),
        )

    def to_document(self) -> dict[str, Any]:
        """
        The whole notice as the instrument ``notifica_esito_negativo`` (JSON-ready).

        **Internal**: the unfiltered form the SIL files in its own records. What goes to
        the sending service (or to the person) is :meth:`send`, never this document.
        """
        recipient: dict[str, Any] = (
            {"tipo": "utente"} if self.to_service == USER else {"tipo": "ente_inviante", "servizio": self.to_service}
        )
        doc: dict[str, Any] = {
            "case_id": self.case_id,
            "data": self.on.isoformat(),
            "fase": 5,
            "mittente": self.from_service,
            "destinatario": recipient,
            "esito": "negativo",
            "motivazione": self.reason_text,
        }
        if self.code is not None:
            doc["codice_motivo"] = self.code
            doc["motivo"] = self.code_label.get("it") or self.code
        if self.by:
            doc["responsabile_inserimento"] = self.by
        return doc

    def recipient(self, engine: Engine, case: Case) -> Recipient:
        """
        Who receives the notice: the sending service, as a recipient of its kind, or the
        person (kind ``interessato``) after a direct signalling.

        :raises InputError: the sending service is not a service of the case's territory.
        """
        if self.to_service == USER:
            return Recipient(kind=SELF_REFERRED)
        kind = engine.territory(case.territory).service_kind(self.to_service)
        if kind is None:
            raise InputError(message("notice of a negative outcome of case {id}", id=self.case_id), [ErrorDetail(
                "$.destinatario.servizio", message("unknown sending service in territory {territory}",
                                                   territory=case.territory),
                self.to_service, "ref:services")])
        return Recipient(kind=kind, service=self.to_service)

    def send(self, engine: Engine, case: Case, *, as_of: dt.date | None = None) -> View:
        """
        The notice as it leaves the SIL: the recipient view of :meth:`to_document`; audited.

        The document goes through :meth:`inclusione_core.Engine.disclose_document` for the
        sending service's kind (or ``interessato``), purpose ``referral``, channel
        ``notifica_esito_negativo``, field by field as in :data:`NOTICE_CATEGORIES`. The
        outcome, the date, the phase and the code of the reason with its label
        (``codice_motivo``, ``motivo``) are case-process data and always go; the free-text
        ``motivazione`` is ``records`` and goes only when the territory gives the recipient
        a basis for it (in ``sil``: a valid consent covering records, the sender's kind and
        the referral, e.g. from the *scheda privacy*). What is left out is listed in the
        notice (``dati_non_trasmessi``: field, category, reason) and in ``View.withheld``.

        :param as_of: the date whose rules apply (default: the date of the decision);
            consents are judged when the notice leaves (the engine's clock), never on it.
        :return: the view; ``view.data`` is the notice to send, valid against the instrument.
        :raises InputError: ``case`` is another case, the sender is not a known service, or
            the recipient may not even receive the outcome (no basis for case-process data
            for a referral: e.g. a health service, which italia reaches only with consent);
            nothing is disclosed nor audited then.
        """
        what = message("notice of a negative outcome of case {id}", id=self.case_id)
        if case.id != self.case_id:
            raise InputError(what, [ErrorDetail("$.case_id", message("the notice belongs to another case"), case.id,
                                                "sil.fasi")])
        day = as_of or self.on
        recipient = self.recipient(engine, case)
        territory = engine.territory(case.territory)
        if not engine.grants(case, recipient=recipient, purpose=Purpose.REFERRAL).allows(DataCategory.PROCESS):
            raise InputError(what, [ErrorDetail(
                "$.destinatario", message("{kind} may not receive the outcome (case-management data) for referral: a"
                                          " legal basis or a valid consent of every member of the household is needed",
                                          kind=recipient.kind), recipient.service or recipient.kind, "privacy.flows")])
        view = engine.disclose_document(
            case, self.to_document(), categories=NOTICE_CATEGORIES, recipient=recipient,
            purpose=Purpose.REFERRAL, as_of=day, channel=NOTICE_CHANNEL)
        # a field withheld is left out of the notice (the instrument has no null) and listed instead;
        # which fields go depends only on the recipient and the consents, never on the case's data
        withheld = {w.path.removeprefix("$.") for w in view.withheld}
        notice = {k: v for k, v in view.data.items() if k not in withheld}
        if view.withheld:
            notice["dati_non_trasmessi"] = [
                {"campo": w.path.removeprefix("$."), "categoria": w.category,
                 "descrizione": DataCategory(w.category).label_it, "motivo": w.reason_it}
                for w in view.withheld
            ]
        territory.validate_instrument("notifica_esito_negativo", notice, what)
        return attrs.evolve(view, data=notice)


def refusal_codes(territory: Territory | None = None, *, sil_service: str = TERRITORY) -> dict[str, dict[str, str]]:
    """
    The codes of a negative decision: the ``refusal_codes`` of the SIL service in the
    territory's configuration (default: the plugin's reference ``sil`` territory), each
    with its label ``{it, en}``.
    """
    territory = territory or reference_territory()
    codes = (territory.section("services").get(sil_service) or {}).get("refusal_codes") or {}
    return {code: dict(entry["label"]) for code, entry in codes.items()}


def notification_of(
    wf: Workflow, *, sil_service: str = TERRITORY, territory: Territory | None = None
) -> Notification | None:
    """
    The notice of the workflow's negative decision, or ``None`` if it was not refused.

    :param territory: where the label of the reason's code is read (default: the plugin's
        reference ``sil`` territory).
    """
    if wf.phase is not Phase.NON_ACCOLTO:
        return None
    step = wf.steps[-1]
    label = refusal_codes(territory, sil_service=sil_service).get(step.code or "", {}) if step.code else {}
    return Notification(case_id=wf.case_id, to_service=wf.sender or USER, from_service=sil_service,
                        on=step.on, reason_text=step.note, by=step.by, code=step.code, code_label=label)


def decide(
    wf: Workflow,
    *,
    on: dt.date,
    accepted: bool,
    reason: str = "",
    code: str | None = None,
    by: str = "",
    sil_service: str = TERRITORY,
    territory: Territory | None = None,
) -> tuple[Workflow, Notification | None]:
    """
    Phase 5, the decision: accepted -> phase 6; refused -> ``non_accolto`` and a notice.

    :param reason: why, in free text; required for a negative decision (it goes to the
        sending service only with a basis or a consent covering ``records``).
    :param code: the code of the reason of a negative decision, one of the SIL service's
        ``refusal_codes`` (``altro`` for a reason the list does not foresee); required for
        it: the sending service always receives it.
    :param territory: the territory whose configuration lists the codes (default: the
        plugin's reference ``sil`` territory).
    :return: the workflow and, for a negative decision, the notification to the sender.
    :raises TransitionError: the workflow is not in phase 5.
    :raises InputError: a negative decision without a reason or with a code missing or not
        among the SIL's ``refusal_codes`` (path ``$.code``), a code on a positive decision,
        or a date before the last step.
    """
    if wf.phase is not Phase.DECISIONE:
        target = Phase.ACCETTAZIONE if accepted else Phase.NON_ACCOLTO
        raise TransitionError(_entity(wf), wf.phase.value, target.value, (p.value for p in allowed(wf.phase)))
    if accepted:
        return advance(wf, Phase.ACCETTAZIONE, on=on, by=by, note=reason, code=code), None
    known = refusal_codes(territory, sil_service=sil_service)
    if code not in known:
        problem = (message("a negative outcome must give the code of its reason: the sending service always"
                           " receives it; the codes: {known}", known=", ".join(known)) if not code else
                   message("unknown reason code of a negative outcome of the SIL {service}; the codes: {known}",
                           service=sil_service, known=", ".join(known)))
        raise InputError(_entity(wf), [ErrorDetail("$.code", problem, code, "ref:services.refusal_codes")])
    wf = advance(wf, Phase.NON_ACCOLTO, on=on, by=by, note=reason, code=code)
    return wf, notification_of(wf, sil_service=sil_service, territory=territory)


def spec(phase: Phase | str, tables: Tables | None = None) -> PhaseSpec:
    """
    What the §3 table says of a phase: activities, subjects, instruments, critical points.

    :raises KeyError: ``phase`` is a closing state, not one of the eight phases.
    """
    return (tables or default_tables()).phase(Phase(phase).value)


# --------------------------------------------------------------------------- the case's history


def _event(entry: Step | Interview) -> CaseEvent:
    if isinstance(entry, Step):
        return CaseEvent(on=entry.on, kind=f"{PHASE_EVENT}{entry.phase.value}", by=entry.by, note=entry.note,
                         code=entry.code)
    return CaseEvent(on=entry.on, kind=f"{INTERVIEW_EVENT}{entry.kind.value}", by=entry.by, note=entry.note)


def sender_of(case: Case) -> str | None:
    """The sending service of a case: ``access.from_service`` when it arrived by referral."""
    access = case.access
    if access is None or access.channel is not AccessChannel.INVIO:
        return None
    return access.from_service


def workflow_of(case: Case, *, as_of: dt.date | None = None) -> Workflow | None:
    """
    Replay the SIL workflow recorded in the case's history (events up to ``as_of``).

    :return: the workflow, or ``None`` when the history records no SIL phase.
    :raises InputError: the recorded events break the machine (path ``$.history[n]``).
    """
    wf: Workflow | None = None
    for i, event in enumerate(case.history):
        if as_of is not None and event.on > as_of:
            break
        is_phase = event.kind.startswith(PHASE_EVENT)
        if not is_phase and not event.kind.startswith(INTERVIEW_EVENT):
            continue
        path = f"$.history[{i}].kind"
        try:
            if is_phase:
                phase = event.kind.removeprefix(PHASE_EVENT)
                if wf is None:
                    if phase != Phase.SEGNALAZIONE.value:
                        raise InputError(message("case {id}", id=case.id), [ErrorDetail(
                            path, message("the SIL path begins with the referral (phase 1)"), event.kind, "sil.fasi")])
                    wf = start(case.id, on=event.on, sender=sender_of(case), by=event.by, note=event.note)
                else:
                    wf = advance(wf, phase, on=event.on, by=event.by, note=event.note, code=event.code)
            else:
                if wf is None:
                    raise InputError(message("case {id}", id=case.id), [ErrorDetail(
                        path, message("interview before the referral (phase 1)"), event.kind, "sil.fasi")])
                wf = interview(wf, event.kind.removeprefix(INTERVIEW_EVENT), on=event.on, by=event.by,
                               note=event.note)
        except TransitionError as exc:
            detail = ErrorDetail(path, message_of(exc), event.kind, "sil.fasi")
            raise InputError(message("case {id}", id=case.id), [detail]) from None
        except InputError as exc:
            if exc.source.startswith("caso "):
                raise
            raise InputError(message("case {id}", id=case.id), [ErrorDetail(path, d.message, event.kind, d.rule)
                                                 for d in exc.details]) from None
    return wf


def record_workflow(case: Case, wf: Workflow) -> Case:
    """
    Append to the case's history the steps and interviews of ``wf`` it does not record yet.

    :raises InputError: ``wf`` is for another case, or does not continue the workflow the
        history records, or an event would be dated before the last one of the history.
    """
    if wf.case_id != case.id:
        detail = ErrorDetail("$.id", message("the path belongs to another case"), wf.case_id, "sil.fasi")
        raise InputError(message("case {id}", id=case.id), [detail])
    current = workflow_of(case)
    done = 0 if current is None else len(current.log)
    if current is not None and current.log != wf.log[:done]:
        raise InputError(message("case {id}", id=case.id), [ErrorDetail(
            "$.history", message("the path does not continue the one recorded in the case's history"), None,
            "sil.fasi")])
    for entry in wf.log[done:]:
        case = record(case, _event(entry))
    return case


def closed_without_path(wf: Workflow | None) -> bool:
    """Whether the case was only registered or not accepted (no placement path)."""
    return wf is not None and wf.phase in CLOSED_WITHOUT_PATH
