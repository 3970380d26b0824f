"""
Privacy by design: what each recipient may receive, recipient views, pseudonymised exports.

Nothing leaves the core towards a recipient except through a **view**: the case (or a
result about it) filtered field by field by data category, keeping a category only if
the territory's ``privacy.flows`` give it a legal basis for that kind of recipient and
purpose, or a valid consent **of the data subject** covers it at the moment the data
leave. What is withheld is listed (path, category, reason) for the controller and the
audit, never silently dropped; the recipient is told only which categories it may not
receive, the same whatever the case holds.

Three rules keep a view from revealing what it withholds:

* **masking by what a rule may read**: a decision (a grade, the pathway, the routing, the
  equipe format, an eligibility) and every reason are shown only when every data category
  its rule *may* read is disclosed, whether or not the case holds such data (the
  categories come from the rule's definition, see :mod:`._predicates`);
* **a stable shape**: a withheld field stays in the data as ``null`` (an item of a list is
  left out), a masked decision takes a fixed value (``non_comunicato``), so no key
  appears or disappears with the data;
* **consents bound to their subject**: data about a member flow on consent only with
  that member's consent; data about the household as a whole with the consent of every
  adult member; a decision of the pipeline, which may read anybody's data, with the
  consent of every member (a minor's through their legal representative).

The public entry points are the :class:`~inclusione_core.Engine` methods
``disclose_case``, ``disclose_result``, ``disclose_document`` and ``export_statistics``,
which check the case, judge consents at the engine clock's time and append a record to
the disclosure audit. This module is pure: no I/O, no clock of its own.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs
import cattrs

from ._categories import BY_CODE, DataCategory, Export
from ._config import Territory, dig
from ._fields import CATEGORY_KEY, EXPORT_KEY, HOUSEHOLD_SUBJECT, SUBJECT_KEY
from ._messages import code_message, code_text
from ._models import (
    CareLoad,
    Case,
    CaseEvent,
    Citation,
    DecidedBy,
    Equipe,
    Need,
    Placement,
    ProfileDecision,
    Purpose,
    Reason,
    Referral,
    ReferralResponse,
    Result,
    Routing,
    RoutingOutcome,
)
from ._models import Member as _Member
from .i18n import Message

__all__ = ["Disclosure", "Grants", "Policy", "Recipient", "View", "Withheld"]

T = TypeVar("T")

HOUSEHOLD = "*nucleo"
"""Subject of data about the household as a whole: every adult member must consent."""
EVERYONE = "*tutti"
"""Subject of a pipeline decision, which may read any member's data: every member must consent."""
NOT_DISCLOSED = "non_comunicato"
_CATEGORIES = tuple(DataCategory)


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
    """
    A category that may be disclosed, and on which basis: a law (with citation) or consents.

    :ivar consents: the consents relied on (basis ``consent``), one per member covered.
    :ivar members: the members whose data may go out on those consents.
    :ivar whole: the category may go out for the whole case (by law, or every member
        consented); only then do the decisions that may read it go out.
    """

    category: str
    basis: str  # law | consent
    flow: str
    legal_basis: Citation
    consents: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    whole: bool = True


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
    What a recipient may see of a case (or of a result about it).

    :ivar as_of: the date whose rules the data were evaluated with.
    :ivar at: the moment of the disclosure, at which consents were judged.
    :ivar data: the JSON-ready data disclosed: withheld fields are ``null``, withheld
        items of a list are left out, masked decisions carry ``non_comunicato``.
    :ivar disclosed: every category the recipient may receive, with its basis (the same
        whatever the case holds).
    :ivar withheld: each item withheld, with its path, category and reason: for the
        controller and the audit, **not for the recipient** (a path such as
        ``$.assessment.needs[1]`` with category ``addiction`` would itself reveal the data).
    :ivar not_disclosed: every category the recipient may not receive for the whole case
        (path ``*``), whatever the case holds: what to tell the recipient.
    :ivar masked: the parts of a result masked because their rule may read a category the
        recipient may not receive (JSON paths; the same whatever the case holds).
    :ivar kind: ``case``, ``result`` or ``document``: what the view is of.
    :ivar result: for a result view, the filtered result as a model (what ``data`` holds as
        JSON): the renderers read it, never the raw result.
    :ivar preview: from ``Engine.preview_*``: not audited, so never sent; the faces and
        :meth:`to_json` refuse it (a document built from it leaves through
        ``Engine.disclose_document``).
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
    at: dt.datetime | None = None
    masked: tuple[str, ...] = ()
    kind: str = "case"
    result: Result | None = None
    preview: bool = False

    def get(self, *path: str) -> Any:
        """
        The disclosed value at ``path`` in :attr:`data` (``view.get("assessment", "stage")``),
        or None where the recipient may not see it or the case has none: what a document
        builder reads, never the case.
        """
        return dig(self.data, path)

    def categories_withheld(self) -> list[str]:
        """The categories withheld, sorted."""
        return sorted({w.category for w in self.withheld})

    def to_json(self, explain: str = "full") -> dict[str, Any]:
        """
        What leaves with the view, JSON-ready (``view.schema.json``): who it is for, the
        rules' date and the moment of the disclosure, the data (``result`` for a result
        view, ``data`` for a case or a document), the categories disclosed with their
        basis, those not disclosed and the parts masked. Never the per-path ``withheld``
        list, which is the controller's.

        :param explain: ``full`` (every reason's citation in full), or ``compact``: without
            the static texts every case repeats, which the territory's configuration gives
            back (the document registry's, the rendered citations, the flows' legal bases;
            the README's "JSON output" says which fields).
        :raises TypeError: the view is a preview (not audited).
        :raises ValueError: ``explain`` is neither.
        """
        if self.preview:
            raise TypeError("a preview (Engine.preview_*) is not audited and never leaves: disclose it")
        if explain not in ("full", "compact"):
            raise ValueError(f"explain: {explain!r} is neither full nor compact")
        full = {
            "case_id": self.case_id,
            "territory": self.territory,
            "recipient": self.recipient.kind,
            "purpose": self.purpose.value,
            "as_of": self.as_of.isoformat(),
            "at": None if self.at is None else self.at.isoformat(timespec="seconds"),
            "result" if self.kind == "result" else "data": self.data,
            "disclosed": [
                {"category": d.category, "basis": d.basis, "flow": d.flow, "legal_basis": str(d.legal_basis),
                 "consents": list(d.consents), "members": list(d.members), "whole": d.whole}
                for d in self.disclosed
            ],
            "not_disclosed": [
                {"category": w.category, "reason_it": w.reason_it, "reason_en": w.reason_en}
                for w in self.not_disclosed
            ],
            "masked": list(self.masked),
        }
        if explain == "full":
            return full
        from ._compact import compact_view  # noqa: PLC0415

        return compact_view(full)


def disclosure_day(at: dt.datetime) -> dt.date:
    """The calendar day of a moment of disclosure in Italy (consents are dated in local days)."""
    if at.tzinfo is None:
        return at.date()
    return at.astimezone(_ROME).date() if _ROME is not None else at.date()


def _rome() -> dt.tzinfo | None:
    try:
        from zoneinfo import ZoneInfo  # noqa: PLC0415

        return ZoneInfo("Europe/Rome")
    except Exception:  # no time-zone database on this system: the UTC day
        return None


_ROME = _rome()

_Flows = dict[str, tuple[str, Mapping[str, Any]]]
_POLICIES: weakref.WeakKeyDictionary[Territory, Policy] = weakref.WeakKeyDictionary()


class Policy:
    """
    The compiled ``privacy`` configuration of a territory: who may receive what, for what.

    A category is disclosed to a (recipient kind, purpose) when a flow with ``basis: law``
    lists it, or when a flow with ``basis: consent`` lists it and the data subject's
    consent, valid on the day of the disclosure, covers that category, recipient kind and
    purpose (see :class:`Grants`). Build it with :meth:`of` to reuse the compiled one.
    """

    def __init__(self, territory: Territory) -> None:
        self.territory = territory
        self.flows = territory.section("privacy", "flows")
        self.recipients = territory.section("privacy", "recipients")
        self._pairs: dict[tuple[str, str], tuple[_Flows, _Flows]] = {}
        for code in sorted(self.flows):  # the first flow by id gives the basis cited
            flow = self.flows[code]
            law, consent = self._pairs.setdefault((flow["recipient"], flow["purpose"]), ({}, {}))
            for category in flow["categories"]:
                (law if flow["basis"] == "law" else consent).setdefault(category, (code, flow))

    @classmethod
    def on(cls, territory: Territory, day: dt.date) -> Policy:
        """
        The policy of the flows in force on the day the data leave (a flow's ``valid_from``,
        ``valid_to``: docs/configuration.md, "Periods in force"), like its consents.
        """
        return cls.of(territory if territory.as_of is not None else territory.in_force(day))

    @classmethod
    def of(cls, territory: Territory) -> Policy:
        """The policy of a compiled territory, compiled once and reused."""
        policy = _POLICIES.get(territory)
        if policy is None:
            policy = _POLICIES[territory] = cls(territory)
        return policy

    def pair(self, recipient: str, purpose: Purpose | str) -> tuple[_Flows, _Flows]:
        """The categories given by law and by consent to a recipient kind for a purpose (category -> flow)."""
        return self._pairs.get((recipient, str(purpose)), ({}, {}))

    def grants(self, case: Case, recipient: str, purpose: Purpose, on: dt.date) -> Grants:
        """What a recipient kind may receive of a case for a purpose, with consents judged on ``on``."""
        return Grants(self, case, recipient, purpose, on)

    def needs_consent(self, category: str, recipient: str, purpose: Purpose) -> bool:
        """Whether some flow would allow the category with a consent."""
        return category in self.pair(recipient, purpose)[1]

    def by_law(self, category: str, recipient: str, purpose: Purpose) -> bool:
        """Whether a flow gives the category to the recipient kind for the purpose by law."""
        return category in self.pair(recipient, purpose)[0]

    def table(self, lang: str = "it") -> list[dict[str, Any]]:
        """
        The data-flow table: one row per flow (recipient, purpose, categories, basis, citations).

        ``special_by_law`` lists the special categories (GDPR art. 9 and 10, and documents)
        a flow gives **by law**, without the person's consent: such flows are marked. The
        recipient's label and the citations (as an operator reads them) are in ``lang``.
        """
        rows = []
        for code, flow in sorted(self.flows.items(), key=lambda kv: (kv[1]["recipient"], kv[1]["purpose"], kv[0])):
            special = [c for c in flow["categories"] if DataCategory(c).special] if flow["basis"] == "law" else []
            rows.append({
                "flow": code,
                "recipient": flow["recipient"],
                "recipient_label": _label(self.recipients.get(flow["recipient"], {}).get("label", {}), lang),
                "purpose": flow["purpose"],
                "categories": list(flow["categories"]),
                "basis": flow["basis"],
                "special_by_law": special,
                "legal_basis": self.territory.citation(flow["legal_basis"]).text(lang),
                "source": self.territory.citation(flow["source"]).text(lang),
                "defined_in": self.territory.file_of(flow),
            })
        return rows


def _label(label: Mapping[str, str], lang: str) -> str:
    return label.get(lang) or label.get("it", "")


class Grants:
    """
    What one recipient kind may receive of one case for one purpose, on the day of the disclosure.

    By law: every datum of a category a law flow lists. On consent: a datum about a member
    (``subject`` = the member id) with that member's consent; a datum about the household
    as a whole (:data:`HOUSEHOLD`) with the consent of every adult member; a decision of
    the pipeline (:data:`EVERYONE`, which may read anybody's data) with the consent of every
    member. A consent counts when valid on ``on`` (given, not expired, not withdrawn) and
    given by its subject or, for a minor, by a recorded legal representative.
    """

    HOUSEHOLD = HOUSEHOLD
    EVERYONE = EVERYONE

    def __init__(self, policy: Policy, case: Case, recipient: str, purpose: Purpose, on: dt.date) -> None:
        self.policy = policy
        self.recipient = recipient
        self.purpose = purpose
        self.on = on
        self.law, self.consent_flows = policy.pair(recipient, purpose)
        members = case.household.members
        self.members = tuple(m.id for m in members)
        adults = tuple(m.id for m in members if not m.minor_on(on))
        self.adults = adults or self.members
        self.covered: dict[str, dict[str, str]] = {}
        self._not_disclosed: tuple[Withheld, ...] | None = None
        self._reasons: dict[tuple[str, str], tuple[str, str, str]] = {}
        if self.consent_flows:
            by_id = {m.id: m for m in members}
            for consent in case.consents:
                subject = by_id.get(consent.member)
                if subject is None or not consent.valid_on(on) or recipient not in consent.recipients \
                        or purpose not in consent.purposes or not _may_consent(subject, consent):
                    continue
                for category in consent.categories:
                    if category in self.consent_flows and category not in self.law:
                        self.covered.setdefault(category, {}).setdefault(consent.member, consent.id)

    def allows(self, category: str, subject: str = EVERYONE) -> bool:
        """Whether data of ``category`` about ``subject`` (a member id, HOUSEHOLD or EVERYONE) may go out."""
        if category in self.law:
            return True
        mine = self.covered.get(category)
        if not mine:
            return False
        if subject == EVERYONE:
            return all(m in mine for m in self.members)
        if subject == HOUSEHOLD:
            return all(m in mine for m in self.adults)
        return subject in mine

    def disclosures(self) -> tuple[Disclosure, ...]:
        """Every category with a basis (law, or some consent), with the flow and consents relied on."""
        out = []
        for category in sorted(c.value for c in _CATEGORIES):
            if category in self.law:
                code, flow = self.law[category]
                out.append(Disclosure(category, "law", code, self.policy.territory.citation(flow["legal_basis"])))
            elif category in self.covered:
                code, flow = self.consent_flows[category]
                mine = self.covered[category]
                members = tuple(m for m in self.members if m in mine)
                out.append(Disclosure(category, "consent", code, self.policy.territory.citation(flow["legal_basis"]),
                                      consents=tuple(mine[m] for m in members), members=members,
                                      whole=len(members) == len(self.members)))
        return tuple(out)

    def withheld(self, path: str, category: str, subject: str = EVERYONE) -> Withheld:
        """The record of a withheld item, with its reason in Italian and English."""
        kind = subject if subject in (EVERYONE, HOUSEHOLD) else "member"
        reasons = self._reasons.get((category, kind))
        if reasons is None:
            reasons = self._reasons[category, kind] = self._reason(category, kind)
        return Withheld(path, reasons[0], reasons[1], reasons[2])

    def _reason(self, category: str, subject: str) -> tuple[str, str, str]:
        consent = self.policy.needs_consent(category, self.recipient, self.purpose)
        label = (self.policy.recipients.get(self.recipient) or {}).get("label")
        recipient = (label.get("it", self.recipient), label.get("en", self.recipient)) if isinstance(label, Mapping) \
            else (self.recipient, self.recipient)
        return _withheld_reason(category, subject if consent else None, recipient, self.purpose.value,
                                self.on.isoformat())

    def not_disclosed(self) -> tuple[Withheld, ...]:
        """Every category the recipient may not receive for the whole case (independent of the data)."""
        if self._not_disclosed is None:
            self._not_disclosed = tuple(self.withheld("*", c) for c in _CATEGORIES if not self.allows(c))
        return self._not_disclosed


@functools.lru_cache(maxsize=4096)
def _withheld_reason(category: str, subject: str | None, recipient: tuple[str, str], purpose: str,
                     day: str) -> tuple[str, str, str]:
    """
    Why an item is withheld, in Italian and English: ``subject`` None when no basis exists at
    all, else whose consent is missing (EVERYONE, HOUSEHOLD or a member). The same few texts
    recur across a batch: built once each.
    """
    cat = DataCategory(category)
    if subject is None:
        why = Message("without a legal basis")
    elif subject == EVERYONE:
        why = Message("without a valid consent of every member")
    elif subject == HOUSEHOLD:
        why = Message("without a valid consent of every adult member")
    else:
        why = Message("without a valid consent of the data subject")
    text = Message("{category}: not disclosed to the recipient ({recipient}) for the purpose “{purpose}” {why}"
                   " on {day}",
                   category={"it": cat.label_it, "en": code_text("category", cat.value, "en")},
                   recipient={"it": recipient[0], "en": recipient[1]}, purpose=code_message("purpose", purpose),
                   why=why, day=day)
    return cat.value, text.text("it"), text.text("en")


def _may_consent(subject: _Member, consent: Any) -> bool:
    """A minor (on the day the consent was given) consents only through a legal representative."""
    return consent.representative is not None or not subject.minor_on(consent.given_on)


def _subject_of(item: Any, parent: str) -> str:
    """Whose data an item of the case is: a member's own data, a need of one member, or the parent's."""
    if isinstance(item, _Member):
        return item.id
    if isinstance(item, Need):
        return item.member or HOUSEHOLD
    return parent


class _Walk:
    """One view being built: the grants of the recipient, and what was withheld."""

    def __init__(self, grants: Grants, territory: Territory, converter: cattrs.Converter) -> None:
        self.grants = grants
        self.territory = territory
        self.converter = converter
        self.withheld: list[Withheld] = []
        self.refusing: str | None = None  # the receiving service of the referral whose answer is being walked

    def allows(self, category: str, subject: str = EVERYONE) -> bool:
        return self.grants.allows(category, subject)

    def first_withheld(self, categories: Iterable[str], subject: str) -> str | None:
        """
        Of an item of several categories, the one it is withheld for (None: none, it is shown):
        first one no flow gives the recipient at all, then one a consent would open; so that a
        consent given or withdrawn for another category never changes what the record says.
        """
        bad = [c for c in categories if not self.allows(c, subject)]
        never = [c for c in bad if c not in self.grants.law and c not in self.grants.consent_flows]
        found = never or bad
        return found[0] if found else None

    def withhold(self, path: str, category: str, subject: str = EVERYONE) -> None:
        self.withheld.append(self.grants.withheld(path, category, subject))

    # ---------------------------------------------------------------- case walk

    def obj(self, value: Any, path: str, parent: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for a in attrs.fields(type(value)):
            category = a.metadata[CATEGORY_KEY]
            item = getattr(value, a.name)
            here = f"{path}.{a.name}"
            # whose data the field is: its holder's, or the household's (whom a member looks after)
            subject = HOUSEHOLD if a.metadata.get(SUBJECT_KEY) == HOUSEHOLD_SUBJECT else parent
            if isinstance(category, BY_CODE):
                if isinstance(item, tuple):  # the list itself is case-management data; its items coded
                    if self.allows(DataCategory.PROCESS, subject):
                        out[a.name] = self.coded_items(item, category, here, subject)
                    else:
                        self.withhold(here, DataCategory.PROCESS, subject)
                        out[a.name] = None
                    continue
                if category is not BY_CODE.SERVICES or item is None:
                    # a field inside an item already admitted by its code
                    out[a.name] = self.converter.unstructure(item)
                    continue
                category = self.territory.data_category(category.value, item)
            if not self.allows(category, subject):
                self.withhold(here, category, subject)
                out[a.name] = None  # the key stays: its absence would depend on the data
                continue
            if a.name == "code" and isinstance(value, ReferralResponse | CaseEvent):
                # a refusal code may reveal by its meaning ("not in charge of the services", the SerD
                # among them): gated by what every code of the refusing service reveals, never by the
                # code recorded, so that a withheld code says nothing of which one it was
                service = self.refusing if isinstance(value, ReferralResponse) else None
                bad = next((c for c in self.territory.refusal_code_categories(service)
                            if not self.allows(c, subject)), None)
                if bad is not None:
                    self.withhold(here, bad, subject)
                    out[a.name] = None
                    continue
            if isinstance(item, ReferralResponse) and isinstance(value, Referral):
                self.refusing = value.to_service  # the service whose refusal codes the answer may carry
            out[a.name] = self.value(item, here, subject)
        return out

    def value(self, item: Any, path: str, subject: str) -> Any:
        if isinstance(item, CareLoad):
            # a care load with nothing left to show is no care load: shown as null, the same as
            # for a member with none, so a withheld grade (whom a member looks after) cannot show
            # through the object's presence
            shown = self.obj(item, path, subject)
            return shown if any(shown.values()) else None
        if attrs.has(type(item)):
            return self.obj(item, path, _subject_of(item, subject))
        if isinstance(item, tuple) and item and attrs.has(type(item[0])):
            out = []
            for i, x in enumerate(item):
                mine = _subject_of(x, subject)
                gate = self.gate(x)
                if gate is not None and not self.allows(gate, mine):
                    # the item exists only with what it records: withheld whole, like a coded item
                    self.withhold(f"{path}[{i}]", gate, mine)
                    continue
                out.append(self.obj(x, f"{path}[{i}]", mine))
            return out
        return self.converter.unstructure(item)

    def gate(self, item: Any) -> str | None:
        """The category an item of a list is admitted by, when not its list's: a history event
        recording an intervention is data of that intervention's category (a socio-therapeutic
        placement done is health data)."""
        if isinstance(item, CaseEvent) and item.intervention is not None:
            return self.territory.data_category("interventions", item.intervention)
        return None

    def coded_items(self, items: tuple[Any, ...], by: BY_CODE, path: str, subject: str) -> list[Any]:
        kept: list[Any] = []
        for i, item in enumerate(items):
            if isinstance(item, str):  # a plain code (a member's services): the item is its code
                category = self.territory.data_category(by.value, item)
                if self.allows(category, subject):
                    kept.append(item)
                else:
                    self.withhold(f"{path}[{i}]", category, subject)
                continue
            mine = _subject_of(item, subject)
            if by is BY_CODE.SCORES:
                # the answers to an instrument are what its items are (every category they give,
                # whatever the answers): the record is withheld whole where one may not flow
                withheld = self.first_withheld(self.territory.score_categories(item.instrument), mine)
                if withheld is None:
                    kept.append(self.obj(item, f"{path}[{i}]", mine))
                else:
                    self.withhold(f"{path}[{i}]", withheld, mine)
                continue
            category = self.territory.data_category(by.value, _code_of(item, by))
            if self.allows(category, mine):
                kept.append(self.obj(item, f"{path}[{i}]", mine))
            else:
                self.withhold(f"{path}[{i}]", category, mine)
        return kept


def _code_of(item: Any, by: BY_CODE) -> str:
    """The code that gives a coded item its category: a dimension, a referral's receiving
    service, a signature's party, or the item's code."""
    if by is BY_CODE.DIMENSIONS:
        return str(item.dimension)
    if by is BY_CODE.SERVICES:
        return str(item.to_service if isinstance(item, Referral) else item.party)
    return str(item.code)


def _walk(territory: Territory, case: Case, recipient: Recipient, purpose: Purpose, at: dt.datetime,
          converter: cattrs.Converter) -> _Walk:
    day = disclosure_day(at)
    grants = Policy.on(territory, day).grants(case, recipient.kind, purpose, day)
    return _Walk(grants, territory, converter)


def view_case(case: Case, territory: Territory, recipient: Recipient, purpose: Purpose, as_of: dt.date,
              converter: cattrs.Converter, *, at: dt.datetime) -> View:
    """The view of a case for a recipient and purpose, consents judged at ``at`` (pure: no audit)."""
    walk = _walk(territory, case, recipient, purpose, at, converter)
    data = walk.obj(case, "$", HOUSEHOLD)
    return View(case_id=case.id, territory=territory.id, recipient=recipient, purpose=purpose, as_of=as_of,
                data=data, disclosed=walk.grants.disclosures(), withheld=tuple(walk.withheld),
                not_disclosed=walk.grants.not_disclosed(), at=at)


_PROFILE_PARTS = ("occupability", "complexity", "activability", "pathway")
FLAG_RULE = "profilo.flag."


def _first_bad(walk: _Walk, categories: Iterable[str]) -> str | None:
    """The first category that may not be disclosed for the whole case (None: all may)."""
    return next((c for c in categories if not walk.allows(c)), None)


def _keep(walk: _Walk, items: Iterable[T], path: str, reason_of: Callable[[T], Reason]) -> tuple[T, ...]:
    """The items whose reason may be disclosed; the others are withheld at their index."""
    kept = []
    for i, item in enumerate(items):
        bad = _first_bad(walk, reason_of(item).categories)
        if bad is None:
            kept.append(item)
        else:
            walk.withhold(f"{path}[{i}]", bad)
    return tuple(kept)


def _same(reason: Reason) -> Reason:
    return reason


def _view_profile(walk: _Walk, decision: ProfileDecision, masked: list[str]) -> ProfileDecision:
    """
    Flags, grades and pathway are shown only if every category their rule may read may be:
    "complexity alta" from a rule that may read addiction data would reveal it.
    """
    profile = decision.profile
    flags = []
    for i, flag in enumerate(profile.flags):
        cats = profile.derived_from.get(f"flag.{flag}") or tuple(
            c for r in decision.reasons if r.rule == FLAG_RULE + flag for c in r.categories)
        bad = _first_bad(walk, cats)
        if bad is None:
            flags.append(flag)
        else:
            walk.withhold(f"$.profile.profile.flags[{i}]", bad)
    parts: dict[str, Any] = {"flags": tuple(flags), "derived_from": {}}
    for name in _PROFILE_PARTS:
        bad = _first_bad(walk, profile.derived_from.get(name, ()))
        if bad is not None:
            parts[name] = NOT_DISCLOSED if name == "pathway" else None
            walk.withhold(f"$.profile.profile.{name}", bad)
            masked.append(f"$.profile.profile.{name}")
    return attrs.evolve(decision, profile=attrs.evolve(profile, **parts),
                        reasons=_keep(walk, decision.reasons, "$.profile.reasons", _same))


def _view_routing(walk: _Walk, routing: Routing, masked: list[str]) -> Routing:
    """Where the case goes, masked whole when one of its reasons may not be shown: it would reveal why."""
    kept = _keep(walk, routing.reasons, "$.routing.reasons", _same)
    if len(kept) == len(routing.reasons):
        return routing
    walk.withhold("$.routing", _first_bad(walk, (c for r in routing.reasons for c in r.categories)) or "records")
    masked.append("$.routing")
    return Routing(outcome=RoutingOutcome.NON_COMUNICATO, service=None, channel=NOT_DISCLOSED, deadline=None,
                   reasons=kept, alternatives=())


def _view_equipe(walk: _Walk, equipe: Equipe, masked: list[str]) -> Equipe:
    """
    The equipe, masked whole (format, modes, household, members) when the reason for its
    format may not be shown: "allargata", or who sits in it, would reveal why it was chosen.
    """
    reasons = _keep(walk, equipe.reasons, "$.equipe.reasons", _same)
    if len(reasons) == len(equipe.reasons):
        return attrs.evolve(equipe, reasons=reasons,
                            members=_keep(walk, equipe.members, "$.equipe.members", lambda m: m.reason))
    bad = _first_bad(walk, (c for r in equipe.reasons for c in r.categories)) or "records"
    walk.withhold("$.equipe.format", bad)
    for i, _member in enumerate(equipe.members):
        walk.withhold(f"$.equipe.members[{i}]", bad)
    masked.append("$.equipe")
    return Equipe(format=NOT_DISCLOSED, label=NOT_DISCLOSED, household_takes_part=None, modes=(), members=(),
                  reasons=reasons)


def _view_placements(walk: _Walk, placements: tuple[Placement, ...], territory: Territory,
                     recipient: Recipient) -> tuple[Placement, ...]:
    """
    The placements a recipient may see: each withheld whole when one of its reasons may not be
    shown (its presence tells what it was matched on). A recipient that names one of the
    territory's enterprises (``Recipient.service``) sees only that enterprise's placements:
    the others are not addressed to it, whatever the data (not withheld for a category); an
    enterprise the registry does not know, or none named, sees none.
    """
    enterprises = territory.section("enterprises", "entries")
    mine = recipient.service if recipient.service in enterprises else None
    if recipient.kind == "impresa" and mine is None:
        return ()  # an enterprise the registry does not know (or none named) is addressed no placement
    kept = []
    for i, placement in enumerate(placements):
        if mine is not None and placement.enterprise != mine:
            continue
        bad = _first_bad(walk, (c for r in placement.reasons for c in r.categories))
        if bad is None:
            kept.append(placement)
        else:
            walk.withhold(f"$.placements[{i}]", bad)
    return tuple(kept)


def view_result(result: Result, case: Case, territory: Territory, recipient: Recipient, purpose: Purpose,
                converter: cattrs.Converter, *, at: dt.datetime) -> View:
    """
    The view of a pipeline result for a recipient: each reason is kept only if every data
    category its rule may read may be disclosed for the whole case; an equipe member,
    intervention, deadline, problem, score or profile flag whose reason is withheld is withheld
    with it (its presence would reveal the data); a grade, the pathway, the routing, the
    equipe and an eligibility decided by such a rule are masked.
    """
    walk = _walk(territory, case, recipient, purpose, at, converter)
    masked: list[str] = []
    profile = _view_profile(walk, result.profile, masked)
    routing = _view_routing(walk, result.routing, masked)
    equipe = _view_equipe(walk, result.equipe, masked)
    measures = []
    if walk.allows(DataCategory.ECONOMIC):
        for i, measure in enumerate(result.measures):
            kept = _keep(walk, measure.reasons, f"$.measures[{i}].reasons", _same)
            eligible = measure.eligible
            if len(kept) < len(measure.reasons):  # eligibility decided by withheld data would reveal it
                walk.withhold(f"$.measures[{i}].eligible",
                              _first_bad(walk, (c for r in measure.reasons for c in r.categories)) or "records")
                masked.append(f"$.measures[{i}].eligible")
                eligible = None
            # the outcome says what eligible says (and whether data lack): masked with it
            outcome = None if len(kept) < len(measure.reasons) else measure.outcome
            measures.append(attrs.evolve(measure, reasons=kept, eligible=eligible, outcome=outcome))
    else:
        for i, _m in enumerate(result.measures):
            walk.withhold(f"$.measures[{i}]", DataCategory.ECONOMIC)
    interventions = _keep(walk, result.interventions, "$.interventions", lambda r: r.reason)
    not_proposed = _keep(walk, result.not_proposed, "$.not_proposed", lambda r: r.reason)
    deadlines = _keep(walk, result.deadlines, "$.deadlines", lambda d: d.reason)
    problems = _keep(walk, result.project_problems, "$.project_problems", lambda p: p.reason)
    # a score tells what its items are (every category they give): withheld whole where one may not flow
    scores = _keep(walk, result.scores, "$.scores", lambda s: s.reason)
    network = result.network
    if network is not None and (bad := _first_bad(walk, network.reason.categories)) is not None:
        walk.withhold("$.network", bad)  # the ambito reveals where the household lives
        network = None
    placements = _view_placements(walk, result.placements, territory, recipient)
    shown: list[DecidedBy | None] = [profile.decided_by, routing.decided_by, equipe.decided_by]
    shown += [x.decided_by for x in (*interventions, *not_proposed)]
    shown += [x.decided_by for x in deadlines]
    shown += [x.decided_by for x in problems]
    shown += [x.decided_by for x in measures]
    plugins = tuple(sorted({d for d in shown if d is not None}, key=lambda d: (d.plugin, d.version)))
    filtered = attrs.evolve(
        result, profile=profile, routing=routing, equipe=equipe, interventions=interventions, deadlines=deadlines,
        measures=tuple(measures), project_problems=problems, not_proposed=not_proposed, network=network,
        scores=scores, placements=placements, provenance=attrs.evolve(result.provenance, plugins=plugins),
    )
    return View(case_id=case.id, territory=territory.id, recipient=recipient, purpose=purpose, as_of=result.as_of,
                data=converter.unstructure(filtered), disclosed=walk.grants.disclosures(),
                withheld=tuple(walk.withheld), not_disclosed=walk.grants.not_disclosed(), at=at,
                masked=tuple(masked), kind="result", result=filtered)


def view_document(case: Case, document: Mapping[str, Any], categories: Mapping[str, str], territory: Territory,
                  recipient: Recipient, purpose: Purpose, as_of: dt.date, converter: cattrs.Converter, *,
                  at: dt.datetime) -> View:
    """
    The view of a plugin's document: each top-level key kept only if its category may flow
    for the whole case (a withheld key stays, ``null``).
    """
    walk = _walk(territory, case, recipient, purpose, at, converter)
    data: dict[str, Any] = {}
    for key, value in document.items():
        category = categories[key]
        if walk.allows(category):
            data[key] = value
        else:
            walk.withhold(f"$.{key}", category)
            data[key] = None
    kinds = set(categories.values())  # what the document may carry, whatever it holds
    return View(case_id=case.id, territory=territory.id, recipient=recipient, purpose=purpose, as_of=as_of,
                data=data, disclosed=tuple(d for d in walk.grants.disclosures() if d.category in kinds),
                withheld=tuple(walk.withheld), not_disclosed=walk.grants.not_disclosed(), at=at, kind="document")

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
