"""
Hypothesis strategies for the case exchange models, derived from the models themselves.

:func:`from_model` walks an attrs class the way the schema generator does: each field's
type (dates, enums, optionals, nested tuples, nested models) and its constraints from
``_fields.field`` (id/code patterns, ranges, non-empty) give the strategy, so a field
added to a model is generated without touching this file. ``OVERRIDES`` narrows a few
fields to realistic values (codes the italia configuration knows) without leaving what
the model allows.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import types
from functools import partial
from typing import Any, Union, get_args, get_origin

import attrs
from hypothesis import strategies as st

from inclusione_core import _models as m
from inclusione_core._categories import DataCategory
from inclusione_core._fields import CODE_PATTERN, ID_PATTERN, SCHEMA_KEY

DATES = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2035, 12, 31))
RECENT_START = dt.date(2015, 1, 1)
RECENT = st.dates(min_value=RECENT_START, max_value=dt.date(2030, 12, 31))
IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,8}", fullmatch=True)
CODES = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
TEXT = st.text(max_size=12)
MAX_ITEMS = 3

JSON_SCALARS = st.none() | st.booleans() | st.integers(-1000, 1000) | TEXT | st.floats(
    allow_nan=False, allow_infinity=False, width=32
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)

# Realistic values for some fields, still inside what the model allows.
ITALIA_DIMENSIONS = ("funzionamenti", "economica", "lavoro", "istruzione", "abitare", "reti")
ITALIA_NEEDS = ("lavoro", "formazione", "economico", "abitativo", "reti_relazioni", "cura_familiare",
                "salute", "disabilita", "dipendenze", "salute_mentale", "giustizia")
OVERRIDES: dict[tuple[type, str], st.SearchStrategy[Any]] = {
    (m.DimensionLevel, "dimension"): st.sampled_from(ITALIA_DIMENSIONS) | CODES,
    (m.Need, "code"): st.sampled_from(ITALIA_NEEDS) | CODES,
    (m.MeasureEnrolment, "code"): st.sampled_from(("rdc", "adi", "sfl", "gol", "sia")) | CODES,
    (m.ScheduledIntervention, "code"): st.sampled_from(
        ("tirocinio_inclusione", "collocamento_mirato", "puc")) | CODES,
    (m.Access, "point"): st.sampled_from(("ssp", "pua", "cpi", "segretariato")) | IDS,
    (m.Case, "territory"): st.sampled_from(("italia",)) | CODES,
    (m.Referral, "snapshot"): st.dictionaries(TEXT, JSON, max_size=3),
}


@attrs.frozen(eq=False)
class Palette:
    """
    Where scalar values and collection sizes come from when a model is generated.

    :data:`DEFAULT` draws widely (any id, code, text, date); :func:`light_palette` draws
    from small pools and smaller collections, for the property tests that run 10,000
    examples in CI (generation is most of their time).
    """

    ids: st.SearchStrategy[str]
    codes: st.SearchStrategy[str]
    text: st.SearchStrategy[str]
    dates: st.SearchStrategy[dt.date]
    json_dicts: st.SearchStrategy[dict[str, Any]]
    max_items: int
    overrides: dict[tuple[type, str], st.SearchStrategy[Any]]
    models: dict[type, st.SearchStrategy[Any]] = attrs.field(factory=dict)
    masked: bool = False
    """Draw which optional fields are set as one bit mask (fewer choices per example)."""


DEFAULT = Palette(ids=IDS, codes=CODES, text=TEXT, dates=DATES, json_dicts=st.dictionaries(TEXT, JSON, max_size=3),
                  max_items=MAX_ITEMS, overrides=OVERRIDES)


def _range(extra: dict[str, Any]) -> tuple[Any, Any]:
    return extra.get("minimum"), extra.get("maximum")


def of_type(t: Any, extra: dict[str, Any], palette: Palette | None = None) -> st.SearchStrategy[Any]:
    """The strategy for a type annotation with its schema constraints."""
    p = palette or DEFAULT
    origin = get_origin(t)
    if origin in (Union, types.UnionType):
        (inner,) = [a for a in get_args(t) if a is not type(None)]
        return st.none() | of_type(inner, extra, p)
    if origin is tuple:
        item_extra = {k: v for k, v in extra.items() if k == "pattern"}
        min_size = extra.get("minItems", 0)
        return st.lists(of_type(get_args(t)[0], item_extra, p), min_size=min_size,
                        max_size=max(min_size, p.max_items)).map(tuple)
    if origin is dict:
        value = get_args(t)[1]
        if value is Any:
            return p.json_dicts
        # a typed map (a score's answers): codes to values of its type
        return st.dictionaries(p.codes, of_type(value, {}, p), max_size=max(1, p.max_items))
    if attrs.has(t):
        return from_model(t, p)
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return st.sampled_from(list(t))
    if t is bool:
        return st.booleans()
    if t is int:
        lo, hi = _range(extra)
        return st.integers(min_value=lo if lo is not None else -5, max_value=hi if hi is not None else 500)
    if t is float:
        lo, hi = _range(extra)
        return st.floats(min_value=lo, max_value=hi if hi is not None else 1e6,
                         allow_nan=False, allow_infinity=False)
    if t is str:
        pattern = extra.get("pattern")
        if pattern == ID_PATTERN:
            return p.ids
        if pattern == CODE_PATTERN:
            return p.codes
        assert pattern is None, f"no strategy for pattern {pattern}"
        return p.text
    if t is dt.date:
        return p.dates
    raise TypeError(f"no strategy for {t!r}")


_CACHE: dict[tuple[type, int], st.SearchStrategy[Any]] = {}


def from_model(cls: type, palette: Palette | None = None) -> st.SearchStrategy[Any]:
    """A strategy building valid instances of an attrs model (defaults sometimes omitted)."""
    p = palette or DEFAULT
    if cls in p.models:
        return p.models[cls]
    if (cls, id(p)) not in _CACHE:
        attrs.resolve_types(cls)
        required: dict[str, st.SearchStrategy[Any]] = {}
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for a in attrs.fields(cls):
            extra = dict(a.metadata.get(SCHEMA_KEY, {}))
            override = p.overrides.get((cls, a.name))
            t = a.type
            if p.masked and a.default is None and get_origin(t) in (Union, types.UnionType):
                (t,) = [x for x in get_args(t) if x is not type(None)]  # absent is None already
            strategy = override if override is not None else of_type(t, extra, p)
            (required if a.default is attrs.NOTHING else optional)[a.name] = strategy
        if p.masked:
            _CACHE[cls, id(p)] = _masked(cls, required, optional)
        else:
            _CACHE[cls, id(p)] = st.fixed_dictionaries(required, optional=optional).map(lambda kw: cls(**kw))
    return _CACHE[cls, id(p)]


def _masked(cls: type, required: dict[str, st.SearchStrategy[Any]],
            optional: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Like fixed_dictionaries(...).map(cls), with one draw (a bit mask) for which defaults are replaced."""
    bits = st.integers(0, 2 ** len(optional) - 1)
    opt = list(optional.items())

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        kw = {name: draw(s) for name, s in required.items()}
        mask = draw(bits) if opt else 0
        for i, (name, s) in enumerate(opt):
            if mask >> i & 1:
                kw[name] = draw(s)
        return cls(**kw)

    return build()


def cases() -> st.SearchStrategy[m.Case]:
    """Any structurally valid case (anything the converter and the schema accept)."""
    return from_model(m.Case)


# Codes of the italia layer (kept in step with territories/italia by test_pipeline's checks).
ITALIA = {
    "needs": ("lavoro", "formazione", "economico", "abitativo", "reti_relazioni", "cura_familiare", "salute",
              "disabilita", "dipendenze", "salute_mentale", "giustizia"),
    "dimensions": ("funzionamenti", "economica", "lavoro", "istruzione", "abitare", "reti"),
    "services": ("ssp", "segretariato", "pua", "cpi", "serd", "csm", "sociosanitario", "casa", "scuola",
                 "terzo_settore"),
    "measures": ("sia", "rei", "rdc", "adi", "sfl", "gol"),
    "interventions": ("tirocinio_inclusione", "collocamento_mirato", "puc"),
}


def _pick(section: str, value: str | None) -> str | None:
    pool = ITALIA[section]
    return None if value is None else pool[sum(map(ord, value)) % len(pool)]


def _ordered(start: dt.date, end: dt.date | None) -> dt.date | None:
    return None if end is None else max(start, end)


def consistent_with_italia(c: m.Case) -> m.Case:
    """
    A generated case made consistent with ``italia`` (what Engine.check refuses otherwise):
    codes mapped onto known ones, member references onto existing members, unique ids,
    periods that end after they start, members born before any as-of date drawn by
    :func:`as_of_dates`. Still random in everything else.
    """
    seen: set[str] = set()
    members = []
    for i, drawn in enumerate(c.household.members):
        mem = drawn
        if mem.birth_date is not None and mem.birth_date >= RECENT_START:
            mem = attrs.evolve(mem, birth_date=mem.birth_date.replace(year=RECENT_START.year - 1, day=1))
        members.append(attrs.evolve(mem, id=f"{mem.id}-{i}") if mem.id in seen else mem)
        seen.add(members[-1].id)
    ids = [x.id for x in members]

    def member(value: str | None) -> str | None:
        return None if value is None else ids[sum(map(ord, value)) % len(ids)]

    members = [_consistent_member(x, ids) for x in members]

    a = c.assessment
    if a is not None:
        a = attrs.evolve(
            a, by_service=_pick("services", a.by_service),
            levels=tuple(attrs.evolve(x, dimension=_pick("dimensions", x.dimension)) for x in a.levels),
            needs=tuple(attrs.evolve(x, code=_pick("needs", x.code), member=member(x.member)) for x in a.needs),
            work_ready_members=tuple(sorted({member(x) or ids[0] for x in a.work_ready_members})),
            scores=(),  # italia configures no scored instrument
        )
    access = c.access if c.access is None else attrs.evolve(
        c.access, point=_pick("services", c.access.point), from_service=_pick("services", c.access.from_service))
    referrals = tuple(
        attrs.evolve(r, id=f"r{i}", from_service=_pick("services", r.from_service),
                     to_service=_pick("services", r.to_service), closed_on=_ordered(r.sent_on, r.closed_on),
                     # italia's services list no refusal codes: a consistent case records none
                     response=None if r.response is None else attrs.evolve(r.response, code=None))
        for i, r in enumerate(c.referrals))
    measures = tuple(attrs.evolve(x, code=_pick("measures", x.code), valid_to=_ordered(x.valid_from, x.valid_to))
                     for x in c.measures)
    consents = tuple(_consent_giver(attrs.evolve(x, member=member(x.member),
                                                 expires_on=_ordered(x.given_on, x.expires_on),
                                                 withdrawn_on=_ordered(x.given_on, x.withdrawn_on)), members)
                     for x in c.consents)
    p = c.project
    if p is not None:
        p = attrs.evolve(
            p, end=_ordered(p.start, p.end),
            interventions=tuple(attrs.evolve(x, provider=_pick("services", x.provider)) for x in p.interventions),
            commitments=tuple(attrs.evolve(x, member=member(x.member)) for x in p.commitments),
            signatures=tuple(attrs.evolve(x, party=_pick("services", x.party)) for x in p.signatures),
        )
    # italia's services list no refusal codes: a consistent case records none
    history = tuple(attrs.evolve(_consistent_event(e), code=None) for e in c.history)
    return attrs.evolve(
        c, territory="italia", household=attrs.evolve(c.household, members=tuple(members)), access=access,
        assessment=a, referrals=referrals, measures=measures, consents=consents, project=p, history=history,
    )


def _consistent_event(event: m.CaseEvent) -> m.CaseEvent:
    """An event naming an intervention is of kind intervento, and one of kind intervento names a known one."""
    if event.intervention is not None:
        return attrs.evolve(event, kind=m.INTERVENTION_EVENT, intervention=_pick("interventions", event.intervention))
    if event.kind == m.INTERVENTION_EVENT:
        return attrs.evolve(event, intervention=_pick("interventions", event.kind))
    return event


def _consistent_member(mem: m.Member, ids: list[str]) -> m.Member:
    """
    A member's services known to italia (each once), whom they look after among the other
    members, and their dates in order: jobs ending after they start, nothing before their birth.
    """
    born = mem.birth_date

    def after_birth(day: dt.date | None) -> dt.date | None:
        return day if day is None or born is None else max(day, born)

    others = [x for x in ids if x != mem.id]

    def whom(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(others[sum(map(ord, v)) % len(others)] for v in values) if others else ()

    load = mem.care_load
    if load is not None:
        load = attrs.evolve(load, children_under_3=whom(load.children_under_3), minors=whom(load.minors),
                            dependants=whom(load.dependants))
    jobs = []
    for job in mem.work_history:
        start = after_birth(job.start)
        end = job.end if start is None else _ordered(start, job.end)
        jobs.append(attrs.evolve(job, start=start, end=after_birth(end)))
    return attrs.evolve(
        mem, care_load=load, unemployed_since=after_birth(mem.unemployed_since), work_history=tuple(jobs),
        qualifications=tuple(attrs.evolve(q, obtained_on=after_birth(q.obtained_on)) for q in mem.qualifications),
        services=tuple(dict.fromkeys(x for s in mem.services if (x := _pick("services", s)) is not None)),
        programmes=(),  # italia configures no programme
    )


def _consent_giver(consent: m.Consent, members: list[m.Member]) -> m.Consent:
    """A consent as Engine.check admits it: a minor's through a representative, who (if a member) is another adult."""
    by_id = {x.id: x for x in members}
    rep = consent.representative
    if rep is not None and rep.member is not None:
        giver = by_id.get(rep.member)
        age = None if giver is None else giver.age(consent.given_on)
        if giver is None or rep.member == consent.member or (age is not None and age < 18):
            rep = attrs.evolve(rep, member=None)
    subject = by_id[consent.member]
    age = subject.age(consent.given_on)
    if rep is None and age is not None and age < 18:
        rep = m.Representative(role=m.RepresentativeRole.GENITORE, name="genitore")
    return attrs.evolve(consent, representative=rep)


def italia_cases() -> st.SearchStrategy[m.Case]:
    """Valid cases for territory ``italia`` (structure and territory checks) with recent dates."""
    return cases().map(consistent_with_italia)


def as_of_dates() -> st.SearchStrategy[dt.date]:
    """As-of dates spanning every national measure (SIA 2016 ... GOL 2026)."""
    return RECENT


# --------------------------------------------------------------------------- privacy (light palette)

WINDOW_START = dt.date(2024, 1, 1)
WINDOW_DAYS = 60
CATEGORY_CODES = tuple(c.value for c in DataCategory)
CATEGORY_SETS = tuple((a,) for a in CATEGORY_CODES) + tuple(itertools.combinations(CATEGORY_CODES, 2))
"""One or two data categories (what a reason's facts belong to), drawn in one choice."""


def few(items: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, ...]]:
    """Zero to two items, as a tuple."""
    return st.lists(items, max_size=2).map(tuple)


def window_dates() -> st.SearchStrategy[dt.date]:
    """Dates in a 60-day window: consent dates, as-of dates and the rest often coincide."""
    return st.integers(0, WINDOW_DAYS - 1).map(lambda n: WINDOW_START + dt.timedelta(days=n))


def light_palette(
    *,
    territory: str,
    needs: tuple[str, ...],
    dimensions: tuple[str, ...],
    interventions: tuple[str, ...],
    recipients: tuple[str, ...],
    flags: tuple[str, ...] = ("fa", "fb", "fc"),
    scores: tuple[str, ...] = (),
) -> Palette:
    """
    A cheap palette for the privacy property tests: small pools of ids, codes and text,
    dates in a short window, at most two items in the collections a view filters item by
    item and one elsewhere; coded items drawn from the given codes plus one code no
    configuration knows; consents naming the given recipient kinds; results whose reasons
    carry any one or two data categories.
    """
    unknown = ("zz_ignoto",)
    provenance = m.Provenance(as_of=WINDOW_START, territory=territory, core_version="0", config_digest="0",
                              layers=(), plugins=())
    cite = m.Citation(document="test", kind="default")
    rules = ("regola", *(f"profilo.flag.{f}" for f in flags))
    overrides: dict[tuple[type, str], st.SearchStrategy[Any]] = {
        (m.Case, "territory"): st.just(territory),
        (m.Need, "code"): st.sampled_from(needs + unknown),
        (m.DimensionLevel, "dimension"): st.sampled_from(dimensions + unknown),
        (m.ScheduledIntervention, "code"): st.sampled_from(interventions + unknown),
        (m.ScoreRecord, "instrument"): st.sampled_from(scores + unknown),
        (m.Consent, "recipients"): st.lists(st.sampled_from(recipients), min_size=1, max_size=2).map(tuple),
        (m.Result, "territory"): st.just(territory),
        (m.Result, "provenance"): st.just(provenance),
    }
    reasons = st.builds(
        partial(m.Reason, territory=territory, message_it="motivo", message_en="reason", source=cite),
        rule=st.sampled_from(rules), categories=st.sampled_from(CATEGORY_SETS),
    )
    palette = Palette(
        ids=st.sampled_from(("a1", "B-2", "c.3", "d:4", "E_5")),
        codes=st.sampled_from(("x", "y_1")),
        text=st.sampled_from(("", "nota")),
        dates=window_dates(),
        json_dicts=st.sampled_from(({}, {"nota": "x"})),
        max_items=1,
        masked=True,
        overrides=overrides,
        models={
            # only what the privacy filter looks at varies: the rule and the data categories
            m.Reason: reasons,
            m.DecidedBy: st.just(m.DecidedBy(plugin="test", version="0")),
            m.Profile: st.builds(
                partial(m.Profile, occupability=m.Grade.MEDIA, complexity=m.Grade.MEDIA,
                        activability=m.Activability.ATTIVABILE, pathway="sociale"),
                flags=st.lists(st.sampled_from(flags), max_size=2, unique=True).map(tuple)),
            m.Routing: st.builds(
                partial(m.Routing, outcome=m.RoutingOutcome.ROUTED, service="ssp", channel="invio", deadline=None),
                reasons=few(reasons)),
            m.Equipe: st.builds(
                partial(m.Equipe, format="equipe", label="Equipe", household_takes_part=True, modes=()),
                reasons=few(reasons),
                members=few(st.builds(partial(m.EquipeMember, role="as"), service=st.sampled_from(("ssp", "serd")),
                                      reason=reasons))),
            m.Recommendation: st.builds(
                partial(m.Recommendation, code="puc", label="PUC", category="lavoro", provider_kinds=("ssp",),
                        prerequisites=()), reason=reasons),
            m.Deadline: st.builds(partial(m.Deadline, code="verifica", label="Verifica", due=WINDOW_START,
                                          status=m.DeadlineStatus.DUE), reason=reasons),
            m.Problem: st.builds(partial(m.Problem, path="$.project"), reason=reasons),
            m.Score: st.builds(partial(m.Score, instrument="zq_screening", date=WINDOW_START, total=3, band="alta",
                                       outcome=m.ScoreOutcome.VALUTATO), reason=reasons),
            m.Eligibility: st.builds(partial(m.Eligibility, measure="adi", in_force=True, eligible=True),
                                     reasons=few(reasons)),
        },
    )
    # two items where a view filters item by item (and re-indexes), one elsewhere
    overrides.update({
        (cls, name): st.lists(from_model(item, palette), min_size=int(name == "members"), max_size=2).map(tuple)
        for cls, name, item in (
            (m.Household, "members", m.Member), (m.Assessment, "needs", m.Need),
            (m.Assessment, "levels", m.DimensionLevel), (m.Project, "interventions", m.ScheduledIntervention),
            (m.Case, "consents", m.Consent), (m.Case, "referrals", m.Referral),
            (m.Assessment, "scores", m.ScoreRecord),
        )
    })
    overrides[m.ProfileDecision, "reasons"] = few(reasons)
    return palette
