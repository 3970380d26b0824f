"""Refusal codes (issue 14, item 7): the routing's code, the referral's answer, the case check, the views."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import (
    CaseEvent,
    DataCategory,
    Engine,
    InputError,
    InvalidCaseError,
    Purpose,
    Recipient,
    update_referral,
)
from inclusione_core import referrals as R

AS_OF = dt.date(2025, 4, 2)
SIIL_CODES = ("accesso_diretto", "inviante_non_ammesso", "non_in_carico", "altro")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def siil_case(*, services: list[str], channel: str = "invio", needs: list[dict[str, Any]] | None = None,
              consents: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A one-member Prato case arriving at the SIIL, referred by a Third Sector body (or directly)."""
    access: dict[str, Any] = {"date": "2025-03-25", "point": "siil", "channel": channel}
    if channel == "invio":
        access["from_service"] = "terzo_settore"
    return {
        "id": "PO-RC-1", "territory": "prato", "opened_on": "2025-03-25",
        "household": {"id": "H-RC-1", "members": [
            {"id": "m1", "relation": "richiedente", "birth_date": "1978-04-02", "employment": "disoccupato",
             "services": services}]},
        "access": access,
        "assessment": {"date": "2025-03-28", "levels": [{"dimension": "lavoro", "level": 2}],
                       "needs": needs if needs is not None else [{"code": "lavoro", "severity": 2}]},
        "consents": consents or [],
    }


def test_the_siil_refusal_of_someone_nobody_has_in_charge_carries_its_code(engine: Engine) -> None:
    """The rule siil_non_in_carico names non_in_carico: the routing carries it, with its label in the report."""
    every = [c.value for c in DataCategory]  # a consent to all: the decision may be shown
    case = engine.load_case(siil_case(services=[], consents=[{
        "id": "C1", "member": "m1", "categories": every, "recipients": ["ssp"], "purposes": ["assessment"],
        "given_on": "2025-03-01", "evidence": "scheda privacy"}]))
    result = engine.assess(case, as_of=AS_OF)
    assert (result.routing.outcome.value, result.routing.refusal_code) == ("refused", "non_in_carico")
    assert result.routing.reasons[0].inputs["codice_rifiuto"] == "non_in_carico"
    view = engine.disclose_result(result, case, recipient="ssp", purpose=Purpose.ASSESSMENT)
    assert view.result is not None and view.result.routing.refusal_code == "non_in_carico"
    text = " ".join(render(engine, view, "text").split())
    assert "Motivo del rifiuto: Persona non in carico ai servizi (non_in_carico)" in text
    assert "motivo del rifiuto: Persona non in carico ai servizi (non_in_carico)" in text  # the summary line
    header, row = list(csv.reader(io.StringIO(render(engine, view, "csv").lstrip("\ufeff"), newline=""),
                                  delimiter=";"))
    assert dict(zip(header, row, strict=True))["motivo del rifiuto"] == \
        "Persona non in carico ai servizi (non_in_carico)"


def render(engine: Engine, view: Any, face: str) -> str:
    out = io.StringIO()
    renderer = engine.renderer(face, out)
    renderer.view(view, engine.territory("prato"))
    renderer.close()
    return out.getvalue()


def test_a_direct_access_refused_carries_accesso_diretto(engine: Engine) -> None:
    """The access check names the code accesso_diretto, which the SIIL lists among its refusal codes."""
    result = engine.assess(engine.load_case(siil_case(services=[], channel="diretto")), as_of=AS_OF)
    assert (result.routing.outcome.value, result.routing.refusal_code) == ("refused", "accesso_diretto")


def test_an_accepted_referral_carries_no_code(engine: Engine) -> None:
    result = engine.assess(engine.load_case(siil_case(services=["ssp"])), as_of=AS_OF)
    assert (result.routing.outcome.value, result.routing.refusal_code) == ("routed", None)


@settings(max_examples=25, deadline=None)
@given(services=st.lists(st.sampled_from(["ssp", "cpi", "serd", "csm", "casa"]), unique=True, max_size=2),
       addiction=st.sampled_from([None, 1, 3]))
def test_the_code_shows_exactly_when_the_outcome_shows(engine: Engine, services: list[str],
                                                       addiction: int | None) -> None:
    """
    The refusal code is part of the decision: in any recipient's view it is the true code
    when the routing shows and None when the routing is masked, so it never reveals what
    the decision read (whether a SerD or a CSM has the person in charge).
    """
    needs = [{"code": "lavoro", "severity": 2}] + ([{"code": "dipendenze", "severity": addiction}] if addiction else [])
    case = engine.load_case(siil_case(services=services, needs=needs))
    result = engine.assess(case, as_of=AS_OF)
    view = engine.preview_result(result, case, recipient="terzo_settore", purpose=Purpose.REFERRAL)
    assert view.result is not None
    shown = view.result.routing
    if "$.routing" in view.masked:
        assert (shown.outcome.value, shown.refusal_code) == ("non_comunicato", None)
    else:
        assert shown.refusal_code == result.routing.refusal_code


def refused_case(engine: Engine, *, code: str, reason: str, needs: list[dict[str, Any]]) -> Any:
    """A case whose referral from the PUA to the SIIL was refused with ``code`` and ``reason``."""
    case = engine.load_case(siil_case(services=["ssp"], needs=needs))
    ref = R.send(id="inv-1", from_service="pua", to_service="siil", channel="scheda_invio",
                 reason="bisogno lavorativo", on=dt.date(2025, 3, 25), snapshot={})
    case = update_referral(case, ref)
    return update_referral(case, R.refuse(ref, on=dt.date(2025, 3, 27), reason=reason, code=code,
                                          territory=engine.territory("prato")))


@settings(max_examples=30, deadline=None)
@given(code=st.sampled_from(SIIL_CODES), reason=st.text(min_size=1, max_size=40).filter(str.strip),
       severity=st.sampled_from([None, 1, 2, 3]))
def test_a_sender_without_a_basis_for_what_the_codes_reveal_never_receives_one(
    engine: Engine, code: str, reason: str, severity: int | None,
) -> None:
    """
    The SIIL's code non_in_carico reveals that nobody follows the person at the SerD, the CSM
    or the socio-sanitary services (`reveals`): a sender that may not receive those categories
    (the PUA, without a consent) gets no SIIL code at all, whichever was recorded, and the
    same view (the same withheld paths) whatever the code, the free text and the
    special-category data of the case.
    """
    needs = [{"code": "lavoro", "severity": 2}] + ([{"code": "salute_mentale", "severity": severity}]
                                                     if severity else [])
    case = refused_case(engine, code=code, reason=reason, needs=needs)
    baseline = refused_case(engine, code="altro", reason="motivo", needs=[{"code": "lavoro", "severity": 2}])
    views = [engine.preview_case(c, recipient=Recipient(kind="pua", service="pua"), purpose=Purpose.REFERRAL,
                                 as_of=AS_OF) for c in (case, baseline)]
    responses = [v.data["referrals"][0]["response"] for v in views]
    assert responses[0]["code"] is None and views[0].data["history"][-1]["code"] is None
    assert responses[0].get("reason") in (reason, None)
    assert {k: v for k, v in responses[0].items() if k != "reason"} == \
        {k: v for k, v in responses[1].items() if k != "reason"}
    codes = [[(w.path, w.category) for w in v.withheld if w.path.endswith(".code")] for v in views]
    assert codes[0] == codes[1]
    assert ("$.referrals[0].response.code", "addiction") in [(w.path, w.category) for w in views[0].withheld]


@pytest.mark.parametrize("code", SIIL_CODES)
def test_a_sender_with_a_basis_receives_the_code(engine: Engine, code: str) -> None:
    """With a consent covering what the SIIL's codes reveal, the sending PUA receives the code recorded."""
    case = refused_case(engine, code=code, reason="motivo", needs=[{"code": "lavoro", "severity": 2}])
    case = attrs.evolve(case, consents=(engine.load_case({**siil_case(services=[]), "consents": [{
        "id": "C1", "member": "m1", "categories": ["addiction", "mental_health", "health"], "recipients": ["pua"],
        "purposes": ["referral"], "given_on": "2025-03-01", "evidence": "scheda privacy"}]}).consents))
    view = engine.preview_case(case, recipient=Recipient(kind="pua", service="pua"), purpose=Purpose.REFERRAL,
                               as_of=AS_OF)
    assert view.data["referrals"][0]["response"]["code"] == code
    assert view.data["history"][-1]["code"] == code


def test_codes_that_reveal_nothing_always_reach_the_sender(write_layer: Any) -> None:
    """A service whose codes reveal nothing: its code reaches a sender of process data, and so does an event's."""
    from inclusione_core import get_plugin_manager

    root = write_layer("zona", (
        "id: zona\nlabel: {it: Zona, en: Zone}\nlevel: zona\nversion: \"1\"\nextends: italia\n"
        "services:\n  cpi:\n    override: true\n    refusal_codes:\n"
        "      fuori_zona: {label: {it: Fuori zona, en: Out of area}, source: {kind: default, note: test}}\n"))
    local = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])
    assert local.territory("zona").refusal_code_categories("cpi") == ()
    data = {
        "id": "Z-1", "territory": "zona", "opened_on": "2025-03-01",
        "household": {"id": "H", "members": [{"id": "m1", "birth_date": "1980-01-01"}]},
        "access": {"date": "2025-03-01", "point": "ssp"},
        "referrals": [{"id": "r1", "from_service": "ssp", "to_service": "cpi", "sent_on": "2025-03-02",
                       "channel": "scheda_invio", "reason": "orientamento", "status": "refused",
                       "response": {"on": "2025-03-05", "reason": "fuori zona", "code": "fuori_zona"}}],
        "history": [{"on": "2025-03-05", "kind": "invio_rifiutato", "code": "fuori_zona"}],
    }
    case = local.load_case(data)
    view = local.preview_case(case, recipient=Recipient(kind="ssp", service="ssp"), purpose=Purpose.REFERRAL,
                              as_of=AS_OF)
    assert view.data["referrals"][0]["response"]["code"] == "fuori_zona"
    assert view.data["history"][-1]["code"] == "fuori_zona"


@settings(max_examples=40, deadline=None)
@given(code=st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True).filter(lambda c: c not in SIIL_CODES))
def test_an_unknown_code_is_refused_naming_path_value_and_rule(engine: Engine, code: str) -> None:
    """refuse with the territory, and the case check, refuse a code the service does not list."""
    ref = R.send(id="inv-1", from_service="pua", to_service="siil", channel="scheda_invio", reason="x",
                 on=dt.date(2025, 3, 25), snapshot={})
    with pytest.raises(InputError) as info:
        R.refuse(ref, on=dt.date(2025, 3, 27), reason="x", code=code, territory=engine.territory("prato"))
    (detail,) = info.value.details
    assert (detail.path, detail.value, detail.rule) == ("$.response.code", code, "ref:services.refusal_codes")
    case = engine.load_case(siil_case(services=["ssp"]))
    case = update_referral(update_referral(case, ref), R.refuse(ref, on=dt.date(2025, 3, 27), reason="x", code=code))
    with pytest.raises(InvalidCaseError) as err:
        engine.check(case)
    found = {(d.path, d.value, d.rule) for d in err.value.details}
    assert ("$.referrals[0].response.code", code, "ref:services.refusal_codes") in found
    assert ("$.history[1].code", code, "ref:services.refusal_codes") in found


def test_a_malformed_code_is_an_input_error() -> None:
    ref = R.send(id="inv-1", from_service="pua", to_service="siil", channel="scheda_invio", reason="x",
                 on=dt.date(2025, 3, 25), snapshot={})
    with pytest.raises(InputError) as info:
        R.refuse(ref, on=dt.date(2025, 3, 27), reason="x", code="Non In Carico")
    assert info.value.details[0].path == "$.response.code"


def test_a_code_on_an_accepted_referral_is_a_case_error(engine: Engine) -> None:
    ref = R.send(id="inv-1", from_service="pua", to_service="siil", channel="scheda_invio", reason="x",
                 on=dt.date(2025, 3, 25), snapshot={})
    accepted = R.accept(ref, on=dt.date(2025, 3, 26))
    assert accepted.response is not None
    odd = attrs.evolve(accepted, response=attrs.evolve(accepted.response, code="altro"))
    case = attrs.evolve(engine.load_case(siil_case(services=["ssp"])), referrals=(odd,))
    with pytest.raises(InvalidCaseError) as err:
        engine.check(case)
    assert [(d.path, d.rule) for d in err.value.details] == [("$.referrals[0].response.code", "refusal_code.outcome")]


def test_old_cases_without_codes_load_and_pass_the_check(engine: Engine) -> None:
    """Codes are optional in the case format: a refusal recorded before codes existed still loads."""
    data = siil_case(services=["ssp"])
    data["referrals"] = [{"id": "inv-1", "from_service": "pua", "to_service": "siil", "channel": "scheda_invio",
                          "reason": "x", "sent_on": "2025-03-25", "status": "refused",
                          "response": {"on": "2025-03-27", "reason": "non di competenza"}}]
    data["history"] = [{"on": "2025-03-27", "kind": "invio", "note": "rifiutato"}]
    case = engine.load_case(data)
    engine.check(case)
    assert case.referrals[0].response is not None and case.referrals[0].response.code is None
    assert isinstance(case.history[0], CaseEvent) and case.history[0].code is None
