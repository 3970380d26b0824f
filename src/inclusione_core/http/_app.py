"""
The ASGI application: a thin face over the library calls the CLI makes.

Every case answer is :meth:`Engine.disclose_result` for the caller the gateway vouched for
(audited, consents judged at the request); every error is a problem (RFC 9457) that never
repeats a value of the request nor shows a trace; every response says ``no-store``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from .._batch import Outcome
from .._engine import Engine
from .._errors import InputError, InvalidCaseError, TerritoryNotFoundError
from .._models import Case, Result
from .._plugins import core_version
from .._privacy import Recipient, View, disclosure_day
from .._reader import Refused, parse_json, read_json_lines
from .._render import report_text
from .._report import Report, view_report
from .._schema import SCHEMA_NAMES, load_schema
from ..i18n import Message, text, translate
from ._identity import Caller, IdentityVerifier, TrustedHeaders
from ._openapi import CATALOGUES, EXPLAINED, PROBLEM_TYPE, STEPS, openapi_30, openapi_document

__all__ = ["ServiceLimits", "create_app"]

log = logging.getLogger("inclusione_core.http")

JSON = "application/json"
PROBLEM = "application/problem+json"
NDJSON = ("application/x-ndjson",)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SYNTAX = ("json", "utf-8", "duplicate_key", "finite")  # the reader's rules for text that is not (plain) JSON
_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")


@attrs.frozen
class ServiceLimits:
    """
    Bounds on what a request may bring, beside the engine's :class:`~inclusione_core.Limits`
    (which bound each case: depth, texts, items, dates).

    :ivar max_body_bytes: bytes of a JSON body (a case and its request).
    :ivar max_batch_bytes: bytes of a batch body.
    :ivar max_batch_lines: lines of a batch body.
    """

    max_body_bytes: int = 1_100_000
    max_batch_bytes: int = 50_000_000
    max_batch_lines: int = 10_000


class Problem(Exception):
    """An answer other than 200: its status, title, detail and the request's problems (rendered in a language)."""

    def __init__(self, status: int, kind: str, title: str, detail: str = "",
                 errors: tuple[dict[str, Any], ...] = ()) -> None:
        super().__init__(title)
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.errors = errors

    def body(self, instance: str | None, lang: str = "it") -> dict[str, Any]:
        out: dict[str, Any] = {"type": PROBLEM_TYPE + self.kind, "title": text(self.title, lang),
                               "status": self.status}
        if self.detail:
            out["detail"] = text(self.detail, lang)
        if instance is not None:
            out["instance"] = instance
        if self.errors:
            out["errors"] = [{**e, "detail": text(e["detail"], lang)} for e in self.errors]
        return out


def language(request: Request) -> str:
    """The language of a request's errors: English when ``Accept-Language`` prefers it to Italian, else Italian."""
    best, weight = "it", 0.0
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        code = tag.strip().lower()[:2]
        if code in ("it", "en") and q > weight:
            best, weight = code, q
    return best


def pointer(path: str, prefix: str = "") -> str:
    """A JSON path of an error (``$.household.members[0].birth_date``) as a JSON Pointer under ``prefix``."""
    rest = path[1:] if path.startswith("$") else ("." + path if path else "")
    parts: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(rest):
        if m.start() != pos:  # not a path we can read: point at its parent
            break
        token = m.group(1) or m.group(2) or m.group(3) or ""
        parts.append(token.replace("~", "~0").replace("/", "~1"))
        pos = m.end()
    return prefix + "".join("/" + p for p in parts)


_MAX_ERRORS = 50
# parameters of the library's messages that never hold a value of the request (bounds, schema words, codes known
# to the configuration): every other text parameter reads "…" in a problem
_SAFE_PARAMS = frozenset({"known", "low", "high", "expected", "allowed", "kind", "limit", "n", "min", "max",
                          "pattern", "setting", "fields", "names", "size", "more", "env", "rule"})


def _safe(message: Any) -> Any:
    """A message of the library with no text of the request in it (a plain text: only its rule is said)."""
    if isinstance(message, Message):
        params = {k: _safe(v) if isinstance(v, Message) else v if k in _SAFE_PARAMS or not isinstance(v, str)
                  else "…" for k, v in message.params.items()}
        return Message(message.msgid, **params)
    return None


@functools.cache
def _schema_words() -> frozenset[str]:
    """Every property name of the case and request formats: the only keys a pointer may show."""
    words: set[str] = {"case", "as_of", "recipient", "purpose", "lang", "territory"}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            words.update(k for k in (node.get("properties") or {}) if isinstance(k, str))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(load_schema("case"))
    return frozenset(words)


def _safe_pointer(path: str, prefix: str) -> str:
    """The pointer of a detail, cut before the first key the formats do not name (a key the client chose)."""
    parts = pointer(path, "").split("/")[1:]
    kept = []
    for part in parts:
        if not (part.isdigit() or part in _schema_words()):
            break
        kept.append(part)
    return prefix + "".join("/" + p for p in kept)


def _problems_of(exc: InputError, prefix: str) -> tuple[dict[str, Any], ...]:
    """Each detail of an input error as pointer, keyword and text, with no value nor key of the request."""
    out: list[dict[str, Any]] = []
    details = exc.without_values().details
    for d in details[:_MAX_ERRORS]:
        keyword = d.rule or "invalid"
        message = _safe(d.message)
        out.append({"pointer": _safe_pointer(d.path, prefix), "keyword": keyword,
                    "detail": message if message is not None else Message("invalid value (rule: {rule})",
                                                                          rule=keyword)})
    if len(details) > _MAX_ERRORS:
        out.append({"pointer": prefix, "keyword": "more",
                    "detail": Message("and {n} more problems", n=len(details) - _MAX_ERRORS)})
    return tuple(out)


class _Service:
    def __init__(self, engine: Engine, identity: IdentityVerifier, limits: ServiceLimits,
                 headers: Mapping[str, str]) -> None:
        self.engine = engine
        self.identity = identity
        self.identity_headers = tuple(headers.values())  # each at most once in a request (else 401)
        self.limits = limits
        self.lock = threading.Lock()  # one engine, one audit chain: requests take turns on it
        self.version = core_version()
        self.territories: dict[str, Any] = {}
        for info in engine.territories():  # compiled once, at start-up: a broken one fails here, not per request
            self.territories[info.id] = engine.territory(info.id)
        self.digest = hashlib.sha256("".join(
            f"{tid}={t.digest};" for tid, t in sorted(self.territories.items())).encode()).hexdigest()
        example = self._example()
        self.openapi = openapi_document(version=self.version, headers=headers, example=example,
                                        limits={"lines": limits.max_batch_lines, "bytes": limits.max_batch_bytes})
        self.openapi_bytes = orjson.dumps(self.openapi)
        self.openapi30_bytes = orjson.dumps(openapi_30(self.openapi))

    def _example(self) -> tuple[dict[str, Any], dt.date] | None:
        """The first example case of Prato and its date, for the contract's examples (None without Prato)."""
        terr = self.territories.get("prato")
        if terr is None:
            return None
        for path, day, _label in terr.examples():
            data: dict[str, Any] = orjson.loads(path.read_bytes())
            return data, day
        return None

    # ------------------------------------------------------------------ responses

    def headers(self, digest: str | None = None) -> dict[str, str]:
        return {"Cache-Control": "no-store", "X-Inclusione-Version": self.version,
                "X-Inclusione-Config-Digest": digest or self.digest, "X-Content-Type-Options": "nosniff"}

    def json(self, data: Any, digest: str | None = None, media: str = JSON) -> Response:
        return Response(orjson.dumps(data), media_type=media, headers=self.headers(digest))

    def problem(self, problem: Problem, request: Request, extra: Mapping[str, str] | None = None) -> Response:
        route = request.scope.get("route")
        instance = getattr(route, "path", None)  # the operation's template, never the path the client sent
        return Response(orjson.dumps(problem.body(instance, language(request))), status_code=problem.status,
                        media_type=PROBLEM, headers={**self.headers(), **(extra or {})})

    # ------------------------------------------------------------------ requests

    def caller(self, request: Request) -> Caller:
        repeated = any(len(request.headers.getlist(name)) > 1 for name in self.identity_headers)
        caller = None if repeated else self.identity({k.lower(): v for k, v in request.headers.items()})
        if caller is None:
            raise Problem(401, "unauthenticated", Message("No verified identity"), Message(
                "the request does not carry the identity, recipient and purpose verified by the gateway"))
        return caller

    async def body(self, request: Request, limit: int, media: tuple[str, ...]) -> bytes:
        kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if kind not in media:
            raise Problem(415, "unsupported-media-type", Message("Content type not accepted"),
                          Message("the body must be {media}", media=" | ".join(media)))
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _too_big(limit)
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_big(limit)
            chunks.append(chunk)
        return b"".join(chunks)

    def request(self, raw: bytes, caller: Caller, lang: str) -> tuple[dict[str, Any], str]:
        """The request's body as a checked dict, and the language of its texts (``lang``, else the request's)."""
        try:
            data = parse_json(raw, limits=self.engine.limits, lang=lang)
        except Refused as exc:
            syntax = all(d.rule in _SYNTAX for d in exc.details)
            err = InputError("body", exc.details)
            if syntax:
                raise Problem(400, "malformed", Message("The body is not JSON"), Message("the body cannot be read as"
                              " JSON"), _problems_of(err, "")) from None
            raise Problem(422, "beyond-limits", Message("Beyond the limits"), Message(
                "the body is beyond the limits of the reader"), _problems_of(err, "")) from None
        if not isinstance(data, dict):
            raise _invalid("", "type", Message("the request must be a JSON object"))
        lang = data.get("lang", lang)
        if lang not in ("it", "en"):
            raise _invalid("/lang", "enum", Message("language: it or en"))
        known = {"case", "as_of", "recipient", "purpose", "lang"}
        extra = sorted(k for k in data if k not in known)
        if extra:
            raise _invalid("", "additionalProperties", Message(
                "unexpected key in the request (known: {known})", known=", ".join(sorted(known))))
        if "case" not in data:
            raise _invalid("/case", "required", Message("the case is missing"))
        if not isinstance(data["case"], dict):
            raise _invalid("/case", "type", Message("the case must be a JSON object"))
        for key in ("as_of", "recipient", "purpose"):
            if key in data and not isinstance(data[key], str):
                raise _invalid(f"/{key}", "type", Message("expected a text"))
        # asking for another recipient or purpose than the caller's own: refused, never widened
        if data.get("recipient", caller.recipient) != caller.recipient:
            raise Problem(403, "forbidden", Message("Not allowed"), Message(
                "the view asked for is another recipient's than the caller's"))
        if data.get("purpose", caller.purpose.value) != caller.purpose.value:
            raise Problem(403, "forbidden", Message("Not allowed"), Message(
                "the purpose asked for is not the one the caller was authorised for"))
        return data, lang

    def as_of(self, value: str | None, where: str) -> dt.date:
        """A date of the request (``where``: its pointer in the body, or a query parameter's name)."""
        if value is None:
            return disclosure_day(dt.datetime.now(dt.UTC))  # today in Italy
        try:
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise _invalid(where, "format", Message("expected a date YYYY-MM-DD")) from None
        low, high = self.engine.limits.min_date, self.engine.limits.max_date
        if not low <= day <= high:
            raise _invalid(where, "limit:dates", Message("expected a date between {low} and {high}",
                                                         low=low.isoformat(), high=high.isoformat()))
        return day

    def assess(self, data: Mapping[str, Any], caller: Caller, lang: str) -> tuple[View, Result, Case]:
        """Load, assess and disclose one case to the caller (audited); a problem otherwise."""
        as_of = self.as_of(data.get("as_of"), "/as_of")
        with self.lock:
            try:
                case = self.engine.load_case(data["case"], "case", checked=True)
                # the case's own territory, whose privacy rules the view follows: never one the caller picks
                result = self.engine.assess(case, as_of=as_of, source="case")
                view = self.engine.disclose_result(result, case, recipient=self.recipient(caller),
                                                   purpose=caller.purpose, channel="http")
            except TerritoryNotFoundError:
                raise _invalid("/case/territory", "territory", Message("territory not found")) from None
            except InputError as exc:
                raise self.input_problem(exc, lang) from None
        return view, result, case

    def outcome_line(self, outcome: Outcome, where: str, lang: str) -> dict[str, Any]:
        """One line of a batch: the view of its case (audited by the stream), or ``{source, problem}``."""
        if outcome.view is not None:
            return outcome.view.to_json()
        error = outcome.error
        problem: Problem
        if outcome.internal:
            log.error("internal error (%s) in a batch line", getattr(error, "kind", "?"))
            problem = Problem(500, "internal", Message("Internal error"), error.text(lang) if error else "")
        elif isinstance(error, TerritoryNotFoundError):
            problem = _invalid("/territory", "territory", Message("territory not found"))
        elif isinstance(error, InputError) and all(d.rule in _SYNTAX for d in error.details):
            problem = Problem(400, "malformed", Message("The line is not JSON"), Message(
                "the line cannot be read as JSON"), _problems_of(error, ""))
        elif isinstance(error, InputError):
            problem = self.input_problem(error, lang, "")  # each line is a case: pointers from its root
        else:
            problem = Problem(422, "invalid-case", Message("Case not assessed"), error.text(lang) if error else "")
        return {"source": outcome.source, "problem": problem.body(where, lang)}

    def recipient(self, caller: Caller) -> Recipient:
        return Recipient(kind=caller.recipient, service=caller.service, name=caller.subject)

    def input_problem(self, exc: InputError, lang: str, prefix: str = "/case") -> Problem:
        details = exc.details
        if any(d.path in ("$.recipient", "$.purpose") and d.rule in ("recipient", "purpose") for d in details):
            return Problem(403, "forbidden", Message("Not allowed"), Message(
                "the territory's privacy configuration provides for no such recipient"))
        return Problem(422, "invalid-case", Message("invalid case"), Message(
            "the case does not conform to the exchange format or to its territory"),
            _problems_of(exc, prefix))


def _too_big(limit: int) -> Problem:
    return Problem(413, "too-large", Message("Body too large"),
                   Message("the body is beyond {limit} bytes", limit=limit))


def _invalid(where: str, keyword: str, detail: Message) -> Problem:
    """A request that is not valid: 422 for a place in the body (``/as_of``), 400 for a query parameter."""
    if where.startswith("/") or not where:
        return Problem(422, "invalid-request", Message("Invalid request"), detail,
                       ({"pointer": where, "keyword": keyword, "detail": detail},))
    return Problem(400, "invalid-parameter", Message("Invalid parameter"), detail,
                   ({"parameter": where, "keyword": keyword, "detail": detail},))


def _step_view(view_json: dict[str, Any], keys: tuple[str, ...], step: str) -> dict[str, Any]:
    result = view_json["result"]
    wanted = ("case_id", "territory", "as_of", *keys, "provenance")
    prefixes = tuple(f"$.{k}" for k in keys)
    out = {k: v for k, v in view_json.items() if k != "result"}
    out["masked"] = [p for p in view_json["masked"] if p.startswith(prefixes)]
    out["result"] = {k: result[k] for k in wanted}
    out["step"] = step
    return out


def _explained(view: View, decision: str, territory: Any, lang: str) -> dict[str, Any]:
    report = view_report(view, territory, lang)
    sections = [s for s in report.sections if s.key == decision]
    if not sections:  # the result has nothing of that kind for this case: said, not invented
        from .._report import Section  # noqa: PLC0415

        sections = [Section(key=decision, title=decision.upper(), empty=translate("none", lang))]
    section = sections[0]

    def reason(e: Any) -> dict[str, Any]:
        return {"message": e.message, "rule": e.rule, "territory": e.territory, "source": e.source,
                "inputs": e.inputs, "provenance": e.provenance}

    return {
        "decision": decision, "case_id": view.case_id, "recipient": view.recipient.kind,
        "purpose": view.purpose.value, "title": section.title, "fields": list(section.fields),
        "reasons": [reason(e) for e in section.reasons],
        "items": [{"title": i.title, "details": list(i.details), "reasons": [reason(e) for e in i.reasons]}
                  for i in section.items],
        "empty": section.empty,
        "text": report_text(Report(title=report.title, recipient=report.recipient, sections=(section,)), lang),
    }


def _public(node: Any) -> Any:
    """A configuration entry without the compiler's own keys (``_files``, ``_versions``...)."""
    if isinstance(node, dict):
        return {k: _public(v) for k, v in node.items() if not str(k).startswith("_")}
    if isinstance(node, list):
        return [_public(x) for x in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


def _holds(entry: Any, day: dt.date) -> bool:
    """Whether an entry's own period (``valid_from``, ``valid_to``) holds a day; undated entries always do."""
    if not isinstance(entry, dict):
        return True
    start, end = entry.get("valid_from"), entry.get("valid_to")
    return (start is None or str(start) <= day.isoformat()) and (end is None or day.isoformat() <= str(end))


def _rules(terr: Any) -> list[dict[str, Any]]:
    """Every rule of the configuration (routing, equipe selection, profile pathways), with its source cited."""
    out = []
    for where in (("routing", "rules"), ("equipe", "selection"), ("profile", "pathways")):
        for rule in terr.rules(*where):
            source = rule.get("source")
            out.append({"list": ".".join(where), "id": rule.get("id"), "entry": _public(rule),
                        "citation": str(terr.citation(source)) if isinstance(source, Mapping) else None})
    return out


class _Endpoints:
    """The operations under /v1, each an async endpoint over the service."""

    def __init__(self, svc: _Service) -> None:
        self.svc = svc

    async def case_request(self, request: Request) -> tuple[View, Result, str]:
        svc = self.svc
        caller = svc.caller(request)
        raw = await svc.body(request, svc.limits.max_body_bytes, (JSON,))
        data, lang = svc.request(raw, caller, language(request))
        view, result, _case = await run_in_threadpool(svc.assess, data, caller, lang)
        return view, result, lang

    async def evaluate(self, request: Request) -> Response:
        view, result, _ = await self.case_request(request)
        return self.svc.json(view.to_json(), result.provenance.config_digest)

    def step(self, name: str, keys: tuple[str, ...]) -> Callable[[Request], Any]:
        async def run(request: Request) -> Response:
            view, result, _ = await self.case_request(request)
            return self.svc.json(_step_view(view.to_json(), keys, name), result.provenance.config_digest)
        return run

    async def explain(self, request: Request) -> Response:
        decision = request.path_params["decision"]
        if decision not in EXPLAINED:
            raise Problem(404, "not-found", Message("Unknown decision"), Message("decisions: {known}",
                                                                                 known=", ".join(EXPLAINED)))
        view, result, lang = await self.case_request(request)
        return self.svc.json(_explained(view, decision, self.svc.territories.get(view.territory), lang),
                             result.provenance.config_digest)

    async def batch(self, request: Request) -> Response:
        svc = self.svc
        caller = svc.caller(request)
        as_of = svc.as_of(request.query_params.get("as_of"), "as_of")
        raw = await svc.body(request, svc.limits.max_batch_bytes, NDJSON)
        if raw.count(b"\n") + (0 if raw.endswith(b"\n") or not raw else 1) > svc.limits.max_batch_lines:
            raise Problem(413, "too-many-lines", Message("Too many lines"), Message(
                "at most {n} lines", n=svc.limits.max_batch_lines))
        lines = read_json_lines(io.BytesIO(raw), "line", limits=svc.engine.limits, error=InvalidCaseError)
        # the library's own stream (one outcome per line, in order, whatever fails), one line at a time on the engine
        outcomes = svc.engine.assess_stream(lines, as_of=as_of, recipient=svc.recipient(caller),
                                            purpose=caller.purpose, channel="http",
                                            redact=True)
        where, lang = request.url.path, language(request)

        def out() -> Iterator[bytes]:
            while True:
                with svc.lock:
                    outcome = next(outcomes, None)
                if outcome is None:
                    return
                yield orjson.dumps(svc.outcome_line(outcome, where, lang)) + b"\n"

        return StreamingResponse(out(), media_type="application/x-ndjson", headers=svc.headers())

    async def territories(self, request: Request) -> Response:
        rows = [{"id": tid, "label": dict(t.data.get("label") or {}), "level": str(t.data.get("level") or ""),
                 "lineage": list(t.lineage), "digest": t.digest} for tid, t in sorted(self.svc.territories.items())]
        return self.svc.json({"territories": rows})

    async def catalogue(self, request: Request) -> Response:
        svc = self.svc
        tid, what = request.path_params["territory"], request.path_params["catalogue"]
        terr = svc.territories.get(tid)
        if terr is None or what not in CATALOGUES:
            raise Problem(404, "not-found", Message("Unknown catalogue"), Message(
                "territories: {territories}; catalogues: {catalogues}", territories=", ".join(sorted(svc.territories)),
                catalogues=", ".join(CATALOGUES)))
        day_text = request.query_params.get("as_of")
        day = svc.as_of(day_text, "as_of") if day_text is not None else None
        if day is not None:
            terr = terr.in_force(day)
        entries: Any = _rules(terr) if what == "rules" else _public(terr.section(what))
        if day is not None and isinstance(entries, dict):  # only the entries whose own period holds the day
            entries = {code: e for code, e in entries.items() if _holds(e, day)}
        return svc.json({"territory": tid, "catalogue": what, "as_of": day.isoformat() if day else None,
                         "digest": terr.digest, "entries": entries}, terr.digest)

    async def schema(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in SCHEMA_NAMES:
            raise Problem(404, "not-found", Message("Unknown schema"), Message("schemas: {known}",
                                                                               known=", ".join(SCHEMA_NAMES)))
        return self.svc.json(load_schema(name), media="application/schema+json")

    async def openapi(self, request: Request) -> Response:
        return Response(self.svc.openapi_bytes, media_type=JSON, headers=self.svc.headers())

    async def openapi30(self, request: Request) -> Response:
        return Response(self.svc.openapi30_bytes, media_type=JSON, headers=self.svc.headers())

    async def status(self, request: Request) -> Response:
        return self.svc.json({"type": "about:blank", "title": "OK", "status": 200}, media=PROBLEM)

    async def unrouted(self, request: Request, exc: Exception) -> Response:
        if getattr(exc, "status_code", 404) == 405:
            allow = dict(getattr(exc, "headers", None) or {})  # Starlette's Allow
            return self.svc.problem(Problem(405, "method-not-allowed", Message("Method not allowed")), request, allow)
        return self.svc.problem(Problem(404, "not-found", Message("Unknown resource"), Message(
            "the operations are under /v1")), request)

    def guarded(self, handler: Callable[[Request], Any], query: tuple[str, ...] = ()) -> Callable[[Request], Any]:
        """The endpoint, answering a problem for whatever goes wrong (a defect: 500, its type only in the log)."""
        svc = self.svc

        async def endpoint(request: Request) -> Response:
            try:
                unknown = sorted(k for k in request.query_params if k not in query)
                if unknown:  # a parameter the operation does not have is a mistake, not something to ignore
                    raise Problem(400, "unknown-parameter", Message("Unknown parameter"), Message(
                        "parameters of this operation: {known}", known=", ".join(query) or "—"))
                response: Response = await handler(request)
                return response
            except Problem as problem:
                return svc.problem(problem, request)
            except Exception as exc:  # a defect: no trace, no value; the type only in the log
                log.error("internal error (%s) in %s %s", type(exc).__name__, request.method, request.url.path)
                return svc.problem(Problem(500, "internal", Message("Internal error"), Message(
                    "internal error ({kind}): the request had no effect", kind=type(exc).__name__)), request)
        return endpoint


def create_app(engine: Engine | None = None, *, identity: IdentityVerifier | None = None,
               limits: ServiceLimits | None = None) -> Starlette:
    """
    The HTTP service over an engine (default: a new one with the installed territories).

    :param identity: who is asking (default: :class:`TrustedHeaders`, set by the gateway).
    :param limits: bounds on bodies and batches (the engine's limits bound each case).
    :raises InclusioneError: a territory's configuration is invalid (at start-up, never per request).
    """
    engine = engine if engine is not None else Engine()
    verifier: IdentityVerifier = identity if identity is not None else TrustedHeaders()
    names = verifier.names() if isinstance(verifier, TrustedHeaders) else TrustedHeaders().names()
    svc = _Service(engine, verifier, limits or ServiceLimits(), names)
    ops = _Endpoints(svc)
    guarded = ops.guarded
    routes = [
        Route("/v1/evaluate", guarded(ops.evaluate), methods=["POST"]),
        Route("/v1/explain/{decision}", guarded(ops.explain), methods=["POST"]),
        Route("/v1/batch", guarded(ops.batch, ("as_of",)), methods=["POST"]),
        Route("/v1/territories", guarded(ops.territories), methods=["GET"]),
        Route("/v1/territories/{territory}/{catalogue}", guarded(ops.catalogue, ("as_of",)), methods=["GET"]),
        Route("/v1/schemas/{name}", guarded(ops.schema), methods=["GET"]),
        Route("/v1/openapi.json", guarded(ops.openapi), methods=["GET"]),
        Route("/v1/openapi-3.0.json", guarded(ops.openapi30), methods=["GET"]),
        Route("/v1/status", guarded(ops.status), methods=["GET"]),
        *(Route(path, guarded(ops.step(name, keys)), methods=["POST"]) for name, (path, keys, _) in STEPS.items()),
    ]
    app = Starlette(routes=routes, exception_handlers={404: ops.unrouted, 405: ops.unrouted})
    app.router.redirect_slashes = False  # a redirect would answer without the service's headers
    app.state.service = svc
    return app
