"""
The SIL's own tables (``sil_tables.yaml``): found, loaded, validated and cross-checked.

The territory schema admits no unknown sections, so the tables of the SIL guidelines that the core
has no place for (occupability scale, weights and thresholds; the grade -> objectives and
macro-activities table; the phases with their subjects and instruments; the maximum
duration; the evaluation items) live in ``sil_tables.yaml`` next to ``territory.yaml``,
validated by ``schemas/sil_tables.schema.json`` shipped in this package.

Every ``source`` of the tables names a document of the territory's registry
(``documents:``), like the territory's own: the citations are resolved against the
territory the tables serve (:func:`tables_for`), and a source naming an unknown document is
an error at its path.

Every error is reported at once as a :class:`~inclusione_core.ConfigurationError` naming
the file and the JSON path, as the core does for territory files.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from inclusione_core import (
    Citation,
    ConfigurationError,
    Engine,
    ErrorDetail,
    Grade,
    Territory,
    YamlDocument,
    get_plugin_manager,
    read_json,
    read_yaml,
)
from inclusione_core.rules import citation, schema_details, source_errors

from ._i18n import message
from ._phases import NUMBERED, InterviewType
from ._territory import TERRITORY, sil_dir

TABLES_FILE = "sil_tables.yaml"
SCHEMA = Path(__file__).parent / "schemas" / "sil_tables.schema.json"

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
class Tables:
    """
    The compiled SIL tables.

    :ivar file: the ``sil_tables.yaml`` read.
    :ivar layer: the territory folder it belongs to (``sil``), for reasons' ``territory``.
    :ivar sha256: digest of the file, recorded in the reasons that use it.
    :ivar territory: the territory whose documents registry the citations name.
    """

    file: Path
    territory: Territory
    layer: str
    sha256: str
    version: str
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

    def cite(self, source: Mapping[str, Any]) -> Citation:
        """The citation of a ``source`` block of the tables (``evaluation`` keeps them raw)."""
        return citation(source, self.territory)

    @property
    def rel(self) -> str:
        """The file as reasons name it: ``sil/sil_tables.yaml``."""
        return f"{self.layer}/{self.file.name}"

    def items(self) -> tuple[str, ...]:
        """Every item's dimension code, in table order."""
        return tuple(i.dimension for g in self.groups for i in g.items)

    def phase(self, code: str) -> PhaseSpec:
        """The phase of the table with this code (``segnalazione`` ... ``valutazione_finale``)."""
        for spec in self.phases:
            if spec.code == code:
                return spec
        raise KeyError(code)


def _unreadable(path: Path, exc: OSError) -> ConfigurationError:
    return ConfigurationError(str(path), [ErrorDetail("$", message("cannot read the file: {problem}",
                                                                   problem=exc.strerror))])


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator  # noqa: PLC0415 - heavy import, on demand

    schema = read_json(SCHEMA, case=False, error=ConfigurationError)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _semantic_errors(data: Mapping[str, Any]) -> list[ErrorDetail]:
    """What the schema cannot say: order, monotonicity, references inside the file."""
    errors: list[ErrorDetail] = []
    occ = data["occupabilita"]
    scale = [_number(v) for v in occ["scala"]["punteggi"]]
    if any(b > a for a, b in itertools.pairwise(scale)):
        errors.append(ErrorDetail("$.occupabilita.scala.punteggi",
                                  message("the scores must not grow with the level of difficulty (0-3): less"
                                          " difficulty cannot give a lower score"), occ["scala"]["punteggi"],
                                  "monotonic"))
    low, high = _number(occ["soglie"]["bassa_sotto"]), _number(occ["soglie"]["alta_da"])
    if low > high:
        errors.append(ErrorDetail("$.occupabilita.soglie", message("bassa_sotto must be at most alta_da"),
                                  [occ["soglie"]["bassa_sotto"], occ["soglie"]["alta_da"]], "order"))
    seen: dict[str, str] = {}
    for code, group in occ["dimensioni"].items():
        for i, item in enumerate(group["voci"]):
            dim = item["dimensione"]
            if dim in seen:
                errors.append(ErrorDetail(f"$.occupabilita.dimensioni.{code}.voci[{i}].dimensione",
                                          message("item already used in dimension {other}", other=seen[dim]), dim,
                                          "unique"))
            seen.setdefault(dim, code)
    for i, phase in enumerate(data["fasi"]):
        expected = NUMBERED[i] if i < len(NUMBERED) else None
        if phase["numero"] != i + 1 or expected is None or phase["codice"] != expected.value:
            errors.append(ErrorDetail(f"$.fasi[{i}]", message("expected phase {n} {code}", n=i + 1, code=expected),
                                      [phase["numero"], phase["codice"]], "order"))
        for key, known in (("soggetti", data["soggetti"]), ("strumenti", data["strumenti"])):
            for j, ref in enumerate(phase[key]):
                if ref not in known:
                    errors.append(ErrorDetail(f"$.fasi[{i}].{key}[{j}]", message("not defined in {key}", key=key), ref,
                                              f"ref:{key}"))
    types = set(data["colloqui"]["tipi"])
    if types != {t.value for t in InterviewType}:
        kinds = ", ".join(t.value for t in InterviewType)
        problem = message("the kinds of interview must be the eight of phase 7: {kinds}", kinds=kinds)
        errors.append(ErrorDetail("$.colloqui.tipi", problem, sorted(types), "enum"))
    if data["target"]["l68"]["flag"] not in data["target"]["flags"]:
        errors.append(ErrorDetail("$.target.l68.flag", message("not one of target.flags"),
                                  data["target"]["l68"]["flag"],
                                  "ref:target.flags"))
    scale_eval = data["valutazione"]["scala"]
    if scale_eval["min"] >= scale_eval["max"]:
        errors.append(ErrorDetail("$.valutazione.scala", message("min must be less than max"),
                                  [scale_eval["min"], scale_eval["max"]], "order"))
    return errors


def _compile(path: Path, layer: str, raw: bytes, data: Mapping[str, Any], territory: Territory) -> Tables:
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
    return Tables(
        file=path,
        territory=territory,
        layer=layer,
        sha256=hashlib.sha256(raw).hexdigest(),
        version=data["version"],
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
    )


def load_tables(path: Path, layer: str | None = None, territory: Territory | None = None) -> Tables:
    """
    Read, validate and compile a ``sil_tables.yaml`` (cached while the file is unchanged).

    :param layer: the territory whose layer the file belongs to (default: the folder's
        name, ``sil`` for the copy packaged in a wheel).
    :param territory: the territory whose documents registry the citations name (default:
        the plugin's reference ``sil`` territory).
    :raises ConfigurationError: YAML syntax, schema or consistency errors, and citations
        naming a document the registry does not list, all listed.
    """
    path = Path(path).resolve()
    if layer is None:
        layer = TERRITORY if path.parent == sil_dir().resolve() else path.parent.name
    try:
        stat = path.stat()
    except OSError as exc:
        raise _unreadable(path, exc) from None
    return _cited(territory or reference_territory(), path, layer, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _load(path: Path, _mtime: int, _size: int) -> YamlDocument:
    """The file read and validated (schema and consistency): not yet cited against a registry."""
    doc = read_yaml(path)  # the core's one reader: UTF-8, no repeated key, bounded aliases, lines
    details = schema_details(_validator().iter_errors(doc.data))
    if not details:
        details = _semantic_errors(doc.data)
    if details:
        raise ConfigurationError(str(path), doc.located(details))
    return doc


@functools.lru_cache(maxsize=64)
def _cited(territory: Territory, path: Path, layer: str, mtime: int, size: int) -> Tables:
    doc = _load(path, mtime, size)
    errors = source_errors(doc.data, territory)
    if errors:
        raise ConfigurationError(str(path), doc.located(errors))
    return _compile(path, layer, doc.raw, doc.data, territory)


@functools.cache
def reference_territory() -> Territory:
    """The plugin's reference ``sil`` territory (this plugin and the national layer only)."""
    from . import _territory  # noqa: PLC0415

    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=[(TERRITORY, _territory)]))
    return engine.territory(TERRITORY)


def tables_path(territory: Territory) -> tuple[Path, str]:
    """
    The ``sil_tables.yaml`` that applies to a territory within ``sil``, and its layer.

    Looked for, nearest layer first, in the territory's own folder, then in the folders of
    its parent layers next to it (a configuration directory holding copies), and last in
    the ``sil`` folder of this plugin.
    """
    for layer in territory.lineage:
        folder = territory.root if layer == territory.id else territory.root.parent / layer
        candidate = folder / TABLES_FILE
        if candidate.is_file():
            return candidate, layer
        if layer == TERRITORY:
            break
    return sil_dir() / TABLES_FILE, TERRITORY


def _reference_errors(tables: Tables, territory: Territory) -> list[ErrorDetail]:
    errors: list[ErrorDetail] = []
    dims = territory.section("dimensions")
    for g in tables.groups:
        for i, item in enumerate(g.items):
            if item.dimension not in dims:
                errors.append(ErrorDetail(f"$.occupabilita.dimensioni.{g.code}.voci[{i}].dimensione",
                                          message("unknown dimension in territory {territory}",
                                                  territory=territory.id), item.dimension,
                                          "ref:dimensions"))
    flags = territory.section("profile", "flags")
    for i, flag in enumerate(tables.target_flags):
        if flag not in flags:
            errors.append(ErrorDetail(f"$.target.flags[{i}]", message("unknown flag in territory {territory}",
                                                                      territory=territory.id),
                                      flag, "ref:profile.flags"))
    instruments = territory.section("instruments")
    for code, tool in tables.tools.items():
        module = tool.get("modulo")
        if module is not None and module not in instruments:
            errors.append(ErrorDetail(f"$.strumenti.{code}.modulo",
                                      message("unknown instrument in territory {territory}", territory=territory.id),
                                      module,
                                      "ref:instruments"))
    return errors


@functools.lru_cache(maxsize=64)
def _checked(territory: Territory, path: Path, layer: str, _mtime: int, _size: int) -> Tables:
    tables = load_tables(path, layer, territory)
    errors = _reference_errors(tables, territory)
    if errors:
        raise ConfigurationError(str(tables.file), errors)
    return tables


def tables_for(territory: Territory) -> Tables:
    """
    The SIL tables of a territory within ``sil``, checked against its configuration.

    :raises ConfigurationError: the tables are invalid, or name dimensions, flags or
        instruments that the territory does not define.
    """
    path, layer = tables_path(territory)
    path = path.resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        raise _unreadable(path, exc) from None
    return _checked(territory, path, layer, stat.st_mtime_ns, stat.st_size)


def default_tables() -> Tables:
    """The reference tables of this plugin (``territories/sil/sil_tables.yaml``), cited against the ``sil`` layer."""
    return tables_for(reference_territory())
