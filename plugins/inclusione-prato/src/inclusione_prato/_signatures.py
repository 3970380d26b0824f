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


_HOUSEHOLD_LABEL = {"it": "nucleo familiare", "en": "household"}
_WHY = {
    "nucleo": ("parte del progetto", "a party to the project"),
    "equipe": ("componente dell'equipe che ha costruito il progetto", "a member of the equipe that built the project"),
    "erogatore": ("servizio che eroga un intervento del progetto",
                  "a service providing one of the project's interventions"),
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
    if not territory.within(TERRITORY):
        return []
    parties = required_parties(project, equipe)
    present = sorted(f"{s.party} ({s.signed_on.isoformat()})" for s in project.signatures)
    reads = _reads(equipe, territory)
    problems = []
    services = territory.section("services")
    verbale = territory.section("instruments").get(INSTRUMENT)
    source = territory.citation(verbale["source"] if verbale else SOURCE)
    for party in missing_signatures(project, equipe, territory, as_of):
        why_it, why_en = _WHY[parties[party]]
        label = _HOUSEHOLD_LABEL if party == HOUSEHOLD_PARTY else services.get(party, {}).get("label")
        who_it = f"{label['it']} ({party})" if label else party
        who_en = f"{label['en']} ({party})" if label else party
        later = [s for s in project.signatures if s.party == party and s.signed_on > as_of]
        when_it = f"; firma datata {later[0].signed_on.isoformat()}, dopo il {as_of.isoformat()}" if later else ""
        when_en = f"; signature dated {later[0].signed_on.isoformat()}, after {as_of.isoformat()}" if later else ""
        reason = Reason(
            rule=f"{RULE}.{party}",
            territory=TERRITORY,
            message_it=f"Verbale di condivisione progettuale senza la firma di {who_it}, {why_it}{when_it}:"
                       " deve essere firmato da tutte le parti coinvolte.",
            message_en=f"Project agreement minutes lack the signature of {who_en}, {why_en}{when_en}:"
                       " all the parties involved must sign.",
            source=source,
            inputs={"parte": party, "ruolo_parte": parties[party], "firme": present, "data": as_of.isoformat()},
            defined_in=__name__,
            categories=reads,
        )
        problems.append(Problem(path="$.project.signatures", reason=reason))
    return problems
