"""Building :class:`~inclusione_core.Reason` objects from configuration entries."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable, Mapping
from typing import Any

from ._config import FILES_KEY, Territory
from ._models import Citation, Reason
from .i18n import Message

CORE_SOURCE = Citation.default(Message("the library's generic rule, applied to the territory's configuration"))


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
    message: Mapping[str, str] | Message | None = None,
    inputs: Mapping[str, Any] | None = None,
    source_key: str = "source",
    categories: Iterable[str] = (),
) -> Reason:
    """
    A reason for a rule defined by a configuration entry.

    :param message: a :class:`~inclusione_core.i18n.Message` of a catalogue (a reason
        written in code), or ``{it, en}``; defaults to the entry's ``message`` (configuration;
        placeholders like ``{deadline}`` are filled from ``inputs``).
    """
    cats = _categories(inputs, categories)
    inputs = dict(inputs or {})
    msg = message or entry["message"]
    it, en = (str.__str__(msg), msg.text("en")) if isinstance(msg, Message) else (msg["it"], msg["en"])
    layer, source, defined_in, valid_from, valid_to = _static(territory, entry, source_key)
    return Reason(
        rule=rule,
        territory=layer,
        message_it=_fmt(it, inputs),
        message_en=_fmt(en, inputs),
        source=source,
        inputs=inputs,
        defined_in=defined_in,
        categories=cats,
        valid_from=valid_from,
        valid_to=valid_to,
    )


_Static = tuple[str, Citation, str, "dt.date | None", "dt.date | None"]


def _static(territory: Territory, entry: Mapping[str, Any], source_key: str) -> _Static:
    """
    What a reason takes from its configuration entry, the same for every case: the layer,
    the citation, the file, the period. Made once per entry of a territory (found again by
    identity: the territory's table holds the entry, so its id is never another's meanwhile).
    """
    key = (id(entry), source_key)
    found = territory._statics.get(key)
    if found is not None and found[0] is entry:
        return found[1]  # type: ignore[no-any-return]
    static: _Static = (layer_of(territory, entry), territory.citation(entry[source_key]), territory.file_of(entry),
                       _day(entry.get("valid_from")), _day(entry.get("valid_to")))
    territory._statics[key] = (entry, static)
    return static


def _day(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def core_reason(territory: Territory, rule: str, it: str, en: str | None = None,
                inputs: Mapping[str, Any] | None = None, source: Citation = CORE_SOURCE,
                categories: Iterable[str] = ()) -> Reason:
    """
    A reason for a generic core rule (not a territory rule).

    :param it: a :class:`~inclusione_core.i18n.Message` (its Italian and English texts come
        from its catalogue), or the Italian text with ``en`` the English one.
    """
    if en is None:
        message = it
        if not isinstance(message, Message):
            raise TypeError("core_reason: give a Message, or both the Italian and the English text")
        it, en = message.text("it"), message.text("en")
    return Reason(rule=rule, territory=territory.id, message_it=str(it), message_en=en, source=source,
                  inputs=dict(inputs or {}), categories=_categories(inputs, categories))
