"""
Hatch build hook: the territory's reference configuration goes inside the wheel.

The configuration lives in the repository's ``territories/`` folder, outside this
distribution ("data stays data"); the sdist carries a copy in ``territory/`` (its
``force-include``). A wheel takes the first of ``sources`` (relative to the distribution)
that holds a ``territory.yaml``: the copy when it is built from the sdist (``python -m
build``), the repository's folder when it is built from a checkout (``python -m build
--wheel``, ``pip install``). An editable install reads the repository's folder in place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class TerritoryData(BuildHookInterface):  # type: ignore[type-arg]
    """``[tool.hatch.build.targets.wheel.hooks.custom]``: ``sources`` (tried in order) -> ``target``."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Force-include the first source folder that holds a territory.yaml (none for an editable install)."""
        if version == "editable":
            return
        sources = [Path(self.root, s) for s in self.config["sources"]]
        for source in sources:
            if (source / "territory.yaml").is_file():
                build_data["force_include"][str(source.resolve())] = self.config["target"]
                return
        tried = ", ".join(str(s) for s in sources)
        raise FileNotFoundError(f"territory configuration not found (territory.yaml in one of: {tried})")
