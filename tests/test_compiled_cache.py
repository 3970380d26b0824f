"""
Compiled territories cached on disk (issue 18, item 1, in part): a cold command skips
compiling; any change to what a territory depends on compiles it again; a file another user
could have written is never loaded.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inclusione_core import Engine, get_plugin_manager
from inclusione_core._config import TerritoryIndex

Writer = Callable[[str, str], Path]
LAYER = """\
id: zona_cache
label: {it: Zona della cache, en: Cache zone}
level: zona
version: "1"
extends: italia
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("INCLUSIONE_CACHE_DIR", str(folder))
    return folder


def _engine(root: Path) -> Engine:
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])


def _no_compiling(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    compiled: list[str] = []
    original = TerritoryIndex._compile

    def spy(self: Any, territory: str) -> Any:
        compiled.append(territory)
        return original(self, territory)

    monkeypatch.setattr(TerritoryIndex, "_compile", spy)
    return compiled


def test_a_second_engine_loads_the_compiled_territory(cache: Path, write_layer: Writer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_layer("zona_cache", LAYER)
    first = _engine(root).territory("zona_cache")
    compiled = _no_compiling(monkeypatch)
    again = _engine(root).territory("zona_cache")
    assert compiled == [] and again.digest == first.digest and again.data == first.data
    assert list(cache.rglob("zona_cache.pickle"))


def test_a_changed_file_compiles_again(cache: Path, write_layer: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_layer("zona_cache", LAYER)
    before = _engine(root).territory("zona_cache")
    (root / "zona_cache" / "territory.yaml").write_text(LAYER.replace('version: "1"', 'version: "2"'),
                                                         encoding="utf-8")
    compiled = _no_compiling(monkeypatch)
    after = _engine(root).territory("zona_cache")
    assert compiled == ["zona_cache"] and after.digest != before.digest


def test_a_file_others_could_write_is_not_loaded(cache: Path, write_layer: Writer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_layer("zona_cache", LAYER)
    _engine(root).territory("zona_cache")
    (pickled,) = cache.rglob("zona_cache.pickle")
    os.chmod(pickled, 0o666)
    compiled = _no_compiling(monkeypatch)
    _engine(root).territory("zona_cache")
    assert compiled == ["zona_cache"]


def test_off_turns_it_off(cache: Path, write_layer: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCLUSIONE_CACHE_DIR", "off")
    root = write_layer("zona_cache", LAYER)
    _engine(root).territory("zona_cache")
    assert not cache.exists()


def test_a_cached_territory_assesses_as_a_compiled_one(cache: Path) -> None:
    import json

    data = json.loads((Path(__file__).resolve().parents[1] / "territories/prato/examples/dipendenze_e_lavoro.json")
                      .read_text(encoding="utf-8"))
    results = []
    for _ in range(2):
        engine = Engine()
        results.append(engine.to_json(engine.assess(engine.load_case(data), as_of=dt.date(2025, 4, 15))))
    assert results[0] == results[1]
    assert list(cache.rglob("prato.pickle"))
