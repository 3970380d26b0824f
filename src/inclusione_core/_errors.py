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

from ._messages import code_text, has_code_text
from .i18n import N_, Message, ntranslate, translate
from .i18n import text as i18n_text

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

DETAILED = N_("{head}: {detail}")
"""The msgid of a message made of a head and a detail that may quote a value (:meth:`PluginError.without_values`)."""
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
    :ivar message: what is wrong, in plain words: a :class:`~inclusione_core.i18n.Message`
        (its Italian text, rendered in the output's language by :meth:`text`), or a plain text.
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
        return self.where_text()

    def where_text(self, lang: str = "it") -> str:
        """The position in ``lang`` (``line 3, column 7`` in English), ``""`` when unknown."""
        parts = []
        if self.line is not None:
            parts.append(translate("line {line}", lang, line=self.line))
        if self.column is not None:
            parts.append(translate("column {column}", lang, column=self.column))
        return ", ".join(parts)

    def __str__(self) -> str:
        return self.text()

    def text(self, lang: str = "it") -> str:
        """``message (valore: ...) @ $.path (riga 3) [regola: ...]`` in ``lang`` (``str()`` is the Italian)."""
        shown = "" if self.value is None else f" ({translate('value', lang)}: {_short.repr(self.value)})"
        rule = f" [{translate('rule', lang)}: {self.rule}]" if self.rule else ""
        where = self.where_text(lang)
        where = f" ({where})" if where else ""
        return f"{i18n_text(self.message, lang)}{shown} @ {self.path}{where}{rule}"

    def to_json(self, lang: str = "it") -> dict[str, Any]:
        """
        The detail as JSON: path, message (in ``lang``), the (shortened) value, rule, line and
        column where known.
        """
        value = None if self.rule == "required" else self.value
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):  # not JSON (NaN, a date...): its text
            value = repr(value)
        out: dict[str, Any] = {"path": self.path, "message": i18n_text(self.message, lang), "value": value,
                               "rule": self.rule}
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

    def text(self, lang: str = "it") -> str:
        """The error's message in ``lang`` (``str(error)`` is the Italian one)."""
        first = self.args[0] if len(self.args) == 1 else None
        return first.text(lang) if isinstance(first, Message) else str(self)

    def to_json(self, lang: str = "it") -> dict[str, Any]:
        """The error as JSON (an error line): its type and message, in ``lang``."""
        return {"type": type(self).__name__, "message": self.text(lang)}

    def without_values(self) -> InclusioneError:
        """The same error with no value of the input in it, for output meant for a recipient."""
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # by state, whatever the subclass's __init__ takes: errors cross to and from worker processes
        return (_rebuild_error, (type(self), self.args, self.__dict__))


def _rebuild_error(cls: type[InclusioneError], args: tuple[Any, ...], state: dict[str, Any]) -> InclusioneError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class InputError(InclusioneError, ValueError):
    """
    Some input (a file, a case, a scenario) is invalid; every problem is listed.

    :ivar source: where the input came from (file name, ``<stdin>:3``, ...).
    :ivar details: all problems found, each with its JSON path, value and rule.
    """

    __module__ = "inclusione_core"
    title: str = Message("invalid input")

    def __init__(self, source: str, details: Iterable[ErrorDetail]) -> None:
        self.source = source
        self.details: tuple[ErrorDetail, ...] = tuple(details)
        super().__init__(self.text())

    def text(self, lang: str = "it") -> str:
        """Every problem, one a line, under a heading naming the input, in ``lang``."""
        count = len(self.details)
        errors = ntranslate("{n} error", "{n} errors", count, lang)
        lines = [f"{i18n_text(self.title, lang)}: {i18n_text(self.source, lang)} ({errors})"]
        lines += [f"  - {d.text(lang)}" for d in self.details]
        return "\n".join(lines)

    def without_values(self) -> InputError:
        """The same error with no offending value in any detail (for output meant for a recipient)."""
        return type(self)(self.source, [d.without_value() for d in self.details])

    def to_json(self, lang: str = "it") -> dict[str, Any]:
        """The error as JSON: type, message, source, title and every detail with its path, in ``lang``."""
        return {**super().to_json(lang), "source": i18n_text(self.source, lang), "title": input_title(self, lang),
                "details": [d.to_json(lang) for d in self.details]}


def input_title(exc: InputError, lang: str = "it") -> str:
    """What kind of input was invalid ("caso non valido"...), by the most specific error class."""
    for cls in type(exc).__mro__:
        if has_code_text("input", cls.__name__):
            return code_text("input", cls.__name__, lang)
    return i18n_text(exc.title, lang)


class InvalidCaseError(InputError):
    """
    A case does not conform to the case exchange format.

    A detail about a field of a special category of data (health, addiction, justice...),
    or of a category that the territory configuration gives by code, carries no value;
    nor does a detail about a whole object or list of the case.
    """

    __module__ = "inclusione_core"
    title = Message("invalid case")

    def __init__(self, source: str, details: Iterable[ErrorDetail]) -> None:
        from ._convert import case_details  # noqa: PLC0415 - the models, only once a case failed

        super().__init__(source, case_details(details))


class ConfigurationError(InputError):
    """A territory configuration is invalid (schema, inheritance or references)."""

    __module__ = "inclusione_core"
    title = Message("invalid configuration")


class ScenarioFileError(InputError):
    """A YAML scenario (test case) file is malformed."""

    __module__ = "inclusione_core"
    title = Message("invalid scenario file")


def closest(value: Any, known: Iterable[str]) -> str | None:
    """The known id closest to a mistyped one (:func:`difflib.get_close_matches`), or None when none is close."""
    import difflib  # noqa: PLC0415 - only on the error path

    if not isinstance(value, str):
        return None
    found = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return found[0] if found else None


class TerritoryNotFoundError(InclusioneError, LookupError):
    """No installed plugin or configuration directory provides the territory."""

    __module__ = "inclusione_core"

    def __init__(self, territory: str, known: Sequence[str]) -> None:
        self.territory = territory
        self.known = tuple(known)
        listed = ", ".join(known) or Message("(none)")
        suggestion = closest(territory, known)
        if suggestion is not None:
            super().__init__(Message(
                "unknown territory: {territory!r} (did you mean {suggestion!r}?); available: {known}. Use `inclusione"
                " territories` for the list or install the territory's plugin.", territory=territory,
                suggestion=suggestion, known=listed))
            return
        super().__init__(Message(
            "unknown territory: {territory!r}; available: {known}. Use `inclusione territories` for the list or"
            " install the territory's plugin.", territory=territory, known=listed,
        ))


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
        super().__init__(Message("plugin {plugin!r}, hook {hook}: {problem}", plugin=plugin, hook=hook,
                                 problem=problem))

    def without_values(self) -> PluginError:
        """The error without the plugin's exception text, which may quote the case."""
        problem = self.problem
        if isinstance(problem, Message) and problem.msgid == DETAILED:  # "{head}: {detail}": the head only
            return PluginError(self.plugin, self.hook, problem.params["head"])
        return PluginError(self.plugin, self.hook, problem.split(":", 1)[0])


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
        super().__init__(Message("conflicting definition: {what} (from {by}). {hint}", what=what, by=", ".join(by),
                                 hint=hint))


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
        can = ", ".join(self.allowed) or Message("none (final state)")
        super().__init__(Message(
            "{entity}: transition not allowed {current} -> {requested}; from {current} it can go to: {allowed}",
            entity=entity, current=current, requested=requested, allowed=can,
        ))
