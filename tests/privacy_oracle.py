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
SRC = {"kind": "default", "document": "test", "section": "privacy_oracle"}
LAW = {"kind": "law", "document": "D.Lgs. 147/2017", "section": "art. 21"}
CONSENT_RULE = {"kind": "law", "document": "Reg. UE 2016/679", "section": "art. 9 par. 2 lett. a"}
CATEGORIES = tuple(c.value for c in DataCategory)

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
        "privacy": {
            "recipients": {r: {"label": {"it": f"Destinatario {r}", "en": f"Recipient {r}"}, "source": SRC}
                           for r in RECIPIENTS},
            "flows": {
                code: {"recipient": r, "purpose": p, "categories": list(cats), "basis": b,
                       "legal_basis": LAW if b == "law" else CONSENT_RULE, "source": SRC}
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


def consent_valid(consent: Consent, day: dt.date) -> bool:
    """Valid from given_on, through expires_on, until the day before withdrawn_on."""
    return (consent.given_on <= day
            and (consent.expires_on is None or day <= consent.expires_on)
            and (consent.withdrawn_on is None or day < consent.withdrawn_on))


def covering(consents: Iterable[Consent], category: str, kind: str, purpose: Purpose, day: dt.date) -> list[str]:
    """The ids of the consents that cover a category, recipient kind and purpose on a day."""
    return [c.id for c in consents
            if consent_valid(c, day) and category in c.categories and kind in c.recipients and purpose in c.purposes]


def allowed_categories(territory: Territory, case: Case, kind: str, purpose: Purpose, day: dt.date) -> set[str]:
    """The categories with a law flow, or a consent flow and a consent valid on ``day`` covering them."""
    out: set[str] = set()
    for flow in territory.section("privacy", "flows").values():
        if flow["recipient"] != kind or flow["purpose"] != purpose.value:
            continue
        for category in flow["categories"]:
            if flow["basis"] == "law" or covering(case.consents, category, kind, purpose, day):
                out.add(category)
    return out


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
    return str(item["dimension"] if by == "dimensions" else item["code"])


def check_case_view(territory: Territory, case: Case, view: View, allowed: set[str],  # noqa: PLR0915 - one walk, read against the schema
                    full: Mapping[str, Any]) -> dict[str, str]:
    """
    Check a case view field by field against the full case; return the disclosed paths and
    their categories (paths with the full case's list indices).

    A field is in the view iff its category is allowed (and its parent is in the view); a
    coded item likewise by its configured category; every value shown equals the case's;
    the withheld list is exactly the fields and items left out, with their categories.
    """
    disclosed: dict[str, str] = {}
    expected: dict[str, str] = {}

    def walk(orig: Mapping[str, Any], shown: Mapping[str, Any], defname: str, path: str) -> None:
        body = DEFS[defname]
        assert set(shown) <= set(body["properties"]), f"{path}: keys not in the schema {set(shown) - set(body)}"
        for name, prop in body["properties"].items():
            here = f"{path}.{name}"
            category = prop["x-category"]
            ref, many = target(prop)
            value = orig[name]
            if isinstance(category, dict):
                by = category["from-configuration"]
                if not many and (by != "services" or value is None):  # inside an item admitted by its code
                    assert shown[name] == value, f"{here}: altered"
                    continue
                if not many:  # a service id: its own configured category
                    cat = code_category(territory, by, value)
                    if cat in allowed:
                        assert shown[name] == value, f"{here}: altered"
                        disclosed[here] = cat
                    else:
                        assert name not in shown, f"LEAK: {here} ({cat}) shown without a basis"
                        expected[here] = cat
                    continue
                assert ref is not None
                if "process" not in allowed:  # the list itself is case-management data
                    assert name not in shown, f"LEAK: {here} (process) shown without a basis"
                    expected[here] = "process"
                    continue
                disclosed[here] = "process"
                kept = 0
                for i, item in enumerate(value):
                    cat = code_category(territory, by, code_of(by, item))
                    if cat in allowed:
                        disclosed[f"{here}[{i}]"] = cat
                        walk(item, shown[name][kept], ref, f"{here}[{i}]")
                        kept += 1
                    else:
                        expected[f"{here}[{i}]"] = cat
                assert len(shown[name]) == kept, f"{here}: {len(shown[name])} items shown, {kept} allowed"
                continue
            if category not in allowed:
                assert name not in shown, f"LEAK: {here} ({category}) shown without a basis"
                expected[here] = category
                continue
            assert name in shown, f"SILENT DROP: {here} ({category}) allowed but neither shown nor withheld"
            disclosed[here] = category
            if ref is None or value is None:
                assert shown[name] == value, f"{here}: altered"
            elif many:
                assert len(shown[name]) == len(value), f"{here}: items lost"
                for i, item in enumerate(value):
                    walk(item, shown[name][i], ref, f"{here}[{i}]")
            else:
                walk(value, shown[name], ref, here)

    walk(full, view.data, "Case", "$")
    withheld = {w.path: w.category for w in view.withheld}
    assert len(withheld) == len(view.withheld), "a path withheld twice"
    assert withheld == expected, f"withheld {withheld} != expected {expected}"
    for w in view.withheld:
        assert w.reason_it and w.reason_en and view.recipient.kind in w.reason_it
    check_disclosures(territory, case, view, allowed, set(disclosed.values()))
    return disclosed


def check_disclosures(territory: Territory, case: Case, view: View, allowed: set[str], shown: set[str]) -> None:
    """Each category shown has one disclosure with the right basis: law when a law flow lists it, else a consent."""
    law = law_categories(territory, view.recipient.kind, view.purpose)
    by_category = {d.category: d for d in view.disclosed}
    assert len(by_category) == len(view.disclosed), "a category disclosed twice"
    assert shown <= set(by_category), f"shown without a recorded basis: {shown - set(by_category)}"
    assert set(by_category) <= allowed, f"disclosed without a basis: {set(by_category) - allowed}"
    flows = territory.section("privacy", "flows")
    for d in view.disclosed:
        flow = flows[d.flow]
        assert flow["recipient"] == view.recipient.kind and flow["purpose"] == view.purpose.value
        assert d.category in flow["categories"] and flow["basis"] == d.basis
        if d.category in law:
            assert d.basis == "law" and d.consent is None
        else:
            assert d.basis == "consent"
            assert d.consent in covering(case.consents, d.category, view.recipient.kind, view.purpose, view.as_of)


def topmost(paths: Mapping[str, str], category: str) -> set[str]:
    """The paths of a category with no ancestor of the same category."""
    mine = {p for p, c in paths.items() if c == category}
    return {p for p in mine if not any(p != q and p.startswith((q + ".", q + "[")) for q in mine)}


# --------------------------------------------------------------------------- result views

FLAG = "profilo.flag."


def check_result_view(result: Result, view: View, allowed: set[str], to_json: Callable[[Any], Any]) -> None:  # noqa: PLR0915
    """
    Check a result view: no reason shown uses a category outside ``allowed``; each item
    whose reason may not be shown (equipe member, intervention, deadline, problem, profile
    flag), each such reason, and every measure when economic data may not flow, is left
    out and listed in withheld at its path; everything else is shown unchanged.
    """

    def bad(reason: Reason) -> set[str]:
        return set(reason.categories) - allowed

    expected: dict[str, set[str]] = {}

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
        b = set().union(*(bad(r) for r in profile.reasons if r.rule == FLAG + flag))
        if b:
            expected[f"$.profile.profile.flags[{i}]"] = b
        else:
            flags.append(flag)

    def same(r: Reason) -> Reason:
        return r

    data = view.data
    assert data["profile"]["profile"]["flags"] == flags
    # a grade or the pathway is masked when a reason that decided it may not flow
    for name in ("occupability", "complexity", "activability", "pathway"):
        b = set(profile.profile.derived_from.get(name, ())) - allowed
        original = to_json(profile.profile)[name]
        if b:
            expected[f"$.profile.profile.{name}"] = b
            assert data["profile"]["profile"][name] == ("non_comunicato" if name == "pathway" else None)
        else:
            assert data["profile"]["profile"][name] == original
    # the routing's destination is masked when one of its reasons may not flow
    routing_json = to_json(result.routing)
    if any(bad(r) for r in result.routing.reasons):
        assert (data["routing"]["service"], data["routing"]["channel"], data["routing"]["deadline"],
                data["routing"]["alternatives"]) == (None, "non_comunicato", None, [])
    else:
        assert {k: data["routing"][k] for k in ("service", "channel", "deadline", "alternatives")} == {
            k: routing_json[k] for k in ("service", "channel", "deadline", "alternatives")}
    assert data["profile"]["reasons"] == to_json(keep(profile.reasons, "$.profile.reasons", same))
    assert data["routing"]["reasons"] == to_json(keep(result.routing.reasons, "$.routing.reasons", same))
    assert data["equipe"]["members"] == to_json(keep(result.equipe.members, "$.equipe.members", lambda m: m.reason))
    assert data["equipe"]["reasons"] == to_json(keep(result.equipe.reasons, "$.equipe.reasons", same))
    equipe_bad = set().union(*(bad(r) for r in result.equipe.reasons))
    if equipe_bad:  # the format ("allargata") would reveal why it was chosen
        expected["$.equipe.format"] = equipe_bad
        assert (data["equipe"]["format"], data["equipe"]["label"]) == ("non_comunicato", "non_comunicato")
    else:
        assert (data["equipe"]["format"], data["equipe"]["label"]) == (result.equipe.format, result.equipe.label)
    assert data["interventions"] == to_json(keep(result.interventions, "$.interventions", lambda r: r.reason))
    assert data["deadlines"] == to_json(keep(result.deadlines, "$.deadlines", lambda d: d.reason))
    assert data["project_problems"] == to_json(keep(result.project_problems, "$.project_problems", lambda p: p.reason))
    measures = []
    for i, m in enumerate(result.measures):
        measure_bad = set().union(*(bad(r) for r in m.reasons))
        if measure_bad:  # eligibility decided by withheld data would reveal it
            expected[f"$.measures[{i}].eligible"] = measure_bad
        measures.append(attrs.evolve(m, reasons=tuple(keep(m.reasons, f"$.measures[{i}].reasons", same)),
                                     eligible=None if measure_bad else m.eligible))
    if "economic" not in allowed:
        expected.update({f"$.measures[{i}]": {"economic"} for i in range(len(measures))})
        measures = []
    assert data["measures"] == to_json(measures)
    rest = {k: v for k, v in to_json(result).items()
            if k not in ("profile", "routing", "equipe", "interventions", "deadlines", "measures", "project_problems")}
    assert {k: data[k] for k in rest} == rest

    withheld = {w.path: w.category for w in view.withheld}
    assert len(withheld) == len(view.withheld), "a path withheld twice"
    assert set(withheld) == set(expected), f"withheld {sorted(withheld)} != expected {sorted(expected)}"
    for path, category in withheld.items():
        assert category in expected[path], f"{path}: withheld as {category}, not one of {expected[path]}"
    assert_no_reason_beyond(data, allowed)


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
