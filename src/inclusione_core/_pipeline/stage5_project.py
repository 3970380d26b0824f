"""
Pipeline stage 5, plan: core checks of a personalised project against the catalogue and the law.

D.Lgs. 147/2017 art. 6 c.2: the project states general objectives and specific results,
the supports (interventions and services) and the household's commitments. Against the
territory's catalogue: known codes, maximum durations, weekly hours, providers, and
prerequisites (*propedeuticità*) scheduled first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .._config import Territory
from .._models import Case, Citation, Equipe, Problem, Project, SourceDocument
from .._reasons import core_reason, from_entry
from ..hookspecs import hookimpl
from ..i18n import Message

ART6 = {"document": "dlgs_147_2017", "section": "art. 6, comma 2"}
"""The project's contents (objectives, supports, commitments): ``italia`` lists the act in its registry."""
_ART6_ACT = SourceDocument(id="dlgs_147_2017", kind="norma", number="D.Lgs. n. 147/2017")


def art6(territory: Territory) -> Citation:
    """The citation of art. 6 c.2, from the territory's registry (the act itself where it lists none)."""
    if ART6["document"] in territory.documents:
        return territory.citation(ART6)
    return Citation.of(_ART6_ACT, section=ART6["section"])


def months_between(start: dt.date, end: dt.date) -> float:
    """Length of a period in months (calendar months plus the fraction of days)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return months + (end.day - start.day) / 30.0


def check(case: Case, project: Project, territory: Territory) -> list[Problem]:
    """Every problem of a project, by JSON path within the case."""
    out: list[Problem] = []
    base = "$.project"

    def law(path: str, rule: str, message: Message, categories: Iterable[str]) -> None:
        out.append(Problem(path=path, reason=core_reason(territory, rule, message, source=art6(territory),
                                                         categories=categories)))

    catalogue = territory.section("interventions")
    if not project.objectives:
        law(f"{base}.objectives", "progetto.obiettivi", Message("The project states no objectives."),
            ["process", "social"])
    if not project.commitments:
        law(f"{base}.commitments", "progetto.impegni", Message("The project states no household commitments."),
            ["process", "social"])
    if not project.interventions:
        # whether the list is empty depends on every intervention that could be in it (a
        # socio-therapeutic placement is health data), and on unknown codes (records)
        every = {territory.data_category("interventions", c) for c in catalogue} | {"process", "records"}
        law(f"{base}.interventions", "progetto.sostegni", Message("The project states no supports (interventions)."),
            every)
    starts = {si.code: si.start for si in project.interventions}
    for i, si in enumerate(project.interventions):
        path = f"{base}.interventions[{i}]"
        item = catalogue.get(si.code)
        if item is None:
            out.append(Problem(path=f"{path}.code", reason=core_reason(
                territory, "progetto.intervento_sconosciuto",
                Message("Intervention {code!r} is not in the territory's catalogue.", code=si.code),
                inputs={"codice": si.code}, categories=["records"])))
            continue
        cat = territory.data_category("interventions", si.code)
        # a problem of this item exists only with the item: its category, those of the
        # prerequisites it looks for, and its provider's (a SerD is addiction data)
        extra = {cat, *(territory.data_category("interventions", p) for p in item.get("prerequisites", []))}
        if si.provider is not None:
            extra.add(territory.data_category("services", si.provider))
        for problem in _check_item(territory, path, si, item, starts, case):
            cats = tuple(sorted({*problem.reason.categories, *extra}))
            out.append(attrs.evolve(problem, reason=attrs.evolve(problem.reason, categories=cats)))
    return out


def _check_item(territory: Territory, path: str, si: Any, item: Mapping[str, Any],
                starts: Mapping[str, dt.date], case: Case) -> list[Problem]:
    out: list[Problem] = []
    label = item["label"]
    if si.end is not None and si.end < si.start:
        out.append(Problem(path=f"{path}.end", reason=core_reason(
            territory, "progetto.date", Message("The end date precedes the start."),
            inputs={"inizio": si.start.isoformat(), "fine": si.end.isoformat()})))
    limit = item.get("max_duration_months")
    if limit is not None and si.end is not None and months_between(si.start, si.end) > limit:
        months = round(months_between(si.start, si.end), 1)
        msg = Message("{label}: {months} months exceed the maximum of {limit}.", label=label, months=months,
                      limit=limit)
        out.append(Problem(path=f"{path}.end", reason=from_entry(
            territory, item, f"interventi.{si.code}.durata_massima", msg,
            {"mesi": months, "massimo": limit})))
    hours = item.get("weekly_hours")
    if hours and si.weekly_hours is not None and not (
        hours.get("min", 0) <= si.weekly_hours <= hours.get("max", 168)
    ):
        msg = Message("{label}: {hours} weekly hours outside {low}-{high}.", label=label, hours=si.weekly_hours,
                      low=hours.get("min", 0), high=hours.get("max", 168))
        out.append(Problem(path=f"{path}.weekly_hours", reason=from_entry(
            territory, item, f"interventi.{si.code}.ore_settimanali", msg,
            {"ore": si.weekly_hours, **hours})))
    kind = territory.service_kind(si.provider)
    if si.provider is not None and kind not in item["providers"]:
        msg = Message("{label}: provided by {provider} ({kind}), not one of {allowed}.", label=label,
                      provider=si.provider, kind=kind, allowed=", ".join(item["providers"]))
        out.append(Problem(path=f"{path}.provider", reason=from_entry(
            territory, item, f"interventi.{si.code}.erogatori", msg, {"erogatore": si.provider, "tipo": kind})))
    for pre in item.get("prerequisites", []):
        if pre not in starts or starts[pre] >= si.start:
            msg = Message("{label}: requires {prerequisite} first (prerequisite), not scheduled before.", label=label,
                          prerequisite=pre)
            key = "prerequisites_source" if "prerequisites_source" in item else "source"
            reason = from_entry(
                territory, item, f"interventi.{si.code}.propedeuticita", msg,
                {"propedeutico": pre, "inizio_propedeutico": starts[pre].isoformat() if pre in starts else None},
                source_key=key)
            # it reads the other interventions of the project, whoever provides them: a prerequisite
            # provided by a service of a special category (and so withheld) would otherwise show through
            cats = tuple(sorted({*reason.categories, *territory.service_categories()}))
            out.append(Problem(path=f"{path}.start", reason=attrs.evolve(reason, categories=cats)))
    return out


def signature_problems(project: Project, equipe: Equipe, territory: Territory) -> list[Problem]:
    """
    Who must sign the project, where the equipe's format says so (``project_signed_by``:
    ``equipe``, every service of its members; ``nucleo``, the person or household): one
    problem naming those missing. It reads who signed and who sits in the equipe, so it
    carries the categories of every service and of the equipe's reasons.
    """
    entry = territory.section("equipe", "formats").get(equipe.format)
    if entry is None or not entry.get("project_signed_by"):
        return []
    wanted = entry["project_signed_by"]
    required = list(dict.fromkeys([*(m.service for m in equipe.members if "equipe" in wanted),
                                   *(["nucleo"] if "nucleo" in wanted else [])]))
    signed = {s.party for s in project.signatures}
    missing = [party for party in required if party not in signed]
    if not missing:
        return []
    names = _party_labels(territory, missing)
    if "equipe" in wanted and "nucleo" in wanted:
        msg = Message("The project is not signed by: {missing} (the equipe and the person sign it).", missing=names)
    elif "equipe" in wanted:
        msg = Message("The project is not signed by: {missing} (the equipe signs it).", missing=names)
    else:
        msg = Message("The project is not signed by: {missing} (the person signs it).", missing=names)
    reason = from_entry(territory, entry, f"equipe.{equipe.format}.firme", msg,
                        {"firmatari_richiesti": required, "mancanti": missing}, source_key="project_signed_source",
                        categories={*territory.service_categories(), *(c for r in equipe.reasons for c in r.categories),
                                    *(c for m in equipe.members for c in m.reason.categories)})
    return [Problem(path="$.project.signatures", reason=reason)]


def _party_labels(territory: Territory, parties: list[str]) -> dict[str, str]:
    """Signatories by their labels: a service's, or the person (``nucleo``)."""
    services = territory.section("services")

    def one(party: str, lang: str) -> str:
        if party == "nucleo":
            return "la persona (nucleo)" if lang == "it" else "the person (household)"
        label = (services.get(party) or {}).get("label")
        return str(label.get(lang, party)) if isinstance(label, dict) else party

    return {lang: ", ".join(one(p, lang) for p in parties) for lang in ("it", "en")}


@hookimpl(trylast=True)
def inclusione_validate_project(case: Case, project: Project, equipe: Equipe, territory: Territory,
                                as_of: dt.date) -> list[Problem]:
    """Core default: contents required by law, consistency with the intervention catalogue, signatures."""
    return [*check(case, project, territory), *signature_problems(project, equipe, territory)]
