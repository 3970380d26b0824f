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
            path_of, "non è uno JSON Schema valido (Draft 2020-12)", None, str(exc.validator))]) from None
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
            out.append(ErrorDetail(err.json_path, f"serve almeno uno tra: {', '.join(options)}", None, "anyOf"))
            continue
        if leaves:
            best = max(leaves, key=lambda e: len(e.absolute_path))
            out.extend(details_from([best]))
            continue
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = err.schema.get("properties", {})
            for key in sorted(k for k in err.instance if k not in allowed):
                path = f"{err.json_path}.{key}" if key.isidentifier() else f"{err.json_path}[{key!r}]"
                out.append(ErrorDetail(path, "campo sconosciuto", key, "additionalProperties"))
            continue
        if err.validator == "required" and isinstance(err.instance, dict):
            for key in err.validator_value:
                if key not in err.instance:
                    out.append(ErrorDetail(_child(err.json_path, key), "campo obbligatorio mancante", None, "required"))
            continue
        out.append(ErrorDetail(err.json_path, _italian(err), err.instance, str(err.validator)))
    unique = {(d.path, d.rule, d.message): d for d in out}  # jsonschema repeats `required` per missing key
    return sorted(unique.values(), key=lambda d: d.path)


_TYPES_IT = {"string": "testo", "integer": "numero intero", "number": "numero", "boolean": "booleano (true/false)",
             "array": "lista", "object": "oggetto", "null": "null"}
_FORMATS_IT = {"date": "una data valida AAAA-MM-GG"}


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{key!r}]"


def _italian(err: Any) -> str:
    """An Italian message for the common JSON Schema keywords (the English one otherwise)."""
    v = err.validator_value
    match err.validator:
        case "type":
            wanted = [v] if isinstance(v, str) else list(v)
            return "tipo errato: atteso " + " o ".join(_TYPES_IT.get(t, t) for t in wanted)
        case "enum":
            return "valore non ammesso; valori ammessi: " + ", ".join(json.dumps(x, ensure_ascii=False) for x in v)
        case "const":
            return f"deve valere {json.dumps(v, ensure_ascii=False)}"
        case "pattern":
            return f"formato non valido (modello atteso: {v})"
        case "format":
            return f"non è {_FORMATS_IT.get(v, v)}"
        case "minimum":
            return f"inferiore al minimo ammesso ({v})"
        case "maximum":
            return f"superiore al massimo ammesso ({v})"
        case "minItems":
            return f"servono almeno {v} elementi"
        case "maxItems":
            return f"ammessi al più {v} elementi"
        case "minLength":
            return f"testo troppo corto (almeno {v} caratteri)"
        case "maxLength":
            return f"testo troppo lungo (al più {v} caratteri)"
        case "exclusiveMinimum":
            return f"deve essere maggiore di {v}"
        case "exclusiveMaximum":
            return f"deve essere minore di {v}"
        case "multipleOf":
            return f"deve essere multiplo di {v}"
        case "not":
            return "valore non ammesso (vincolo not)"
        case "propertyNames":
            return "nome di chiave non ammesso"
        case "contains" | "minContains" | "maxContains":
            return "la lista non contiene gli elementi richiesti"
        case "dependentRequired" | "dependentSchemas":
            return "manca un campo richiesto insieme a un altro"
        case "uniqueItems":
            return "la lista contiene elementi ripetuti"
        case "minProperties" | "maxProperties":
            return f"numero di chiavi non ammesso: {err.message}"
        case "oneOf" | "anyOf":
            return "non corrisponde a nessuna delle forme ammesse"
        case _:  # never the message of jsonschema: it copies the whole offending value
            return f"vincolo non rispettato: {err.validator}"


def validate_instance(name: str, data: Any) -> list[ErrorDetail]:
    """Every error of ``data`` against a shipped schema, by JSON path (empty when valid)."""
    return details_from(validator(name).iter_errors(data))
