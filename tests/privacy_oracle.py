"""
An independent oracle for the privacy tests.

* :func:`write_zone` writes a territory layer (``zona_privacy``, extending italia) whose
  recipients, flows and coded categories the tests control, so they hold whatever the
  shipped configurations say.
* :func:`allowed_categories` recomputes, from the compiled flows and the case's consents,
  which categories a recipient may receive for a purpose on a day.
* :func:`check_case_view` and :func:`check_result_view` walk a view next to the full data,
  using the ``x-category`` annotations of the **shipped case schema** (not the code that
  built the view), and fail on any leak, silent drop, altered value or wrong withheld entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from inclusione_core import (
    Case,
    Consent,
    DataCategory,
    Engine,
    Purpose,
    Reason,
    Result,
    Territory,
    View,
    get_plugin_manager,
)
from inclusione_core._schema import load_schema

ZONE = "zona_privacy"
SRC = {"kind": "default", "note": "privacy_oracle"}
LAW = {"document": "dlgs_147_2017", "section": "art. 21"}  # acts of the italia registry
CONSENT_RULE = {"document": "reg_ue_2016_679", "section": "art. 9 par. 2 lett. a"}
CATEGORIES = tuple(c.value for c in DataCategory)
SPECIAL = {c.value for c in DataCategory if c.special}

RECIPIENTS = ("zq_cpi", "zq_serd", "zq_ts", "zq_stat")
UNKNOWN_RECIPIENT = "zq_ignoto"
"""A recipient kind no flow names: it receives nothing."""

# flow id -> (recipient, purpose, basis, categories); overlapping on purpose: a category
# under both law and consent, two consent flows for one recipient and purpose...
FLOWS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "zq_cpi_invio": ("zq_cpi", "referral", "law", ("identity", "work", "education", "process", "household")),
    "zq_cpi_invio_consenso": ("zq_cpi", "referral", "consent", ("health", "social", "housing", "education")),
    "zq_cpi_invio_consenso_bis": ("zq_cpi", "referral", "consent", ("health", "addiction")),
    "zq_cpi_valutazione": ("zq_cpi", "assessment", "law", ("process", "work")),
    "zq_serd_equipe": ("zq_serd", "equipe", "law", ("process", "identity", "household")),
    "zq_serd_equipe_consenso": ("zq_serd", "equipe", "consent",
                                ("addiction", "mental_health", "health", "identity", "records")),
    "zq_serd_monitoraggio": ("zq_serd", "monitoring", "consent", ("process", "justice", "addiction")),
    "zq_ts_monitoraggio": ("zq_ts", "monitoring", "consent", ("process", "social", "economic", "contact", "work")),
    "zq_ts_equipe": ("zq_ts", "equipe", "law", ("process",)),
    "zq_stat_statistiche": ("zq_stat", "statistics", "law", CATEGORIES),
}
NEED_OF = {c: f"zq_{c}" for c in CATEGORIES}
"""One need code per category, so a test can put data of any category in a case."""
DIMENSIONS = {"zq_casa": "housing", "zq_psi": "mental_health"}
INTERVENTIONS = {"zq_terapia": "health", "zq_tirocinio": "work"}
SCORES: dict[str, dict[str, dict[str, Any]]] = {
    # an instrument whose items give health, social (the default) and, through a need, addiction data
    "zq_screening": {"zq_salute": {"data_category": "health"}, "zq_reti": {},
                     "zq_uso": {"need": NEED_OF["addiction"]}},
    "zq_lavoro": {"zq_impiego": {"data_category": "work"}},
}
"""Scored instruments (``scores``): item code -> what the item declares of its category."""


def consent_only() -> list[tuple[str, Purpose, str]]:
    """(recipient, purpose, category) that only a consent can open (no law flow lists it)."""
    law = {(r, p, c) for r, p, b, cats in FLOWS.values() if b == "law" for c in cats}
    out = {(r, p, c) for r, p, b, cats in FLOWS.values() if b == "consent" for c in cats} - law
    return sorted((r, Purpose(p), c) for r, p, c in out)


def layer() -> dict[str, Any]:
    """The ``zona_privacy`` layer as data."""
    label = {"it": "Prova", "en": "Test"}
    return {
        "id": ZONE, "label": {"it": "Zona di prova privacy", "en": "Privacy test zone"}, "level": "zona",
        "version": "1", "extends": "italia",
        "dimensions": {code: {"label": label, "data_category": cat, "source": SRC} for code, cat in DIMENSIONS.items()},
        "needs": {code: {"label": label, "dimension": "funzionamenti", "data_category": cat, "source": SRC}
                  for cat, code in NEED_OF.items()},
        "interventions": {
            code: {"label": label, "category": "altro", "providers": ["ssp"], "suitable_when": {"need": NEED_OF[cat]},
                   "data_category": cat, "source": SRC}
            for code, cat in INTERVENTIONS.items()
        },
        "scores": {
            code: {"label": label, "source": SRC,
                   "items": {item: {"label": label, "min": 0, "max": 3, "weight": 1, **extra}
                             for item, extra in items.items()},
                   "bands": {"alta": {"label": label, "at_least": [{"valid_from": "2000-01-01", "value": 2,
                                                                     "source": SRC}]}}}
            for code, items in SCORES.items()
        },
        "privacy": {
            "recipients": {r: {"label": {"it": f"Destinatario {r}", "en": f"Recipient {r}"}, "source": SRC}
                           for r in RECIPIENTS},
            "flows": {
                code: {"recipient": r, "purpose": p, "categories": list(cats), "basis": b,
                       "legal_basis": LAW if b == "law" else CONSENT_RULE, "source": SRC,
                       # special categories by law must be acknowledged (issue 10)
                       **({"override": True} if b == "law" and set(cats) & SPECIAL else {})}
                for code, (r, p, b, cats) in FLOWS.items()
            },
        },
    }


def write_zone(root: Path) -> Path:
    """Write ``<root>/zona_privacy/territory.yaml``; returns ``root`` (a configuration directory)."""
    folder = root / ZONE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "territory.yaml").write_text(yaml.safe_dump(layer(), allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")
    return root


def zone_engine(root: Path, **kw: Any) -> Engine:
    """A core-only engine (no installed plugins) that knows ``zona_privacy`` under ``root``."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root], **kw)


class CountingLog:
    """An audit log that keeps only the number of records and the last one (10,000-example runs)."""

    def __init__(self) -> None:
        self.count = 0
        self.last: Any = None

    def append(self, record: Any) -> None:
        """Count one record."""
        self.count += 1
        self.last = record

    def records(self, case_id: str | None = None) -> list[Any]:
        """The last record only (enough for the property tests)."""
        return [] if self.last is None or (case_id and self.last.case_id != case_id) else [self.last]


# --------------------------------------------------------------------------- what may flow

HOUSEHOLD = "<household>"
EVERYONE = "<everyone>"


def consent_valid(consent: Consent, day: dt.date) -> bool:
    """Valid from given_on, through expires_on, until the day before withdrawn_on."""
    return (consent.given_on <= day
            and (consent.expires_on is None or day <= consent.expires_on)
            and (consent.withdrawn_on is None or day < consent.withdrawn_on))


def _age(born: dt.date | None, day: dt.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def may_consent(case: Case, consent: Consent) -> bool:
    """The subject is a member, and consented as an adult or through a representative."""
    member = next((m for m in case.household.members if m.id == consent.member), None)
    if member is None:
        return False
    age = _age(member.birth_date, consent.given_on)
    return consent.representative is not None or age is None or age >= 18


def covering(consents: Iterable[Consent], category: str, kind: str, purpose: Purpose, day: dt.date) -> list[str]:
    """The ids of the consents that cover a category, recipient kind and purpose on a day."""
    return [c.id for c in consents
            if consent_valid(c, day) and category in c.categories and kind in c.recipients and purpose in c.purposes]


class Allowed:
    """
    What may flow to a recipient kind for a purpose on a day, recomputed from the flows and
    consents: a category by law, or on consent per data subject (a member; every adult
    for the household's data; every member for a decision of the pipeline).

    ``category in allowed`` asks about a decision of the pipeline (every member).
    """

    def __init__(self, territory: Territory, case: Case, kind: str, purpose: Purpose, day: dt.date) -> None:
        # the flows in force on the day the data leave (their periods: tests/test_validity.py checks in_force)
        in_force = territory if territory.as_of is not None else territory.in_force(day)
        flows = [f for f in in_force.section("privacy", "flows").values()
                 if f["recipient"] == kind and f["purpose"] == purpose.value]
        self.law = {c for f in flows if f["basis"] == "law" for c in f["categories"]}
        self.on_consent = {c for f in flows if f["basis"] == "consent" for c in f["categories"]} - self.law
        self.members = [m.id for m in case.household.members]
        self.enterprises = set(territory.section("enterprises", "entries"))  # a recipient may name one
        adults = [m.id for m in case.household.members if (a := _age(m.birth_date, day)) is None or a >= 18]
        self.adults = adults or self.members
        self.covered: dict[str, set[str]] = {}
        for consent in case.consents:
            if consent_valid(consent, day) and kind in consent.recipients and purpose in consent.purposes \
                    and may_consent(case, consent):
                for category in consent.categories:
                    if category in self.on_consent:
                        self.covered.setdefault(category, set()).add(consent.member)

    def allows(self, category: str, subject: str = EVERYONE) -> bool:
        """Whether data of the category about the subject may flow."""
        if category in self.law:
            return True
        mine = self.covered.get(category, set())
        if subject == EVERYONE:
            return bool(mine) and set(self.members) <= mine
        if subject == HOUSEHOLD:
            return bool(mine) and set(self.adults) <= mine
        return subject in mine

    def __contains__(self, category: object) -> bool:
        return isinstance(category, str) and self.allows(category)

    def whole(self) -> set[str]:
        """The categories that may flow for the whole case."""
        return {c for c in CATEGORIES if self.allows(c)}


def allowed_categories(territory: Territory, case: Case, kind: str, purpose: Purpose, day: dt.date) -> Allowed:
    """What may flow (see :class:`Allowed`)."""
    return Allowed(territory, case, kind, purpose, day)


def law_categories(territory: Territory, kind: str, purpose: Purpose) -> set[str]:
    """The categories a law flow gives a recipient kind for a purpose."""
    return {c for f in territory.section("privacy", "flows").values()
            if f["recipient"] == kind and f["purpose"] == purpose.value and f["basis"] == "law"
            for c in f["categories"]}


def code_category(territory: Territory, by: str, code: str) -> str:
    """
    The category of a coded item as documented: the entry's ``data_category``; else a need
    takes its dimension's, a dimension is ``social``, an intervention ``work``; an unknown
    code is ``records`` (special); a known service is ``process`` unless configured, an
    unknown one ``records`` (the household ``process``).
    """
    entry = territory.section(by).get(code)
    if by == "services":
        if entry is None:  # an unknown service could be a SerD under another name; the household is process
            return "process" if code == "nucleo" else "records"
        return str(entry.get("data_category", "process"))
    if entry is None:
        return "records"
    if "data_category" in entry:
        return str(entry["data_category"])
    if by == "needs":
        return code_category(territory, "dimensions", entry["dimension"])
    return "social" if by == "dimensions" else "work"


def code_categories(territory: Territory, by: str, code: str) -> list[str]:
    """
    The categories of a coded item: one, except for a scored instrument's answers, which are
    every category its items give (an item's ``data_category``, else its need's or
    dimension's, else ``social``), in every version; an unknown instrument is ``records``.
    """
    if by != "scores":
        return [code_category(territory, by, code)]
    entry = territory.section("scores").get(code)
    if entry is None:
        return ["records"]
    found = set()
    for version in [entry, *entry.get("_versions", [])]:
        for item in (version.get("items") or {}).values():
            if "data_category" in item:
                found.add(str(item["data_category"]))
            elif "need" in item:
                found.add(code_category(territory, "needs", item["need"]))
            elif "dimension" in item:
                found.add(code_category(territory, "dimensions", item["dimension"]))
            else:
                found.add("social")
    return sorted(found)


# --------------------------------------------------------------------------- the schema walk

SCHEMA = load_schema("case")
DEFS: dict[str, Any] = {"Case": SCHEMA, **SCHEMA["$defs"]}


def target(prop: Mapping[str, Any]) -> tuple[str | None, bool]:
    """The object definition a property holds (``$ref``, optional ``$ref``, array of ``$ref``) and if an array."""
    for branch in (prop, *prop.get("anyOf", ())):
        if "$ref" in branch:
            return branch["$ref"].rsplit("/", 1)[-1], False
        if branch.get("type") == "array" and "$ref" in branch.get("items", {}):
            return branch["items"]["$ref"].rsplit("/", 1)[-1], True
    return None, False


def code_of(by: str, item: Mapping[str, Any]) -> str:
    """The code that gives a coded item its category."""
    if by == "services":  # a referral, coded by the service it was sent to; a signature by its party
        return str(item["to_service"] if "to_service" in item else item["party"])
    if by == "scores":  # a scored instrument's answers, by the instrument
        return str(item["instrument"])
    return str(item["dimension"] if by == "dimensions" else item["code"])


def check_case_view(territory: Territory, case: Case, view: View, allowed: Allowed,  # noqa: PLR0915 - one walk, read against the schema
                    full: Mapping[str, Any]) -> dict[str, str]:
    """
    Check a case view field by field against the full case; return the disclosed paths and
    their categories (paths with the full case's list indices).

    A field is shown iff its category may flow about its subject (and its parent is shown),
    else it is ``null`` (the key stays); a coded item likewise by its configured category,
    else it is left out of its list; every value shown equals the case's; the withheld list
    is exactly the fields and items left out, with their categories.
    """
    disclosed: dict[str, str] = {}
    expected: dict[str, str] = {}

    def subject_of(defname: str, item: Mapping[str, Any], parent: str) -> str:
        if defname == "Member":
            return str(item["id"])
        if defname == "Need":
            return str(item["member"]) if item.get("member") is not None else HOUSEHOLD
        return parent

    def codes(by: str, value: list[str], shown: list[str] | None, here: str, subject: str) -> None:
        """A list of plain codes (a member's services): the list as process data, each code by its category."""
        if not allowed.allows("process", subject):
            assert shown is None, f"LEAK: {here} (process) shown without a basis"
            expected[here] = "process"
            return
        disclosed[here] = "process"
        kept = []
        for i, code in enumerate(value):
            cat = code_category(territory, by, code)
            if allowed.allows(cat, subject):
                disclosed[f"{here}[{i}]"] = cat
                kept.append(code)
            else:
                expected[f"{here}[{i}]"] = cat
        assert shown == kept, f"{here}: {shown} shown, {kept} allowed"

    def revealed(service: str | None) -> list[str]:
        """What the refusal codes of a service (None: of every service) reveal by their meaning."""
        services = territory.section("services")
        chosen = list(services.values()) if service is None else [services.get(service) or {}]
        return sorted({c for svc in chosen for entry in (svc.get("refusal_codes") or {}).values()
                       for c in entry.get("reveals", [])})

    def walk(orig: Mapping[str, Any], shown: Mapping[str, Any], defname: str, path: str,  # noqa: PLR0915
             parent: str, refusing: str | None = None) -> None:
        body = DEFS[defname]
        assert set(shown) == set(body["properties"]), f"{path}: keys {set(shown) ^ set(body['properties'])}"
        for name, prop in body["properties"].items():
            here = f"{path}.{name}"
            category = prop["x-category"]
            ref, many = target(prop)
            value = orig[name]
            # x-subject: data about the household as a whole, whatever item holds it
            subject = HOUSEHOLD if prop.get("x-subject") == "household" else parent
            if isinstance(category, dict) and ref is None and prop.get("type") == "array":
                codes(category["from-configuration"], value, shown[name], here, subject)
                continue
            if isinstance(category, dict):
                by = category["from-configuration"]
                if not many and (by != "services" or value is None):  # inside an item admitted by its code
                    assert shown[name] == value, f"{here}: altered"
                    continue
                if not many:  # a service id: its own configured category
                    cat = code_category(territory, by, value)
                    if allowed.allows(cat, subject):
                        assert shown[name] == value, f"{here}: altered"
                        disclosed[here] = cat
                    else:
                        assert shown[name] is None, f"LEAK: {here} ({cat}) shown without a basis"
                        expected[here] = cat
                    continue
                assert ref is not None
                if not allowed.allows("process", subject):  # the list itself is case-management data
                    assert shown[name] is None, f"LEAK: {here} (process) shown without a basis"
                    expected[here] = "process"
                    continue
                disclosed[here] = "process"
                kept = 0
                for i, item in enumerate(value):
                    cats = code_categories(territory, by, code_of(by, item))
                    mine = subject_of(ref, item, subject)
                    bad = [c for c in cats if not allowed.allows(c, mine)]
                    # withheld for a category no flow gives at all first, then one a consent would open
                    bad.sort(key=lambda c: c in allowed.law or c in allowed.on_consent)
                    if not bad:
                        disclosed[f"{here}[{i}]"] = "|".join(cats)  # an item of several categories: each of them
                        walk(item, shown[name][kept], ref, f"{here}[{i}]", mine)
                        kept += 1
                    else:
                        expected[f"{here}[{i}]"] = bad[0]
                assert len(shown[name]) == kept, f"{here}: {len(shown[name])} items shown, {kept} allowed"
                continue
            if not allowed.allows(category, subject):
                assert shown[name] is None, f"LEAK: {here} ({category}) shown without a basis"
                expected[here] = category
                continue
            if name == "code" and defname in ("ReferralResponse", "CaseEvent"):
                # a refusal code: gated by what every code of the refusing service reveals (an
                # event does not name its service: every service's), whatever the code recorded
                bad = [c for c in revealed(refusing if defname == "ReferralResponse" else None)
                       if not allowed.allows(c, subject)]
                if bad:
                    assert shown[name] is None, f"LEAK: {here} ({bad[0]}) shown without a basis"
                    expected[here] = bad[0]
                    continue
            disclosed[here] = category
            if ref is None or value is None:
                assert shown[name] == value, f"{here}: altered"
            elif many:
                kept = 0
                for i, item in enumerate(value):
                    mine = subject_of(ref, item, subject)
                    # a history event recording an intervention is data of that intervention's category:
                    # withheld whole from a recipient who may not receive it
                    gate = code_category(territory, "interventions", item["intervention"]) \
                        if ref == "CaseEvent" and item.get("intervention") is not None else None
                    if gate is not None and not allowed.allows(gate, mine):
                        expected[f"{here}[{i}]"] = gate
                        continue
                    walk(item, shown[name][kept], ref, f"{here}[{i}]", mine)
                    kept += 1
                assert len(shown[name]) == kept, f"{here}: {len(shown[name])} items shown, {kept} allowed"
            elif ref == "CareLoad" and shown[name] is None:
                # a care load with nothing left to show is shown as null: what it would show is empty
                sub = subject_of(ref, value, subject)
                would = {}
                for key, field_prop in DEFS[ref]["properties"].items():
                    whose = HOUSEHOLD if field_prop.get("x-subject") == "household" else sub
                    would[key] = value[key] if allowed.allows(field_prop["x-category"], whose) else None
                assert not any(would.values()), f"{here}: {would} collapsed to null"
                walk(value, would, ref, here, sub)
            else:
                walk(value, shown[name], ref, here, subject_of(ref, value, subject),
                     orig.get("to_service") if defname == "Referral" else None)

    walk(full, view.data, "Case", "$", HOUSEHOLD)
    withheld = {w.path: w.category for w in view.withheld}
    assert len(withheld) == len(view.withheld), "a path withheld twice"
    assert withheld == expected, f"withheld {withheld} != expected {expected}"
    kind = view.recipient.kind
    named = (territory.section("privacy", "recipients").get(kind) or {}).get("label", {}).get("it", kind)
    for w in view.withheld:  # the reason names the recipient, by its label where one is configured
        assert w.reason_it and w.reason_en and named in w.reason_it
    check_disclosures(territory, case, view, allowed)
    return disclosed


def check_disclosures(territory: Territory, case: Case, view: View, allowed: Allowed) -> None:
    """
    Every category with a basis is listed once, whatever the case holds: by law when a law
    flow lists it, else on the consents of the members covered; ``not_disclosed`` lists
    every category that may not flow for the whole case.
    """
    by_category = {d.category: d for d in view.disclosed}
    assert len(by_category) == len(view.disclosed), "a category disclosed twice"
    expected = allowed.law | set(allowed.covered)
    assert set(by_category) == expected, f"disclosed {sorted(by_category)} != {sorted(expected)}"
    flows = territory.section("privacy", "flows")
    for d in view.disclosed:
        flow = flows[d.flow]
        assert flow["recipient"] == view.recipient.kind and flow["purpose"] == view.purpose.value
        assert d.category in flow["categories"] and flow["basis"] == d.basis
        if d.category in allowed.law:
            assert d.basis == "law" and d.consents == () and d.whole
        else:
            assert d.basis == "consent"
            assert set(d.members) == allowed.covered[d.category]
            assert d.whole == allowed.allows(d.category)
            day = disclosure_day(view)
            for consent_id, member in zip(d.consents, d.members, strict=True):
                # a case the engine refuses may repeat a consent id: the one named is the member's
                given = [c for c in case.consents if c.id == consent_id and c.member == member]
                assert any(consent_valid(c, day) for c in given), f"no valid consent {consent_id} of {member}"
    assert [w.category for w in view.not_disclosed] == [c for c in CATEGORIES if not allowed.allows(c)]


def disclosure_day(view: View) -> dt.date:
    """The day the view was disclosed (the tests' clocks are at noon UTC or thereabouts)."""
    assert view.at is not None
    return view.at.date()


def topmost(paths: Mapping[str, str], category: str) -> set[str]:
    """The paths of a category with no ancestor of the same category (an item of several: ``a|b``)."""
    mine = {p for p, c in paths.items() if category in c.split("|")}
    return {p for p in mine if not any(p != q and p.startswith((q + ".", q + "[")) for q in mine)}


# --------------------------------------------------------------------------- result views

FLAG = "profilo.flag."


def check_result_view(result: Result, view: View, allowed: Allowed, to_json: Callable[[Any], Any]) -> None:  # noqa: PLR0915
    """
    Check a result view against the categories that may flow for the whole case: no reason
    shown uses another; each item whose reason may not be shown (equipe member,
    intervention, deadline, problem, profile flag), each such reason, and every measure
    when economic data may not flow, is left out and listed in withheld at its path; a
    grade, the pathway, the routing, the equipe or an eligibility whose rule may read
    another category is masked (and listed in ``masked``); everything else is unchanged.
    """
    ok = allowed.whole()

    def bad(reason: Reason) -> set[str]:
        return set(reason.categories) - ok

    expected: dict[str, set[str]] = {}
    masked: list[str] = []

    def keep(items: Iterable[Any], path: str, reason_of: Callable[[Any], Reason]) -> list[Any]:
        kept = []
        for i, x in enumerate(items):
            b = bad(reason_of(x))
            if b:
                expected[f"{path}[{i}]"] = b
            else:
                kept.append(x)
        return kept

    profile = result.profile
    flags = []
    for i, flag in enumerate(profile.profile.flags):
        cats = profile.profile.derived_from.get(f"flag.{flag}") or tuple(
            c for r in profile.reasons if r.rule == FLAG + flag for c in r.categories)
        b = set(cats) - ok
        if b:
            expected[f"$.profile.profile.flags[{i}]"] = b
        else:
            flags.append(flag)

    def same(r: Reason) -> Reason:
        return r

    data = view.data
    assert data["profile"]["profile"]["flags"] == flags
    for name in ("occupability", "complexity", "activability", "pathway"):
        b = set(profile.profile.derived_from.get(name, ())) - ok
        original = to_json(profile.profile)[name]
        if b:
            expected[f"$.profile.profile.{name}"] = b
            masked.append(f"$.profile.profile.{name}")
            assert data["profile"]["profile"][name] == ("non_comunicato" if name == "pathway" else None)
        else:
            assert data["profile"]["profile"][name] == original
    assert data["profile"]["reasons"] == to_json(keep(profile.reasons, "$.profile.reasons", same))
    # the routing, masked whole when one of its reasons may not flow
    routing_json = to_json(result.routing)
    kept_routing = keep(result.routing.reasons, "$.routing.reasons", same)
    assert data["routing"]["reasons"] == to_json(kept_routing)
    if len(kept_routing) < len(result.routing.reasons):
        expected["$.routing"] = set().union(*(bad(r) for r in result.routing.reasons))
        masked.append("$.routing")
        assert {k: data["routing"][k] for k in ("outcome", "service", "channel", "deadline", "alternatives")} == {
            "outcome": "non_comunicato", "service": None, "channel": "non_comunicato", "deadline": None,
            "alternatives": []}
    else:
        assert data["routing"] == routing_json
    # the equipe, masked whole (members included) when a reason for its format may not flow
    equipe_bad = set().union(*(bad(r) for r in result.equipe.reasons))
    kept_reasons = keep(result.equipe.reasons, "$.equipe.reasons", same)
    assert data["equipe"]["reasons"] == to_json(kept_reasons)
    if equipe_bad:
        expected["$.equipe.format"] = equipe_bad
        expected.update({f"$.equipe.members[{i}]": equipe_bad for i in range(len(result.equipe.members))})
        masked.append("$.equipe")
        assert (data["equipe"]["format"], data["equipe"]["label"], data["equipe"]["household_takes_part"],
                data["equipe"]["modes"], data["equipe"]["members"]) == ("non_comunicato", "non_comunicato", None, [],
                                                                         [])
    else:
        assert (data["equipe"]["format"], data["equipe"]["label"]) == (result.equipe.format, result.equipe.label)
        assert data["equipe"]["members"] == to_json(keep(result.equipe.members, "$.equipe.members",
                                                         lambda m: m.reason))
    assert data["interventions"] == to_json(keep(result.interventions, "$.interventions", lambda r: r.reason))
    assert data["not_proposed"] == to_json(keep(result.not_proposed, "$.not_proposed", lambda r: r.reason))
    assert data["deadlines"] == to_json(keep(result.deadlines, "$.deadlines", lambda d: d.reason))
    assert data["project_problems"] == to_json(keep(result.project_problems, "$.project_problems", lambda p: p.reason))
    # a score, withheld whole when its reason (every category its items give) may not flow
    assert data["scores"] == to_json(keep(result.scores, "$.scores", lambda s: s.reason))
    measures = []
    if "economic" in ok:
        for i, m in enumerate(result.measures):
            measure_bad = set().union(*(bad(r) for r in m.reasons))
            if measure_bad:  # eligibility decided by withheld data would reveal it
                expected[f"$.measures[{i}].eligible"] = measure_bad
                masked.append(f"$.measures[{i}].eligible")
            measures.append(attrs.evolve(m, reasons=tuple(keep(m.reasons, f"$.measures[{i}].reasons", same)),
                                         eligible=None if measure_bad else m.eligible,
                                         outcome=None if measure_bad else m.outcome))
    else:
        expected.update({f"$.measures[{i}]": {"economic"} for i in range(len(result.measures))})
    assert data["measures"] == to_json(measures)
    # the ambito of the municipality: withheld whole when its reason may not flow (it tells where the household lives)
    if result.network is not None and bad(result.network.reason):
        expected["$.network"] = bad(result.network.reason)
        assert data["network"] is None
    else:
        assert data["network"] == to_json(result.network)
    # a placement at an enterprise: withheld whole when one of its reasons may not flow; a recipient
    # naming an enterprise (Recipient.service) gets only that enterprise's, the others not addressed to it
    firm = view.recipient.service
    placements = []
    for i, placement in enumerate(result.placements):
        if firm in allowed.enterprises and placement.enterprise != firm:
            continue
        placement_bad = set().union(*(bad(r) for r in placement.reasons))
        if placement_bad:
            expected[f"$.placements[{i}]"] = placement_bad
        else:
            placements.append(placement)
    assert data["placements"] == to_json(placements)
    parts = ("profile", "routing", "equipe", "interventions", "not_proposed", "deadlines", "measures",
             "project_problems", "provenance", "network", "scores", "placements")
    rest = {k: v for k, v in to_json(result).items() if k not in parts}
    assert {k: data[k] for k in rest} == rest
    provenance = {k: v for k, v in to_json(result.provenance).items() if k != "plugins"}
    assert {k: v for k, v in data["provenance"].items() if k != "plugins"} == provenance
    assert list(view.masked) == masked

    withheld = {w.path: w.category for w in view.withheld}
    assert len(withheld) == len(view.withheld), "a path withheld twice"
    assert set(withheld) == set(expected), f"withheld {sorted(withheld)} != expected {sorted(expected)}"
    for path, category in withheld.items():
        assert category in expected[path], f"{path}: withheld as {category}, not one of {expected[path]}"
    assert_no_reason_beyond(data, ok)


def assert_no_reason_beyond(data: Any, allowed: set[str], path: str = "$") -> None:
    """No reason anywhere in JSON data uses a category outside ``allowed``."""
    if isinstance(data, dict):
        if "rule" in data and "categories" in data:
            assert set(data["categories"]) <= allowed, f"LEAK: reason at {path} uses {data['categories']}"
        for k, v in data.items():
            assert_no_reason_beyond(v, allowed, f"{path}.{k}")
    elif isinstance(data, list):
        for i, v in enumerate(data):
            assert_no_reason_beyond(v, allowed, f"{path}[{i}]")
