"""
Scored instruments (``scores:``, issue 16 item 3): weighted totals, bands by date, missing
items, input and configuration errors, the ``score_at_least`` predicate in a routing rule,
and properties of the total (a weighted sum, monotone, blind to items of weight 0).

The instrument here is a test fixture with neutral values (``kind: default``): no threshold
of a real protocol is coded in the core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import ConfigurationError, Engine, InvalidCaseError, get_plugin_manager
from inclusione_core._models import ScoreOutcome, ScoreRecord
from inclusione_core._scores import tally
from inclusione_core.testing import minimal_case_json

Writer = Callable[[str, str], Path]
ZONE = "zona_punteggi"
LAYER = """\
id: zona_punteggi
label: {it: Zona di prova dei punteggi, en: Score test zone}
level: zona
version: "1"
extends: italia
scores:
  screening_prova:
    label: {it: Screening di prova, en: Test screening}
    valid_from: "2020-01-01"
    unconfirmed: "strumento di prova"
    source: {kind: default, note: "strumento di prova"}
    items:
      lavoro:
        label: {it: Lavoro, en: Work}
        min: 0
        max: 3
        weight: 2
        data_category: work
      salute:
        label: {it: Salute, en: Health}
        values: [0, 1, 2]
        weight: 3
        data_category: health
      reti:
        label: {it: Reti, en: Networks}
        min: 0
        max: 4
        weight: 1
        dimension: reti
      nota:
        label: {it: Voce senza peso, en: Unweighted item}
        min: 0
        max: 9
        weight: 0
    bands:
      attenzione:
        label: {it: Attenzione, en: Attention}
        at_least:
          - {valid_from: "2020-01-01", value: 4, source: {kind: default, note: "soglia di prova"}}
      approfondimento:
        label: {it: Colloquio di approfondimento, en: In-depth interview}
        unconfirmed: "soglia di prova"
        at_least:
          - {valid_from: "2020-01-01", valid_to: "2023-12-31", value: 11,
             source: {kind: default, note: "soglia di prova, prima versione"}}
          - {valid_from: "2024-01-01", value: 12, source: {kind: default, note: "soglia di prova, seconda versione"}}
routing:
  rules:
    - id: approfondimento
      when: {score_at_least: {instrument: screening_prova, band: approfondimento}}
      outcome: routed
      service: ssp
      channel: colloquio_approfondimento
      message: {it: "Punteggio {punteggio_screening_prova}: colloquio di approfondimento",
                en: "Score {punteggio_screening_prova}: in-depth interview"}
      source: {kind: default, note: "regola di prova"}
vocabulary:
  channels:
    colloquio_approfondimento: {label: {it: colloquio di approfondimento, en: in-depth interview}}
"""


@pytest.fixture
def engine(write_layer: Writer) -> Engine:
    """A core-only engine that knows the test zone."""
    root = write_layer(ZONE, LAYER)
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])


def case(*records: dict[str, Any], date: str = "2023-05-01") -> dict[str, Any]:
    """A case of the zone whose assessment records these answers."""
    return minimal_case_json(territory=ZONE, assessment={"date": date, "scores": list(records)})


def answers(date: str | None = None, **values: int) -> dict[str, Any]:
    """A record of the test screening."""
    record: dict[str, Any] = {"instrument": "screening_prova", "answers": values}
    if date is not None:
        record["date"] = date
    return record


AS_OF = dt.date(2024, 6, 1)


# --------------------------------------------------------------------------- totals and bands


def test_the_total_is_the_weighted_sum_and_the_highest_band_reached_counts(engine: Engine) -> None:
    result = engine.assess(case(answers(lavoro=3, salute=1, reti=2, nota=9)), as_of=AS_OF)
    (score,) = result.scores
    assert (score.total, score.band, score.outcome, score.missing) == (11, "approfondimento", ScoreOutcome.VALUTATO, ())
    inputs = score.reason.inputs
    assert inputs["contributi"] == {"lavoro": 6, "salute": 3, "reti": 2, "nota": 0}
    assert inputs["punteggio"] == 11 and inputs["soglie"] == {"attenzione": 4, "approfondimento": 11}
    assert score.reason.rule == "punteggio.screening_prova"
    # the threshold's source, its period, and what is not confirmed
    assert "soglia di prova, prima versione" in score.reason.source.text_it
    assert score.reason.valid_from == dt.date(2020, 1, 1) and score.reason.valid_to == dt.date(2023, 12, 31)
    assert "Non confermato: soglia di prova" in score.reason.message_it
    assert "soglia 11 raggiunta: Colloquio di approfondimento" in score.reason.message_it
    assert "threshold 11 reached: In-depth interview" in score.reason.message_en
    # what the answers are: every category the items give, whatever the answers
    assert set(score.reason.categories) == {"health", "process", "social", "work"}


def test_a_total_below_every_threshold_has_no_band(engine: Engine) -> None:
    (score,) = engine.assess(case(answers(lavoro=1, salute=0, reti=1, nota=0)), as_of=AS_OF).scores
    assert (score.total, score.band, score.outcome) == (3, None, ScoreOutcome.VALUTATO)
    assert "sotto la soglia 4 (Attenzione)" in score.reason.message_it


def test_thresholds_are_read_as_of_the_day_the_instrument_was_administered(engine: Engine) -> None:
    """11 reaches the first version's threshold (11, until 2023) but not the second's (12, from 2024)."""
    before = engine.assess(case(answers(lavoro=3, salute=1, reti=2, nota=0), date="2023-12-31"), as_of=AS_OF)
    after = engine.assess(case(answers(lavoro=3, salute=1, reti=2, nota=0), date="2024-01-01"), as_of=AS_OF)
    assert before.scores[0].band == "approfondimento"
    assert before.scores[0].reason.inputs["soglie"]["approfondimento"] == 11
    assert after.scores[0].band == "attenzione"
    assert after.scores[0].reason.inputs["soglie"]["approfondimento"] == 12
    # the record's own date wins over the assessment's
    own = engine.assess(case(answers("2023-06-01", lavoro=3, salute=1, reti=2, nota=0), date="2024-02-01"),
                        as_of=AS_OF)
    assert own.scores[0].date == dt.date(2023, 6, 1) and own.scores[0].band == "approfondimento"


def test_an_instrument_before_its_period_is_not_scored(engine: Engine) -> None:
    (score,) = engine.assess(case(answers(lavoro=3, salute=2, reti=4, nota=0), date="2019-06-01"),
                             as_of=AS_OF).scores
    assert (score.outcome, score.band) == (ScoreOutcome.NON_IN_VIGORE, None)
    assert "nessuna versione dello strumento è in vigore il 2019-06-01" in score.reason.message_it


def test_the_latest_record_by_the_as_of_date_counts(engine: Engine) -> None:
    data = case(answers("2023-01-01", lavoro=0, salute=0, reti=0, nota=0),
                answers("2023-03-01", lavoro=3, salute=2, reti=4, nota=0),
                answers("2024-09-01", lavoro=0, salute=0, reti=0, nota=0))  # after the as-of date: not yet
    (score,) = engine.assess(data, as_of=AS_OF).scores
    assert (score.date, score.total) == (dt.date(2023, 3, 1), 16)


def test_old_cases_without_scores_still_load(engine: Engine) -> None:
    result = engine.assess(minimal_case_json(territory=ZONE), as_of=AS_OF)
    assert result.scores == ()
    assert engine.to_json(result)["scores"] == []


# --------------------------------------------------------------------------- missing items


def test_a_missing_item_that_could_change_the_band_makes_it_not_assessable(engine: Engine) -> None:
    """6 + 3 answered; reti (0-4) could bring it from 9 to 13: under or over 11."""
    (score,) = engine.assess(case(answers(lavoro=3, salute=1, nota=0)), as_of=dt.date(2023, 6, 1)).scores
    assert (score.outcome, score.band, score.missing, score.total) == (ScoreOutcome.NON_VALUTABILE, None, ("reti",), 9)
    assert "non valutabile, voci mancanti: Reti" in score.reason.message_it
    assert score.reason.inputs["voci_mancanti"] == ["reti"]


def test_a_missing_item_that_cannot_change_the_band_leaves_it_decided(engine: Engine) -> None:
    reached = engine.assess(case(answers(lavoro=3, salute=2, nota=0)), as_of=dt.date(2023, 6, 1)).scores[0]
    assert (reached.outcome, reached.band, reached.missing) == (ScoreOutcome.VALUTATO, "approfondimento", ("reti",))
    assert "la fascia non cambierebbe" in reached.reason.message_it
    # 4 answered, reti (0-4) gives 4 to 8: above 4, below 11 whatever its answer
    between = engine.assess(case(answers(lavoro=2, salute=0, nota=0)), as_of=dt.date(2023, 6, 1)).scores[0]
    assert (between.outcome, between.band, between.total) == (ScoreOutcome.VALUTATO, "attenzione", 4)
    # an item of weight 0 never leaves it undecided
    zero = engine.assess(case(answers(lavoro=3, salute=1, reti=2)), as_of=dt.date(2023, 6, 1)).scores[0]
    assert (zero.outcome, zero.band, zero.missing) == (ScoreOutcome.VALUTATO, "approfondimento", ("nota",))


# --------------------------------------------------------------------------- routing by configuration


@pytest.mark.parametrize(("values", "fires"), [
    ({"lavoro": 3, "salute": 1, "reti": 2, "nota": 0}, True),   # 11
    ({"lavoro": 3, "salute": 1, "reti": 1, "nota": 0}, False),  # 10
])
def test_a_routing_rule_reads_the_score(engine: Engine, values: dict[str, int], fires: bool) -> None:
    result = engine.assess(case(answers(**values)), as_of=dt.date(2023, 6, 1))
    if fires:
        assert result.routing.channel == "colloquio_approfondimento"
        (reason,) = result.routing.reasons
        assert reason.message_it == "Punteggio 11: colloquio di approfondimento"
        assert reason.inputs["punteggio.screening_prova"] == 11
        assert reason.inputs["soglia.screening_prova.approfondimento"] == 11
        assert {"health", "work", "social"} <= set(reason.categories)
    else:
        assert result.routing.channel != "colloquio_approfondimento"


def test_a_missing_score_never_routes(engine: Engine) -> None:
    result = engine.assess(case(answers(lavoro=3, salute=1, nota=0)), as_of=dt.date(2023, 6, 1))
    assert result.routing.channel != "colloquio_approfondimento"


def test_a_view_masks_the_score_where_a_category_of_its_items_may_not_flow(engine: Engine) -> None:
    """The italia flows give the CPI no health data for a referral: the score (and the routing that read it) are
    withheld, whatever the answers; the social service, which receives them, sees it."""
    for values in ({"lavoro": 3, "salute": 1, "reti": 2, "nota": 0}, {"lavoro": 0, "salute": 0, "reti": 0, "nota": 0}):
        data = case(answers(**values))
        result = engine.assess(data, as_of=dt.date(2023, 6, 1))
        view = engine.preview_result(result, engine.load_case(data), recipient="cpi", purpose="referral")
        assert view.data["scores"] == []
        assert "$.scores[0]" in {w.path for w in view.withheld}
        case_view = engine.preview_case(engine.load_case(data), recipient="cpi", purpose="referral",
                                        as_of=dt.date(2023, 6, 1))
        assert case_view.data["assessment"] is None or case_view.data["assessment"]["scores"] in (None, [])


def _consent(member: str) -> dict[str, Any]:
    return {"id": f"consenso-{member}", "member": member, "categories": ["health"], "recipients": ["cpi"],
            "purposes": ["equipe"], "given_on": "2023-04-20", "evidence": "modulo firmato"}


@pytest.mark.parametrize(("consenting", "shown"), [(("m1", "m2"), True), (("m1",), False), ((), False)])
def test_a_score_is_household_data_shown_only_when_every_adult_consented(
        engine: Engine, consenting: tuple[str, ...], shown: bool) -> None:
    """The answers are the household's: one adult's consent to health data does not open them to the CPI."""
    data = case(answers(lavoro=1, salute=2, reti=0, nota=0))
    data["household"]["members"].append({"id": "m2", "relation": "coniuge", "birth_date": "1987-02-11"})
    data["consents"] = [_consent(m) for m in consenting]
    loaded = engine.load_case(data)
    view = engine.preview_case(loaded, recipient="cpi", purpose="equipe", as_of=dt.date(2023, 6, 1))
    assert len(view.data["assessment"]["scores"]) == (1 if shown else 0)
    assert ("$.assessment.scores[0]" in {w.path for w in view.withheld}) is not shown


# --------------------------------------------------------------------------- input errors


def test_unknown_items_and_values_out_of_range_are_input_errors(engine: Engine) -> None:
    data = case({"instrument": "screening_prov", "answers": {"lavoro": 1}},
                answers(lavoro=7, salute=3, colloquio=1))
    with pytest.raises(InvalidCaseError) as caught:
        engine.assess(data, as_of=AS_OF)
    found = {(d.path, d.rule) for d in caught.value.details}
    assert found == {
        ("$.assessment.scores[0].instrument", "ref:scores"),
        ("$.assessment.scores[1].answers.lavoro", "scores.values"),
        ("$.assessment.scores[1].answers.salute", "scores.values"),
        ("$.assessment.scores[1].answers.colloquio", "ref:scores.items"),
    }
    messages = {d.path: str(d.message) for d in caught.value.details}
    assert "tra 0 e 3" in messages["$.assessment.scores[1].answers.lavoro"]
    assert "valori ammessi: 0, 1, 2" in messages["$.assessment.scores[1].answers.salute"]
    assert "forse 'screening_prova'" in messages["$.assessment.scores[0].instrument"]


def test_an_answer_that_is_not_an_integer_is_an_input_error(engine: Engine) -> None:
    with pytest.raises(InvalidCaseError) as caught:
        engine.assess(case(answers(lavoro="3")), as_of=AS_OF)  # type: ignore[arg-type]
    assert [d.path for d in caught.value.details] == ["$.assessment.scores[0].answers.lavoro"]


def test_one_record_per_instrument_and_day(engine: Engine) -> None:
    with pytest.raises(InvalidCaseError) as caught:
        engine.assess(case(answers(lavoro=1), answers(lavoro=2)), as_of=AS_OF)
    assert [(d.path, d.rule) for d in caught.value.details] == [("$.assessment.scores[1].date", "unique")]


# --------------------------------------------------------------------------- configuration errors


def test_configuration_errors_name_path_value_and_rule(write_layer: Writer) -> None:
    bad = LAYER.replace("        min: 0\n        max: 3\n", "        min: 5\n        max: 3\n", 1) \
        .replace("        dimension: reti\n", "        dimension: retii\n") \
        .replace("        min: 0\n        max: 9\n", "        values: [0, 1]\n        min: 0\n") \
        .replace("band: approfondimento}}", "band: approfondiment}}")
    root = write_layer(ZONE, bad)
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])
    with pytest.raises(ConfigurationError) as caught:
        engine.territory(ZONE)
    found = {(d.path, d.rule, d.value) for d in caught.value.details}
    assert ("$.scores.screening_prova.items.lavoro.max", "scores.range", 3) in found
    assert ("$.scores.screening_prova.items.reti.dimension", "ref:dimensions", "retii") in found
    assert ("$.scores.screening_prova.items.nota", "scores.range", None) in found
    assert ("$.routing.rules[0].when.score_at_least.band", "ref:scores.bands", "approfondiment") in found
    assert all(d.line is not None for d in caught.value.details)


def test_the_schema_refuses_a_malformed_instrument(write_layer: Writer) -> None:
    bad = LAYER.replace("        weight: 2\n", "        weight: due\n", 1).replace(
        "{score_at_least: {instrument: screening_prova, band: approfondimento}}",
        "{score_at_least: {instrument: screening_prova}}")
    root = write_layer(ZONE, bad)
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])
    with pytest.raises(ConfigurationError) as caught:
        engine.territory(ZONE)
    paths = {d.path for d in caught.value.details}
    assert "$.scores.screening_prova.items.lavoro.weight" in paths
    assert "$.routing.rules[0].when.score_at_least" in paths


def test_an_override_from_a_date_is_a_new_version_of_the_instrument(write_layer: Writer) -> None:
    """A child layer changes a weight from 2025: a record of 2024 keeps the old weight, one of 2025 the new."""
    write_layer(ZONE, LAYER)
    root = write_layer("figlio", """\
id: figlio
label: {it: Figlio, en: Child}
level: ambito
version: "1"
extends: zona_punteggi
scores:
  screening_prova:
    override: true
    valid_from: "2025-01-01"
    items:
      lavoro: {override: true, weight: 3}
""")
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])
    data = minimal_case_json(territory="figlio", assessment={"date": "2024-06-01", "scores": [
        answers(lavoro=3, salute=0, reti=0, nota=0)]})
    assert engine.assess(data, as_of=dt.date(2025, 6, 1)).scores[0].total == 6
    data["assessment"]["date"] = "2025-02-01"
    assert engine.assess(data, as_of=dt.date(2025, 6, 1)).scores[0].total == 9


# --------------------------------------------------------------------------- properties


@pytest.fixture(scope="module")
def territory(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("scores")
    (root / ZONE).mkdir()
    (root / ZONE / "territory.yaml").write_text(LAYER, encoding="utf-8")
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])
    return engine.territory(ZONE)


RANGES = {"lavoro": [0, 1, 2, 3], "salute": [0, 1, 2], "reti": [0, 1, 2, 3, 4], "nota": list(range(10))}
WEIGHTS = {"lavoro": 2, "salute": 3, "reti": 1, "nota": 0}
DAYS = st.sampled_from([dt.date(2021, 3, 1), dt.date(2023, 12, 31), dt.date(2024, 1, 1), dt.date(2026, 1, 1)])


@st.composite
def records(draw: st.DrawFn, complete: bool = False) -> dict[str, int]:
    out = {}
    for item, values in RANGES.items():
        if complete or draw(st.booleans()):
            out[item] = draw(st.sampled_from(values))
    return out


@settings(max_examples=200, deadline=None)
@given(answers_=records(), day=DAYS)
def test_the_total_is_the_weighted_sum_of_the_answers(territory: Any, answers_: dict[str, int], day: dt.date) -> None:
    t = tally(ScoreRecord(instrument="screening_prova", answers=answers_), day, territory)
    assert t.total == sum(WEIGHTS[k] * v for k, v in answers_.items())
    assert set(t.missing) == set(RANGES) - set(answers_)
    assert t.low <= t.total + sum(WEIGHTS[k] * min(RANGES[k]) for k in t.missing) <= t.high


def _rank(t: Any, band: str | None) -> int:
    order = [b for b, _value, _entry in t.thresholds]
    return -1 if band is None else order.index(band)


@settings(max_examples=200, deadline=None)
@given(answers_=records(complete=True), day=DAYS, item=st.sampled_from(sorted(RANGES)), step=st.integers(1, 9))
def test_raising_an_answer_never_lowers_the_band(territory: Any, answers_: dict[str, int], day: dt.date, item: str,
                                                 step: int) -> None:
    raised = dict(answers_, **{item: min(max(RANGES[item]), answers_[item] + step)})
    low = tally(ScoreRecord(instrument="screening_prova", answers=answers_), day, territory)
    high = tally(ScoreRecord(instrument="screening_prova", answers=raised), day, territory)
    assert low.decided and high.decided
    assert _rank(high, high.band) >= _rank(low, low.band)


@settings(max_examples=200, deadline=None)
@given(answers_=records(), day=DAYS, nota=st.none() | st.sampled_from(RANGES["nota"]))
def test_an_item_of_weight_zero_never_changes_the_outcome(territory: Any, answers_: dict[str, int], day: dt.date,
                                                          nota: int | None) -> None:
    other = {k: v for k, v in answers_.items() if k != "nota"}
    if nota is not None:
        other["nota"] = nota
    a = tally(ScoreRecord(instrument="screening_prova", answers=answers_), day, territory)
    b = tally(ScoreRecord(instrument="screening_prova", answers=other), day, territory)
    assert (a.total, a.band, a.decided, a.low, a.high) == (b.total, b.band, b.decided, b.low, b.high)
