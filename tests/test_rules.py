"""The public building blocks for territory plugins (``inclusione_core.rules``)."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from inclusione_core import Assessment, Case, DimensionLevel, Engine
from inclusione_core.rules import configured_occupability, find_territory_dir

ROOT = Path(__file__).resolve().parents[1]


def _private_imports(path: Path) -> list[str]:
    """The ``inclusione_core`` modules or names starting with ``_`` that a file imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "inclusione_core":
            names = [*node.module.split(".")[1:], *(a.name for a in node.names)]
            found += [f"{node.lineno}: {node.module} {n}" for n in names if n.startswith("_")]
        elif isinstance(node, ast.Import):
            modules = [a.name.split(".") for a in node.names]
            found += [f"{node.lineno}: {'.'.join(m)}" for m in modules
                      if m[0] == "inclusione_core" and any(part.startswith("_") for part in m)]
    return found


@pytest.mark.parametrize("path", sorted(ROOT.glob("plugins/*/src/**/*.py")), ids=lambda p: p.name)
def test_plugins_import_no_private_core_module(path: Path) -> None:
    """No territory plugin imports a private ``inclusione_core._*`` module or name."""
    assert _private_imports(path) == []


def test_the_private_import_check_sees_private_imports(tmp_path: Path) -> None:
    """The check above reports private imports written in any form."""
    sample = tmp_path / "sample.py"
    sample.write_text("import inclusione_core._profile\nfrom inclusione_core._reasons import from_entry\n"
                      "from inclusione_core import (\n    Case,\n    _config,\n)\n", encoding="utf-8")
    assert len(_private_imports(sample)) == 3


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_configured_occupability_is_the_core_rule(level: int, make_case: Callable[..., Case]) -> None:
    """configured_occupability gives the grade and reason of the core's profile for every level of lavoro."""
    engine = Engine()
    case = make_case(assessment=Assessment(date=dt.date(2025, 1, 20),
                                           levels=(DimensionLevel(dimension="lavoro", level=level),)))
    italia = engine.territory("italia")
    grade, reasons = configured_occupability(case, italia)
    result = engine.assess(case, as_of=dt.date(2025, 2, 1))
    assert grade is not None
    assert grade is result.profile.profile.occupability
    assert [r.rule for r in reasons] == ["profilo.occupabilita"]
    assert reasons[0] in result.profile.reasons


def test_configured_occupability_without_assessment_is_empty(make_case: Callable[..., Case]) -> None:
    """A case not assessed yet has no configured occupability grade and no reason for it."""
    assert configured_occupability(make_case(), Engine().territory("italia")) == (None, [])


def _layer(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "territory.yaml").write_text("id: x\n", encoding="utf-8")
    return folder


def test_find_territory_dir_prefers_the_packaged_copy(tmp_path: Path) -> None:
    """A wheel's copy inside the package is found before the checkout's territories/ folder."""
    package = tmp_path / "plugins" / "inclusione-x" / "src" / "inclusione_x"
    packaged = _layer(package / "territory")
    _layer(tmp_path / "territories" / "x")
    assert find_territory_dir(package, "x") == packaged.resolve()


def test_find_territory_dir_falls_back_to_the_checkout(tmp_path: Path) -> None:
    """Without a packaged copy the configuration is found by walking up to territories/<id>."""
    package = tmp_path / "plugins" / "inclusione-x" / "src" / "inclusione_x"
    package.mkdir(parents=True)
    (package / "territory").mkdir()  # a folder without territory.yaml is not the configuration
    checkout = _layer(tmp_path / "territories" / "x")
    assert find_territory_dir(package, "x") == checkout.resolve()
    nested = _layer(package / "data" / "x")
    assert find_territory_dir(package, "x", packaged="data/x") == nested.resolve()


def test_find_territory_dir_names_what_is_missing(tmp_path: Path) -> None:
    """When neither the packaged copy nor the checkout exists, the error names the territory."""
    with pytest.raises(FileNotFoundError, match="'nessuno'"):
        find_territory_dir(tmp_path / "pkg", "nessuno")


def test_the_national_layer_is_found() -> None:
    """In a source checkout the core finds its national layer in the repository's territories/ folder."""
    from inclusione_core._territory_italia import italia_dir

    assert italia_dir() == ROOT / "territories" / "italia"
