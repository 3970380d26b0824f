"""
The HTTP service (issue 17): a thin face over the library, with its contract and the
recipient's view enforced at the boundary.

- The same case through HTTP and through the Python API gives the same view (and audit).
- The OpenAPI 3.1 document and its 3.0.3 copy are valid; their examples validate against
  the JSON Schemas; every ``/v1`` operation meets the published contract (schemathesis).
- Errors are problems (RFC 9457) with pointers and keywords, never a value of the request.
- The caller is whom the gateway vouched for: no identity is 401, asking for another
  recipient or purpose is 403, never a wider view.
- For every recipient kind, cases differing only in data it may not receive give it
  byte-identical responses (the differential test of the library, through HTTP).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from differential import draw_base, draw_variant, load, world
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from privacy_oracle import CountingLog

pytest.importorskip("starlette", reason="the HTTP extra (inclusione-core[http]) is not installed")
import schemathesis
from openapi_spec_validator import validate as validate_openapi
from starlette.testclient import TestClient

from inclusione_core import Engine, MemoryAuditLog, Policy, Purpose
from inclusione_core._schema import validator
from inclusione_core.http import ServiceLimits, TrustedHeaders, create_app
from inclusione_core.http._app import pointer
from inclusione_core.http._openapi import openapi_30, openapi_document
from inclusione_core.testing import FixedClock

ROOT = Path(__file__).resolve().parents[1]
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC)
AS_OF = "2025-04-15"
CPI = {"X-Inclusione-Subject": "operatrice.cpi@example", "X-Inclusione-Recipient": "cpi",
       "X-Inclusione-Purpose": "equipe"}
MARKER = "QQ-segreto-7741"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(clock=FixedClock(NOW), audit=MemoryAuditLog())


@pytest.fixture(scope="module")
def app(engine: Engine) -> Any:
    return create_app(engine, limits=ServiceLimits(max_body_bytes=200_000, max_batch_bytes=400_000,
                                                   max_batch_lines=20))


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def example(app: Any) -> dict[str, Any]:
    found = app.state.service._example()
    assert found is not None, "the Prato example case is installed"
    return dict(found[0])


def _post(client: TestClient, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.post(path, json=body, headers=CPI if headers is None else headers)


# --------------------------------------------------------------------------- the same as the library


def test_http_and_python_give_the_same_view_of_the_prato_example(client: TestClient, engine: Engine,
                                                                  example: dict[str, Any]) -> None:
    """The README's curl: the Prato example for the CPI; identical to the Python API's view, and audited."""
    before = len(engine.audit.records())
    response = _post(client, "/v1/evaluate", {"case": example, "as_of": AS_OF})
    assert response.status_code == 200, response.text
    twin = Engine(clock=FixedClock(NOW))
    case = twin.load_case(example)
    result = twin.assess(case, as_of=dt.date.fromisoformat(AS_OF))
    view = twin.disclose_result(result, case, recipient="cpi", purpose="equipe")
    expected = view.to_json()
    got = response.json()
    assert got == json.loads(json.dumps(expected, default=str))
    records = engine.audit.records()
    assert len(records) == before + 1
    assert (records[-1].channel, records[-1].recipient, records[-1].recipient_name) == (
        "http", "cpi", "operatrice.cpi@example")
    assert response.headers["x-inclusione-config-digest"] == result.provenance.config_digest
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("step", ["assessment", "routing", "equipe", "interventions", "project-check"])
def test_each_step_is_its_part_of_the_same_view(client: TestClient, example: dict[str, Any], step: str) -> None:
    whole = _post(client, "/v1/evaluate", {"case": example, "as_of": AS_OF}).json()
    part = _post(client, f"/v1/{step}", {"case": example, "as_of": AS_OF}).json()
    assert part["step"] == step.removesuffix("-check")
    for key, value in part["result"].items():
        assert whole["result"][key] == value
    assert set(part["result"]) < set(whole["result"])
    assert all(p in whole["masked"] for p in part["masked"])


def test_an_explanation_lays_out_one_decision(client: TestClient, example: dict[str, Any]) -> None:
    response = _post(client, "/v1/explain/equipe", {"case": example, "as_of": AS_OF})
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] == "equipe" and body["recipient"] == "cpi"
    assert body["text"].splitlines()[0].startswith("Caso PO-")
    assert all(r["rule"] and r["source"] for r in body["reasons"])
    unknown = _post(client, "/v1/explain/tutto", {"case": example, "as_of": AS_OF})
    assert unknown.status_code == 404


def test_a_batch_answers_one_line_per_case_in_order(client: TestClient, example: dict[str, Any]) -> None:
    other = copy.deepcopy(example) | {"id": "PO-2025-000999"}
    lines = [json.dumps(example), "{non json", json.dumps({"id": "x"}), "", json.dumps(other)]
    response = client.post(f"/v1/batch?as_of={AS_OF}", content="\n".join(lines).encode(),
                           headers=CPI | {"content-type": "application/x-ndjson"})
    assert response.status_code == 200
    out = [json.loads(line) for line in response.text.splitlines()]
    assert [o.get("case_id") or o["source"] for o in out] == [example["id"], "line:2", "line:3", other["id"]]
    assert [o["problem"]["status"] for o in out[1:3]] == [400, 422]


def test_a_batch_beyond_its_limits_is_413(client: TestClient, example: dict[str, Any]) -> None:
    many = "\n".join([json.dumps({"id": f"c{i}"}) for i in range(21)]).encode()
    too_many = client.post("/v1/batch", content=many, headers=CPI | {"content-type": "application/x-ndjson"})
    assert too_many.status_code == 413
    big = json.dumps(example | {"id": "x" * 400_001}).encode()
    assert client.post("/v1/batch", content=big,
                       headers=CPI | {"content-type": "application/x-ndjson"}).status_code == 413


# --------------------------------------------------------------------------- the caller


def test_without_a_verified_identity_nothing_is_evaluated(client: TestClient, example: dict[str, Any]) -> None:
    for headers in ({}, {k: v for k, v in CPI.items() if k != "X-Inclusione-Purpose"},
                    CPI | {"X-Inclusione-Purpose": "curiosita"}, CPI | {"X-Inclusione-Recipient": "CPI;ssp"}):
        response = _post(client, "/v1/evaluate", {"case": example, "as_of": AS_OF}, headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("asked", [{"recipient": "ssp"}, {"purpose": "assessment"}])
def test_asking_for_more_than_the_caller_may_see_is_403(client: TestClient, example: dict[str, Any],
                                                        asked: dict[str, str]) -> None:
    response = _post(client, "/v1/evaluate", {"case": example, "as_of": AS_OF} | asked)
    assert response.status_code == 403
    assert "result" not in response.json()


def test_a_recipient_the_territory_does_not_provide_for_is_403(client: TestClient, example: dict[str, Any]) -> None:
    response = _post(client, "/v1/evaluate", {"case": example, "as_of": AS_OF},
                     CPI | {"X-Inclusione-Recipient": "agenzia_immobiliare"})
    assert response.status_code == 403


def test_a_custom_verifier_decides_the_caller(engine: Engine, example: dict[str, Any]) -> None:
    def verifier(headers: Any) -> Any:
        from inclusione_core.http import Caller

        token = headers.get("authorization", "")
        return Caller("sistema-x", "cpi", Purpose.EQUIPE) if token == "Bearer buono" else None

    with TestClient(create_app(engine, identity=verifier)) as c:
        assert c.post("/v1/evaluate", json={"case": example}, headers={"Authorization": "Bearer no"}
                      ).status_code == 401
        ok = c.post("/v1/evaluate", json={"case": example, "as_of": AS_OF}, headers={"Authorization": "Bearer buono"})
        assert ok.status_code == 200 and ok.json()["recipient"] == "cpi"


# --------------------------------------------------------------------------- errors


def test_errors_are_problems_with_the_right_status(client: TestClient, example: dict[str, Any]) -> None:
    malformed = client.post("/v1/evaluate", content=b'{"case": ', headers=CPI | {"content-type": "application/json"})
    assert malformed.status_code == 400
    wrong_type = client.post("/v1/evaluate", content=json.dumps({"case": example}).encode(),
                             headers=CPI | {"content-type": "text/plain"})
    assert wrong_type.status_code == 415
    too_big = client.post("/v1/evaluate", content=b" " * 200_001, headers=CPI | {"content-type": "application/json"})
    assert too_big.status_code == 413
    invalid = _post(client, "/v1/evaluate", {"case": example | {"opened_on": "2025-02-30"}, "as_of": AS_OF})
    assert invalid.status_code == 422
    problem = invalid.json()
    assert problem["errors"][0]["pointer"] == "/case/opened_on"
    assert problem["errors"][0]["keyword"]
    for response in (malformed, wrong_type, too_big, invalid):
        body = response.json()
        assert set(body) >= {"type", "title", "status"} and body["status"] == response.status_code
        assert response.headers["cache-control"] == "no-store"
        assert "Traceback" not in response.text


PLACES = [
    ("case", "opened_on"), ("case", "territory"), ("household", "isee"), ("member", "birth_date"),
    ("member", "relation"), ("member", "sesso"), ("assessment", "date"), ("case", "status"), ("request", "as_of"),
    ("request", "territory"), ("request", "lingua"), ("need", "code"), ("level", "dimension"),
    ("key", "case"), ("key", "household"), ("key", "member"), ("key", "answers"),
]


@settings(max_examples=len(PLACES) * 3, deadline=None, suppress_health_check=list(HealthCheck))
@given(place=st.sampled_from(PLACES), padding=st.sampled_from(["", " ", "x" * 90, "\u00e8"]))
def test_no_error_repeats_a_value_of_the_request(client: TestClient, example: dict[str, Any],
                                                 place: tuple[str, str], padding: str) -> None:
    """Whatever field holds a bad value, the problem names where and which rule, never the value."""
    value = MARKER + padding
    body: dict[str, Any] = {"case": copy.deepcopy(example), "as_of": AS_OF}
    case = body["case"]
    where, key = place
    if where == "request":
        body[key] = value
    elif where == "case":
        case[key] = value
    elif where == "household":
        case["household"][key] = value
    elif where == "member":
        case["household"]["members"][0][key] = value
    elif where == "assessment":
        case["assessment"][key] = value
    elif where == "need":
        case["assessment"]["needs"] = [{"code": value}]
    elif where == "key":  # a key the client chose, where the format has none
        holder = {"case": case, "household": case["household"], "member": case["household"]["members"][0],
                  "answers": {}}[key]
        if key == "answers":
            case["assessment"]["scores"] = [{"instrument": "x", "answers": holder}]
        holder[value] = 1
    else:
        case["assessment"]["levels"] = [{"dimension": value, "level": 2}]
    response = _post(client, "/v1/evaluate", body)
    assert response.status_code in (400, 403, 422), (place, response.status_code)
    assert MARKER not in response.text


def test_no_error_repeats_a_repeated_key_a_path_or_a_batch_line(client: TestClient, example: dict[str, Any]) -> None:
    key = MARKER * 50
    repeated = ('{"case": {"household": {"' + key + '": 1, "' + key + '": 2}}}').encode()
    for response in (
        client.post("/v1/evaluate", content=repeated, headers=CPI | {"content-type": "application/json"}),
        client.post("/v1/batch", content=repeated[9:-1] + b"\n" + json.dumps({MARKER: 1}).encode(),
                    headers=CPI | {"content-type": "application/x-ndjson"}),
        client.get(f"/v1/{MARKER}"), client.get(f"/v1/territories/{MARKER}/measures"),
        _post(client, f"/v1/explain/{MARKER}", {"case": example}),
    ):
        assert response.status_code in (200, 400, 404, 422), response.status_code
        assert MARKER not in response.text


def test_the_case_s_own_territory_applies_never_one_the_caller_picks(client: TestClient,
                                                                    example: dict[str, Any]) -> None:
    """Choosing another territory would choose its privacy rules: the request has no such key."""
    response = _post(client, "/v1/evaluate", {"case": example, "as_of": AS_OF, "territory": "bologna"})
    assert response.status_code == 422
    batch = client.post("/v1/batch?territory=bologna", content=json.dumps(example).encode(),
                        headers=CPI | {"content-type": "application/x-ndjson"})
    assert batch.status_code == 400


def test_strictness_at_the_edges(client: TestClient, example: dict[str, Any]) -> None:
    week = _post(client, "/v1/evaluate", {"case": example, "as_of": "2025-W10-1"})
    assert week.status_code == 422 and week.json()["errors"][0]["pointer"] == "/as_of"
    seq = client.post("/v1/batch", content=json.dumps(example).encode(),
                      headers=CPI | {"content-type": "application/json-seq"})
    assert seq.status_code == 415
    twice = client.post("/v1/evaluate", json={"case": example},
                        headers=[*CPI.items(), ("X-Inclusione-Recipient", "ssp")])
    assert twice.status_code == 401
    blank = _post(client, "/v1/evaluate", {"case": example}, CPI | {"X-Inclusione-Subject": "   "})
    assert blank.status_code == 401
    wrong_method = client.get("/v1/evaluate")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"]
    slash = client.get("/v1/status/", follow_redirects=False)
    assert slash.status_code == 404 and slash.headers["cache-control"] == "no-store"
    bad_day = client.get("/v1/territories/prato/measures?as_of=2025-13-01")
    assert bad_day.status_code == 400 and bad_day.json()["errors"][0]["parameter"] == "as_of"
    english = client.get("/v1/nulla", headers={"Accept-Language": "it;q=0.1, en;q=0.9"})
    assert english.json()["title"] == "Unknown resource"


def test_the_list_of_problems_is_bounded(client: TestClient, example: dict[str, Any]) -> None:
    case = copy.deepcopy(example)
    case["history"] = [{"on": "2025-02-30", "kind": 7} for _ in range(500)]
    response = _post(client, "/v1/evaluate", {"case": case, "as_of": AS_OF})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert len(errors) == 51 and errors[-1]["keyword"] == "more"


def test_pointers_follow_rfc_6901() -> None:
    assert pointer("$.household.members[0].birth_date", "/case") == "/case/household/members/0/birth_date"
    assert pointer("$['a/b'].c", "") == "/a~1b/c"
    assert pointer("$", "/case") == "/case"


# --------------------------------------------------------------------------- the contract


def test_the_openapi_documents_are_valid(client: TestClient) -> None:
    document = client.get("/v1/openapi.json").json()
    validate_openapi(document)
    assert document["info"]["version"].count(".") == 2 and document["openapi"] == "3.1.0"
    old = client.get("/v1/openapi-3.0.json").json()
    validate_openapi(old)
    assert old == json.loads(json.dumps(openapi_30(document)))


def test_every_number_has_a_format_and_no_path_carries_personal_data(client: TestClient) -> None:
    document = client.get("/v1/openapi.json").json()
    missing: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            kinds = node.get("type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if ("integer" in kinds or "number" in kinds) and "format" not in node:
                missing.append(where)
            for k, v in node.items():
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")

    walk(document, "#")
    assert not missing
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                assert parameter["name"] not in ("case_id", "id", "fiscal_code", "codice_fiscale"), path


def test_the_examples_validate_against_the_json_schemas(client: TestClient) -> None:
    document = client.get("/v1/openapi.json").json()
    examples = document["paths"]["/v1/evaluate"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    for example in examples.values():
        validator("case").validate(example["value"]["case"])
        response = _post(client, "/v1/evaluate", example["value"])
        assert response.status_code == 200
        validator("view").validate(response.json())


def test_the_schemas_are_served_as_shipped(client: TestClient) -> None:
    from inclusione_core._schema import load_schema

    assert client.get("/v1/schemas/case").json() == load_schema("case")
    assert client.get("/v1/schemas/nulla").status_code == 404


def test_catalogues_are_dated(client: TestClient) -> None:
    now = client.get("/v1/territories/piemonte/measures").json()["entries"]
    then = client.get("/v1/territories/piemonte/measures?as_of=2017-06-01").json()["entries"]
    assert "sia" in then and "adi" in now
    assert "adi" not in then
    rules = client.get("/v1/territories/prato/rules").json()["entries"]
    assert rules and all(r["citation"] for r in rules if r["entry"].get("source"))
    assert client.get("/v1/territories/lucca/rules").status_code == 404


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: Any, value: Any) -> bytes:
    """A generated batch body: the case as one JSON line."""
    return json.dumps(value).encode() + b"\n"


OPERATIONS = [(path, method) for path, item in openapi_document(version="0", headers=TrustedHeaders().names())
              ["paths"].items() for method in item]


@pytest.fixture(scope="module")
def api_schema(app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/v1/openapi.json", app)


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
@settings(max_examples=60 if PROFILE == "ci" else 8, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_operation_meets_its_published_contract(api_schema: Any, path: str, method: str,
                                                      data: st.DataObject) -> None:
    """No 5xx, and every response (status, media type, headers, body) as the document says (schemathesis)."""
    mode = data.draw(st.sampled_from(list(schemathesis.GenerationMode)), label="mode")
    case = data.draw(api_schema[path][method].as_strategy(generation_mode=mode), label="request")
    # a request valid by the document may still be a case its territory refuses (422): that is no defect
    # (a negative request keeps its own headers: an identity it made invalid must be refused)
    headers = CPI if mode is schemathesis.GenerationMode.POSITIVE else None
    excluded = [schemathesis.checks.positive_data_acceptance]
    if path == "/v1/batch":  # by design a bad line is a problem line in a 200 stream, never the whole batch refused
        excluded.append(schemathesis.checks.negative_data_rejection)
    case.call_and_validate(headers=headers, excluded_checks=excluded)


# --------------------------------------------------------------------------- privacy at the boundary


PRIVACY = settings(max_examples=200 if PROFILE == "ci" else 12, deadline=None,
                   suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def prato() -> Any:
    eng = Engine(clock=FixedClock(NOW), audit=CountingLog())
    return world(eng, "prato"), TestClient(create_app(eng))


@pytest.fixture(scope="module")
def compared() -> Iterator[list[str]]:
    """The pairs compared through HTTP: some must be, or the property proved nothing."""
    seen: list[str] = []
    yield seen
    assert seen, "no pair of cases was compared through HTTP"


@PRIVACY
@given(data=st.data())
def test_every_recipient_gets_the_same_whatever_it_may_not_receive(prato: Any, compared: list[str],
                                                                   data: st.DataObject) -> None:
    """Through HTTP: a pair of cases differing in data a recipient may not receive give it identical responses."""
    w, client = prato
    base = data.draw(st.composite(lambda draw: draw_base(draw, w))(), label="base")
    a = load(w.engine, base)
    assume(a is not None)
    assert a is not None
    variant, category, subject, _name = data.draw(st.composite(lambda draw: draw_variant(draw, w, base))(),
                                                   label="variant")
    assume(subject and load(w.engine, variant) is not None)
    policy = Policy.of(w.territory)
    for kind in w.recipients:
        purpose = data.draw(st.sampled_from(list(Purpose)), label="purpose")
        if policy.grants(a, kind, purpose, NOW.date()).allows(category, subject):
            continue
        headers = {"X-Inclusione-Subject": "op", "X-Inclusione-Recipient": kind, "X-Inclusione-Purpose": purpose.value}
        left = client.post("/v1/evaluate", json={"case": base, "as_of": AS_OF}, headers=headers)
        right = client.post("/v1/evaluate", json={"case": variant, "as_of": AS_OF}, headers=headers)
        assert left.status_code == right.status_code == 200, (left.text[:300], right.text[:300])
        assert left.content == right.content, f"{kind}/{purpose.value} sees {category} of {subject}"
        compared.append(kind)
        grants = policy.grants(a, kind, purpose, NOW.date())
        assert all(d["category"] in grants.law or d["category"] in grants.covered for d in left.json()["disclosed"])
        explained = [client.post(f"/v1/explain/{d}", json={"case": c, "as_of": AS_OF}, headers=headers).content
                     for c in (base, variant) for d in ("routing",)]
        assert explained[0] == explained[1]


@pytest.mark.parametrize("kind", ["cpi", "serd", "terzo_settore", "ssp"])
def test_no_response_carries_a_category_without_a_basis(client: TestClient, engine: Engine, example: dict[str, Any],
                                                        kind: str) -> None:
    """Each category the view discloses has the law or a consent behind it; the rest are listed as not disclosed."""
    case = engine.load_case(example)
    for purpose in Purpose:
        headers = {"X-Inclusione-Subject": "op", "X-Inclusione-Recipient": kind, "X-Inclusione-Purpose": purpose.value}
        response = client.post("/v1/evaluate", json={"case": example, "as_of": AS_OF}, headers=headers)
        if response.status_code == 403:  # a kind the territory has no flow for
            continue
        grants = engine.grants(case, recipient=kind, purpose=purpose)
        body = response.json()
        for d in body["disclosed"]:
            assert d["category"] in grants.law or d["category"] in grants.covered
        refused = {n["category"] for n in body["not_disclosed"]}
        for category in ("health", "addiction", "mental_health", "justice"):
            assert category in refused or category in grants.law or category in grants.covered


def test_trusted_header_names_are_configurable(engine: Engine, example: dict[str, Any]) -> None:
    names = TrustedHeaders(subject="X-Gw-User", recipient="X-Gw-Kind", purpose="X-Gw-Purpose")
    with TestClient(create_app(engine, identity=names)) as c:
        ok = c.post("/v1/evaluate", json={"case": example, "as_of": AS_OF},
                    headers={"X-Gw-User": "u", "X-Gw-Kind": "cpi", "X-Gw-Purpose": "equipe"})
        assert ok.status_code == 200
        assert c.post("/v1/evaluate", json={"case": example}, headers=CPI).status_code == 401
        params = c.get("/v1/openapi.json").json()["paths"]["/v1/evaluate"]["post"]["parameters"]
        assert {p["name"] for p in params} == {"X-Gw-User", "X-Gw-Kind", "X-Gw-Purpose", "X-Inclusione-Service"}


# --------------------------------------------------------------------------- the README


def test_the_readme_serve_and_curl_evaluate_the_prato_example_as_the_library_does(tmp_path: Path) -> None:
    """The README's two lines, run as written (on a free port): the same view as the Python API."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## HTTP service", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    serve, curl = block.strip().splitlines()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    audit = tmp_path / "disclosures.jsonl"
    command = [*shlex.split(serve.replace("disclosures.jsonl", str(audit))), "--port", str(port)]
    server = subprocess.Popen([sys.executable, "-m", "inclusione_core.cli", *command[1:]], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"inclusione serve did not start: {server.stderr.read() if server.stderr else ''}")
                time.sleep(0.2)
        out = subprocess.run(["bash", "-c", curl.replace("127.0.0.1:8000", f"127.0.0.1:{port}")], cwd=ROOT,
                             capture_output=True, text=True, timeout=60, check=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    got = json.loads(out.stdout)
    engine = Engine()
    data = json.loads((ROOT / "territories/prato/examples/dipendenze_e_lavoro.json").read_text(encoding="utf-8"))
    case = engine.load_case(data)
    view = engine.disclose_result(engine.assess(case, as_of=dt.date(2025, 4, 15)), case, recipient="cpi",
                                  purpose="equipe").to_json()
    assert got.pop("at") and view.pop("at")
    assert got == json.loads(json.dumps(view))
    records = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    assert [(r["channel"], r["recipient"], r["recipient_name"]) for r in records] == [("http", "cpi",
                                                                                      "operatrice.cpi")]
