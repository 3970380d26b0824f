"""Where the ``sil`` configuration is, and its registration with the core: the layer and the section ``sil``."""

from __future__ import annotations

from pathlib import Path

from inclusione_core import Territory, hookimpl
from inclusione_core.hookspecs import RegisterSection
from inclusione_core.rules import find_territory_dir, territory_registration

TERRITORY = "sil"
SECTION = "sil"
"""The plugin's configuration section: the SIL's tables, under ``sil:`` in ``territory.yaml``."""
SCHEMA = Path(__file__).parent / "schemas" / "sil.schema.json"
"""The JSON Schema of the section (shipped in the package)."""
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


def _check(territory: Territory) -> None:
    """What the schema cannot say (order, references to the territory), when a territory loads."""
    from ._tables import tables_for  # noqa: PLC0415 - _tables imports this module

    tables_for(territory)


@hookimpl
def inclusione_register_sections(register: RegisterSection) -> None:
    """Declare the section ``sil`` (the SIL's tables), its schema and its own check."""
    register(SECTION, SCHEMA, check=_check)
