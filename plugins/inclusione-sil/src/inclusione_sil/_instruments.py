"""
The SIL's instruments as JSON Schemas, located and validated by the core, and two of them
turned into the core's vocabulary:

* :func:`levels_from_griglia`: the *griglia per colloquio* (phase 4) gives the levels of
  the occupability items, ready for ``assessment.levels``;
* :func:`consent_from_scheda_privacy`: the *scheda privacy* (phase 5) gives a
  :class:`~inclusione_core.Consent` for the case.

:func:`instrument_path`, :func:`instrument_errors` and :func:`check_instrument` are part
of the plugin's API and only delegate to :meth:`~inclusione_core.Territory.instrument_path`,
:meth:`~inclusione_core.Territory.instrument_errors` and
:meth:`~inclusione_core.Territory.validate_instrument` (jsonschema is imported only when
a document is validated).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from inclusione_core import Consent, DataCategory, DimensionLevel, ErrorDetail, Purpose, Territory

ITEM_PREFIX = "sil_"
"""An item of the griglia (``impegno``) is the assessment dimension ``sil_impegno``."""


def instrument_path(territory: Territory, name: str, key: str = "schema") -> Path:
    """The file of an instrument's ``schema`` (or ``example``): :meth:`Territory.instrument_path`."""
    return territory.instrument_path(name, key)


def instrument_errors(territory: Territory, name: str, document: Any) -> list[ErrorDetail]:
    """Every error of ``document`` against the instrument's schema: :meth:`Territory.instrument_errors`."""
    return territory.instrument_errors(name, document)


def check_instrument(territory: Territory, name: str, document: Any, what: str) -> None:
    """
    Validate a document against the instrument's schema: :meth:`Territory.validate_instrument`.

    :param what: how to name the document in the error, e.g. ``griglia per colloquio SIL-1``.
    :raises InputError: listing every error by JSON path.
    """
    territory.validate_instrument(name, document, what)


def levels_from_griglia(griglia: Mapping[str, Any], territory: Territory) -> tuple[DimensionLevel, ...]:
    """
    The occupability items of a *griglia per colloquio*, as assessment levels.

    Each item ``<dimensione>.<voce>`` with a ``livello`` becomes
    ``DimensionLevel(dimension="sil_<voce>", level=livello, note=osservazioni)``.

    :raises InputError: the document does not validate against the instrument's schema.
    """
    what = f"griglia per colloquio {griglia.get('case_id', '?')}"
    territory.validate_instrument("griglia_colloquio", griglia, what)
    levels = []
    for group in griglia["voci"].values():
        for item, value in group.items():
            levels.append(DimensionLevel(dimension=f"{ITEM_PREFIX}{item}", level=int(value["livello"]),
                                         note=str(value.get("osservazioni", ""))))
    return tuple(levels)


def consent_from_scheda_privacy(scheda: Mapping[str, Any], territory: Territory) -> Consent | None:
    """
    The consent recorded by a *scheda privacy*, for the case's ``consents``.

    :return: the consent, or ``None`` when the person did not give it.

    :raises InputError: the document does not validate against the instrument's schema.
    """
    territory.validate_instrument("scheda_privacy", scheda, f"scheda privacy {scheda.get('case_id', '?')}")
    consent = scheda["consenso"]

    def day(key: str) -> dt.date | None:
        value = consent.get(key)
        return None if value is None else dt.date.fromisoformat(value)

    given = day("data")
    if not consent["prestato"] or given is None:
        return None
    return Consent(
        id=scheda["id"],
        member=scheda["interessato"]["componente"],
        categories=tuple(DataCategory(c) for c in consent["categorie"]),
        recipients=tuple(consent["destinatari"]),
        purposes=tuple(Purpose(p) for p in consent["finalita"]),
        given_on=given,
        expires_on=day("scadenza"),
        withdrawn_on=day("revoca"),
        evidence=f"scheda privacy {scheda['id']}",
    )
