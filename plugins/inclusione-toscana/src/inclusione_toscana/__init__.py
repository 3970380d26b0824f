"""
Regione Toscana (DGRT 544/2023) for inclusione_core.

The rules are data: ``territories/toscana/territory.yaml`` (equipe essenziale and
allargata, SIIL, One Stop Shop, inserimento socio-terapeutico, tirocini formativi, borse
lavoro), each citing seed ``002_488e39f7d0a95a15.txt``. This module only tells the core
where that configuration is.
"""

from __future__ import annotations

from pathlib import Path

from inclusione_core import hookimpl
from inclusione_core.hookspecs import RegisterTerritory
from inclusione_core.rules import find_territory_dir

__all__ = ["TERRITORY", "inclusione_register_territories", "toscana_dir"]

TERRITORY = "toscana"


def toscana_dir() -> Path:
    """The ``toscana`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    return find_territory_dir(Path(__file__).parent, TERRITORY)


@hookimpl
def inclusione_register_territories(register: RegisterTerritory) -> None:
    """Register the regional layer ``toscana`` (extends ``italia``)."""
    register(TERRITORY, toscana_dir())


def __getattr__(name: str) -> str:
    if name == "__version__":
        from importlib import metadata  # noqa: PLC0415 - only when asked

        try:
            return metadata.version("inclusione-toscana")
        except metadata.PackageNotFoundError:  # running from a source tree
            return "0+unknown"
    raise AttributeError(f"module 'inclusione_toscana' has no attribute {name!r}")
