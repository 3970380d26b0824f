"""
The SIL occupability grade (SIL guidelines, §2.b) and the objectives and macro-activities it calls for.

"E' utile considerare il grado di occupabilità di un soggetto come un indicatore aggregato
stimato in riferimento al peso di questi fattori": capacità produttiva, relazione con il
contesto lavorativo e sociale, benessere soggettivo. The guidelines give neither weights nor
cut-offs, so they are configuration (the section ``sil`` of ``territory.yaml``,
``sil.occupabilita``, defaults marked ``kind: default``; a district extending ``sil``
changes only the values it writes):

1. each item is an assessment dimension recorded in the case (``assessment.levels``,
   level 0 no difficulty ... 3 severe difficulty); the **scale** turns its level into a
   score (default ``3 - level``);
2. a **dimension's score** is the weighted mean of the scores of its recorded items;
3. the **total** is the weighted mean of the scores of the dimensions with at least one
   recorded item (the weights of the others are left out, and the reason says so);
4. the **thresholds** give the grade: below ``bassa_sotto`` *bassa*, from ``alta_da``
   *alta*, *media* in between.

Arithmetic is exact (fractions), so a total equal to a threshold is never misjudged by a
rounding error. With a non-increasing scale and positive weights, less difficulty on any
item never lowers the grade (a property test checks it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

import attrs

from inclusione_core import Case, Grade, Reason, Territory
from inclusione_core.i18n import LANGS, Message

from ._i18n import message
from ._tables import GradePlan, Tables
from ._territory import SECTION


@attrs.frozen(kw_only=True)
class ItemScore:
    """One item: its level in the case (``None`` when not recorded), score and weight."""

    dimension: str
    level: int | None
    score: Fraction | None
    weight: Fraction


@attrs.frozen(kw_only=True)
class GroupScore:
    """One dimension of §2.b: its score (``None`` with no recorded item), weight and items."""

    code: str
    label: Mapping[str, str]
    weight: Fraction
    score: Fraction | None
    items: tuple[ItemScore, ...]


@attrs.frozen(kw_only=True)
class OccupabilityScore:
    """The computation of the grade: items, dimension scores, weighted total, thresholds, grade."""

    grade: Grade
    total: Fraction
    groups: tuple[GroupScore, ...]
    low_below: Fraction
    high_from: Fraction
    scale: tuple[Fraction, ...]

    def missing(self) -> tuple[str, ...]:
        """The items not recorded in the case (left out of the computation)."""
        return tuple(i.dimension for g in self.groups for i in g.items if i.level is None)

    def inputs(self) -> dict[str, Any]:
        """The computation as JSON-ready facts, for the reason's ``inputs``."""
        return {
            "voci": {i.dimension: {"livello": i.level, "punteggio": _num(i.score), "peso": _num(i.weight)}
                     for g in self.groups for i in g.items},
            "dimensioni": {g.code: {"punteggio": _num(g.score), "peso": _num(g.weight)} for g in self.groups},
            "totale_pesato": _num(self.total),
            "soglie": {"bassa_sotto": _num(self.low_below), "alta_da": _num(self.high_from)},
            "scala": [_num(s) for s in self.scale],
            "voci_non_rilevate": list(self.missing()),
            "grado": self.grade.value,
        }


def _num(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _weighted_mean(pairs: list[tuple[Fraction, Fraction]]) -> Fraction | None:
    weight = sum((w for _s, w in pairs), Fraction(0))
    if not pairs or weight == 0:
        return None
    return sum((s * w for s, w in pairs), Fraction(0)) / weight


def grade_of(total: Fraction, tables: Tables) -> Grade:
    """The grade of a weighted total under the configured thresholds."""
    if total < tables.low_below:
        return Grade.BASSA
    if total >= tables.high_from:
        return Grade.ALTA
    return Grade.MEDIA


def levels_of(case: Case) -> dict[str, int]:
    """The levels recorded in the case's assessment, by dimension (the highest if repeated)."""
    if case.assessment is None:
        return {}
    out: dict[str, int] = {}
    for entry in case.assessment.levels:
        out[entry.dimension] = max(out.get(entry.dimension, 0), entry.level)
    return out


def score_levels(levels: Mapping[str, int], tables: Tables) -> OccupabilityScore | None:
    """
    The occupability computation from item levels (dimension code -> level 0-3).

    :return: the computation, or ``None`` when no item of the grid is recorded.
    """
    groups: list[GroupScore] = []
    totals: list[tuple[Fraction, Fraction]] = []
    for group in tables.groups:
        items = []
        for item in group.items:
            level = levels.get(item.dimension)
            score = None if level is None else tables.scale[level]
            items.append(ItemScore(dimension=item.dimension, level=level, score=score, weight=item.weight))
        score = _weighted_mean([(i.score, i.weight) for i in items if i.score is not None])
        groups.append(GroupScore(code=group.code, label=group.label, weight=group.weight, score=score,
                                 items=tuple(items)))
        if score is not None:
            totals.append((score, group.weight))
    total = _weighted_mean(totals)
    if total is None:
        return None
    return OccupabilityScore(grade=grade_of(total, tables), total=total, groups=tuple(groups),
                             low_below=tables.low_below, high_from=tables.high_from, scale=tables.scale)


def objectives_for(grade: Grade | str, tables: Tables) -> GradePlan:
    """The §2.b table for a grade: intervention objectives and macro-activities, verbatim."""
    return tables.plans[Grade(grade)]


# --------------------------------------------------------------------------- reasons


def _it(value: Fraction | None) -> str:
    return "-" if value is None else f"{float(value):.2f}".replace(".", ",")


def _en(value: Fraction | None) -> str:
    return "-" if value is None else f"{float(value):.2f}"


def _w(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def item_label(territory: Territory, dimension: str, lang: str = "it") -> str:
    """Short label of an item: the territory's dimension label after its prefix."""
    entry = territory.section("dimensions").get(dimension)
    if entry is None:
        return dimension
    text = str(entry["label"][lang])
    return text.rsplit(": ", maxsplit=1)[-1].removeprefix("SIL - ")


def grid_categories(territory: Territory, tables: Tables) -> tuple[str, ...]:
    """
    What the occupability rule may read: every item of the grid, recorded or not (whether
    an item is recorded, e.g. the subjective well-being, is itself data of its category).
    """
    return tuple(sorted({territory.data_category("dimensions", d) for d in tables.items()})) or ("process",)


def _by_lang(render: Any) -> dict[str, str]:
    """A text per language (a placeholder's value): ``render(lang)`` for each language of the catalogues."""
    return {lang: render(lang) for lang in LANGS}


def _number(value: Fraction | None) -> dict[str, str]:
    return {"it": _it(value), "en": _en(value)}


def _joined(messages: list[Message], sep: str) -> dict[str, str]:
    return _by_lang(lambda lang: sep.join(m.text(lang) for m in messages))


def grade_text(grade: Grade) -> Message:
    """An occupability grade in words (``bassa``: *bassa*, *low*)."""
    return {"bassa": message("low"), "media": message("medium"), "alta": message("high")}[grade.value]


def occupability_reasons(score: OccupabilityScore, tables: Tables, territory: Territory) -> list[Reason]:
    """The reason for the grade (the whole computation) and the one for its configurable parameters."""
    parts = []
    for g in score.groups:
        items = [
            message("{item} not recorded", item=_by_lang(lambda lang, i=i: item_label(territory, i.dimension, lang)))
            if i.level is None else
            message("{item} level {level} = {score}", level=i.level, score=_number(i.score),
                    item=_by_lang(lambda lang, i=i: item_label(territory, i.dimension, lang)))
            for i in g.items]
        parts.append(message("{group} {score} (weight {weight}; {items})", score=_number(g.score),
                             group=_by_lang(lambda lang, g=g: str(g.label[lang]).lower()), weight=_w(g.weight),
                             items=_joined(items, ", ")))
    missing = score.missing()
    common = {"grade": grade_text(score.grade), "parts": _joined(parts, "; "),
              "total": _number(score.total),
              "low": _number(score.low_below), "high": _number(score.high_from)}
    text = message("Occupability {grade} (aggregate indicator of the three SIL dimensions): {parts}. Weighted total"
                   " {total}: low below {low}, high from {high}, otherwise medium. Items not recorded, left out:"
                   " {missing}.", missing=_by_lang(lambda lang: ", ".join(item_label(territory, m, lang).lower()
                                                                       for m in missing)), **common) if missing else \
        message("Occupability {grade} (aggregate indicator of the three SIL dimensions): {parts}. Weighted total"
                " {total}: low below {low}, high from {high}, otherwise medium.", **common)
    main = Reason(
        rule="sil.occupabilita.grado",
        territory=tables.layer,
        message_it=text.text("it"),
        message_en=text.text("en"),
        source=tables.occupability_source,
        inputs=score.inputs(),
        defined_in=tables.defined_in,
        categories=grid_categories(territory, tables),
    )
    weights = _by_lang(lambda lang: ", ".join(f"{str(g.label[lang]).lower()} {_w(g.weight)}" for g in tables.groups))
    scale = ", ".join(_w(s) for s in tables.scale)
    text = message("Scale, weights and thresholds are configurable defaults of the section {section} of the"
                   " configuration (the source does not fix them): score for level 0-3 = {scale}; weights {weights};"
                   " item weights as in the table; low below {low}, high from {high}.",
                   section=f"{SECTION}.occupabilita", scale=scale, weights=weights,
                   low=_number(tables.low_below), high=_number(tables.high_from))
    params = Reason(
        rule="sil.occupabilita.parametri",
        territory=tables.layer,
        message_it=text.text("it"),
        message_en=text.text("en"),
        source=tables.weights_source,
        inputs={
            "scala": [_num(s) for s in tables.scale],
            "pesi": {g.code: _num(g.weight) for g in tables.groups},
            "pesi_voci": {i.dimension: _num(i.weight) for g in tables.groups for i in g.items},
            "soglie": {"bassa_sotto": _num(tables.low_below), "alta_da": _num(tables.high_from)},
            "fonti_default": [str(tables.scale_source), str(tables.weights_source), str(tables.thresholds_source)],
        },
        defined_in=tables.defined_in,
        categories=grid_categories(territory, tables),  # given only when the grid is filled in
    )
    return [main, params]


def plan_reason(grade: Grade, tables: Tables, origin: str, categories: Iterable[str]) -> Reason:
    """
    The objectives and macro-activities that follow the grade (§2.b table), as a reason.

    :param origin: ``griglia_sil`` (the SIL grid) or ``profilo_territorio`` (the fallback).
    :param categories: what the grade was decided from: the objectives reveal the grade.
    """
    plan = objectives_for(grade, tables)
    objectives = "; ".join(f"«{t}»" for t in plan.objectives)
    activities = "; ".join(f"«{t}»" for t in plan.activities)
    text = message("Occupability grade {grade}: intervention objectives and macro-activities of the SIL table (Italian"
                   " text): objectives {objectives}. Macro-activities: {activities}.", grade=grade_text(grade),
                   objectives=objectives, activities=activities)
    return Reason(
        rule=f"sil.obiettivi.{grade.value}",
        territory=tables.layer,
        message_it=text.text("it"),
        message_en=text.text("en"),
        source=plan.source,
        inputs={"grado": grade.value, "obiettivi": list(plan.objectives), "macroattivita": list(plan.activities),
                "origine_grado": origin},
        defined_in=tables.defined_in,
        categories=tuple(sorted(set(categories))) or ("process",),
    )
