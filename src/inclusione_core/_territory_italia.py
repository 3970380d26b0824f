"""The national base layer ``italia`` (national measures, dimensions, preliminary-analysis exits)."""

from __future__ import annotations

from pathlib import Path

from .hookspecs import RegisterTerritory, hookimpl


def italia_dir() -> Path:
    """The ``italia`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    packaged = Path(__file__).parent / "territories" / "italia"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "territories" / "italia"


@hookimpl(trylast=True)
def inclusione_register_territories(register: RegisterTerritory) -> None:
    """Register the national layer that regional configurations extend."""
    register("italia", italia_dir())
