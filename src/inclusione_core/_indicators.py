"""
Monitoring indicators over a set of assessed cases, per ambito territoriale, pseudonymised.

:func:`indicators` folds already computed results (with the cases they came from) into
counts per ambito (``Result.network.ambito``; no network assignment, or a municipality the
network does not list: the group *ambito non indicato*) and for the whole territory:

* **households** (``nuclei``) and **access to measures** (``misure``): households with at
  least one measure in force whose requirements are met (``requisiti_soddisfatti``), and
  per measure;
* **multidisciplinary taking in charge** (``equipe``): households that convened an equipe,
  an extended one (members that triggers added beyond the format's base roles), and the
  average number of operators per equipe;
* **disparities** (``divari``): each count as a share of the group's households next to the
  territory's share, with the difference in percentage points;
* **needs** (``bisogni``, ``dimensioni``): households with a need of each code, and with a
  need in each dimension;
* **interventions** (``interventi``): households to which each intervention is recommended.

Which objective of the territory each family of indicators serves, with its source, and
the minimum cell size come from the configuration (``indicators:``); without it the
indicators are the project's, and the minimum is :data:`DEFAULT_MIN_CELL` (a default).

**Pseudonymised, small counts suppressed.** The report holds no case id, no member and no
value of a case: only counts of households, shares and averages. A count below the minimum
cell size (or whose complement in the group is: "all but 2 households") is suppressed, and
so is, row by row, the next smallest cell, until the cells suppressed in a row hide at least
the minimum together: a suppressed cell is never the total less the cells shown. A share, a
difference and an average follow the count they rest on. It is an aggregate, not a view of
a case: nothing is audited (like the SIL's evaluation, :mod:`inclusione_sil`); the counts of
needs of a special category (addiction, mental health...) are aggregates as well, marked
with their category (docs/privacy.md, "Piemonte").

The function is pure: no input/output, no clock; the date is the results' own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ._batch import Assessed
from ._categories import DataCategory
from ._errors import ErrorDetail, InputError
from ._models import HOUSEHOLD_PARTY, Case, Citation, EligibilityOutcome, Equipe, Result
from .i18n import N_, Message, translate

if TYPE_CHECKING:
    from ._config import Territory

__all__ = [
    "DEFAULT_MIN_CELL", "FAMILIES", "Indicator", "IndicatorCell", "IndicatorGroup", "IndicatorReport",
    "MonitoringObjective", "indicators", "indicators_text",
]

DEFAULT_MIN_CELL = 5
"""The minimum cell size when the territory configures none: a default, no source fixes it."""
MIN_CELL_DEFAULT_SOURCE = Citation.default(Message(
    "no source fixes the minimum number of households a count must reach to be shown: 5, a common threshold"
    " of statistical confidentiality; the territory sets its own (indicators.min_cell)"))

FAMILIES: dict[str, str] = {
    "nuclei": N_("households"),
    "misure": N_("access to measures"),
    "equipe": N_("multidisciplinary taking in charge"),
    "divari": N_("shares and differences from the territory"),
    "bisogni": N_("needs"),
    "dimensioni": N_("needs by dimension"),
    "interventi": N_("interventions recommended"),
}
"""The families of indicators the core computes, by code (the ``indicators`` of an objective)."""

_FIXED = {
    "nuclei": N_("households assessed"),
    "misure.almeno_una": N_("households with at least one measure whose requirements are met"),
    "equipe.convocata": N_("households that convened an equipe"),
    "equipe.allargata": N_("households that convened an extended equipe (members added beyond the base roles)"),
    "equipe.componenti_medi": N_("operators per equipe convened, on average"),
}
_MEASURE = N_("households meeting the requirements of: {label}")
_NEED = N_("households with the need: {label}")
_DIMENSION = N_("households with a need in the dimension: {label}")
_INTERVENTION = N_("households to which it is recommended: {label}")
_NOT_GIVEN = N_("ambito not given")
_NO_NETWORK = N_("whole territory (no network of ambiti configured)")


@attrs.frozen(kw_only=True)
class IndicatorCell:
    """
    One value of an indicator for one group (or the territory).

    :ivar value: the count (or the average); null when suppressed, or an average over no equipe.
    :ivar suppressed: hidden to protect small counts (below the minimum, or so that a hidden
        count is not the total less those shown).
    :ivar rate: for a count, its share of the group's households (0-1); null when suppressed,
        when the group has no household, or when the group's households are suppressed.
    :ivar difference_pp: the share less the territory's, in percentage points (null where
        either share is).
    """

    value: int | float | None
    suppressed: bool = False
    rate: float | None = None
    difference_pp: float | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"value": self.value, "suppressed": self.suppressed, "rate": self.rate,
                "difference_pp": self.difference_pp}


@attrs.frozen(kw_only=True)
class IndicatorGroup:
    """
    A group of households: an ambito territoriale, or those whose ambito is not given.

    :ivar ambito: the ambito's code; null for the households without one.
    :ivar label_it: its label in Italian.
    :ivar label_en: its label in English.
    """

    ambito: str | None
    label_it: str
    label_en: str

    def label(self, lang: str = "it") -> str:
        """The label in ``lang``."""
        return self.label_en if lang == "en" else self.label_it


@attrs.frozen(kw_only=True)
class MonitoringObjective:
    """
    An objective of the territory that some families of indicators serve.

    :ivar code: the objective's code (``indicators.objectives`` of the configuration).
    :ivar label_it: its label in Italian.
    :ivar label_en: its label in English.
    :ivar families: the families of indicators that serve it.
    :ivar source: where the objective is stated.
    """

    code: str
    label_it: str
    label_en: str
    families: tuple[str, ...]
    source: Citation

    def label(self, lang: str = "it") -> str:
        """The label in ``lang``."""
        return self.label_en if lang == "en" else self.label_it


@attrs.frozen(kw_only=True)
class Indicator:
    """
    One indicator: a count of households (or an average) per group and for the territory.

    :ivar code: ``nuclei``, ``misure.almeno_una``, ``misure.<measure>``, ``equipe.convocata``,
        ``equipe.allargata``, ``equipe.componenti_medi``, ``bisogni.<need>``,
        ``dimensioni.<dimension>``, ``interventi.<intervention>``.
    :ivar family: its family (:data:`FAMILIES`).
    :ivar objective: the code of the objective it serves (null: none configured).
    :ivar kind: ``count`` (households) or ``mean``.
    :ivar categories: the data categories of what it counts (a special one: art. 9 data, in aggregate).
    :ivar cells: one per group of the report, in the same order.
    :ivar total: the whole territory.
    """

    code: str
    family: str
    objective: str | None
    label_it: str
    label_en: str
    kind: str
    categories: tuple[str, ...]
    cells: tuple[IndicatorCell, ...]
    total: IndicatorCell

    def label(self, lang: str = "it") -> str:
        """The label in ``lang``."""
        return self.label_en if lang == "en" else self.label_it

    @property
    def special(self) -> bool:
        """Whether it counts data of a special category (GDPR art. 9 or 10)."""
        return any(DataCategory(c).special for c in self.categories)


@attrs.frozen(kw_only=True)
class IndicatorReport:
    """
    The monitoring indicators of a set of cases, per ambito and for the territory.

    :ivar territory: the territory's id.
    :ivar config_digest: the digest of its configuration.
    :ivar as_of: the date the cases were assessed as of (null: they were not all assessed as of one date).
    :ivar assessed: the cases counted.
    :ivar rejected: the inputs not counted (``file.jsonl:3``), each said with its error where it was read.
    :ivar min_cell: the minimum number of households a count must reach to be shown.
    :ivar min_cell_source: where that minimum comes from (a default, unless a source fixes it).
    :ivar network_source: where the partition into ambiti comes from (null: no network).
    :ivar network_example: the network is an example set, neither complete nor official.
    :ivar groups: the ambiti of the network, then the households without one.
    :ivar objectives: the objectives the indicators serve, as configured.
    :ivar indicators: the indicators, family by family.
    """

    territory: str
    config_digest: str
    as_of: dt.date | None
    assessed: int
    rejected: tuple[str, ...]
    min_cell: int
    min_cell_source: Citation
    network_source: Citation | None
    network_example: bool
    groups: tuple[IndicatorGroup, ...]
    objectives: tuple[MonitoringObjective, ...]
    indicators: tuple[Indicator, ...]

    def get(self, code: str) -> Indicator:
        """The indicator with this code."""
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def cell(self, code: str, ambito: str | None) -> IndicatorCell:
        """The cell of an indicator for an ambito (``None``: the households without one)."""
        indicator = self.get(code)
        for group, cell in zip(self.groups, indicator.cells, strict=True):
            if group.ambito == ambito:
                return cell
        raise KeyError(ambito)

    def objective(self, code: str | None) -> MonitoringObjective | None:
        """The objective with this code (``None`` for none)."""
        return next((o for o in self.objectives if o.code == code), None)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (``report.schema.json``): codes, counts, shares and citations; no case data."""
        return {
            "territory": self.territory,
            "config_digest": self.config_digest,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "cases": {"assessed": self.assessed, "rejected": len(self.rejected),
                      "rejected_sources": list(self.rejected)},
            "min_cell": {"value": self.min_cell, "source": _citation_json(self.min_cell_source)},
            "network": None if self.network_source is None else {
                "example": self.network_example, "source": _citation_json(self.network_source)},
            "groups": [{"ambito": g.ambito, "label_it": g.label_it, "label_en": g.label_en} for g in self.groups],
            "objectives": [{"code": o.code, "label_it": o.label_it, "label_en": o.label_en,
                            "families": list(o.families), "source": _citation_json(o.source)}
                           for o in self.objectives],
            "indicators": [{
                "code": i.code, "family": i.family, "objective": i.objective, "label_it": i.label_it,
                "label_en": i.label_en, "kind": i.kind, "categories": list(i.categories), "special": i.special,
                "cells": [{"ambito": g.ambito, **c.to_json()} for g, c in zip(self.groups, i.cells, strict=True)],
                "total": i.total.to_json(),
            } for i in self.indicators],
        }


def _citation_json(c: Citation) -> dict[str, Any]:
    return {"document": c.document, "kind": c.kind, "binding": c.binding, "section": c.section, "quote": c.quote,
            "note": c.note, "text_it": c.text_it, "text_en": c.text_en}


# --------------------------------------------------------------------------- configuration


def _objectives(territory: Territory) -> tuple[list[MonitoringObjective], dict[str, str]]:
    """The configured objectives, and the objective of each family (the first that lists it)."""
    objectives: list[MonitoringObjective] = []
    served: dict[str, str] = {}
    for code, entry in (territory.section("indicators", "objectives")).items():
        families = tuple(entry["indicators"])
        objectives.append(MonitoringObjective(code=code, label_it=entry["label"]["it"], label_en=entry["label"]["en"],
                                              families=families, source=territory.citation(entry["source"])))
        for family in families:
            served.setdefault(family, code)
    return objectives, served


def _min_cell(territory: Territory, min_cell: int | None) -> tuple[int, Citation]:
    if min_cell is not None:
        if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
            raise InputError("min_cell", [ErrorDetail("$", Message("expected a whole number, 1 or more"), min_cell,
                                                      "minimum")])
        return min_cell, Citation.default(Message("minimum cell size chosen by whoever made the report: {n}",
                                                  n=min_cell))
    setting = territory.setting("indicators", "min_cell")
    if setting is None:
        return DEFAULT_MIN_CELL, MIN_CELL_DEFAULT_SOURCE
    return int(setting["value"]), territory.citation(setting["source"])


# --------------------------------------------------------------------------- counting


@attrs.define
class _Tally:
    """What is counted for one group: households per indicator code (``nuclei``: all), operators of equipes."""

    counts: Counter[str] = attrs.field(factory=Counter)
    operators: int = 0
    in_force: set[str] = attrs.field(factory=set)


def _met(result: Result) -> set[str]:
    """The measures in force whose requirements the household meets (outcome, or a plugin's plain yes)."""
    met = set()
    for e in result.measures:
        if not e.in_force:
            continue
        if e.outcome is EligibilityOutcome.REQUISITI_SODDISFATTI or (e.outcome is None and e.eligible is True):
            met.add(e.measure)
    return met


def _base_roles(territory: Territory, result: Result) -> set[str]:
    """The base roles of the result's equipe format, in the version in force on its date."""
    terr = territory if territory.as_of is not None else territory.in_force(result.as_of)
    fmt = terr.section("equipe", "formats").get(result.equipe.format) or {}
    return set(fmt.get("roles", ()))


def _codes(case: Case, result: Result, territory: Territory) -> tuple[set[str], int]:
    """The indicator codes a household counts in, and the operators of its equipe."""
    codes = {"nuclei"}
    met = _met(result)
    if met:
        codes.add("misure.almeno_una")
    codes |= {f"misure.{m}" for m in met}
    operators = 0
    equipe = result.equipe
    if equipe.format not in (Equipe.NONE, "non_comunicato"):
        codes.add("equipe.convocata")
        staff = [m for m in equipe.members if m.role != HOUSEHOLD_PARTY]
        operators = len(staff)
        base = _base_roles(territory, result)
        if any(m.role not in base for m in staff):
            codes.add("equipe.allargata")
    needs = territory.section("needs")
    if case.assessment is not None:
        for need in case.assessment.needs:
            codes.add(f"bisogni.{need.code}")
            entry = needs.get(need.code)
            if entry is not None:
                codes.add(f"dimensioni.{entry['dimension']}")
    codes |= {f"interventi.{r.code}" for r in result.interventions}
    return codes, operators


# --------------------------------------------------------------------------- suppression


def _primary(value: int, base: int | None, k: int) -> bool:
    """
    Below the minimum, or all but a few of the group's households (their complement is small).
    A zero is shown (no household has it), and so is the whole group (no household lacks it).
    """
    return 0 < value < k or (base is not None and value > 0 and 0 < base - value < k)


def _suppress(values: Sequence[int], total: int, bases: Sequence[int] | None, total_base: int | None,
              k: int) -> tuple[list[bool], bool]:
    """
    Which cells of a row (and whether its total) to suppress: the small ones, then, while the
    total is shown, the next smallest until at least two are hidden and they hide at least
    ``k`` households together (and ``k`` of their complements): none is the total less those
    shown, nor pinned by it. With no cell left to add, the total is suppressed.
    """
    hidden = [_primary(v, None if bases is None else bases[i], k) for i, v in enumerate(values)]
    total_hidden = _primary(total, total_base, k)
    while not total_hidden and any(hidden):
        chosen = [i for i, h in enumerate(hidden) if h]
        amount = sum(values[i] for i in chosen)
        rest = None if bases is None else sum(bases[i] for i in chosen) - amount
        if len(chosen) >= 2 and amount >= k and (rest is None or rest == 0 or rest >= k):
            break
        candidates = sorted((v, i) for i, v in enumerate(values) if not hidden[i] and v > 0)
        if not candidates:
            total_hidden = True
            break
        hidden[candidates[0][1]] = True
    return hidden, total_hidden


def _rate(count: int, base: int) -> float | None:
    return None if base == 0 else round(count / base, 4)


def _difference(rate: float | None, territory_rate: float | None) -> float | None:
    if rate is None or territory_rate is None:
        return None
    return round((rate - territory_rate) * 100, 1)


# --------------------------------------------------------------------------- the report


def indicators(
    assessed: Iterable[Assessed | tuple[Case, Result]],
    territory: Territory,
    *,
    min_cell: int | None = None,
) -> IndicatorReport:
    """
    The monitoring indicators of a set of assessed cases, per ambito and for the territory.

    :param assessed: each case with its result (:meth:`Engine.assess`), or what
        :meth:`Engine.assess_each` yields: those in error are counted as rejected.
    :param territory: the territory whose network, catalogue and objectives apply: the
        one the results were assessed with.
    :param min_cell: the minimum cell size (default: ``indicators.min_cell`` of the
        configuration, else :data:`DEFAULT_MIN_CELL`).
    :raises InputError: a result of another territory, a case counted twice, a minimum that
        is not a whole number of 1 or more; every problem is listed.
    """
    k, k_source = _min_cell(territory, min_cell)
    network = territory.setting("network")
    ambiti = dict((network or {}).get("ambiti") or {})
    keys: list[str | None] = [*ambiti, None]
    tallies: dict[str | None, _Tally] = {key: _Tally() for key in keys}
    rejected: list[str] = []
    dates: set[dt.date] = set()
    seen: set[str] = set()
    errors: list[ErrorDetail] = []
    for i, item in enumerate(assessed):
        if isinstance(item, Assessed):
            if item.result is None or item.case is None:
                rejected.append(item.source)
                continue
            case, result = item.case, item.result
        else:
            case, result = item
        if result.territory != territory.id:
            errors.append(ErrorDetail(f"$[{i}].territory", Message(
                "result of another territory: the indicators are of {territory}", territory=territory.id),
                result.territory, "territory"))
            continue
        if case.id in seen:  # the id stays in the error, for whoever passed the cases; never in the report
            errors.append(ErrorDetail(f"$[{i}].case_id", Message("case counted twice"), case.id, "unique"))
            continue
        seen.add(case.id)
        dates.add(result.as_of)
        ambito = result.network.ambito if result.network is not None else None
        tally = tallies[ambito if ambito in tallies else None]
        codes, operators = _codes(case, result, territory)
        tally.counts.update(codes)
        tally.in_force |= {e.measure for e in result.measures if e.in_force}
        tally.operators += operators
    if errors:
        raise InputError(Message("monitoring indicators"), errors)

    objectives, served = _objectives(territory)
    groups = tuple(_group(key, ambiti, network is not None) for key in keys)
    return IndicatorReport(
        territory=territory.id, config_digest=territory.digest, as_of=next(iter(dates)) if len(dates) == 1 else None,
        assessed=len(seen), rejected=tuple(rejected), min_cell=k, min_cell_source=k_source,
        network_source=None if network is None else territory.citation(network["source"]),
        network_example=bool((network or {}).get("example")), groups=groups, objectives=tuple(objectives),
        indicators=tuple(_built(territory, tallies, keys, served, k)),
    )


def _built(territory: Territory, tallies: Mapping[str | None, _Tally], keys: Sequence[str | None],
           served: Mapping[str, str], k: int) -> list[Indicator]:
    """Every indicator, its small cells suppressed, with shares and differences where its counts are shown."""
    households = [tallies[key].counts["nuclei"] for key in keys]
    total_households = sum(households)
    h_hidden, h_total_hidden = _suppress(households, total_households, None, None, k)
    built: list[Indicator] = []
    convened: tuple[list[bool], bool, list[int], int] = ([], False, [], 0)
    for code, family, label, categories in _rows(territory, tallies):
        values = [tallies[key].counts[code] for key in keys]
        total = sum(values)
        if code == "nuclei":
            hidden, total_hidden = h_hidden, h_total_hidden
        else:
            hidden, total_hidden = _suppress(values, total, households, total_households, k)
        territory_rate = None if total_hidden or h_total_hidden else _rate(total, total_households)
        cells = []
        for j, value in enumerate(values):
            if hidden[j]:
                cells.append(IndicatorCell(value=None, suppressed=True))
                continue
            rate = None if h_hidden[j] or code == "nuclei" else _rate(value, households[j])
            cells.append(IndicatorCell(value=value, rate=rate, difference_pp=_difference(rate, territory_rate)))
        whole = IndicatorCell(value=None, suppressed=True) if total_hidden else IndicatorCell(
            value=total, rate=None if code == "nuclei" else territory_rate)
        built.append(_indicator(code, family, label, categories, served, tuple(cells), whole))
        if code == "equipe.convocata":
            convened = (hidden, total_hidden, values, total)
        elif code == "equipe.allargata":
            built.append(_mean(tallies, keys, *convened, served, territory))
    return built


def _group(key: str | None, ambiti: Mapping[str, Any], has_network: bool) -> IndicatorGroup:
    if key is not None:
        label = ambiti[key]["label"]
        return IndicatorGroup(ambito=key, label_it=label["it"], label_en=label["en"])
    msgid = _NOT_GIVEN if has_network else _NO_NETWORK
    return IndicatorGroup(ambito=None, label_it=translate(msgid, "it"), label_en=translate(msgid, "en"))


def _rows(territory: Territory, tallies: Mapping[str | None, _Tally]) -> list[tuple[str, str, Any, tuple[str, ...]]]:
    """(code, family, label {it, en} or msgid, categories) of every indicator, in order: the catalogue's codes first."""
    counted = {code for t in tallies.values() for code in t.counts}

    def extra(prefix: str, known: Iterable[str]) -> list[str]:  # codes a plugin answered that the catalogue lacks
        return sorted(c.split(".", 1)[1] for c in counted if c.startswith(prefix) and c.split(".", 1)[1] not in known)

    rows: list[tuple[str, str, Any, tuple[str, ...]]] = [("nuclei", "nuclei", _FIXED["nuclei"], ("household",))]
    rows.append(("misure.almeno_una", "misure", _FIXED["misure.almeno_una"], ("economic",)))
    measures = territory.section("measures")
    in_force = {m for t in tallies.values() for m in t.in_force}  # of those out of force on the date, no row
    for code in [*measures, *extra("misure.", measures)]:
        if (code not in in_force and f"misure.{code}" not in counted) or code == "almeno_una":
            continue
        rows.append((f"misure.{code}", "misure", (_MEASURE, _label(measures.get(code), code)), ("economic",)))
    added = _added_categories(territory)
    rows.append(("equipe.convocata", "equipe", _FIXED["equipe.convocata"], ("process",)))
    rows.append(("equipe.allargata", "equipe", _FIXED["equipe.allargata"], added))
    needs = territory.section("needs")
    for code in [*needs, *extra("bisogni.", needs)]:
        rows.append((f"bisogni.{code}", "bisogni", (_NEED, _label(needs.get(code), code)),
                     (territory.data_category("needs", code),)))
    dims = territory.need_dimensions()
    for code in dims:
        cats = {territory.data_category("dimensions", code)}
        cats |= {territory.data_category("needs", n) for n, e in needs.items() if e["dimension"] == code}
        rows.append((f"dimensioni.{code}", "dimensioni", (_DIMENSION, _label(dims[code], code)), tuple(sorted(cats))))
    catalogue = territory.section("interventions")
    for code in [*catalogue, *extra("interventi.", catalogue)]:
        rows.append((f"interventi.{code}", "interventi", (_INTERVENTION, _label(catalogue.get(code), code)),
                     (territory.data_category("interventions", code),)))
    return rows


def _label(entry: Mapping[str, Any] | None, code: str) -> dict[str, str]:
    if entry is None or "label" not in entry:
        return {"it": code, "en": code}
    return {"it": str(entry["label"]["it"]), "en": str(entry["label"]["en"])}


def _added_categories(territory: Territory) -> tuple[str, ...]:
    """The categories an extended equipe may reveal: those of the services its triggers may add."""
    roles = territory.section("roles")
    kinds = {roles[r]["service"] for f in territory.section("equipe", "formats").values()
             for t in f.get("triggers", []) for r in t["add_roles"] if r in roles}
    return tuple(sorted({"process"} | territory.kind_categories(kinds)))


def _texts(label: Any) -> tuple[str, str]:
    if isinstance(label, tuple):
        msgid, values = label
        return translate(msgid, "it", label=values["it"]), translate(msgid, "en", label=values["en"])
    return translate(label, "it"), translate(label, "en")


def _indicator(code: str, family: str, label: Any, categories: tuple[str, ...], served: Mapping[str, str],
               cells: tuple[IndicatorCell, ...], total: IndicatorCell, kind: str = "count") -> Indicator:
    it, en = _texts(label)
    return Indicator(code=code, family=family, objective=served.get(family), label_it=it, label_en=en, kind=kind,
                     categories=categories, cells=cells, total=total)


def _mean(tallies: Mapping[str | None, _Tally], keys: Sequence[str | None], hidden: Sequence[bool],
          total_hidden: bool, convened: Sequence[int], total: int, served: Mapping[str, str],
          territory: Territory) -> Indicator:
    """Operators per equipe: shown where the number of equipes it averages over is."""
    cells = []
    for j, key in enumerate(keys):
        if hidden[j]:
            cells.append(IndicatorCell(value=None, suppressed=True))
        else:
            cells.append(IndicatorCell(value=round(tallies[key].operators / convened[j], 2) if convened[j] else None))
    operators = sum(t.operators for t in tallies.values())
    whole = IndicatorCell(value=None, suppressed=True) if total_hidden else IndicatorCell(
        value=round(operators / total, 2) if total else None)
    return _indicator("equipe.componenti_medi", "equipe", _FIXED["equipe.componenti_medi"],
                      _added_categories(territory), served, tuple(cells), whole, kind="mean")


# --------------------------------------------------------------------------- text for people


def _number(value: float, lang: str, digits: int = 1) -> str:
    shown = f"{value:.{digits}f}"
    return shown.replace(".", ",") if lang == "it" else shown


def _cell_text(cell: IndicatorCell, kind: str, lang: str) -> str:
    if cell.suppressed:
        return translate("suppressed", lang)
    if cell.value is None:
        return translate("n.a.", lang)
    if kind == "mean":
        return _number(float(cell.value), lang, 2)
    text = str(cell.value)
    if cell.rate is not None:
        text += f"  {_number(cell.rate * 100, lang)}%"
    if cell.difference_pp is not None:
        sign = "+" if cell.difference_pp > 0 else "±" if cell.difference_pp == 0 else "−"
        text += f"  {sign}{_number(abs(cell.difference_pp), lang)} pp"
    return text


def indicators_text(report: IndicatorReport, lang: str = "it") -> str:
    """
    The indicators for people: the cases counted, the minimum cell size and its source, then
    objective by objective (with its source) each indicator per ambito and for the territory.
    """
    from ._render import WIDTH, _wrap  # noqa: PLC0415 - the layouts, only when text is asked

    title = f"{translate('Monitoring indicators', lang)} — {report.territory}"
    lines = [title, "=" * min(len(title), WIDTH)]
    if report.as_of is not None:
        lines.append(f"{translate('as of', lang)} {report.as_of.isoformat()}")
    lines.append(translate("cases counted: {assessed}; rejected: {rejected}", lang, assessed=report.assessed,
                           rejected=len(report.rejected)))
    if report.rejected:
        lines += _wrap(", ".join(report.rejected), "    ", f"  {translate('rejected', lang)}: ")
    lines += _wrap(translate(
        "Counts of households only, no case id. A count below {n} households, or one that would let a hidden count"
        " be worked out from the total, is suppressed; its share and difference too.", lang, n=report.min_cell),
        "", "")
    lines += _wrap(report.min_cell_source.text(lang), "    ", f"  {translate('minimum cell size', lang)}: ")
    if report.network_source is not None:
        network = report.network_source.text(lang)
        if report.network_example:
            network = translate("{source} (example network, neither complete nor official)", lang, source=network)
        lines += _wrap(network, "    ", f"  {translate('ambiti', lang)}: ")
    lines += _wrap(translate("Shares of the group's households; pp: difference from the territory's share in"
                             " percentage points.", lang), "", "")
    width = max(len(g.label(lang)) for g in report.groups)
    width = max(width, len(translate("territory", lang)))
    order: list[str | None] = [o.code for o in report.objectives]
    if any(i.objective is None for i in report.indicators):
        order.append(None)
    for code in order:
        objective = report.objective(code)
        lines.append("")
        if objective is None:
            heading = translate("Indicators linked to no objective of the territory", lang)
            lines += [heading, "-" * min(len(heading), WIDTH)]
        else:
            heading = f"{translate('Objective', lang)}: {objective.label(lang)}"
            lines += [heading, "-" * min(len(heading), WIDTH)]
            lines += _wrap(objective.source.text(lang), "    ", f"  {translate('Source', lang)}: ")
            named = [translate(FAMILIES[f], lang) for f in objective.families]
            lines += _wrap(", ".join(named), "    ", f"  {translate('indicators', lang)}: ")
            if "divari" in objective.families:
                lines += _wrap(translate("the share of each group's households and its difference from the"
                                         " territory's (pp), next to every count of this report, serve this objective",
                                         lang), "    ", "  ")
        for indicator in report.indicators:
            if indicator.objective != code:
                continue
            special = f" [{translate('special category, in aggregate', lang)}]" if indicator.special else ""
            lines += _wrap(indicator.label(lang) + special, "    ", "  • ")
            for group, cell in zip(report.groups, indicator.cells, strict=True):
                lines.append(f"      {group.label(lang):<{width}}  {_cell_text(cell, indicator.kind, lang)}")
            lines.append(f"      {translate('territory', lang):<{width}}  "
                         f"{_cell_text(indicator.total, indicator.kind, lang)}")
    return "\n".join(lines)
