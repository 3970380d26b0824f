"""The §7 evaluation of the SIL over a set of cases: paths and outcomes, network judgements, cost per hour."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusione_sil
from inclusione_core import InputError, Territory
from inclusione_sil import PathRecord, evaluate_paths, record_from_piano

ROOT = Path(__file__).resolve().parents[3]
PIANO = ROOT / "territories" / "sil" / "instruments" / "examples" / "piano_valutazione.json"

RECORDS = [
    PathRecord(case_id="A", esito="in_corso", ore_intervento_diretto=9, costo=888),
    PathRecord(case_id="B", esito="non_accolto", ore_intervento_diretto=4.5, costo=144),
    PathRecord(case_id="C", esito="dimissioni_percorso_lavorativo", ore_intervento_diretto=30, costo=2400),
    PathRecord(case_id="D", esito="dimissioni_servizio_supporto", ore_intervento_diretto=16.5, costo=1100),
    PathRecord(case_id="E", esito="solo_registrazione", ore_intervento_diretto=0, costo=0),
]


def test_paths_and_outcomes_are_counted() -> None:
    """Five signalled cases: three paths realised (one in progress, two discharged), one refused, one registered."""
    ev = evaluate_paths(RECORDS)
    paths = ev.get("percorsi").value
    assert paths["segnalazioni"] == 5
    assert paths["percorsi_realizzati"] == 3
    assert paths["conclusi_con_dimissioni"] == 2
    assert paths["esiti"]["non_accolto"] == 1
    assert paths["esiti"]["dimissioni_percorso_formativo"] == 0
    reason = ev.get("percorsi").reason
    assert reason.source.document == inclusione_sil.DOCUMENT
    assert "casi" not in reason.inputs  # aggregates only: no case id goes to the Ufficio di Piano


def test_cost_per_hour_of_direct_intervention() -> None:
    """(path costs + general costs) / direct hours: (4532 + 1468) / 60 = 100 euro per hour, citing §7."""
    ev = evaluate_paths(RECORDS, costi_generali=1468)
    indicator = ev.get("costo_ora")
    assert indicator.value == 100.0
    assert indicator.reason.source.quote == "Rapporto costi/ore di intervento diretto"
    assert "6000.00 euro" in indicator.reason.message_it
    assert "/ 60 ore = 100.00 euro per ora" in indicator.reason.message_it
    assert indicator.reason.inputs["costi_percorsi"] == 4532


def test_cost_per_hour_without_hours_is_not_computed() -> None:
    """With no hour of direct intervention the ratio is not computable, and the reason says so."""
    indicator = evaluate_paths([RECORDS[-1]], costi_generali=500).get("costo_ora")
    assert indicator.value is None
    assert "non calcolabile" in indicator.reason.message_it


def test_network_judgements_are_reported_as_given() -> None:
    """The UdP's judgements on the §7 items and on the §4 network levels are inputs, reported with their labels."""
    ev = evaluate_paths(RECORDS, giudizi={"qualita_rete": 3, "sostenibilita": 2},
                        rete={"qualita_rete_attori": 4, "basi_patto_territoriale": 1})
    assert ev.get("giudizio.qualita_rete").value == 3
    assert ev.get("giudizio.qualita_rete").label == "qualità del lavoro di rete"
    network = ev.get("qualita_rete")
    assert network.value == {"qualita_rete_attori": 4, "basi_patto_territoriale": 1}
    assert "garanzia_sperimentazione" in network.reason.inputs["livelli_non_giudicati"]
    assert network.reason.source.section == "4. Gestione dei processi di rete"
    assert set(ev.as_dict()) == {"percorsi", "costo_ora", "giudizio.sostenibilita", "giudizio.qualita_rete",
                                 "qualita_rete"}


def test_bad_inputs_are_all_reported() -> None:
    """Unknown outcomes and items, negative hours, a case counted twice and off-scale judgements: every error listed."""
    records = [PathRecord(case_id="A", esito="promosso", ore_intervento_diretto=-1),
               PathRecord(case_id="A", esito="in_corso", costo=-5)]
    with pytest.raises(InputError) as info:
        evaluate_paths(records, giudizi={"simpatia": 3, "qualita_rete": 7}, rete={"qualita_interventi": True},
                       costi_generali=-1)
    paths = [d.path for d in info.value.details]
    assert paths == ["$.percorsi[0].esito", "$.percorsi[0].ore_intervento_diretto", "$.percorsi[1].costo",
                     "$.percorsi[1].case_id", "$.costi_generali", "$.giudizi.simpatia", "$.giudizi.qualita_rete",
                     "$.rete.qualita_interventi"]


def test_record_from_the_piano_di_valutazione(sil: Territory) -> None:
    """The piano di valutazione gives the hours of direct intervention and the costs of the case."""
    piano = json.loads(PIANO.read_text(encoding="utf-8"))
    record = record_from_piano(piano, sil)
    assert record == PathRecord(case_id="SIL-2023-0042", esito="in_corso", ore_intervento_diretto=9.0, costo=888.0)
    piano["esito"] = {"stato": "dimissioni", "dimissioni_verso": "percorso_lavorativo", "data": "2025-12-03"}
    assert record_from_piano(piano, sil).esito == "dimissioni_percorso_lavorativo"
    del piano["esito"]["dimissioni_verso"]
    with pytest.raises(InputError):
        record_from_piano(piano, sil)


@settings(max_examples=100, deadline=None)
@given(records=st.lists(st.builds(
    PathRecord, case_id=st.uuids().map(str),
    esito=st.sampled_from(inclusione_sil.outcomes(inclusione_sil.default_tables())),
    ore_intervento_diretto=st.one_of(st.just(0.0), st.floats(0.25, 200)), costo=st.floats(0, 20000)),
    max_size=20, unique_by=lambda r: r.case_id),
    general=st.floats(0, 50000))
def test_totals_add_up(records: list[PathRecord], general: float) -> None:
    """Paths realised never exceed the cases; the cost per hour is total costs over total hours."""
    ev = evaluate_paths(records, costi_generali=general)
    paths = ev.get("percorsi").value
    assert paths["percorsi_realizzati"] <= paths["segnalazioni"] == len(records)
    assert sum(paths["esiti"].values()) == len(records)
    hours = sum(r.ore_intervento_diretto for r in records)
    per_hour = ev.get("costo_ora").value
    if hours > 0:
        assert per_hour == pytest.approx((sum(r.costo for r in records) + general) / hours, abs=0.01)
    else:
        assert per_hour is None
