"""
Pipeline stage 4, recommend interventions: the core default, read from ``interventions``.

An intervention is recommended when its ``suitable_when`` holds for the case and profile,
citing ``suitable_source`` (where the criteria come from) or else its ``source``; its
prerequisites (*propedeuticità*) are recommended with it and always come first.
Among interventions with no order between them, ``priority`` (then code) decides.
"""

from __future__ import annotations

import datetime as dt
import heapq
from typing import Any

from .._config import Territory
from .._models import Case, Profile, Recommendation
from .._predicates import Facts, evaluate
from .._reasons import from_entry
from ..hookspecs import hookimpl
from ..i18n import Message


def order(codes: set[str], catalogue: dict[str, Any]) -> list[str]:
    """Topological order of ``codes`` (prerequisites first), ties by priority then code."""
    pending = {c: {p for p in catalogue[c].get("prerequisites", []) if p in codes} for c in codes}
    ready = [(catalogue[c].get("priority", 100), c) for c, pre in pending.items() if not pre]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _prio, code = heapq.heappop(ready)
        out.append(code)
        for other, pre in pending.items():
            if code in pre:
                pre.discard(code)
                if not pre:
                    heapq.heappush(ready, (catalogue[other].get("priority", 100), other))
    return out


def recommend(case: Case, territory: Territory, as_of: dt.date, profile: Profile) -> list[Recommendation]:
    """
    Suitable interventions plus their prerequisites, ordered, each with its rationale.

    Whether an intervention is proposed depends on its own suitability and on the
    suitability of every intervention it is a prerequisite of: its reason carries the
    categories all those rules may read (and its own category), whichever way it came in.
    """
    catalogue = territory.section("interventions")
    facts = Facts(case=case, territory=territory, as_of=as_of, profile=profile)
    why: dict[str, tuple[str, dict[str, Any], str]] = {}
    reads: dict[str, set[str]] = {}
    for code, item in catalogue.items():
        hit, inputs = evaluate(item["suitable_when"], facts)
        reads[code] = {*inputs.categories, territory.data_category("interventions", code)}
        if hit:
            why[code] = ("adatto", inputs, "")
    stack = list(why)
    while stack:
        code = stack.pop()
        for pre in catalogue[code].get("prerequisites", []):
            if pre not in why:
                why[pre] = ("propedeutico", {"propedeutico_a": code}, code)
                stack.append(pre)
    included = _inclusion_reads(catalogue, reads)
    out = []
    for code in order(set(why), catalogue):
        item = catalogue[code]
        kind, facts_used, for_code = why[code]
        label = item["label"]
        if kind == "adatto":
            msg = Message("{label}: suits the case's profile.", label=label)
            # the criteria (suitable_when) may be the project's own even where a document names the intervention
            key = "suitable_source" if "suitable_source" in item else "source"
            reason = from_entry(territory, item, f"interventi.{code}", msg, facts_used, source_key=key,
                                categories=included[code])
        else:
            other = catalogue[for_code]["label"]
            msg = Message("{label}: prerequisite of {other}.", label=label, other=other)
            key = "prerequisites_source" if "prerequisites_source" in catalogue[for_code] else "source"
            reason = from_entry(territory, catalogue[for_code], f"interventi.{for_code}.propedeuticita", msg,
                                facts_used, source_key=key, categories=included[code])
        out.append(Recommendation(
            code=code, label=label["it"], category=item["category"],
            provider_kinds=tuple(item["providers"]), prerequisites=tuple(item.get("prerequisites", [])),
            reason=reason,
        ))
    return out


def _inclusion_reads(catalogue: dict[str, Any], reads: dict[str, set[str]]) -> dict[str, set[str]]:
    """For each intervention, what its suitability and that of everything it is a prerequisite of may read."""
    needed_by: dict[str, list[str]] = {code: [] for code in catalogue}
    for code, item in catalogue.items():
        for pre in item.get("prerequisites", []):
            needed_by.setdefault(pre, []).append(code)
    memo: dict[str, set[str]] = {}

    def of(code: str) -> set[str]:
        if code not in memo:  # prerequisites are acyclic (checked when the configuration is loaded)
            memo[code] = set(reads.get(code, ()))
            for other in needed_by.get(code, []):
                memo[code] |= of(other)
        return memo[code]

    return {code: of(code) for code in catalogue}


@hookimpl(trylast=True)
def inclusione_recommend_interventions(
    case: Case, territory: Territory, as_of: dt.date, profile: Profile
) -> list[Recommendation]:
    """Core default: suitable catalogue entries and their prerequisites, prerequisites first."""
    return recommend(case, territory, as_of, profile)
