"""
The error hierarchy: one base class, structured attributes, messages that say what to do.

Every error a user can provoke with bad input is an :class:`InclusioneError`. Input
errors carry a list of :class:`ErrorDetail` (JSON path, value, rule) so that all of them
are reported at once, in the same ``message @ $.path`` shape for configurations, cases,
scenario files and plugin answers.
"""

from __future__ import annotations

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

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60


@attrs.frozen
class ErrorDetail:
    """
    One problem found in some input.

    :ivar path: JSON path of the offending value, e.g. ``$.household.members[0].birth_date``.
    :ivar message: what is wrong, in plain words.
    :ivar value: the offending value (``None`` when the problem is a missing value).
    :ivar rule: the rule that was broken (schema keyword, validator name, or rule id).
    """

    path: str
    message: str
    value: Any = None
    rule: str = ""

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (valore: {_short.repr(self.value)})"
        rule = f" [regola: {self.rule}]" if self.rule else ""
        return f"{self.message}{shown} @ {self.path}{rule}"


class InclusioneError(Exception):
    """Base class of every error raised by inclusione_core."""

    __module__ = "inclusione_core"


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


class InvalidCaseError(InputError):
    """A case does not conform to the case exchange format."""

    __module__ = "inclusione_core"
    title = "caso non valido"


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
