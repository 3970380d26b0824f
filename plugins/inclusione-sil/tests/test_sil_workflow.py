"""The SIL workflow (§3): the 8 phases, roles and instruments, illegal moves, the negative decision, the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusione_sil
from inclusione_core import Engine, InputError, Territory, TransitionError
from inclusione_core.testing import minimal_case
from inclusione_sil import Tables
from inclusione_sil import workflow as wf

D0 = dt.date(2025, 1, 13)

# The reference table, read off the seed (§3, table "PROGETTO DI INSERIMENTI LAVORATIVI"):
# phase 1 "se si procede altrimenti registrazione"; phase 5 "In caso di esito negativo
# segnalazione ente inviante"; phase 8 "Eventuale riprogettazione".
REFERENCE: dict[str, set[str]] = {
    "segnalazione": {"prima_valutazione", "solo_registrazione"},
    "prima_valutazione": {"colloquio_assistente_sociale"},
    "colloquio_assistente_sociale": {"colloquio_persona"},
    "colloquio_persona": {"decisione"},
    "decisione": {"accettazione", "non_accolto"},
    "accettazione": {"sviluppo"},
    "sviluppo": {"valutazione_finale"},
    "valutazione_finale": {"accettazione", "dimissioni"},
    "solo_registrazione": set(),
    "non_accolto": set(),
    "dimissioni": set(),
}
INTERVIEWS = ["accoglienza", "anamnesi", "legale", "gestione_crisi", "progettuale", "motivazionale", "orientamento",
              "verifica"]


def walk(to: str, *, sender: str | None = "segretariato") -> wf.Workflow:
    """A workflow advanced one week per phase along the main line up to ``to``."""
    line = ["prima_valutazione", "colloquio_assistente_sociale", "colloquio_persona", "decisione", "accettazione",
            "sviluppo", "valutazione_finale"]
    w = wf.start("SIL-T", on=D0, sender=sender)
    day = D0
    for phase in line[: line.index(to) + 1] if to != "segnalazione" else []:
        day += dt.timedelta(days=7)
        w = wf.advance(w, phase, on=day)
    return w


def test_machine_is_the_reference_table() -> None:
    """The plugin's transitions are exactly the moves of the §3 table; three closing states."""
    assert {p.value: {q.value for q in nxt} for p, nxt in wf.TRANSITIONS.items()} == REFERENCE
    assert {p.value for p in wf.FINAL} == {"solo_registrazione", "non_accolto", "dimissioni"}
    assert [wf.number(p) for p in wf.NUMBERED] == list(range(1, 9))
    assert wf.number(wf.Phase.NON_ACCOLTO) is None


def test_each_phase_knows_its_roles_and_instruments(tables: Tables) -> None:
    """Subjects and instruments of each phase are those of the §3 table."""
    expected = {
        "segnalazione": ({"responsabile_inserimento", "referente_esterno", "utente"}, {"protocollo"}),
        "prima_valutazione": ({"responsabile_inserimento", "tutor_interno", "responsabile_risorse_umane"},
                              {"database_postazioni", "piano_valutazione"}),
        "colloquio_assistente_sociale": ({"responsabile_inserimento", "referente_esterno", "utente"},
                                         {"scheda_personale", "documenti_ente_inviante"}),
        "colloquio_persona": ({"responsabile_inserimento", "utente"},
                              {"scheda_personale", "documenti", "griglia_colloquio"}),
        "decisione": ({"responsabile_inserimento", "ente_inviante"},
                      {"documenti", "scheda_personale", "scheda_privacy", "piano_valutazione"}),
        "accettazione": ({"responsabile_inserimento", "tutor_interno"}, {"piano_valutazione", "progetto_intervento"}),
        "sviluppo": ({"tutor_interno", "responsabile_inserimento", "utente"},
                     {"scheda_personale", "piano_valutazione"}),
        "valutazione_finale": ({"rete_soggetti_attivati", "utente"}, {"scheda_personale", "piano_valutazione"}),
    }
    for code, (subjects, instruments) in expected.items():
        spec = wf.spec(code, tables)
        assert (set(spec.subjects), set(spec.instruments)) == (subjects, instruments), code
        assert spec.source.document == inclusione_sil.DOCUMENT
    assert wf.spec("decisione", tables).critical.startswith("Obiettivo: valutazione dell'effettiva possibilità")
    with pytest.raises(KeyError):
        wf.spec("non_accolto", tables)


def test_instruments_of_the_phases_have_schemas(tables: Tables, sil: Territory) -> None:
    """Every tool of the table that is a form points to a configured instrument with a JSON Schema."""
    modules = {code: tool["modulo"] for code, tool in tables.tools.items() if "modulo" in tool}
    assert set(modules.values()) == {"scheda_personale", "griglia_colloquio", "scheda_privacy", "piano_valutazione",
                                     "progetto_intervento"}
    for module in modules.values():
        assert inclusione_sil.instrument_path(sil, module).is_file()


def test_illegal_transition_names_current_requested_and_allowed() -> None:
    """Skipping from segnalazione to decisione is refused with the current, requested and reachable phases."""
    w = wf.start("SIL-T", on=D0, sender="segretariato")
    with pytest.raises(TransitionError) as info:
        wf.advance(w, "decisione", on=D0)
    err = info.value
    assert (err.current, err.requested) == ("segnalazione", "decisione")
    assert err.allowed == ("prima_valutazione", "solo_registrazione")
    assert "percorso SIL del caso SIL-T" in str(err)
    assert "transizione non ammessa segnalazione -> decisione" in str(err)


def test_unknown_phase_and_closing_states_are_refused() -> None:
    """An unknown phase code and any move out of a closing state are TransitionErrors."""
    w = wf.start("SIL-T", on=D0)
    with pytest.raises(TransitionError):
        wf.advance(w, "colloquio_con_il_sindaco", on=D0)
    done = wf.advance(w, "solo_registrazione", on=D0, note="Non si procede")
    with pytest.raises(TransitionError) as info:
        wf.advance(done, "prima_valutazione", on=D0)
    assert info.value.allowed == ()
    assert "nessuna (stato finale)" in str(info.value)


def test_dates_cannot_go_back() -> None:
    """A step dated before the previous one is an InputError naming the date."""
    w = walk("prima_valutazione")
    with pytest.raises(InputError) as info:
        wf.advance(w, "colloquio_assistente_sociale", on=D0)
    assert info.value.details[0].rule == "chronology"


def test_negative_decision_notifies_the_sender_with_its_reason(sil: Territory, tables: Tables) -> None:
    """Phase 5 negative: the case is non_accolto and a notice to the sending service carries the reason (seed 004)."""
    w = walk("decisione")
    w, notice = wf.decide(w, on=D0 + dt.timedelta(days=40), accepted=False, by="Laura Mancini",
                          code="postazioni_non_disponibili", reason="Nessuna postazione compatibile disponibile")
    assert w.phase is wf.Phase.NON_ACCOLTO
    assert notice is not None
    assert (notice.to_service, notice.from_service, notice.case_id) == ("segretariato", "sil", "SIL-T")
    reason = notice.reason(tables, sil)
    assert reason.rule == "sil.fase5.esito_negativo"
    assert reason.source.document == inclusione_sil.DOCUMENT
    assert "Nessuna postazione compatibile disponibile" in reason.message_it
    assert "Esito segnalato all'ente inviante: Segretariato Sociale dei comuni del distretto (ente inviante)." \
        in reason.message_it
    document = notice.to_document()
    assert inclusione_sil.instrument_errors(sil, "notifica_esito_negativo", document) == []
    assert document["destinatario"] == {"tipo": "ente_inviante", "servizio": "segretariato"}


def test_negative_decision_on_direct_signalling_notifies_the_person(sil: Territory) -> None:
    """Without a sending service the notice goes to the person, and still validates."""
    _w, notice = wf.decide(walk("decisione", sender=None), on=D0 + dt.timedelta(days=40), accepted=False,
                          code="altro", reason="Percorso non appropriato")
    assert notice is not None and notice.to_service == "utente"
    assert inclusione_sil.instrument_errors(sil, "notifica_esito_negativo", notice.to_document()) == []


def test_negative_decision_needs_a_reason_and_phase_5() -> None:
    """A negative decision without a reason is an InputError; deciding outside phase 5 is a TransitionError."""
    with pytest.raises(InputError) as info:
        wf.decide(walk("decisione"), on=D0 + dt.timedelta(days=40), accepted=False, code="altro", reason="  ")
    assert info.value.details[0].path == "$.note"
    with pytest.raises(TransitionError):
        wf.decide(walk("colloquio_persona"), on=D0 + dt.timedelta(days=40), accepted=True)
    w, notice = wf.decide(walk("decisione"), on=D0 + dt.timedelta(days=40), accepted=True)
    assert (w.phase, notice) == (wf.Phase.ACCETTAZIONE, None)


def test_interviews_only_in_phase_7_and_of_the_eight_types() -> None:
    """The eight interview types are recorded in sviluppo only; an unknown type or another phase is refused."""
    w = walk("sviluppo")
    for i, kind in enumerate(INTERVIEWS):
        w = wf.interview(w, kind, on=D0 + dt.timedelta(days=60 + i))
    assert [i.kind.value for i in w.interviews] == INTERVIEWS
    with pytest.raises(InputError) as info:
        wf.interview(w, "psicanalisi", on=D0 + dt.timedelta(days=90))
    assert info.value.details[0].rule == "enum"
    with pytest.raises(InputError) as info:
        wf.interview(walk("accettazione"), "accoglienza", on=D0 + dt.timedelta(days=90))
    assert "fase 7" in info.value.details[0].message


def test_replanning_goes_back_to_phase_6() -> None:
    """From the final evaluation the path may be re-planned (phase 6) and then closed with the dimissioni."""
    w = wf.advance(walk("valutazione_finale"), "accettazione", on=D0 + dt.timedelta(days=100))
    w = wf.advance(w, "sviluppo", on=D0 + dt.timedelta(days=101))
    w = wf.advance(w, "valutazione_finale", on=D0 + dt.timedelta(days=200))
    w = wf.advance(w, "dimissioni", on=D0 + dt.timedelta(days=201))
    assert w.phase is wf.Phase.DIMISSIONI
    assert w.entered(wf.Phase.ACCETTAZIONE) == D0 + dt.timedelta(days=100)


def test_workflow_round_trips_through_the_case_history(engine: Engine,
                                                       example: Callable[[str], dict[str, Any]]) -> None:
    """record_workflow appends sil_fase_/sil_colloquio_ events; workflow_of replays the same workflow."""
    case = engine.load_case(example("segnalazione_da_valutare.json"))
    current = wf.workflow_of(case)
    assert current is not None and current.phase is wf.Phase.SEGNALAZIONE and current.sender == "segretariato"
    w = current
    for i, phase in enumerate(["prima_valutazione", "colloquio_assistente_sociale", "colloquio_persona", "decisione"]):
        w = wf.advance(w, phase, on=dt.date(2025, 1, 20) + dt.timedelta(days=7 * i))
    w, notice = wf.decide(w, on=dt.date(2025, 2, 17), accepted=False, code="inserimento_non_possibile",
                          reason="Richiesta non pertinente")
    case = wf.record_workflow(case, w)
    assert [e.kind for e in case.history][-2:] == ["sil_fase_decisione", "sil_fase_non_accolto"]
    assert wf.workflow_of(case) == w
    assert wf.record_workflow(case, w) == case  # nothing new to record
    result = engine.assess(case, as_of=dt.date(2025, 2, 17))
    assert result.routing.alternatives == ("segretariato",)
    assert notice is not None and result.routing.reasons[0] == notice.reason(inclusione_sil.tables_for(
        engine.territory("sil")), engine.territory("sil"))


def test_a_history_that_breaks_the_machine_is_an_input_error(engine: Engine,
                                                             example: Callable[[str], dict[str, Any]]) -> None:
    """A recorded jump from segnalazione to decisione is reported at its history path."""
    data = example("segnalazione_da_valutare.json")
    data["history"].append({"on": "2025-01-20", "kind": "sil_fase_decisione"})
    case = engine.load_case(data)
    with pytest.raises(InputError) as info:
        wf.workflow_of(case)
    assert info.value.details[0].path == "$.history[1].kind"
    w = wf.start("altro", on=D0)
    with pytest.raises(InputError):
        wf.record_workflow(engine.load_case(example("segnalazione_da_valutare.json")), w)


# --------------------------------------------------------------------------- property: random operations


operation = st.one_of(
    st.tuples(st.just("advance"), st.sampled_from(sorted(REFERENCE))),
    st.tuples(st.just("interview"), st.sampled_from(INTERVIEWS)),
    st.tuples(st.just("decide"), st.booleans()),
)


@settings(max_examples=300, deadline=None)
@given(ops=st.lists(operation, max_size=25))
def test_random_operations_follow_the_reference_table(ops: list[tuple[str, Any]]) -> None:
    """Any sequence of moves, interviews and decisions succeeds exactly when the seed's table allows it."""
    w = wf.start("SIL-P", on=D0)
    state = "segnalazione"
    day = D0
    interviews = 0
    for kind, arg in ops:
        day += dt.timedelta(days=1)
        if kind == "advance":
            if arg in REFERENCE[state]:
                w = wf.advance(w, arg, on=day, note="motivo")
                state = arg
            else:
                with pytest.raises(TransitionError):
                    wf.advance(w, arg, on=day, note="motivo")
        elif kind == "interview":
            if state == "sviluppo":
                w = wf.interview(w, arg, on=day)
                interviews += 1
            else:
                with pytest.raises(InputError):
                    wf.interview(w, arg, on=day)
        elif state == "decisione":
            w, notice = wf.decide(w, on=day, accepted=arg, reason="motivo", code=None if arg else "altro")
            state = "accettazione" if arg else "non_accolto"
            assert (notice is None) is arg
        else:
            with pytest.raises(TransitionError):
                wf.decide(w, on=day, accepted=arg, reason="motivo")
        assert w.phase.value == state
    assert len(w.interviews) == interviews
    assert wf.allowed(w.phase) == {wf.Phase(p) for p in REFERENCE[state]}
    case = wf.record_workflow(minimal_case(id="SIL-P", territory="sil"), w)
    assert wf.workflow_of(case) == w
