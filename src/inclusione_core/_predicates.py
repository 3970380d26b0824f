"""
The small condition language of territory configurations (``when:``, ``suitable_when:``).

A predicate is a one-key mapping (``{need: dipendenze}``, ``{all: [...]}``); the schema
lists them all and ``docs/configuration.md`` documents each. Evaluation returns the truth
value and records the facts it looked at, so every reason can show its inputs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from ._config import Territory, dated_value
from ._models import Case, Profile
from ._scores import score_of
from .i18n import Message


@attrs.frozen
class Unknown:
    """A datum a condition needed and did not find: a stable code and its label for operators."""

    code: str
    label: Message


class Inputs(dict[str, Any]):
    """The facts a rule looked at (JSON-ready), and the data categories they belong to."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories: set[str] = set()
        self.unknown: list[Unknown] = []  # data a rule needed and did not find (the last condition's)

    def lacks(self, code: str, label: Message) -> None:
        """Record that the condition being evaluated needed a datum the case does not give."""
        self.unknown.append(Unknown(code, label))

    def uses(self, *categories: str) -> None:
        """Record that the rule looked at data of these categories."""
        self.categories.update(categories)


@attrs.frozen
class Facts:
    """What a predicate may look at: the case, territory, date, profile and parameters."""

    case: Case
    territory: Territory
    as_of: dt.date
    profile: Profile | None = None
    parameters: Mapping[str, Any] = attrs.field(factory=dict)

    def level(self, dimension: str) -> int:
        """Need level of a dimension in the latest assessment (0 if none)."""
        a = self.case.assessment
        return 0 if a is None else a.level(dimension)

    def needs(self) -> frozenset[str]:
        """Codes of the needs found."""
        a = self.case.assessment
        return frozenset() if a is None else a.need_codes()

    def param(self, name: str) -> float | None:
        """A dated parameter in force on ``as_of`` (from the measure being checked)."""
        values = self.parameters.get(name)
        entry = dated_value(values, self.as_of) if values else None
        return None if entry is None else float(entry["value"])


def _reads_assessment(f: Facts, inputs: Inputs, categories: Iterable[str]) -> None:
    """
    Record the categories a rule reading the assessment may read: none but ``process``
    when the case has no assessment (needs and levels live inside it, and whether there
    is one is case-process data, the same in any two cases that differ only in others).
    """
    inputs.uses(PROCESS)
    if f.case.assessment is not None:
        inputs.uses(*categories)


def _looked_at_needs(codes: Iterable[str], f: Facts, inputs: Inputs) -> list[str]:
    """Record the needs asked about (and their categories); return those the case has."""
    asked = set(codes)
    _reads_assessment(f, inputs, (f.territory.data_category("needs", c) for c in asked))
    found = sorted(f.needs() & asked)
    inputs["bisogni"] = sorted({*inputs.get("bisogni", []), *found})
    return found


def _need(v: str, f: Facts, inputs: Inputs) -> bool:
    return bool(_looked_at_needs([v], f, inputs))


def _any_need(v: list[str], f: Facts, inputs: Inputs) -> bool:
    return bool(_looked_at_needs(v, f, inputs))


def _need_at_least(v: Mapping[str, Any], f: Facts, inputs: Inputs) -> bool:
    """A need of one of ``needs`` recorded with a severity of at least ``severity``."""
    found = _looked_at_needs(v["needs"], f, inputs)
    a = f.case.assessment
    worst = {c: max(n.severity for n in a.needs if n.code == c) for c in found} if a is not None else {}
    for code in found:
        inputs[f"gravita.{code}"] = worst[code]
    inputs["gravita_minima"] = v["severity"]
    return any(s >= v["severity"] for s in worst.values())


def _need_in_dimension(v: list[str], f: Facts, inputs: Inputs) -> bool:
    needs = f.territory.section("needs")
    return bool(_looked_at_needs([n for n in needs if needs[n]["dimension"] in v], f, inputs))


def _dimension_at_least(v: Mapping[str, int], f: Facts, inputs: Inputs) -> bool:
    for dim in v:
        inputs[f"livello.{dim}"] = f.level(dim)
    _reads_assessment(f, inputs, (f.territory.data_category("dimensions", dim) for dim in v))
    return all(f.level(dim) >= lvl for dim, lvl in v.items())


def _dimensions_hit(level: int, f: Facts, inputs: Inputs) -> list[str]:
    dims = f.territory.need_dimensions()
    _reads_assessment(f, inputs, (f.territory.data_category("dimensions", d) for d in dims))
    hit = sorted(d for d in dims if f.level(d) >= level)
    inputs[f"dimensioni_con_livello_>={level}"] = hit
    return hit


def _only_dimensions(v: Mapping[str, Any], f: Facts, inputs: Inputs) -> bool:
    hit = _dimensions_hit(v["at_least"], f, inputs)
    return bool(hit) and set(hit) <= set(v["dimensions"])


def _dimensions_count(v: Mapping[str, Any], f: Facts, inputs: Inputs) -> bool:
    return len(_dimensions_hit(v["level"], f, inputs)) >= int(v["count"])


def _profile_field(name: str) -> Callable[[list[str], Facts, Inputs], bool]:
    def check(v: list[str], f: Facts, inputs: Inputs) -> bool:
        value = None if f.profile is None else getattr(f.profile, name)
        inputs[name] = None if value is None else str(value)
        inputs.uses(*_derived(f, name))
        return value is not None and str(value) in v

    return check


def _flag(v: list[str], f: Facts, inputs: Inputs) -> bool:
    flags = () if f.profile is None else f.profile.flags
    # each flag asked about, set or not ("flags": [] would not say which flag was found unset)
    inputs["flags"] = {**inputs.get("flags", {}), **{code: code in flags for code in v}}
    for code in v:
        inputs.uses(*_derived(f, f"flag.{code}"))
    return bool(set(flags) & set(v))


def _derived(f: Facts, part: str) -> tuple[str, ...]:
    """The categories a part of the profile was decided from (a grade decided by an addiction
    need is addiction data for any rule that looks at it)."""
    if f.profile is None:
        return (PROCESS,)
    return f.profile.derived_from.get(part, (PROCESS,))


def _measure_active(v: list[str], f: Facts, inputs: Inputs) -> bool:
    active = f.case.measures_on(f.as_of)
    inputs["misure_attive"] = sorted(active)
    inputs.uses("economic")
    return bool(active & set(v))


def _access_channel(v: str, f: Facts, inputs: Inputs) -> bool:
    access = f.case.access
    inputs["canale_accesso"] = None if access is None else access.channel.value
    inputs.uses(PROCESS)
    return access is not None and access.channel.value == v


def _access_point_kind(v: list[str], f: Facts, inputs: Inputs) -> bool:
    access = f.case.access
    kind = None if access is None else f.territory.service_kind(access.point)
    inputs["punto_accesso"] = kind
    # The access point is always there when there is an access: its own category (a SerD
    # reveals addiction data) goes with the kind shown, besides those of the kinds asked about.
    inputs.uses(PROCESS, *f.territory.kind_categories(v))
    if access is not None:
        inputs.uses(f.territory.data_category("services", access.point))
    return kind in v


def _from_service_kind(v: list[str], f: Facts, inputs: Inputs) -> bool:
    access = f.case.access
    kind = None if access is None else f.territory.service_kind(access.from_service)
    # The sender is optional: only whether it is one of the kinds asked about is shown, so
    # the rule reads the categories of those kinds only (not the sender's, absent or not).
    inputs["servizio_inviante"] = kind if kind in v else None
    inputs.uses(PROCESS)
    if access is not None:  # no access, no sender: whether there is an access is case-process data
        inputs.uses(*f.territory.kind_categories(v))
    return kind in v


def _in_charge_of(v: list[str], f: Facts, inputs: Inputs) -> bool:
    """
    A member of the household is in charge of a service of one of these kinds (format 2:
    ``Member.services``). Only the kinds asked about that hold are shown, so the rule reads
    the categories of those kinds (followed by the SerD is addiction data), and identity.
    """
    kinds = set(v)
    found = sorted({kind for m in f.case.household.members for sid in m.services
                    if (kind := f.territory.service_kind(sid)) in kinds})
    inputs["servizi_in_carico"] = found
    inputs.uses(PROCESS, "identity", *f.territory.kind_categories(v))
    return bool(found)


def _in_programme(v: list[str], f: Facts, inputs: Inputs) -> bool:
    """
    A member of the household is in one of these programmes on the date (``Member.programmes``).
    The rule reads the categories of every programme asked about (an L.R. 14/2015 path may be
    health data), whichever holds, and identity; only the programmes found are shown.
    """
    wanted = set(v)
    found = sorted({p.code for m in f.case.household.members for p in m.programmes
                    if p.code in wanted and p.on(f.as_of)})
    inputs["programmi"] = found
    inputs.uses(PROCESS, "identity", *(f.territory.data_category("programmes", code) for code in sorted(wanted)))
    return bool(found)


def _assessed(v: bool, f: Facts, inputs: Inputs) -> bool:
    inputs["valutato"] = f.case.assessment is not None
    inputs.uses(PROCESS)
    return (f.case.assessment is not None) is v


def _work_ready(v: bool, f: Facts, inputs: Inputs) -> bool:
    ready = () if f.case.assessment is None else f.case.assessment.work_ready_members
    inputs["componenti_attivabili"] = list(ready)
    _reads_assessment(f, inputs, ("work", "identity"))
    return bool(ready) is v


def _member(v: Mapping[str, Any], f: Facts, inputs: Inputs) -> bool | None:
    matching, undecided = [], []
    for m in f.case.household.members:
        age = m.age(f.as_of)
        checks: list[bool | None] = []
        if "age_below" in v:
            checks.append(None if age is None else age < v["age_below"])
        if "age_at_least" in v:
            checks.append(None if age is None else age >= v["age_at_least"])
        if "disability_above" in v:  # no invalidity recorded: none certified (not unknown)
            checks.append(m.disability_percent is not None and m.disability_percent > v["disability_above"])
        if "in_socio_sanitary_care" in v:
            checks.append(m.in_socio_sanitary_care is v["in_socio_sanitary_care"])
        if "care_load" in v:
            checks.append(m.has_care_load() is v["care_load"])
        both = _all3(checks)
        if both:
            matching.append(m.id)
        elif both is None:
            undecided.append(m.id)
    inputs["componenti:" + ",".join(f"{k}={val}" for k, val in sorted(v.items()))] = matching
    inputs.uses("identity", *(c for k in v for c in _MEMBER_CATEGORIES[k]))  # member ids are identity data
    if matching:
        return True
    for member in undecided:  # only an unknown age leaves a member undecided
        inputs.lacks(f"data_di_nascita:{member}", Message("date of birth of member {member}", member=member))
    return None if undecided else False


def _isee_at_most(v: Any, f: Facts, inputs: Inputs) -> bool | None:
    name = v["param"] if isinstance(v, Mapping) else None
    limit = f.param(name) if name is not None else float(v)
    isee = f.case.household.isee
    inputs["isee"] = isee
    inputs.uses("economic")
    inputs["soglia_isee"] = limit
    if isee is None:
        inputs.lacks("isee", Message("the household's ISEE"))
    if limit is None:
        inputs.lacks(f"parametro:{name}", Message("the ISEE threshold in force on {day} (not configured)",
                                                   day=f.as_of.isoformat()))
    if isee is None or limit is None:
        return None
    return isee <= limit


def _score_at_least(v: Mapping[str, Any], f: Facts, inputs: Inputs) -> bool | None:
    """
    The latest score of an instrument by the as-of date reaches a band's threshold (in force
    on the day it was administered) or a total (``value``). Three-valued: missing items that
    could change the answer, no record, or a threshold not in force leave it unknown (false
    in a two-valued condition). The rule reads what the instrument's items are, whatever the
    answers (and ``process`` only, without an assessment).
    """
    code = v["instrument"]
    _reads_assessment(f, inputs, f.territory.score_categories(code))
    t = score_of(f.case, f.territory, code, f.as_of)
    inputs[f"punteggio.{code}"] = None if t is None else t.total
    if t is not None and t.missing:
        inputs[f"voci_mancanti.{code}"] = list(t.missing)
    if t is None:
        inputs.lacks(f"punteggio:{code}", Message("the score of {instrument} (not recorded)", instrument=code))
        return None
    if t.version is None:  # no version of the instrument in force on the day it was administered
        inputs.lacks(f"punteggio:{code}", Message(
            "the score of {instrument} (the instrument was not in force on {day})", instrument=code,
            day=t.date.isoformat()))
        return None
    if "band" in v:
        threshold = t.threshold(v["band"])
        inputs[f"soglia.{code}.{v['band']}"] = None if threshold is None else _int_if_whole(threshold)
        if threshold is None:
            inputs.lacks(f"soglia:{code}.{v['band']}", Message(
                "the threshold of {band} in force on {day} (not configured)", band=v["band"], day=t.date.isoformat()))
            return None
    else:
        threshold = float(v["value"])
        inputs[f"soglia.{code}"] = v["value"]
    if t.low >= threshold:
        return True
    if t.high < threshold:
        return False
    inputs.lacks(f"voci_mancanti:{code}", Message("the items of {instrument} not answered", instrument=code))
    return None


def _int_if_whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


PROCESS = "process"
_MEMBER_CATEGORIES = {
    "age_below": ("identity",),
    "age_at_least": ("identity",),
    "disability_above": ("health",),
    "in_socio_sanitary_care": ("health",),
    # any grade of the care load: looking after a disabled or non-self-sufficient member is health data
    "care_load": ("household", "health"),
}

_EVALUATORS: dict[str, Callable[[Any, Facts, Inputs], bool | None]] = {
    "always": lambda v, f, i: True,
    "need": _need,
    "any_need": _any_need,
    "need_at_least": _need_at_least,
    "need_in_dimension": _need_in_dimension,
    "dimension_at_least": _dimension_at_least,
    "only_dimensions": _only_dimensions,
    "dimensions_at_least_count": _dimensions_count,
    "occupability": _profile_field("occupability"),
    "complexity": _profile_field("complexity"),
    "activability": _profile_field("activability"),
    "pathway": _profile_field("pathway"),
    "flag": _flag,
    "measure_active": _measure_active,
    "access_channel": _access_channel,
    "access_point_kind": _access_point_kind,
    "from_service_kind": _from_service_kind,
    "in_charge_of": _in_charge_of,
    "in_programme": _in_programme,
    "assessed": _assessed,
    "work_ready_members": _work_ready,
    "member": _member,
    "isee_at_most": _isee_at_most,
    "score_at_least": _score_at_least,
}


_Two = Callable[[Facts, Inputs], bool]
_Three = Callable[[Facts, Inputs], tuple["bool | None", list[Unknown]]]

_CACHE_SIZE = 16_384
_TWO: dict[int, tuple[Mapping[str, Any], _Two]] = {}
_THREE: dict[int, tuple[Mapping[str, Any], _Three]] = {}


def _cached(table: dict[int, tuple[Mapping[str, Any], Any]], predicate: Mapping[str, Any],
            build: Callable[[Mapping[str, Any]], Any]) -> Any:
    """
    A predicate compiled once: configurations keep their predicates for the life of the
    territory, so each is compiled on first use and found by identity afterwards (the
    table holds the predicate, so its id is never another's while it is there; a predicate
    made for one call, like ``{in_programme: [...]}``, only costs its own compiling).
    """
    found = table.get(id(predicate))
    if found is not None and found[0] is predicate:
        return found[1]
    if len(table) >= _CACHE_SIZE:
        table.clear()
    compiled = build(predicate)
    table[id(predicate)] = (predicate, compiled)
    return compiled


def _two(predicate: Mapping[str, Any]) -> _Two:
    """A predicate as a plain callable, two-valued (a condition lacking a datum is false)."""
    ((key, value),) = predicate.items()
    # Lists, not generators: every branch is evaluated so that all inputs are recorded.
    if key in ("all", "any"):
        parts = [_cached(_TWO, p, _two) for p in value]
        join = all if key == "all" else any
        return lambda facts, inputs: join([part(facts, inputs) for part in parts])
    if key == "not":
        inner = _cached(_TWO, value, _two)
        return lambda facts, inputs: not inner(facts, inputs)
    test = _EVALUATORS[key]

    def leaf(facts: Facts, inputs: Inputs) -> bool:
        hit = bool(test(value, facts, inputs))
        inputs.unknown.clear()
        return hit

    return leaf


def _three(predicate: Mapping[str, Any]) -> _Three:
    """A predicate as a plain callable, three-valued: its truth (or None) and the data missing."""
    ((key, value),) = predicate.items()
    if key in ("all", "any"):
        parts = [_cached(_THREE, p, _three) for p in value]
        decisive = key == "any"  # the value that decides the whole: true for any, false for all

        def join(facts: Facts, inputs: Inputs) -> tuple[bool | None, list[Unknown]]:
            done = [part(facts, inputs) for part in parts]  # every branch, for the inputs
            if any(v is decisive for v, _ in done):
                return decisive, []
            missing = [u for v, us in done if v is None for u in us]
            return (None, missing) if any(v is None for v, _ in done) else (not decisive, [])

        return join
    if key == "not":
        inner = _cached(_THREE, value, _three)

        def negation(facts: Facts, inputs: Inputs) -> tuple[bool | None, list[Unknown]]:
            v, missing = inner(facts, inputs)
            return (None if v is None else not v), missing

        return negation
    test = _EVALUATORS[key]

    def leaf(facts: Facts, inputs: Inputs) -> tuple[bool | None, list[Unknown]]:
        hit = test(value, facts, inputs)
        missing = list(inputs.unknown)
        inputs.unknown.clear()
        return (None if hit is None else bool(hit)), missing if hit is None else []

    return leaf


def evaluate(predicate: Mapping[str, Any], facts: Facts, inputs: Inputs | None = None) -> tuple[bool, Inputs]:
    """
    Evaluate a predicate; returns its truth and the facts it looked at.

    Two-valued: a condition that lacks a datum is false (an unknown age is not under 18,
    an unknown ISEE is not under a threshold), and ``not`` of it is true. Measures use
    :func:`evaluate3`. The configuration schema guarantees the shape, so an unknown key
    here is a bug. Each predicate is compiled into a plain callable on first use.
    """
    inputs = Inputs() if inputs is None else inputs
    return _cached(_TWO, predicate, _two)(facts, inputs), inputs


def evaluate3(
    predicate: Mapping[str, Any], facts: Facts, inputs: Inputs | None = None
) -> tuple[bool | None, Inputs, tuple[Unknown, ...]]:
    """
    Evaluate a predicate in three values (Kleene): true, false, or ``None`` when the
    answer depends on data the case lacks (an unknown ISEE or birth date, a threshold not
    configured for the date). ``all`` is false as soon as one part is false whatever the
    others, ``any`` true as soon as one is true; ``not`` of unknown is unknown.

    :return: the truth, the facts looked at, and the missing data that leave it
        undecided (empty unless the truth is ``None``; a datum whose value could not
        change the answer is not named).
    """
    inputs = Inputs() if inputs is None else inputs
    value, missing = _cached(_THREE, predicate, _three)(facts, inputs)
    if value is not None:
        return value, inputs, ()
    return value, inputs, tuple({u.code: u for u in missing}.values())


def _all3(values: Iterable[bool | None]) -> bool | None:
    """Kleene conjunction: false if one is false, else unknown if one is unknown."""
    seen = list(values)
    if any(v is False for v in seen):
        return False
    return None if any(v is None for v in seen) else True


def known_predicates() -> frozenset[str]:
    """Every predicate key the evaluator understands (checked against the schema by a test)."""
    return frozenset({*_EVALUATORS, "all", "any", "not"})
