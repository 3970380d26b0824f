"""The national base layer ``italia`` (national measures, dimensions, preliminary-analysis exits)."""

from __future__ import annotations

from pathlib import Path

from .hookspecs import RegisterTerritory, hookimpl
from .rules import find_territory_dir


def italia_dir() -> Path:
    """The ``italia`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    return find_territory_dir(Path(__file__).parent, "italia", packaged="territories/italia")


@hookimpl(trylast=True)
def inclusione_register_territories(register: RegisterTerritory) -> None:
    """Register the national layer that regional configurations extend."""
    register("italia", italia_dir())
