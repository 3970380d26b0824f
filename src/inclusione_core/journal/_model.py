"""
The pure model of the case journal: events, commands, ``decide`` and ``evolve``.

A case's history is a sequence of **events**, each an :class:`Event` envelope (who, when,
on which legal basis, in answer to which command, its version in the case) around a frozen
attrs **payload** (:class:`EventData`) whose *type name* is stable (``"referral.sent"``,
never a module path) and carries a ``schema_version``. Operators issue **commands**;
:func:`decide` checks a command against the case as it stands and answers with the events
it causes (or raises the library's typed errors), and :func:`evolve` folds one event into
the state. The state holds the library's own :class:`~inclusione_core.Case`, so a case
rebuilt from its journal is a case as every other part of the library reads it.

Referral steps go through :mod:`inclusione_core.referrals` (its state machine and its
:class:`~inclusione_core.TransitionError`), the history through
:func:`inclusione_core.referrals.record`. Nothing here does I/O: the clock and the ids are
passed in.

Payload fields declared with :func:`sealed` hold special categories of data (health,
addiction, mental health, justice), free text that may contain them (``records``), or codes
whose meaning may reveal them (a referral's services, a SerD among them; a refusal code; a
consent's categories and recipients): a store keeps them encrypted under the key of the
event's **data subject** (:attr:`EventData.subject`, a member id or :data:`HOUSEHOLD`) and,
once that key is destroyed, replays the event with those fields at their defaults
(``Event.erased``). What stays in clear is the skeleton: types, dates, ids, versions, who
recorded each event. A referral or a consent whose content was erased leaves the case (it
can no longer be sent, answered or relied upon); its steps stay in the history as erased.

Old payloads are brought to the current schema version by the :data:`UPCASTERS` before
they are structured (:func:`upcast`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final, TypeVar

import attrs
import cattrs

from .. import referrals
from .._config import Territory
from .._errors import ErrorDetail, InputError
from .._models import (
    Access,
    Assessment,
    Case,
    CaseEvent,
    CaseStatus,
    Consent,
    Household,
    Member,
    Project,
    Referral,
)
from ..i18n import Message

__all__ = [
    "ERASED_TEXT",
    "EVENT_TYPES",
    "HOUSEHOLD",
    "STATUS_AFTER",
    "UPCASTERS",
    "AddMember",
    "AnswerReferral",
    "Assess",
    "CaseAssessed",
    "CaseClosed",
    "CaseOpened",
    "CaseRectified",
    "CaseState",
    "CloseCase",
    "CloseReferral",
    "Command",
    "ConsentGiven",
    "ConsentWithdrawn",
    "EraseSubject",
    "Event",
    "EventData",
    "ExpireCase",
    "GiveConsent",
    "MemberAdded",
    "OpenCase",
    "ProjectReviewed",
    "ProjectSigned",
    "Rectify",
    "ReferralAnswered",
    "ReferralClosed",
    "ReferralSent",
    "ReferralWithdrawn",
    "ReviewProject",
    "SendReferral",
    "SignProject",
    "SubjectErased",
    "WithdrawConsent",
    "WithdrawReferral",
    "decide",
    "evolve",
    "from_payload",
    "replay",
    "sealed",
    "sealed_fields",
    "to_payload",
    "upcast",
]

HOUSEHOLD: Final = "household"
"""The data subject of an event about the household as a whole (not about one member)."""

ERASED_TEXT: Final = "[dato cancellato]"
"""What a replayed projection shows where a required text was sealed under an erased key."""

SEALED_KEY: Final = "inclusione_sealed"

STATUS_AFTER: Final[Mapping[str, CaseStatus]] = {
    "case.opened": CaseStatus.ACCESSO,
    "case.assessed": CaseStatus.VALUTAZIONE,
    "project.signed": CaseStatus.IN_CARICO,
    "project.reviewed": CaseStatus.MONITORAGGIO,
    "case.closed": CaseStatus.CHIUSO,
}
"""The case's status after an event of each type (the others leave it as it is)."""

T = TypeVar("T")


def sealed(*, default: Any = attrs.NOTHING, factory: Callable[[], Any] | None = None) -> Any:
    """
    A payload field kept encrypted under its data subject's key (special categories, free text).

    It must have a default: that is the value an event replays with once the key is destroyed,
    and a field at its default is not stored at all (it is read back as the default). So a
    sealed field's default never changes: a new one needs a new schema version whose
    upcaster writes the old default into the payloads of the old version.
    """
    if factory is not None:
        return attrs.field(factory=factory, metadata={SEALED_KEY: True})
    return attrs.field(default=default, metadata={SEALED_KEY: True})


@attrs.frozen(kw_only=True)
class EventData:
    """
    The payload of an event. Subclasses are registered with a stable type name.

    :cvar type: the stable type name (``"case.opened"``).
    :cvar schema_version: the version of the payload's form (older ones are upcast).
    """

    type: ClassVar[str] = ""
    schema_version: ClassVar[int] = 1

    @property
    def subject(self) -> str:
        """The data subject whose key seals the payload's sealed fields: a member id or :data:`HOUSEHOLD`."""
        return HOUSEHOLD


EVENT_TYPES: dict[str, type[EventData]] = {}
"""Type name -> payload class: every event the journal knows."""

UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""``(type name, version)`` -> a function from a payload of that version to one of the next."""

E = TypeVar("E", bound=type[EventData])


def _event(name: str, version: int = 1) -> Callable[[E], E]:
    def register(cls: E) -> E:
        if name in EVENT_TYPES:  # pragma: no cover - a programming error caught at import
            raise RuntimeError(f"event type {name!r} registered twice")
        for f in attrs.fields(cls):
            if f.metadata.get(SEALED_KEY) and f.default is attrs.NOTHING:  # pragma: no cover - idem
                raise RuntimeError(f"sealed field {cls.__name__}.{f.name} needs a default")
        cls.type = name
        cls.schema_version = version
        EVENT_TYPES[name] = cls
        return cls

    return register


def sealed_fields(cls: type[EventData]) -> tuple[str, ...]:
    """The names of the sealed fields of a payload class."""
    return tuple(f.name for f in attrs.fields(cls) if f.metadata.get(SEALED_KEY))


# --------------------------------------------------------------------------- the events


@_event("case.opened")
@attrs.frozen(kw_only=True)
class CaseOpened(EventData):
    """
    A case is opened: its territory, date, household id and its members' ids (the applicant
    first; their data follow in ``member.added`` events, each sealed under its own key), its
    operator, and how it arrived (sealed: the request in the person's words is ``records``).
    """

    territory: str
    opened_on: dt.date
    household_id: str
    member_ids: tuple[str, ...]
    operator: str = ""
    access: Access | None = sealed(default=None)


@_event("member.added")
@attrs.frozen(kw_only=True)
class MemberAdded(EventData):
    """A member of the household is recorded; the member's data are sealed under their own key."""

    member_id: str
    member: Member | None = sealed(default=None)

    @property
    def subject(self) -> str:
        """The member."""
        return self.member_id


@_event("case.assessed")
@attrs.frozen(kw_only=True)
class CaseAssessed(EventData):
    """An assessment (its needs may be of special categories: sealed under the household's key)."""

    on: dt.date
    assessment: Assessment | None = sealed(default=None)


@_event("referral.sent")
@attrs.frozen(kw_only=True)
class ReferralSent(EventData):
    """
    A referral sent to another service. Its services are sealed (that a case goes to a SerD
    or a mental-health centre is addiction or health data), as are its reason and snapshot.
    """

    referral_id: str
    channel: str
    on: dt.date
    from_service: str = sealed(default="")
    to_service: str = sealed(default="")
    reason: str = sealed(default="")
    snapshot: dict[str, Any] = sealed(factory=dict)


@_event("referral.answered")
@attrs.frozen(kw_only=True)
class ReferralAnswered(EventData):
    """
    The receiving service accepts or refuses a referral. Who answered (a service or its
    operator), the refusal code (a code may reveal a special category) and the free-text
    reason are sealed.
    """

    referral_id: str
    accepted: bool
    on: dt.date
    by: str = sealed(default="")
    code: str | None = sealed(default=None)
    reason: str = sealed(default="")


@_event("referral.closed")
@attrs.frozen(kw_only=True)
class ReferralClosed(EventData):
    """An accepted or refused referral is closed."""

    referral_id: str
    on: dt.date
    reason: str = sealed(default="")


@_event("referral.withdrawn")
@attrs.frozen(kw_only=True)
class ReferralWithdrawn(EventData):
    """The sending service withdraws a referral."""

    referral_id: str
    on: dt.date
    reason: str = sealed(default="")


@_event("project.signed")
@attrs.frozen(kw_only=True)
class ProjectSigned(EventData):
    """
    The personalised project is signed (replacing any earlier one). The project is sealed
    (its objectives are free text, its interventions may be of a special category by their
    code); once erased, the case keeps a project with its id and start date only.
    """

    project_id: str
    on: dt.date
    project: Project | None = sealed(default=None)


@_event("project.reviewed", 2)
@attrs.frozen(kw_only=True)
class ProjectReviewed(EventData):
    """
    A review of the project was held.

    Version 2 names the project ``project_id`` (version 1: ``project``) and carries a note.
    """

    project_id: str
    on: dt.date
    note: str = sealed(default="")


@_event("consent.given", 2)
@attrs.frozen(kw_only=True)
class ConsentGiven(EventData):
    """
    A data subject's consent, as :class:`~inclusione_core.Consent` records it: its id, the
    member and the date in clear, the consent itself sealed (a consent to disclose addiction
    data to a SerD reveals them).

    Version 2 sealed the consent; version 1 held it in clear alone.
    """

    consent_id: str
    member: str
    given_on: dt.date
    consent: Consent | None = sealed(default=None)

    @property
    def subject(self) -> str:
        """The member who consented (or for whom a representative did)."""
        return self.member


@_event("consent.withdrawn")
@attrs.frozen(kw_only=True)
class ConsentWithdrawn(EventData):
    """A consent is withdrawn, from the date given."""

    consent_id: str
    member: str
    on: dt.date

    @property
    def subject(self) -> str:
        """The member whose consent it is."""
        return self.member


@_event("case.closed")
@attrs.frozen(kw_only=True)
class CaseClosed(EventData):
    """The case is closed."""

    on: dt.date
    reason: str = sealed(default="")


@_event("case.rectified")
@attrs.frozen(kw_only=True)
class CaseRectified(EventData):
    """
    A rectification (GDPR art. 16): a member's data or the assessment replaced, naming the
    event it corrects. The log is not rewritten: the projection takes the new data from here.
    """

    rectifies: str
    subject_id: str
    on: dt.date
    member: Member | None = sealed(default=None)
    assessment: Assessment | None = sealed(default=None)
    reason: str = sealed(default="")

    @property
    def subject(self) -> str:
        """The member rectified, or :data:`HOUSEHOLD` for the assessment."""
        return self.subject_id


@_event("subject.erased")
@attrs.frozen(kw_only=True)
class SubjectErased(EventData):
    """
    A data subject's sealed data are erased (GDPR art. 17): a store destroys their key in
    the same transaction. The event itself holds no personal data beyond the subject's id.
    """

    subject_id: str
    on: dt.date
    ground: str = ""

    @property
    def subject(self) -> str:
        """The member (or :data:`HOUSEHOLD`) erased."""
        return self.subject_id


@attrs.frozen(kw_only=True)
class Event:
    """
    One event of a case's journal: the payload and who, when, why.

    :ivar id: the event's unique id (from the ``new_id`` given to :func:`decide`).
    :ivar case_id: the case.
    :ivar version: its place in the case, from 1, contiguous.
    :ivar data: the payload.
    :ivar occurred_at: when it happened (the ``clock`` given to :func:`decide`).
    :ivar actor: the operator who issued the command.
    :ivar role: the operator's role (``assistente_sociale``, ``operatore_cpi``...).
    :ivar legal_basis: the legal basis of the processing, as the operator declared it.
    :ivar command_id: the command it answers (several events may share it).
    :ivar recorded_at: when a store recorded it (``None`` before).
    :ivar erased: the sealed fields could not be opened (their subject's key was destroyed):
        they hold their defaults.
    """

    id: str
    case_id: str
    version: int
    data: EventData
    occurred_at: dt.datetime
    actor: str
    role: str
    legal_basis: str
    command_id: str
    recorded_at: dt.datetime | None = None
    erased: bool = False

    @property
    def type(self) -> str:
        """The payload's stable type name."""
        return self.data.type

    @property
    def schema_version(self) -> int:
        """The payload's schema version."""
        return self.data.schema_version

    @property
    def subject(self) -> str:
        """The payload's data subject."""
        return self.data.subject


# --------------------------------------------------------------------------- payloads as data


def to_payload(data: EventData, converter: cattrs.Converter, *,
               omit_defaults: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """
    A payload as JSON-ready data, split in its open part and its sealed part.

    :param omit_defaults: leave out of the sealed part the fields at their default (an empty
        reason...): what a store would seal for nothing, and which needs no key to read back.
    :return: ``(open, sealed)``: the fields kept in clear and those to encrypt.
    """
    whole: dict[str, Any] = converter.unstructure(data)
    names = set(sealed_fields(type(data)))
    if omit_defaults:
        names -= {f.name for f in attrs.fields(type(data)) if f.name in names and getattr(data, f.name) == _default(f)}
    opened = {k: v for k, v in whole.items() if k not in names and k not in sealed_fields(type(data))}
    return opened, {k: v for k, v in whole.items() if k in names}


def _default(f: attrs.Attribute[Any]) -> Any:
    factory = getattr(f.default, "factory", None)  # attrs.Factory (sealed fields never take self)
    return factory() if callable(factory) else f.default


def upcast(type_name: str, version: int, payload: Mapping[str, Any]) -> dict[str, Any]:
    """
    A stored payload brought from its schema ``version`` to the current one.

    :raises InputError: the type is unknown, the version newer than this library's, or a step missing.
    """
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise InputError(Message("journal event"), [ErrorDetail(
            "$.type", Message("unknown event type; known: {known}", known=", ".join(sorted(EVENT_TYPES))),
            type_name, "enum")])
    data = dict(payload)
    if version > cls.schema_version:
        raise InputError(Message("journal event"), [ErrorDetail(
            "$.schema_version", Message("version newer than this library reads ({current})",
                                        current=cls.schema_version), version, "maximum")])
    while version < cls.schema_version:
        step = UPCASTERS.get((type_name, version))
        if step is None:
            raise InputError(Message("journal event"), [ErrorDetail(
                "$.schema_version", Message("no upcaster from this version"), version, "upcaster")])
        data = step(data)
        version += 1
    return data


def from_payload(type_name: str, version: int, payload: Mapping[str, Any], converter: cattrs.Converter) -> EventData:
    """
    A payload read back: upcast to the current version, then structured.

    Sealed fields missing from ``payload`` (their key destroyed) take their defaults.

    :raises InputError: unknown type or version, or a payload that does not fit its class.
    """
    from .._convert import structure  # noqa: PLC0415 - cattrs error mapping, shared with the case reader

    data = upcast(type_name, version, payload)
    return structure(converter, data, EVENT_TYPES[type_name], Message("journal event {type}", type=type_name))


def _project_reviewed_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 named the project ``project`` and had no note."""
    out = {k: v for k, v in data.items() if k != "project"}
    out["project_id"] = data["project"]
    return out


UPCASTERS[("project.reviewed", 1)] = _project_reviewed_v1


def _consent_given_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 held the consent alone (in clear): its id, member and date come from it."""
    consent = data["consent"]
    return {**data, "consent_id": consent["id"], "member": consent["member"], "given_on": consent["given_on"]}


UPCASTERS[("consent.given", 1)] = _consent_given_v1


# --------------------------------------------------------------------------- commands


@attrs.frozen(kw_only=True)
class Command:
    """
    What an operator asks of a case. Every command names the case, its own id (a retry
    carries the same id), the operator, their role and the legal basis.
    """

    case_id: str
    command_id: str
    actor: str
    role: str
    legal_basis: str = ""


@attrs.frozen(kw_only=True)
class OpenCase(Command):
    """Open a case, with its household's members (at least the applicant, first)."""

    territory: str
    opened_on: dt.date
    household_id: str
    members: tuple[Member, ...] = ()
    access: Access | None = None
    operator: str = ""


@attrs.frozen(kw_only=True)
class AddMember(Command):
    """Record a member of the household."""

    member: Member


@attrs.frozen(kw_only=True)
class Assess(Command):
    """Record an assessment."""

    assessment: Assessment


@attrs.frozen(kw_only=True)
class SendReferral(Command):
    """Send a referral (:func:`inclusione_core.referrals.send`)."""

    referral_id: str
    from_service: str
    to_service: str
    channel: str
    reason: str
    on: dt.date
    snapshot: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class AnswerReferral(Command):
    """Accept or refuse a referral (:func:`~inclusione_core.referrals.accept`, :func:`~.refuse`)."""

    referral_id: str
    accepted: bool
    on: dt.date
    by: str = ""
    reason: str = ""
    code: str | None = None


@attrs.frozen(kw_only=True)
class CloseReferral(Command):
    """Close an answered referral."""

    referral_id: str
    on: dt.date
    reason: str = ""


@attrs.frozen(kw_only=True)
class WithdrawReferral(Command):
    """Withdraw a referral."""

    referral_id: str
    on: dt.date
    reason: str = ""


@attrs.frozen(kw_only=True)
class SignProject(Command):
    """Record the signed personalised project."""

    project: Project
    on: dt.date


@attrs.frozen(kw_only=True)
class ReviewProject(Command):
    """Record a review of the project."""

    project_id: str
    on: dt.date
    note: str = ""


@attrs.frozen(kw_only=True)
class GiveConsent(Command):
    """Record a consent."""

    consent: Consent


@attrs.frozen(kw_only=True)
class WithdrawConsent(Command):
    """Withdraw a consent from a date."""

    consent_id: str
    on: dt.date


@attrs.frozen(kw_only=True)
class CloseCase(Command):
    """Close the case."""

    on: dt.date
    reason: str = ""


@attrs.frozen(kw_only=True)
class Rectify(Command):
    """Rectify a member's data (``member``) or the assessment (``assessment``), naming the event corrected."""

    rectifies: str
    on: dt.date
    member: Member | None = None
    assessment: Assessment | None = None
    reason: str = ""


@attrs.frozen(kw_only=True)
class EraseSubject(Command):
    """Erase a data subject's sealed data (a member id, or :data:`HOUSEHOLD`)."""

    subject_id: str
    on: dt.date
    ground: str = ""


@attrs.frozen(kw_only=True)
class ExpireCase(Command):
    """
    Erase every data subject of a closed case whose retention period has ended (the
    household and each member not erased yet), in one batch: one ``subject.erased`` each.
    """

    on: dt.date
    ground: str = "periodo di conservazione concluso"


# --------------------------------------------------------------------------- state


@attrs.frozen(kw_only=True)
class CaseState:
    """
    A case as its journal leaves it.

    :ivar case_id: the case.
    :ivar version: the version of the last event folded in (0: no event).
    :ivar case: the case as the library models it (``None`` before ``case.opened``).
    :ivar erased: the data subjects erased.
    :ivar event_ids: the ids of the events folded in (a rectification names one).
    :ivar shredded: the ids of the referrals and consents recorded under a key since
        destroyed: they are no longer in the case, and their later steps are history only.
    """

    case_id: str
    version: int = 0
    case: Case | None = None
    erased: frozenset[str] = frozenset()
    event_ids: frozenset[str] = frozenset()
    shredded: frozenset[str] = frozenset()


def _fail(state: CaseState, path: str, message: str, value: Any, rule: str) -> InputError:
    return InputError(Message("case {id}", id=state.case_id), [ErrorDetail(path, message, value, rule)])


def _opened(state: CaseState, path: str = "$.case_id") -> Case:
    if state.case is None:
        raise _fail(state, path, Message("the case has not been opened in the journal"), state.case_id, "opened")
    return state.case


def _referral(state: CaseState, case: Case, referral_id: str) -> Referral:
    for ref in case.referrals:
        if ref.id == referral_id:
            return ref
    raise _fail(state, "$.referral_id", Message("no referral with this id in the case"), referral_id, "exists")


def _history(case: Case, on: dt.date, kind: str, by: str = "", note: str = "", code: str | None = None) -> Case:
    return referrals.record(case, CaseEvent(on=on, kind=kind, by=by, note=note, code=code))


def _apply(state: CaseState, event: Event) -> tuple[Case | None, frozenset[str], frozenset[str]]:  # noqa: PLR0915 - one branch a type
    data = event.data
    erased, shredded = state.erased, state.shredded
    if isinstance(data, CaseOpened):
        if state.case is not None:
            raise _fail(state, "$.case_id", Message("the case is already open"), state.case_id, "unique")
        household = Household(id=data.household_id, members=tuple(Member(id=m) for m in data.member_ids))
        case = Case(id=state.case_id, territory=data.territory, opened_on=data.opened_on, household=household,
                    access=data.access, operator=data.operator)
        return _history(case, data.opened_on, "accesso", by=event.actor), erased, shredded
    case = _opened(state)
    if isinstance(data, MemberAdded):
        member = data.member or Member(id=data.member_id)  # erased: the id only, as the event keeps it
        if any(m.id == data.member_id for m in case.household.members):
            members = tuple(member if m.id == data.member_id else m for m in case.household.members)
        else:
            members = (*case.household.members, member)
        return attrs.evolve(case, household=attrs.evolve(case.household, members=members)), erased, shredded
    if isinstance(data, CaseAssessed):
        case = _history(case, data.on, "valutazione", by=event.actor)
        return _without_erased(attrs.evolve(case, assessment=data.assessment), erased), erased, shredded
    if isinstance(data, ReferralSent | ReferralAnswered | ReferralClosed | ReferralWithdrawn) and (
            event.erased or data.referral_id in shredded):
        # its content is gone with its key: the referral leaves the case, its steps stay in the history as erased
        case = _history(case, data.on, "invio", by=event.actor, note=ERASED_TEXT)
        return case, erased, shredded | {data.referral_id}
    if isinstance(data, ReferralSent):
        if any(r.id == data.referral_id for r in case.referrals):
            raise _fail(state, "$.referral_id", Message("a referral with this id was already sent"),
                        data.referral_id, "unique")
        ref = referrals.send(id=data.referral_id, from_service=data.from_service, to_service=data.to_service,
                             channel=data.channel, reason=data.reason, on=data.on, snapshot=data.snapshot)
        return referrals.update_referral(case, ref), erased, shredded
    if isinstance(data, ReferralAnswered):
        ref = _referral(state, case, data.referral_id)
        if data.accepted:
            ref = referrals.accept(ref, on=data.on, by=data.by)
        else:
            ref = referrals.refuse(ref, on=data.on, by=data.by, code=data.code or "", reason=data.reason)
        return referrals.update_referral(case, ref), erased, shredded
    if isinstance(data, ReferralClosed):
        ref = referrals.close(_referral(state, case, data.referral_id), on=data.on, reason=data.reason)
        return referrals.update_referral(case, ref), erased, shredded
    if isinstance(data, ReferralWithdrawn):
        ref = referrals.withdraw(_referral(state, case, data.referral_id), on=data.on, reason=data.reason)
        return referrals.update_referral(case, ref), erased, shredded
    if isinstance(data, ProjectSigned):
        case = _history(case, data.on, "patto", by=event.actor)
        case = attrs.evolve(case, project=data.project or Project(id=data.project_id, start=data.on))
        return _without_erased(case, erased), erased, shredded
    if isinstance(data, ProjectReviewed):
        project = case.project
        if project is None or project.id != data.project_id:
            raise _fail(state, "$.project_id", Message("no signed project with this id in the case"),
                        data.project_id, "exists")
        case = _history(case, data.on, "verifica", by=event.actor, note=data.note)
        project = attrs.evolve(project, reviews_done=(*project.reviews_done, data.on))
        return attrs.evolve(case, project=project), erased, shredded
    if isinstance(data, ConsentGiven):
        if data.consent_id in shredded or any(c.id == data.consent_id for c in case.consents):
            raise _fail(state, "$.consent.id", Message("a consent with this id is already recorded"),
                        data.consent_id, "unique")
        case = _history(case, data.given_on, "consenso", by=event.actor, note=ERASED_TEXT if event.erased else "")
        if data.consent is None:  # erased: what it allowed is unknown, so it allows nothing
            return case, erased, shredded | {data.consent_id}
        return attrs.evolve(case, consents=(*case.consents, data.consent)), erased, shredded
    if isinstance(data, ConsentWithdrawn):
        found = next((c for c in case.consents if c.id == data.consent_id), None)
        if data.consent_id in shredded:
            return _history(case, data.on, "revoca_consenso", by=event.actor), erased, shredded
        if found is None or found.withdrawn_on is not None:
            raise _fail(state, "$.consent_id", Message("no consent in force with this id in the case"),
                        data.consent_id, "exists")
        case = _history(case, data.on, "revoca_consenso", by=event.actor)
        consents = tuple(attrs.evolve(c, withdrawn_on=data.on) if c.id == data.consent_id else c
                         for c in case.consents)
        return attrs.evolve(case, consents=consents), erased, shredded
    if isinstance(data, CaseClosed):
        case = _history(case, data.on, "chiusura", by=event.actor, note=data.reason)
        return case, erased, shredded
    if isinstance(data, CaseRectified):
        case = _history(case, data.on, "rettifica", by=event.actor, note=data.reason)
        if data.member is not None:
            members = tuple(data.member if m.id == data.member.id else m for m in case.household.members)
            case = attrs.evolve(case, household=attrs.evolve(case.household, members=members))
        if data.assessment is not None:
            case = attrs.evolve(case, assessment=data.assessment)
        return _without_erased(case, erased), erased, shredded
    if isinstance(data, SubjectErased):
        # what a replay will no longer open leaves the case now too: the household's assessment, access and
        # referrals; the member's data and consents
        case = _history(case, data.on, "cancellazione", by=event.actor)
        if data.subject_id == HOUSEHOLD:
            shredded |= {r.id for r in case.referrals}
            case = attrs.evolve(case, assessment=None, access=None, referrals=())
        else:
            members = tuple(Member(id=m.id) if m.id == data.subject_id else m for m in case.household.members)
            case = attrs.evolve(case, household=attrs.evolve(case.household, members=members))
            shredded |= {c.id for c in case.consents if c.member == data.subject_id}
            case = attrs.evolve(case, consents=tuple(c for c in case.consents if c.member != data.subject_id))
            case = _without_member(case, data.subject_id)
        return case, erased | {data.subject_id}, shredded
    raise TypeError(f"unknown event payload {type(data).__name__}")  # pragma: no cover - every type is handled


def _without_member(case: Case, member_id: str) -> Case:
    """
    The case without what the household's assessment and project say of one member (their
    needs, their readiness for work, their commitments): once the member is erased, the
    case as rebuilt no longer shows it, whenever it was recorded (the sealed assessment and
    project, under the household's key, still hold it until the household is erased too).
    """
    a, p = case.assessment, case.project
    if a is not None:
        case = attrs.evolve(case, assessment=attrs.evolve(
            a, needs=tuple(n for n in a.needs if n.member != member_id),
            work_ready_members=tuple(m for m in a.work_ready_members if m != member_id)))
    if p is not None:
        case = attrs.evolve(case, project=attrs.evolve(
            p, commitments=tuple(c for c in p.commitments if c.member != member_id)))
    return case


def _without_erased(case: Case, erased: frozenset[str]) -> Case:
    """The case without what its household-level parts say of the members erased."""
    for member_id in erased - {HOUSEHOLD}:
        case = _without_member(case, member_id)
    return case


def evolve(state: CaseState, event: Event) -> CaseState:
    """
    The state after one event.

    :param state: the state before (``CaseState(case_id=...)`` for a new case).
    :param event: the next event of the same case, with version ``state.version + 1``.
    :return: the new state.
    :raises InputError: the event is of another case or out of sequence, or it does not fit
        the case (as :func:`decide` would have refused it).
    :raises TransitionError: a referral step the state machine does not allow.
    """
    if event.case_id != state.case_id:
        raise _fail(state, "$.case_id", Message("the event belongs to another case"), event.case_id, "const")
    if event.version != state.version + 1:
        raise _fail(state, "$.version", Message("the event is out of sequence: expected version {expected}",
                                                expected=state.version + 1), event.version, "sequence")
    case, erased, shredded = _apply(state, event)
    status = STATUS_AFTER.get(event.type)
    if case is not None and status is not None:
        case = attrs.evolve(case, status=status)
    return attrs.evolve(state, version=event.version, case=case, erased=erased,
                        event_ids=state.event_ids | {event.id}, shredded=shredded)


def replay(case_id: str, events: list[Event]) -> CaseState:
    """The state of a case after its events, in order."""
    state = CaseState(case_id=case_id)
    for event in events:
        state = evolve(state, event)
    return state


def _payloads(state: CaseState, command: Command) -> list[EventData]:
    case = state.case
    if isinstance(command, OpenCase):
        if not command.members:
            raise _fail(state, "$.members", Message("a case is opened with its household's members, the applicant"
                                                    " first"), [], "minItems")
        for i, m in enumerate(command.members):
            _not_household(state, m.id, f"$.members[{i}].id")
        return [CaseOpened(territory=command.territory, opened_on=command.opened_on,
                           household_id=command.household_id, member_ids=tuple(m.id for m in command.members),
                           access=command.access, operator=command.operator),
                *(MemberAdded(member_id=m.id, member=m) for m in command.members)]
    case = _opened(state)
    if isinstance(command, ExpireCase):
        if case.status is not CaseStatus.CHIUSO:
            raise _fail(state, "$.case_id", Message("the case is not closed: its retention period has not begun"),
                        state.case_id, "closed")
        subjects = dict.fromkeys([HOUSEHOLD, *_subjects(case)])
        return [SubjectErased(subject_id=s, on=command.on, ground=command.ground) for s in subjects
                if s not in state.erased]
    if isinstance(command, EraseSubject | Rectify):
        return [_erase_or_rectify(state, case, command)]
    if case.status is CaseStatus.CHIUSO:
        raise _fail(state, "$.case_id", Message("the case is closed: only rectifications and erasures are"
                                                " recorded"), state.case_id, "closed")
    if isinstance(command, AddMember):
        _not_household(state, command.member.id, "$.member.id")
        if any(m.id == command.member.id for m in case.household.members):
            raise _fail(state, "$.member.id", Message("a member with this id is already recorded"),
                        command.member.id, "unique")
        return [MemberAdded(member_id=command.member.id, member=command.member)]
    if isinstance(command, Assess):
        return [CaseAssessed(on=command.assessment.date, assessment=command.assessment)]
    if isinstance(command, SendReferral | AnswerReferral | CloseReferral | WithdrawReferral) and (
            command.referral_id in state.shredded):
        raise _fail(state, "$.referral_id", Message("the referral was erased with its data subject"),
                    command.referral_id, "erased")
    if isinstance(command, SendReferral):
        return [ReferralSent(referral_id=command.referral_id, from_service=command.from_service,
                             to_service=command.to_service, channel=command.channel, on=command.on,
                             reason=command.reason, snapshot=dict(command.snapshot))]
    if isinstance(command, AnswerReferral):
        return [ReferralAnswered(referral_id=command.referral_id, accepted=command.accepted, on=command.on,
                                 by=command.by, code=command.code, reason=command.reason)]
    if isinstance(command, CloseReferral):
        return [ReferralClosed(referral_id=command.referral_id, on=command.on, reason=command.reason)]
    if isinstance(command, WithdrawReferral):
        return [ReferralWithdrawn(referral_id=command.referral_id, on=command.on, reason=command.reason)]
    if isinstance(command, SignProject):
        return [ProjectSigned(project_id=command.project.id, on=command.on, project=command.project)]
    if isinstance(command, ReviewProject):
        return [ProjectReviewed(project_id=command.project_id, on=command.on, note=command.note)]
    if isinstance(command, GiveConsent):
        if command.consent.member in state.erased:
            raise _fail(state, "$.consent.member", Message("the data subject was erased"), command.consent.member,
                        "erased")
        if all(m.id != command.consent.member for m in case.household.members):
            raise _fail(state, "$.consent.member", Message("member not in the household"), command.consent.member,
                        "ref:household.members")
        return [ConsentGiven(consent_id=command.consent.id, member=command.consent.member,
                             given_on=command.consent.given_on, consent=command.consent)]
    if isinstance(command, WithdrawConsent):
        found = next((c for c in case.consents if c.id == command.consent_id), None)
        if found is None:  # never given, or erased with its subject
            raise _fail(state, "$.consent_id", Message("no consent in force with this id in the case"),
                        command.consent_id, "exists")
        return [ConsentWithdrawn(consent_id=command.consent_id, member=found.member, on=command.on)]
    if isinstance(command, CloseCase):
        return [CaseClosed(on=command.on, reason=command.reason)]
    raise TypeError(f"unknown command {type(command).__name__}")  # pragma: no cover - every command is handled


def _subjects(case: Case) -> list[str]:
    """The case's data subjects besides the household: its members, and whoever a consent names (journals
    written before consents had to be of a member)."""
    return list(dict.fromkeys([*(m.id for m in case.household.members), *(c.member for c in case.consents)]))


def _not_household(state: CaseState, member_id: str, path: str) -> None:
    if member_id == HOUSEHOLD:
        raise _fail(state, path, Message("reserved: the id of the household as a data subject"), member_id,
                    "not:household")


def _erase_or_rectify(state: CaseState, case: Case, command: EraseSubject | Rectify) -> EventData:
    if isinstance(command, EraseSubject):
        known = {HOUSEHOLD, *_subjects(case)}
        if command.subject_id in state.erased or command.subject_id not in known:
            raise _fail(state, "$.subject_id", Message("no data subject with this id in the case (or already"
                                                       " erased)"), command.subject_id, "exists")
        return SubjectErased(subject_id=command.subject_id, on=command.on, ground=command.ground)
    if command.rectifies not in state.event_ids:
        raise _fail(state, "$.rectifies", Message("no event with this id in the case"), command.rectifies, "exists")
    if (command.member is None) == (command.assessment is None):
        raise _fail(state, "$", Message("a rectification replaces either a member or the assessment"), None,
                    "oneOf")
    if command.member is not None:
        if all(m.id != command.member.id for m in case.household.members):
            raise _fail(state, "$.member.id", Message("no member with this id in the case"), command.member.id,
                        "exists")
        subject = command.member.id
    else:
        subject = HOUSEHOLD
    return CaseRectified(rectifies=command.rectifies, subject_id=subject, on=command.on, member=command.member,
                         assessment=command.assessment, reason=command.reason)


def decide(state: CaseState, command: Command, *, clock: Callable[[], dt.datetime],
           new_id: Callable[[], str], territory: Territory | None = None) -> list[Event]:
    """
    The events a command causes on a case, checked against the case as it stands.

    Every event is folded into the state before it is returned, so the referral state
    machine, the chronology of the history and the model's constraints all hold. With the
    case's ``territory``, the case after the command is also checked against it
    (:meth:`~inclusione_core.Engine.check`'s checks: known services, a refusal code among
    the receiving service's ``refusal_codes``, known need codes, consents given by their
    data subject...): a problem the command would bring is refused now, when the operator
    can correct it, not found later when the case is shown. Problems the case had before
    the command are not the command's and do not stop it.

    :param state: the case now (see :func:`replay`).
    :param command: what the operator asks.
    :param clock: gives the moment the events occur (aware ``datetime``).
    :param new_id: gives a new unique event id at each call.
    :param territory: the case's territory, to check the case against (``None``: the model's
        checks only, as a replay does).
    :return: the events, numbered from ``state.version + 1``.
    :raises InputError: the command does not fit the case (names the JSON path, the value, the rule).
    :raises TransitionError: a referral step the state machine does not allow.
    """
    if command.case_id != state.case_id:
        raise _fail(state, "$.case_id", Message("the command is for another case"), command.case_id, "const")
    at = clock()
    events: list[Event] = []
    trial = state
    for offset, data in enumerate(_payloads(state, command), start=1):
        event = Event(id=new_id(), case_id=state.case_id, version=state.version + offset, data=data,
                      occurred_at=at, actor=command.actor, role=command.role, legal_basis=command.legal_basis,
                      command_id=command.command_id)
        trial = evolve(trial, event)
        events.append(event)
    if territory is not None and trial.case is not None:
        _check_against(state, trial.case, territory)
    return events


def _check_against(state: CaseState, case: Case, territory: Territory) -> None:
    from .._checks import check_case  # noqa: PLC0415 - the territory's checks, only when a territory is given

    def key(error: ErrorDetail) -> tuple[str, str, str]:
        return error.path, error.rule, repr(error.value)

    before = {key(e) for e in check_case(state.case, territory)} if state.case is not None else set()
    new = [e for e in check_case(case, territory) if key(e) not in before]
    if new:
        raise InputError(Message("case {id}", id=state.case_id), new)
