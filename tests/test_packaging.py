"""The distributions build as an sdist and as a wheel built from it, the territory data inside both."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ("toscana", "prato", "sil", "piemonte", "emilia-romagna", "bologna")


def test_the_plugins_share_one_build_hook() -> None:
    """Each plugin's hatch_build.py is the same file (a fix in one is a fix in all)."""
    hooks = {t: (ROOT / "plugins" / f"inclusione-{t}" / "hatch_build.py").read_text(encoding="utf-8")
             for t in PLUGINS}
    assert len(set(hooks.values())) == 1


def test_sdist_and_wheel_of_a_plugin_carry_its_territory(tmp_path: Path) -> None:
    """
    ``python -m build`` (an sdist, then a wheel from the unpacked sdist) succeeds for a plugin
    whose configuration lives outside it, in territories/: both artefacts carry the territory.
    """
    pytest.importorskip("build", reason="the `build` package (requirements-dev.txt) is not installed")
    pytest.importorskip("hatchling", reason="hatchling (requirements-dev.txt) is not installed")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=ROOT / "plugins" / "inclusione-toscana", capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (sdist,) = tmp_path.glob("*.tar.gz")
    (wheel,) = tmp_path.glob("*.whl")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"territory/territory.yaml", "hatch_build.py", "pyproject.toml"} <= names
    with zipfile.ZipFile(wheel) as archive:
        packaged = set(archive.namelist())
    assert "inclusione_toscana/territory/territory.yaml" in packaged
    assert "inclusione_toscana/__init__.py" in packaged
    expected = (ROOT / "territories" / "toscana" / "territory.yaml").read_bytes()
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("inclusione_toscana/territory/territory.yaml") == expected
