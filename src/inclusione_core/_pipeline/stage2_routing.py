"""
Pipeline stage 2, route: the core default, read from ``services`` and ``routing.rules``.

First the access itself is checked against the service it reached: a service whose
``access`` does not include the channel used (e.g. a second-level service reached
directly) refuses it, naming the alternatives; a referral from a kind of service the
receiver does not accept is refused too. Then the first routing rule that matches sends
the case to a service, by a channel, within a deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from .._config import Territory
from .._messages import code_message
from .._models import AccessChannel, Case, Profile, Reason, Routing, RoutingOutcome
from .._predicates import Facts, evaluate
from .._reasons import core_reason, from_entry
from ..hookspecs import hookimpl
from ..i18n import Message


def next_weekday(after: dt.date, weekday: int) -> dt.date:
    """The first date strictly after ``after`` falling on ``weekday`` (0 = Monday)."""
    days = (weekday - after.weekday()) % 7 or 7
    return after + dt.timedelta(days=days)


def access_reads(case: Case, territory: Territory) -> set[str]:
    """
    The categories the access check may read: the channel and the access point (its own
    category: an access at the SerD is addiction data) and, for a service that accepts
    referrals only from some kinds, the categories of those kinds (whether the sender is
    one of them depends on who sent it, and a sender may be a SerD).
    """
    access = case.access
    if access is None:
        return {"process"}
    read = {"process", territory.data_category("services", access.point)}
    service = territory.section("services").get(access.point)
    if service is not None and access.channel is AccessChannel.INVIO and "accepts_referrals_from" in service:
        read |= territory.kind_categories(service["accepts_referrals_from"])
    return read


def referrers(territory: Territory, service_id: str) -> tuple[str, ...]:
    """
    Where to turn after a refusal by ``service_id``: its ``redirect_to`` first, then every
    other service of the kinds it accepts referrals from that a person can reach directly
    (all the services that may refer the case, computed from the configuration).
    """
    services = territory.section("services")
    service = services.get(service_id) or {}
    found = list(service.get("redirect_to", []))
    allowed = service.get("accepts_referrals_from")
    if allowed is not None:
        found += [sid for sid, svc in services.items()
                  if sid != service_id and svc["kind"] in allowed and "diretto" in svc["access"] and sid not in found]
    return tuple(found)


ACCESS_REFUSAL_CODES: dict[str, str] = {"canale": "accesso_diretto", "inviante": "inviante_non_ammesso"}
"""
The refusal codes of the access check: a channel the service does not admit
(``accesso_diretto``), a sender it does not accept referrals from (``inviante_non_ammesso``).
A refusal carries the code only when the service lists it in its ``refusal_codes``.
"""


def refusal_code(territory: Territory, service_id: str | None, code: str | None) -> str | None:
    """``code`` when the service ``service_id`` lists it among its ``refusal_codes``, else None."""
    if code is None or service_id is None:
        return None
    codes = (territory.section("services").get(service_id) or {}).get("refusal_codes") or {}
    return code if code in codes else None


def check_access(case: Case, territory: Territory) -> Routing | None:
    """Refuse an access the receiving service does not admit; None when admitted."""
    access = case.access
    if access is None:
        return None
    service = territory.section("services").get(access.point)
    if service is None:
        return None
    read = access_reads(case, territory)
    inputs: dict[str, Any] = {"servizio": access.point, "canale": access.channel.value,
                              "accessi_ammessi": service["access"]}
    refusal = service.get("refusal") or Message("{service} does not admit the channel “{channel}”.",
                                                service=service["label"],
                                                channel=code_message("channel", access.channel.value))
    if access.channel.value not in service["access"]:
        code = refusal_code(territory, access.point, ACCESS_REFUSAL_CODES["canale"])
        if code is not None:
            inputs["codice_rifiuto"] = code
        return Routing(
            outcome=RoutingOutcome.REFUSED, service=access.point, channel=access.channel.value,
            deadline=None, alternatives=referrers(territory, access.point), refusal_code=code,
            reasons=(from_entry(territory, service, f"accesso.{access.point}.canale", refusal, inputs,
                                categories=read),),
        )
    allowed = service.get("accepts_referrals_from")
    if access.channel is AccessChannel.INVIO and allowed is not None:
        sender = territory.service_kind(access.from_service)
        inputs["invianti_ammessi"] = allowed
        if sender not in allowed:
            # The sender is not named: it may be absent, or a service whose kind reveals
            # special data; the refusal says only that it is not one of the admitted kinds.
            msg = Message("{service} accepts referrals only from: {allowed}; the sending service is not one of them"
                          " or is not given.", service=service["label"], allowed=", ".join(allowed))
            code = refusal_code(territory, access.point, ACCESS_REFUSAL_CODES["inviante"])
            if code is not None:
                inputs["codice_rifiuto"] = code
            return Routing(
                outcome=RoutingOutcome.REFUSED, service=access.point, channel=access.channel.value,
                deadline=None, alternatives=referrers(territory, access.point), refusal_code=code,
                reasons=(from_entry(territory, service, f"accesso.{access.point}.inviante", msg, inputs,
                                    categories=read),),
            )
    return None


def route(case: Case, territory: Territory, as_of: dt.date, profile: Profile) -> Routing:
    """
    The config-driven routing: access check, then the first matching rule.

    A routing rule fires only after the access check passed and every earlier rule did
    not: its reason carries the categories all of them may read (first match).
    """
    refused = check_access(case, territory)
    if refused is not None:
        return refused
    read = access_reads(case, territory)
    facts = Facts(case=case, territory=territory, as_of=as_of, profile=profile)
    start = case.access.date if case.access is not None else case.opened_on
    for rule in territory.rules("routing", "rules"):
        hit, inputs = evaluate(rule["when"], facts)
        read |= inputs.categories
        if not hit:
            continue
        deadline = None
        if "booking_at" in rule:
            booking = territory.section("services")[rule["booking_at"]].get("booking")
            if booking is not None:
                deadline = next_weekday(start, booking["weekday"])
        elif "deadline_days" in rule:
            deadline = start + dt.timedelta(days=rule["deadline_days"])
        inputs["deadline"] = None if deadline is None else deadline.isoformat()
        if "refusal_code" in rule:
            inputs["codice_rifiuto"] = rule["refusal_code"]
        return Routing(
            outcome=RoutingOutcome(rule["outcome"]), service=rule.get("service"),
            channel=rule["channel"], deadline=deadline,
            alternatives=referrers(territory, rule["service"]) if rule["outcome"] == "refused" else (),
            refusal_code=rule.get("refusal_code"),
            reasons=(from_entry(territory, rule, f"instradamento.{rule['id']}", inputs=inputs, categories=read),),
        )
    return Routing(
        outcome=RoutingOutcome.ROUTED, service=None, channel="da_definire", deadline=None,
        reasons=(no_rule(territory, read),),
    )


def no_rule(territory: Territory, read: Iterable[str] = ()) -> Reason:
    """Reason used when no routing rule matches: the operator decides (``read``: what the rules checked read)."""
    return core_reason(
        territory, "instradamento.nessuna_regola", Message("No routing rule applies: the operator decides."),
        categories=read,
    )


@hookimpl(trylast=True)
def inclusione_route(case: Case, territory: Territory, as_of: dt.date, profile: Profile) -> Routing:
    """Core default: admit or refuse the access, then apply the first matching routing rule."""
    return route(case, territory, as_of, profile)
