"""
The compact form of a view's JSON: what each case says, without the static texts it repeats.

A result explains every decision with a reason, and every reason cites its source in full:
the document's issuer, number, date and title, the descriptive article it is read through,
and the citation rendered for an operator in Italian and in English. Those parts are the
same for every case a rule decides (they come from the territory's document registry and
privacy configuration, which the result's ``provenance.config_digest`` identifies); in a
batch they are most of each line. The compact form (the default of ``inclusione --json``)
keeps, for each reason, the rule, its layer, its messages, the facts it used and the
citation's own parts (document id, section, quote, note), and leaves out:

* in a citation: what the registry says of the document cited (``issuer``, ``number``,
  ``date``, ``title``, ``binding``), the article it is read through reduced to its id and
  kind (``via``) and the texts rendered from all of those (``text_it``, ``text_en``); it
  keeps its ``kind`` (``default`` for a project default, which may name a document too),
  the document's id, its ``section``, ``quote`` and ``note`` (and, for a default, whose
  note may be the library's own words, ``text_en``);
* in a reason, a field left at its default (no inputs, ``defined_in`` empty, the
  ``process`` category, no period);
* in a disclosure, the flow's ``legal_basis`` (the flow is named; its legal basis is the
  territory's privacy configuration).

It is a function of the full form alone, so two views that are the same in full are the
same compact: nothing about withheld data can show in one and not in the other. The full
form (``--explain full``, :meth:`View.to_json`) carries everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ._models import DEFAULT

__all__ = ["compact_view"]

_REGISTRY: Final = frozenset({"issuer", "number", "date", "title", "binding", "text_it", "text_en"})
_REASON_DEFAULTS: Final[Mapping[str, Any]] = {
    "inputs": {}, "defined_in": "", "categories": ["process"], "valid_from": None, "valid_to": None,
}


def _citation(source: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in source.items() if k not in _REGISTRY and v not in ("", None)}
    if source.get("kind") == DEFAULT and source.get("text_en"):
        out["text_en"] = source["text_en"]  # a default's note may be the library's: its English is only here
    via = source.get("via")
    if type(via) is dict:
        out["via"] = {"id": via.get("id"), "kind": via.get("kind")}
    return out


def _reason(reason: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in reason.items():
        if key == "source" and type(value) is dict:
            out[key] = _citation(value)
        elif key not in _REASON_DEFAULTS or value != _REASON_DEFAULTS[key]:
            out[key] = value
    return out


def _walk(value: Any) -> Any:
    kind = type(value)  # a view's data is plain JSON: dicts, lists and scalars
    if kind is dict:
        if "rule" in value and "message_it" in value and "source" in value:
            return _reason(value)
        return {k: _walk(v) if type(v) in _NESTED else v for k, v in value.items()}
    if kind is list:
        return [_walk(v) if type(v) in _NESTED else v for v in value]
    return value


_NESTED: Final = (dict, list)


def compact_view(full: Mapping[str, Any]) -> dict[str, Any]:
    """The compact form of a view's JSON (:meth:`View.to_json`); ``full`` is not changed."""
    out = dict(full)
    if "result" in out:
        out["result"] = _walk(out["result"])
    if "disclosed" in out:
        out["disclosed"] = [{k: v for k, v in d.items() if k != "legal_basis"} for d in out["disclosed"]]
    return out
