"""Where the ``sil`` configuration is, and its registration with the core."""

from __future__ import annotations

from pathlib import Path

from inclusione_core.rules import find_territory_dir, territory_registration

TERRITORY = "sil"
DOCUMENT = "linee_guida_sil_2007"
"""
The registry id (``documents:`` of the ``sil`` layer) of the guidelines every SIL rule
rests on: "Progetto di inserimento lavorativo - Linee guida", 4 May 2007 (local
operational guidelines, not binding).
"""


def sil_dir() -> Path:
    """The ``sil`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    return find_territory_dir(Path(__file__).parent, TERRITORY)


inclusione_register_territories = territory_registration(TERRITORY, sil_dir, extends="italia")
