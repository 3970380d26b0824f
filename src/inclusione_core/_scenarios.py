"""
YAML scenario files (OpenFisca-style test cases): load them, run them, compare expectations.

A scenario file (``scenario.schema.json``) lists scenarios; each names a case (a JSON
file relative to the scenario file, or an inline object), an as-of date, optionally the
territory whose rules apply, and the expected result. Only the expectations written are
checked:

* scalar fields (``profile.pathway``, ``routing.service``, ``equipe.format``...) must be
  equal; ``null`` expects no value;
* ``roles``, ``modes`` and ``routing.alternatives`` are exact sets (order ignored);
  ``*_include`` / ``*_exclude`` and ``include`` / ``exclude`` are subsets / disjoint sets;
* ``interventions.exactly`` is the exact ordered list; ``interventions.order`` requires
  these codes to be present and to appear in this relative order;
* ``deadlines.include``, ``measures.include`` and ``interventions.not_proposed`` (those
  not proposed again, done or under way) find the entry by code and compare only the
  fields written (a measure's ``missing``: the codes of the data its requirements
  lacked, exactly);
* ``reasons.include``: some reason anywhere in the result has the rule and the inputs
  written; ``reasons.rules_exclude``: none has these rules;
* ``cites``: for each document, some reason anywhere in the result cites it (the
  expected text occurs, case-insensitively, in the registry id of the document cited or
  of the article it is read through, ``via``, or in the citation's Italian text:
  ``dgrt_544_2023`` or ``DGRT n. 544/2023``); ``cites_exclude``: no reason cites it;
* ``rules_include`` / ``rules_exclude``: the rule ids of the reasons anywhere in the result
  (``territorio.nessuna_regola_in_vigore``).

Used by ``inclusione test`` and by the test suites of territory packages::

    for scenario in load_scenarios(path):
        outcome = run_scenario(engine, scenario)
        assert outcome.passed, outcome.mismatches
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ._config import CONFIG_FILE
from ._errors import ErrorDetail, InclusioneError, InputError, ScenarioFileError, closest
from ._models import Eligibility, Reason, Result
from ._reader import DEFAULT_LIMITS, Limits, inside, read_json, read_yaml
from .i18n import N_, Message, translate

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = [
    "Scenario",
    "ScenarioOutcome",
    "compare",
    "load_scenarios",
    "looks_like_scenario_file",
    "reasons_of",
    "run_scenario",
]


@attrs.frozen(kw_only=True)
class Scenario:
    """
    One scenario of a scenario file, with its case already read (not yet validated).

    :ivar name: the scenario's name (unique in its file).
    :ivar file: the scenario file.
    :ivar index: position in the file's ``scenarios`` list.
    :ivar case: the case data, JSON-ready (from the case file or inline).
    :ivar case_source: where the case came from, for error messages.
    :ivar as_of: the date whose rules apply.
    :ivar territory: territory whose rules apply (``None``: the case's own).
    :ivar expected: the expectations, as written in the file.
    """

    name: str
    file: Path
    index: int
    case: Any
    case_source: str
    as_of: dt.date
    territory: str | None
    expected: Mapping[str, Any]
    description: str = ""

    @property
    def where(self) -> str:
        """``file#name``, to name the scenario in reports."""
        return f"{self.file}#{self.name}"


@attrs.frozen(kw_only=True)
class ScenarioOutcome:
    """
    The outcome of a scenario: passed, or the list of mismatches (field: expected vs actual),
    or the error that kept it from running (its case is invalid, its territory unknown...).
    """

    name: str
    passed: bool
    mismatches: list[str]
    file: Path | None = None
    error: InclusioneError | None = None

    def to_json(self, lang: str = "it") -> dict[str, Any]:
        """The outcome as JSON: name, passed, mismatches and the error, if any (its messages in ``lang``)."""
        return {"name": self.name, "passed": self.passed, "mismatches": list(self.mismatches),
                "error": None if self.error is None else self.error.to_json(lang)}


@attrs.frozen(kw_only=True)
class ScenarioFileRun:
    """A scenario file run: its outcomes, or the error that makes the file unusable."""

    file: Path
    outcomes: tuple[ScenarioOutcome, ...] = ()
    error: InclusioneError | None = None

    def to_json(self, lang: str = "it") -> dict[str, Any]:
        """The run as JSON: file, error and each scenario's outcome (messages in ``lang``)."""
        return {"file": str(self.file), "error": None if self.error is None else self.error.to_json(lang),
                "scenarios": [o.to_json(lang) for o in self.outcomes]}


def looks_like_scenario_file(path: Path) -> bool:
    """Whether a YAML file is meant as a scenario file (a top-level ``scenarios:`` key)."""
    if path.suffix not in (".yaml", ".yml") or path.name == CONFIG_FILE:
        return False
    try:
        with path.open("rb") as f:
            head = f.read(DEFAULT_LIMITS.max_file_bytes)
    except OSError:
        return False
    return any(line.startswith(b"scenarios:") for line in head.splitlines())


def configuration_folder(path: Path) -> Path | None:
    """
    The folder a scenario file's case files must stay in: the nearest folder above it that
    holds a ``territory.yaml`` (the scenario file is part of that territory's configuration),
    or ``None`` for a scenario file of one's own, outside any territory folder.
    """
    path = path.resolve()
    for folder in path.parents:
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def _read_case_file(path: Path, root: Path | None, at: str, errors: list[ErrorDetail], limits: Limits) -> Any:
    if root is None:
        try:
            target: Path | None = path.resolve()
        except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a NUL byte: an error, not a crash
            errors.append(ErrorDetail(at, Message("invalid path: {problem}", problem=str(exc)), str(path), "path"))
            return None
    else:
        target = inside(root, path)
    if target is None:  # a configuration never makes us read a file outside its folder
        errors.append(ErrorDetail(at, Message("path outside the folder {root}: the files named here must be inside its"
                                              " folder", root=root), str(path), "path"))
        return None
    try:
        return read_json(target, limits=limits)
    except InputError as exc:  # the case file's own problems, under this scenario's path; no value of it
        for d in exc.details:
            if d.line is not None and d.column is not None:
                pos: str | None = Message("line {line}, column {column}", line=d.line, column=d.column)
            elif d.line is not None or d.column is not None:
                pos = Message("line {line}", line=d.line) if d.line is not None else \
                    Message("column {column}", column=d.column)
            else:
                pos = None
            problem = Message("{file}: {problem}", file=target, problem=d.message) if pos is None else \
                Message("{file}: {problem} ({where})", file=target, problem=d.message, where=pos)
            errors.append(ErrorDetail(at, problem, None, d.rule))
        return None


def load_scenarios(path: Path | str, *, root: Path | None = None, limits: Limits | None = None) -> list[Scenario]:
    """
    Read and validate a scenario file; resolve and read the case files it names.

    :param root: the folder case files must stay in (default: :func:`configuration_folder`:
        the territory folder the scenario file is in, if any).
    :param limits: bounds on the file and on the case files (default: the safe defaults).
    :raises ScenarioFileError: naming the file and listing every problem by JSON path:
        schema errors (with their line), duplicate scenario names, missing or unreadable
        case files, case files outside the folder.
    """
    from ._schema import validate_instance  # noqa: PLC0415 - jsonschema only when needed

    path = Path(path)
    limits = limits or DEFAULT_LIMITS
    doc = read_yaml(path, limits=limits, error=ScenarioFileError, booleans="strict")
    data = doc.data
    folder = root if root is not None else configuration_folder(path)
    errors = validate_instance("scenario", data)
    items = data.get("scenarios") if isinstance(data, dict) else None
    scenarios: list[Scenario] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        at = f"$.scenarios[{i}]"
        name = item.get("name")
        if isinstance(name, str):
            if name in seen:
                errors.append(ErrorDetail(f"{at}.name",
                                          Message("name already used by scenario {other}", other=seen[name]),
                                          name, "unique"))
            seen.setdefault(name, i)
        case = item.get("case")
        if isinstance(case, str) and case:
            case_path = (path.parent / case).absolute()
            case_data = _read_case_file(case_path, folder, f"{at}.case", errors, limits)
            try:
                source = str(case_path.resolve())
            except (OSError, RuntimeError, ValueError):  # reported by _read_case_file: nothing is built
                source = str(case_path)
        else:
            case_data = case
            source = f"{path}{at[1:]}.case"
        if errors:
            continue  # keep looking for problems, build nothing
        scenarios.append(Scenario(
            name=item["name"], file=path, index=i, case=case_data, case_source=source,
            as_of=dt.date.fromisoformat(item["as_of"]), territory=item.get("territory"),
            expected=item["expected"], description=item.get("description", ""),
        ))
    if errors:
        raise ScenarioFileError(str(path), doc.located(sorted(errors, key=lambda d: d.path)))
    return scenarios


# --------------------------------------------------------------------------- comparison

_WORDS = {"expected": N_("expected"), "got": N_("got"), "missing": N_("missing"),
          "unexpected": N_("present but excluded"), "order": N_("different order"), "absent": N_("absent"),
          "cites": N_("no reason cites the document"), "none": N_("none")}


def _plain(value: Any) -> Any:
    """Enum and date values as the strings a scenario file uses."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return getattr(value, "value", value)


class _Checker:
    def __init__(self, lang: str) -> None:
        self.w = {key: translate(msgid, lang) for key, msgid in _WORDS.items()}
        self.out: list[str] = []

    def equal(self, field: str, expected: Any, actual: Any) -> None:
        actual = _plain(actual)
        if expected != actual:
            self.out.append(f"{field}: {self.w['expected']} {expected!r}, {self.w['got']} {actual!r}")

    def same_set(self, field: str, expected: Iterable[str], actual: Iterable[str]) -> None:
        exp, act = set(expected), set(_plain(list(actual)))
        if exp != act:
            self.out.append(f"{field}: {self.w['expected']} {sorted(exp)}, {self.w['got']} {sorted(act)}")

    def include(self, field: str, expected: Iterable[str], actual: Iterable[str]) -> None:
        act = list(_plain(list(actual)))
        missing = [c for c in expected if c not in act]
        if missing:
            self.out.append(f"{field}: {self.w['missing']} {missing}; {self.w['got']} {act}")

    def exclude(self, field: str, excluded: Iterable[str], actual: Iterable[str]) -> None:
        act = list(_plain(list(actual)))
        present = [c for c in excluded if c in act]
        if present:
            self.out.append(f"{field}: {self.w['unexpected']} {present}; {self.w['got']} {act}")

    def order(self, field: str, expected: Sequence[str], actual: Sequence[str]) -> None:
        act = list(actual)
        missing = [c for c in expected if c not in act]
        if missing:
            self.out.append(f"{field}: {self.w['missing']} {missing}; {self.w['got']} {act}")
            return
        seen = sorted(expected, key=act.index)
        if seen != list(expected):
            w = self.w
            self.out.append(f"{field}: {w['order']}: {w['expected']} {list(expected)}, {w['got']} {seen}")

    def keyed(
        self, field: str, wanted: Iterable[Mapping[str, Any]], key: str, actual: Mapping[str, Any],
        attrs_of: Callable[[Any], Mapping[str, Any]],
    ) -> None:
        for item in wanted:
            code = item[key]
            if code not in actual:
                got = sorted(actual) or self.w["none"]
                self.out.append(f"{field}[{code}]: {self.w['absent']}; {self.w['got']} {got}")
                continue
            have = attrs_of(actual[code])
            for name, value in item.items():
                if name != key:
                    self.equal(f"{field}[{code}].{name}", value, have[name])


def reasons_of(result: Result) -> Iterator[Reason]:
    """Every reason anywhere in a result."""
    yield from result.profile.reasons
    yield from result.routing.reasons
    yield from result.equipe.reasons
    for m in result.equipe.members:
        yield m.reason
    for r in (*result.interventions, *result.not_proposed):
        yield r.reason
    for d in result.deadlines:
        yield d.reason
    for e in result.measures:
        yield from e.reasons
    for p in result.project_problems:
        yield p.reason
    if result.network is not None:
        yield result.network.reason
    for score in result.scores:
        yield score.reason
    for placement in result.placements:
        yield from placement.reasons


def _check_network(c: _Checker, result: Result, expected: Mapping[str, Any]) -> None:
    net = result.network
    for key, exp in expected.items():
        if key == "ambito":
            c.equal("network.ambito", exp, None if net is None else net.ambito)
        else:  # services: the competent services named, by kind
            have = {} if net is None else net.services
            for kind, office in exp.items():
                c.equal(f"network.services.{kind}", office, have.get(kind))


def _check_placements(c: _Checker, result: Result, expected: Mapping[str, Any]) -> None:
    """``first``: the best placement of the first member; ``include`` / ``exclude``: enterprise:position pairs."""
    pairs = [f"{p.enterprise}:{p.position}" for p in result.placements]
    for key, exp in expected.items():
        if key == "first":
            c.equal("placements[0]", exp, pairs[0] if pairs else None)
        elif key == "include":
            c.include("placements", exp, pairs)
        else:
            c.exclude("placements", exp, pairs)


def _check_scores(c: _Checker, result: Result, expected: Sequence[Mapping[str, Any]]) -> None:
    """Each instrument named: its total, band and outcome as written."""
    scores = {s.instrument: s for s in result.scores}
    for exp in expected:
        score = scores.get(exp["instrument"])
        for key, value in exp.items():
            if key != "instrument":
                c.equal(f"scores[{exp['instrument']}].{key}", value, None if score is None else getattr(score, key))


def _check_profile(c: _Checker, result: Result, expected: Mapping[str, Any]) -> None:
    profile = result.profile.profile
    for key, exp in expected.items():
        if key == "flags_include":
            c.include("profile.flags", exp, profile.flags)
        elif key == "flags_exclude":
            c.exclude("profile.flags", exp, profile.flags)
        else:
            c.equal(f"profile.{key}", exp, getattr(profile, key))


def _check_routing(c: _Checker, result: Result, expected: Mapping[str, Any]) -> None:
    routing = result.routing
    for key, exp in expected.items():
        if key == "alternatives":
            c.same_set("routing.alternatives", exp, routing.alternatives)
        elif key in ("inform", "programmes"):  # the parties and programmes of a coordination outcome
            have = () if routing.coordination is None else getattr(routing.coordination, key)
            c.same_set(f"routing.coordination.{key}", exp, have)
        else:
            c.equal(f"routing.{key}", exp, getattr(routing, key))


def _check_equipe(c: _Checker, result: Result, expected: Mapping[str, Any]) -> None:
    equipe = result.equipe
    roles = [m.role for m in equipe.members]
    for key, exp in expected.items():
        if key == "roles":
            c.same_set("equipe.roles", exp, roles)
        elif key == "roles_include":
            c.include("equipe.roles", exp, roles)
        elif key == "roles_exclude":
            c.exclude("equipe.roles", exp, roles)
        elif key == "modes":
            c.same_set("equipe.modes", exp, equipe.modes)
        else:
            c.equal(f"equipe.{key}", exp, getattr(equipe, key))


def _check_interventions(c: _Checker, result: Result, expected: Mapping[str, Any]) -> None:
    codes = [r.code for r in result.interventions]
    held = {r.code: r for r in result.not_proposed}
    for key, exp in expected.items():
        if key == "not_proposed":
            c.keyed("interventions.not_proposed", exp, "code", held,
                    lambda r: {"status": r.status.value, "since": None if r.since is None else r.since.isoformat(),
                               "rule": r.reason.rule})
        elif key == "not_proposed_exclude":
            c.exclude("interventions.not_proposed", exp, list(held))
        elif key == "exactly":
            c.equal("interventions", list(exp), codes)
        elif key == "include":
            c.include("interventions", exp, codes)
        elif key == "exclude":
            c.exclude("interventions", exp, codes)
        else:
            c.order("interventions.order", exp, codes)


def _check_dated(c: _Checker, result: Result, expected: Mapping[str, Any]) -> None:
    deadlines = {d.code: d for d in result.deadlines}
    dl = expected.get("deadlines", {})
    c.keyed("deadlines", dl.get("include", []), "code", deadlines,
            lambda d: {"due": d.due.isoformat(), "status": d.status.value,
                       "met_on": None if d.met_on is None else d.met_on.isoformat(), "days_late": d.days_late,
                       "days_overdue": d.days_overdue})
    c.exclude("deadlines", dl.get("exclude", []), list(deadlines))

    measures = {m.measure: m for m in result.measures}
    ms = expected.get("measures", {})
    c.keyed("measures", ms.get("include", []), "measure", measures,
            lambda m: {"in_force": m.in_force, "eligible": m.eligible,
                       "outcome": None if m.outcome is None else m.outcome.value, "missing": _missing(m)})
    c.exclude("measures", ms.get("exclude", []), list(measures))

    problems = expected.get("project_problems", {})
    if "count" in problems:
        c.equal("project_problems.count", problems["count"], len(result.project_problems))
    if "rules_include" in problems:
        rules = [p.reason.rule for p in result.project_problems]
        c.include("project_problems.rules", problems["rules_include"], rules)


def _missing(m: Eligibility) -> list[str]:
    """The codes of the data a measure's requirements lacked (``dati_mancanti`` of its reasons)."""
    return [code for r in m.reasons for code in r.inputs.get("dati_mancanti", [])]


def _check_reasons(c: _Checker, result: Result, expected: Mapping[str, Any]) -> None:
    reasons = list(reasons_of(result))
    for item in expected.get("include", []):
        inputs = item.get("inputs", {})
        if not any(r.rule == item["rule"] and all(k in r.inputs and _plain(r.inputs[k]) == v for k, v in inputs.items())
                   for r in reasons):
            same = [r.inputs for r in reasons if r.rule == item["rule"]]
            got = same or c.w["none"]
            c.out.append(f"reasons[{item['rule']}]: {c.w['missing']} {inputs or ''}; {c.w['got']} {got}")
    c.exclude("reasons", expected.get("rules_exclude", []), [r.rule for r in reasons])


def compare(result: Result, expected: Mapping[str, Any], lang: str = "it") -> list[str]:
    """Every mismatch between a result and a scenario's expectations (empty when it passes)."""
    c = _Checker(lang)
    _check_profile(c, result, expected.get("profile", {}))
    _check_routing(c, result, expected.get("routing", {}))
    _check_equipe(c, result, expected.get("equipe", {}))
    _check_interventions(c, result, expected.get("interventions", {}))
    _check_network(c, result, expected.get("network", {}))
    _check_placements(c, result, expected.get("placements", {}))
    _check_scores(c, result, expected.get("scores", []))
    _check_dated(c, result, expected)
    _check_reasons(c, result, expected.get("reasons", {}))
    sources = [r.source for r in reasons_of(result)]
    documents = [d for s in sources for d in (s.document, s.via.id if s.via else "") if d]
    texts = [s.text_it.casefold() for s in sources]
    for doc in expected.get("cites", []):
        wanted = doc.casefold()
        if not any(wanted in d.casefold() for d in documents) and not any(wanted in t for t in texts):
            cited = sorted(set(documents))
            c.out.append(f"cites: {c.w['cites']} {doc!r}; {c.w['got']} {cited or c.w['none']}")
    for doc in expected.get("cites_exclude", []):
        unwanted = doc.casefold()
        if any(unwanted in d.casefold() for d in documents) or any(unwanted in t for t in texts):
            c.out.append(f"cites_exclude: {c.w['unexpected']} {doc!r}")
    rules = [r.rule for r in reasons_of(result)]
    c.include("rules", expected.get("rules_include", []), rules)
    c.exclude("rules", expected.get("rules_exclude", []), rules)
    return c.out


def run_scenario(engine: Engine, scenario: Scenario, *, lang: str = "it") -> ScenarioOutcome:
    """
    Assess a scenario's case as of its date and compare the result with its expectations.

    :param lang: language of the mismatch descriptions (``it`` or ``en``).
    :raises InvalidCaseError: the scenario's case does not conform to the case format.
    :raises TerritoryNotFoundError: the scenario's territory is not available.
    """
    case = engine.load_case(scenario.case, scenario.case_source)
    result = engine.assess(case, as_of=scenario.as_of, territory=scenario.territory)
    mismatches = compare(result, scenario.expected, lang)
    return ScenarioOutcome(name=scenario.name, passed=not mismatches, mismatches=mismatches, file=scenario.file)


def scenario_files(engine: Engine, specs: Sequence[str | Path] = (), lang: str = "it") -> list[Path]:
    """
    The scenario files named: files, folders (every scenario file inside) or territory ids
    (the scenario files its configuration lists); with none, those of every territory. Each
    file once, in order.

    :raises InputError: a spec that is none of these, or a folder without scenario files.
    """
    files: list[Path] = []
    if not specs:
        for info in engine.territories():
            files += engine.territory(info.id).scenario_files()
    for spec in specs:
        path = Path(spec)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and looks_like_scenario_file(f))
            if not found:
                raise InputError(str(spec), [ErrorDetail("$", Message("no scenario file in {path}", path=spec),
                                                         str(spec), "scenarios")])
            files += found
        elif str(spec) in engine.index.ids():
            files += engine.territory(str(spec)).scenario_files()
        else:
            known = ", ".join(engine.index.ids())
            suggestion = closest(str(spec), engine.index.ids())
            problem = Message("{path!r} is neither a file, a directory nor an installed territory ({known})",
                              path=str(spec), known=known) if suggestion is None else Message(
                "{path!r} is neither a file, a directory nor an installed territory (did you mean {suggestion!r}?"
                " installed: {known})", path=str(spec), suggestion=suggestion, known=known)
            raise InputError(str(spec), [ErrorDetail("$", problem, str(spec), "path")])
    return list({f.resolve(): f for f in files}.values())


def selected(name: str, select: Sequence[str]) -> bool:
    """Whether a scenario's name is selected: it contains one of ``select`` (case-insensitive), or none is given."""
    return not select or any(s.casefold() in name.casefold() for s in select)


def run_scenario_files(engine: Engine, files: Iterable[Path], *, lang: str = "it",
                       select: Sequence[str] = ()) -> Iterator[ScenarioFileRun]:
    """
    Run every scenario of each file; a file or a scenario that cannot run gives its error, the others go on.

    :param select: run only the scenarios whose name contains one of these (case-insensitive).
    """
    for file in files:
        try:
            scenarios = load_scenarios(file, limits=engine.limits)
        except InclusioneError as exc:
            yield ScenarioFileRun(file=file, error=exc)
            continue
        outcomes = []
        for scenario in scenarios:
            if not selected(scenario.name, select):
                continue
            try:
                outcomes.append(run_scenario(engine, scenario, lang=lang))
            except InclusioneError as exc:
                outcomes.append(ScenarioOutcome(name=scenario.name, passed=False, mismatches=[], file=file,
                                                error=exc))
        yield ScenarioFileRun(file=file, outcomes=tuple(outcomes))
