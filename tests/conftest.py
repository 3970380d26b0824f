"""
Shared test set-up: hypothesis profiles, the tests folder on ``sys.path``, and fixtures.

The fixtures ``inclusione_pm``, ``inclusione_engine``, ``make_case`` and ``run_scenario``
come from the ``inclusione_core.testing`` pytest plugin (installed with the package).

Hypothesis profiles: ``dev`` (default, 50 examples) and ``ci`` (derandomized, so a CI
failure reproduces locally with ``HYPOTHESIS_PROFILE=ci``); pick one with the
``HYPOTHESIS_PROFILE`` environment variable (``CI`` set selects ``ci``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

TESTS = Path(__file__).parent
if str(TESTS) not in sys.path:  # `import strategies` under --import-mode=importlib
    sys.path.insert(0, str(TESTS))

settings.register_profile(
    "dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", max_examples=50, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

@pytest.fixture
def write_layer(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write ``<tmp>/<id>/territory.yaml`` with the given YAML text; returns the config root."""

    def write(territory: str, text: str) -> Path:
        folder = tmp_path / territory
        folder.mkdir(exist_ok=True)
        (folder / "territory.yaml").write_text(text, encoding="utf-8")
        return tmp_path

    return write
