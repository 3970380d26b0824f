"""
Territory configurations: load YAML layers, validate them, merge ``extends:`` chains, compile.

A territory is a chain of layers (``italia`` <- ``toscana`` <- ``prato``). Each layer is a
``territory.yaml`` validated against ``territory.schema.json`` on its own (errors name the
file); the chain is then merged by the rules in ``docs/configuration.md``; cross
references are checked on the result. The compiled :class:`Territory` is immutable,
carries a digest of the effective configuration and, for every entry, the files that
defined it, and is reused across any number of cases.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ._documents import registry, resolve, source_errors
from ._errors import ConfigurationError, ErrorDetail, InclusioneError, RuleCollisionError, closest
from ._models import HOUSEHOLD_PARTY, Citation, ConfigLayer, SourceDocument
from ._reader import DEFAULT_LIMITS, Limits, YamlDocument, inside, read_yaml
from .i18n import Message

__all__ = ["Territory", "TerritoryIndex", "load_yaml"]

CONFIG_FILE = "territory.yaml"
DIR_OWNER = "dir:"  # the owner of a territory read from a configuration folder: "dir:<folder>"
FILES_KEY = "_files"

# Sections whose entries are keyed by id; an id defined twice needs ``override: true``.
KEYED: tuple[tuple[str, ...], ...] = (
    ("documents",),
    ("dimensions",),
    ("needs",),
    ("services",),
    ("roles",),
    ("interventions",),
    ("measures",),
    ("scores",),
    ("deadlines",),
    ("instruments",),
    ("equipe", "formats"),
    ("profile", "flags"),
    ("privacy", "recipients"),
    ("privacy", "flows"),
    ("vocabulary", "pathways"),
    ("vocabulary", "channels"),
    ("vocabulary", "categories"),
    ("vocabulary", "flags"),
    ("governance", "partner_kinds"),
    ("governance", "bodies"),
    ("indicators", "objectives"),
    ("programmes",),
    ("coordination",),
    ("enterprises", "registries"),
    ("enterprises", "channels"),
    ("enterprises", "sectors"),
    ("enterprises", "entries"),
)
# Single settings objects; defining one again needs ``override: true``.
SINGLE: tuple[tuple[str, ...], ...] = (
    ("profile", "occupability"),
    ("profile", "complexity"),
    ("profile", "activability"),
    ("monitoring",),
    ("calendar",),
    ("indicators", "min_cell"),
)
# Ordered rule lists (first match wins): the child's rules come before the parent's.
ORDERED: tuple[tuple[str, ...], ...] = (
    ("profile", "pathways"),
    ("routing", "rules"),
    ("equipe", "selection"),
)
# The period of an entry, or of a layer (docs/configuration.md, "Periods in force").
PERIOD_KEYS = ("valid_from", "valid_to", "valid_from_source", "valid_to_source")
LAYER_OWN = ("id", "label", "level", "extends", "version", "description", "$schema", *PERIOD_KEYS, "unconfirmed")
# Keyed sections whose entries are rules dated by the layer's period when they carry none of their own.
LAYER_DATED: tuple[tuple[str, ...], ...] = (
    ("interventions",),
    ("deadlines",),
    ("equipe", "formats"),
    ("profile", "flags"),
    ("privacy", "flows"),
    ("governance", "bodies"),
    ("coordination",),
)
# Keyed sections dated by the layer's period too, but whose versions all stay in a territory's view
# as of a date: a scored instrument is scored with the version in force on the day it was
# administered, which may be before the as-of date (docs/configuration.md, `scores`).
LAYER_DATED_KEPT: tuple[tuple[str, ...], ...] = (("scores",),)
# Keyed sections whose entries leave a territory's view as of a date when out of their period: the
# rules above, and the services (which carry a period only of their own: a body, not a rule).
DATED: tuple[tuple[str, ...], ...] = (*LAYER_DATED, ("services",))
# The earlier versions of an entry that a later layer replaced from a date (oldest first).
VERSIONS_KEY = "_versions"
PER_LAYER_FILES = ("examples", "scenarios")
# Values an override replaces whole (with every key ending in ``_source``): see _atomic.
ATOMIC = frozenset({"source", "legal_basis", "when", "suitable_when", "eligible_when", "patron_saint", "priority_when"})
# The explicit forms of a list of identified entries: ``{append: [...], remove: [ids]}`` or
# ``{replace: true, items: [...]}`` (docs/configuration.md, "Extending a parent").
LIST_OPS = frozenset({"append", "remove", "replace", "items"})


def load_yaml(
    path: Path, error: type[ConfigurationError] = ConfigurationError, limits: Limits | None = None,
) -> Any:
    """
    Parse a YAML configuration file with the one safe reader (:func:`~._reader.read_yaml`):
    dates stay strings, a repeated key is refused with its line, aliases and nesting are
    bounded; a syntax error becomes ``error`` with line and column.
    """
    return read_yaml(path, limits=limits, error=error).data


def _outside(root: Path, at: str, value: Any) -> ErrorDetail:
    return ErrorDetail(at, Message("path outside the folder {root}: the files named here must be inside its folder",
                                   root=root), value, "path")


def dig(data: Mapping[str, Any], path: Sequence[str]) -> Any:
    """The value at ``path`` in nested mappings, or None where a step is missing."""
    cur: Any = data
    for step in path:
        if not isinstance(cur, Mapping) or step not in cur:
            return None
        cur = cur[step]
    return cur


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    cur = data
    for step in path[:-1]:
        cur = cur.setdefault(step, {})
    cur[path[-1]] = value


def _atomic(key: str) -> bool:
    """
    Values replaced whole by an override: citations (merging them would pair one document with
    another's quote) and predicates (merging ``{need: a}`` onto ``{all: [...]}`` would make a
    two-key condition that means neither).
    """
    return key in ATOMIC or key.endswith("_source")


def _jp(path: Iterable[str | int]) -> str:
    out = "$"
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


@attrs.frozen
class _Layer:
    territory: str
    file: Path
    rel: str
    data: dict[str, Any]
    sha256: str
    doc: YamlDocument | None = None  # kept while the chain compiles: errors get their line


def _mark(entry: dict[str, Any], files: list[str]) -> dict[str, Any]:
    out = {k: v for k, v in entry.items() if k != "override"}
    out[FILES_KEY] = files
    return out


def _merge_entry(
    theirs: Mapping[str, Any] | None,
    mine: Mapping[str, Any],
    path: tuple[str | int, ...],
    layer: _Layer,
    collisions: list[ErrorDetail],
) -> dict[str, Any] | None:
    """One entry of a child layer onto the parent's: add, override (merge) or collide."""
    if theirs is None:
        if mine.get("override"):
            collisions.append(_orphan(path, layer))
            return None
        return _mark(_merge_value(None, mine, path, layer, collisions), [layer.rel])
    if not mine.get("override"):
        collisions.append(_collision(path, theirs, layer))
        return None
    merged = _merge_value({k: v for k, v in theirs.items() if k not in (FILES_KEY, VERSIONS_KEY)}, mine, path,
                          layer, collisions)
    return _versioned(theirs, _mark(merged, [*theirs[FILES_KEY], layer.rel]), mine)


def _day(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def period_of(entry: Mapping[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    """An entry's period (``valid_from``, ``valid_to``; None: open on that side)."""
    return _day(entry.get("valid_from")), _day(entry.get("valid_to"))


def in_period(entry: Mapping[str, Any], day: dt.date) -> bool:
    """Whether an entry is in force on a day: its period contains it, both ends included (as for measures)."""
    start, end = period_of(entry)
    return (start is None or start <= day) and (end is None or day <= end)


def _versioned(old: Mapping[str, Any], new: dict[str, Any], mine: Mapping[str, Any]) -> dict[str, Any]:
    """
    The entry a child layer's ``override`` makes of an inherited one: ``new`` (the child's
    entry merged onto the inherited one, or the child's rule that replaces it) as the
    current version, and the inherited one kept as an earlier version when the child's
    version starts later (``valid_from``, its own or its layer's).

    From the child's ``valid_from`` on, the child's version applies; before it the inherited
    one, whose period ends the day before (and is dropped if nothing of it is left). A new
    version never starts before the inherited one (it changes what was not yet in force):
    it starts with it. Without a ``valid_from`` of the child the change applies to the whole
    period of the inherited entry (a ``valid_to`` alone ends it on that day).
    """
    earlier = [dict(v) for v in old.get(VERSIONS_KEY, [])]
    current = {k: v for k, v in old.items() if k != VERSIONS_KEY}
    start = _day(mine.get("valid_from"))
    if start is not None:
        o_start, o_end = period_of(current)
        if o_start is not None and o_start > start:
            start = o_start
        new["valid_from"] = start.isoformat()
        if "valid_from_source" not in mine:
            new.pop("valid_from_source", None)  # the act that started the inherited version did not start this one
        if o_end is not None and o_end < start and "valid_to" not in mine:
            new.pop("valid_to", None)  # the inherited entry had ended: the child's version does not end with it
        before = start - dt.timedelta(days=1) if start > dt.date.min else None  # from the first day: nothing before
        if before is not None and (o_start is None or o_start <= before):
            current["valid_to"] = min(before, o_end).isoformat() if o_end is not None else before.isoformat()
            earlier.append(current)
    if earlier:
        new[VERSIONS_KEY] = earlier
    else:
        new.pop(VERSIONS_KEY, None)
    return new


def _with_layer_period(data: Mapping[str, Any]) -> dict[str, Any]:
    """
    A layer's data with the layer's period (``valid_from``... in its header) given to every
    rule it writes without a period of its own: the entries of the rule sections
    (:data:`LAYER_DATED`) and of the ordered rule lists.
    """
    period = {k: data[k] for k in PERIOD_KEYS if k in data}
    if not period:
        return dict(data)
    out = copy.deepcopy(dict(data))

    def date(entry: Any) -> None:
        if isinstance(entry, dict) and not any(k in entry for k in ("valid_from", "valid_to")):
            entry.update(copy.deepcopy(period))

    for path in (*LAYER_DATED, *LAYER_DATED_KEPT):
        for entry in (dig(out, path) or {}).values():
            date(entry)
    for path in ORDERED:
        rules = dig(out, path)
        if isinstance(rules, dict):
            rules = [*rules.get("append", []), *rules.get("items", [])]
        for rule in rules or []:
            date(rule)
    return out


def _identified(value: Any) -> bool:
    """A non-empty list whose items all carry an ``id``: merged by id (triggers, rules...)."""
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) and "id" in i for i in value)


def _list_ops(value: Any) -> bool:
    """
    ``{append, remove}`` or ``{replace, items}``: the explicit form of an identified list (the
    schema allows it only where a list of identified entries is; the shapes are checked again
    so that a keyed map such as ``parameters`` with a key named ``items`` is never taken for it).
    """
    if not isinstance(value, dict) or not value or not set(value) <= LIST_OPS:
        return False
    ids_ok = all(isinstance(value.get(k, []), list) and all(isinstance(i, dict) and "id" in i for i in value.get(k, []))
                 for k in ("append", "items"))
    remove = value.get("remove", [])
    return ids_ok and isinstance(value.get("replace", True), bool) and isinstance(remove, list) \
        and all(isinstance(x, str) for x in remove)


def _merge_value(
    base: Any, over: Any, path: tuple[str | int, ...], layer: _Layer, errors: list[ErrorDetail],
) -> Any:
    """
    A child's value onto the inherited one (``None``: nothing inherited): mappings merge key by
    key, lists of identified entries merge by id (:func:`_merge_list`), other lists and scalars
    are replaced, citations and predicates are replaced whole.
    """
    if _list_ops(over) or (isinstance(over, list) and (_identified(over) or _identified(base))):
        return _merge_list(base if isinstance(base, list) else [], over, path, layer, errors, ordered=False)
    if isinstance(over, dict):
        out = dict(base) if isinstance(base, dict) else {}
        for k, v in over.items():
            out[k] = copy.deepcopy(v) if _atomic(k) else _merge_value(out.get(k), v, (*path, k), layer, errors)
        return out
    return copy.deepcopy(over)


def _merge_list(
    theirs: list[dict[str, Any]],
    over: list[dict[str, Any]] | dict[str, Any],
    path: tuple[str | int, ...],
    layer: _Layer,
    errors: list[ErrorDetail],
    *,
    ordered: bool,
) -> list[dict[str, Any]]:
    """
    A list of identified entries of a child layer onto the inherited one, by id.

    ``over`` is a plain list, ``{append: [...], remove: [ids]}`` or ``{replace: true, items:
    [...]}``. An inherited id among the child's entries needs ``override: true``: an ordered
    rule is then replaced, any other entry merged onto the inherited one (:func:`_merge_value`).
    ``remove`` drops inherited ids (an unknown one is an error); ``replace`` drops them all. A
    plain list must name every inherited id, except in an ordered rule list (``ordered``:
    first match wins), where a layer's plain list has always meant "these rules first". New
    entries go first in an ordered rule list, last in any other list; an entry merged onto an
    inherited one keeps its place (in a plain list, the child's order). Ids repeated within
    the list are an error at the second occurrence.
    """
    removes: list[str] = []
    if isinstance(over, list):
        form, items, at = "plain", over, path
    elif over.get("replace"):
        form, items, at = "replace", over.get("items", []), (*path, "items")
    else:
        form, items, at, removes = "append", over.get("append", []), (*path, "append"), over.get("remove", [])
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if item["id"] in first:
            errors.append(_duplicate((*at, i), item["id"], (*at, first[item["id"]])))
        else:
            first[item["id"]] = i
    inherited = [] if form == "replace" else theirs
    known = [e["id"] for e in inherited]
    removed: dict[str, int] = {}
    for j, rid in enumerate(removes):
        if rid in removed:
            errors.append(_duplicate((*path, "remove", j), rid, (*path, "remove", removed[rid])))
        elif rid not in known:
            errors.append(_unknown_remove((*path, "remove", j), rid, known))
        else:
            removed[rid] = j
    kept = {e["id"]: e for e in inherited if e["id"] not in removed}
    mine: list[dict[str, Any]] = []  # the child's entries, in its order (new, or merged onto inherited ones)
    merged: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(items):
        if first[item["id"]] != i:
            continue
        here = (*at, i)
        old = kept.get(item["id"])
        if old is None:
            if item.get("override"):
                ident = item["id"]
                errors.append(_replace_override(here, ident) if form == "replace" else _orphan(here, layer, ident))
            else:
                mine.append(_mark(_merge_value(None, item, here, layer, errors), [layer.rel]))
        elif not item.get("override"):
            errors.append(_collision(here, old, layer, item["id"]))
        elif ordered:  # a rule is one decision: the child's replaces the inherited one, among the child's rules
            del kept[item["id"]]
            mine.append(_versioned(old, _mark(_merge_value(None, item, here, layer, errors), [layer.rel]), item))
        else:
            entry = _merge_value({k: v for k, v in old.items() if k not in (FILES_KEY, VERSIONS_KEY)}, item, here,
                                 layer, errors)
            merged[item["id"]] = _versioned(old, _mark(entry, [*old.get(FILES_KEY, []), layer.rel]), item)
            if form == "plain":
                mine.append(merged[item["id"]])
    if ordered:
        return mine + list(kept.values())
    if form == "plain":
        dropped = [k for k in kept if k not in first]
        if dropped:
            errors.append(_drops_inherited(path, dropped, kept))
        return mine
    return [merged.get(k, e) for k, e in kept.items()] + mine  # "append": mine holds the new entries only


def _merge_section(base: Any, value: Any, name: str, layer: _Layer, errors: list[ErrorDetail]) -> Any:
    """
    A plugin's section of a layer over the inherited one (:func:`_merge_value`); a mapping
    keeps the files of the layers that gave it (``_files``, parent first), like an entry.
    """
    merged = copy.deepcopy(value) if base is None else _merge_value(base, value, (name,), layer, errors)
    if isinstance(merged, dict):
        merged[FILES_KEY] = [*(base.get(FILES_KEY, []) if isinstance(base, dict) else []), layer.rel]
    return merged


def _merge(parent: dict[str, Any], layer: _Layer, sections: Collection[str] = ()) -> dict[str, Any]:
    """
    Merge one layer onto the effective configuration of its parent; a plugin's section
    (``sections``) merges the child's values over the parent's like any entry (:func:`_merge_value`),
    and keeps the files that gave it (:func:`_merge_section`).
    """
    child = _with_layer_period(layer.data)
    out: dict[str, Any] = {k: copy.deepcopy(v) for k, v in parent.items() if k not in LAYER_OWN}
    out.update({key: child[key] for key in LAYER_OWN if key in child})
    collisions: list[ErrorDetail] = []
    for path in KEYED:
        theirs = dict(dig(out, path) or {})
        for key, entry in (dig(child, path) or {}).items():
            before = theirs.get(key)
            if path == FLOWS and before is None and entry.get("override") and _special_by_law(entry):
                merged = _new_widening_flow(entry, (*path, key), layer, collisions)  # acknowledged with override
            else:
                merged = _merge_entry(before, entry, (*path, key), layer, collisions)
            if merged is not None:
                if path == FLOWS:
                    collisions += _widening(before, merged, entry, (*path, key), dig(out, ("documents",)) or {})
                theirs[key] = merged
        if theirs:
            _set(out, path, theirs)
    collisions += _reclassified(parent, out, child)
    for path in SINGLE:
        mine = dig(child, path)
        merged = None if mine is None else _merge_entry(dig(out, path), mine, path, layer, collisions)
        if merged is not None:
            _set(out, path, merged)
    for path in ORDERED:
        mine = dig(child, path)
        if mine is not None:
            _set(out, path, _merge_list(list(dig(out, path) or []), mine, path, layer, collisions, ordered=True))
    handled = {p[0] for p in (*KEYED, *SINGLE, *ORDERED)}
    for key, value in child.items():
        if key in sections:
            out[key] = _merge_section(out.get(key), value, key, layer, collisions)
        elif key not in handled and key not in LAYER_OWN and key not in PER_LAYER_FILES:
            out[key] = copy.deepcopy(value)
    # paths named in the layer stay inside its folder (symlinks resolved): never read elsewhere
    folder = layer.file.parent
    out["scenarios"] = []
    for i, p in enumerate(child.get("scenarios", [])):
        target = inside(folder, p)
        if target is None:
            collisions.append(_outside(folder, f"$.scenarios[{i}]", p))
        else:
            out["scenarios"].append(str(target))
    out["examples"] = []
    for i, ex in enumerate(child.get("examples", [])):
        target = inside(folder, ex["case"])
        if target is None:
            collisions.append(_outside(folder, f"$.examples[{i}].case", ex["case"]))
        else:
            out["examples"].append({**ex, "case": str(target)})
    for code, entry in (dig(child, ("instruments",)) or {}).items():
        for key in ("schema", "example"):
            if key in entry and inside(folder, str(entry[key])) is None:
                collisions.append(_outside(folder, f"$.instruments.{code}.{key}", entry[key]))
    if collisions:
        raise ConfigurationError(str(layer.file), layer.doc.located(collisions) if layer.doc else collisions)
    return out


FLOWS = ("privacy", "flows")
SPECIAL_CATEGORIES = frozenset({"health", "addiction", "mental_health", "justice", "records"})
"""Special categories (GDPR art. 9 and 10, and exchanged documents, which may hold them)."""
_FLOW_FIELDS = ("recipient", "purpose", "categories", "basis", "legal_basis", "source")


def _special_by_law(flow: Mapping[str, Any] | None) -> set[str]:
    """The special categories a flow gives by law (none for a consent flow)."""
    if not flow or flow.get("basis") != "law":
        return set()
    return set(flow.get("categories", ())) & SPECIAL_CATEGORIES


def _new_widening_flow(entry: Mapping[str, Any], path: tuple[str | int, ...], layer: _Layer,
                       errors: list[ErrorDetail]) -> dict[str, Any] | None:
    """A new flow giving special categories by law, marked ``override: true``: it must be complete."""
    missing = [f for f in _FLOW_FIELDS if f not in entry]
    if missing:
        errors.append(ErrorDetail(_jp(path), Message("incomplete new flow: missing {fields}",
                                                     fields=", ".join(missing)),
                                  path[-1], "required"))
        return None
    return _mark(dict(entry), [layer.rel])


def _is_act(source: Mapping[str, Any], documents: Mapping[str, Any]) -> bool:
    """Whether a citation names an act (a document of kind ``norma``): what may open special categories."""
    return source.get("kind") != "default" and dig(documents, (str(source.get("document")), "kind")) == "norma"


def _widening(before: Mapping[str, Any] | None, after: Mapping[str, Any], entry: Mapping[str, Any],
              path: tuple[str | int, ...], documents: Mapping[str, Any]) -> list[ErrorDetail]:
    """
    A flow that now gives special categories by law (without the person's consent) where it
    did not: allowed only when the layer says so (``override: true``) and cites the act itself.
    """
    wider = _special_by_law(after) - _special_by_law(before)
    if not wider:
        return []
    act = entry.get("legal_basis") or {}  # cited by this layer, not inherited from the flow it widens
    if entry.get("override") and _is_act(act, documents):
        return []
    return [ErrorDetail(
        _jp(path),
        Message("the flow would give special categories ({categories}) by law, without consent, to {recipient}"
                " for {purpose}: if that is intended, mark the entry `override: true` and cite in `legal_basis` the"
                " act that allows it (a registry document of kind norma)", categories=", ".join(sorted(wider)),
                recipient=after.get("recipient"), purpose=after.get("purpose")),
        path[-1], "privacy.widening")]


def _category(cfg: Mapping[str, Any], by: str, code: str) -> str | None:
    """The effective data category of a code in a (merged) configuration, as Territory.data_category."""
    entry = dig(cfg, (by, code))
    if entry is None:
        return None
    if "data_category" in entry:
        return str(entry["data_category"])
    if by == "needs":
        return _category(cfg, "dimensions", entry["dimension"]) or "records"
    return {"dimensions": "social", "services": "process", "interventions": "work"}[by]


def _reclassified(parent: Mapping[str, Any], merged: Mapping[str, Any], child: Mapping[str, Any]) -> list[ErrorDetail]:
    """
    Codes whose data category the layer moves out of the special categories (an addiction
    need made "social" would then flow by law): allowed only on the entry that changes it,
    with ``override: true`` and a ``legal_basis`` citing an act.
    """
    errors: list[ErrorDetail] = []
    for by in ("needs", "dimensions", "services", "interventions"):
        for code in dig(parent, (by,)) or {}:
            before, after = _category(parent, by, code), _category(merged, by, code)
            if before not in SPECIAL_CATEGORIES or after in SPECIAL_CATEGORIES:
                continue
            # the entry that changed it: the code's own, or (for a need) its dimension's
            own = (dig(child, (by, code)) or {})
            cause = (by, code) if "data_category" in own or by != "needs" else (
                "dimensions", str(dig(merged, (by, code, "dimension"))))
            entry = dig(child, cause) or {}
            act = entry.get("legal_basis") or {}
            if entry.get("override") and _is_act(act, dig(merged, ("documents",)) or {}):
                continue
            errors.append(ErrorDetail(
                _jp(cause),
                Message("reclassifies {code} from {before} (a special category) to {after}: its data would go out"
                        " without consent; if that is intended, cite in `legal_basis` the act that allows it (a"
                        " registry document of kind norma)",
                        code=code, before=before, after=after),
                code, "privacy.widening"))
    return errors


def _collision(
    path: tuple[str | int, ...], theirs: Mapping[str, Any], layer: _Layer, value: str | int | None = None
) -> ErrorDetail:
    where = ", ".join(theirs.get(FILES_KEY, [])) or "?"
    return ErrorDetail(
        _jp(path),
        Message("redefines an entry already defined in {where}; if that is intended add `override: true`, otherwise"
                " use another id", where=where),
        path[-1] if value is None else value,
        "override",
    )


def _orphan(path: tuple[str | int, ...], layer: _Layer, value: str | None = None) -> ErrorDetail:
    parent = layer.data.get("extends") or Message("(none)")
    return ErrorDetail(
        _jp(path),
        Message("`override: true` but the parent layer ({parent}) does not define this entry: remove `override`"
                " and write the whole entry", parent=parent),
        path[-1] if value is None else value,
        "override",
    )


def _duplicate(path: tuple[str | int, ...], ident: str, first: tuple[str | int, ...]) -> ErrorDetail:
    return ErrorDetail(
        _jp(path),
        Message("the id {id!r} is already used at {first} in this list: every id in a list must be unique",
                id=ident, first=_jp(first)),
        ident,
        "merge.duplicate_id",
    )


def _unknown_remove(path: tuple[str | int, ...], ident: str, known: Sequence[str]) -> ErrorDetail:
    return ErrorDetail(
        _jp(path),
        Message("`remove` names {id!r}, which the inherited list does not have; known ids: {known}",
                id=ident, known=", ".join(known) or Message("(none)")),
        ident,
        "merge.unknown_remove",
    )


def _drops_inherited(
    path: tuple[str | int, ...], dropped: Sequence[str], inherited: Mapping[str, Mapping[str, Any]],
) -> ErrorDetail:
    where = ", ".join(dict.fromkeys(f for k in dropped for f in inherited[k].get(FILES_KEY, []))) or "?"
    return ErrorDetail(
        _jp(path),
        Message("this list would drop the inherited entries {ids} (defined in {where}): to add entries and keep"
                " the inherited ones write `append:`, to drop some write `remove:` with their ids, to replace the"
                " whole list write `replace: true` and `items:`", ids=", ".join(dropped), where=where),
        ", ".join(dropped),
        "merge.drops_inherited",
    )


def _replace_override(path: tuple[str | int, ...], ident: str) -> ErrorDetail:
    return ErrorDetail(
        _jp(path),
        Message("`replace: true` discards the inherited entries, so there is nothing to override here: remove"
                " `override` and write the whole entry"),
        ident,
        "override",
    )


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dated_value(values: Iterable[Mapping[str, Any]], as_of: dt.date) -> Mapping[str, Any] | None:
    """The entry of a dated list (valid_from/valid_to) in force on ``as_of``, or None."""
    found = None
    for v in values:
        start = dt.date.fromisoformat(v["valid_from"])
        end = dt.date.fromisoformat(v["valid_to"]) if v.get("valid_to") else None
        if start <= as_of and (end is None or as_of <= end) and (
            found is None or start >= dt.date.fromisoformat(found["valid_from"])
        ):
            found = v
    return found


def _pick(entry: Mapping[str, Any], day: dt.date) -> dict[str, Any] | None:
    """The version of an entry in force on a day (without its earlier versions), or None."""
    for version in [entry, *reversed(entry.get(VERSIONS_KEY, []))]:
        if in_period(version, day):
            return {k: v for k, v in version.items() if k != VERSIONS_KEY}
    return None


def _nearest(entry: Mapping[str, Any], day: dt.date) -> dict[str, Any]:
    """A measure's version in force on a day, else the last one started by then, else the first."""
    versions = [*entry.get(VERSIONS_KEY, []), {k: v for k, v in entry.items() if k != VERSIONS_KEY}]
    found = _pick(entry, day)
    if found is not None:
        return found
    started = [v for v in versions if (period_of(v)[0] or dt.date.min) <= day]
    return dict((started or versions)[-1 if started else 0])


def dated_entries(data: Mapping[str, Any], *, measures: bool = True, services: bool = True,
                  ) -> Iterator[Mapping[str, Any]]:
    """Every entry that may carry a period: of the dated sections, ordered rule lists, triggers, measures."""
    for path in DATED if services else LAYER_DATED:
        for entry in (dig(data, path) or {}).values():
            yield entry
            if path == ("equipe", "formats"):
                for version in [entry, *entry.get(VERSIONS_KEY, [])]:
                    yield from version.get("triggers", [])
    for path in ORDERED:
        yield from dig(data, path) or []
    if measures:
        yield from (dig(data, ("measures",)) or {}).values()


def view_data(data: Mapping[str, Any], day: dt.date) -> dict[str, Any]:
    """The effective configuration as of a day: see :meth:`Territory.in_force`."""
    out = dict(data)

    def put(path: tuple[str, ...], value: Any) -> None:
        node = out
        for key in path[:-1]:
            node[key] = dict(node.get(key) or {})
            node = node[key]
        node[path[-1]] = value

    for path in DATED:
        section = dig(data, path)
        if section is None:
            continue
        kept = {}
        for code, entry in section.items():
            version = _pick(entry, day)
            if version is None:
                continue
            if "triggers" in version:
                version["triggers"] = [t for t in (_pick(t, day) for t in version["triggers"]) if t is not None]
            kept[code] = version
        put(path, kept)
    for path in ORDERED:
        rules = dig(data, path)
        if rules is not None:
            put(path, [r for r in (_pick(rule, day) for rule in rules) if r is not None])
    measures = dig(data, ("measures",))
    if measures is not None:
        put(("measures",), {code: _nearest(m, day) for code, m in measures.items()})
    return out


def citation(source: Mapping[str, Any], territory: Territory) -> Citation:
    """
    The :class:`Citation` of a ``source`` block, its documents described by the territory's
    registry (``documents:``).

    :raises ConfigurationError: the block names a document the registry does not list.
    """
    return territory.citation(source)


def _citation_key(source: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """A source block's content as a key (the kind of each value too: a Message note renders in English)."""
    try:
        key = tuple([(k, type(v), v) for k, v in source.items()])  # order kept: at worst two entries
        hash(key)
    except TypeError:
        return None
    return key


@attrs.frozen(eq=False)
class Territory:
    """
    A compiled territory configuration: the effective (merged) data of a layer chain.

    :ivar id: territory id.
    :ivar lineage: the chain from this territory up to the root, e.g. (prato, toscana, italia).
    :ivar layers: each layer file with its sha256.
    :ivar digest: sha256 of the effective configuration (canonical JSON).
    :ivar data: the effective configuration; entries carry ``_files`` (where defined).
    """

    id: str
    lineage: tuple[str, ...]
    layers: tuple[ConfigLayer, ...]
    digest: str
    data: Mapping[str, Any]
    root: Path
    layer_dirs: Mapping[str, Path] = attrs.field(factory=dict)
    documents: Mapping[str, SourceDocument] = attrs.field(factory=dict)
    """The documents registry (``documents:``), by id: what every citation names."""
    _citations: dict[tuple[Any, ...], Citation] = attrs.field(factory=dict, init=False, repr=False)
    """The citations made so far, by the content of their source block (a reason is made case after case)."""
    as_of: dt.date | None = None
    """For a view (:meth:`in_force`), the first day it was built for (it holds for its whole stretch of days)."""
    _views: dict[int, Territory] = attrs.field(factory=dict, init=False, repr=False)
    _bounds: list[list[dt.date]] = attrs.field(factory=list, init=False, repr=False)  # [boundaries], once
    _statics: dict[tuple[int, str], tuple[Any, ...]] = attrs.field(factory=dict, init=False, repr=False)
    """What reasons take from each configuration entry (its layer, citation, file, period), made
    once per entry by :mod:`inclusione_core._reasons`: ``(id(entry), key) -> (entry, ...)``."""

    def in_force(self, day: dt.date) -> Territory:
        """
        The territory as of a day: each rule, format, trigger, intervention, deadline, flow and
        service in the version in force on that day, and without those not in force
        (docs/configuration.md, "Periods in force"); measures stay, in the version in force
        (else the nearest), since their period is what :func:`stage7_measures` reports. The
        digest, layers and registry are the whole configuration's. Views are kept by the
        stretch of days between two period boundaries, so a batch of cases builds few.
        """
        if self.as_of is not None:
            raise ValueError("in_force: already a view as of a day")
        if not self._bounds:  # the configuration does not change: its boundaries are found once
            self._bounds.append(self._boundaries())
        key = bisect.bisect_right(self._bounds[0], day)
        found = self._views.get(key)
        if found is None:
            found = attrs.evolve(self, data=view_data(self.data, day), as_of=day)
            self._views[key] = found
        return found

    def _boundaries(self) -> list[dt.date]:
        """The days on which something comes in force or leaves it (a period's first day, the day after its last)."""
        days: set[dt.date] = set()
        for entry in dated_entries(self.data):
            for version in [entry, *entry.get(VERSIONS_KEY, [])]:
                start, end = period_of(version)
                if start is not None:
                    days.add(start)
                if end is not None and end < dt.date.max:  # open to the last representable day: no day after
                    days.add(end + dt.timedelta(days=1))
        return sorted(days)

    def territorial_in_force(self) -> bool:
        """
        In a view, whether any rule of the territory's own layers (not the root's, the
        national framework) is in force: False means only the national rules apply.
        """
        root = self.lineage[-1]
        own = set(self.lineage[:-1])
        if not own:
            return True
        for entry in dated_entries(self.data, measures=False, services=False):
            layers = {str(f).split("/", 1)[0] for f in entry.get(FILES_KEY, [])}
            if layers & own and layers != {root}:
                return True
        return False

    def citation(self, source: Mapping[str, Any]) -> Citation:
        """
        The :class:`Citation` of a ``source`` block (configuration, plugin tables or code),
        with what the registry says of its documents.

        :raises ConfigurationError: the block names a document the registry does not list.
        """
        key = _citation_key(source)
        found = self._citations.get(key) if key is not None else None
        if found is not None:
            return found
        try:
            found = resolve(source, self.documents)
        except KeyError:
            from ._documents import block_errors  # noqa: PLC0415

            documents = self.data.get("documents") or {}
            raise ConfigurationError(Message("territory {id}", id=self.id),
                                     block_errors("$", source, documents)) from None
        if key is not None:
            self._citations[key] = found
        return found

    @property
    def label(self) -> str:
        """Italian label."""
        return str(self.data["label"]["it"])

    def section(self, *path: str) -> dict[str, Any]:
        """A keyed section (``services``, ``equipe.formats``...), empty when absent."""
        return dict(dig(self.data, path) or {})

    def rules(self, *path: str) -> list[dict[str, Any]]:
        """An ordered rule list (``routing.rules``...), most specific layer first."""
        return list(dig(self.data, path) or [])

    def setting(self, *path: str) -> dict[str, Any] | None:
        """A single settings object (``profile.occupability``, ``monitoring``) or None."""
        value = dig(self.data, path)
        return dict(value) if value is not None else None

    def file_of(self, entry: Mapping[str, Any]) -> str:
        """The file(s) that defined an entry, for provenance."""
        return " + ".join(entry.get(FILES_KEY, [])) or self.layers[-1].file

    def origins(self, entry: Mapping[str, Any]) -> list[tuple[str, Path]]:
        """The layers that defined an entry, in merge order (parent first): ``(layer id, its territory.yaml)``."""
        out = []
        for rel in entry.get(FILES_KEY, []):
            layer = str(rel).split("/", 1)[0]
            out.append((layer, self.layer_dirs.get(layer, self.root) / CONFIG_FILE))
        return out

    def annotated(self) -> dict[str, Any]:
        """
        The effective configuration for people (``inclusione config show``): every entry's
        ``_files`` becomes ``_from``, the list of ``{layer, file, path}`` that defined it,
        parent first (``file`` as in provenance, ``path`` the file on disk).
        """

        def walk(node: Any) -> Any:
            if isinstance(node, Mapping):
                out = {k: walk(v) for k, v in node.items() if k != FILES_KEY}
                if FILES_KEY in node:
                    out["_from"] = [{"layer": layer, "file": rel, "path": str(path)} for rel, (layer, path)
                                    in zip(node[FILES_KEY], self.origins(node), strict=True)]
                return out
            if isinstance(node, list):
                return [walk(v) for v in node]
            return node

        annotated: dict[str, Any] = walk(self.data)
        return annotated

    def service_kind(self, service_id: str | None) -> str | None:
        """The kind of a service id (``cpi``, ``ssp``...), or None when unknown."""
        svc = self.section("services").get(service_id or "")
        return None if svc is None else str(svc["kind"])

    def scenario_files(self) -> list[Path]:
        """The scenario files of this territory's own layer (absolute paths)."""
        return [Path(p) for p in self.data.get("scenarios", [])]

    def examples(self) -> list[tuple[Path, dt.date, str]]:
        """The example cases of this territory's own layer: (file, as-of date, title)."""
        return [
            (Path(e["case"]), dt.date.fromisoformat(e["as_of"]), e.get("title", ""))
            for e in self.data.get("examples", [])
        ]

    def instrument_path(self, name: str, key: str = "schema") -> Path:
        """
        The file of an instrument's ``schema`` (or ``example``), relative to the layer that
        defined the instrument.

        :raises InputError: the territory configures no such instrument.
        """
        entry = self.section("instruments").get(name)
        if entry is None or key not in entry:
            from ._errors import InputError  # noqa: PLC0415

            raise InputError(Message("territory {id}", id=self.id), [ErrorDetail(
                f"$.instruments.{name}.{key}", Message("instrument not configured for the territory"), name,
                "instruments")])
        layer = self.file_of(entry).split(" + ")[-1].split("/", 1)[0]
        folder = self.layer_dirs.get(layer, self.root)
        target = inside(folder, str(entry[key]))
        if target is None:  # checked when the layer was merged: only a changed folder gets here
            raise ConfigurationError(str(folder), [_outside(folder, f"$.instruments.{name}.{key}", entry[key])])
        return target

    def instrument_errors(self, name: str, document: Any) -> list[ErrorDetail]:
        """Every error of a document against an instrument's JSON Schema, by path (empty: valid)."""
        from ._schema import details_from, file_validator  # noqa: PLC0415 - jsonschema on demand

        return details_from(file_validator(self.instrument_path(name)).iter_errors(document))

    def validate_instrument(self, name: str, document: Any, what: str) -> None:
        """
        Validate a document (a filled form) against the instrument's schema.

        :param what: how to name the document in the error, e.g. ``scheda di invio r-1``.
        :raises InputError: listing every error by JSON path.
        """
        details = self.instrument_errors(name, document)
        if details:
            from ._errors import InputError  # noqa: PLC0415

            raise InputError(what, details)

    def need_dimensions(self) -> dict[str, Any]:
        """The dimensions of need: those that do not ``refine`` another dimension."""
        return {k: v for k, v in self.section("dimensions").items() if "refines" not in v}

    def data_category(self, by: str, code: str) -> str:
        """
        The data category of a need, dimension or intervention code (``by``: needs,
        dimensions, interventions), from ``data_category`` in the configuration.

        Defaults: a need takes its dimension's category; a dimension is ``social``; an
        intervention is ``work``; a service is ``process``; an unknown code is ``records``
        (treated as special: an unknown service id could be a SerD under another name), except
        the household itself (``nucleo``) among services: ``process``.
        """
        entry = dig(self.data, (by, code))
        if by == "services":
            if entry is None:
                return "process" if code == HOUSEHOLD_PARTY else "records"
            return str(entry.get("data_category", "process"))
        if entry is None:
            return "records"
        if "data_category" in entry:
            return str(entry["data_category"])
        if by == "needs":
            return self.data_category("dimensions", entry["dimension"])
        return "social" if by == "dimensions" else "work"

    def score_item_category(self, item: Mapping[str, Any]) -> str:
        """
        The data category of an answer to an item of a scored instrument: its ``data_category``,
        else the category of the need or dimension it reveals, else ``social``.
        """
        if "data_category" in item:
            return str(item["data_category"])
        if "need" in item:
            return self.data_category("needs", str(item["need"]))
        if "dimension" in item:
            return self.data_category("dimensions", str(item["dimension"]))
        return "social"

    def score_categories(self, code: str) -> tuple[str, ...]:
        """
        What the answers to a scored instrument (``scores.<code>``) are, and so what its score
        reveals: every category its items give, in every version of it (the score is read with
        the version of the day it was administered, whatever the answers: what a view masks
        must not depend on them). An instrument the configuration does not know is ``records``.
        """
        entry = self.section("scores").get(code)
        if entry is None:
            return ("records",)
        versions = [entry, *entry.get(VERSIONS_KEY, [])]
        return tuple(sorted({self.score_item_category(item) for version in versions
                             for item in (version.get("items") or {}).values()}))

    def kind_categories(self, kinds: Iterable[str]) -> set[str]:
        """The data categories of the services of some kinds (that a case met a SerD is addiction data)."""
        wanted = set(kinds)
        return {str(svc.get("data_category", "process")) for svc in self.section("services").values()
                if svc["kind"] in wanted}

    def refusal_code_categories(self, service: str | None = None) -> tuple[str, ...]:
        """
        What the refusal codes of a service reveal by their meaning (``refusal_codes.*.reveals``),
        whatever the code recorded: a case's code for that service is shown only where all of
        these may flow. ``None``: every service's (a history event does not name its service).
        """
        services = self.section("services")
        chosen = services.values() if service is None else [services.get(service) or {}]
        return tuple(sorted({str(c) for svc in chosen for code in (svc.get("refusal_codes") or {}).values()
                             for c in code.get("reveals", [])}))

    def service_categories(self) -> set[str]:
        """The data categories of every service, and ``records`` for an id the configuration does not know."""
        return {str(svc.get("data_category", "process")) for svc in self.section("services").values()} | {"records"}

    def within(self, territory: str) -> bool:
        """Whether this territory is ``territory`` or lies inside it."""
        return territory in self.lineage


CONFIG_DIR_ENV = "INCLUSIONE_CONFIG_DIR"


def env_config_dirs() -> tuple[Path, ...]:
    """The configuration folders named by ``INCLUSIONE_CONFIG_DIR`` (separated by ``os.pathsep``)."""
    value = os.environ.get(CONFIG_DIR_ENV, "")
    return tuple(Path(part) for part in value.split(os.pathsep) if part.strip())


class TerritoryIndex:
    """
    Where territory configurations are found: directories by id, then compiled on demand.

    Directories come from plugins (``inclusione_register_territories``) and from explicit
    configuration directories, which take precedence over plugins (an integrator's edited
    copy replaces the reference one). Two plugins registering one id is a collision.
    """

    def __init__(self, limits: Limits | None = None,
                 provider: Callable[[str], tuple[str, str]] | None = None,
                 sections: Mapping[str, Path] | None = None,
                 checks: Mapping[str, Callable[[Territory], object]] | None = None) -> None:
        self.limits = limits or DEFAULT_LIMITS
        self._provider = provider  # a plugin's registered name -> (distribution, version)
        self.sections: Mapping[str, Path] = dict(sections or {})
        """The plugins' configuration sections: name -> JSON Schema file."""
        self._checks = dict(checks or {})  # a section's own check, run once on each compiled territory
        self._dirs: dict[str, tuple[Path, str]] = {}
        self._explicit: set[str] = set()
        self._cache: dict[str, Territory] = {}
        self._failed: dict[str, InclusioneError] = {}
        self._digest: str | None = None  # of everything a compiled territory depends on (the disk cache's key)

    def add(self, territory: str, directory: Path, owner: str, *, explicit: bool = False) -> None:
        """Register ``directory`` (holding ``territory.yaml``) for ``territory``."""
        if territory in self._dirs and not explicit and territory not in self._explicit:
            _path, other = self._dirs[territory]
            if other != owner:
                raise RuleCollisionError(
                    Message("territory {id!r}", id=territory),
                    [other, owner],
                    Message("Two plugins provide the same territory: uninstall one or block it with"
                            " INCLUSIONE_BLOCK_PLUGINS."),
                )
        if territory in self._explicit and not explicit:
            return
        self._dirs[territory] = (directory, owner)
        if explicit:
            self._explicit.add(territory)
        self._cache.clear()
        self._failed.clear()
        self._digest = None

    def add_search_dir(self, root: Path) -> None:
        """Register every ``<root>/<id>/territory.yaml`` as an explicit configuration."""
        for cfg in sorted(root.glob(f"*/{CONFIG_FILE}")):
            self.add(cfg.parent.name, cfg.parent, f"{DIR_OWNER}{root}", explicit=True)

    def ids(self) -> list[str]:
        """Known territory ids, sorted."""
        return sorted(self._dirs)

    def owner(self, territory: str) -> str:
        """Who provided a territory's directory (plugin name or ``dir:PATH``)."""
        return self._dirs[territory][1]

    def directory(self, territory: str) -> Path:
        """The directory of a territory's own layer."""
        return self._dirs[territory][0]

    def get(self, territory: str) -> Territory:
        """
        The compiled territory (cached): load, validate and merge its whole chain.

        A territory that fails to compile fails again with the same error, without being
        read again (a batch of cases of a broken territory costs one compilation).
        """
        found = self._cache.get(territory)
        if found is not None:
            return found
        failed = self._failed.get(territory)
        if failed is not None:
            raise failed.with_traceback(None)
        stored = self._stored()
        found = stored.load(territory) if stored is not None else None
        if found is not None:
            self._cache[territory] = found
            return found
        try:
            self._cache[territory] = self._compile(territory)
        except InclusioneError as exc:
            self._failed[territory] = exc
            raise
        if stored is not None:
            stored.save(territory, self._cache[territory])
        return self._cache[territory]

    def _stored(self) -> _DiskCache | None:
        """The disk cache of this set of folders, or None (turned off, or a file that cannot be read)."""
        root = _cache_root()
        if root is None:
            return None
        try:
            key = self._key()
        except OSError:  # a file of a territory or a section schema unreadable: compiling will say so
            return None
        return _DiskCache(root / "territories" / key[:32])

    def _key(self) -> str:
        """
        What a compiled territory depends on, as a digest: every file of every territory
        folder, the plugins' section schemas, the versions of the core and of the plugins
        providing territories, the limits and the Python version. Computed once per set of
        folders (a few milliseconds: the files are small).
        """
        if self._digest is not None:
            return self._digest
        from ._plugins import core_version  # noqa: PLC0415

        h = hashlib.sha256(f"{_CACHE_FORMAT}|{sys.version}|{core_version()}|{self.limits!r}".encode())
        for tid in sorted(self._dirs):
            folder, owner = self._dirs[tid]
            version = self._provider(owner) if self._provider is not None else (owner, "")
            h.update(f"|{tid}|{folder}|{owner}|{version}".encode())
            for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
                h.update(f"|{path.relative_to(folder)}|".encode())
                h.update(hashlib.sha256(path.read_bytes()).digest())
        for name, schema in sorted(self.sections.items()):
            h.update(f"|section {name}|".encode())
            h.update(hashlib.sha256(Path(schema).read_bytes()).digest())
        self._digest = h.hexdigest()
        return self._digest

    def _chain(self, territory: str) -> Iterator[_Layer]:
        from ._errors import TerritoryNotFoundError  # noqa: PLC0415

        seen: list[str] = []
        current: str | None = territory
        child: _Layer | None = None
        while current is not None:
            if current in seen:
                loop = " -> ".join([*seen, current])
                raise ConfigurationError(
                    str(self._dirs[current][0] / CONFIG_FILE),
                    [ErrorDetail("$.extends", Message("circular extends chain: {loop}", loop=loop), current,
                                 "extends")],
                )
            if current not in self._dirs:
                if seen and child is not None:
                    known, suggestion = ", ".join(self.ids()), closest(current, self.ids())
                    problem = Message("unknown parent territory; known: {known}", known=known) if suggestion is None \
                        else Message("unknown parent territory (did you mean {suggestion!r}?); known: {known}",
                                     suggestion=suggestion, known=known)
                    unknown = ErrorDetail("$.extends", problem, current, "extends")
                    raise ConfigurationError(str(child.file), child.doc.located([unknown]) if child.doc else [unknown])
                raise TerritoryNotFoundError(current, self.ids())
            seen.append(current)
            path = self._dirs[current][0] / CONFIG_FILE
            try:
                layer = read_layer(path, expected_id=current, limits=self.limits, sections=self.sections)
            except ConfigurationError as exc:
                raise self._override_hints(exc, path) from None
            yield layer
            child, current = layer, layer.data.get("extends")

    def _override_hints(self, exc: ConfigurationError, path: Path) -> ConfigurationError:
        """
        The schema errors of a layer, where an entry its parent already defines lacks
        required fields, replaced by one error per entry saying to add ``override: true``
        (a redefinition that changes only some fields); the error as it was otherwise.
        """
        missing: dict[str, list[ErrorDetail]] = {}
        for d in exc.details:
            if d.rule == "required" and "." in d.path[2:]:
                missing.setdefault(d.path.rsplit(".", 1)[0], []).append(d)
        if not missing:
            return exc
        try:
            data = read_yaml(path, limits=self.limits).data
            parent = data.get("extends") if isinstance(data, dict) else None
            inherited = self.get(parent).data if isinstance(parent, str) and parent in self._dirs else None
        except InclusioneError:
            inherited = None
        if inherited is None:
            return exc
        hinted: dict[str, ErrorDetail] = {}
        for entry, details in missing.items():
            steps = _steps(entry)
            if len(steps) >= 2 and isinstance(steps[-1], int):  # a rule of a list: the parent's rule with its id
                rule = dig_steps(data, steps)
                rules = dig_steps(inherited, steps[:-1])
                ids = {r.get("id") for r in rules} if isinstance(rules, list) else set()
                theirs = next((r for r in rules if r.get("id") == rule.get("id")), None) \
                    if isinstance(rule, dict) and rule.get("id") in ids else None
            else:
                theirs = dig_steps(inherited, steps)
            if not isinstance(theirs, Mapping):
                continue
            fields = ", ".join(d.path.rsplit(".", 1)[1] for d in details)
            where = ", ".join(theirs.get(FILES_KEY, [])) or str(parent)
            hinted[entry] = attrs.evolve(details[0], path=entry, rule="override", value=None, message=Message(
                "redefines an entry already defined in {where} without the fields it requires ({fields}): to change"
                " only some of its fields add `override: true`, otherwise write the whole entry", where=where,
                fields=fields))
        if not hinted:
            return exc
        details_out: list[ErrorDetail] = []
        for d in exc.details:
            entry = d.path.rsplit(".", 1)[0]
            if d.rule == "required" and entry in hinted:
                if hinted[entry] not in details_out:
                    details_out.append(hinted[entry])
            else:
                details_out.append(d)
        return ConfigurationError(exc.source, details_out)

    def _origin(self, layer: _Layer) -> ConfigLayer:
        """A layer for provenance: its file and digest, and the plugin (with version) or folder that provided it."""
        owner = self._dirs[layer.territory][1]
        base = ConfigLayer(territory=layer.territory, file=layer.rel, sha256=layer.sha256,
                           valid_from=_day(layer.data.get("valid_from")), valid_to=_day(layer.data.get("valid_to")))
        if owner.startswith(DIR_OWNER):
            return attrs.evolve(base, folder=owner.removeprefix(DIR_OWNER))
        plugin, version = self._provider(owner) if self._provider is not None else (owner, None)
        return attrs.evolve(base, plugin=plugin, version=version)

    def _check_sections(self, effective: Mapping[str, Any], leaf: _Layer) -> None:
        """The plugins' sections, merged along the chain, against their schemas: now whole (required fields too)."""
        from ._schema import section_errors  # noqa: PLC0415 - jsonschema at load time only

        details = [d for name, schema in self.sections.items() if name in effective
                   for d in section_errors(name, schema, _without_files(effective[name]))]
        if details:
            raise ConfigurationError(str(leaf.file), leaf.doc.located(details) if leaf.doc else details)

    def _compile(self, territory: str) -> Territory:
        layers = list(self._chain(territory))[::-1]  # root first
        effective: dict[str, Any] = {}
        for layer in layers:
            effective = _merge(effective, layer, self.sections)
        self._check_sections(effective, layers[-1])
        _check_references(effective, layers[-1], layers)
        root = layers[-1].file.parent
        compiled = Territory(
            id=territory,
            lineage=tuple(layer.territory for layer in reversed(layers)),
            layers=tuple(self._origin(la) for la in layers),
            digest=_digest(effective | {"examples": [], "scenarios": []}),
            data=effective,
            root=root,
            layer_dirs={layer.territory: layer.file.parent for layer in layers},
            documents=registry(effective),
        )
        _check_periods(compiled, layers[-1])
        for name, check in self._checks.items():  # what the sections' schemas cannot say, by their plugins
            if name in effective:
                check(compiled)
        return compiled


def _check_periods(territory: Territory, leaf: _Layer) -> None:
    """
    References that hold at every date: on each stretch of days between two period
    boundaries, every equipe selection rule in force names a format in force, every
    routing rule in force a service in force, and every intervention in force prerequisites
    and alternatives in force (an entry must not outlive, or precede, what it names). The
    error gives the first run of days on which the reference fails.
    """
    boundaries = territory._boundaries()
    starts = [dt.date.min, *boundaries]
    runs: dict[tuple[str, str, str, str], list[int]] = {}  # a failing reference -> [first, last] stretch
    for index, day in enumerate(starts):
        data = view_data(territory.data, day)
        formats = dig(data, ("equipe", "formats")) or {}
        services = dig(data, ("services",)) or {}
        checks = [("equipe.selection", rule, "format", formats) for rule in dig(data, ("equipe", "selection")) or []]
        checks += [("routing.rules", rule, key, services) for rule in dig(data, ("routing", "rules")) or []
                   for key in ("service", "booking_at") if key in rule]
        interventions = dig(data, ("interventions",)) or {}
        checks += [("interventions", {"id": code, key: ref}, key, interventions)
                   for code, item in interventions.items() for key in ("prerequisites", "alternatives")
                   for ref in item.get(key, [])]
        for where, rule, key, known in checks:
            if rule[key] not in known:
                run = runs.setdefault((where, str(rule.get("id")), key, rule[key]), [index, index])
                if run[1] == index - 1:  # the run goes on; a later, separate run is not reported
                    run[1] = index
    errors: list[ErrorDetail] = []
    for (where, ident, key, name), (first, last) in runs.items():
        start = None if first == 0 else starts[first]
        end = starts[last + 1] - dt.timedelta(days=1) if last + 1 < len(starts) else None
        if start is None and end is None:
            continue  # never in force: the reference checks of the merge name it at every date
        period = (Message("in force from {start} to {end}", start=start.isoformat(), end=end.isoformat())
                  if start and end else Message("in force from {start}", start=start.isoformat()) if start
                  else Message("in force until {end}", end=end.isoformat() if end else ""))
        what = {"format": Message("format"), "prerequisites": Message("intervention"),
                "alternatives": Message("intervention")}.get(key, Message("service"))
        at = f"$.interventions.{ident}.{key}" if where == "interventions" else f"$.{where}[id={ident}].{key}"
        errors.append(ErrorDetail(at, Message(
            "{period}, it names the {what} {name}, which is not in force then: date the rule (valid_from,"
            " valid_to) within the period of what it names", period=period, what=what, name=name),
            name, "period:ref"))
    if errors:
        raise ConfigurationError(str(leaf.file), errors)


def _without_files(section: Any) -> Any:
    """A merged section as its layers wrote it: without the files that gave it."""
    return {k: v for k, v in section.items() if k != FILES_KEY} if isinstance(section, dict) else section


def core_keys() -> frozenset[str]:
    """The top-level keys of a layer that the core's own schema defines."""
    from ._schema import load_schema  # noqa: PLC0415

    return frozenset(load_schema("territory")["properties"])


_CACHE_FORMAT = 1
CACHE_ENV = "INCLUSIONE_CACHE_DIR"


class _DiskCache:
    """
    Compiled territories on disk, so that a cold command skips compiling: one pickle per
    territory under a folder named by the digest of all it depends on. The folder is the
    user's own (mode 0700); a file that another user could have written is ignored, never
    loaded. Anything unreadable is compiled again.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _trusted(self, path: Path) -> bool:
        try:
            st = path.stat()
            parent = path.parent.stat()
        except OSError:
            return False
        mine = not hasattr(os, "getuid") or (st.st_uid == os.getuid() and parent.st_uid == os.getuid())
        return mine and not (st.st_mode & 0o022) and not (parent.st_mode & 0o022)

    def load(self, territory: str) -> Territory | None:
        import pickle  # noqa: PLC0415

        path = self.folder / f"{territory}.pickle"
        if not path.is_file() or not self._trusted(path):
            return None
        try:
            found = pickle.loads(path.read_bytes())  # the user's own file, checked above
        except Exception:  # a file from an older format or torn: compiled again
            return None
        return found if isinstance(found, Territory) else None

    def save(self, territory: str, compiled: Territory) -> None:
        import pickle  # noqa: PLC0415
        import tempfile  # noqa: PLC0415

        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{territory}.")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(compiled, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / f"{territory}.pickle")
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            return  # no cache: the next command compiles again


def _cache_root() -> Path | None:
    """The cache's folder: ``INCLUSIONE_CACHE_DIR``, else the user's cache folder; None when turned ``off``."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None and chosen.strip().lower() in ("", "off", "0", "no"):
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "inclusione-core"


def read_layer(path: Path, expected_id: str | None = None, limits: Limits | None = None,
               sections: Mapping[str, Path] | None = None) -> _Layer:
    """
    Read and schema-validate one layer file; every error is reported with its path, line and column.

    :param sections: the plugins' configuration sections (name -> JSON Schema file): each is
        validated against its own schema, the rest of the layer against the core's. A layer
        may give part of a section (it merges over its parent's): fields the schema requires
        are checked on the merged section (:meth:`TerritoryIndex._compile`).
    """
    from ._schema import section_errors, validate_instance  # noqa: PLC0415 - jsonschema at load time only

    doc = read_yaml(path, limits=limits)
    data = doc.data
    own = {k: v for k, v in data.items() if k not in (sections or {})} if isinstance(data, dict) else data
    details = validate_instance("territory", own)
    for name, schema in (sections or {}).items():
        if isinstance(data, dict) and name in data:
            details += [d for d in section_errors(name, schema, data[name]) if d.rule != "required"]
    if not details:
        details += period_errors(own)
    if not details and expected_id is not None and data["id"] != expected_id:
        details.append(ErrorDetail("$.id", Message("the id must match the directory {expected!r}",
                                                   expected=expected_id),
                                   data["id"], "id"))
    if details:
        raise ConfigurationError(str(path), doc.located(details))
    rel = f"{data['id']}/{path.name}"  # the layer's id, not its folder's name (a wheel's folder is `territory`)
    return _Layer(territory=data["id"], file=path, rel=rel, data=data, sha256=hashlib.sha256(doc.raw).hexdigest(),
                  doc=doc)


def period_errors(data: Any, path: str = "$") -> list[ErrorDetail]:
    """Every period of a layer (an entry's, a dated value's, the layer's own) that ends before it starts."""
    errors: list[ErrorDetail] = []
    if isinstance(data, dict):
        start, end = data.get("valid_from"), data.get("valid_to")
        if isinstance(start, str) and isinstance(end, str):
            try:
                wrong = dt.date.fromisoformat(end) < dt.date.fromisoformat(start)
            except ValueError:  # the schema reports a date that is not one
                wrong = False
            if wrong:
                errors.append(ErrorDetail(f"{path}.valid_to", Message(
                    "the period ends before it starts: valid_to {end} is before valid_from {start}", end=end,
                    start=start), end, "period"))
        for key, value in data.items():
            errors += period_errors(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            errors += period_errors(value, f"{path}[{i}]")
    return errors


def _walk_predicates(pred: Mapping[str, Any], path: str) -> Iterator[tuple[str, str, Any]]:
    for key, value in pred.items():
        if key in ("all", "any"):
            for i, sub in enumerate(value):
                yield from _walk_predicates(sub, f"{path}.{key}[{i}]")
        elif key == "not":
            yield from _walk_predicates(value, f"{path}.not")
        else:
            yield (f"{path}.{key}", key, value)


def _steps(path: str) -> list[str | int]:
    """The steps of a JSON path (``$.a.b[2].c`` -> ``["a", "b", 2, "c"]``)."""
    return [int(i) if i else k for k, i in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path)]


def dig_steps(data: Any, steps: Sequence[str | int]) -> Any:
    """The value at some steps (keys and list indexes) of nested data, or None where a step is missing."""
    cur = data
    for step in steps:
        if isinstance(step, int):
            if not isinstance(cur, list) or step >= len(cur):
                return None
        elif not isinstance(cur, Mapping) or step not in cur:
            return None
        cur = cur[step]
    return cur


def _in_layer(cfg: Any, layer: Any, steps: Sequence[str | int]) -> tuple[list[str | int], Any] | None:
    """
    The steps of a merged configuration's path in one layer's own data, and the value
    there: a rule of a merged list is found in the layer's list by its ``id``. None when the
    layer does not write that path.
    """
    out: list[str | int] = []
    for step in steps:
        if isinstance(step, int):
            if not isinstance(cfg, list) or not isinstance(layer, list) or step >= len(cfg):
                return None
            rule_id = cfg[step].get("id") if isinstance(cfg[step], Mapping) else None
            at = next((j for j, r in enumerate(layer) if isinstance(r, Mapping) and r.get("id") == rule_id), None) \
                if rule_id is not None else (step if len(layer) == len(cfg) else None)
            if at is None:
                return None
            cfg, layer = cfg[step], layer[at]
            out.append(at)
        else:
            if not isinstance(cfg, Mapping) or not isinstance(layer, Mapping) or step not in layer:
                return None
            cfg, layer = cfg.get(step), layer[step]
            out.append(step)
    return out, layer


def _mentions(node: Any, value: Any) -> bool:
    """Whether a layer's value at an error's path holds the value the error is about."""
    if isinstance(node, list):
        return value in node
    if isinstance(node, Mapping):
        return value in node or value in node.values()
    return bool(node == value)


def _located_in_layers(errors: Sequence[ErrorDetail], cfg: Mapping[str, Any], layers: Sequence[_Layer],
                       ) -> list[ErrorDetail]:
    """
    Errors found on a merged configuration, each with the line of the layer that wrote the
    value: the leaf's line and column, or, when a parent layer wrote it, that file and line
    in the message (the error is reported under the leaf's file).
    """
    leaf = layers[-1]
    out = []
    for d in errors:
        steps = _steps(d.path)
        found: tuple[_Layer, list[str | int]] | None = None
        for layer in reversed(layers):
            hit = _in_layer(cfg, layer.data, steps)
            if hit is None or layer.doc is None:
                continue
            if found is None or _mentions(hit[1], d.value):
                found = (layer, hit[0])
            if _mentions(hit[1], d.value):
                break
        if found is None or found[0].doc is None:
            out.append(d)
            continue
        layer, layer_steps = found
        where = found[0].doc.locate(_jp(layer_steps))
        if where is None:
            out.append(d)
        elif layer is leaf:
            out.append(attrs.evolve(d, line=where[0], column=where[1]))
        else:
            out.append(attrs.evolve(d, message=Message("{problem} (written in {file}, line {line})", problem=d.message,
                                                       file=layer.rel, line=where[0])))
    return out


def unknown_reference(what: Message, value: Any, known: Iterable[Any]) -> Message:
    """The message of a reference to an unknown id: what it is, the closest known id, every known id."""
    names = sorted({str(k) for k in known})
    listed = ", ".join(names) or Message("(none)")
    suggestion = closest(value, names)
    if suggestion is not None:
        return Message("unknown {what} (did you mean {suggestion!r}?); known: {known}", what=what,
                       suggestion=suggestion, known=listed)
    return Message("unknown {what}; known: {known}", what=what, known=listed)


def _programme_errors(cfg: Mapping[str, Any]) -> list[ErrorDetail]:
    """The references of ``programmes`` and ``coordination``: services, measures, programmes."""
    errors: list[ErrorDetail] = []
    services = dig(cfg, ("services",)) or {}
    programmes = dig(cfg, ("programmes",)) or {}

    def need(value: Any, known: Any, path: str, what: Message, rule: str) -> None:
        if value not in known:
            errors.append(ErrorDetail(path, unknown_reference(what, value, known), value, rule))

    for code, prog in programmes.items():
        if "service" in prog:
            need(prog["service"], services, f"$.programmes.{code}.service", Message("service"), "ref:services")
        if "measure" in prog:
            need(prog["measure"], dig(cfg, ("measures",)) or {}, f"$.programmes.{code}.measure", Message("measure"),
                 "ref:measures")
    for code, rule in (dig(cfg, ("coordination",)) or {}).items():
        for key in ("applies_to", "inform"):
            for sid in rule[key]:
                need(sid, services, f"$.coordination.{code}.{key}", Message("service"), "ref:services")
        for prog in rule["programmes"]:
            need(prog, programmes, f"$.coordination.{code}.programmes", Message("programme"), "ref:programmes")
    return errors


def _network_errors(cfg: Mapping[str, Any], kinds: set[str]) -> list[ErrorDetail]:
    """The references of ``network`` and ``governance``: service kinds, ambiti, partner kinds and bodies."""
    errors: list[ErrorDetail] = []

    def need(value: Any, known: Any, path: str, what: Message, rule: str) -> None:
        if value not in known:
            errors.append(ErrorDetail(path, unknown_reference(what, value, known), value, rule))

    network = dig(cfg, ("network",)) or {}
    ambiti = network.get("ambiti") or {}
    for code, a in ambiti.items():
        for kind in a.get("services") or {}:
            need(kind, kinds, f"$.network.ambiti.{code}.services", Message("kind of service"), "ref:services.kind")
    for code, m in (network.get("municipalities") or {}).items():
        need(m["ambito"], ambiti, f"$.network.municipalities.{code}.ambito", Message("ambito territoriale"),
             "ref:network.ambiti")
    partner_kinds = dig(cfg, ("governance", "partner_kinds")) or {}
    bodies = dig(cfg, ("governance", "bodies")) or {}
    for code, body in bodies.items():
        for partner in body.get("partners", []):
            need(partner, partner_kinds, f"$.governance.bodies.{code}.partners", Message("kind of partner"),
                 "ref:governance.partner_kinds")
    for code, kind in partner_kinds.items():
        for service_kind in kind.get("services", []):
            need(service_kind, kinds, f"$.governance.partner_kinds.{code}.services", Message("kind of service"),
                 "ref:services.kind")
    for code, a in ambiti.items():
        for body in a.get("bodies", []):
            need(body, bodies, f"$.network.ambiti.{code}.bodies", Message("governance body"),
                 "ref:governance.bodies")
            if body in bodies and bodies[body].get("level") in ("regione", "citta_metropolitana"):
                errors.append(ErrorDetail(f"$.network.ambiti.{code}.bodies", Message(
                    "the body {body} is of level {level}: an ambito lists only its own bodies (ambito, district,"
                    " municipality)", body=body, level=bodies[body].get("level")), body, "governance.level"))
    return errors


def _enterprise_errors(cfg: Mapping[str, Any], kinds: set[str]) -> list[ErrorDetail]:
    """
    The references of ``enterprises``: the sectors, registries and channels that enterprises
    and their positions name, and the kinds of service of a channel.
    """
    errors: list[ErrorDetail] = []

    def need(values: Iterable[Any], known: Any, path: str, what: Message, rule: str) -> None:
        errors.extend(ErrorDetail(path, unknown_reference(what, v, known), v, rule) for v in values if v not in known)

    section = dig(cfg, ("enterprises",)) or {}
    sectors, registries, channels = (section.get(k) or {} for k in ("sectors", "registries", "channels"))
    for code, channel in channels.items():
        need(channel.get("services", []), kinds, f"$.enterprises.channels.{code}.services", Message("kind of service"),
             "ref:services.kind")
    for code, firm in (section.get("entries") or {}).items():
        here = f"$.enterprises.entries.{code}"
        need(firm.get("sectors", []), sectors, f"{here}.sectors", Message("sector"), "ref:enterprises.sectors")
        need(firm.get("registries") or {}, registries, f"{here}.registries", Message("registry of enterprises"),
             "ref:enterprises.registries")
        for pos, position in (firm.get("positions") or {}).items():
            need(position.get("sectors", []), sectors, f"{here}.positions.{pos}.sectors", Message("sector"),
                 "ref:enterprises.sectors")
            need(position.get("open_to", []), channels, f"{here}.positions.{pos}.open_to",
                 Message("channel proposing people to enterprises"), "ref:enterprises.channels")
    return errors


def _check_references(cfg: Mapping[str, Any], leaf: _Layer, layers: Sequence[_Layer] = ()) -> None:
    """Cross-reference checks on the merged configuration (unknown ids, cycles), each error with its line."""
    errors: list[ErrorDetail] = []
    dims = set(dig(cfg, ("dimensions",)) or {})
    needs = set(dig(cfg, ("needs",)) or {})
    services = dig(cfg, ("services",)) or {}
    kinds = {s["kind"] for s in services.values()}
    roles = dig(cfg, ("roles",)) or {}
    formats = dig(cfg, ("equipe", "formats")) or {}
    interventions = dig(cfg, ("interventions",)) or {}

    def need(value: Any, known: Any, path: str, what: Message, rule: str) -> None:
        if value not in known:
            errors.append(ErrorDetail(path, unknown_reference(what, value, known), value, rule))

    for code, d in (dig(cfg, ("dimensions",)) or {}).items():
        if "refines" in d:
            need(d["refines"], dims, f"$.dimensions.{code}.refines", Message("dimension"), "ref:dimensions")
    for code, n in (dig(cfg, ("needs",)) or {}).items():
        need(n["dimension"], dims, f"$.needs.{code}.dimension", Message("dimension"), "ref:dimensions")
    for code, r in roles.items():
        need(r["service"], kinds, f"$.roles.{code}.service", Message("kind of service"), "ref:services.kind")
    for code, f in formats.items():
        for role in f["roles"]:
            need(role, roles, f"$.equipe.formats.{code}.roles", Message("role"), "ref:roles")
        for i, t in enumerate(f.get("triggers", [])):
            for role in t["add_roles"]:
                need(role, roles, f"$.equipe.formats.{code}.triggers[{i}].add_roles", Message("role"), "ref:roles")
    for i, s in enumerate(dig(cfg, ("equipe", "selection")) or []):
        need(s["format"], formats, f"$.equipe.selection[{i}].format", Message("format"), "ref:equipe.formats")
    for i, r in enumerate(dig(cfg, ("routing", "rules")) or []):
        for key in ("service", "booking_at"):
            if key in r:
                need(r[key], services, f"$.routing.rules[{i}].{key}", Message("service"), "ref:services")
    for code, svc in services.items():
        for target in svc.get("redirect_to", []):
            need(target, services, f"$.services.{code}.redirect_to", Message("service"), "ref:services")
    recipients = dig(cfg, ("privacy", "recipients")) or {}
    for code, flow in (dig(cfg, ("privacy", "flows")) or {}).items():
        path = f"$.privacy.flows.{code}.recipient"
        need(flow["recipient"], recipients, path, Message("recipient"), "ref:privacy.recipients")
    for code, item in interventions.items():
        for key in ("prerequisites", "alternatives"):
            for pre in item.get(key, []):
                need(pre, interventions, f"$.interventions.{code}.{key}", Message("intervention"),
                     "ref:interventions")
    errors += _programme_errors(cfg)
    programmes = dig(cfg, ("programmes",)) or {}
    errors += _score_errors(cfg)
    errors += [*_network_errors(cfg, kinds), *_enterprise_errors(cfg, kinds)]
    errors += [*_cycles(interventions), *_refusal_code_errors(cfg)]
    errors += [*_deadline_errors(cfg), *_measure_errors(cfg), *_calendar_errors(dig(cfg, ("calendar",)))]
    errors += source_errors(cfg)

    predicate_sites = _predicate_sites(cfg)
    for base, pred in predicate_sites:
        for path, key, value in _walk_predicates(pred, base):
            if key in ("need", "any_need", "need_at_least"):
                named = value["needs"] if key == "need_at_least" else [value] if isinstance(value, str) else value
                for v in named:
                    need(v, needs, path, Message("need"), "ref:needs")
            elif key in ("dimension_at_least", "need_in_dimension"):
                for v in value:
                    need(v, dims, path, Message("dimension"), "ref:dimensions")
            elif key == "only_dimensions":
                for v in value["dimensions"]:
                    need(v, dims, path, Message("dimension"), "ref:dimensions")
            elif key in ("access_point_kind", "from_service_kind", "in_charge_of"):
                for v in value:
                    need(v, kinds, path, Message("kind of service"), "ref:services.kind")
            elif key == "in_programme":
                for v in value:
                    need(v, programmes, path, Message("programme"), "ref:programmes")
    if errors:
        raise ConfigurationError(str(leaf.file), _located_in_layers(errors, cfg, layers or [leaf]))


def _predicate_sites(cfg: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Every condition of the configuration (``when``, ``suitable_when``, ...), with its JSON path."""
    formats = dig(cfg, ("equipe", "formats")) or {}
    interventions = dig(cfg, ("interventions",)) or {}
    predicate_sites: list[tuple[str, Mapping[str, Any]]] = []
    for i, r in enumerate(dig(cfg, ("routing", "rules")) or []):
        predicate_sites.append((f"$.routing.rules[{i}].when", r["when"]))
    for i, r in enumerate(dig(cfg, ("profile", "pathways")) or []):
        predicate_sites.append((f"$.profile.pathways[{i}].when", r["when"]))
    for i, r in enumerate(dig(cfg, ("equipe", "selection")) or []):
        predicate_sites.append((f"$.equipe.selection[{i}].when", r["when"]))
    for code, f in formats.items():
        for i, t in enumerate(f.get("triggers", [])):
            predicate_sites.append((f"$.equipe.formats.{code}.triggers[{i}].when", t["when"]))
    for code, item in interventions.items():
        predicate_sites.append((f"$.interventions.{code}.suitable_when", item["suitable_when"]))
        for i, r in enumerate(item.get("priority_when", [])):
            predicate_sites.append((f"$.interventions.{code}.priority_when[{i}].when", r["when"]))
    for code, flag in (dig(cfg, ("profile", "flags")) or {}).items():
        predicate_sites.append((f"$.profile.flags.{code}.when", flag["when"]))
    for code, m in (dig(cfg, ("measures",)) or {}).items():
        if "eligible_when" in m:
            predicate_sites.append((f"$.measures.{code}.eligible_when", m["eligible_when"]))
    for code, rule in (dig(cfg, ("coordination",)) or {}).items():
        predicate_sites.append((f"$.coordination.{code}.when", rule["when"]))
    predicate_sites += _deadline_predicates(cfg)
    return predicate_sites


def _score_errors(cfg: Mapping[str, Any]) -> list[ErrorDetail]:
    """
    The scored instruments (``scores``): each item's values are a list, or a range from ``min``
    to ``max`` (not both, not neither); the needs and dimensions items reveal are known; a
    predicate ``score_at_least`` names a known instrument and one of its bands.
    """
    errors: list[ErrorDetail] = []
    scores = dig(cfg, ("scores",)) or {}
    known = {"need": (dig(cfg, ("needs",)) or {}, Message("need"), "ref:needs"),
             "dimension": (dig(cfg, ("dimensions",)) or {}, Message("dimension"), "ref:dimensions")}
    for code, entry in scores.items():
        for version in [entry, *entry.get(VERSIONS_KEY, [])]:
            for name, item in (version.get("items") or {}).items():
                path = f"$.scores.{code}.items.{name}"
                for key, (section, what, rule) in known.items():
                    if key in item and item[key] not in section:
                        errors.append(ErrorDetail(f"{path}.{key}", unknown_reference(what, item[key], section),
                                                  item[key], rule))
                ranged = "min" in item or "max" in item
                if ("values" in item) == ranged or (ranged and not ("min" in item and "max" in item)):
                    errors.append(ErrorDetail(path, Message(
                        "an item gives the values an answer may take: either `values` (a list) or `min` and `max`"),
                        None, "scores.range"))
                elif ranged and item["min"] > item["max"]:
                    errors.append(ErrorDetail(f"{path}.max", Message("max {max} is below min {min}", max=item["max"],
                                                                     min=item["min"]), item["max"], "scores.range"))
    for base, pred in _predicate_sites(cfg):
        for path, key, value in _walk_predicates(pred, base):
            if key != "score_at_least":
                continue
            instrument = scores.get(value["instrument"])
            if instrument is None:
                errors.append(ErrorDetail(f"{path}.instrument", unknown_reference(
                    Message("scored instrument"), value["instrument"], scores), value["instrument"], "ref:scores"))
            elif "band" in value:
                bands = {b for v in [instrument, *instrument.get(VERSIONS_KEY, [])] for b in v.get("bands") or {}}
                if value["band"] not in bands:
                    errors.append(ErrorDetail(f"{path}.band", unknown_reference(
                        Message("band of the instrument {code}", code=value["instrument"]), value["band"], bands),
                        value["band"], "ref:scores.bands"))
    return errors


def _refusal_code_errors(cfg: Mapping[str, Any]) -> list[ErrorDetail]:
    """A routing rule's refusal code is one of its service's ``refusal_codes``, on a refusing rule."""
    errors: list[ErrorDetail] = []
    services = dig(cfg, ("services",)) or {}
    for i, r in enumerate(dig(cfg, ("routing", "rules")) or []):
        if "refusal_code" not in r:
            continue
        path = f"$.routing.rules[{i}].refusal_code"
        codes = (services.get(r.get("service")) or {}).get("refusal_codes") or {}
        if r["refusal_code"] not in codes:
            errors.append(ErrorDetail(path, unknown_reference(Message("refusal code of the service"), r["refusal_code"],
                                                              codes), r["refusal_code"], "ref:services.refusal_codes"))
        if r["outcome"] != "refused":
            errors.append(ErrorDetail(path, Message("a refusal code belongs to a rule whose outcome is refused"),
                                      r["refusal_code"], "refusal_code.outcome"))
    return errors


def _deadline_predicates(cfg: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The deadlines' conditions (``when``), with their JSON paths."""
    return [(f"$.deadlines.{code}.when", d["when"]) for code, d in (dig(cfg, ("deadlines",)) or {}).items()
            if "when" in d]


def _measure_errors(cfg: Mapping[str, Any]) -> list[ErrorDetail]:
    """A measure is incompatible only with another configured measure."""
    errors: list[ErrorDetail] = []
    measures = dig(cfg, ("measures",)) or {}
    for code, m in measures.items():
        for i, entry in enumerate(m.get("incompatible_with", [])):
            other = entry["measure"]
            if other not in measures or other == code:
                errors.append(ErrorDetail(f"$.measures.{code}.incompatible_with[{i}].measure",
                                          unknown_reference(Message("measure"), other,
                                                            {c: v for c, v in measures.items() if c != code}),
                                          other, "ref:measures"))
    return errors


def _deadline_errors(cfg: Mapping[str, Any]) -> list[ErrorDetail]:
    """A deadline's measure and the deadline it follows are known; a chain of deadlines never loops."""
    errors: list[ErrorDetail] = []
    deadlines = dig(cfg, ("deadlines",)) or {}
    measures = dig(cfg, ("measures",)) or {}
    for code, d in deadlines.items():
        if "measure" in d and d["measure"] not in measures:
            errors.append(ErrorDetail(f"$.deadlines.{code}.measure",
                                      unknown_reference(Message("measure"), d["measure"], measures), d["measure"],
                                      "ref:measures"))
        if d.get("from") == "measure_start" and "measure" not in d:
            errors.append(ErrorDetail(f"$.deadlines.{code}", Message("`from: measure_start` needs `measure`: the"
                                                                     " measure whose start starts the clock"),
                                      None, "deadlines.measure"))
        if d.get("from") != "deadline_met":
            continue
        after = d.get("deadline")
        if after is None:
            errors.append(ErrorDetail(f"$.deadlines.{code}", Message("`from: deadline_met` needs `deadline`: the"
                                                                     " deadline whose meeting starts the clock"),
                                      None, "deadlines.deadline"))
        elif after not in deadlines or after == code:
            errors.append(ErrorDetail(f"$.deadlines.{code}.deadline",
                                      unknown_reference(Message("deadline"), after, set(deadlines) - {code}), after,
                                      "ref:deadlines"))
    for code in sorted(deadlines):
        trail = [code]
        while deadlines.get(trail[-1], {}).get("from") == "deadline_met":
            nxt = deadlines[trail[-1]].get("deadline")
            if nxt not in deadlines or nxt == trail[-1]:
                break
            if nxt in trail:
                if nxt == code == min(trail):  # once per loop
                    loop = " -> ".join([*trail, nxt])
                    errors.append(ErrorDetail(f"$.deadlines.{code}.deadline",
                                              Message("circular deadlines: {loop}", loop=loop), nxt, "acyclic"))
                break
            trail.append(nxt)
    return errors


def _calendar_errors(calendar: Mapping[str, Any] | None) -> list[ErrorDetail]:
    """The calendar's subdivision is one the holidays package knows; the patron saint's day exists."""
    if not calendar:
        return []
    errors: list[ErrorDetail] = []
    patron = calendar.get("patron_saint")
    if patron:
        try:
            dt.date(2000, int(patron["month"]), int(patron["day"]))  # a leap year: 29 February exists
        except ValueError:
            errors.append(ErrorDetail("$.calendar.patron_saint", Message("no such day of the year: {month}-{day}",
                                                                       month=patron["month"], day=patron["day"]),
                                      f"{patron['month']}-{patron['day']}", "calendar.patron_saint"))
    subdivision = calendar.get("subdivision")
    if subdivision:
        from ._calendar import subdivisions  # noqa: PLC0415 - imports the holidays package only for a subdivision

        country = str(calendar.get("country", "IT"))
        codes, aliases = subdivisions(country)
        if subdivision not in codes and subdivision not in aliases:
            errors.append(ErrorDetail("$.calendar.subdivision", unknown_reference(
                Message("subdivision of {country}", country=country), subdivision, codes), subdivision,
                "calendar.subdivision"))
    return errors


def _cycles(interventions: Mapping[str, Any]) -> list[ErrorDetail]:
    state: dict[str, int] = {}
    errors: list[ErrorDetail] = []

    def visit(code: str, trail: list[str]) -> None:
        if state.get(code) == 2 or code not in interventions:
            return
        if state.get(code) == 1:
            loop = [*trail[trail.index(code):], code]
            errors.append(ErrorDetail(f"$.interventions.{code}.prerequisites",
                                      Message("circular prerequisites: {loop}", loop=" -> ".join(loop)), code,
                                      "acyclic"))
            return
        state[code] = 1
        for pre in interventions[code].get("prerequisites", []):
            visit(pre, [*trail, code])
        state[code] = 2

    for code in sorted(interventions):
        visit(code, [])
    return errors
