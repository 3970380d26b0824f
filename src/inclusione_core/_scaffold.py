"""
A new territory, ready to edit: ``inclusione new-territory ID --extends PARENT [--plugin]``.

:func:`new_territory` writes a territory folder (``territory.yaml`` with the header, an
example case, a scenario file with one scenario and a README) that ``inclusione validate``
and ``inclusione test`` accept at once: the scenario's expectations are what the inherited
rules give the example today, computed here, for the author to change into what the
territory's rules must give. With ``plugin=True`` the folder goes inside a plugin
distribution (``inclusione-<id>``: pyproject with the entry point, a package registering
the folder, one example hook, tests on the shared fixtures of
:mod:`inclusione_core.testing`), whose sdist and wheel carry the folder.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ._config import CONFIG_FILE, Territory
from ._errors import ErrorDetail, InputError, closest
from .i18n import Message

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["Scaffold", "new_territory"]

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CHILD_LEVEL = {"nazionale": "regione", "regione": "zona", "citta_metropolitana": "distretto", "zona": "ambito",
               "distretto": "ambito", "ambito": "ambito"}
LEVELS = tuple(CHILD_LEVEL)
AS_OF = "2025-03-01"
EXAMPLE = "examples/esempio.json"


@attrs.frozen
class Scaffold:
    """
    What :func:`new_territory` wrote.

    :ivar territory: the new territory's id.
    :ivar folder: its territory folder (``territory.yaml``, examples, scenarios).
    :ivar config_dir: the folder to give ``--config-dir`` to use it without installing anything.
    :ivar distribution: the plugin distribution's folder, when one was asked for.
    :ivar files: every file written.
    """

    territory: str
    folder: Path
    config_dir: Path
    distribution: Path | None
    files: tuple[Path, ...]


def _refuse(at: str, problem: Message, value: Any, rule: str) -> InputError:
    return InputError("new-territory", [ErrorDetail(at, problem, value, rule)])


def _check(engine: Engine, territory: str, parent: str, level: str | None) -> Territory:
    """The compiled parent, once the new id, the parent and the level are known to be acceptable."""
    if not ID_PATTERN.fullmatch(territory):
        raise _refuse("$.id", Message("invalid territory id: lowercase letters, digits and _, starting with a letter"
                                      " (at most 40 characters), e.g. lucca or valdinievole_sud"), territory, "id")
    ids = engine.index.ids()
    if territory in ids:
        raise _refuse("$.id", Message("territory {id} already exists (provided by {owner}): choose another id",
                                      id=territory, owner=engine.index.owner(territory)), territory, "id")
    if parent not in ids:
        suggestion = closest(parent, ids)
        problem = Message("unknown parent territory; known: {known}", known=", ".join(ids)) if suggestion is None \
            else Message("unknown parent territory (did you mean {suggestion!r}?); known: {known}",
                         suggestion=suggestion, known=", ".join(ids))
        raise _refuse("$.extends", problem, parent, "extends")
    if level is not None and level not in LEVELS:
        raise _refuse("$.level", Message("unknown level; known: {known}", known=", ".join(LEVELS)), level, "level")
    return engine.territory(parent)  # its configuration must be valid for the child's to be


def _chain_plugins(engine: Engine, parent: Territory) -> list[tuple[str, str, str]]:
    """The plugins providing the parent's chain, root first: (registered name, module, distribution)."""
    infos = {p.name: p for p in engine.plugins()}
    found: list[tuple[str, str, str]] = []
    for layer in reversed(parent.lineage):
        owner = engine.index.owner(layer)
        if owner.startswith("dir:"):
            raise _refuse("$.extends", Message(
                "the parent layer {layer} comes from a configuration folder ({owner}), not from an installed plugin:"
                " a plugin can extend only territories that installed plugins (or the core) provide; create a"
                " territory folder instead (without --plugin)", layer=layer, owner=owner[4:]), parent.id, "extends")
        info = infos.get(owner)
        if info is None or info.core:
            continue
        module = engine.hooks.pm.get_plugin(owner)
        found.append((owner, getattr(module, "__name__", owner), info.distribution))
    return found


def new_territory(engine: Engine, territory: str, parent: str, directory: Path | str = ".", *,
                  plugin: bool = False, label: str | None = None, level: str | None = None) -> Scaffold:
    """
    Write a new territory extending ``parent`` under ``directory`` (a plugin distribution too with ``plugin``).

    :raises InputError: the id is invalid or taken, the parent unknown, the target folder exists.
    :raises InclusioneError: the parent's configuration is invalid.
    """
    compiled = _check(engine, territory, parent, level)
    chain = _chain_plugins(engine, compiled) if plugin else []
    root = Path(directory)
    dist_dir = root / f"inclusione-{territory.replace('_', '-')}" if plugin else None
    config_dir = dist_dir / "territories" if dist_dir is not None else root
    folder = config_dir / territory
    top = dist_dir if dist_dir is not None else folder
    if top.exists():
        raise _refuse("$.dir", Message("{path} already exists: nothing was written", path=str(top)), str(top), "dir")
    name = label or territory.replace("_", " ").title()
    parent_level = str(compiled.data.get("level", "zona"))
    files: list[Path] = []

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files.append(path)

    try:
        case = _example_case(compiled, territory)
        write(folder / CONFIG_FILE, _territory_yaml(territory, name, level or CHILD_LEVEL.get(parent_level, "ambito"),
                                                    parent))
        write(folder / EXAMPLE, json.dumps(case, ensure_ascii=False, indent=2) + "\n")
        local = engine.with_config_dir(config_dir)
        result = local.assess(local.load_case(case, str(folder / EXAMPLE)), as_of=dt.date.fromisoformat(AS_OF))
        write(folder / "scenarios" / f"{territory}.yaml", _scenarios_yaml(territory, parent, result))
        write(folder / "README.md", _territory_readme(territory, name, parent, config_dir, plugin))
        if dist_dir is not None:
            _plugin_files(write, dist_dir, territory, name, parent, chain)
        problems = [str(e) for r in local.validate([folder]) for e in r.errors]
        if problems:  # a defect of the scaffold: never leave a territory that does not validate
            raise RuntimeError("new-territory wrote an invalid territory: " + "; ".join(problems))
    except BaseException:
        shutil.rmtree(top, ignore_errors=True)
        raise
    return Scaffold(territory=territory, folder=folder, config_dir=config_dir, distribution=dist_dir,
                    files=tuple(files))


def _example_case(parent: Territory, territory: str) -> dict[str, Any]:
    """A small valid case of the new territory: an unemployed adult met at a social service, with a work need."""
    services = parent.section("services")
    direct = [code for code, s in services.items() if "diretto" in s.get("access", [])]
    point = next((c for c in direct if services[c]["kind"] == "ssp"), direct[0] if direct else None)
    needs = parent.section("needs")
    need = "lavoro" if "lavoro" in needs else next(iter(sorted(needs)), None)
    case: dict[str, Any] = {
        "id": f"{territory}-esempio-1",
        "territory": territory,
        "opened_on": "2025-01-13",
        "household": {"id": "nucleo-1", "members": [
            {"id": "m1", "relation": "richiedente", "birth_date": "1981-04-02", "employment": "disoccupato"}]},
    }
    if point is not None:
        case["access"] = {"date": "2025-01-13", "point": point}
    if need is not None:
        case["assessment"] = {"date": "2025-01-20", "needs": [{"code": need}],
                              "levels": [{"dimension": needs[need]["dimension"], "level": 2}]}
    return case


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _territory_yaml(territory: str, name: str, level: str, parent: str) -> str:
    return f"""$schema: https://inclusione-core.example/schemas/territory.schema.json
# {name}: extends {parent}. Write here only what differs from {parent}; every rule cites its
# source (docs/configuration.md). `inclusione config show {parent}` prints what is inherited,
# each entry with the file that defined it; redefine an inherited entry with `override: true`.
id: {territory}
label: {{it: {_q(name)}, en: {_q(name)}}}
level: {level}
extends: {parent}
version: "0.1.0"

# Example cases, shown by `inclusione demo {territory}` (paths relative to this file).
examples:
  - case: {EXAMPLE}
    as_of: "{AS_OF}"
    title: "Adulto disoccupato con un bisogno lavorativo"

# Scenario files: expected results, run by `inclusione test {territory}`.
scenarios:
  - scenarios/{territory}.yaml

# Add the territory's own sections below: services, roles, equipe (formats, triggers,
# selection), routing rules, interventions, deadlines, measures, privacy flows.
"""


def _expected(result: Any) -> dict[str, Any]:
    """What a scenario checks: the pathway, where the case goes, the equipe format."""
    routing: dict[str, Any] = {"outcome": result.routing.outcome.value}
    if result.routing.service is not None:
        routing["service"] = result.routing.service
    expected: dict[str, Any] = {"profile": {"pathway": result.profile.profile.pathway}, "routing": routing}
    if result.equipe.format:
        expected["equipe"] = {"format": result.equipe.format}
    return expected


def _flow(data: Mapping[str, Any]) -> str:
    """A small mapping as one line of YAML (flow style)."""
    import yaml  # noqa: PLC0415

    return str(yaml.safe_dump(dict(data), default_flow_style=True, width=1000, allow_unicode=True)).strip()


def _scenarios_yaml(territory: str, parent: str, result: Any) -> str:
    expected = "\n".join(f"      {key}: {_flow(value)}" for key, value in _expected(result).items())
    return f"""# Scenarios of {territory}: each assesses a case as of a date and checks only the results
# written under `expected` (docs/plugins.md#scenario-files). `inclusione test {territory}` runs them.
# The values below are what the rules inherited from {parent} give the example today: change
# them to what the rules of {territory} must give, then write those rules in territory.yaml.
scenarios:
  - name: esempio_lavoro
    description: "Adulto disoccupato con un bisogno lavorativo."
    as_of: "{AS_OF}"
    case: ../{EXAMPLE}
    expected:
{expected}
"""


def _territory_readme(territory: str, name: str, parent: str, config_dir: Path, plugin: bool) -> str:
    where = "territories" if plugin else str(config_dir)
    return f"""# {name} (`{territory}`)

A territory for [inclusione_core](https://inclusione-core.example/): it extends `{parent}` and
is data only, no Python needed. Its files:

- `territory.yaml`: the configuration, only what differs from `{parent}`;
- `examples/`: example cases, listed under `examples:`;
- `scenarios/`: expected results, listed under `scenarios:`.

Use it with `--config-dir` (the folder that holds this one), from that folder's parent:

```sh
inclusione --config-dir {where} validate {territory}         # configuration, examples, scenario files
inclusione --config-dir {where} test {territory}             # the scenarios give their expected results
inclusione --config-dir {where} demo {territory}             # the examples, explained
inclusione --config-dir {where} config show {territory}      # the merged configuration, entry by entry
```

Then write the territory's rules in `territory.yaml` (each with its `source`), and a scenario
for each in `scenarios/{territory}.yaml`.
"""


def _plugin_files(write: Any, dist: Path, territory: str, name: str, parent: str,
                  chain: list[tuple[str, str, str]]) -> None:
    package = f"inclusione_{territory}"
    dist_name = dist.name
    dependencies = ", ".join(_q(d) for d in ["inclusione-core", *dict.fromkeys(d for _n, _m, d in chain)])
    write(dist / "pyproject.toml", f"""[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "{dist_name}"
version = "0.1.0"
description = "{name} for inclusione_core (extends {parent})."
readme = "README.md"
requires-python = ">=3.11"
dependencies = [{dependencies}]

[project.entry-points.inclusione]
{territory} = "{package}"

[tool.hatch.build.targets.wheel]
packages = ["src/{package}"]

# The territory folder stays data, next to the package; the wheel carries it inside the
# package, where territory_dir() looks first (the sdist has the whole distribution).
[tool.hatch.build.targets.wheel.force-include]
"territories/{territory}" = "{package}/territory"

[tool.pytest.ini_options]
testpaths = ["tests"]
""")
    write(dist / "README.md", f"""# {dist_name}

{name} (`{territory}`, extends `{parent}`) for inclusione_core: the territory folder
`territories/{territory}` (configuration, examples, scenarios) and the Python hooks for what the
configuration cannot say (`src/{package}/_hooks.py`).

```sh
python -m pip install -e .          # then `inclusione territories` lists {territory}
python -m pytest                    # the territory conforms, and the hooks' tests
inclusione validate {territory} && inclusione test {territory}
python -m build                     # sdist and wheel, the territory folder inside
```
""")
    registration = "\n".join(f"#   {m} ({n})" for n, m, _d in chain) or "#   (none: the core provides it)"
    write(dist / "src" / package / "__init__.py", f'''"""
{name} (extends {parent}) for inclusione_core.

The rules are data, in ``territories/{territory}/territory.yaml``; the hooks in :mod:`._hooks`
say what the configuration cannot.
"""

from __future__ import annotations

from pathlib import Path

from inclusione_core.rules import find_territory_dir, territory_registration

from ._hooks import inclusione_validate_project

__all__ = [
    "TERRITORY",
    "inclusione_register_territories",
    "inclusione_validate_project",
    "territory_dir",
]

TERRITORY = "{territory}"


def territory_dir() -> Path:
    """The configuration: packaged in the wheel, or ``territories/{territory}`` in a checkout."""
    return find_territory_dir(Path(__file__).parent, TERRITORY)


inclusione_register_territories = territory_registration(TERRITORY, territory_dir, extends="{parent}")
''')
    write(dist / "src" / package / "py.typed", "")
    write(dist / "src" / package / "_hooks.py", f'''"""
The rules of {name} that the configuration cannot say, as hook implementations (docs/hooks.md).

One example: a personalised project must name at least one objective. Replace it with the
territory's own rules, each citing the act it comes from; a threshold, a list of roles or a
deadline is configuration, not Python.
"""

from __future__ import annotations

import datetime as dt

from inclusione_core import Case, Equipe, Problem, Project, Territory, hookimpl
from inclusione_core.rules import core_reason

TERRITORY = "{territory}"
SOURCE = {{"kind": "default", "note": "esempio dello scaffold: sostituiscilo con una regola del territorio,"
                                     " citando il documento del registro (documents:) da cui viene"}}
"""Where the rule comes from: a ``source`` block, resolved by the territory's registry (``territory.citation``)."""


@hookimpl
def inclusione_validate_project(
    case: Case, project: Project, equipe: Equipe, territory: Territory, as_of: dt.date
) -> list[Problem]:
    """
    A project without objectives is a problem (an example rule). The core asks this plugin
    only about cases of {territory} and of the territories extending it: no guard needed.
    """
    if project.objectives:
        return []
    reason = core_reason(
        territory,
        f"{{TERRITORY}}.progetto_senza_obiettivi",
        "Il progetto personalizzato non indica alcun obiettivo: indicane almeno uno.",
        "The personalised project names no objective: name at least one.",
        source=territory.citation(SOURCE),
    )
    return [Problem(path="$.project.objectives", reason=reason)]
''')
    plugins = [*((n, m) for n, m, _d in chain), (territory, package)]
    imports = "\n".join(f"import {m}" for m in sorted({*(m for _n, m in plugins), "pytest"}))
    listed = "".join(f'\n        ("{n}", {m}),' for n, m in plugins)
    write(dist / "tests" / "conftest.py", f'''"""
{name}'s tests: the shared territory fixtures of ``inclusione_core.testing``, with the plugins
of the extends chain registered explicitly (independent of what else is installed).
"""

from __future__ import annotations

{imports}
from inclusione_core.testing.fixtures import engine, example, territory

__all__ = ["engine", "example", "territory"]

# The plugins registered, the parent's chain first:
{registration}


@pytest.fixture(scope="session")
def inclusione_plugins() -> list[tuple[str, object]]:
    """The plugins of the extends chain and this one."""
    return [{listed}
    ]
''')
    write(dist / "tests" / f"test_{territory}.py", f'''"""
{name}: the territory conforms, and the example rule of ``_hooks.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from inclusione_core import Engine, Territory
from inclusione_core.testing import conformance_problems

AS_OF = dt.date(2025, 3, 1)


def test_the_territory_conforms(engine: Engine, territory: Territory) -> None:
    """The configuration compiles, its examples are valid and listed, every scenario passes."""
    assert territory.lineage[:2] == ("{territory}", "{parent}")
    assert conformance_problems(engine, "{territory}") == []


def test_a_project_without_objectives_is_a_problem(
    engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """The example hook: a project with no objective is reported; with one, it is not."""
    data = example("esempio.json") | {{"project": {{"id": "p-1", "start": "2025-02-01"}}}}
    result = engine.assess(engine.load_case(data), as_of=AS_OF)
    assert "{territory}.progetto_senza_obiettivi" in [p.reason.rule for p in result.project_problems]
    data["project"]["objectives"] = [{{"text": "Un primo colloquio al Centro per l'Impiego"}}]
    result = engine.assess(engine.load_case(data), as_of=AS_OF)
    assert "{territory}.progetto_senza_obiettivi" not in [p.reason.rule for p in result.project_problems]
''')
