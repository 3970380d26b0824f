"""
Complementarity: a case routed to a service whose programme overlaps with one a member is
already in is coordinated, not taken twice (the ``coordination`` section of the territory).

The territory's rules are tried in order for the service the case was routed to: the first
whose ``programmes`` hold on the date (a member in one of them, ``Member.programmes``) and
whose ``when`` holds turns the routing into the outcome ``coordination``, naming the
services to inform; each receives the case through a view for the purpose
``coordination``. Whether the case is coordinated depends on the programmes its members are
in, which may be special-category data (a path for people in charge of the health services):
so every reason of the routing carries what the rules tried may read, whether one holds or
not, and a view that may not show it masks the outcome whole.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from .._config import Territory
from .._models import Case, Coordination, Profile, Routing, RoutingOutcome
from .._predicates import Facts, evaluate
from .._reasons import from_entry
from ..hookspecs import hookimpl

__all__ = ["coordinate", "inclusione_coordinate", "reads"]


def _applicable(territory: Territory, routing: Routing) -> list[tuple[str, dict[str, Any]]]:
    """The coordination rules of the service the case was routed to (none for a refusal)."""
    if routing.outcome is not RoutingOutcome.ROUTED or routing.service is None:
        return []
    return [(code, rule) for code, rule in territory.section("coordination").items()
            if routing.service in rule["applies_to"]]


def reads(case: Case, territory: Territory, as_of: dt.date, profile: Profile, routing: Routing) -> set[str]:
    """
    What the coordination check reads for this routing, whatever it finds: every decision
    that follows a routing the check could have changed (the equipe) carries it, so that its
    masking does not depend on the programmes of the members.
    """
    facts = Facts(case=case, territory=territory, as_of=as_of, profile=profile)
    read: set[str] = set()
    for _code, rule in _applicable(territory, routing):
        read |= evaluate({"in_programme": rule["programmes"]}, facts)[1].categories
        read |= evaluate(rule["when"], facts)[1].categories
    return read


def coordinate(case: Case, territory: Territory, as_of: dt.date, profile: Profile, routing: Routing) -> Routing:
    """The routing, turned into coordination by the first rule that holds; unchanged when no rule applies."""
    rules = _applicable(territory, routing)
    if not rules:
        return routing
    facts = Facts(case=case, territory=territory, as_of=as_of, profile=profile)
    read: set[str] = set()
    for code, rule in rules:
        # the overlap on its own inputs: a `when` that reads programmes too must not overwrite them
        overlap, found = evaluate({"in_programme": rule["programmes"]}, facts)
        holds, inputs = evaluate(rule["when"], facts)
        read |= found.categories | inputs.categories
        if not (overlap and holds):
            continue
        programmes = list(found["programmi"])
        inputs["programmi"] = programmes
        inputs["servizio"] = routing.service
        inputs["informare"] = list(rule["inform"])
        reason = from_entry(territory, rule, f"coordinamento.{code}", inputs=inputs, categories=read)
        earlier = tuple(attrs.evolve(r, categories=tuple(sorted({*r.categories, *read}))) for r in routing.reasons)
        return attrs.evolve(
            routing, outcome=RoutingOutcome.COORDINATION, reasons=(*earlier, reason),
            coordination=Coordination(rule=code, programmes=tuple(programmes), inform=tuple(rule["inform"])))
    # no overlap: the routing stands, but telling so read the programmes too
    return attrs.evolve(routing, reasons=tuple(
        attrs.evolve(r, categories=tuple(sorted({*r.categories, *read}))) for r in routing.reasons))


@hookimpl(trylast=True)
def inclusione_coordinate(case: Case, territory: Territory, as_of: dt.date, profile: Profile,
                          routing: Routing) -> Routing:
    """Core default: the territory's ``coordination`` rules."""
    return coordinate(case, territory, as_of, profile, routing)
