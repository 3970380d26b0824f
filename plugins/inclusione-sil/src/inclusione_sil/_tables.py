"""
The SIL's own tables: the configuration section ``sil``, compiled and cross-checked.

The territory schema has no place for the tables of the SIL guidelines (occupability
scale, weights and thresholds; the grade -> objectives and macro-activities table; the
phases with their subjects and instruments; the maximum duration; the evaluation items), so
the plugin declares them as its own section of ``territory.yaml``, ``sil:``, with the
schema ``schemas/sil.schema.json`` shipped in this package
(:func:`~inclusione_sil.inclusione_register_sections`). The core reads the section with
each layer, validates it (every error with its path and line), merges it along ``extends``
(a district extending ``sil`` writes only the values it changes), checks its citations
against the documents registry (``documents:``), puts it in the configuration digest and
caches it with the compiled territory.

What is left here is what the schema cannot say (order, monotonicity, references inside the
section) and the references to the rest of the territory (assessment dimensions, profile
flags, instruments): every error at once, as a :class:`~inclusione_core.ConfigurationError`
naming the territory's own ``territory.yaml`` and the JSON path (``$.sil...``), with the
line of the layer that wrote the value.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from inclusione_core import (
    Citation,
    ConfigurationError,
    Engine,
    ErrorDetail,
    Grade,
    InclusioneError,
    Territory,
    YamlDocument,
    get_plugin_manager,
    read_yaml,
)
from inclusione_core.rules import citation

from ._i18n import message
from ._phases import NUMBERED, InterviewType
from ._territory import SECTION, TERRITORY

ROOT = f"$.{SECTION}"
"""The JSON path of the section in a layer: every error's path starts with it."""
CONFIG_FILE = "territory.yaml"

Label = Mapping[str, str]


def _number(value: Any) -> Fraction:
    """Exact value of a YAML number (``0.1`` is one tenth, not its binary approximation)."""
    return Fraction(str(value))


@attrs.frozen(kw_only=True)
class Item:
    """One item of an occupability dimension: an assessment dimension code and its weight."""

    dimension: str
    weight: Fraction


@attrs.frozen(kw_only=True)
class Group:
    """One of the three dimensions of §2.b, with its weight and items."""

    code: str
    label: Label
    weight: Fraction
    items: tuple[Item, ...]
    source: Citation


@attrs.frozen(kw_only=True)
class GradePlan:
    """The §2.b table for one grade: intervention objectives and macro-activities, verbatim."""

    grade: Grade
    objectives: tuple[str, ...]
    activities: tuple[str, ...]
    source: Citation


@attrs.frozen(kw_only=True)
class PhaseSpec:
    """One phase of the §3 table: activities, subjects (roles), instruments, critical points, notes."""

    number: int
    code: str
    label: Label
    activities: tuple[str, ...]
    subjects: tuple[str, ...]
    instruments: tuple[str, ...]
    critical: str
    notes: str
    source: Citation


@attrs.frozen(kw_only=True)
class Proposals:
    """
    In which states of the path the SIL composes its staff and proposes interventions.

    :ivar equipe: the states (phase codes and closing states) where it composes its staff.
    :ivar interventions: the states where it proposes interventions.
    :ivar source: where the lists come from.
    """

    equipe: frozenset[str]
    interventions: frozenset[str]
    source: Citation

    def allows(self, what: str, state: str) -> bool:
        """Whether ``what`` (``equipe`` or ``interventi``) is allowed in ``state``."""
        return state in (self.equipe if what == "equipe" else self.interventions)

    def states(self, what: str) -> tuple[str, ...]:
        """The states that allow ``what``, in the order of the path."""
        allowed = self.equipe if what == "equipe" else self.interventions
        order = [p.value for p in NUMBERED] + ["solo_registrazione", "non_accolto", "dimissioni"]
        return tuple(s for s in order if s in allowed)


@attrs.frozen(kw_only=True)
class Tables:
    """
    The compiled SIL tables: the section ``sil`` of a territory's merged configuration.

    :ivar territory: the territory they were compiled for, whose documents registry the
        citations name.
    :ivar layer: the last layer that gave the section (``sil``, or a district that changes
        some of its values), for reasons' ``territory``.
    :ivar defined_in: the files of the layers that gave the section, parent first
        (``sil/territory.yaml``, ``sil/territory.yaml + valle/territory.yaml``), for
        reasons' ``defined_in``.
    """

    territory: Territory
    layer: str
    defined_in: str
    occupability_source: Citation
    scale: tuple[Fraction, ...]
    scale_source: Citation
    groups: tuple[Group, ...]
    weights_source: Citation
    low_below: Fraction
    high_from: Fraction
    thresholds_source: Citation
    plans: Mapping[Grade, GradePlan]
    target_flags: tuple[str, ...]
    target_source: Citation
    l68_flag: str
    l68_source: Citation
    subjects: Mapping[str, Label]
    tools: Mapping[str, Mapping[str, Any]]
    interview_types: Mapping[str, Label]
    interviews_source: Citation
    phases: tuple[PhaseSpec, ...]
    outcomes: Mapping[str, tuple[Label, Citation]]
    max_months: int
    duration_source: Citation
    times_source: Citation
    warning_days: int
    warning_source: Citation
    destinations: Mapping[str, Label]
    discharge_source: Citation
    evaluation: Mapping[str, Any]
    proposals: Proposals | None = None
    """Where the staff and the proposals are allowed (``proposte``); ``None``: in every state."""

    def cite(self, source: Mapping[str, Any]) -> Citation:
        """The citation of a ``source`` block of the tables (``evaluation`` keeps them raw)."""
        return citation(source, self.territory)

    def items(self) -> tuple[str, ...]:
        """Every item's dimension code, in table order."""
        return tuple(i.dimension for g in self.groups for i in g.items)

    def phase(self, code: str) -> PhaseSpec:
        """The phase of the table with this code (``segnalazione`` ... ``valutazione_finale``)."""
        for spec in self.phases:
            if spec.code == code:
                return spec
        raise KeyError(code)


def _semantic_errors(data: Mapping[str, Any]) -> list[ErrorDetail]:
    """What the schema cannot say: order, monotonicity, references inside the section."""
    errors: list[ErrorDetail] = []
    occ = data["occupabilita"]
    scale = [_number(v) for v in occ["scala"]["punteggi"]]
    if any(b > a for a, b in itertools.pairwise(scale)):
        errors.append(ErrorDetail(f"{ROOT}.occupabilita.scala.punteggi",
                                  message("the scores must not grow with the level of difficulty (0-3): less"
                                          " difficulty cannot give a lower score"), occ["scala"]["punteggi"],
                                  "monotonic"))
    low, high = _number(occ["soglie"]["bassa_sotto"]), _number(occ["soglie"]["alta_da"])
    if low > high:
        errors.append(ErrorDetail(f"{ROOT}.occupabilita.soglie", message("bassa_sotto must be at most alta_da"),
                                  [occ["soglie"]["bassa_sotto"], occ["soglie"]["alta_da"]], "order"))
    seen: dict[str, str] = {}
    for code, group in occ["dimensioni"].items():
        for i, item in enumerate(group["voci"]):
            dim = item["dimensione"]
            if dim in seen:
                errors.append(ErrorDetail(f"{ROOT}.occupabilita.dimensioni.{code}.voci[{i}].dimensione",
                                          message("item already used in dimension {other}", other=seen[dim]), dim,
                                          "unique"))
            seen.setdefault(dim, code)
    for i, phase in enumerate(data["fasi"]):
        expected = NUMBERED[i] if i < len(NUMBERED) else None
        if phase["numero"] != i + 1 or expected is None or phase["codice"] != expected.value:
            errors.append(ErrorDetail(f"{ROOT}.fasi[{i}]", message("expected phase {n} {code}", n=i + 1, code=expected),
                                      [phase["numero"], phase["codice"]], "order"))
        for key, known in (("soggetti", data["soggetti"]), ("strumenti", data["strumenti"])):
            for j, ref in enumerate(phase[key]):
                if ref not in known:
                    errors.append(ErrorDetail(f"{ROOT}.fasi[{i}].{key}[{j}]", message("not defined in {key}", key=key),
                                              ref, f"ref:{key}"))
    types = set(data["colloqui"]["tipi"])
    if types != {t.value for t in InterviewType}:
        kinds = ", ".join(t.value for t in InterviewType)
        problem = message("the kinds of interview must be the eight of phase 7: {kinds}", kinds=kinds)
        errors.append(ErrorDetail(f"{ROOT}.colloqui.tipi", problem, sorted(types), "enum"))
    if data["target"]["l68"]["flag"] not in data["target"]["flags"]:
        errors.append(ErrorDetail(f"{ROOT}.target.l68.flag", message("not one of target.flags"),
                                  data["target"]["l68"]["flag"],
                                  "ref:target.flags"))
    scale_eval = data["valutazione"]["scala"]
    if scale_eval["min"] >= scale_eval["max"]:
        errors.append(ErrorDetail(f"{ROOT}.valutazione.scala", message("min must be less than max"),
                                  [scale_eval["min"], scale_eval["max"]], "order"))
    return errors


def _compile(data: Mapping[str, Any], territory: Territory) -> Tables:
    def cite(source: Mapping[str, Any]) -> Citation:
        return citation(source, territory)

    occ = data["occupabilita"]
    groups = tuple(
        Group(code=code, label=dict(g["label"]), weight=_number(g["peso"]),
              items=tuple(Item(dimension=i["dimensione"], weight=_number(i["peso"])) for i in g["voci"]),
              source=cite(g["source"]))
        for code, g in occ["dimensioni"].items()
    )
    plan_src = cite(data["obiettivi"]["source"])
    plans = {
        Grade(grade): GradePlan(grade=Grade(grade), objectives=tuple(p["obiettivi"]),
                                activities=tuple(p["macroattivita"]), source=plan_src)
        for grade, p in data["obiettivi"]["gradi"].items()
    }
    phases = tuple(
        PhaseSpec(number=p["numero"], code=p["codice"], label=dict(p["label"]), activities=tuple(p["attivita"]),
                  subjects=tuple(p["soggetti"]), instruments=tuple(p["strumenti"]), critical=p.get("criticita", ""),
                  notes=p.get("note", ""), source=cite(p["source"]))
        for p in data["fasi"]
    )
    dur = data["durata"]
    origins = territory.origins(data)
    return Tables(
        territory=territory,
        layer=origins[-1][0] if origins else territory.id,
        defined_in=territory.file_of(data),
        occupability_source=cite(occ["source"]),
        scale=tuple(_number(v) for v in occ["scala"]["punteggi"]),
        scale_source=cite(occ["scala"]["source"]),
        groups=groups,
        weights_source=cite(occ["pesi_source"]),
        low_below=_number(occ["soglie"]["bassa_sotto"]),
        high_from=_number(occ["soglie"]["alta_da"]),
        thresholds_source=cite(occ["soglie"]["source"]),
        plans=plans,
        target_flags=tuple(data["target"]["flags"]),
        target_source=cite(data["target"]["source"]),
        l68_flag=data["target"]["l68"]["flag"],
        l68_source=cite(data["target"]["l68"]["source"]),
        subjects={k: dict(v) for k, v in data["soggetti"].items()},
        tools={k: dict(v) for k, v in data["strumenti"].items()},
        interview_types={k: dict(v) for k, v in data["colloqui"]["tipi"].items()},
        interviews_source=cite(data["colloqui"]["source"]),
        phases=phases,
        outcomes={k: (dict(v["label"]), cite(v["source"])) for k, v in data["esiti"].items()},
        max_months=int(dur["mesi_massimi"]),
        duration_source=cite(dur["source"]),
        times_source=cite(dur["tempi_source"]),
        warning_days=int(dur["preavviso_giorni"]),
        warning_source=cite(dur["preavviso_source"]),
        destinations={k: dict(v) for k, v in dur["dimissioni_verso"].items()},
        discharge_source=cite(dur["dimissioni_source"]),
        evaluation=data["valutazione"],
        proposals=None if "proposte" not in data else Proposals(
            equipe=frozenset(data["proposte"]["equipe"]), interventions=frozenset(data["proposte"]["interventi"]),
            source=cite(data["proposte"]["source"])),
    )


def _reference_errors(tables: Tables, territory: Territory) -> list[ErrorDetail]:
    """What the section names in the rest of the territory: assessment dimensions, profile flags, instruments."""
    errors: list[ErrorDetail] = []
    dims = territory.section("dimensions")
    for g in tables.groups:
        for i, item in enumerate(g.items):
            if item.dimension not in dims:
                errors.append(ErrorDetail(f"{ROOT}.occupabilita.dimensioni.{g.code}.voci[{i}].dimensione",
                                          message("unknown dimension in territory {territory}",
                                                  territory=territory.id), item.dimension,
                                          "ref:dimensions"))
    flags = territory.section("profile", "flags")
    for i, flag in enumerate(tables.target_flags):
        if flag not in flags:
            errors.append(ErrorDetail(f"{ROOT}.target.flags[{i}]", message("unknown flag in territory {territory}",
                                                                      territory=territory.id),
                                      flag, "ref:profile.flags"))
    instruments = territory.section("instruments")
    for code, tool in tables.tools.items():
        module = tool.get("modulo")
        if module is not None and module not in instruments:
            errors.append(ErrorDetail(f"{ROOT}.strumenti.{code}.modulo",
                                      message("unknown instrument in territory {territory}", territory=territory.id),
                                      module,
                                      "ref:instruments"))
    return errors


@functools.lru_cache(maxsize=64)
def _checked(territory: Territory) -> Tables:
    section = territory.section(SECTION)
    if not section:
        raise ConfigurationError(str(territory.root / CONFIG_FILE), [ErrorDetail(
            ROOT, message("the territory {territory} has no SIL section: it does not extend {sil}",
                          territory=territory.id, sil=TERRITORY), None, "section")])
    errors = _semantic_errors(section)
    if not errors:
        tables = _compile(section, territory)
        errors = _reference_errors(tables, territory)
    if errors:
        raise _located(territory, section, errors)
    return tables


def _steps(path: str) -> list[str | int]:
    """The steps of a JSON path (``$.sil.fasi[2].codice`` -> ``["sil", "fasi", 2, "codice"]``)."""
    return [int(i) if i else k for k, i in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path)]


def _writes(data: Any, steps: Sequence[str | int]) -> bool:
    """Whether a layer's own data has a value at these steps."""
    node = data
    for step in steps:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return False
        elif not isinstance(node, Mapping) or step not in node:
            return False
        node = node[step]
    return True


def _located(territory: Territory, section: Mapping[str, Any], errors: list[ErrorDetail]) -> ConfigurationError:
    """
    Errors found on the merged section, under the territory's own ``territory.yaml``: each
    with the line of the nearest layer that wrote its path, the leaf's line and column, or
    that file and line in the message when a parent layer wrote it (as the core does for
    the references of a merged configuration). The layers are read again, with the core's
    reader, only when there is an error to report.
    """
    docs: list[tuple[str, str, YamlDocument]] = []  # nearest layer first: (layer, file, document)
    for layer, path in reversed(territory.origins(section)):
        try:
            docs.append((layer, f"{layer}/{path.name}", read_yaml(path)))
        except InclusioneError:
            continue
    out = []
    for detail in errors:
        found = detail
        for layer, rel, doc in docs:
            where = doc.locate(detail.path) if _writes(doc.data, _steps(detail.path)) else None
            if where is None:
                continue
            if layer == territory.id:
                found = attrs.evolve(detail, line=where[0], column=where[1])
            else:
                found = attrs.evolve(detail, message=message("{problem} (written in {file}, line {line})",
                                                             problem=detail.message, file=rel, line=where[0]))
            break
        out.append(found)
    return ConfigurationError(str(territory.root / CONFIG_FILE), out)


def tables_for(territory: Territory) -> Tables:
    """
    The SIL tables of a territory within ``sil``: its section ``sil``, compiled and checked
    against the rest of its configuration (cached with the compiled territory).

    :raises ConfigurationError: the territory has no section ``sil``; the section's values
        contradict each other (a scale that grows, thresholds in the wrong order...); or it
        names dimensions, flags or instruments that the territory does not define.
    """
    return _checked(territory)


@functools.cache
def reference_territory() -> Territory:
    """The plugin's reference ``sil`` territory (this plugin and the national layer only)."""
    from . import _territory  # noqa: PLC0415

    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=[(TERRITORY, _territory)]))
    return engine.territory(TERRITORY)


def default_tables() -> Tables:
    """The reference tables of this plugin: the section ``sil`` of the reference ``sil`` territory."""
    return tables_for(reference_territory())
