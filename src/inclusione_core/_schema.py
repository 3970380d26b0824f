"""
JSON Schemas (Draft 2020-12): generated for the case format, hand-written for configurations.

* ``case.schema.json`` is **generated from the models** (:func:`generate_case_schema`) and
  shipped as package data; a test fails if the shipped file drifts from the models.
* ``territory.schema.json`` and ``scenario.schema.json`` are written by hand.

jsonschema is imported lazily: it costs 0.2 s and is needed only to load configuration
(once) and to explain an input that the converter already refused.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import types
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

import attrs

from ._errors import ErrorDetail
from ._fields import DOC_KEY, SCHEMA_KEY
from ._models import Case
from .i18n import N_, Message

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

SCHEMA_NAMES = ("case", "territory", "scenario")
BASE_ID = "https://inclusione-core.example/schemas/"
_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def generate_case_schema() -> dict[str, Any]:  # noqa: PLR0915 - one recursive walk, kept whole
    """Build the case exchange schema from the attrs models (the single source of truth)."""
    defs: dict[str, Any] = {}

    def of_type(t: Any, extra: dict[str, Any]) -> dict[str, Any]:
        origin = get_origin(t)
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(t) if a is not type(None)]
            (inner,) = args
            return {"anyOf": [of_type(inner, extra), {"type": "null"}]}
        if origin is tuple:
            item_extra = {k: v for k, v in extra.items() if k == "pattern"}
            arr: dict[str, Any] = {"type": "array", "items": of_type(get_args(t)[0], item_extra)}
            arr.update({k: v for k, v in extra.items() if k != "pattern"})
            return arr
        if origin is dict:
            return {"type": "object"}
        if attrs.has(t):
            ref(t)
            return {"$ref": f"#/$defs/{t.__name__}"}
        if isinstance(t, type) and issubclass(t, enum.Enum):
            return {"enum": [m.value for m in t], **extra}
        base: dict[str, Any]
        if t is bool:
            base = {"type": "boolean"}
        elif t is int:
            base = {"type": "integer"}
        elif t is float:
            base = {"type": "number"}
        elif t is str:
            base = {"type": "string"}
        elif t is dt.date:
            base = dict(_DATE)
        else:
            raise TypeError(f"no schema mapping for {t!r}")
        return {**base, **extra}

    def ref(cls: type) -> None:
        if cls.__name__ in defs:
            return
        defs[cls.__name__] = {}  # placeholder against recursion
        attrs.resolve_types(cls)
        props: dict[str, Any] = {}
        required: list[str] = []
        for a in attrs.fields(cls):
            extra = dict(a.metadata.get(SCHEMA_KEY, {}))
            # annotations (x-category, x-export...) describe the property itself: keep them
            # off the anyOf branches and next to a $ref, where of_type would lose them
            notes = {k: extra.pop(k) for k in list(extra) if k.startswith("x-")}
            prop = {**of_type(a.type, extra), **notes}
            prop["description"] = a.metadata.get(DOC_KEY, "")
            if a.default is not attrs.NOTHING:
                default = a.default
                if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    default = []
                elif isinstance(default, enum.Enum):
                    default = default.value
                prop["default"] = default
            else:
                required.append(a.name)
            props[a.name] = prop
        doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n    ", " ")
        body: dict[str, Any] = {
            "type": "object",
            "description": doc,
            "properties": props,
            "additionalProperties": False,
        }
        if required:
            body["required"] = required
        defs[cls.__name__] = body

    ref(Case)
    root = defs.pop("Case")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_ID}case.schema.json",
        "title": "inclusione_core case exchange format",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def schema_text(name: str) -> str:
    """The shipped text of a schema (``case``, ``territory``, ``scenario``)."""
    return resources.files("inclusione_core").joinpath(f"schemas/{name}.schema.json").read_text(
        encoding="utf-8"
    )


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """A shipped schema, parsed."""
    schema: dict[str, Any] = json.loads(schema_text(name))
    return schema


@functools.cache
def validator(name: str) -> Validator:
    """A compiled Draft 2020-12 validator (with format checking) for a shipped schema."""
    from jsonschema import Draft202012Validator  # noqa: PLC0415 - heavy import, on demand

    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@functools.cache
def file_validator(path: Path) -> Validator:
    """A compiled validator for a JSON Schema file (an instrument), checked once."""
    from jsonschema import Draft202012Validator  # noqa: PLC0415 - heavy import, on demand
    from jsonschema.exceptions import SchemaError  # noqa: PLC0415

    from ._errors import ConfigurationError  # noqa: PLC0415
    from ._reader import read_json  # noqa: PLC0415

    schema = read_json(path, case=False, error=ConfigurationError)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        path_of = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in exc.absolute_path)
        raise ConfigurationError(str(path), [ErrorDetail(
            path_of, Message("not a valid JSON Schema (Draft 2020-12)"), None, str(exc.validator))]) from None
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def details_from(errors: Any) -> list[ErrorDetail]:
    """Turn jsonschema errors into :class:`ErrorDetail`, sorted by path, leaves first."""
    out: list[ErrorDetail] = []
    for err in errors:
        leaves = list(err.context) if err.validator in ("anyOf", "oneOf") and err.context else []
        if leaves and all(e.validator == "type" and e.instance is None for e in leaves):
            leaves = []
        if leaves and all(e.validator == "required" for e in leaves):
            options = sorted({k for e in leaves for k in e.validator_value if k not in err.instance})
            out.append(ErrorDetail(err.json_path, Message("at least one of these is needed: {options}",
                                                          options=", ".join(options)), None, "anyOf"))
            continue
        if leaves:
            best = max(leaves, key=lambda e: len(e.absolute_path))
            out.extend(details_from([best]))
            continue
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = err.schema.get("properties", {})
            for key in sorted(k for k in err.instance if k not in allowed):
                path = f"{err.json_path}.{key}" if key.isidentifier() else f"{err.json_path}[{key!r}]"
                out.append(ErrorDetail(path, Message("unknown field"), key, "additionalProperties"))
            continue
        if err.validator == "required" and isinstance(err.instance, dict):
            for key in err.validator_value:
                if key not in err.instance:
                    out.append(ErrorDetail(_child(err.json_path, key), Message("missing required field"), None,
                                           "required"))
            continue
        out.append(ErrorDetail(err.json_path, _italian(err), err.instance, str(err.validator)))
    unique = {(d.path, d.rule, d.message): d for d in out}  # jsonschema repeats `required` per missing key
    return sorted(unique.values(), key=lambda d: d.path)


_TYPES = {"string": N_("text"), "integer": N_("integer number"), "number": N_("number"),
          "boolean": N_("boolean (true/false)"), "array": N_("list"), "object": N_("object"), "null": N_("null")}
_FORMATS = {"date": N_("a valid date YYYY-MM-DD")}


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{key!r}]"


def _named(table: dict[str, str], code: str) -> str:
    """A JSON Schema name (a type, a format) as a message, the name itself when the table lacks it."""
    msgid = table.get(code)
    return code if msgid is None else Message(msgid)


def _italian(err: Any) -> str:
    """A message (Italian, or any language) for the common JSON Schema keywords; never jsonschema's own."""
    v = err.validator_value
    match err.validator:
        case "type":
            wanted = [_named(_TYPES, t) for t in ([v] if isinstance(v, str) else list(v))]
            return Message("wrong type: expected {types}", types=functools.reduce(
                lambda first, second: Message("{first} or {second}", first=first, second=second), wanted))
        case "enum":
            return Message("value not allowed; allowed values: {allowed}",
                           allowed=", ".join(json.dumps(x, ensure_ascii=False) for x in v))
        case "const":
            return Message("must be {value}", value=json.dumps(v, ensure_ascii=False))
        case "pattern":
            return Message("invalid format (expected pattern: {pattern})", pattern=v)
        case "format":
            return Message("is not {format}", format=_named(_FORMATS, v))
        case "minimum":
            return Message("below the allowed minimum ({limit})", limit=v)
        case "maximum":
            return Message("above the allowed maximum ({limit})", limit=v)
        case "minItems":
            return Message("at least {n} items are needed", n=v)
        case "maxItems":
            return Message("at most {n} items are allowed", n=v)
        case "minLength":
            return Message("text too short (at least {n} characters)", n=v)
        case "maxLength":
            return Message("text too long (at most {n} characters)", n=v)
        case "exclusiveMinimum":
            return Message("must be greater than {limit}", limit=v)
        case "exclusiveMaximum":
            return Message("must be less than {limit}", limit=v)
        case "multipleOf":
            return Message("must be a multiple of {n}", n=v)
        case "not":
            return Message("value not allowed (not constraint)")
        case "propertyNames":
            return Message("key name not allowed")
        case "contains" | "minContains" | "maxContains":
            return Message("the list does not contain the required items")
        case "dependentRequired" | "dependentSchemas":
            return Message("a field required together with another is missing")
        case "uniqueItems":
            return Message("the list contains repeated items")
        case "minProperties" | "maxProperties":
            return Message("number of keys not allowed: {problem}", problem=err.message)
        case "oneOf" | "anyOf":
            return Message("matches none of the allowed forms")
        case _:  # never the message of jsonschema: it copies the whole offending value
            return Message("constraint not met: {rule}", rule=err.validator)


def validate_instance(name: str, data: Any) -> list[ErrorDetail]:
    """Every error of ``data`` against a shipped schema, by JSON path (empty when valid)."""
    return details_from(validator(name).iter_errors(data))
