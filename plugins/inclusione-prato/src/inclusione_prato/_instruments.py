"""
Prato's instruments as JSON Schemas, located and validated by the core.

The ``instruments`` section of ``territories/prato/territory.yaml`` names each schema by
a path relative to the layer that defined it. These two functions are part of the
plugin's API and only delegate to :meth:`~inclusione_core.Territory.instrument_path` and
:meth:`~inclusione_core.Territory.instrument_errors`; the plugin's builders validate
their documents with :meth:`~inclusione_core.Territory.validate_instrument`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from inclusione_core import ErrorDetail, Territory


def instrument_path(territory: Territory, name: str, key: str = "schema") -> Path:
    """The file of an instrument's ``schema`` (or ``example``): :meth:`Territory.instrument_path`."""
    return territory.instrument_path(name, key)


def instrument_errors(territory: Territory, name: str, document: Any) -> list[ErrorDetail]:
    """Every error of ``document`` against the instrument's schema: :meth:`Territory.instrument_errors`."""
    return territory.instrument_errors(name, document)
