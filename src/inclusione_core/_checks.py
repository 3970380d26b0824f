"""
Checks of a case against its territory: what the schema alone cannot see.

A case can be well-formed and still wrong for the territory whose rules apply: a need
code with a typo (``dipendenza`` for ``dipendenze``) would silently turn an equipe
allargata into an essenziale. These checks refuse it, listing every problem by JSON path:
codes unknown to the territory (a member's services in charge included), references to
members that do not exist (whom a member looks after), duplicate ids, periods that end
before they start (a job, a referral...) and a member's dates before their birth, members
born after the as-of date (who would count as minors), dates outside the limits in a case
built in Python (a case read from JSON had them checked by the converter), and consents not
given by their data subject (a member; a minor only through a legal representative).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, get_args

import attrs

from ._config import Territory, unknown_reference
from ._errors import ErrorDetail
from ._models import HOUSEHOLD_PARTY, INTERVENTION_EVENT, Assessment, Case, Consent, Member, ReferralStatus
from ._reader import Limits
from .i18n import Message

__all__ = ["check_case"]


def check_case(
    case: Case, territory: Territory, *, as_of: dt.date | None = None, limits: Limits | None = None,
) -> list[ErrorDetail]:
    """
    Every inconsistency of a well-formed case with its territory, by JSON path (empty: none).

    :param as_of: the date of the assessment: a member born after it is an error.
    :param limits: check that every date of the case is within these limits (for a case
        built in Python; the converter checked those of a case read from JSON).
    """
    errors: list[ErrorDetail] = [] if limits is None else _dates_out_of_range(case, limits)
    known = {key: set(territory.section(key))
             for key in ("needs", "dimensions", "measures", "services", "interventions", "programmes")}
    def code(value: str | None, section: str, path: str, what: str) -> None:
        if value is not None and value not in known[section]:
            errors.append(ErrorDetail(path, Message("unknown {what} in territory {territory}", what=what,
                                                    territory=territory.id), value, f"ref:{section}"))

    def order(start: dt.date | None, end: dt.date | None, path: str, what: str) -> None:
        if start is not None and end is not None and end < start:
            errors.append(ErrorDetail(path, Message("{what} precedes the start", what=what), end.isoformat(),
                                      "date_order"))

    members = [m.id for m in case.household.members]
    if as_of is not None:
        for i, person in enumerate(case.household.members):
            if person.birth_date is not None and person.birth_date > as_of:
                errors.append(ErrorDetail(
                    f"$.household.members[{i}].birth_date",
                    Message("birth date after the as-of date ({as_of})", as_of=as_of.isoformat()),
                    person.birth_date.isoformat(), "birth_date"))
    for i, dup in _duplicates(members):
        errors.append(ErrorDetail(f"$.household.members[{i}].id", Message("repeated member"), dup, "unique"))

    def member(value: str | None, path: str) -> None:
        if value is not None and value not in members:
            errors.append(ErrorDetail(path, Message("member not in the household"), value, "ref:household.members"))

    for i, person in enumerate(case.household.members):
        errors += _member_checks(person, f"$.household.members[{i}]", member, code)

    if case.access is not None:
        code(case.access.point, "services", "$.access.point", Message("service"))
        code(case.access.from_service, "services", "$.access.from_service", Message("service"))
    a = case.assessment
    if a is not None:
        code(a.by_service, "services", "$.assessment.by_service", Message("service"))
        for i, level in enumerate(a.levels):
            code(level.dimension, "dimensions", f"$.assessment.levels[{i}].dimension", Message("dimension"))
        for i, need in enumerate(a.needs):
            code(need.code, "needs", f"$.assessment.needs[{i}].code", Message("need"))
            member(need.member, f"$.assessment.needs[{i}].member")
        for i, m in enumerate(a.work_ready_members):
            member(m, f"$.assessment.work_ready_members[{i}]")
        errors += _score_checks(a, territory)
    for i, ref in enumerate(case.referrals):
        code(ref.from_service, "services", f"$.referrals[{i}].from_service", Message("service"))
        code(ref.to_service, "services", f"$.referrals[{i}].to_service", Message("service"))
        order(ref.sent_on, ref.closed_on, f"$.referrals[{i}].closed_on", Message("the closing"))
    errors += _refusal_code_errors(case, territory)
    for i, dup in _duplicates([r.id for r in case.referrals]):
        errors.append(ErrorDetail(f"$.referrals[{i}].id", Message("repeated referral"), dup, "unique"))
    for i, measure in enumerate(case.measures):
        code(measure.code, "measures", f"$.measures[{i}].code", Message("measure"))
        order(measure.valid_from, measure.valid_to, f"$.measures[{i}].valid_to", Message("the end"))
    by_id = {m.id: m for m in case.household.members}
    for i, consent in enumerate(case.consents):
        member(consent.member, f"$.consents[{i}].member")
        errors += _consent_giver(consent, by_id, f"$.consents[{i}]")
        order(consent.given_on, consent.expires_on, f"$.consents[{i}].expires_on", Message("the expiry"))
        order(consent.given_on, consent.withdrawn_on, f"$.consents[{i}].withdrawn_on", Message("the withdrawal"))
    errors += _history_checks(case, code)
    p = case.project
    if p is not None:
        order(p.start, p.end, "$.project.end", Message("the end of the project"))
        for i, si in enumerate(p.interventions):
            code(si.provider, "services", f"$.project.interventions[{i}].provider", Message("service"))
        errors += _host_enterprise_errors(case, territory)
        for i, c in enumerate(p.commitments):
            member(c.member, f"$.project.commitments[{i}].member")
        for i, s in enumerate(p.signatures):
            if s.party != HOUSEHOLD_PARTY:
                code(s.party, "services", f"$.project.signatures[{i}].party", Message("service"))
    return errors


def _score_checks(a: Assessment, territory: Territory) -> list[ErrorDetail]:
    """
    The answers to a scored instrument: a known instrument, only its items, each a value the
    item admits, in the version in force on the day it was administered (else the nearest
    version: the outcome then says that none was in force); one record per instrument and day.
    """
    from ._config import _nearest  # noqa: PLC0415
    from ._scores import SECTION, allowed, item_values, record_date  # noqa: PLC0415

    errors: list[ErrorDetail] = []
    known = territory.section(SECTION)
    seen: set[tuple[str, dt.date]] = set()
    for i, record in enumerate(a.scores):
        path = f"$.assessment.scores[{i}]"
        entry = known.get(record.instrument)
        if entry is None:
            errors.append(ErrorDetail(f"{path}.instrument", unknown_reference(
                Message("scored instrument"), record.instrument, known), record.instrument, "ref:scores"))
            continue
        day = record_date(record, a)
        if (record.instrument, day) in seen:
            errors.append(ErrorDetail(f"{path}.date", Message("the instrument {instrument} is recorded twice on {day}",
                                                              instrument=record.instrument, day=day.isoformat()),
                                      day.isoformat(), "unique"))
        seen.add((record.instrument, day))
        items = _nearest(entry, day).get("items") or {}
        for code, value in record.answers.items():
            item = items.get(code)
            if item is None:
                errors.append(ErrorDetail(f"{path}.answers.{code}", unknown_reference(
                    Message("item of the instrument {instrument}", instrument=record.instrument), code, items),
                    code, "ref:scores.items"))
            elif not allowed(item, value):
                rule = Message("values admitted: {values}", values=", ".join(map(str, item["values"]))) \
                    if "values" in item else Message("between {low} and {high}", low=item_values(item)[0],
                                                     high=item_values(item)[1])
                errors.append(ErrorDetail(f"{path}.answers.{code}", Message(
                    "value not admitted by the item {item}: {rule}", item=code, rule=rule), value, "scores.values"))
    return errors
def _host_enterprise_errors(case: Case, territory: Territory) -> list[ErrorDetail]:
    """
    A scheduled intervention's host enterprise is one of the territory's enterprises
    (``enterprises.entries``), where it configures some; free where it configures none.
    """
    firms = territory.section("enterprises", "entries")
    if not firms or case.project is None:
        return []
    return [ErrorDetail(f"$.project.interventions[{i}].host_enterprise", Message(
                "unknown {what} in territory {territory}", what=Message("enterprise"), territory=territory.id),
                si.host_enterprise, "ref:enterprises.entries")
            for i, si in enumerate(case.project.interventions)
            if si.host_enterprise is not None and si.host_enterprise not in firms]


def _history_checks(case: Case, code: Callable[[str | None, str, str, str], None]) -> list[ErrorDetail]:
    """An event of kind ``intervento`` names a known intervention, and only such an event names one."""
    errors = []
    for i, event in enumerate(case.history):
        if event.kind == INTERVENTION_EVENT and event.intervention is None:
            errors.append(ErrorDetail(f"$.history[{i}].intervention",
                                      Message("an event of kind {kind} names the intervention carried out",
                                              kind=INTERVENTION_EVENT), None, "required"))
        elif event.intervention is not None and event.kind != INTERVENTION_EVENT:
            errors.append(ErrorDetail(f"$.history[{i}].intervention",
                                      Message("only an event of kind {kind} names an intervention",
                                              kind=INTERVENTION_EVENT), event.intervention, "kind"))
        code(event.intervention, "interventions", f"$.history[{i}].intervention", Message("intervention"))
    return errors


def _refusal_code_errors(case: Case, territory: Territory) -> list[ErrorDetail]:
    """
    A refusal code recorded in the case is a code of the territory: a referral's answer
    carries one of its receiving service's ``refusal_codes`` (and only when refused); a
    history event, one of the ``refusal_codes`` of some service of the territory (the event
    does not name the service that refused).
    """
    errors: list[ErrorDetail] = []
    services = territory.section("services")

    def codes_of(service_id: str) -> dict[str, Any]:
        return dict((services.get(service_id) or {}).get("refusal_codes") or {})

    def unknown(path: str, value: str, known: Iterable[str], what: Message) -> None:
        errors.append(ErrorDetail(path, Message("unknown refusal code {what}; the codes: {known}", what=what,
                                                known=", ".join(sorted(known)) or "—"), value,
                                  "ref:services.refusal_codes"))

    for i, ref in enumerate(case.referrals):
        response = ref.response
        if response is None or response.code is None:
            continue
        path = f"$.referrals[{i}].response.code"
        if ref.status is ReferralStatus.ACCEPTED:
            errors.append(ErrorDetail(path, Message("a refusal code on a referral that was accepted"),
                                      response.code, "refusal_code.outcome"))
        known = codes_of(ref.to_service)
        if response.code not in known:
            unknown(path, response.code, known, Message("of the service {service}", service=ref.to_service))
    every = {c for sid in services for c in codes_of(sid)}
    for i, event in enumerate(case.history):
        if event.code is not None and event.code not in every:
            unknown(f"$.history[{i}].code", event.code, every,
                    Message("of the services of territory {territory}", territory=territory.id))
    return errors


def _member_checks(
    person: Member, path: str, member: Callable[[str | None, str], None],
    code: Callable[[str | None, str, str, str], None],
) -> list[ErrorDetail]:
    """
    A member's services in charge (known to the territory), whom they look after (other
    members) and the dates of their work history and qualifications (in order, none before
    their birth).
    """
    errors: list[ErrorDetail] = []
    for j, service in enumerate(person.services):
        code(service, "services", f"{path}.services[{j}]", Message("service"))
    for j, dup in _duplicates(person.services):
        errors.append(ErrorDetail(f"{path}.services[{j}]", Message("repeated service"), dup, "unique"))
    for j, prog in enumerate(person.programmes):
        code(prog.code, "programmes", f"{path}.programmes[{j}].code", Message("programme"))
        if prog.until is not None and prog.until < prog.since:
            errors.append(ErrorDetail(f"{path}.programmes[{j}].until", Message("{what} precedes the start",
                                      what=Message("the end of the programme")), prog.until.isoformat(),
                                      "date_order"))
    load = person.care_load
    if load is not None:
        for name in ("children_under_3", "minors", "dependants"):
            for j, other in enumerate(getattr(load, name)):
                here = f"{path}.care_load.{name}[{j}]"
                member(other, here)
                if other == person.id:
                    errors.append(ErrorDetail(here, Message("a member does not look after themselves"), other,
                                              "care_load"))
    born = person.birth_date

    def after_birth(day: dt.date | None, here: str) -> None:
        if born is not None and day is not None and day < born:
            errors.append(ErrorDetail(here, Message("before the member's birth ({born})", born=born.isoformat()),
                                      day.isoformat(), "date_order"))

    after_birth(person.unemployed_since, f"{path}.unemployed_since")
    for j, job in enumerate(person.work_history):
        here = f"{path}.work_history[{j}]"
        after_birth(job.start, f"{here}.start")
        after_birth(job.end, f"{here}.end")
        if job.start is not None and job.end is not None and job.end < job.start:
            errors.append(ErrorDetail(f"{here}.end", Message("{what} precedes the start", what=Message("the end")),
                                      job.end.isoformat(), "date_order"))
    for j, title in enumerate(person.qualifications):
        after_birth(title.obtained_on, f"{path}.qualifications[{j}].obtained_on")
    return errors


def _consent_giver(consent: Consent, members: Mapping[str, Member], path: str) -> list[ErrorDetail]:
    """
    Only the data subject, or a recorded legal representative, consents: a minor (on the
    day the consent was given) needs a representative, who if a member must be an adult.
    """
    errors: list[ErrorDetail] = []
    subject = members.get(consent.member)
    rep = consent.representative
    if subject is not None and rep is None and subject.minor_on(consent.given_on):
        errors.append(ErrorDetail(
            f"{path}.representative",
            Message("member {member} was {age} on {on}: a minor cannot consent alone, the legal representative is"
                    " needed (representative)", member=consent.member, age=subject.age(consent.given_on),
                    on=consent.given_on.isoformat()), None, "consent_subject"))
    if rep is not None and rep.member is not None:
        giver = members.get(rep.member)
        if giver is None:
            errors.append(ErrorDetail(f"{path}.representative.member", Message("member not in the household"),
                                      rep.member, "ref:household.members"))
        elif rep.member == consent.member:
            errors.append(ErrorDetail(f"{path}.representative.member",
                                      Message("the representative cannot be the data subject themselves"), rep.member,
                                      "consent_subject"))
        elif giver.minor_on(consent.given_on):
            errors.append(ErrorDetail(f"{path}.representative.member",
                                      Message("the representative was {age} on {on}: a minor cannot represent",
                                              age=giver.age(consent.given_on), on=consent.given_on.isoformat()),
                                      rep.member, "consent_subject"))
    return errors


def _duplicates(values: Iterable[str]) -> list[tuple[int, str]]:
    seen: set[str] = set()
    out = []
    for i, v in enumerate(values):
        if v in seen:
            out.append((i, v))
        seen.add(v)
    return out


_PLANS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _date_plan(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fields of a model that hold dates (or tuples of dates), and those that hold models."""
    if cls in _PLANS:
        return _PLANS[cls]
    attrs.resolve_types(cls)
    dates, models = [], []
    for a in attrs.fields(cls):
        text = str(a.type)
        if "date" in text:
            dates.append(a.name)
        elif any(attrs.has(t) for t in _leaf_types(a.type)):
            models.append(a.name)
    plan = _PLANS[cls] = (tuple(dates), tuple(models))
    return plan


def _leaf_types(t: Any) -> list[Any]:
    args = get_args(t)
    return [t] if not args else [leaf for arg in args for leaf in _leaf_types(arg)]


def _dates_out_of_range(case: Case, limits: Limits) -> list[ErrorDetail]:
    """Dates of a case built in Python outside the limits (date arithmetic on them would overflow)."""
    low, high = limits.min_date, limits.max_date
    out: list[ErrorDetail] = []
    stack: list[tuple[Any, str]] = [(case, "$")]
    while stack:
        obj, path = stack.pop()
        dates, models = _date_plan(type(obj))
        for name in dates:
            value = getattr(obj, name)
            for at, day in _items(value, f"{path}.{name}"):
                if isinstance(day, dt.date) and not low <= day <= high:
                    out.append(ErrorDetail(at, Message("date outside the allowed range ({low} - {high})",
                                                       low=low.isoformat(), high=high.isoformat()),
                                           day.isoformat(), "limit:dates"))
        for name in models:
            stack.extend((v, at) for at, v in _items(getattr(obj, name), f"{path}.{name}"))
    return out


def _items(value: Any, path: str) -> list[tuple[str, Any]]:
    if isinstance(value, tuple):
        return [(f"{path}[{i}]", v) for i, v in enumerate(value)]
    return [] if value is None else [(path, value)]
