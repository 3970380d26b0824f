"""
Città metropolitana di Bologna for inclusione_core: the protocol "Insieme per il lavoro".

The rules are data: ``territories/bologna/territory.yaml`` (the programme's office and its
access channels, complementarity with the services' paths turned into coordination, the
districts and their roles, the enterprises), each citing the document of the Conferenza
Territoriale Sociale e Sanitaria metropolitana of 30 January 2019 (the layer's
``documents:``). It extends ``emilia_romagna`` (plugin ``inclusione-emilia-romagna``). This
module only tells the core where the configuration is.
"""

from __future__ import annotations

from pathlib import Path

from inclusione_core.rules import find_territory_dir, territory_registration

__all__ = ["TERRITORY", "bologna_dir", "inclusione_register_territories"]

TERRITORY = "bologna"


def bologna_dir() -> Path:
    """The ``bologna`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    return find_territory_dir(Path(__file__).parent, TERRITORY)


inclusione_register_territories = territory_registration(TERRITORY, bologna_dir, extends="emilia_romagna")
