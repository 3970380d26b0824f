"""
Prato's instruments as JSON Schemas: locate them through the configuration and validate.

The ``instruments`` section of ``territories/prato/territory.yaml`` names each schema by
a path relative to the layer that defined it; jsonschema is imported only when a
document is validated.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inclusione_core import ErrorDetail, InputError, Territory

from ._territory import TERRITORY, prato_dir

if TYPE_CHECKING:
    from jsonschema.protocols import Validator


def instrument_path(territory: Territory, name: str, key: str = "schema") -> Path:
    """
    The file of an instrument's ``schema`` (or ``example``) for a territory within Prato.

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
    base = territory.root if layer == territory.id else prato_dir() if layer == TERRITORY else None
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

    :param what: how to name the document in the error, e.g. ``scheda di invio per PO-1``.
    :raises InputError: listing every error by JSON path.
    """
    details = instrument_errors(territory, name, document)
    if details:
        raise InputError(what, details)
