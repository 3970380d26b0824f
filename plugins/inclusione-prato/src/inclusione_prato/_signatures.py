"""
The verbale di condivisione progettuale is signed by all the parties involved (the Prato article).

"Per facilitare la cooperazione tra gli enti, inizialmente sono stati creati dei verbali
di condivisione progettuale, firmati da tutte le parti coinvolte." The parties of a
project are the household (party ``nucleo``), every service of the composed equipe, and
every service that provides one of the project's interventions. A signature dated after
the as-of date does not count yet.
"""

from __future__ import annotations

import datetime as dt

from inclusione_core import HOUSEHOLD_PARTY, Equipe, Problem, Project, Reason, Territory, hookimpl
from inclusione_core.i18n import N_

from ._i18n import message
from ._territory import DOCUMENT, TERRITORY

RULE = "prato.verbale.firma_mancante"
INSTRUMENT = "verbale_condivisione_progettuale"
SOURCE = {
    "document": DOCUMENT,
    "section": "La relazione di collaborazione fra i due servizi",
    "quote": "sono stati creati dei verbali di condivisione progettuale, firmati da tutte le parti coinvolte",
}
"""The rule's source where the territory does not configure the verbale (its instrument's source otherwise)."""


def required_parties(project: Project, equipe: Equipe) -> dict[str, str]:
    """Every party that must sign, in order, with why it is a party (``nucleo`` first)."""
    parties: dict[str, str] = {HOUSEHOLD_PARTY: "nucleo"}
    for member in equipe.members:
        parties.setdefault(member.service, "equipe")
    for item in project.interventions:
        if item.provider is not None:
            parties.setdefault(item.provider, "erogatore")
    return parties


def missing_signatures(project: Project, equipe: Equipe, territory: Territory, as_of: dt.date) -> list[str]:
    """The parties that have not signed by ``as_of`` (a party signs by service id or by service kind)."""
    signed = {s.party for s in project.signatures if s.signed_on <= as_of}
    return [
        party for party in required_parties(project, equipe)
        if party not in signed and territory.service_kind(party) not in signed
    ]


_HOUSEHOLD_LABEL = N_("household")
_WHY = {
    "nucleo": N_("a party to the project"),
    "equipe": N_("a member of the equipe that built the project"),
    "erogatore": N_("a service providing one of the project's interventions"),
}


def _reads(equipe: Equipe, territory: Territory) -> tuple[str, ...]:
    """
    What telling a missing signature may read: who sits in the equipe (what chose its format
    and members), who provides the interventions (any of the catalogue, any service) and who
    signed (any service: a SerD's signature is addiction data).
    """
    cats = {"process", "records", *territory.service_categories()}
    cats |= {territory.data_category("interventions", code) for code in territory.section("interventions")}
    cats |= {c for r in equipe.reasons for c in r.categories}
    cats |= {c for m in equipe.members for c in m.reason.categories}
    return tuple(sorted(cats))


@hookimpl
def inclusione_validate_project(
    project: Project, equipe: Equipe, territory: Territory, as_of: dt.date
) -> list[Problem]:
    """Prato: one problem per party involved that has not signed the verbale by the as-of date."""
    parties = required_parties(project, equipe)
    present = sorted(f"{s.party} ({s.signed_on.isoformat()})" for s in project.signatures)
    reads = _reads(equipe, territory)
    problems = []
    services = territory.section("services")
    verbale = territory.section("instruments").get(INSTRUMENT)
    source = territory.citation(verbale["source"] if verbale else SOURCE)
    for party in missing_signatures(project, equipe, territory, as_of):
        label = message(_HOUSEHOLD_LABEL) if party == HOUSEHOLD_PARTY else services.get(party, {}).get("label")
        who = message("{label} ({party})", label=label, party=party) if label else party
        later = [s for s in project.signatures if s.party == party and s.signed_on > as_of]
        common = {"who": who, "why": message(_WHY[parties[party]])}
        text = message("Project agreement minutes lack the signature of {who}, {why}; signature dated {signed}, after"
                       " {as_of}: all the parties involved must sign.", signed=later[0].signed_on.isoformat(),
                       as_of=as_of.isoformat(), **common) if later else \
            message("Project agreement minutes lack the signature of {who}, {why}: all the parties involved must"
                    " sign.", **common)
        reason = Reason(
            rule=f"{RULE}.{party}",
            territory=TERRITORY,
            message_it=text.text("it"),
            message_en=text.text("en"),
            source=source,
            inputs={"parte": party, "ruolo_parte": parties[party], "firme": present, "data": as_of.isoformat()},
            defined_in=__name__,
            categories=reads,
        )
        problems.append(Problem(path="$.project.signatures", reason=reason))
    return problems
