"""The inclusione-toscana distribution: discovery, packaging and the sources of its configuration."""

from __future__ import annotations

import os
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml

import inclusione_toscana
from inclusione_core import Engine, Territory, get_plugin_manager
from inclusione_core.rules import find_texts
from inclusione_core.testing import normalise_text as normalise
from inclusione_core.testing import quote_problems
from inclusione_core.testing import source_blocks as sources

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parents[1]
CONFIG = ROOT / "territories" / "toscana" / "territory.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"
"""Where the source texts are, beside the repository (they are not part of the product)."""
ARTICLE = "integrazione_intersettoriale"
"""The registry id of the Comunità di Pratica's article that describes DGRT 544/2023."""
SEED_SHA256 = "ea7eb46991a032e5205813731f424d27f0e38edeec19dbcda01643d80f056a49"


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


def toscana() -> Territory:
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False,
                                                      plugins=[("toscana", inclusione_toscana)]))
    return engine.territory("toscana")


def test_every_rule_cites_the_dgrt_through_the_article_or_says_it_is_a_default() -> None:
    """
    Each source of the regional layer names a document of the registry: the DGRT (or another
    act the article reports) read through the Comunità di Pratica's article, with a quote of
    the article; the article itself for what is its own; or a default, with a note, no quote.
    """
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    documents = toscana().data["documents"]
    article = documents[ARTICLE]
    assert article["kind"] == "articolo_descrittivo" and article["sha256"] == SEED_SHA256
    assert set(article["describes"]) == {"dgrt_544_2023", "dgrt_557_2022", "delibera_302_2022", "dgrt_917_2021"}
    assert documents["dgrt_544_2023"]["number"] == "DGRT n. 544/2023"
    assert documents["dgrt_544_2023"]["date"] == "2023-05-15"
    found = list(sources({k: v for k, v in data.items() if k != "documents"}, skip=("legal_basis",)))
    assert len(found) > 20
    for path, src in found:
        if src.get("kind") == "default":
            assert src["note"] and "quote" not in src, path
            continue
        assert src["document"] in documents, path
        assert src.get("quote"), path
        if src["document"] != ARTICLE:  # an act: read through the article that reports it
            assert src["via"] == ARTICLE and src["document"] in article["describes"], path


@pytest.mark.skipif(
    not os.environ.get("CI") and not SEEDS.is_dir(),
    reason="source texts not beside the repository (in CI they are, and the test runs)",
)
def test_every_quote_is_verbatim_in_the_article() -> None:
    """Every quote of the regional layer occurs in the article's text, found by its sha256; so does every heading."""
    territory = toscana()
    assert quote_problems(territory, SEEDS, expect=[ARTICLE]) == []
    text = normalise(find_texts(territory, SEEDS)[ARTICLE].read_text(encoding="utf-8"))
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    headings = {s["section"] for _p, s in sources(data, skip=("legal_basis",)) if "section" in s}
    assert [h for h in headings if normalise(h) not in text] == []


def test_policy_indicator_is_description_only() -> None:
    """The 70% zone-distretto target is described, not encoded as a rule on cases."""
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert "70%" in data["description"]
    rules = yaml.safe_dump({k: v for k, v in data.items() if k != "description"}, allow_unicode=True)
    assert "70" not in rules
