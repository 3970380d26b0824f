"""
Privacy by design: what each recipient may receive, recipient views, pseudonymised exports.

Nothing leaves the core towards a recipient except through a **view**: the case (or a
result about it) filtered field by field by data category, keeping a category only if
the territory's ``privacy.flows`` give it a legal basis for that kind of recipient and
purpose, or a valid consent of the case covers it on the as-of date. What is withheld is
listed (path, category, reason), never silently dropped. The public entry points are the
:class:`~inclusione_core.Engine` methods ``disclose_case``, ``disclose_result`` and
``export_statistics``, which also append a record to the disclosure audit.

This module is pure: no I/O, no clock. The audit logs live in :mod:`._audit`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs
import cattrs

from ._categories import BY_CODE, DataCategory, Export
from ._config import Territory, citation
from ._fields import CATEGORY_KEY, EXPORT_KEY
from ._models import Case, Citation, ProfileDecision, Purpose, Reason, Referral, Result

__all__ = ["Disclosure", "Policy", "Recipient", "View", "Withheld"]

T = TypeVar("T")


@attrs.frozen
class Recipient:
    """
    Who receives data: a kind (``cpi``, ``serd``, ``terzo_settore``, ``udp``...) and optionally
    the service id and a name.
    """

    kind: str
    service: str | None = None
    name: str = ""


@attrs.frozen
class Disclosure:
    """A category disclosed, and on which basis: a law (with citation) or a consent."""

    category: str
    basis: str  # law | consent
    flow: str
    legal_basis: Citation
    consent: str | None = None


@attrs.frozen
class Withheld:
    """Something withheld from a view: where, which category, and why."""

    path: str
    category: str
    reason_it: str
    reason_en: str


@attrs.frozen
class View:
    """
    What a recipient may see of a case (or of a result about it) on a date.

    :ivar data: the JSON-ready data disclosed.
    :ivar disclosed: each category disclosed with its basis.
    :ivar withheld: each item withheld, with its path, category and reason: for the
        controller and the audit, **not for the recipient** (a path such as
        ``$.assessment.needs[1]`` with category ``addiction`` would itself reveal the data).
    :ivar not_disclosed: every category the recipient may not receive for this purpose on
        this date (path ``*``), whatever the case holds: what to tell the recipient.
    """

    case_id: str
    territory: str
    recipient: Recipient
    purpose: Purpose
    as_of: dt.date
    data: dict[str, Any]
    disclosed: tuple[Disclosure, ...]
    withheld: tuple[Withheld, ...]
    not_disclosed: tuple[Withheld, ...] = ()
    pseudonymised: bool = False

    def categories_withheld(self) -> list[str]:
        """The categories withheld, sorted."""
        return sorted({w.category for w in self.withheld})


class Policy:
    """
    The compiled ``privacy`` configuration of a territory: who may receive what, for what.

    A category is disclosed to a (recipient kind, purpose) when a flow with ``basis: law``
    lists it, or when a flow with ``basis: consent`` lists it and a consent of the case
    valid on the as-of date covers that category, recipient kind and purpose.
    """

    def __init__(self, territory: Territory) -> None:
        self.territory = territory
        self.flows = territory.section("privacy", "flows")
        self.recipients = territory.section("privacy", "recipients")

    def basis(
        self, category: str, recipient: str, purpose: Purpose, case: Case, as_of: dt.date
    ) -> Disclosure | None:
        """The basis for disclosing a category, or None (law first, then consent)."""
        consent_flow = None
        for code, flow in sorted(self.flows.items()):
            if flow["recipient"] != recipient or flow["purpose"] != purpose.value or category not in flow["categories"]:
                continue
            if flow["basis"] == "law":
                return Disclosure(category, "law", code, citation(flow["legal_basis"]))
            consent_flow = consent_flow or (code, flow)
        if consent_flow is None:
            return None
        code, flow = consent_flow
        for consent in case.consents:
            if consent.covers(DataCategory(category), recipient, purpose, as_of):
                return Disclosure(category, "consent", code, citation(flow["legal_basis"]), consent=consent.id)
        return None

    def needs_consent(self, category: str, recipient: str, purpose: Purpose) -> bool:
        """Whether some flow would allow the category with a consent."""
        return any(
            f["recipient"] == recipient and f["purpose"] == purpose.value and category in f["categories"]
            and f["basis"] == "consent"
            for f in self.flows.values()
        )

    def table(self) -> list[dict[str, Any]]:
        """The data-flow table: one row per flow (recipient, purpose, categories, basis, citations)."""
        rows = []
        for code, flow in sorted(self.flows.items(), key=lambda kv: (kv[1]["recipient"], kv[1]["purpose"], kv[0])):
            rows.append({
                "flow": code,
                "recipient": flow["recipient"],
                "recipient_label": self.recipients.get(flow["recipient"], {}).get("label", {}).get("it", ""),
                "purpose": flow["purpose"],
                "categories": list(flow["categories"]),
                "basis": flow["basis"],
                "legal_basis": str(citation(flow["legal_basis"])),
                "source": str(citation(flow["source"])),
                "defined_in": self.territory.file_of(flow),
            })
        return rows


class _Walk:
    """One view being built: the decisions taken per category, and what was withheld."""

    def __init__(self, policy: Policy, case: Case, recipient: Recipient, purpose: Purpose, as_of: dt.date,
                 converter: cattrs.Converter) -> None:
        self.policy = policy
        self.case = case
        self.recipient = recipient
        self.purpose = purpose
        self.as_of = as_of
        self.converter = converter
        self.decided: dict[str, Disclosure | None] = {}
        self.withheld: list[Withheld] = []

    def allows(self, category: str) -> bool:
        if category not in self.decided:
            self.decided[category] = self.policy.basis(
                category, self.recipient.kind, self.purpose, self.case, self.as_of)
        return self.decided[category] is not None

    def notice(self) -> tuple[Withheld, ...]:
        """Every category without a basis for this recipient and purpose (independent of the data)."""
        out = []
        for category in DataCategory:
            if not self.allows(category):
                self.withhold("*", category)
                out.append(self.withheld.pop())
        return tuple(out)

    def withhold(self, path: str, category: str) -> None:
        consent = self.policy.needs_consent(category, self.recipient.kind, self.purpose)
        what = "senza un consenso valido" if consent else "senza base giuridica"
        what_en = "without a valid consent" if consent else "without a legal basis"
        day = self.as_of.isoformat()
        self.withheld.append(Withheld(
            path, DataCategory(category).value,
            f"{DataCategory(category).label_it}: non comunicabile a {self.recipient.kind} per"
            f" {self.purpose.value} {what} al {day}",
            f"{category}: not disclosed to {self.recipient.kind} for {self.purpose.value} {what_en} on {day}",
        ))

    def disclosed(self) -> tuple[Disclosure, ...]:
        return tuple(d for _c, d in sorted(self.decided.items()) if d is not None)

    # ---------------------------------------------------------------- case walk

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for a in attrs.fields(type(value)):
            category = a.metadata[CATEGORY_KEY]
            item = getattr(value, a.name)
            here = f"{path}.{a.name}"
            if isinstance(category, BY_CODE):
                if isinstance(item, tuple):  # the list itself is case-management data; its items coded
                    if self.allows(DataCategory.PROCESS):
                        out[a.name] = self.coded_items(item, category, here)
                    else:
                        self.withhold(here, DataCategory.PROCESS)
                    continue
                if category is not BY_CODE.SERVICES or item is None:
                    # a field inside an item already admitted by its code
                    out[a.name] = self.converter.unstructure(item)
                    continue
                category = self.policy.territory.data_category(category.value, item)
            if not self.allows(category):
                self.withhold(here, category)
                continue
            out[a.name] = self.value(item, here)
        return out

    def value(self, item: Any, path: str) -> Any:
        if attrs.has(type(item)):
            return self.obj(item, path)
        if isinstance(item, tuple) and item and attrs.has(type(item[0])):
            return [self.obj(x, f"{path}[{i}]") for i, x in enumerate(item)]
        return self.converter.unstructure(item)

    def coded_items(self, items: tuple[Any, ...], by: BY_CODE, path: str) -> list[Any]:
        kept = []
        for i, item in enumerate(items):
            code = _code_of(item, by)
            category = self.policy.territory.data_category(by.value, code)
            if self.allows(category):
                kept.append(self.obj(item, f"{path}[{i}]"))
            else:
                self.withhold(f"{path}[{i}]", category)
        return kept


def _code_of(item: Any, by: BY_CODE) -> str:
    """The code that gives a coded item its category: a dimension, a referral's receiving
    service, a signature's party, or the item's code."""
    if by is BY_CODE.DIMENSIONS:
        return str(item.dimension)
    if by is BY_CODE.SERVICES:
        return str(item.to_service if isinstance(item, Referral) else item.party)
    return str(item.code)


def view_case(case: Case, territory: Territory, recipient: Recipient, purpose: Purpose, as_of: dt.date,
              converter: cattrs.Converter) -> View:
    """The view of a case for a recipient and purpose on a date (pure: no audit)."""
    walk = _Walk(Policy(territory), case, recipient, purpose, as_of, converter)
    data = walk.obj(case, "$")
    return View(case_id=case.id, territory=territory.id, recipient=recipient, purpose=purpose, as_of=as_of,
                data=data, disclosed=walk.disclosed(), withheld=tuple(walk.withheld), not_disclosed=walk.notice())


NOT_DISCLOSED = "non_comunicato"
_PROFILE_PARTS = ("occupability", "complexity", "activability", "pathway")


def _reason_ok(walk: _Walk, reason: Reason) -> str | None:
    """The first category of a reason that may not be disclosed, or None when all may."""
    for category in reason.categories:
        if not walk.allows(category):
            return category
    return None


def _first_bad(walk: _Walk, reasons: Iterable[Reason]) -> str | None:
    """The first category, across reasons, that may not be disclosed (None: all may)."""
    return next((b for r in reasons if (b := _reason_ok(walk, r)) is not None), None)


def _keep(walk: _Walk, items: Iterable[T], path: str, reason_of: Callable[[T], Reason]) -> tuple[T, ...]:
    """The items whose reason may be disclosed; the others are withheld at their index."""
    kept = []
    for i, item in enumerate(items):
        bad = _reason_ok(walk, reason_of(item))
        if bad is None:
            kept.append(item)
        else:
            walk.withhold(f"{path}[{i}]", bad)
    return tuple(kept)


def _same(reason: Reason) -> Reason:
    return reason


def _view_profile(walk: _Walk, decision: ProfileDecision) -> ProfileDecision:
    """
    Flags, grades and pathway are shown only if every reason that decided them may be:
    "complexity alta" decided by an addiction need, or an addiction flag, would reveal it.
    """
    profile = decision.profile
    prefix = "profilo.flag."
    flags = []
    for i, flag in enumerate(profile.flags):
        bad = _first_bad(walk, (r for r in decision.reasons if r.rule == prefix + flag))
        if bad is None:
            flags.append(flag)
        else:
            walk.withhold(f"$.profile.profile.flags[{i}]", bad)
    parts: dict[str, Any] = {"flags": tuple(flags), "derived_from": {}}  # categories would reveal the data
    for field_name in _PROFILE_PARTS:
        # masked by what it was decided from (whatever rule or plugin decided it)
        bad = next((c for c in profile.derived_from.get(field_name, ()) if not walk.allows(c)), None)
        if bad is not None:
            parts[field_name] = NOT_DISCLOSED if field_name == "pathway" else None
            walk.withhold(f"$.profile.profile.{field_name}", bad)
    return attrs.evolve(decision, profile=attrs.evolve(profile, **parts),
                        reasons=_keep(walk, decision.reasons, "$.profile.reasons", _same))


def view_result(result: Result, case: Case, territory: Territory, recipient: Recipient, purpose: Purpose,
                converter: cattrs.Converter) -> View:
    """
    The view of a pipeline result for a recipient: each reason is kept only if every data
    category it used may be disclosed; an equipe member, intervention, deadline, problem,
    profile flag or grade whose reason is withheld is withheld with it (its presence would
    reveal the data), and so is the routing's destination.
    """
    walk = _Walk(Policy(territory), case, recipient, purpose, result.as_of, converter)
    routing = attrs.evolve(result.routing, reasons=_keep(walk, result.routing.reasons, "$.routing.reasons", _same))
    if len(routing.reasons) < len(result.routing.reasons):  # where it goes would reveal why
        routing = attrs.evolve(routing, service=None, channel=NOT_DISCLOSED, deadline=None, alternatives=())
    equipe = attrs.evolve(
        result.equipe,
        members=_keep(walk, result.equipe.members, "$.equipe.members", lambda m: m.reason),
        reasons=_keep(walk, result.equipe.reasons, "$.equipe.reasons", _same),
    )
    if len(equipe.reasons) < len(result.equipe.reasons):  # "allargata" would reveal the specialist need
        equipe = attrs.evolve(equipe, format=NOT_DISCLOSED, label=NOT_DISCLOSED)
        walk.withhold("$.equipe.format", _first_bad(walk, result.equipe.reasons) or DataCategory.RECORDS)
    measures = []
    for i, measure in enumerate(result.measures):
        kept = _keep(walk, measure.reasons, f"$.measures[{i}].reasons", _same)
        eligible = measure.eligible
        if len(kept) < len(measure.reasons):  # eligibility decided by withheld data would reveal it
            eligible = None
            walk.withhold(f"$.measures[{i}].eligible", _first_bad(walk, measure.reasons) or DataCategory.RECORDS)
        measures.append(attrs.evolve(measure, reasons=kept, eligible=eligible))
    if not walk.allows(DataCategory.ECONOMIC):
        for i, _m in enumerate(measures):
            walk.withhold(f"$.measures[{i}]", DataCategory.ECONOMIC)
        measures = []
    filtered = attrs.evolve(
        result, profile=_view_profile(walk, result.profile), routing=routing, equipe=equipe,
        interventions=_keep(walk, result.interventions, "$.interventions", lambda r: r.reason),
        deadlines=_keep(walk, result.deadlines, "$.deadlines", lambda d: d.reason),
        measures=tuple(measures),
        project_problems=_keep(walk, result.project_problems, "$.project_problems", lambda p: p.reason),
    )
    data = converter.unstructure(filtered)
    return View(case_id=case.id, territory=territory.id, recipient=recipient, purpose=purpose, as_of=result.as_of,
                data=data, disclosed=walk.disclosed(), withheld=tuple(walk.withheld), not_disclosed=walk.notice())


def view_document(case: Case, document: Mapping[str, Any], categories: Mapping[str, str], territory: Territory,
                  recipient: Recipient, purpose: Purpose, as_of: dt.date, converter: cattrs.Converter) -> View:
    """The view of a plugin's document: each top-level key kept only if its category may flow."""
    walk = _Walk(Policy(territory), case, recipient, purpose, as_of, converter)
    data = {}
    for key, value in document.items():
        category = categories[key]
        if walk.allows(category):
            data[key] = value
        else:
            walk.withhold(f"$.{key}", category)
    return View(case_id=case.id, territory=territory.id, recipient=recipient, purpose=purpose, as_of=as_of,
                data=data, disclosed=walk.disclosed(), withheld=tuple(walk.withheld), not_disclosed=walk.notice())


# --------------------------------------------------------------------------- exports


def _hash(key: bytes, value: str) -> str:
    return "p-" + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:20]


def pseudonymise(view_data: Mapping[str, Any], cls: type, key: bytes) -> dict[str, Any]:
    """
    Pseudonymise the data of a case view: identifiers become keyed hashes (``x-export:
    hash``), dates of birth their year, names and free text are removed.

    The same key gives the same pseudonym for the same identifier, so exports can be
    joined; without the key they cannot be reversed.
    """
    attrs.resolve_types(cls)
    out: dict[str, Any] = {}
    for a in attrs.fields(cls):
        if a.name not in view_data:
            continue
        value = view_data[a.name]
        how = a.metadata[EXPORT_KEY]
        if how is Export.DROP:
            continue
        if how is Export.HASH:
            out[a.name] = _hash_any(key, value)
        elif how is Export.YEAR:
            out[a.name] = None if value is None else int(str(value)[:4])
        else:
            out[a.name] = _nested(value, a.type, key)
    return out


def _hash_any(key: bytes, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [_hash(key, str(v)) for v in value]
    return _hash(key, str(value))


def _nested(value: Any, annotation: Any, key: bytes) -> Any:
    inner = _attrs_class(annotation)
    if inner is None or value is None:
        return value
    if isinstance(value, list):
        return [pseudonymise(v, inner, key) for v in value]
    return pseudonymise(value, inner, key)


def _attrs_class(annotation: Any) -> type | None:
    """The attrs class inside an annotation like ``X``, ``X | None`` or ``tuple[X, ...]``."""
    from typing import get_args  # noqa: PLC0415

    if isinstance(annotation, type) and attrs.has(annotation):
        return annotation
    for arg in get_args(annotation):
        found = _attrs_class(arg)
        if found is not None:
            return found
    return None
