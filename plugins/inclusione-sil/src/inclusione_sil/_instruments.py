"""
The SIL's instruments as JSON Schemas: locate them through the configuration, validate,
and turn two of them into the core's vocabulary.

* :func:`levels_from_griglia`: the *griglia per colloquio* (phase 4) gives the levels of
  the occupability items, ready for ``assessment.levels``;
* :func:`consent_from_scheda_privacy`: the *scheda privacy* (phase 5) gives a
  :class:`~inclusione_core.Consent` for the case.

jsonschema is imported only when a document is validated.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inclusione_core import Consent, DataCategory, DimensionLevel, ErrorDetail, InputError, Purpose, Territory

from ._territory import TERRITORY, sil_dir

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

ITEM_PREFIX = "sil_"
"""An item of the griglia (``impegno``) is the assessment dimension ``sil_impegno``."""


def instrument_path(territory: Territory, name: str, key: str = "schema") -> Path:
    """
    The file of an instrument's ``schema`` (or ``example``) for a territory within ``sil``.

    :raises InputError: the territory configures no such instrument.
    """
    entry = territory.section("instruments").get(name)
    if entry is None or key not in entry:
        raise InputError(
            f"territorio {territory.id}",
            [ErrorDetail(f"$.instruments.{name}.{key}", "strumento non configurato per il territorio", name,
                         "instruments")],
        )
    layer = territory.file_of(entry).split(" + ")[-1].split("/", 1)[0]
    base = territory.root if layer == territory.id else sil_dir() if layer == TERRITORY else None
    if base is None:  # defined by a layer this plugin does not know the folder of
        raise InputError(
            f"territorio {territory.id}",
            [ErrorDetail(f"$.instruments.{name}", "cartella del livello che definisce lo strumento sconosciuta",
                         layer, "instruments")],
        )
    return base / str(entry[key])


@functools.cache
def _validator(path: Path) -> Validator:
    from jsonschema import Draft202012Validator  # noqa: PLC0415 - heavy import, on demand

    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def instrument_errors(territory: Territory, name: str, document: Any) -> list[ErrorDetail]:
    """Every error of ``document`` against the instrument's schema, by JSON path (empty when valid)."""
    validator = _validator(instrument_path(territory, name))
    errors = sorted(validator.iter_errors(document), key=lambda e: e.json_path)
    return [ErrorDetail(e.json_path, e.message, e.instance, str(e.validator)) for e in errors]


def check_instrument(territory: Territory, name: str, document: Any, what: str) -> None:
    """
    Validate a document against the instrument's schema.

    :param what: how to name the document in the error, e.g. ``griglia per colloquio SIL-1``.
    :raises InputError: listing every error by JSON path.
    """
    details = instrument_errors(territory, name, document)
    if details:
        raise InputError(what, details)


def levels_from_griglia(griglia: Mapping[str, Any], territory: Territory) -> tuple[DimensionLevel, ...]:
    """
    The occupability items of a *griglia per colloquio*, as assessment levels.

    Each item ``<dimensione>.<voce>`` with a ``livello`` becomes
    ``DimensionLevel(dimension="sil_<voce>", level=livello, note=osservazioni)``.

    :raises InputError: the document does not validate against the instrument's schema.
    """
    check_instrument(territory, "griglia_colloquio", griglia, f"griglia per colloquio {griglia.get('case_id', '?')}")
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
    check_instrument(territory, "scheda_privacy", scheda, f"scheda privacy {scheda.get('case_id', '?')}")
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
