"""
SIL non-acceptance (issue 14, item 7): the reason code of a negative decision reaches the sender.

The finding: a negative decision at phase 5 reached the sending service without its reason,
the reason being free text (``records``) and so withheld without a consent. Now the decision
takes a code, one of the SIL service's ``refusal_codes`` (``territory.yaml``), which the notice
always carries (``codice_motivo`` with its label ``motivo``, case-management data), while the
free-text ``motivazione`` stays withheld where it must. The scenario language checks results,
not what a recipient receives, so the notice's expectations are here
(``territories/sil/scenarios/rifiuti.yaml`` checks the routing's code).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import inclusione_sil
from inclusione_core import Engine, InputError, MemoryAuditLog, Territory, get_plugin_manager
from inclusione_core.testing import FixedClock
from inclusione_sil import workflow as wf

D0 = dt.date(2025, 1, 13)
CODES = {
    "postazioni_non_disponibili": "Nessuna postazione lavorativa disponibile e compatibile",
    "inserimento_non_possibile": "Inserimento non possibile allo stato attuale (valutazione della fase 5)",
    "rinuncia_utente": "La persona non intende proseguire il percorso",
    "altro": "Altro motivo, indicato nella motivazione",
}
"""The SIL's refusal codes and their Italian labels, as territory.yaml gives them (written here independently)."""
SPECIAL_NEEDS = ["disagio_psichico_temporaneo", "ex_dipendenza", "ex_detenzione", "uscita_comunita"]


def fresh_engine() -> Engine:
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=[("sil", inclusione_sil)]),
                  audit=MemoryAuditLog(), clock=FixedClock(dt.date(2025, 4, 1)))


NOTICE_ENGINE = fresh_engine()
"""One engine for the property test: an engine per example would compile the territory again each time."""


def at_decision(sender: str | None = "segretariato") -> wf.Workflow:
    w = wf.start("SIL-2025-0015", on=D0, sender=sender)
    for i, phase in enumerate(["prima_valutazione", "colloquio_assistente_sociale", "colloquio_persona",
                               "decisione"]):
        w = wf.advance(w, phase, on=D0 + dt.timedelta(days=7 * (i + 1)))
    return w


def test_the_codes_are_those_of_the_configuration(sil: Territory) -> None:
    assert {c: label["it"] for c, label in wf.refusal_codes(sil).items()} == CODES
    assert wf.refusal_codes() == wf.refusal_codes(sil)  # the reference territory by default


def test_the_sender_without_consent_receives_the_code_and_its_label_not_the_free_text(
        example: Callable[[str], dict[str, Any]], sil: Territory) -> None:
    """
    The finding, exactly: the Segretariato, with no consent, receives esito negativo with
    codice_motivo postazioni_non_disponibili and its label; the motivazione is listed as
    not transmitted. Before, the notice had no reason at all for this sender.
    """
    engine = fresh_engine()
    case = engine.load_case(example("decisione_negativa.json"))
    flow = wf.workflow_of(case)
    assert flow is not None and flow.steps[-1].code == "postazioni_non_disponibili"
    notice = wf.notification_of(flow, territory=sil)
    assert notice is not None
    view = notice.send(engine, case)
    assert view.data["codice_motivo"] == "postazioni_non_disponibili"
    assert view.data["motivo"] == CODES["postazioni_non_disponibili"]
    assert "motivazione" not in view.data
    assert [d["campo"] for d in view.data["dati_non_trasmessi"]] == ["motivazione"]
    assert inclusione_sil.instrument_errors(sil, "notifica_esito_negativo", view.data) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.sampled_from(sorted(CODES)), text=st.text(min_size=1, max_size=60).filter(str.strip),
       needs=st.lists(st.sampled_from(SPECIAL_NEEDS), unique=True, max_size=3))
def test_any_refusal_reaches_the_sender_with_its_code_whatever_the_withheld_data(
        example: Callable[[str], dict[str, Any]], sil: Territory, code: str, text: str, needs: list[str]) -> None:
    """
    Whatever the free-text motivazione and the special-category needs of the case, the notice
    the sender receives without consent carries the code and its label, and is the same notice.
    """
    engine = NOTICE_ENGINE
    data = example("decisione_negativa.json")
    data["assessment"]["needs"] += [{"code": n, "member": "m1", "severity": 2} for n in needs]
    case = engine.load_case(data)
    w, notice = wf.decide(at_decision(), on=D0 + dt.timedelta(days=40), accepted=False, code=code, reason=text,
                          territory=sil)
    _, plain = wf.decide(at_decision(), on=D0 + dt.timedelta(days=40), accepted=False, code=code,
                         reason="motivo", territory=sil)
    assert notice is not None and plain is not None
    sent = notice.send(engine, case).data
    assert (sent["codice_motivo"], sent["motivo"]) == (code, CODES[code])
    assert "motivazione" not in sent
    assert sent == plain.send(engine, engine.load_case(example("decisione_negativa.json"))).data
    assert inclusione_sil.instrument_errors(sil, "notifica_esito_negativo", sent) == []
    assert w.steps[-1].code == code


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.text(max_size=20).filter(lambda c: c not in CODES))
def test_an_unknown_code_is_refused_naming_path_value_and_rule(sil: Territory, code: str) -> None:
    with pytest.raises(InputError) as info:
        wf.decide(at_decision(), on=D0 + dt.timedelta(days=40), accepted=False, code=code, reason="x", territory=sil)
    (detail,) = info.value.details
    assert (detail.path, detail.value, detail.rule) == ("$.code", code, "ref:services.refusal_codes")


def test_a_negative_decision_needs_a_code_and_a_positive_one_takes_none(sil: Territory) -> None:
    with pytest.raises(InputError) as info:
        wf.decide(at_decision(), on=D0 + dt.timedelta(days=40), accepted=False, reason="x")
    assert (info.value.details[0].path, info.value.details[0].value) == ("$.code", None)
    with pytest.raises(InputError) as info:
        wf.decide(at_decision(), on=D0 + dt.timedelta(days=40), accepted=True, code="altro")
    assert (info.value.details[0].path, info.value.details[0].rule) == ("$.code", "refusal_code.outcome")


def test_the_code_is_kept_in_the_history_and_replayed(engine: Engine, sil: Territory,
                                                       example: Callable[[str], dict[str, Any]]) -> None:
    """record_workflow writes the code on the sil_fase_non_accolto event; workflow_of and the routing read it back."""
    case = engine.load_case(example("segnalazione_da_valutare.json"))
    w = wf.workflow_of(case)
    assert w is not None
    for i, phase in enumerate(["prima_valutazione", "colloquio_assistente_sociale", "colloquio_persona",
                               "decisione"]):
        w = wf.advance(w, phase, on=dt.date(2025, 1, 20) + dt.timedelta(days=7 * i))
    w, _notice = wf.decide(w, on=dt.date(2025, 2, 17), accepted=False, code="rinuncia_utente",
                           reason="Ha trovato lavoro da solo", territory=sil)
    case = wf.record_workflow(case, w)
    assert (case.history[-1].kind, case.history[-1].code) == ("sil_fase_non_accolto", "rinuncia_utente")
    assert wf.workflow_of(case) == w
    engine.check(case)
    result = engine.assess(case, as_of=dt.date(2025, 2, 17))
    assert (result.routing.outcome.value, result.routing.refusal_code) == ("refused", "rinuncia_utente")


def test_a_decision_recorded_before_codes_existed_still_loads(example: Callable[[str], dict[str, Any]],
                                                              sil: Territory) -> None:
    """An old history without a code replays; its notice has no code and still validates."""
    engine = fresh_engine()
    data = example("decisione_negativa.json")
    del data["history"][-1]["code"]
    case = engine.load_case(data)
    flow = wf.workflow_of(case)
    assert flow is not None
    notice = wf.notification_of(flow, territory=sil)
    assert notice is not None and notice.code is None
    view = notice.send(engine, case)
    assert "codice_motivo" not in view.data
    assert inclusione_sil.instrument_errors(sil, "notifica_esito_negativo", view.data) == []
