"""
Pipeline stage 4, recommend interventions: the core default, read from ``interventions``.

An intervention is recommended when its ``suitable_when`` holds for the case and profile,
citing ``suitable_source`` (where the criteria come from) or else its ``source``; its
prerequisites (*propedeuticità*) are recommended with it and always come first.
Among interventions with no order between them, ``priority`` (then code) decides. A
priority may depend on the case (``priority_when``): the first rule whose ``when`` holds
gives the priority, and the reason for recommending the intervention says which rule it
was, with the facts it read (their categories too), citing the rule's source.

The case's history counts. An intervention **done or under way** by the as-of date (in the
project: started, and ended or not; in the history: an event of kind ``intervento``), or
one of its ``alternatives``, is not proposed again: it is listed as not proposed
(``svolto``, ``in_corso``) with the reason, and it meets the prerequisites it is one of, so
it is not pulled in again as a prerequisite either. One done may be proposed again
``repeatable_after_months`` after it was done, where the territory says so; without it, the
default is never (the sources say nothing of repeating an intervention). One under way is
never proposed again. What is planned after the as-of date has not happened yet.
"""

from __future__ import annotations

import calendar
import datetime as dt
import heapq
from collections.abc import Mapping
from typing import Any

import attrs

from .._config import Territory
from .._models import INTERVENTION_EVENT, Case, InterventionStatus, Profile, Reason, Recommendation
from .._predicates import Facts, evaluate
from .._reasons import from_entry
from ..hookspecs import hookimpl
from ..i18n import Message

NOT_REPEATED = Message(
    "an intervention done or under way is not proposed again: the sources do not say whether or when one may be"
    " repeated (a territory may set repeatable_after_months for an intervention)")
"""The note of the default that an intervention done is never proposed again."""


@attrs.frozen(kw_only=True)
class Done:
    """
    An intervention of the case done or under way by the as-of date.

    :ivar code: the intervention recorded.
    :ivar status: svolto or in_corso.
    :ivar since: when it was done (svolto: its end, or the event's date) or started (in_corso).
    :ivar path: where the case records it (``$.project.interventions[0]``, ``$.history[3]``).
    """

    code: str
    status: InterventionStatus
    since: dt.date
    path: str

    @property
    def in_project(self) -> bool:
        """Whether the project records it (else the history)."""
        return self.path.startswith("$.project")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same calendar day ``months`` later (the month's last day when it has fewer days)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def done_by(case: Case, as_of: dt.date) -> dict[str, Done]:
    """
    Every intervention the case records as done or under way on ``as_of``, by code: under
    way first, then the latest done.

    In the project, one started on or before ``as_of`` is under way until its end (or the
    project's end, when it has none) and done after it; in the history, an event of kind
    ``intervento`` dated on or before ``as_of`` records one done on that day.
    """
    found: list[Done] = []
    project = case.project
    if project is not None:
        for i, si in enumerate(project.interventions):
            if si.start > as_of:
                continue  # planned: not happened yet
            end = si.end or project.end
            done = end is not None and end < as_of
            found.append(Done(code=si.code, status=InterventionStatus.SVOLTO if done else InterventionStatus.IN_CORSO,
                              since=end if done and end is not None else si.start,
                              path=f"$.project.interventions[{i}]"))
    for i, event in enumerate(case.history):
        if event.kind == INTERVENTION_EVENT and event.intervention is not None and event.on <= as_of:
            found.append(Done(code=event.intervention, status=InterventionStatus.SVOLTO, since=event.on,
                              path=f"$.history[{i}]"))
    best: dict[str, Done] = {}
    for d in found:
        had = best.get(d.code)
        if had is None or _rank(d) > _rank(had):
            best[d.code] = d
    return best


def _rank(d: Done) -> tuple[bool, dt.date]:
    return d.status is InterventionStatus.IN_CORSO, d.since


def _record_of(code: str, catalogue: Mapping[str, Any], done: Mapping[str, Done]) -> Done | None:
    """The record that stands for an intervention: its own, or an alternative's (under way first, then latest)."""
    candidates = [done[c] for c in (code, *catalogue[code].get("alternatives", [])) if c in done]
    return max(candidates, key=_rank, default=None)


def _blocks(item: Mapping[str, Any], record: Done, as_of: dt.date) -> bool:
    """Whether a record keeps the intervention from being proposed again on ``as_of``."""
    if record.status is InterventionStatus.IN_CORSO:
        return True
    months = item.get("repeatable_after_months")
    return months is None or add_months(record.since, int(months)) > as_of


class _Read(dict[str, Any]):
    """Facts read by the priority rules, with their data categories (as predicate inputs carry them)."""

    def __init__(self, values: Mapping[str, Any], categories: set[str]) -> None:
        super().__init__(values)
        self.categories = frozenset(categories)


@attrs.frozen(kw_only=True)
class Priority:
    """
    The priority of an intervention for a case: its ``priority``, or the first of its
    ``priority_when`` rules that holds.

    :ivar value: the priority (lower comes first).
    :ivar rule: the ``priority_when`` entry that gave it, or None for the fixed ``priority``.
    :ivar inputs: the facts the rules looked at (those that did not hold too: they decided
        that a later one, or the fixed priority, applied).
    """

    value: int
    rule: Mapping[str, Any] | None = None
    inputs: _Read = attrs.field(factory=lambda: _Read({}, set()))


def priority_of(item: Mapping[str, Any], facts: Facts) -> Priority:
    """The first ``priority_when`` rule that holds for the case, else the fixed ``priority`` (default 100)."""
    looked: dict[str, Any] = {}
    categories: set[str] = set()
    for rule in item.get("priority_when", []):
        hit, inputs = evaluate(rule["when"], facts)
        looked.update(inputs)
        categories |= set(inputs.categories)
        if hit:
            return Priority(value=int(rule["priority"]), rule=rule, inputs=_Read(looked, categories))
    return Priority(value=int(item.get("priority", 100)), inputs=_Read(looked, categories))


def order(codes: set[str], catalogue: dict[str, Any], priorities: Mapping[str, int] | None = None) -> list[str]:
    """Topological order of ``codes`` (prerequisites first), ties by priority then code."""
    prio = dict(priorities or {})

    def key(c: str) -> int:
        return prio[c] if c in prio else int(catalogue[c].get("priority", 100))

    pending = {c: {p for p in catalogue[c].get("prerequisites", []) if p in codes} for c in codes}
    ready = [(key(c), c) for c, pre in pending.items() if not pre]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _prio, code = heapq.heappop(ready)
        out.append(code)
        for other, pre in pending.items():
            if code in pre:
                pre.discard(code)
                if not pre:
                    heapq.heappush(ready, (key(other), other))
    return out


def recommend(case: Case, territory: Territory, as_of: dt.date, profile: Profile) -> list[Recommendation]:
    """
    Suitable interventions plus their prerequisites, ordered, each with its rationale; then
    those that suit the case (or are prerequisites) but are done or under way, not proposed.

    Whether an intervention is proposed depends on its own suitability, on the suitability
    of every intervention it is a prerequisite of, and on the records of it and of its
    alternatives: its reason carries the categories all those may read (and its own
    category), whichever way it came in.
    """
    catalogue = territory.section("interventions")
    facts = Facts(case=case, territory=territory, as_of=as_of, profile=profile)
    done = done_by(case, as_of)
    why: dict[str, tuple[str, dict[str, Any], str]] = {}
    held: dict[str, tuple[Done, str]] = {}  # not proposed: the record, and what it is a prerequisite of ("": suits)
    reads: dict[str, set[str]] = {}
    priorities: dict[str, Priority] = {}
    for code, item in catalogue.items():
        hit, inputs = evaluate(item["suitable_when"], facts)
        priorities[code] = priority_of(item, facts)
        # whether the project or the history records it (or an alternative) is data of their categories
        recorded = {territory.data_category("interventions", c) for c in (code, *item.get("alternatives", []))}
        # where it comes in the list may depend on the case (priority_when): that is data too
        reads[code] = {*inputs.categories, *recorded, *priorities[code].inputs.categories, "process"}
        if hit:
            record = _record_of(code, catalogue, done)
            if record is not None and _blocks(item, record, as_of):
                held[code] = (record, "")
            else:
                why[code] = ("adatto", inputs, "")
    stack = list(why)
    while stack:
        code = stack.pop()
        for pre in catalogue[code].get("prerequisites", []):
            if pre in why or pre in held:
                continue
            record = _record_of(pre, catalogue, done)
            if record is not None:  # done or under way: the prerequisite is met
                held[pre] = (record, code)
            else:
                why[pre] = ("propedeutico", {"propedeutico_a": code}, code)
                stack.append(pre)
    included = _inclusion_reads(catalogue, reads)
    values = {code: p.value for code, p in priorities.items()}
    out = [_proposed(territory, catalogue, code, why[code], priorities[code], included[code])
           for code in order(set(why), catalogue, values)]
    for code in order(set(held), catalogue, values):
        record, for_code = held[code]
        reason = held_reason(territory, catalogue, code, record, for_code, as_of, included[code])
        out.append(_recommendation(code, catalogue[code], reason, record))
    return out


def _proposed(territory: Territory, catalogue: Mapping[str, Any], code: str, why: tuple[str, dict[str, Any], str],
              prio: Priority, categories: set[str]) -> Recommendation:
    """A recommended intervention: suitable (and where its priority puts it), or a prerequisite of another."""
    item = catalogue[code]
    kind, facts_used, for_code = why
    label = item["label"]
    if kind == "adatto" and prio.rule is not None:
        reason = _priority_reason(territory, code, item, prio, facts_used, categories)
    elif kind == "adatto":
        msg = Message("{label}: suits the case's profile.", label=label)
        # the criteria (suitable_when) may be the project's own even where a document names the intervention
        key = "suitable_source" if "suitable_source" in item else "source"
        reason = from_entry(territory, item, f"interventi.{code}", msg, facts_used, source_key=key,
                            categories=categories)
    else:
        other = catalogue[for_code]["label"]
        msg = Message("{label}: prerequisite of {other}.", label=label, other=other)
        key = "prerequisites_source" if "prerequisites_source" in catalogue[for_code] else "source"
        reason = from_entry(territory, catalogue[for_code], f"interventi.{for_code}.propedeuticita", msg,
                            facts_used, source_key=key, categories=categories)
    return _recommendation(code, item, reason)


def _priority_reason(territory: Territory, code: str, item: Mapping[str, Any], prio: Priority,
                     suitable: Mapping[str, Any], categories: set[str]) -> Reason:
    """
    Why an intervention is recommended where it comes: it suits the case, and a rule of
    ``priority_when`` gave it its priority. The reason cites that rule (the case-dependent
    decision); its inputs are the facts of both, and the rule's id and priority.
    """
    rule = prio.rule
    assert rule is not None
    inputs = {**suitable, **prio.inputs, "priorita": prio.value, "regola_priorita": rule["id"]}
    entry = {**item, "message": rule["message"], "source": rule["source"]}
    why = from_entry(territory, entry, f"interventi.{code}.priorita.{rule['id']}", None, inputs,
                     categories={*categories, *prio.inputs.categories})
    msg = Message("{label}: suits the case's profile; priority {priority}: {why}", label=item["label"],
                  priority=prio.value, why={"it": why.message_it, "en": why.message_en})
    return attrs.evolve(why, message_it=msg.text("it"), message_en=msg.text("en"))


def _recommendation(code: str, item: Mapping[str, Any], reason: Reason, record: Done | None = None) -> Recommendation:
    return Recommendation(
        code=code, label=item["label"]["it"], category=item["category"], provider_kinds=tuple(item["providers"]),
        funding=tuple(item.get("funding", [])),
        prerequisites=tuple(item.get("prerequisites", [])), reason=reason,
        status=InterventionStatus.PROPOSTO if record is None else record.status,
        since=None if record is None else record.since,
    )


def held_reason(territory: Territory, catalogue: Mapping[str, Any], code: str, record: Done, for_code: str,
                as_of: dt.date, categories: set[str]) -> Reason:
    """
    Why an intervention is not proposed again: done (when, where) or under way (since when),
    itself or an alternative; when it may be proposed again, or the prerequisite it meets.
    """
    item = catalogue[code]
    day = record.since.isoformat()
    if record.status is InterventionStatus.IN_CORSO:
        state = Message("under way since {date} in the project", date=day)
    elif record.in_project:
        state = Message("done, ended on {date} in the project", date=day)
    else:
        state = Message("done on {date}, as the case's history records", date=day)
    if record.code != code:
        state = Message("{other}, its alternative, {state}", other=catalogue[record.code]["label"], state=state)
    months = item.get("repeatable_after_months")
    again = None
    if for_code:
        msg = Message("{label}: {state}; it meets the prerequisite of {other} and is not proposed again.",
                      label=item["label"], state=state, other=catalogue[for_code]["label"])
    elif months is not None and record.status is InterventionStatus.SVOLTO:
        again = add_months(record.since, int(months))
        msg = Message("{label}: {state}; it may be proposed again from {date} ({months} months after).",
                      label=item["label"], state=state, date=again.isoformat(), months=months)
    else:
        msg = Message("{label}: {state}; not proposed again.", label=item["label"], state=state)
    inputs = {"stato": record.status.value, "dal": day, "registrato_in": record.path,
              "intervento_registrato": record.code, "ripetibile_dopo_mesi": months,
              "riproponibile_dal": None if again is None else again.isoformat()}
    if for_code:
        inputs["propedeutico_a"] = for_code
    cats = {*categories, territory.data_category("interventions", record.code)}
    if months is not None:
        return from_entry(territory, item, f"interventi.{code}.storia", msg, inputs, source_key="repeatable_source",
                          categories=cats)
    source = item["source"]
    default = {"kind": "default", "document": source.get("document"), "section": source.get("section", ""),
               "note": NOT_REPEATED}
    reason = from_entry(territory, item, f"interventi.{code}.storia", msg, inputs, categories=cats)
    return attrs.evolve(reason, source=territory.citation({k: v for k, v in default.items() if v}))


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
    """Core default: suitable catalogue entries and their prerequisites, prerequisites first, less what is done."""
    return recommend(case, territory, as_of, profile)
