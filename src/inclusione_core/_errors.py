"""
The error hierarchy: one base class, structured attributes, messages that say what to do.

Every error a user can provoke with bad input is an :class:`InclusioneError`. Input
errors carry a list of :class:`ErrorDetail` (JSON path, value, rule) so that all of them
are reported at once, in the same ``message @ $.path`` shape for configurations, cases,
scenario files and plugin answers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import reprlib
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

__all__ = [
    "ConfigurationError",
    "ErrorDetail",
    "InclusioneError",
    "InputError",
    "InvalidCaseError",
    "PluginError",
    "RuleCollisionError",
    "ScenarioFileError",
    "TerritoryNotFoundError",
    "TransitionError",
]

MAX_SHOWN = 80
"""At most this many characters of an offending value are kept in an error (issue 11)."""
_MAX_KEY = 40  # a key longer than this is shortened in a JSON path
_SMALL_INT = 10**18
_SMALL_NODES = 16

_short = reprlib.Repr()
_short.maxstring = MAX_SHOWN + 10  # the value is already clipped: leave room for the quotes
_short.maxother = MAX_SHOWN + 10
_LONG_SEGMENT = re.compile(rf"[^.\[\]']{{{_MAX_KEY + 1},}}")


def _cut(text: str, size: int = MAX_SHOWN) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _small(value: Any) -> bool:
    """Whether a list or mapping is small enough to be shown whole (a few short scalars)."""
    stack, seen = [value], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > _SMALL_NODES:
            return False
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, str):
            if len(item) > MAX_SHOWN:
                return False
        elif isinstance(item, float):
            if not math.isfinite(item):
                return False
        elif isinstance(item, int):
            if not -_SMALL_INT < item < _SMALL_INT:
                return False
        elif item is not None:
            return False
    return len(repr(value)) <= MAX_SHOWN


def shorten(value: Any) -> Any:
    """
    An offending value as an error may carry it: never more than :data:`MAX_SHOWN` characters.

    Short scalars and small lists or mappings are kept as they are; a long text is cut (with
    ``…``), a huge integer becomes a description of its size, a non-finite number its name, a
    large list or mapping a shortened ``repr``. So an error never copies a 100 MB value.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if -_SMALL_INT < value < _SMALL_INT:
            return value
        digits = int(value.bit_length() * math.log10(2)) + 1  # str() of a huge int would raise
        return f"<intero di circa {digits} cifre>"
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, str):
        return _cut(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | dict) and _small(value):
        return value
    try:
        return _cut(_short.repr(value))
    except Exception:  # a hostile object whose repr fails: name its type only
        return f"<{type(value).__name__}>"


def shorten_path(path: str) -> str:
    """A JSON path with every over-long key cut, so that a path never carries a whole value."""
    if len(path) <= _MAX_KEY:
        return path
    return _LONG_SEGMENT.sub(lambda m: _cut(m.group(), _MAX_KEY), path)


@attrs.frozen
class ErrorDetail:
    """
    One problem found in some input.

    :ivar path: JSON path of the offending value, e.g. ``$.household.members[0].birth_date``
        (an over-long key in it is shortened).
    :ivar message: what is wrong, in plain words.
    :ivar value: the offending value, shortened by :func:`shorten` (``None`` when the problem
        is a missing value, or when the value may not be shown: a special category of data).
    :ivar rule: the rule that was broken (schema keyword, validator name, or rule id).
    :ivar line: line of the input where the problem is, when known (YAML and JSON files).
    :ivar column: column (1-based, in characters), when known.
    """

    path: str = attrs.field(converter=shorten_path)
    message: str
    value: Any = attrs.field(default=None, converter=shorten)
    rule: str = ""
    line: int | None = None
    column: int | None = None

    @property
    def where(self) -> str:
        """``riga 3, colonna 7`` (or part of it) when the position is known, else ``""``."""
        parts = []
        if self.line is not None:
            parts.append(f"riga {self.line}")
        if self.column is not None:
            parts.append(f"colonna {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (valore: {_short.repr(self.value)})"
        rule = f" [regola: {self.rule}]" if self.rule else ""
        where = f" ({self.where})" if self.where else ""
        return f"{self.message}{shown} @ {self.path}{where}{rule}"

    def to_json(self) -> dict[str, Any]:
        """The detail as JSON: path, message, the (shortened) value, rule, line and column where known."""
        value = None if self.rule == "required" else self.value
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):  # not JSON (NaN, a date...): its text
            value = repr(value)
        out: dict[str, Any] = {"path": self.path, "message": self.message, "value": value, "rule": self.rule}
        if self.line is not None:
            out["line"] = self.line
        if self.column is not None:
            out["column"] = self.column
        return out

    def without_value(self) -> ErrorDetail:
        """The same problem, without the offending value."""
        return self if self.value is None else attrs.evolve(self, value=None)


class InclusioneError(Exception):
    """Base class of every error raised by inclusione_core."""

    __module__ = "inclusione_core"

    def to_json(self) -> dict[str, Any]:
        """The error as JSON (``view.schema.json``, an error line): its type and message."""
        return {"type": type(self).__name__, "message": str(self)}

    def without_values(self) -> InclusioneError:
        """The same error with no value of the input in it, for output meant for a recipient."""
        return self


class InputError(InclusioneError, ValueError):
    """
    Some input (a file, a case, a scenario) is invalid; every problem is listed.

    :ivar source: where the input came from (file name, ``<stdin>:3``, ...).
    :ivar details: all problems found, each with its JSON path, value and rule.
    """

    __module__ = "inclusione_core"
    title = "input non valido"

    def __init__(self, source: str, details: Iterable[ErrorDetail]) -> None:
        self.source = source
        self.details: tuple[ErrorDetail, ...] = tuple(details)
        count = len(self.details)
        lines = [f"{self.title}: {source} ({count} {'errore' if count == 1 else 'errori'})"]
        lines += [f"  - {d}" for d in self.details]
        super().__init__("\n".join(lines))

    def without_values(self) -> InputError:
        """The same error with no offending value in any detail (for output meant for a recipient)."""
        return type(self)(self.source, [d.without_value() for d in self.details])

    def to_json(self) -> dict[str, Any]:
        """The error as JSON: type, message, source, title and every detail with its path."""
        from ._messages import has_text, tr  # noqa: PLC0415

        title = next((tr(f"input.{c.__name__}", "it") for c in type(self).__mro__
                      if has_text(f"input.{c.__name__}")), self.title)
        return {**super().to_json(), "source": self.source, "title": title,
                "details": [d.to_json() for d in self.details]}


class InvalidCaseError(InputError):
    """
    A case does not conform to the case exchange format.

    A detail about a field of a special category of data (health, addiction, justice...),
    or of a category that the territory configuration gives by code, carries no value;
    nor does a detail about a whole object or list of the case.
    """

    __module__ = "inclusione_core"
    title = "caso non valido"

    def __init__(self, source: str, details: Iterable[ErrorDetail]) -> None:
        from ._convert import case_details  # noqa: PLC0415 - the models, only once a case failed

        super().__init__(source, case_details(details))


class ConfigurationError(InputError):
    """A territory configuration is invalid (schema, inheritance or references)."""

    __module__ = "inclusione_core"
    title = "configurazione non valida"


class ScenarioFileError(InputError):
    """A YAML scenario (test case) file is malformed."""

    __module__ = "inclusione_core"
    title = "file di scenari non valido"


class TerritoryNotFoundError(InclusioneError, LookupError):
    """No installed plugin or configuration directory provides the territory."""

    __module__ = "inclusione_core"

    def __init__(self, territory: str, known: Sequence[str]) -> None:
        self.territory = territory
        self.known = tuple(known)
        super().__init__(
            f"territorio sconosciuto: {territory!r}; disponibili: {', '.join(known) or '(nessuno)'}."
            " Usa `inclusione territories` per l'elenco o installa il plugin del territorio."
        )


class PluginError(InclusioneError):
    """
    A plugin raised an exception or answered a hook with a value of the wrong type.

    :ivar plugin: the plugin's registered name.
    :ivar hook: the hook being called.
    """

    __module__ = "inclusione_core"

    def __init__(self, plugin: str, hook: str, problem: str) -> None:
        self.plugin = plugin
        self.hook = hook
        self.problem = problem
        super().__init__(f"plugin {plugin!r}, hook {hook}: {problem}")

    def without_values(self) -> PluginError:
        """The error without the plugin's exception text, which may quote the case."""
        return PluginError(self.plugin, self.hook, self.problem.split(":", 1)[0])


class RuleCollisionError(InclusioneError):
    """
    Two plugins or two configuration layers define the same thing at the same precedence.

    :ivar what: the thing defined twice.
    :ivar by: who defined it (plugin names or file names).
    """

    __module__ = "inclusione_core"

    def __init__(self, what: str, by: Sequence[str], hint: str) -> None:
        self.what = what
        self.by = tuple(by)
        super().__init__(f"definizione in conflitto: {what} (da {', '.join(by)}). {hint}")


class TransitionError(InclusioneError, ValueError):
    """
    A state machine (referral, SIL phase, case status) was asked for an illegal transition.

    :ivar entity: what is changing state, e.g. ``referral r-1``.
    :ivar current: the current state.
    :ivar requested: the requested state.
    :ivar allowed: the states reachable from the current one.
    """

    __module__ = "inclusione_core"

    def __init__(self, entity: str, current: str, requested: str, allowed: Iterable[str]) -> None:
        self.entity = entity
        self.current = current
        self.requested = requested
        self.allowed = tuple(sorted(allowed))
        can = ", ".join(self.allowed) or "nessuna (stato finale)"
        super().__init__(
            f"{entity}: transizione non ammessa {current} -> {requested}; da {current} si può"
            f" andare a: {can}"
        )
