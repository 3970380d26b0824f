"""
The hook contract between the core and territory plugins.

Every hook has the ``inclusione_`` prefix and receives keyword arguments; an
implementation may accept only the arguments it needs (pluggy's opt-in arguments), so
new arguments can be added without breaking plugins.

**Scope and precedence.** Pipeline hooks receive the compiled ``territory``. The core
asks a plugin that registered territories only about cases whose territory is one of
them or lies inside one of them (its lineage), so a plugin needs no guard of its own. For
a case in ``prato`` the core asks, in order: the plugin that registered ``prato``, then
the one that registered ``toscana`` (its parent), then plugins that registered no
territory (they answer for every territory, or return ``None``), then the core
defaults, which interpret the configuration. The first answer wins ("Stops at first
non-None result"); two answers at the same precedence are a
:class:`~inclusione_core.RuleCollisionError`. Contribution hooks (``validate_project``,
``compute_deadlines``) collect every answer of the plugins asked.

Hookwrappers are not supported on these hooks: the core calls implementations one by
one so that every answer and every failure is attributed to its plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import datetime as dt

    import cattrs

    from ._config import Territory
    from ._models import (
        Case,
        Deadline,
        Eligibility,
        Equipe,
        Problem,
        Profile,
        ProfileDecision,
        Project,
        Recommendation,
        Routing,
    )

PROJECT = "inclusione"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

RegisterTerritory = Callable[[str, Path], None]
"""``register(territory_id, directory)``: ``directory`` holds ``territory.yaml``."""


@hookspec
def inclusione_register_territories(register: RegisterTerritory) -> None:
    """
    Register the territories this plugin provides, with their configuration directories.

    Registering a territory makes the plugin its owner: for cases in that territory (and
    in territories that extend it) the plugin's answers take precedence over less
    specific plugins. Two plugins registering the same id is an error.

    :param register: call ``register(territory_id, directory)`` once per territory.
    :return: nothing.

    .. versionadded:: 0.1.0
    """


@hookspec
def inclusione_configure_converter(converter: cattrs.Converter) -> None:
    """
    Register structure/unstructure hooks for model types the plugin adds.

    :param converter: the engine's converter (never cattrs' global one).
    :return: nothing.

    .. versionadded:: 0.1.0
    """


RegisterRenderer = Callable[..., None]
"""``register(name, factory, *, description="", media_type="text/plain")``: ``factory(out, lang)`` makes a
:class:`~inclusione_core.Renderer` writing to ``out``."""
RegisterSection = Callable[..., None]
"""``register(name, schema, check=None)``: a configuration section, the path of its JSON Schema
file, and a check of what the schema cannot say (``check(territory)`` raises ConfigurationError)."""


@hookspec
def inclusione_register_renderers(register: RegisterRenderer) -> None:
    """
    Register output renderers (formats the CLI offers as ``--format NAME``, and any face
    through :meth:`~inclusione_core.Engine.renderer`).

    Every plugin contributes; a name registered by a territory plugin takes precedence over
    the core's (``text``, ``markdown``, ``json``, ``jsonl``, ``csv``), and two plugins
    registering the same name is an error. A renderer writes
    :class:`~inclusione_core.View` objects only: it never sees a raw result or case.

    :param register: call ``register(name, factory, description=..., media_type=...)`` once per renderer.
    :return: nothing.

    .. versionadded:: 0.2.0
    """


@hookspec
def inclusione_register_sections(register: RegisterSection) -> None:
    """
    Declare the plugin's own configuration sections: top-level keys of ``territory.yaml``
    (``sil:`` for the SIL's tables) that the core reads with the rest of each layer,
    validates against the plugin's JSON Schema (errors with path and line), merges along
    ``extends`` (a child's values over its parent's), digests and caches with the
    territory. Read a section with ``territory.section(name)``.

    A name the core uses, or that another plugin registered, is an error.

    :param register: call ``register(name, schema, check=None)`` once per section;
        ``schema`` is the path of a JSON Schema (Draft 2020-12) file, checked once;
        ``check(territory)``, optional, checks what the schema cannot say on each compiled
        territory that has the section, raising :class:`~inclusione_core.ConfigurationError`,
        so that ``validate`` reports it like any configuration error.
    :return: nothing.

    .. versionadded:: 0.2.0
    """


RegisterJournalStore = Callable[..., None]
"""``register(scheme, open)``: ``open(address)`` returns a :class:`~inclusione_core.journal.JournalStore`
for an address ``scheme:...`` (``sqlite:casi.db``, ``postgresql://...``)."""


@hookspec
def inclusione_register_journal_stores(register: RegisterJournalStore) -> None:
    """
    Register where case journals may be kept: a store for each address scheme.

    Every plugin contributes; a scheme registered by a plugin takes precedence over the
    core's (``sqlite``, ``postgresql``, ``postgres``), and two plugins registering the same
    scheme is an error. An embedding system that keeps cases in its own store registers it
    here (or does without the journal: nothing else in the library needs one).

    :param register: call ``register(scheme, open)`` once per scheme; ``open(address)``
        returns an object with the methods of :class:`~inclusione_core.journal.JournalStore`.
    :return: nothing.

    .. versionadded:: 0.2.0
    """


@hookspec(firstresult=True)
def inclusione_assess_profile(
    case: Case, territory: Territory, as_of: dt.date
) -> ProfileDecision | None:
    """
    Assess the profile: occupability, complexity, activability, pathway and flags.

    Stops at first non-None result. The core default reads ``profile`` in the
    configuration.

    :param case: the case, with its latest assessment (may be ``None``).
    :param territory: the compiled territory configuration.
    :param as_of: the date the rules are evaluated on.
    :return: the profile with a reason for each part, or ``None`` to pass.

    .. versionadded:: 0.1.0
    """


@hookspec(firstresult=True)
def inclusione_route(
    case: Case, territory: Territory, as_of: dt.date, profile: Profile
) -> Routing | None:
    """
    Route an access or referral: which service, by which channel, within which deadline.

    Stops at first non-None result. A refusal (e.g. direct access to a second-level
    service) is a :class:`Routing` with outcome ``refused`` and its reason.

    :param case: the case, with its ``access``.
    :param territory: the compiled territory configuration.
    :param as_of: the date the rules are evaluated on.
    :param profile: the profile assessed for the case.
    :return: the routing, or ``None`` to pass.

    .. versionadded:: 0.1.0
    """


@hookspec(firstresult=True)
def inclusione_coordinate(
    case: Case, territory: Territory, as_of: dt.date, profile: Profile, routing: Routing
) -> Routing | None:
    """
    Complementarity: whether a case routed to a service is already on an overlapping
    programme, and so coordinated rather than taken twice.

    Stops at first non-None result. The core's default applies the territory's
    ``coordination`` rules: the first that holds turns the routing into the outcome
    ``coordination``, naming the parties to inform (:class:`Coordination`) with its reason
    appended; otherwise it returns the routing with its reasons widened by what the rules
    read (whether a case is coordinated may reveal the programmes of its members, so what
    the check read shows in the routing either way). A plugin answers with its own check,
    widening the reasons likewise when nothing holds, or ``None`` to pass.

    :param routing: the routing of stage 2.
    :return: the routing, changed or not, or ``None`` to pass.

    .. versionadded:: 0.2.0
    """


@hookspec(firstresult=True)
def inclusione_compose_equipe(
    case: Case, territory: Territory, as_of: dt.date, profile: Profile, routing: Routing
) -> Equipe | None:
    """
    Choose the equipe format and compose it, with the reason for each member.

    Stops at first non-None result.

    :param case: the case.
    :param territory: the compiled territory configuration.
    :param as_of: the date the rules are evaluated on.
    :param profile: the profile assessed for the case.
    :param routing: where the case was routed.
    :return: the composed equipe, or ``None`` to pass.

    .. versionadded:: 0.1.0
    """


@hookspec(firstresult=True)
def inclusione_recommend_interventions(
    case: Case, territory: Territory, as_of: dt.date, profile: Profile
) -> Sequence[Recommendation] | None:
    """
    Recommend interventions, ordered so that prerequisites (propedeuticità) come first.

    Stops at first non-None result; an empty sequence is an answer ("nothing fits").

    :param case: the case.
    :param territory: the compiled territory configuration.
    :param as_of: the date the rules are evaluated on.
    :param profile: the profile assessed for the case.
    :return: the ordered recommendations, or ``None`` to pass.

    .. versionadded:: 0.1.0
    """


@hookspec
def inclusione_validate_project(
    case: Case, project: Project, equipe: Equipe, territory: Territory, as_of: dt.date
) -> Sequence[Problem]:
    """
    Check a personalised project; every plugin contributes the problems it finds.

    :param case: the case the project belongs to.
    :param project: the project to check.
    :param equipe: the equipe composed for the case (who must sign, who provides).
    :param territory: the compiled territory configuration.
    :param as_of: the date the rules are evaluated on.
    :return: the problems found (empty when none); all answers are collected.

    .. versionadded:: 0.1.0
    """
    return ()  # <- Please MyPy


@hookspec(firstresult=True)
def inclusione_check_eligibility(
    measure: str, case: Case, territory: Territory, as_of: dt.date
) -> Eligibility | None:
    """
    Check whether a measure (rdc, adi, sfl, gol...) is in force and applies, as of a date.

    Stops at first non-None result.

    :param measure: the measure code.
    :param case: the case.
    :param territory: the compiled territory configuration.
    :param as_of: the date; the measure's dated rules in force then apply.
    :return: the eligibility with reasons, or ``None`` to pass.

    .. versionadded:: 0.1.0
    """


@hookspec
def inclusione_compute_deadlines(
    case: Case, territory: Territory, as_of: dt.date
) -> Sequence[Deadline]:
    """
    Compute deadlines and monitoring reviews; every plugin contributes its own.

    :param case: the case.
    :param territory: the compiled territory configuration.
    :param as_of: the date the statuses (upcoming, due, overdue, met) refer to.
    :return: the deadlines found (empty when none); all answers are collected.

    .. versionadded:: 0.1.0
    """
    return ()  # <- Please MyPy
