"""
JSON <-> objects through one cattrs converter built by a factory (never the global one).

The converter is strict: unknown keys, wrong JSON types (a string where a number is
expected, a string where a list is expected), malformed dates, dates outside the limits
(1900-01-01 to 2199-12-31 by default) and out-of-range values are all refused. Bulk input
is checked here, cheaply; only when a case fails is it re-checked against the full JSON
Schema to list every error with its path. Before the converter, a value given to the API
is checked against the reader's limits (:func:`~._reader.check_value`): depth, sizes,
integer digits, finite numbers, text keys.

Error messages never contain the offending value (it goes, shortened, in
``ErrorDetail.value``), and the details of a case error carry no value for a field of a
special category of data (:func:`case_details`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import types
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from ._categories import BY_CODE, DataCategory
from ._errors import ErrorDetail, InputError, InvalidCaseError
from ._fields import CATEGORY_KEY, FieldValueError
from ._models import CareLoad, Case
from ._reader import DEFAULT_LIMITS, Limits, check_value
from .i18n import N_, Message, message_of

T = TypeVar("T")
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_DATE_RE = re.compile(DATE_PATTERN)

__all__ = ["case_details", "configure_converter", "make_converter", "structure_case"]


class LimitError(ValueError):
    """A value outside a configured limit (a date out of range): reported with its rule."""

    def __init__(self, message: str, value: Any, rule: str) -> None:
        super().__init__(message)
        self.value = value
        self.rule = rule


def _strict(kind: type, name: str) -> Callable[[Any, Any], Any]:
    def hook(value: Any, _t: Any) -> Any:  # name: an N_ msgid, rendered in the message's language
        if isinstance(value, bool) or not isinstance(value, kind):
            raise TypeError(Message("expected {expected}, found {found}", expected=Message(name),
                                    found=type(value).__name__))
        return value

    return hook


def _int(value: Any, _t: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(Message("expected {expected}, found {found}", expected=Message("integer"),
                                found=type(value).__name__))
    return value


def _float(value: Any, _t: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(Message("expected {expected}, found {found}", expected=Message("number"),
                                found=type(value).__name__))
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(Message("expected a finite number, found NaN or infinity"))
    return number


def _bool(value: Any, _t: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(Message("expected {expected}, found {found}", expected=Message("boolean"),
                                found=type(value).__name__))
    return value


def _date_hook(limits: Limits) -> Callable[[Any, Any], dt.date]:
    low, high = limits.min_date, limits.max_date

    def hook(value: Any, _t: Any) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            day = value
        elif not isinstance(value, str) or not _DATE_RE.fullmatch(value):
            raise ValueError(Message("expected a date YYYY-MM-DD"))
        else:
            day = dt.date.fromisoformat(value)
        if not low <= day <= high:
            raise LimitError(Message("date outside the allowed range ({low} - {high})", low=low.isoformat(),
                                     high=high.isoformat()), value, "limit:dates")
        return day

    return hook


def _enum(value: Any, t: type[StrEnum]) -> StrEnum:
    if not isinstance(value, str):
        raise TypeError(Message("expected one of {allowed}, found {found}", allowed=[m.value for m in t],
                                found=type(value).__name__))
    try:
        return t(value)
    except ValueError:
        raise ValueError(Message("value not allowed; allowed values: {allowed}",
                                 allowed=[m.value for m in t])) from None


def _enum_value(value: StrEnum) -> str:
    return value.value


def _any(value: Any, _t: Any) -> Any:
    return value


def _is_tuple(t: Any) -> bool:
    return get_origin(t) is tuple


def _is_str_dict(t: Any) -> bool:
    return get_origin(t) is dict


def _dict_factory(converter: cattrs.Converter, t: Any) -> Callable[[Any, Any], Any]:
    """A map keyed by texts; a typed one (a score's answers) has each value checked, by its key."""
    args = get_args(t)
    value_type = args[1] if len(args) == 2 else Any
    value_hook = None if value_type is Any else converter.get_structure_hook(value_type)

    def hook(value: Any, _t: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise TypeError(Message("expected an object, found {found}", found=type(value).__name__))
        if value_hook is None:
            return dict(value)
        out: dict[str, Any] = {}
        errors: list[Exception] = []
        for k, v in value.items():  # a typed map (a score's answers): each value checked, by its key
            try:
                out[k] = value_hook(v, value_type)
            except Exception as exc:
                exc.__notes__ = [*getattr(exc, "__notes__", []), AttributeValidationNote(k, k, value_type)]
                errors.append(exc)
        if errors:
            raise ClassValidationError(Message("errors in the object"), errors, t)
        return out

    return hook


def configure_converter(converter: cattrs.Converter, limits: Limits | None = None) -> None:
    """
    Register the inclusione_core hooks (strict primitives, ISO dates, lists) on a converter.

    Territory plugins that add model types do the same through the
    ``inclusione_configure_converter`` hook.

    :param limits: the dates accepted (default: 1900-01-01 to 2199-12-31).
    """
    converter.register_structure_hook(str, _strict(str, N_("string")))
    converter.register_structure_hook(int, _int)
    converter.register_structure_hook(float, _float)
    converter.register_structure_hook(bool, _bool)
    # StrEnum comes before str in the MRO of our enums: without this hook the str hook
    # above would catch them and skip the check of the value.
    converter.register_structure_hook(StrEnum, _enum)
    converter.register_unstructure_hook(StrEnum, _enum_value)  # plain str, e.g. for yaml.safe_dump
    converter.register_structure_hook(dt.date, _date_hook(limits or DEFAULT_LIMITS))
    converter.register_unstructure_hook(dt.date, dt.date.isoformat)
    converter.register_structure_hook(Any, _any)

    def tuple_factory(t: Any) -> Callable[[Any, Any], Any]:
        (item, *_rest) = get_args(t)
        item_hook = converter.get_structure_hook(item)

        def hook(value: Any, _t: Any) -> tuple[Any, ...]:
            if not isinstance(value, list | tuple):
                raise TypeError(Message("expected a list, found {found}", found=type(value).__name__))
            out: list[Any] = []
            errors: list[Exception] = []
            for i, v in enumerate(value):
                try:
                    out.append(item_hook(v, item))
                except Exception as exc:
                    note = IterableValidationNote(f"Structuring index {i}", i, item)
                    exc.__notes__ = [*getattr(exc, "__notes__", []), note]
                    errors.append(exc)
            if errors:
                raise IterableValidationError(Message("errors in the list"), errors, t)
            return tuple(out)

        return hook


    converter.register_structure_hook_factory(_is_tuple, tuple_factory)
    converter.register_structure_hook_factory(_is_str_dict, functools.partial(_dict_factory, converter))

    def care_load(value: Any, _t: Any) -> CareLoad | None:
        """A member's care load; version 1 of the case format had a boolean (true: a load without detail)."""
        if isinstance(value, bool):
            return CareLoad(other=True) if value else None
        if value is None:
            return None
        structured: CareLoad = converter.get_structure_hook(CareLoad)(value, CareLoad)
        return structured

    converter.register_structure_hook_func(lambda t: t == CareLoad | None, care_load)


def make_converter(limits: Limits | None = None) -> cattrs.Converter:
    """
    A new strict converter: unknown keys are refused, all errors are collected.

    :param limits: the dates accepted (default: 1900-01-01 to 2199-12-31).
    """
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    configure_converter(converter, limits)
    return converter


def errors_of(exc: BaseException, root: str = "$") -> list[ErrorDetail]:
    """Flatten a cattrs exception (group) into :class:`ErrorDetail` items with JSON paths."""
    out: list[ErrorDetail] = []

    def walk(e: BaseException, path: str) -> None:
        if isinstance(e, ClassValidationError):
            with_notes, without = e.group_exceptions()
            for sub, attr_note in with_notes:
                walk(sub, f"{path}.{attr_note.name}")
            for sub in without:
                walk(sub, path)
        elif isinstance(e, IterableValidationError):
            items, rest = e.group_exceptions()
            for sub, item_note in items:
                walk(sub, f"{path}[{item_note.index}]")
            for sub in rest:
                walk(sub, path)
        elif isinstance(e, ForbiddenExtraKeysError):
            for key in sorted(e.extra_fields):
                out.append(ErrorDetail(f"{path}.{key}", Message("unknown field"), key, "additionalProperties"))
        elif isinstance(e, FieldValueError):
            out.append(ErrorDetail(f"{path}.{e.name}", message_of(e), e.value, e.rule))
        elif isinstance(e, LimitError):
            out.append(ErrorDetail(path, message_of(e), e.value, e.rule))
        elif isinstance(e, KeyError):
            out.append(ErrorDetail(path, Message("missing required field: {name}", name=e.args[0]), None, "required"))
        else:
            out.append(ErrorDetail(path, message_of(e), None, type(e).__name__))

    walk(exc, root)
    return out


def structure(converter: cattrs.Converter, data: Any, cls: type[T], source: str) -> T:
    """Structure ``data`` into ``cls``, raising :class:`InputError` with every problem."""
    try:
        return converter.structure(data, cls)
    except Exception as exc:
        raise InputError(source, errors_of(exc)) from None


def structure_case(
    converter: cattrs.Converter, data: Any, source: str = "<case>", limits: Limits | None = None, *,
    checked: bool = False,
) -> Case:
    """
    Structure one case; on failure explain it with the full JSON Schema (every error, by path).

    :param limits: bounds on the value (depth, sizes, digits...), checked first.
    :param checked: ``data`` was read by the reader, which applied ``limits`` already.
    :raises InvalidCaseError: listing each error with its JSON path, value and rule.
    """
    if not checked:
        problems = check_value(data, limits=limits)
        if problems:
            raise InvalidCaseError(source, problems)
    try:
        return converter.structure(data, Case)
    except Exception as exc:
        from ._schema import validate_instance  # noqa: PLC0415 - jsonschema only on failure

        found = errors_of(exc)
        try:
            explained = validate_instance("case", data)
        except Exception:  # a Python value (not JSON) jsonschema cannot even describe: the converter's errors
            explained = []
        details = explained or found
        # what the schema cannot say (a date outside the configured limits) is added
        known = {d.path for d in details}
        details += [d for d in found if d.rule.startswith("limit") and d.path not in known]
        raise InvalidCaseError(source, details) from None


# --------------------------------------------------------------------------- special categories in errors


_INDEX = re.compile(r"\[\d+\]")
_QUOTED_KEY = re.compile(r"\[(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\")\]")


def _bare(t: Any) -> Any:
    """``X | None`` -> ``X``."""
    if get_origin(t) in (Union, types.UnionType):
        args = [a for a in get_args(t) if a is not type(None)]
        return args[0] if len(args) == 1 else t
    return t


@functools.cache
def _case_fields() -> dict[str, tuple[DataCategory | BY_CODE | None, bool]]:
    """Every field path of the case format (list items as ``[]``) -> (category, holds a scalar)."""
    out: dict[str, tuple[DataCategory | BY_CODE | None, bool]] = {"$": (None, False)}

    def walk(cls: type, prefix: str) -> None:
        attrs.resolve_types(cls)
        for a in attrs.fields(cls):
            category = a.metadata.get(CATEGORY_KEY)
            path = f"{prefix}.{a.name}"
            t = _bare(a.type)
            if get_origin(t) is tuple:
                item = _bare(get_args(t)[0])
                out[path] = (category, False)
                out[f"{path}[]"] = (category, not attrs.has(item))
                if attrs.has(item):
                    walk(item, f"{path}[]")
            elif attrs.has(t):
                out[path] = (category, False)
                walk(t, path)
            else:
                out[path] = (category, get_origin(t) is not dict)

    walk(Case, "$")
    return out


def _may_show(path: str) -> bool:
    """Whether an error at ``path`` of a case may show its value: a scalar field of a common category."""
    fields = _case_fields()
    key = _INDEX.sub("[]", _QUOTED_KEY.sub(lambda m: "." + (m.group(1) or m.group(2) or ""), path))
    found = fields.get(key)
    if found is None:
        return False  # not a field of the format (an unknown key, inside free data): say nothing of it
    category, scalar = found
    return scalar and isinstance(category, DataCategory) and not category.special


def case_details(details: Iterable[ErrorDetail]) -> list[ErrorDetail]:
    """
    The details of a case error as they may be shown: no value for a field of a special
    category of data, of a category the configuration gives by code (it may be special),
    for a whole object or list, or for anything outside the case format.
    """
    return [d if d.value is None or _may_show(d.path) else d.without_value() for d in details]
