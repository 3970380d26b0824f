"""The SIL occupability grade (§2.b): computation from the grid, configuration, objectives, properties."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusione_sil
from inclusione_core import Engine, Grade
from inclusione_sil import Tables, grade_of, objectives_for, score_levels

ITEMS = (
    "sil_impegno", "sil_autonomia", "sil_produttivita", "sil_qualita_prestazione", "sil_professionalita",
    "sil_equilibrio_emotivo", "sil_riconoscimento_ruoli", "sil_consapevolezza_punti_forza_limiti",
    "sil_benessere_soggettivo",
)
RANK = {Grade.BASSA: 0, Grade.MEDIA: 1, Grade.ALTA: 2}


def test_items_are_the_nine_of_the_three_dimensions(tables: Tables) -> None:
    """The grid has the five, three and one items of capacità produttiva, relazione, benessere soggettivo."""
    assert tables.items() == ITEMS
    assert [(g.code, len(g.items)) for g in tables.groups] == [
        ("capacita_produttiva", 5), ("relazione_contesto", 3), ("benessere_soggettivo", 1)]


def test_default_parameters_are_marked_as_defaults(tables: Tables) -> None:
    """Scale, weights and thresholds are documented defaults; the aggregate indicator itself cites the guidelines."""
    assert tables.scale == (3, 2, 1, 0)
    assert [g.weight for g in tables.groups] == [2, 2, 1]
    assert (tables.low_below, tables.high_from) == (1, 2)
    for source in (tables.scale_source, tables.weights_source, tables.thresholds_source):
        assert source.kind == "default" and source.quote == ""
        assert source.note.startswith("le linee guida non fissano")
        assert str(source).startswith("impostazione predefinita, modificabile: le linee guida non fissano")
    assert tables.occupability_source.kind == "linee_guida" and tables.occupability_source.quote


def test_worked_example_computation(tables: Tables) -> None:
    """The 50% invalidity case: capacità 1.6, relazione 2, benessere 1, total 8.2/5 = 1.64, media."""
    levels = dict(zip(ITEMS, (1, 1, 2, 2, 1, 1, 1, 1, 2), strict=True))
    score = score_levels(levels, tables)
    assert score is not None
    assert [g.score for g in score.groups] == [Fraction(8, 5), Fraction(2), Fraction(1)]
    assert score.total == Fraction(41, 25)
    assert score.grade is Grade.MEDIA
    assert score.missing() == ()


@pytest.mark.parametrize(("total", "grade"), [
    (Fraction(0), Grade.BASSA), (Fraction(99, 100), Grade.BASSA), (Fraction(1), Grade.MEDIA),
    (Fraction(199, 100), Grade.MEDIA), (Fraction(2), Grade.ALTA), (Fraction(3), Grade.ALTA)])
def test_thresholds_are_exact(tables: Tables, total: Fraction, grade: Grade) -> None:
    """A total equal to a threshold takes the upper grade (bassa below 1, alta from 2), without rounding errors."""
    assert grade_of(total, tables) is grade


def test_all_levels_one_third_each_lands_on_threshold(tables: Tables) -> None:
    """Scores averaging exactly 2 (a total that floats would compute as 1.999...) give alta."""
    levels = {**dict.fromkeys(ITEMS, 1)}
    score = score_levels(levels, tables)
    assert score is not None and score.total == 2 and score.grade is Grade.ALTA


def test_missing_items_are_left_out_and_said(tables: Tables) -> None:
    """Unrecorded items are left out of their dimension; a dimension with none is left out of the total."""
    score = score_levels({"sil_impegno": 0, "sil_autonomia": 3}, tables)
    assert score is not None
    assert score.groups[0].score == Fraction(3, 2)
    assert score.groups[1].score is None and score.groups[2].score is None
    assert score.total == Fraction(3, 2)
    assert set(score.missing()) == set(ITEMS) - {"sil_impegno", "sil_autonomia"}
    assert score_levels({"lavoro": 3}, tables) is None


def test_objectives_follow_the_grade_verbatim(tables: Tables) -> None:
    """Each grade maps to the objectives and macro-activities of its column of the §2.b table."""
    assert objectives_for("bassa", tables).objectives[0] == (
        "Sostenere l'utente nell'analisi e ricostruzione dell'esperienza socio-professionale")
    assert len(objectives_for(Grade.BASSA, tables).activities) == 4
    assert objectives_for(Grade.MEDIA, tables).objectives == (
        "verificare la presenza di obiettivi professionali",
        "Prendere in carico il soggetto attivando un piano di attività per la gestione dell'inserimento lavorativo")
    assert objectives_for(Grade.ALTA, tables).activities == (
        "Analisi della domanda informativa", "Erogazione di informazioni mirate",
        "Assistenza all'utente in fase di consultazione")
    assert objectives_for(Grade.ALTA, tables).source.document == inclusione_sil.DOCUMENT


def test_reason_shows_the_whole_computation(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """The grade's reason lists items, dimension scores with weights, the weighted total and the thresholds."""
    result = engine.assess(example("l68_invalidita_50.json"), as_of=dt.date(2025, 3, 10))
    (reason,) = [r for r in result.profile.reasons if r.rule == "sil.occupabilita.grado"]
    for text in ("capacità produttiva 1,60 (peso 2", "impegno livello 1 = 2,00", "benessere soggettivo 1,00 (peso 1",
                 "Totale pesato 1,64", "bassa sotto 1,00, alta da 2,00"):
        assert text in reason.message_it
    assert "Weighted total 1.64" in reason.message_en
    assert reason.inputs["dimensioni"]["capacita_produttiva"] == {"punteggio": 1.6, "peso": 2.0}
    assert reason.inputs["voci"]["sil_produttivita"] == {"livello": 2, "punteggio": 1.0, "peso": 1.0}
    assert reason.inputs["totale_pesato"] == 1.64
    assert (reason.territory, reason.defined_in) == ("sil", "sil/territory.yaml")
    # the subjective well-being item is mental-health data: the reason shows it, so it carries the category
    assert set(reason.categories) == {"work", "mental_health"}


def test_without_the_grid_the_territory_rule_grades_and_says_so(engine: Engine,
                                                                 example: Callable[[str], dict[str, Any]]) -> None:
    """With no item of the grid recorded, the grade comes from the lavoro dimension and a reason asks for the grid."""
    case = example("l68_invalidita_50.json")
    case["assessment"]["levels"] = [{"dimension": "lavoro", "level": 3}]
    result = engine.assess(case, as_of=dt.date(2025, 3, 10))
    assert result.profile.profile.occupability is Grade.BASSA
    rules = [r.rule for r in result.profile.reasons]
    assert "profilo.occupabilita" in rules
    assert "sil.occupabilita.griglia_non_compilata" in rules
    (plan,) = [r for r in result.profile.reasons if r.rule == "sil.obiettivi.bassa"]
    assert plan.inputs["origine_grado"] == "profilo_territorio"


# --------------------------------------------------------------------------- properties


levels_st = st.dictionaries(st.sampled_from(ITEMS), st.integers(0, 3), min_size=1)
weights_st = st.fractions(min_value=Fraction(1, 10), max_value=10, max_denominator=20)


@st.composite
def configured(draw: st.DrawFn, tables: Tables) -> Tables:
    """The reference tables with random positive weights, a non-increasing scale and ordered thresholds."""
    scale = sorted(draw(st.lists(st.fractions(0, 5, max_denominator=10), min_size=4, max_size=4)), reverse=True)
    top = scale[0]
    low = draw(st.fractions(0, top, max_denominator=20))
    high = draw(st.fractions(low, max(low, top), max_denominator=20))
    groups = tuple(
        attrs.evolve(g, weight=draw(weights_st),
                     items=tuple(attrs.evolve(i, weight=draw(weights_st)) for i in g.items))
        for g in tables.groups)
    return attrs.evolve(tables, scale=tuple(scale), groups=groups, low_below=low, high_from=high)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), levels=levels_st, item=st.sampled_from(ITEMS))
def test_less_difficulty_on_any_item_never_lowers_the_grade(tables: Tables, data: st.DataObject,
                                                           levels: dict[str, int], item: str) -> None:
    """Whatever weights, scale and thresholds, raising an item's score (lowering its level) never lowers the grade."""
    cfg = data.draw(configured(tables))
    before = score_levels(levels, cfg)
    better = {**levels, item: data.draw(st.integers(0, levels.get(item, 0)))} if item in levels else levels
    after = score_levels(better, cfg)
    assert before is not None and after is not None
    assert after.total >= before.total
    assert RANK[after.grade] >= RANK[before.grade]


@settings(max_examples=200, deadline=None)
@given(data=st.data(), levels=levels_st)
def test_grade_is_the_threshold_band_of_the_weighted_total(tables: Tables, data: st.DataObject,
                                                          levels: dict[str, int]) -> None:
    """The total lies within the scale and the grade is the configured band it falls in."""
    cfg = data.draw(configured(tables))
    score = score_levels(levels, cfg)
    assert score is not None
    assert min(cfg.scale) <= score.total <= max(cfg.scale)
    expected = (Grade.BASSA if score.total < cfg.low_below
                else Grade.ALTA if score.total >= cfg.high_from else Grade.MEDIA)
    assert score.grade is expected


@settings(max_examples=60, deadline=None)
@given(levels=st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_pipeline_grade_matches_the_grid(engine: Engine, tables: Tables, example: Callable[[str], dict[str, Any]],
                                         levels: list[int]) -> None:
    """Through the whole pipeline the profile's grade is the grid's, and its objectives reason follows it."""
    case = example("fuori_elenco.json")
    case["assessment"]["levels"] = [{"dimension": "lavoro", "level": 2}] + [
        {"dimension": d, "level": v} for d, v in zip(ITEMS, levels, strict=True)]
    result = engine.assess(case, as_of=dt.date(2025, 5, 12))
    expected = score_levels(dict(zip(ITEMS, levels, strict=True)), tables)
    assert expected is not None
    assert result.profile.profile.occupability is expected.grade
    assert f"sil.obiettivi.{expected.grade.value}" in [r.rule for r in result.profile.reasons]
