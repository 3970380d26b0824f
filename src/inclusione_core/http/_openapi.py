"""
The service's contract: an OpenAPI 3.1 document built from the shipped JSON Schemas (their
``$defs`` bundled into ``components.schemas``), and a 3.0.3 copy for tools that read only 3.0.

Nothing here is written by hand twice: the bodies and results are the exchange formats of
``schemas/`` (``Case``, ``Result``, ``View``...), so the contract cannot drift from what the
library checks and returns.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .._models import Purpose
from .._schema import SCHEMA_NAMES, load_schema

__all__ = ["API_VERSION", "STEPS", "openapi_30", "openapi_document"]

API_VERSION = "1.0.0"
"""Semantic version of the HTTP contract (``info.version``); its major is the ``/v1`` of the paths."""

# step -> (operation path, the keys of the result it returns, summary)
STEPS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "assessment": ("/v1/assessment", ("profile", "scores", "measures"),
                   "The profile (with its scores) and the measures the household meets"),
    "routing": ("/v1/routing", ("routing", "network"), "Where the case goes, and the network of its municipality"),
    "equipe": ("/v1/equipe", ("equipe",), "The equipe the case calls for, each member with its reason"),
    "interventions": ("/v1/interventions", ("interventions", "not_proposed", "placements"),
                      "The interventions recommended (and those not proposed), with matched positions"),
    "project": ("/v1/project-check", ("project_problems", "deadlines"),
                "The check of the case's project and its deadlines"),
}
EXPLAINED = ("profile", "routing", "network", "equipe", "interventions", "not_proposed", "placements", "deadlines",
             "measures", "problems")
CATALOGUES = ("measures", "services", "interventions", "rules", "documents")
PROBLEM_TYPE = "https://inclusione-core.example/problems/"
_COMPONENT = {name: name.capitalize() for name in SCHEMA_NAMES}
_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _rewrite(node: Any, schema: str, fix: Callable[[dict[str, Any]], None]) -> Any:
    """A schema's node with its references pointing into ``components`` and ``fix`` applied to each object."""
    if isinstance(node, list):
        return [_rewrite(x, schema, fix) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _rewrite(v, schema, fix) for k, v in node.items() if k not in ("$schema", "$id", "$defs")}
    ref = out.get("$ref")
    if isinstance(ref, str):
        target, _, fragment = ref.partition("#")
        owner = _COMPONENT[target.removesuffix(".schema.json")] if target else _COMPONENT[schema]
        if fragment.startswith("/$defs/"):
            name, _, rest = fragment.removeprefix("/$defs/").partition("/")
            out["$ref"] = f"{_REF}{owner}.{name}" + (f"/{rest}" if rest else "")
        else:
            out["$ref"] = _REF + owner + fragment
    fix(out)
    return out


def _number_format(node: dict[str, Any]) -> None:
    """Every integer and number with a ``format`` (the AgID guidelines): int32 when bounded within it."""
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "format" in node:
        return
    if "integer" in kinds:
        low, high = node.get("minimum"), node.get("maximum")
        bounded = isinstance(low, int) and isinstance(high, int) and low >= -(2**31) and high < 2**31
        node["format"] = "int32" if bounded else "int64"
    elif "number" in kinds:
        node["format"] = "double"


def components() -> dict[str, Any]:
    """Every shipped schema, and each of its ``$defs``, as a component (``Case``, ``Case.Member``...)."""
    out: dict[str, Any] = {}
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        out[_COMPONENT[name]] = _rewrite(schema, name, _number_format)
        for key, sub in schema.get("$defs", {}).items():
            out[f"{_COMPONENT[name]}.{key}"] = _rewrite(sub, name, _number_format)
    return out


def _problem_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "An error (RFC 9457): no value of the request is ever repeated in it.",
        "properties": {
            "type": {"type": "string", "description": "What kind of problem it is (a URI)."},
            "title": {"type": "string", "description": "Short, the same for every problem of this type."},
            "status": {"type": "integer", "format": "int32", "minimum": 100, "maximum": 599,
                       "description": "The HTTP status."},
            "detail": {"type": "string", "description": "What went wrong, in the language asked (Italian by default)."},
            "instance": {"type": "string", "description": "The operation that answered."},
            "errors": {"type": "array", "description": "Every problem found in the request, each where it is.",
                       "items": _ref("ProblemError")},
        },
        "required": ["type", "title", "status"],
    }


def _problem_error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "pointer": {"type": "string", "description": "JSON Pointer (RFC 6901) into the body, e.g. "
                                                         "`/case/household/members/0/birth_date` (cut before a key "
                                                         "the formats do not name: keys the client chose are never "
                                                         "repeated)."},
            "parameter": {"type": "string", "description": "The query parameter at fault, for a problem there."},
            "keyword": {"type": "string", "description": "The rule broken: schema keyword, validator or rule id."},
            "detail": {"type": "string", "description": "What is wrong there (never the value)."},
        },
        "required": ["keyword", "detail"],
        "additionalProperties": False,
    }


def _request_schema() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "case": _ref("Case"),
        "as_of": {"type": "string", "format": "date",
                  "description": "The date whose rules apply (default: today, in Italy)."},
        "recipient": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$",
                      "description": "The recipient the view is for: if given, it must be the caller's own (403 "
                                     "otherwise, never a wider view)."},
        "purpose": {"enum": [p.value for p in Purpose],
                    "description": "The purpose of the disclosure: if given, it must be the caller's own (403 "
                                   "otherwise)."},
        "lang": {"enum": ["it", "en"], "description": "Language of the explanation's texts (default: the request's "
                                                   "Accept-Language, else it); errors follow Accept-Language."},
    }
    return {"type": "object", "properties": properties, "required": ["case"], "additionalProperties": False}


def _step_schema(keys: Iterable[str]) -> dict[str, Any]:
    view = f"{_REF}View.result_view/properties/"
    shown = ("case_id", "territory", "as_of", *keys, "provenance")
    result = {"type": "object", "additionalProperties": False, "required": list(shown),
              "properties": {k: {"$ref": f"{_REF}Result/properties/{k}"} for k in shown}}
    meta = ("case_id", "territory", "recipient", "purpose", "as_of", "at", "disclosed", "not_disclosed", "masked")
    return {"type": "object", "additionalProperties": False, "required": ["step", "result", *meta],
            "properties": {"step": {"type": "string"}, "result": result,
                           **{k: {"$ref": view + k} for k in meta}}}


def _explanation_schema() -> dict[str, Any]:
    reason = {"type": "object", "additionalProperties": False,
              "required": ["message", "rule", "territory", "source", "inputs", "provenance"],
              "properties": {k: {"type": ["string", "null"] if k == "inputs" else "string"} for k in
                             ("message", "rule", "territory", "source", "inputs", "provenance")}}
    item = {"type": "object", "additionalProperties": False, "required": ["title", "details", "reasons"],
            "properties": {"title": {"type": "string"}, "details": {"type": "array", "items": {"type": "string"}},
                           "reasons": {"type": "array", "items": reason}}}
    return {"type": "object", "additionalProperties": False,
            "required": ["decision", "case_id", "recipient", "purpose", "title", "fields", "reasons", "items",
                         "empty", "text"],
            "description": "One decision of the result view, laid out: what the operator reads, as data and text.",
            "properties": {
                "decision": {"enum": list(EXPLAINED)},
                "case_id": {"type": "string"}, "recipient": {"type": "string"},
                "purpose": {"enum": [p.value for p in Purpose]},
                "title": {"type": "string"},
                "fields": {"type": "array", "items": {"type": "string"}},
                "reasons": {"type": "array", "items": reason},
                "items": {"type": "array", "items": item},
                "empty": {"type": ["string", "null"]},
                "text": {"type": "string", "description": "The decision as the text report lays it out."}}}


_HEADERS = {
    "X-Inclusione-Version": {"description": "Version of inclusione_core that answered.",
                             "schema": {"type": "string"}, "required": True},
    "X-Inclusione-Config-Digest": {
        "description": "Digest of the configuration applied: the territory's (for a case), else of every territory.",
        "schema": {"type": "string"}, "required": True},
    "Cache-Control": {"description": "Always `no-store`.", "schema": {"const": "no-store"}, "required": True},
    "X-RateLimit-Limit": {"description": "Set by the API gateway (ModI), when it limits the rate.",
                          "schema": {"type": "integer", "format": "int64"}},
    "X-RateLimit-Remaining": {"description": "Set by the API gateway, when it limits the rate.",
                              "schema": {"type": "integer", "format": "int64"}},
    "X-RateLimit-Reset": {"description": "Set by the API gateway, when it limits the rate (seconds).",
                          "schema": {"type": "integer", "format": "int64"}},
}
_PROBLEMS = {
    "400": "The body is not JSON (or not JSON Lines), or a query parameter the operation does not have.",
    "401": "No verified identity came with the request (the gateway's headers).",
    "403": "The request asks for more than the caller may see (another recipient or purpose).",
    "404": "No such territory or schema.",
    "406": "The client does not accept JSON.",
    "413": "The body is beyond its size limit (a batch: or its number of lines).",
    "415": "The body is not `application/json` (`application/x-ndjson` for the batch).",
    "422": "The body is JSON but not a valid request (or beyond a limit of the reader: depth, digits, texts): every"
           " problem, each with its JSON pointer and rule.",
    "500": "A defect of the service (never a trace): the request may be retried once, then reported.",
}


def _problem_responses(*codes: str) -> dict[str, Any]:
    return {code: {"description": _PROBLEMS[code], "headers": {k: {"$ref": f"#/components/headers/{k}"}
                                                               for k in _HEADERS},
                   "content": {"application/problem+json": {"schema": _ref("Problem")}}}
            for code in codes}


def _ok(schema: dict[str, Any], description: str, media: str = "application/json") -> dict[str, Any]:
    return {"200": {"description": description,
                    "headers": {k: {"$ref": f"#/components/headers/{k}"} for k in _HEADERS},
                    "content": {media: {"schema": schema}}}}


def _identity_parameters(names: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        {"name": names["subject"], "in": "header", "required": True,
         "description": "Who the gateway verified (an operator or a system): recorded in the disclosure audit.",
         "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
        {"name": names["recipient"], "in": "header", "required": True,
         "description": "The recipient kind the gateway vouches for (ssp, cpi, serd...): the view is for it.",
         "schema": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}},
        {"name": names["purpose"], "in": "header", "required": True,
         "description": "The purpose the gateway vouches for (the PDND voucher's purpose, mapped).",
         "schema": {"enum": [p.value for p in Purpose]}},
        {"name": names["service"], "in": "header", "required": False,
         "description": "The recipient's service id, when the gateway knows it (an enterprise sees only its own "
                        "positions).",
         "schema": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}},
    ]


def openapi_document(*, version: str, headers: Mapping[str, str],
                     example: tuple[Mapping[str, Any], dt.date] | None = None,
                     limits: Mapping[str, int] | None = None) -> dict[str, Any]:
    """
    The OpenAPI 3.1 document of the service.

    :param version: the core's version (in ``info``, beside the contract's ``API_VERSION``).
    :param headers: the names of the identity headers (``subject``, ``recipient``, ``purpose``).
    :param example: a case and its date, for the request examples (the Prato example case).
    :param limits: the batch's limits (``lines``, ``bytes``), stated in its description.
    """
    identity = _identity_parameters(headers)
    as_of_param = {"name": "as_of", "in": "query", "required": False,
                   "description": "Only what was in force on this date (default: everything, with its dates).",
                   "schema": {"type": "string", "format": "date"}}
    media: dict[str, Any] = {"schema": _ref("EvaluationRequest")}
    body = {"required": True, "content": {"application/json": media}}
    if example is not None:
        case, day = example
        media["examples"] = {
            "prato": {"summary": f"The Prato example case, as of {day.isoformat()}",
                      "value": {"case": case, "as_of": day.isoformat()}}}
    case_errors = _problem_responses("400", "401", "403", "413", "415", "422", "500")
    paths: dict[str, Any] = {
        "/v1/evaluate": {"post": {
            "operationId": "evaluate", "tags": ["valutazione"],
            "summary": "The whole evaluation of a case, as the caller's recipient may see it for its purpose",
            "description": "Every decision of the pipeline with its reason, masked where a rule may read data "
                           "the recipient may not receive; the disclosure is recorded in the audit.",
            "parameters": identity, "requestBody": body,
            "responses": {**_ok(_ref("View.result_view"), "The view of the result."), **case_errors}}},
        "/v1/explain/{decision}": {"post": {
            "operationId": "explain", "tags": ["valutazione"],
            "summary": "The explanation of one decision (rule, source, inputs, provenance), as text and data",
            "parameters": [*identity, {"name": "decision", "in": "path", "required": True,
                                       "schema": {"enum": list(EXPLAINED)}}],
            "requestBody": body,
            "responses": {**_ok(_ref("Explanation"), "The decision's explanation."),
                          **_problem_responses("400", "401", "403", "404", "413", "415", "422", "500")}}},
        "/v1/batch": {"post": {
            "operationId": "batch", "tags": ["valutazione"],
            "summary": "Many cases, JSON Lines in, one line out per case in input order",
            "description": "Each line out is the view of that case's result (the case's own territory), or "
                           "`{source, problem}` (a line not JSON: 400; a recipient its territory does not provide "
                           "for: 403; an invalid case: 422, pointers from the line's root). At most "
                           f"{(limits or {}).get('lines', 0) or 'the configured number of'} lines and "
                           f"{(limits or {}).get('bytes', 0) or 'the configured number of'} bytes (413 beyond).",
            "parameters": [*identity, as_of_param | {"description": "The date whose rules apply (default: today)."}],
            "requestBody": {"required": True, "content": {"application/x-ndjson": {"schema": _ref("Case")}}},
            "responses": {**_ok(_ref("BatchLine"), "One line per case, in order.", "application/x-ndjson"),
                          **_problem_responses("400", "401", "413", "415", "500")}}},
        "/v1/territories": {"get": {
            "operationId": "territories", "tags": ["cataloghi"], "summary": "The territories this service knows",
            "responses": {**_ok(_ref("TerritoryList"), "Every territory with its chain and digest."),
                          **_problem_responses("400", "500")}}},
        "/v1/territories/{territory}/{catalogue}": {"get": {
            "operationId": "catalogue", "tags": ["cataloghi"],
            "summary": "A catalogue of a territory: measures (with dates), services, interventions, rules (with "
                       "their sources), documents",
            "parameters": [{"name": "territory", "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}},
                           {"name": "catalogue", "in": "path", "required": True, "schema": {"enum": list(CATALOGUES)}},
                           as_of_param],
            "responses": {**_ok(_ref("Catalogue"), "The catalogue, entries keyed by code (rules: a list)."),
                          **_problem_responses("400", "404", "500")}}},
        "/v1/schemas/{name}": {"get": {
            "operationId": "schema", "tags": ["contratto"], "summary": "A JSON Schema of the exchange formats",
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"enum": list(SCHEMA_NAMES)}}],
            "responses": {**_ok({"type": "object"}, "The JSON Schema (Draft 2020-12).", "application/schema+json"),
                          **_problem_responses("400", "404", "500")}}},
        "/v1/openapi.json": {"get": {
            "operationId": "openapi", "tags": ["contratto"], "summary": "This document (OpenAPI 3.1)",
            "responses": {**_ok({"type": "object"}, "The OpenAPI 3.1 document."), **_problem_responses("400")}}},
        "/v1/openapi-3.0.json": {"get": {
            "operationId": "openapi30", "tags": ["contratto"],
            "summary": "This document for tools that read only OpenAPI 3.0 (what 3.0 cannot say is left out)",
            "responses": {**_ok({"type": "object"}, "The OpenAPI 3.0.3 document."), **_problem_responses("400")}}},
        "/v1/status": {"get": {
            "operationId": "status", "tags": ["contratto"], "summary": "Whether the service answers (AgID)",
            "responses": {"200": {"description": "It does.", "headers": {k: {"$ref": f"#/components/headers/{k}"}
                                                                         for k in _HEADERS},
                                  "content": {"application/problem+json": {"schema": _ref("Problem")}}},
                          **_problem_responses("400", "500")}}},
    }
    for step, (path, _keys, summary) in STEPS.items():
        paths[path] = {"post": {
            "operationId": f"step_{step}", "tags": ["valutazione"], "summary": summary,
            "description": "One step of the pipeline, as the caller may see it (the steps before it are run too: "
                           "each decides from the previous ones).",
            "parameters": identity, "requestBody": body,
            "responses": {**_ok(_ref(f"Step.{step}"), "The step's part of the result view."), **case_errors}}}
    schemas = components()
    schemas.update({
        "Problem": _problem_schema(), "ProblemError": _problem_error_schema(),
        "EvaluationRequest": _request_schema(),
        "Explanation": _explanation_schema(),
        "BatchLine": {"oneOf": [_ref("View.result_view"), {
            "type": "object", "required": ["source", "problem"], "additionalProperties": False,
            "properties": {"source": {"type": "string"}, "problem": _ref("Problem")}}]},
        "TerritoryList": {"type": "object", "required": ["territories"], "additionalProperties": False,
                          "properties": {"territories": {"type": "array", "items": {
                              "type": "object", "required": ["id", "label", "level", "lineage", "digest"],
                              "additionalProperties": False,
                              "properties": {"id": {"type": "string"}, "label": {"type": "object"},
                                             "level": {"type": "string"},
                                             "lineage": {"type": "array", "items": {"type": "string"}},
                                             "digest": {"type": "string"}}}}}},
        "Catalogue": {"type": "object", "required": ["territory", "catalogue", "as_of", "digest", "entries"],
                      "additionalProperties": False,
                      "properties": {"territory": {"type": "string"}, "catalogue": {"enum": list(CATALOGUES)},
                                     "as_of": {"type": ["string", "null"], "format": "date"},
                                     "digest": {"type": "string"},
                                     "entries": {"anyOf": [{"type": "object"}, {"type": "array"}]}}},
        **{f"Step.{step}": _step_schema(keys) for step, (_, keys, _) in STEPS.items()},
    })
    for schema in schemas.values():
        _walk_fix(schema, _number_format)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "inclusione_core",
            "version": API_VERSION,
            "summary": "Social services and Centri per l'Impiego working one case together: the explained pipeline "
                       "over HTTP",
            "description": "Every answer is the view of the data for the recipient and purpose the API gateway "
                           "vouches for (headers), consents judged at the request; no personal data in URLs. "
                           f"inclusione_core {version}.",
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
            "x-api-id": "inclusione-core",
            "x-summary": "Valutazione integrata servizi sociali e CPI",
            "contact": {"name": "inclusione_core developers", "url": "https://inclusione-core.example/"},
        },
        "servers": [{"url": "http://127.0.0.1:8000", "description": "`inclusione serve` on this machine"}],
        "tags": [{"name": "valutazione", "description": "Assessing cases"},
                 {"name": "cataloghi", "description": "What the territories configure"},
                 {"name": "contratto", "description": "This contract and the service's status"}],
        "paths": paths,
        "components": {"schemas": schemas, "headers": copy.deepcopy(_HEADERS)},
    }


def _walk_fix(node: Any, fix: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(node, list):
        for x in node:
            _walk_fix(x, fix)
    elif isinstance(node, dict):
        for v in node.values():
            _walk_fix(v, fix)
        fix(node)


# ------------------------------------------------------------------ OpenAPI 3.0.3

_KEYWORDS_30 = {
    "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
    "pattern", "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties", "required", "enum", "type",
    "allOf", "oneOf", "anyOf", "not", "items", "properties", "additionalProperties", "description", "format",
    "default", "nullable", "discriminator", "readOnly", "writeOnly", "example", "externalDocs", "deprecated",
    "$ref",
}


def _schema_30(node: Any) -> Any:
    """A 2020-12 schema said in OpenAPI 3.0's subset: nullable for null types, enum for const, the rest left out."""
    if isinstance(node, list):
        return [_schema_30(x) for x in node]
    if isinstance(node, bool):  # 3.0 has no boolean schemas
        return {} if node else {"not": {}}
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"]}  # 3.0 ignores a reference's siblings
    out: dict[str, Any] = {}
    kinds = node.get("type")
    if isinstance(kinds, list):
        real = [k for k in kinds if k != "null"]
        if len(real) < len(kinds):
            out["nullable"] = True
        if len(real) == 1:
            out["type"] = real[0]
        elif real:
            out["anyOf"] = [{"type": k} for k in real]
    elif kinds == "null":
        out["nullable"] = True
        out["enum"] = [None]
    elif kinds is not None:
        out["type"] = kinds
    if "const" in node:
        out["enum"] = [node["const"]]
    if node.get("examples"):
        out["example"] = node["examples"][0]
    for key, value in node.items():
        if key in ("type", "const", "examples") or key not in _KEYWORDS_30:
            continue
        if key == "properties":
            out[key] = {k: _schema_30(v) for k, v in value.items()}
        elif key in ("exclusiveMinimum", "exclusiveMaximum"):  # 2020-12's number is 3.0's bound and flag
            out[key.replace("exclusiveM", "m")] = value
            out[key] = True
        elif key in ("allOf", "oneOf", "anyOf", "not", "items", "additionalProperties"):
            if not isinstance(value, bool) or key == "additionalProperties":
                out[key] = _schema_30(value) if not isinstance(value, bool) else value
        else:
            out[key] = value
            if key == "enum" and None in value:
                out["nullable"] = True
    if "enum" in out and "type" not in out and "nullable" not in out and "anyOf" not in out:
        kinds_of = {type(v).__name__ for v in out["enum"]}
        if kinds_of == {"str"}:
            out["type"] = "string"
    if "type" not in out and node.get("prefixItems"):
        out["type"] = "array"
    if out.get("type") == "array" and "items" not in out:
        out["items"] = {}
    return out


def openapi_30(document: Mapping[str, Any]) -> dict[str, Any]:
    """The 3.1 document said in OpenAPI 3.0.3 (the schemas' 2020-12 keywords 3.0 lacks are left out)."""
    doc = copy.deepcopy(dict(document))
    doc["openapi"] = "3.0.3"
    doc.pop("jsonSchemaDialect", None)
    info = doc["info"]
    info.pop("summary", None)
    info["license"] = {"name": info["license"]["name"], "url": "https://interoperable-europe.ec.europa.eu/collection/eupl"}

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(x) for x in node]
        if not isinstance(node, dict):
            return node
        return {k: (_schema_30(v) if k == "schema" else walk(v)) for k, v in node.items()}

    doc["paths"] = walk(doc["paths"])
    comps = doc["components"]
    comps["schemas"] = {k: _schema_30(v) for k, v in comps["schemas"].items()}
    comps["headers"] = walk(comps["headers"])
    return doc
