"""
Shared test set-up: hypothesis profiles, the tests folder on ``sys.path``, and fixtures.

The fixtures ``inclusione_pm``, ``inclusione_engine``, ``make_case`` and ``run_scenario``
come from the ``inclusione_core.testing`` pytest plugin (installed with the package).

Hypothesis profiles: ``dev`` (default, 50 examples) and ``ci`` (derandomized, so a CI
failure reproduces locally with ``HYPOTHESIS_PROFILE=ci``); pick one with the
``HYPOTHESIS_PROFILE`` environment variable (``CI`` set selects ``ci``). The ``privacy``
profile (the active one with 10,000 examples under ``ci``, 300 otherwise) is for the
privacy property tests: ``@settings(settings.get_profile("privacy"))``. The ``fuzz`` profile
holds the number of inputs of the whole fuzz suite (100,000 under ``ci``, 400 otherwise;
``INCLUSIONE_FUZZ_INPUTS`` overrides it).
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
# compiled territories are not cached on disk in the tests (tests/test_compiled_cache.py turns it on)
os.environ["INCLUSIONE_CACHE_DIR"] = "off"

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)
# The privacy properties (no leak, withdrawal, pseudonymisation, result views) must run
# 10,000 examples in CI (issue 3); they use this profile, derived from the active one:
# 10,000 examples under ci, a few hundred otherwise.
settings.register_profile(
    "privacy", parent=settings.get_profile(PROFILE), max_examples=10_000 if PROFILE == "ci" else 300
)
# The fuzz suite (issue 11) must try 100,000 inputs in CI: this profile's max_examples is the
# number of inputs of the whole suite, which test_fuzz.py splits between its tests.
# INCLUSIONE_FUZZ_INPUTS=N sets another size (to measure it, or to fuzz longer locally).
FUZZ_INPUTS = int(os.environ.get("INCLUSIONE_FUZZ_INPUTS") or (100_000 if PROFILE == "ci" else 400))
settings.register_profile("fuzz", parent=settings.get_profile(PROFILE), max_examples=FUZZ_INPUTS)


@pytest.fixture
def write_layer(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write ``<tmp>/<id>/territory.yaml`` with the given YAML text; returns the config root."""

    def write(territory: str, text: str) -> Path:
        folder = tmp_path / territory
        folder.mkdir(exist_ok=True)
        (folder / "territory.yaml").write_text(text, encoding="utf-8")
        return tmp_path

    return write
