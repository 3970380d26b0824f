"""
Privacy properties (issue 3), each run on 10,000 generated examples in CI.

The views are checked by an independent oracle (``privacy_oracle``): what may flow is
recomputed from the compiled flows and the case's consents, and each view is walked next
to the full case along the ``x-category`` annotations of the shipped case schema. The
territory is a layer written here (``zona_privacy``), so the tests control the flows and
hold whatever the shipped configurations say.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from privacy_oracle import (
    DEFS,
    DIMENSIONS,
    INTERVENTIONS,
    NEED_OF,
    RECIPIENTS,
    SCORES,
    UNKNOWN_RECIPIENT,
    ZONE,
    Allowed,
    CountingLog,
    allowed_categories,
    check_case_view,
    check_result_view,
    consent_only,
    target,
    topmost,
    write_zone,
    zone_engine,
)
from strategies import ITALIA_DIMENSIONS, ITALIA_NEEDS, few, from_model, light_palette, window_dates

from inclusione_core import (
    Assessment,
    Case,
    Consent,
    DataCategory,
    Engine,
    Household,
    InputError,
    InvalidCaseError,
    Need,
    Purpose,
    Recipient,
    Representative,
    RepresentativeRole,
    Result,
    Territory,
    View,
)
from inclusione_core._fields import EXPORT_KEY
from inclusione_core._privacy import pseudonymise, view_case, view_result
from inclusione_core.testing import FixedClock, minimal_case

THOROUGH = settings.get_profile("privacy")
KINDS = (*RECIPIENTS, UNKNOWN_RECIPIENT, "ssp", "cpi", "serd")
"""The zone's recipients, one no flow names, and three whose flows (if any) come from the italia layer."""
PALETTE = light_palette(
    territory=ZONE,
    needs=(*ITALIA_NEEDS, *NEED_OF.values()),
    dimensions=(*ITALIA_DIMENSIONS, *DIMENSIONS),
    interventions=("tirocinio_inclusione", "puc", *INTERVENTIONS),
    recipients=KINDS,
    scores=tuple(SCORES),
)


def _distinct_members(case: Case) -> bool:
    """A case whose members have distinct ids: a repeated id is an input error (``unique``), never disclosed."""
    ids = [m.id for m in case.household.members]
    return len(set(ids)) == len(ids)


CASES = from_model(Case, PALETTE).filter(_distinct_members)
CONSENTS = from_model(Consent, PALETTE)
SMALL_CASES = st.builds(
    lambda household, assessment: minimal_case(territory=ZONE, household=household, assessment=assessment),
    household=from_model(Household, PALETTE), assessment=st.none() | from_model(Assessment, PALETTE),
).filter(_distinct_members)
"""Cases with a household and an assessment only (cheaper: for the withdrawal property)."""
RESULTS = from_model(Result, PALETTE)
QUERY = st.tuples(st.sampled_from(KINDS), st.sampled_from(list(Purpose)), window_dates())


class Zone:
    """The engine (counting its audit records, on a settable clock) and the compiled zone; printed short."""

    def __init__(self, engine: Engine, log: CountingLog, clock: FixedClock) -> None:
        self.engine = engine
        self.territory: Territory = engine.territory(ZONE)
        self.log = log
        self.clock = clock

    def __repr__(self) -> str:
        return f"Zone({self.territory.id})"

    def to_json(self, obj: Any) -> Any:
        """JSON-ready form through the engine's converter."""
        return self.engine.to_json(obj)


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zone]:
    """One compiled ``zona_privacy`` engine for every example of this module."""
    log = CountingLog()
    clock = FixedClock()
    engine = zone_engine(write_zone(tmp_path_factory.mktemp("privacy")), audit=log, clock=clock)
    yield Zone(engine, log, clock)


def disclose(zone: Zone, case: Case, kind: str, purpose: Purpose, day: dt.date) -> View:
    """
    The view of a case disclosed on ``day``: through the engine (one audit record) when the
    case passes the engine's checks; otherwise the engine refuses it (no record) and the
    pure view is checked instead (generated cases may hold unknown codes or repeated ids).
    """
    zone.clock.set(day)
    before = zone.log.count
    try:
        zone.engine.check(case)
        if kind == UNKNOWN_RECIPIENT:  # a recipient the configuration does not provide for: refused
            raise InputError(kind, ())
    except InputError:
        with pytest.raises(InputError):
            zone.engine.disclose_case(case, recipient=kind, purpose=purpose, as_of=day)
        assert zone.log.count == before
        return view_case(case, zone.territory, Recipient(kind), purpose, day, zone.engine.converter, at=zone.clock())
    view = zone.engine.disclose_case(case, recipient=kind, purpose=purpose, as_of=day)
    assert zone.log.count == before + 1
    return view


# --------------------------------------------------------------------------- a. no leak, no silent drop


@THOROUGH
@given(case=CASES, queries=st.lists(QUERY, min_size=1, max_size=3))
def test_a_case_view_shows_exactly_what_a_basis_allows(zone: Zone, case: Case,
                                                       queries: list[tuple[str, Purpose, dt.date]]) -> None:
    """A view shows a field iff a law flow or a consent valid that day covers its category; the rest is withheld."""
    full = zone.to_json(case)
    for kind, purpose, day in queries:
        view = disclose(zone, case, kind, purpose, day)
        allowed = allowed_categories(zone.territory, case, kind, purpose, day)
        check_case_view(zone.territory, case, view, allowed, full)


# --------------------------------------------------------------------------- b. withdrawal


def _with_need(case: Case, category: str) -> Case:
    """The case with one more need, whose configured category is ``category``."""
    need = Need(code=NEED_OF[category])
    assessment = case.assessment or Assessment(date=case.opened_on)
    return attrs.evolve(case, assessment=attrs.evolve(assessment, needs=(*assessment.needs, need)))


@THOROUGH
@given(
    case=SMALL_CASES,
    triple=st.sampled_from(consent_only()),
    consent=CONSENTS,
    others=st.lists(CONSENTS, max_size=1).map(tuple),
    base=st.booleans(),
    valid_days=st.integers(1, 30),
    after=st.integers(0, 400),
    expiry=st.none() | st.integers(0, 400),
)
def test_withdrawing_a_consent_withholds_from_its_date_on(
    zone: Zone, case: Case, triple: tuple[str, Purpose, str], consent: Consent, others: tuple[Consent, ...],
    base: bool, valid_days: int, after: int, expiry: int | None,
) -> None:
    """Data that only a consent opens is shown up to the day before the withdrawal and withheld on and after it."""
    kind, purpose, category = triple
    given_on = consent.given_on
    withdrawn = given_on + dt.timedelta(days=valid_days)
    last = withdrawn - dt.timedelta(days=1)
    consent = attrs.evolve(
        consent, categories=(*consent.categories, DataCategory(category)), recipients=(*consent.recipients, kind),
        purposes=(*consent.purposes, purpose), withdrawn_on=withdrawn,
        expires_on=None if expiry is None else last + dt.timedelta(days=expiry),
        representative=Representative(role=RepresentativeRole.GENITORE, name="g"),  # members may be minors
    )
    members = list(dict.fromkeys(m.id for m in case.household.members))
    if case.assessment is not None:  # a need of someone outside the household has no one to consent for it
        case = attrs.evolve(case, assessment=attrs.evolve(case.assessment, needs=tuple(
            attrs.evolve(n, member=n.member if n.member in members else None) for n in case.assessment.needs)))
    # every member consents (each one's own consent): the household's data and the decisions may then go out
    mine = tuple(attrs.evolve(consent, id=f"{consent.id}-{i}", member=m) for i, m in enumerate(members))
    # no other consent covers the category; an optional base consent of every member opens everything else
    others = tuple(attrs.evolve(c, member=members[0]) for c in others
                   if not (category in c.categories and kind in c.recipients and purpose in c.purposes))
    if base:
        rest = tuple(c for c in DataCategory if c.value != category)
        others = (*others, *(Consent(id=f"base-{i}", member=m, categories=rest, recipients=(kind,),
                                     purposes=(purpose,), given_on=dt.date(2000, 1, 1),
                                     representative=Representative(role=RepresentativeRole.GENITORE, name="g"))
                             for i, m in enumerate(members)))
    case = attrs.evolve(_with_need(case, category), consents=(*others, *mine))
    full = zone.to_json(case)

    def look(day: dt.date) -> tuple[Allowed, dict[str, str], Any]:
        view = disclose(zone, case, kind, purpose, day)
        allowed = allowed_categories(zone.territory, case, kind, purpose, day)
        return allowed, check_case_view(zone.territory, case, view, allowed, full), view

    allowed, shown, view = look(last)
    assert category in allowed
    assert category not in view.categories_withheld()
    (d,) = [d for d in view.disclosed if d.category == category] or [None]
    assert d is None or (d.basis == "consent" and set(d.consents) <= {k.id for k in mine} and d.whole)
    if base:  # everything else stays open: the category's data is shown, then withheld path by path
        assert topmost(shown, category), f"no {category} data shown the day before the withdrawal"
        assert d is not None
    for day in (withdrawn, withdrawn + dt.timedelta(days=after))[: 1 if after == 0 else 2]:
        allowed_after, _shown, after_view = look(day)
        assert category not in allowed_after
        assert category not in {d.category for d in after_view.disclosed}
        if base:
            assert allowed_after.whole() == allowed.whole() - {category}
            gone = {w.path for w in after_view.withheld if w.category == category}
            assert gone == topmost(shown, category), "what was shown the day before is withheld, path by path"


# --------------------------------------------------------------------------- c. pseudonymised exports


def _distinctive(case: Case) -> tuple[Case, set[str]]:
    """
    The case with every identifier and free text (``x-export`` hash or drop) replaced by a
    token found nowhere else (the same value gets the same token) and dates of birth moved
    before any other date; returns the case and the strings no export may contain.
    """
    tokens: dict[str, str] = {}
    secrets: set[str] = set()

    def token(value: str) -> str:
        if value not in tokens:
            tokens[value] = f"ZQ{len(tokens)}x{value}"
        secrets.add(tokens[value])
        return tokens[value]

    def walk(obj: Any) -> Any:
        if isinstance(obj, tuple):
            return tuple(walk(x) for x in obj)
        if not attrs.has(type(obj)):
            return obj
        changes: dict[str, Any] = {}
        for a in attrs.fields(type(obj)):
            value = getattr(obj, a.name)
            how = a.metadata[EXPORT_KEY].value
            if how in ("hash", "drop") and isinstance(value, str):
                changes[a.name] = token(value)
            elif how in ("hash", "drop") and isinstance(value, tuple):
                changes[a.name] = tuple(token(v) for v in value)
            elif how == "drop" and isinstance(value, dict):
                changes[a.name] = {"nota": token("snapshot")}
            elif how == "year" and isinstance(value, dt.date):
                born = dt.date(1900 + value.year % 30, value.month, min(value.day, 28))
                secrets.add(born.isoformat())
                changes[a.name] = born
            else:
                changes[a.name] = walk(value)
        return attrs.evolve(obj, **changes)

    return walk(case), secrets


def export(zone: Zone, case: Case, key: bytes, day: dt.date) -> dict[str, Any]:
    """The statistical export of a case (audited); for a case the engine refuses, the pure pseudonymised view."""
    zone.clock.set(day)
    before = zone.log.count
    try:
        zone.engine.check(case)
    except InvalidCaseError:
        with pytest.raises(InvalidCaseError):
            zone.engine.export_statistics([case], key=key, as_of=day, recipient="zq_stat")
        assert zone.log.count == before
        view = view_case(case, zone.territory, Recipient("zq_stat"), Purpose.STATISTICS, day, zone.engine.converter,
                         at=zone.clock())
        return pseudonymise(view.data, Case, key)
    (record,) = zone.engine.export_statistics([case], key=key, as_of=day, recipient="zq_stat")
    assert zone.log.count == before + 1 and zone.log.last.pseudonymised
    return record


def _hashed(record: Any, defname: str = "Case", path: str = "$") -> Iterator[tuple[str, Any]]:
    """(path, value) of every field marked ``x-export: hash`` in an exported record."""
    for name, prop in DEFS[defname]["properties"].items():
        if name not in record or record[name] is None:
            continue
        value = record[name]
        if prop.get("x-export") == "hash":
            yield from ((f"{path}.{name}[{i}]", v) for i, v in enumerate(value)) if isinstance(value, list) \
                else [(f"{path}.{name}", value)]
            continue
        ref, many = target(prop)
        if ref is None:
            continue
        for i, item in enumerate(value if many else [value]):
            yield from _hashed(item, ref, f"{path}.{name}[{i}]" if many else f"{path}.{name}")


@THOROUGH
@given(case=CASES, day=window_dates(), seeds=st.lists(st.integers(0, 2**32 - 1), min_size=2, max_size=2, unique=True))
def test_pseudonymised_exports_hold_no_direct_identifier(zone: Zone, case: Case, day: dt.date,
                                                         seeds: list[int]) -> None:
    """An export holds no identifier, name, free text or birth date; one pseudonym per identifier, differing by key."""
    keys = [b"chiave-di-prova:" + n.to_bytes(4, "big") for n in seeds]
    case, secrets = _distinctive(case)
    record = export(zone, case, keys[0], day)
    text = json.dumps(record, ensure_ascii=False)
    leaked = sorted(s for s in secrets if s in text)
    assert not leaked, f"LEAK in export: {leaked}"
    assert "ZQ" not in text
    assert [m["birth_date"] for m in record["household"]["members"]] == [
        None if m.birth_date is None else m.birth_date.year for m in case.household.members]

    other = export(zone, case, keys[1], day)
    mine, theirs = dict(_hashed(record)), dict(_hashed(other))
    originals = dict(_hashed(zone.to_json(case)))
    assert set(mine) == set(theirs) == set(originals) and "$.id" in mine
    for path, pseudonym in mine.items():
        assert isinstance(pseudonym, str) and pseudonym.startswith("p-")
        assert pseudonym != theirs[path], f"{path}: same pseudonym under two keys"
    # one identifier, one pseudonym (exports join); two identifiers, two pseudonyms
    pairs = {(originals[p], mine[p]) for p in mine}
    assert len({o for o, _ in pairs}) == len({q for _, q in pairs}) == len(pairs), "pseudonyms do not join"


# --------------------------------------------------------------------------- d. result views


@THOROUGH
@given(result=RESULTS, consents=few(CONSENTS), kind=st.sampled_from(KINDS), purpose=st.sampled_from(list(Purpose)))
def test_a_result_view_shows_no_reason_beyond_what_may_flow(zone: Zone, result: Result,
                                                           consents: tuple[Consent, ...], kind: str,
                                                           purpose: Purpose) -> None:
    """A result view drops, and lists as withheld, each reason using a category not allowed and the item it explains."""
    # the consents of the case's only member (an adult), so that the engine admits the case
    consents = tuple(attrs.evolve(c, id=f"k{i}", member="m1", representative=None,
                                  expires_on=c.expires_on and max(c.expires_on, c.given_on),
                                  withdrawn_on=c.withdrawn_on and max(c.withdrawn_on, c.given_on))
                     for i, c in enumerate(consents))
    case = minimal_case(territory=ZONE, consents=consents)
    result = attrs.evolve(result, case_id=case.id)
    zone.clock.set(result.as_of)
    before = zone.log.count
    if kind == UNKNOWN_RECIPIENT:  # refused before anything is disclosed; the pure view still withholds all
        with pytest.raises(InputError, match="destinatario"):
            zone.engine.disclose_result(result, case, recipient=Recipient(kind), purpose=purpose)
        assert zone.log.count == before
        view = view_result(result, case, zone.territory, Recipient(kind), purpose, zone.engine.converter,
                           at=zone.clock())
    else:
        view = zone.engine.disclose_result(result, case, recipient=Recipient(kind), purpose=purpose)
        assert zone.log.count == before + 1
    allowed = allowed_categories(zone.territory, case, kind, purpose, result.as_of)
    check_result_view(result, view, allowed, zone.to_json)
