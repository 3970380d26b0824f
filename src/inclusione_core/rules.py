"""
Building blocks for territory plugins: what the core's own rules are made of.

A territory plugin writes Python only for what configuration cannot say; these pieces
let it do so without re-implementing the core (and without importing private modules):

* :class:`Facts`, :class:`Inputs` and :func:`evaluate`: evaluate a configured condition
  (``when:``) and get the facts and data categories it looked at;
* :func:`reason_from_entry` and :func:`core_reason`: build a :class:`~inclusione_core.Reason`
  that cites the entry's source, the file that defined it and the data categories used;
* :func:`assess_profile`: the core profile with a territory's own occupability rule and
  extra flags (see the SIL plugin); :func:`configured_occupability` is the core's rule
  (the configured ``profile.occupability`` bands), for a rule that falls back to it;
* :func:`dated_deadline`: a :class:`~inclusione_core.Deadline` standing on the as-of date
  by the core's rule (met, met late, overdue, due, upcoming, with the days), from the date
  of the event that met it;
* :func:`dated_value` and :func:`citation`: read dated values, and sources through the
  territory's documents registry (``documents:``), so that a plugin's own citations name
  a document as an operator recognises it, never a file;
* :func:`source_errors`: the citations of a plugin's own tables checked against the
  registry, by JSON path; :func:`check_quotes` and :func:`find_texts`: every quote checked
  against the texts of the registry's documents, wherever they are found;
* :func:`find_territory_dir`: where a plugin's reference configuration is, installed or
  in a source checkout; :func:`territory_registration`: the registration hook of a plugin
  that ships one territory, so that no plugin writes it again;
* :func:`schema_details`: jsonschema errors of a plugin's own tables as the core reports
  its own (``message @ $.path``, Italian, never quoting the offending value whole). Read
  the tables themselves with :func:`inclusione_core.read_yaml`, the one reader.

Instruments (JSON Schemas named in ``instruments:``) are validated with
:meth:`~inclusione_core.Territory.validate_instrument`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ._config import citation, dated_value
from ._documents import check_quotes, find_texts, normalise_text
from ._documents import tree_errors as source_errors
from ._pipeline.stage1_profile import ExtraFlags, OccupabilityRule
from ._pipeline.stage1_profile import assess as assess_profile
from ._pipeline.stage1_profile import occupability as _occupability
from ._pipeline.stage6_deadlines import dated_deadline
from ._predicates import Facts, Inputs, evaluate
from ._reasons import core_reason
from ._reasons import from_entry as reason_from_entry
from ._schema import details_from as schema_details
from .hookspecs import RegisterTerritory, hookimpl
from .i18n import Message

if TYPE_CHECKING:
    from ._config import Territory
    from ._models import Case, Grade, Reason

__all__ = [
    "ExtraFlags",
    "Facts",
    "Inputs",
    "OccupabilityRule",
    "assess_profile",
    "check_quotes",
    "citation",
    "configured_occupability",
    "core_reason",
    "dated_deadline",
    "dated_value",
    "evaluate",
    "find_territory_dir",
    "find_texts",
    "normalise_text",
    "reason_from_entry",
    "schema_details",
    "source_errors",
    "territory_registration",
]


def configured_occupability(case: Case, territory: Territory) -> tuple[Grade | None, list[Reason]]:
    """
    The core's occupability rule: the grade from the need level of the dimension named in
    ``profile.occupability``, in the configured bands, with its reason.

    An :data:`OccupabilityRule` of a plugin can fall back to it.

    :return: ``(None, [])`` when the territory configures no bands or the case is not assessed.
    """
    grade, reason = _occupability(case, territory)
    return grade, [] if reason is None else [reason]


def find_territory_dir(package_dir: Path | str, territory: str, packaged: str = "territory") -> Path:
    """
    The directory holding a plugin's ``territory.yaml``.

    An installed wheel carries it inside the package (``<package_dir>/<packaged>``, put
    there by the build's force-include); a source checkout has it in the repository's
    ``territories/<territory>``, found by walking up from the package.

    :raises FileNotFoundError: neither exists.
    """
    base = Path(package_dir).resolve()
    inside = base / packaged
    if (inside / "territory.yaml").is_file():
        return inside
    for parent in base.parents:
        candidate = parent / "territories" / territory
        if (candidate / "territory.yaml").is_file():
            return candidate
    raise FileNotFoundError(Message("configuration of territory {territory!r} not found near {base}",
                                    territory=territory, base=base))


def territory_registration(territory: str, directory: Callable[[], Path],
                           extends: str = "") -> Callable[[RegisterTerritory], None]:
    """
    The ``inclusione_register_territories`` implementation of a plugin that ships one
    territory: bind it in the plugin's module under that name, for pluggy to find::

        def prato_dir() -> Path:
            return find_territory_dir(Path(__file__).parent, "prato")

        inclusione_register_territories = territory_registration("prato", prato_dir, "toscana")

    :param directory: called when the engine asks, so that a missing configuration is
        reported then, not at import.
    :param extends: the parent layer, for the docstring only (the layer says it in its
        ``extends:``).
    """

    @hookimpl
    def inclusione_register_territories(register: RegisterTerritory) -> None:
        register(territory, directory())

    parent = f" (extends ``{extends}``)" if extends else ""
    inclusione_register_territories.__doc__ = f"Register the layer ``{territory}``{parent}."
    return inclusione_register_territories
