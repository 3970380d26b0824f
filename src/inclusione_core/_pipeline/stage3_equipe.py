"""
Pipeline stage 3, compose the equipe: the core default, read from ``equipe`` in the configuration.

The first ``equipe.selection`` rule that matches picks the format; the format's roles
are always present, each trigger that fires adds its roles, and the household takes part
when the format says so. Every member carries the reason for being there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from .._config import FILES_KEY, Territory
from .._models import HOUSEHOLD_PARTY, Case, Equipe, EquipeMember, Profile, Reason, Routing, RoutingOutcome
from .._predicates import Facts, evaluate
from .._reasons import core_reason, from_entry
from ..hookspecs import hookimpl
from ..i18n import Message


def _service_label(territory: Territory, service: str | None) -> dict[str, str] | str:
    """A service by its label ``{it, en}`` when configured, else its id (a dash for none)."""
    entry = territory.section("services").get(service or "")
    label = entry.get("label") if isinstance(entry, dict) else None
    return dict(label) if isinstance(label, dict) else service or "—"


def service_for_role(territory: Territory, role: str) -> str:
    """The id of the first service of the role's kind (the kind itself when none is listed)."""
    kind = territory.section("roles")[role]["service"]
    for sid, svc in territory.section("services").items():
        if svc["kind"] == kind:
            return sid
    return str(kind)


def select_format(case: Case, territory: Territory, as_of: dt.date, profile: Profile,
                  ) -> tuple[str | None, Reason | None, set[str]]:
    """
    The format chosen by the first matching selection rule, with its reason, and the
    categories every rule checked may read (first match: they all decided the choice).
    """
    facts = Facts(case=case, territory=territory, as_of=as_of, profile=profile)
    read: set[str] = set()
    for rule in territory.rules("equipe", "selection"):
        hit, inputs = evaluate(rule["when"], facts)
        read |= inputs.categories
        if hit:
            return rule["format"], from_entry(territory, rule, f"equipe.selezione.{rule['id']}", inputs=inputs,
                                              categories=read), read
    return None, None, read


def compose(case: Case, territory: Territory, as_of: dt.date, profile: Profile) -> Equipe:
    """
    Compose the equipe for a case from the configured formats and triggers.

    Every member is there because the format was chosen: each member's reason carries the
    categories the selection may read, and a trigger's member those of the trigger too.
    """
    code, why, read = select_format(case, territory, as_of, profile)
    if code is None or why is None:
        reason = core_reason(territory, "equipe.nessun_format",
                             Message("No equipe format applies: the case needs no equipe."), categories=read)
        return Equipe.none(reason)
    fmt = territory.section("equipe", "formats")[code]
    roles = territory.section("roles")
    members: dict[str, EquipeMember] = {}
    for role in fmt["roles"]:
        msg = Message("{role}: required member of the {format}.", role=roles[role]["label"], format=fmt["label"])
        members[role] = EquipeMember(role=role, service=service_for_role(territory, role),
                                     reason=from_entry(territory, fmt, f"equipe.{code}.ruolo.{role}", msg,
                                                       categories=read))
    facts = Facts(case=case, territory=territory, as_of=as_of, profile=profile)
    for trigger in fmt.get("triggers", []):
        hit, inputs = evaluate(trigger["when"], facts)
        if not hit:
            continue
        # the trigger's own message, source and provenance: a trigger appended by a zone was defined there
        own = {k: trigger[k] for k in ("message", "source", FILES_KEY) if k in trigger}
        if "valid_from" in trigger or "valid_to" in trigger:  # a trigger dated on its own: its period, not the format's
            own |= {"valid_from": trigger.get("valid_from"), "valid_to": trigger.get("valid_to")}
        reason = from_entry(territory, fmt | own, f"equipe.{code}.attivazione.{trigger['id']}", inputs=inputs,
                            categories=read)
        for role in trigger["add_roles"]:
            members.setdefault(role, EquipeMember(role=role, service=service_for_role(territory, role),
                                                  reason=reason))
    if fmt.get("household_takes_part"):
        src_entry: dict[str, Any] = fmt | {"source": fmt.get("household_source", fmt["source"])}
        msg = Message("The household takes part in the equipe.")
        members[HOUSEHOLD_PARTY] = EquipeMember(role=HOUSEHOLD_PARTY, service=HOUSEHOLD_PARTY,
                                          reason=from_entry(territory, src_entry, f"equipe.{code}.nucleo", msg,
                                                            categories=read))
    return Equipe(
        format=code, label=fmt["label"]["it"], household_takes_part=bool(fmt.get("household_takes_part")),
        modes=tuple(fmt.get("modes", ["in_presenza"])), members=tuple(members.values()), reasons=(why,),
    )


@hookimpl(trylast=True)
def inclusione_compose_equipe(
    case: Case, territory: Territory, as_of: dt.date, profile: Profile, routing: Routing
) -> Equipe:
    """
    Core default: select the format by rule, add members by trigger, each with a reason.

    A refused case convenes no equipe: the service that refused it does not take it, so no
    team is composed around it (its reason reads what the refusal read).
    """
    if routing.outcome is RoutingOutcome.REFUSED:
        return Equipe.none(core_reason(
            territory, "equipe.caso_rifiutato",
            Message("The case is refused by {service}: no equipe is convened; the case goes back to whoever may refer"
                    " it.", service=_service_label(territory, routing.service)),
            categories={c for r in routing.reasons for c in r.categories}))
    if routing.outcome is RoutingOutcome.COORDINATION and routing.coordination is not None:
        return Equipe.none(core_reason(
            territory, "equipe.caso_in_coordinamento",
            Message("The case is already on another path ({programmes}): {service} does not convene a second"
                    " equipe; it coordinates with {inform}.",
                    programmes=_labels(territory, "programmes", routing.coordination.programmes),
                    service=_service_label(territory, routing.service),
                    inform=_labels(territory, "services", routing.coordination.inform)),
            categories={c for r in routing.reasons for c in r.categories}))
    return compose(case, territory, as_of, profile)


def _labels(territory: Territory, section: str, codes: Sequence[str]) -> dict[str, str]:
    """Codes of a section by their labels where configured, comma-separated, in each language."""
    entries = territory.section(section)

    def one(code: str, lang: str) -> str:
        label = (entries.get(code) or {}).get("label")
        return str(label.get(lang, code)) if isinstance(label, dict) else code
    return {lang: ", ".join(one(c, lang) for c in codes) for lang in ("it", "en")}
