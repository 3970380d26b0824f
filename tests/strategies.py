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
import types
from typing import Any, Union, get_args, get_origin

import attrs
from hypothesis import strategies as st

from inclusione_core import _models as m
from inclusione_core._fields import CODE_PATTERN, ID_PATTERN, SCHEMA_KEY

DATES = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2035, 12, 31))
RECENT = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31))
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


def _range(extra: dict[str, Any]) -> tuple[Any, Any]:
    return extra.get("minimum"), extra.get("maximum")


def of_type(t: Any, extra: dict[str, Any]) -> st.SearchStrategy[Any]:
    """The strategy for a type annotation with its schema constraints."""
    origin = get_origin(t)
    if origin in (Union, types.UnionType):
        (inner,) = [a for a in get_args(t) if a is not type(None)]
        return st.none() | of_type(inner, extra)
    if origin is tuple:
        item_extra = {k: v for k, v in extra.items() if k == "pattern"}
        min_size = extra.get("minItems", 0)
        return st.lists(of_type(get_args(t)[0], item_extra), min_size=min_size,
                        max_size=max(min_size, MAX_ITEMS)).map(tuple)
    if origin is dict:
        return st.dictionaries(TEXT, JSON, max_size=3)
    if attrs.has(t):
        return from_model(t)
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
            return IDS
        if pattern == CODE_PATTERN:
            return CODES
        assert pattern is None, f"no strategy for pattern {pattern}"
        return TEXT
    if t is dt.date:
        return DATES
    raise TypeError(f"no strategy for {t!r}")


_CACHE: dict[type, st.SearchStrategy[Any]] = {}


def from_model(cls: type) -> st.SearchStrategy[Any]:
    """A strategy building valid instances of an attrs model (defaults sometimes omitted)."""
    if cls not in _CACHE:
        attrs.resolve_types(cls)
        required: dict[str, st.SearchStrategy[Any]] = {}
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for a in attrs.fields(cls):
            extra = dict(a.metadata.get(SCHEMA_KEY, {}))
            override = OVERRIDES.get((cls, a.name))
            strategy = override if override is not None else of_type(a.type, extra)
            (required if a.default is attrs.NOTHING else optional)[a.name] = strategy
        _CACHE[cls] = st.fixed_dictionaries(required, optional=optional).map(lambda kw: cls(**kw))
    return _CACHE[cls]


def cases() -> st.SearchStrategy[m.Case]:
    """Any structurally valid case (anything the converter and the schema accept)."""
    return from_model(m.Case)


def italia_cases() -> st.SearchStrategy[m.Case]:
    """Structurally valid cases in territory ``italia`` with recent dates (pipeline input)."""
    return cases().map(lambda c: attrs.evolve(c, territory="italia"))


def as_of_dates() -> st.SearchStrategy[dt.date]:
    """As-of dates spanning every national measure (SIA 2016 ... GOL 2026)."""
    return RECENT
