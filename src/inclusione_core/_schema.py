"""
JSON Schemas (Draft 2020-12): generated for the exchange formats, hand-written for configurations.

* ``case.schema.json`` (the case exchange format), ``result.schema.json`` (the explained
  result) and ``view.schema.json`` (the JSON the CLI prints: a recipient's view of a result
  or of a case, or an error) are **generated from the models** (:func:`generate_schema`)
  and shipped as package data; a test fails if a shipped file drifts from the models.
* ``territory.schema.json`` and ``scenario.schema.json`` are written by hand.

Every published schema compiles under ajv's strict mode too (``tools/ajv``), and both
implementations give the same verdicts; in particular a date is always
``{"type": "string", "format": "date", "pattern": DATE_PATTERN}`` (see :mod:`._fields`).

jsonschema is imported lazily: it costs 0.2 s and is needed only to load configuration
(once) and to explain an input that the converter already refused.
"""

from __future__ import annotations

import ast
import datetime as dt
import enum
import functools
import inspect
import itertools
import json
import re
import textwrap
import types
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

import attrs

from ._categories import DataCategory
from ._errors import ErrorDetail
from ._fields import CODE_PATTERN, DATE_PATTERN, DOC_KEY, FORMAT_1_KEY, ID_PATTERN, SCHEMA_KEY, TIMESTAMP_PATTERN
from ._models import CASE_FORMAT_VERSION, Case, Purpose, Result
from .i18n import N_, Message

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

SCHEMA_NAMES = ("case", "territory", "scenario", "result", "view", "report")
GENERATED = ("case", "result", "view")
BASE_ID = "https://inclusione-core.example/schemas/"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
_DATE = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
_IVAR = re.compile(r"^:ivar (\w+): *(.*)$")


@functools.cache
def _field_docs(cls: type) -> dict[str, str]:
    """
    The documentation of each field of a model: ``:ivar name:`` lines of the class docstring
    and attribute docstrings (a string literal right after the field); a field declared with
    :func:`._fields.field` carries its own ``doc``, which takes precedence.
    """
    docs: dict[str, str] = {}
    lines = inspect.cleandoc(cls.__doc__ or "").splitlines()
    for i, line in enumerate(lines):
        match = _IVAR.match(line)
        if match:
            text = [match.group(2)]
            text += [x.strip() for x in _continuation(lines[i + 1:])]
            doc = " ".join(t for t in text if t)
            docs[match.group(1)] = doc[:1].upper() + doc[1:]
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):  # no source (a frozen build): the :ivar lines are enough
        return docs
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    for node, after in itertools.pairwise(body):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(after, ast.Expr) \
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str):
            doc = " ".join(inspect.cleandoc(after.value.value).split())
            docs.setdefault(node.target.id, doc[:1].upper() + doc[1:])
    return docs


def _continuation(lines: list[str]) -> list[str]:
    """The continuation lines of a reST field: those indented under it."""
    out = []
    for line in lines:
        if not line.startswith((" ", "\t")):
            break
        out.append(line)
    return out


def _json_default(value: Any) -> Any:
    """A field default as JSON: factories called, enums by value, tuples as lists."""
    if isinstance(value, attrs.Factory):  # type: ignore[arg-type]
        value = value.factory()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_json_default(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _Generator:
    """
    One walk over attrs models, from a root class, into a schema body and its ``$defs``.

    :param suffix: appended to every definition name (``MemberView``).
    :param view: the models as a recipient's view shows them: every field may be ``null``
        (withheld), a list may be shorter than the model allows (withheld items are left out).
    """

    def __init__(self, *, suffix: str = "", view: bool = False) -> None:
        self.suffix = suffix
        self.view = view
        self.defs: dict[str, Any] = {}

    def name(self, cls: type) -> str:
        return f"{cls.__name__}{self.suffix}"

    def of_type(self, t: Any, extra: dict[str, Any]) -> dict[str, Any]:
        origin = get_origin(t)
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(t) if a is not type(None)]
            (inner,) = args
            return {"anyOf": [self.of_type(inner, extra), {"type": "null"}]}
        if origin is tuple:
            item_extra = {k: v for k, v in extra.items() if k == "pattern"}
            arr: dict[str, Any] = {"type": "array", "items": self.of_type(get_args(t)[0], item_extra)}
            arr.update({k: v for k, v in extra.items() if k != "pattern"})
            return arr
        if origin is dict:
            _key, value = get_args(t)
            if value is Any:
                return {"type": "object"}
            return {"type": "object", "additionalProperties": self.of_type(value, {}), **extra}
        if attrs.has(t):
            self.add(t)
            return {"$ref": f"#/$defs/{self.name(t)}"}
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
        elif t is Any:
            return {}
        else:
            raise TypeError(f"no schema mapping for {t!r}")
        return {**base, **extra}

    def add(self, cls: type) -> None:
        name = self.name(cls)
        if name in self.defs:
            return
        self.defs[name] = {}  # placeholder against recursion
        attrs.resolve_types(cls)
        docs = _field_docs(cls)
        props: dict[str, Any] = {}
        required: list[str] = []
        for a in attrs.fields(cls):
            extra = dict(a.metadata.get(SCHEMA_KEY, {}))
            # annotations (x-category, x-export...) describe the property itself: keep them
            # off the anyOf branches and next to a $ref, where of_type would lose them
            notes = {k: extra.pop(k) for k in list(extra) if k.startswith("x-")}
            if self.view:
                extra.pop("minItems", None)  # withheld items are left out of a list
            schema = self.of_type(a.type, extra)
            legacy = a.metadata.get(FORMAT_1_KEY)
            if legacy is not None and not self.view:  # still read, never written (a view shows the current form)
                old = {**legacy, "deprecated": True, "description": "The form of version 1 of the case format."}
                schema = {"anyOf": [*schema.get("anyOf", [schema]), old]}
            if self.view and not _nullable(schema):
                schema = {"anyOf": [schema, {"type": "null"}]}
            prop = {**schema, **notes}
            doc = a.metadata.get(DOC_KEY) or docs.get(a.name)
            if doc is not None:
                prop["description"] = doc
            if a.default is not attrs.NOTHING:
                prop["default"] = _json_default(a.default)
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
        self.defs[name] = body

    def document(self, root: type, *, name: str, title: str) -> dict[str, Any]:
        """A whole schema document whose root is ``root``."""
        self.add(root)
        body = self.defs.pop(self.name(root))
        return {
            "$schema": DRAFT,
            "$id": f"{BASE_ID}{name}.schema.json",
            "title": title,
            **body,
            "$defs": dict(sorted(self.defs.items())),
        }


def _nullable(schema: dict[str, Any]) -> bool:
    return {"type": "null"} in schema.get("anyOf", ())


def generate_case_schema() -> dict[str, Any]:
    """Build the case exchange schema from the attrs models (the single source of truth)."""
    schema = _Generator().document(Case, name="case", title="inclusione_core case exchange format")
    head = dict(itertools.islice(schema.items(), 3))  # $schema, $id, title: then the format's version
    return {**head, "x-format-version": CASE_FORMAT_VERSION, **{k: v for k, v in schema.items() if k not in head}}


def generate_result_schema() -> dict[str, Any]:
    """
    Build the schema of an explained result (``Result`` and everything in it) from the models.

    It accepts a recipient's view of a result too: the masked values (``non_comunicato``,
    ``null`` grades and ``household_takes_part``) are values the models admit.
    """
    return _Generator().document(Result, name="result", title="inclusione_core explained result")


_VIEW_DESCRIPTION = (
    "What `inclusione --json` prints about a case: one line of `assess` (a recipient's view of "
    "a result, or the error of that case), or the object of `privacy view` (a recipient's view "
    "of a case). A view carries only what the recipient may receive, the categories disclosed "
    "with their basis, and the categories it may not receive (`not_disclosed`, the same "
    "whatever the case holds). See README.md, 'JSON output'."
)


def _envelope() -> dict[str, Any]:
    """The parts of a view that go out with its data (``_view_json`` in the CLI)."""
    string = {"type": "string"}
    code = {"type": "string", "pattern": CODE_PATTERN}
    return {
        "case_id": {"type": "string", "pattern": ID_PATTERN, "description": "Identifier of the case."},
        "territory": {**code, "description": "The territory whose rules and privacy flows applied."},
        "recipient": {**code, "description": "The kind of recipient (ssp, cpi, serd, terzo_settore...)."},
        "purpose": {"enum": [p.value for p in Purpose], "description": "The purpose of the disclosure."},
        "as_of": {**_DATE, "description": "The date whose rules were applied."},
        "at": {
            "anyOf": [{"type": "string", "pattern": TIMESTAMP_PATTERN}, {"type": "null"}],
            "description": "The moment of the disclosure, at which consents were judged (ISO 8601, with offset).",
        },
        "disclosed": {
            "type": "array",
            "items": {"$ref": "#/$defs/disclosure"},
            "description": "Every category the recipient may receive, with its basis (the same whatever the "
            "case holds).",
        },
        "not_disclosed": {
            "type": "array",
            "items": {"$ref": "#/$defs/not_disclosed"},
            "description": "Every category the recipient may not receive, with the reason (the same whatever "
            "the case holds: where the data were would reveal them).",
        },
        "masked": {
            "type": "array",
            "items": string,
            "description": "JSON paths of the parts of a result masked because their rule may read a category "
            "the recipient may not receive (always empty for a case).",
        },
    }


def _view_defs() -> dict[str, Any]:
    string = {"type": "string"}
    strings = {"type": "array", "items": string}
    envelope = _envelope()
    required = list(envelope)
    return {
        "result_view": {
            "type": "object",
            "description": "One line of `inclusione --json assess`: the view of a result for a recipient.",
            "properties": {
                "result": {"$ref": "result.schema.json",
                           "description": "The result as the recipient may see it (masked parts: "
                           "`non_comunicato` or null)."},
                **envelope,
            },
            "required": ["result", *required],
            "additionalProperties": False,
        },
        "case_view": {
            "type": "object",
            "description": "The object of `inclusione --json privacy view`: the view of a case for a recipient.",
            "properties": {
                **envelope,
                "data": {"$ref": "#/$defs/CaseView",
                         "description": "The case as the recipient may see it: withheld fields are null, "
                         "withheld items of a list are left out."},
            },
            "required": [*required, "data"],
            "additionalProperties": False,
        },
        "error_line": {
            "type": "object",
            "description": "The error of one case of `inclusione --json assess` (with its source: file, "
            "`file:line`, `<stdin>:line`), or the error that stopped a command (without).",
            "properties": {
                "source": {**string, "description": "Where the case came from."},
                "error": {"$ref": "#/$defs/error"},
            },
            "required": ["error"],
            "additionalProperties": False,
        },
        "error": {
            "type": "object",
            "description": "An error: its class, its message; an input error also lists every problem.",
            "properties": {
                "type": {**string, "description": "The error class (InvalidCaseError, InputError...)."},
                "message": {**string, "description": "The whole message, in Italian."},
                "source": {**string, "description": "The input in error (an input error only)."},
                "title": {**string, "description": "What kind of input is invalid (an input error only)."},
                "details": {"type": "array", "items": {"$ref": "#/$defs/error_detail"},
                            "description": "Every problem, by JSON path (an input error only)."},
            },
            "required": ["type", "message"],
            "dependentRequired": {"source": ["title", "details"], "title": ["source", "details"],
                                  "details": ["source", "title"]},
            "additionalProperties": False,
        },
        "error_detail": {
            "type": "object",
            "description": "One problem of an input.",
            "properties": {
                "path": {**string, "description": "JSON path of the offending value, e.g. $.household.members[0]."},
                "message": {**string, "description": "What is wrong, in plain words."},
                "value": {"description": "The offending value (null when a value is missing)."},
                "rule": {**string, "description": "The rule broken: a schema keyword, a validator, a rule id."},
                "line": {"type": "integer", "minimum": 1, "description": "The line in the file, where known."},
                "column": {"type": "integer", "minimum": 1, "description": "The column in the line, where known."},
            },
            "required": ["path", "message", "value", "rule"],
            "additionalProperties": False,
        },
        "disclosure": {
            "type": "object",
            "description": "A category the recipient may receive, and on which basis.",
            "properties": {
                "category": {"enum": [c.value for c in DataCategory]},
                "basis": {"enum": ["law", "consent"]},
                "flow": {"type": "string", "pattern": CODE_PATTERN,
                         "description": "The flow of the privacy configuration relied on."},
                "legal_basis": {**string, "description": "The legal basis cited by the flow (left out of the compact "
                                "form: the flow's, in the territory's privacy configuration)."},
                "consents": {**strings, "description": "The consents relied on (basis consent)."},
                "members": {**strings, "description": "The members whose data may go out on those consents."},
                "whole": {"type": "boolean",
                          "description": "The category may go out for the whole case (by law, or every member "
                          "consented)."},
            },
            "required": ["category", "basis", "flow", "consents", "members", "whole"],
            "additionalProperties": False,
        },
        "not_disclosed": {
            "type": "object",
            "description": "A category the recipient may not receive, with the reason in Italian and English.",
            "properties": {
                "category": {"enum": [c.value for c in DataCategory]},
                "reason_it": string,
                "reason_en": string,
            },
            "required": ["category", "reason_it", "reason_en"],
            "additionalProperties": False,
        },
    }


def generate_view_schema() -> dict[str, Any]:
    """
    Build the schema of the CLI's JSON output about a case: a view of a result (``assess``),
    of a case (``privacy view``), or an error. The result is ``result.schema.json``; the case
    as a view shows it (``CaseView``...) is generated from the case models.
    """
    case = _Generator(suffix="View", view=True)
    case.add(Case)
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_ID}view.schema.json",
        "title": "inclusione_core JSON output: recipient views and errors",
        "description": _VIEW_DESCRIPTION,
        "oneOf": [
            {"$ref": "#/$defs/result_view"},
            {"$ref": "#/$defs/case_view"},
            {"$ref": "#/$defs/error_line"},
        ],
        "$defs": {**_view_defs(), **dict(sorted(case.defs.items()))},
    }


_GENERATORS = {"case": generate_case_schema, "result": generate_result_schema, "view": generate_view_schema}


def generate_schema(name: str) -> dict[str, Any]:
    """A generated schema (``case``, ``result`` or ``view``), from the models now."""
    return _GENERATORS[name]()


def schema_text(name: str) -> str:
    """The shipped text of a schema (one of :data:`SCHEMA_NAMES`)."""
    return resources.files("inclusione_core").joinpath(f"schemas/{name}.schema.json").read_text(
        encoding="utf-8"
    )


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """A shipped schema, parsed."""
    schema: dict[str, Any] = json.loads(schema_text(name))
    return schema


@functools.cache
def registry() -> Any:
    """The shipped schemas by ``$id``, so that one may ``$ref`` another (``view`` -> ``result``)."""
    from referencing import Registry  # noqa: PLC0415 - heavy import, on demand
    from referencing.jsonschema import DRAFT202012  # noqa: PLC0415

    return Registry().with_resources(
        (load_schema(name)["$id"], DRAFT202012.create_resource(load_schema(name))) for name in SCHEMA_NAMES
    )


@functools.cache
def validator(name: str) -> Validator:
    """A compiled Draft 2020-12 validator (with format checking) for a shipped schema."""
    from jsonschema import Draft202012Validator  # noqa: PLC0415 - heavy import, on demand

    schema = load_schema(name)  # shipped and checked against the metaschema by the tests: not again at each start
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER, registry=registry())


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


def section_errors(name: str, schema: Path, data: Any) -> list[ErrorDetail]:
    """Every error of a plugin's configuration section against its schema, by path from the layer's root."""
    details = details_from(file_validator(schema).iter_errors(data))
    return [attrs.evolve(d, path=f"$.{name}{d.path[1:]}") for d in details]


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
        if err.validator == "pattern" and err.schema.get("format") == "date":
            # the date pattern says what format: date says (see _fields.DATE_PATTERN): one error, in words
            out.append(ErrorDetail(err.json_path, Message("is not {format}", format=_named(_FORMATS, "date")),
                                   err.instance, "format"))
            continue
        if err.validator is None:  # a `false` schema (write `{"not": {}}`: jsonschema then gives the field's path)
            out.append(ErrorDetail(err.json_path, Message("field not allowed here"), err.instance, "false"))
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
            return Message("field not allowed here") if v == {} else Message("value not allowed (not constraint)")
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
