"""The inclusione-toscana distribution: discovery, packaging and the sources of its configuration."""

from __future__ import annotations

import os
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml

import inclusione_toscana
from inclusione_core import Engine, get_plugin_manager
from inclusione_core.testing import normalise_text as normalise
from inclusione_core.testing import source_blocks as sources

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parents[1]
CONFIG = ROOT / "territories" / "toscana" / "territory.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED = "002_488e39f7d0a95a15.txt"


def test_entry_point_is_declared_in_the_inclusione_group() -> None:
    """The distribution declares the entry point ``toscana`` in the ``inclusione`` group, on the module."""
    meta = tomllib.loads((PACKAGE / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["name"] == "inclusione-toscana"
    assert meta["project"]["entry-points"]["inclusione"] == {"toscana": "inclusione_toscana"}
    assert "inclusione-core" in meta["project"]["dependencies"]
    targets = meta["tool"]["hatch"]["build"]["targets"]
    assert targets["sdist"]["force-include"] == {"../../territories/toscana": "territory"}
    assert targets["wheel"]["hooks"]["custom"] == {"sources": ["territory", "../../territories/toscana"],
                                                  "target": "inclusione_toscana/territory"}
    assert (PACKAGE / "src" / "inclusione_toscana" / "py.typed").exists()


def test_installed_plugin_is_discovered_through_entry_points() -> None:
    """With the distribution installed, a default Engine lists toscana, provided by the plugin."""
    names = {ep.name: ep.value for ep in metadata.entry_points(group="inclusione")}
    if names.get("toscana") != "inclusione_toscana":
        pytest.skip("inclusione-toscana is not installed in this environment")
    found = {t.id: t for t in Engine().territories()}
    assert found["toscana"].provided_by == "toscana"
    assert found["toscana"].directory == inclusione_toscana.toscana_dir()


def test_registration_on_a_fresh_manager_gives_the_regional_layer() -> None:
    """Registered explicitly, the plugin provides toscana extending italia, from the repository folder."""
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False,
                                                      plugins=[("toscana", inclusione_toscana)]))
    assert [t.id for t in engine.territories()] == ["italia", "toscana"]
    territory = engine.territory("toscana")
    assert territory.lineage == ("toscana", "italia")
    assert inclusione_toscana.toscana_dir() == CONFIG.parent
    assert [layer.file for layer in territory.layers] == ["italia/territory.yaml", "toscana/territory.yaml"]


def test_every_rule_cites_seed_002_or_says_it_is_a_default() -> None:
    """Each source of the regional layer is seed 002 (with a quote) or a default naming what the seed leaves open."""
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    found = list(sources(data, skip=("legal_basis",)))
    assert len(found) > 20
    for path, src in found:
        assert src["document"] == SEED, path
        assert src.get("quote"), path
        if src["kind"] == "default":
            assert "default" in src.get("section", ""), path


@pytest.mark.skipif(
    not os.environ.get("CI") and not (SEEDS / SEED).exists(),
    reason="seed documents not beside the repository (in CI they are, and the test runs)",
)
def test_every_quote_is_verbatim_in_the_seed() -> None:
    """Every quote of the regional layer occurs in seed 002 (whitespace aside), and so does every section heading."""
    seed = normalise((SEEDS / SEED).read_text(encoding="utf-8"))
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    missing = [(p, s["quote"]) for p, s in sources(data, skip=("legal_basis",)) if normalise(s["quote"]) not in seed]
    assert missing == []
    headings = {s["section"].split(";")[0] for _p, s in sources(data, skip=("legal_basis",))}
    assert [h for h in headings if normalise(h) not in seed] == []


def test_policy_indicator_is_description_only() -> None:
    """The 70% zone-distretto target is described, not encoded as a rule on cases."""
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert "70%" in data["description"]
    rules = yaml.safe_dump({k: v for k, v in data.items() if k != "description"}, allow_unicode=True)
    assert "70" not in rules
