"""
Referrals between services (*invio / segnalazione*) and the case's append-only history.

A :class:`~inclusione_core.Referral` is a small state machine::

    sent ──> accepted ──> closed
      │         └──────> withdrawn
      ├────> refused ───> closed
      └────> withdrawn

``closed`` and ``withdrawn`` are final. Every function here returns a **new** object (the
models are frozen) and refuses what the machine does not allow:

* an illegal transition raises :class:`~inclusione_core.TransitionError`, which names the
  referral, the current and requested states and the states reachable from the current one;
* a date earlier than the previous step of the same referral (an answer before the
  referral was sent, a closure before the answer), or a refusal without a reason or
  without a well-formed code, raises :class:`~inclusione_core.InputError` naming the field.

A refusal carries a **code** (``ReferralResponse.code``, one of the receiving service's
``refusal_codes``) besides its free-text reason: the code is case-management data the
sender always receives; the reason is ``social`` and may be withheld.

The ``snapshot`` (what was sent, e.g. the *scheda di invio*) is deep-copied when the
referral is sent and carried unchanged through every transition.

Example::

    from inclusione_core import referrals

    ref = referrals.send(id="inv-1", from_service="pua", to_service="cpi",
                         channel="scheda_invio", reason="bisogno lavorativo",
                         on=date(2025, 3, 3), snapshot=scheda)
    ref = referrals.accept(ref, on=date(2025, 3, 5), by="cpi prato")
    case = referrals.update_referral(case, ref)   # stores it and records the event
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import attrs

from ._config import Territory
from ._errors import ErrorDetail, InputError, TransitionError
from ._models import Case, CaseEvent, Referral, ReferralResponse, ReferralStatus
from .i18n import Message, message_of

__all__ = [
    "FINAL",
    "TRANSITIONS",
    "accept",
    "allowed",
    "close",
    "last_date",
    "record",
    "refuse",
    "send",
    "update_referral",
    "withdraw",
]

_S = ReferralStatus

TRANSITIONS: Final[Mapping[ReferralStatus, frozenset[ReferralStatus]]] = {
    _S.SENT: frozenset({_S.ACCEPTED, _S.REFUSED, _S.WITHDRAWN}),
    _S.ACCEPTED: frozenset({_S.CLOSED, _S.WITHDRAWN}),
    _S.REFUSED: frozenset({_S.CLOSED}),
    _S.CLOSED: frozenset(),
    _S.WITHDRAWN: frozenset(),
}
"""The legal transitions: state -> states reachable in one step."""

FINAL: Final[frozenset[ReferralStatus]] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)
"""The final states (no transition leaves them)."""

HISTORY_KIND: Final = "invio"
"""Kind of the history event recorded by :func:`update_referral`."""


def allowed(status: ReferralStatus) -> frozenset[ReferralStatus]:
    """
    The states a referral in ``status`` may move to in one step.

    :param status: the current state.
    :return: the reachable states (empty for a final state).
    """
    return TRANSITIONS[status]


def _reachable(status: ReferralStatus) -> frozenset[ReferralStatus]:
    """States reachable from ``status`` in one or more steps."""
    seen: set[ReferralStatus] = set()
    todo = list(TRANSITIONS[status])
    while todo:
        nxt = todo.pop()
        if nxt not in seen:
            seen.add(nxt)
            todo.extend(TRANSITIONS[nxt])
    return frozenset(seen)


def _entity(ref: Referral) -> str:
    return Message("referral {id} ({sender} -> {receiver})", id=ref.id, sender=ref.from_service,
                   receiver=ref.to_service)


def _check_transition(ref: Referral, requested: ReferralStatus) -> None:
    nxt = TRANSITIONS[ref.status]
    if requested not in nxt:
        raise TransitionError(_entity(ref), ref.status.value, requested.value, (s.value for s in nxt))


def last_date(ref: Referral) -> dt.date:
    """
    The date of the referral's latest step: closure, else answer, else sending.

    :param ref: the referral.
    :return: the date no later step may precede.
    """
    if ref.closed_on is not None:
        return ref.closed_on
    if ref.response is not None:
        return ref.response.on
    return ref.sent_on


def _check_not_before(ref: Referral, on: dt.date, path: str) -> None:
    previous = last_date(ref)
    if on < previous:
        what = Message("closing") if ref.closed_on is not None else Message("answer") if ref.response else \
            Message("sending")
        raise InputError(
            _entity(ref),
            [ErrorDetail(
                path,
                Message("the date {on} precedes the {what} of {previous}: the dates of a referral cannot go back",
                        on=on.isoformat(), what=what, previous=previous.isoformat()),
                on.isoformat(),
                "chronology",
            )],
        )


def send(
    *,
    id: str,
    from_service: str,
    to_service: str,
    channel: str,
    reason: str,
    on: dt.date,
    snapshot: Mapping[str, Any],
) -> Referral:
    """
    Send a referral: a new :class:`~inclusione_core.Referral` in state ``sent``.

    :param id: the referral identifier.
    :param from_service: the sending service id.
    :param to_service: the receiving service id.
    :param channel: the channel code (``scheda_invio``, ``prenotazione``, ``pec``...).
    :param reason: why the case is sent.
    :param on: the date sent.
    :param snapshot: what was sent (e.g. the *scheda di invio*), JSON-ready; it is
        deep-copied, so later changes to the caller's object do not reach the referral.
    :return: the referral, state ``sent``.
    :raises InputError: a field breaks the model's constraints (e.g. a malformed id).
    """
    from ._fields import FieldValueError  # noqa: PLC0415

    try:
        return Referral(
            id=id,
            from_service=from_service,
            to_service=to_service,
            channel=channel,
            reason=reason,
            sent_on=on,
            status=ReferralStatus.SENT,
            snapshot=copy.deepcopy(dict(snapshot)),
        )
    except FieldValueError as exc:
        raise InputError(
            Message("referral {id}", id=id), [ErrorDetail(f"$.{exc.name}", message_of(exc), exc.value, exc.rule)]
        ) from None


def accept(ref: Referral, *, on: dt.date, by: str = "") -> Referral:
    """
    The receiving service accepts the referral (``sent -> accepted``).

    :param ref: the referral, in state ``sent``.
    :param on: the date of the answer; not before the referral was sent.
    :param by: the operator or service answering.
    :return: the referral, state ``accepted``, with its response.
    :raises TransitionError: the referral is not in state ``sent``.
    :raises InputError: ``on`` precedes the date sent.
    """
    _check_transition(ref, ReferralStatus.ACCEPTED)
    _check_not_before(ref, on, "$.response.on")
    return attrs.evolve(
        ref, status=ReferralStatus.ACCEPTED, response=ReferralResponse(on=on, by=by)
    )


def refuse(
    ref: Referral, *, on: dt.date, reason: str, code: str, by: str = "", territory: Territory | None = None
) -> Referral:
    """
    The receiving service refuses the referral (``sent -> refused``), saying why.

    :param ref: the referral, in state ``sent``.
    :param on: the date of the answer; not before the referral was sent.
    :param reason: why it is refused, in free text; mandatory (the sender must know what to
        do next). It is ``social`` data: a recipient view may withhold it.
    :param code: the code of the refusal, one of the receiving service's
        ``refusal_codes`` (``altro`` where the territory lists it, for a reason the list
        does not foresee): case-management data that the sender always receives, even when
        the free-text reason is withheld.
    :param by: the operator or service answering.
    :param territory: the territory whose configuration lists the codes: when given, the
        code is checked now; the case check (:meth:`~inclusione_core.Engine.check`) checks it
        in any case when the referral is in a case.
    :return: the referral, state ``refused``, with its response.
    :raises TransitionError: the referral is not in state ``sent``.
    :raises InputError: ``reason`` is empty, ``code`` is not a code (or not one of the
        service's ``refusal_codes``, with ``territory``), or ``on`` precedes the date sent.
    """
    _check_transition(ref, ReferralStatus.REFUSED)
    if not reason.strip():
        raise InputError(
            _entity(ref),
            [ErrorDetail("$.response.reason", Message("the refusal of a referral must give the reason"),
                         reason, "required")],
        )
    _check_refusal_code(ref, code, territory)
    _check_not_before(ref, on, "$.response.on")
    return attrs.evolve(
        ref, status=ReferralStatus.REFUSED, response=ReferralResponse(on=on, by=by, reason=reason, code=code)
    )


def _check_refusal_code(ref: Referral, code: str, territory: Territory | None) -> None:
    from ._fields import FieldValueError  # noqa: PLC0415

    try:
        ReferralResponse(on=ref.sent_on, code=code)
    except FieldValueError as exc:
        raise InputError(_entity(ref), [ErrorDetail("$.response.code", message_of(exc), code, exc.rule)]) from None
    if territory is None:
        return
    codes = (territory.section("services").get(ref.to_service) or {}).get("refusal_codes") or {}
    if code not in codes:
        raise InputError(_entity(ref), [ErrorDetail(
            "$.response.code",
            Message("unknown refusal code of the service {service}; the codes: {known}", service=ref.to_service,
                    known=", ".join(sorted(codes)) or "—"),
            code, "ref:services.refusal_codes")])


def close(ref: Referral, *, on: dt.date, reason: str = "") -> Referral:
    """
    Close an accepted or refused referral (``accepted|refused -> closed``).

    :param ref: the referral, in state ``accepted`` or ``refused``.
    :param on: the closing date; not before the answer.
    :param reason: an optional closing note, kept in ``closing_reason``.
    :return: the referral, state ``closed``.
    :raises TransitionError: the referral is not accepted or refused.
    :raises InputError: ``on`` precedes the answer.
    """
    _check_transition(ref, ReferralStatus.CLOSED)
    _check_not_before(ref, on, "$.closed_on")
    return attrs.evolve(ref, status=ReferralStatus.CLOSED, closed_on=on, closing_reason=reason)


def withdraw(ref: Referral, *, on: dt.date, reason: str = "") -> Referral:
    """
    The sending service withdraws the referral (``sent|accepted -> withdrawn``).

    :param ref: the referral, in state ``sent`` or ``accepted``.
    :param on: the date withdrawn; not before the previous step.
    :param reason: why it is withdrawn, kept in ``closing_reason``.
    :return: the referral, state ``withdrawn``.
    :raises TransitionError: the referral is refused, closed or already withdrawn.
    :raises InputError: ``on`` precedes the previous step.
    """
    _check_transition(ref, ReferralStatus.WITHDRAWN)
    _check_not_before(ref, on, "$.closed_on")
    return attrs.evolve(ref, status=ReferralStatus.WITHDRAWN, closed_on=on, closing_reason=reason)


# --------------------------------------------------------------------------- case history


def record(case: Case, event: CaseEvent) -> Case:
    """
    Append an event to the case's append-only history.

    :param case: the case.
    :param event: the event; it may not be dated before the last event recorded.
    :return: the case with the event appended (the history is never rewritten).
    :raises InputError: the event is dated before the last one (path ``$.history[n].on``).
    """
    if case.history and event.on < case.history[-1].on:
        last = case.history[-1]
        raise InputError(
            Message("case {id}", id=case.id),
            [ErrorDetail(
                f"$.history[{len(case.history)}].on",
                Message("event {kind!r} dated {on}, before the last event of the history ({last_kind!r}, {last_on}):"
                        " the case's history is append-only and in date order", kind=event.kind,
                        on=event.on.isoformat(), last_kind=last.kind, last_on=last.on.isoformat()),
                event.on.isoformat(),
                "append-only",
            )],
        )
    return attrs.evolve(case, history=(*case.history, event))


def _event_for(ref: Referral) -> CaseEvent:
    status = ref.status
    note = f"invio {ref.id} {ref.from_service} -> {ref.to_service}: {status.value}"
    by = ""
    if status is ReferralStatus.SENT:
        note += f" ({ref.channel}; {ref.reason})"
    elif status in (ReferralStatus.ACCEPTED, ReferralStatus.REFUSED) and ref.response is not None:
        by = ref.response.by
        if ref.response.reason:
            note += f" ({ref.response.reason})"
    elif ref.closing_reason:
        note += f" ({ref.closing_reason})"
    code = ref.response.code if status is ReferralStatus.REFUSED and ref.response is not None else None
    return CaseEvent(on=last_date(ref), kind=HISTORY_KIND, by=by, note=note, code=code)


def update_referral(case: Case, referral: Referral) -> Case:
    """
    Store a referral in the case (replacing the one with the same id) and record the event.

    A referral not yet in the case is added (it was just sent). A stored one may only move
    forward along the state machine, and what identifies it (services, date sent,
    snapshot) may not change. The history gains an ``invio`` event with the new status,
    dated at the referral's latest step.

    :param case: the case.
    :param referral: the referral in its new state.
    :return: the updated case (unchanged if the referral is identical to the stored one).
    :raises TransitionError: the stored referral cannot reach the new state.
    :raises InputError: the referral's identity or snapshot changed, or the event would be
        dated before the last one in the history.
    """
    index = next((i for i, r in enumerate(case.referrals) if r.id == referral.id), None)
    if index is None:
        referrals = (*case.referrals, referral)
    else:
        old = case.referrals[index]
        if old == referral:
            return case
        changed = [
            name for name in ("from_service", "to_service", "channel", "reason", "sent_on", "snapshot")
            if getattr(old, name) != getattr(referral, name)
        ]
        if changed:
            raise InputError(
                _entity(old),
                [ErrorDetail(f"$.referrals[{index}].{name}",
                             Message("cannot change after sending (the referral keeps what was sent)"),
                             getattr(referral, name), "immutable") for name in changed],
            )
        if referral.status not in _reachable(old.status):
            raise TransitionError(_entity(old), old.status.value, referral.status.value,
                                  (s.value for s in TRANSITIONS[old.status]))
        referrals = (*case.referrals[:index], referral, *case.referrals[index + 1:])
    return record(attrs.evolve(case, referrals=referrals), _event_for(referral))
