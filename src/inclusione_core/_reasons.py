"""Building :class:`~inclusione_core.Reason` objects from configuration entries."""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import Any

from ._config import FILES_KEY, Territory
from ._models import Citation, Reason

CORE_SOURCE = Citation.default("regola generica della libreria, applicata alla configurazione del territorio")


class _Keep(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fmt(text: str, inputs: Mapping[str, Any]) -> str:
    if "{" not in text:
        return text
    values = _Keep({k.replace(".", "_"): v for k, v in inputs.items()})
    return string.Formatter().vformat(text, (), values)


def layer_of(territory: Territory, entry: Mapping[str, Any]) -> str:
    """The territory whose layer (last) defined an entry."""
    files = entry.get(FILES_KEY) or [f"{territory.id}/"]
    return str(files[-1]).split("/", 1)[0]


def _categories(inputs: Mapping[str, Any] | None, extra: Iterable[str]) -> tuple[str, ...]:
    found = set(extra) | set(getattr(inputs, "categories", ()))
    return tuple(sorted(found)) or ("process",)


def from_entry(
    territory: Territory,
    entry: Mapping[str, Any],
    rule: str,
    message: Mapping[str, str] | None = None,
    inputs: Mapping[str, Any] | None = None,
    source_key: str = "source",
    categories: Iterable[str] = (),
) -> Reason:
    """
    A reason for a rule defined by a configuration entry.

    :param message: ``{it, en}``; defaults to the entry's ``message`` (placeholders like
        ``{deadline}`` are filled from ``inputs``).
    """
    cats = _categories(inputs, categories)
    inputs = dict(inputs or {})
    msg = message or entry["message"]
    return Reason(
        rule=rule,
        territory=layer_of(territory, entry),
        message_it=_fmt(msg["it"], inputs),
        message_en=_fmt(msg["en"], inputs),
        source=territory.citation(entry[source_key]),
        inputs=inputs,
        defined_in=territory.file_of(entry),
        categories=cats,
    )


def core_reason(territory: Territory, rule: str, it: str, en: str, inputs: Mapping[str, Any] | None = None,
                source: Citation = CORE_SOURCE, categories: Iterable[str] = ()) -> Reason:
    """A reason for a generic core rule (not a territory rule)."""
    return Reason(rule=rule, territory=territory.id, message_it=it, message_en=en, source=source,
                  inputs=dict(inputs or {}), categories=_categories(inputs, categories))
