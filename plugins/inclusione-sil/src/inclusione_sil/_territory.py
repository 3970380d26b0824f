"""Where the ``sil`` configuration is, and its registration with the core."""

from __future__ import annotations

from pathlib import Path

from inclusione_core.rules import find_territory_dir, territory_registration

TERRITORY = "sil"
SEED = "004_86c0102de81fba5d.txt"
"""The source document of every SIL rule (SIL distretto, guidelines of 4 May 2007)."""


def sil_dir() -> Path:
    """The ``sil`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    return find_territory_dir(Path(__file__).parent, TERRITORY)


inclusione_register_territories = territory_registration(TERRITORY, sil_dir, extends="italia")
