"""
JSON <-> objects through one cattrs converter built by a factory (never the global one).

The converter is strict: unknown keys, wrong JSON types (a string where a number is
expected, a string where a list is expected), malformed dates and out-of-range values
are all refused. Bulk input is checked here, cheaply; only when a case fails is it
re-checked against the full JSON Schema to list every error with its path.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, TypeVar, get_args, get_origin

import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from ._errors import ErrorDetail, InputError, InvalidCaseError
from ._fields import FieldValueError
from ._models import Case

T = TypeVar("T")
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_DATE_RE = re.compile(DATE_PATTERN)

__all__ = ["configure_converter", "make_converter", "structure_case"]


def _strict(kind: type, name: str) -> Callable[[Any, Any], Any]:
    def hook(value: Any, _t: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, kind):
            raise TypeError(f"atteso {name}, trovato {type(value).__name__}: {value!r}")
        return value

    return hook


def _int(value: Any, _t: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"atteso intero, trovato {type(value).__name__}: {value!r}")
    return value


def _float(value: Any, _t: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"atteso numero, trovato {type(value).__name__}: {value!r}")
    return float(value)


def _bool(value: Any, _t: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"atteso booleano, trovato {type(value).__name__}: {value!r}")
    return value


def _date(value: Any, _t: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise ValueError(f"attesa una data AAAA-MM-GG, trovato {value!r}")
    return dt.date.fromisoformat(value)


def _enum(value: Any, t: type[StrEnum]) -> StrEnum:
    if not isinstance(value, str):
        raise TypeError(f"atteso uno tra {[m.value for m in t]}, trovato {value!r}")
    try:
        return t(value)
    except ValueError:
        raise ValueError(f"{value!r} non è tra i valori ammessi {[m.value for m in t]}") from None


def _enum_value(value: StrEnum) -> str:
    return value.value


def _any(value: Any, _t: Any) -> Any:
    return value


def _is_tuple(t: Any) -> bool:
    return get_origin(t) is tuple


def _is_str_dict(t: Any) -> bool:
    return get_origin(t) is dict


def configure_converter(converter: cattrs.Converter) -> None:
    """
    Register the inclusione_core hooks (strict primitives, ISO dates, lists) on a converter.

    Territory plugins that add model types do the same through the
    ``inclusione_configure_converter`` hook.
    """
    converter.register_structure_hook(str, _strict(str, "stringa"))
    converter.register_structure_hook(int, _int)
    converter.register_structure_hook(float, _float)
    converter.register_structure_hook(bool, _bool)
    # StrEnum comes before str in the MRO of our enums: without this hook the str hook
    # above would catch them and skip the check of the value.
    converter.register_structure_hook(StrEnum, _enum)
    converter.register_unstructure_hook(StrEnum, _enum_value)  # plain str, e.g. for yaml.safe_dump
    converter.register_structure_hook(dt.date, _date)
    converter.register_unstructure_hook(dt.date, dt.date.isoformat)
    converter.register_structure_hook(Any, _any)

    def tuple_factory(t: Any) -> Callable[[Any, Any], Any]:
        (item, *_rest) = get_args(t)
        item_hook = converter.get_structure_hook(item)

        def hook(value: Any, _t: Any) -> tuple[Any, ...]:
            if not isinstance(value, list | tuple):
                raise TypeError(f"attesa una lista, trovato {type(value).__name__}: {value!r}")
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
                raise IterableValidationError("errori nella lista", errors, t)
            return tuple(out)

        return hook

    def dict_factory(t: Any) -> Callable[[Any, Any], Any]:
        def hook(value: Any, _t: Any) -> dict[str, Any]:
            if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
                raise TypeError(f"atteso un oggetto, trovato {type(value).__name__}")
            return dict(value)

        return hook

    converter.register_structure_hook_factory(_is_tuple, tuple_factory)
    converter.register_structure_hook_factory(_is_str_dict, dict_factory)


def make_converter() -> cattrs.Converter:
    """A new strict converter: unknown keys are refused, all errors are collected."""
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    configure_converter(converter)
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
                out.append(ErrorDetail(f"{path}.{key}", "campo sconosciuto", key, "additionalProperties"))
        elif isinstance(e, FieldValueError):
            out.append(ErrorDetail(f"{path}.{e.name}", str(e), e.value, e.rule))
        elif isinstance(e, KeyError):
            out.append(ErrorDetail(path, f"campo obbligatorio mancante: {e.args[0]}", None, "required"))
        else:
            out.append(ErrorDetail(path, str(e), None, type(e).__name__))

    walk(exc, root)
    return out


def structure(converter: cattrs.Converter, data: Any, cls: type[T], source: str) -> T:
    """Structure ``data`` into ``cls``, raising :class:`InputError` with every problem."""
    try:
        return converter.structure(data, cls)
    except Exception as exc:
        raise InputError(source, errors_of(exc)) from None


def structure_case(converter: cattrs.Converter, data: Any, source: str = "<case>") -> Case:
    """
    Structure one case; on failure explain it with the full JSON Schema (every error, by path).

    :raises InvalidCaseError: listing each error with its JSON path, value and rule.
    """
    try:
        return converter.structure(data, Case)
    except Exception as exc:
        from ._schema import validate_instance  # noqa: PLC0415 - jsonschema only on failure

        details = validate_instance("case", data) or errors_of(exc)
        raise InvalidCaseError(source, details) from None
