"""
The plugin manager (from a factory) and typed, attributed hook calls.

``get_plugin_manager()`` registers the core defaults (``DEFAULT_PLUGINS``, all
``trylast``), then the installed territory plugins from the ``inclusione`` entry-point
group, then runs ``check_pending()`` so a misspelled hook fails loudly.

Environment switches:

* ``INCLUSIONE_LOAD_PLUGINS=a,b`` loads only these entry points (empty: none);
* ``INCLUSIONE_BLOCK_PLUGINS=a,b`` blocks plugins by name;
* ``INCLUSIONE_TRACE_PLUGINS=1`` prints every hook call and who answered to stderr.

:class:`Hooks` calls implementations one by one, in precedence order (see
:mod:`inclusione_core.hookspecs`), so every answer carries the plugin and version that
gave it, and an exception or a wrong return type becomes a
:class:`~inclusione_core.PluginError` naming the plugin and the hook.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib
import os
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
import pluggy

from . import hookspecs
from ._errors import DETAILED, InclusioneError, PluginError, RuleCollisionError, shorten
from ._models import (
    Deadline,
    DecidedBy,
    Eligibility,
    Equipe,
    Problem,
    ProfileDecision,
    Recommendation,
    Routing,
)
from ._pipeline import STAGES
from .hookspecs import PROJECT
from .i18n import Message

if TYPE_CHECKING:
    from ._config import Territory
    from ._models import Case, Profile, Project

T = TypeVar("T")
V = TypeVar("V")

DEFAULT_PLUGINS = ("inclusione_core._territory_italia", *STAGES, "inclusione_core._renderers",
                   "inclusione_core._journal_plugin")
CORE = "inclusione_core"


@functools.cache
def core_version() -> str:
    """The installed version of inclusione_core."""
    try:
        return metadata.version("inclusione-core")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def _names(var: str) -> set[str] | None:
    value = os.environ.get(var)
    if value is None:
        return None
    return {n.strip() for n in value.split(",") if n.strip()}


def get_plugin_manager(
    *, load_entrypoints: bool = True, plugins: Sequence[tuple[str, object]] = ()
) -> pluggy.PluginManager:
    """
    A new plugin manager with the core defaults, the installed plugins and ``plugins``.

    :param load_entrypoints: load installed territory plugins (entry-point group
        ``inclusione``), subject to ``INCLUSIONE_LOAD_PLUGINS``/``INCLUSIONE_BLOCK_PLUGINS``.
    :param plugins: extra ``(name, plugin)`` pairs to register (tests, embedders).
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in _names("INCLUSIONE_BLOCK_PLUGINS") or ():
        pm.set_blocked(name)
    for module in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module), name=module)
    if load_entrypoints:
        allowed = _names("INCLUSIONE_LOAD_PLUGINS")
        for ep in metadata.entry_points(group=PROJECT):
            if (allowed is not None and ep.name not in allowed) or pm.is_blocked(ep.name):
                continue
            if pm.get_plugin(ep.name) is not None:
                continue
            pm.register(ep.load(), name=ep.name)
    for name, plugin in plugins:
        pm.register(plugin, name=name)
    pm.check_pending()
    return pm


@attrs.frozen
class PluginInfo:
    """
    A plugin an engine uses: its registered name, distribution and version, and the
    territories it provides (``core`` for the core's own defaults, listed once).
    """

    name: str
    distribution: str
    version: str
    core: bool
    territories: tuple[str, ...]


SectionCheck = Callable[["Territory"], object]
"""What a section's schema cannot say, checked on a compiled territory: raises ConfigurationError."""


@attrs.frozen
class ConfigSection:
    """A configuration section a plugin declares: its name, JSON Schema file, plugin and its own check."""

    name: str
    schema: Path
    plugin: str
    check: SectionCheck | None = None


def _attributed(check: SectionCheck, plugin: str) -> SectionCheck:
    """A plugin's section check whose unexpected exception is a PluginError naming the plugin."""
    def run(territory: Territory) -> object:
        try:
            return check(territory)
        except InclusioneError:
            raise
        except Exception as exc:
            head = Message("exception {kind}", kind=type(exc).__name__)
            raise PluginError(plugin, "inclusione_register_sections",
                              Message(DETAILED, head=head, detail=shorten(str(exc)))) from exc
    return run


@attrs.frozen
class Answer(Generic[V]):
    """A hook answer with the plugin that gave it."""

    value: V
    by: DecidedBy


class Hooks:
    """
    Typed, attributed access to the hooks of one plugin manager.

    :ivar owners: territory id -> name of the plugin that registered it.
    """

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        """The raw pluggy manager. Calling ``pm.hook.inclusione_*`` directly bypasses the
        precedence of territories and the attribution of answers: call the typed methods below."""
        self.trace = os.environ.get("INCLUSIONE_TRACE_PLUGINS", "") not in ("", "0")
        self.owners: dict[str, str] = {}
        self.registered: dict[str, list[tuple[str, Path]]] = {}
        self._order_cache: dict[tuple[Any, ...], list[tuple[int, pluggy.HookImpl]]] = {}
        self._decided: dict[str, DecidedBy] = {}
        self._distributions: dict[str, tuple[str, str]] | None = None

    # ------------------------------------------------------------------ plumbing

    def _distribution(self, name: str, plugin: object) -> tuple[str, str]:
        """The distribution and version of a registered plugin: from its entry point, else from its module."""
        if name.startswith(CORE):
            return CORE, core_version()
        if self._distributions is None:
            self._distributions = {
                ep.name: (ep.dist.name, ep.dist.version) for ep in metadata.entry_points(group=PROJECT)
                if ep.dist is not None
            }
        return self._distributions.get(name) or (name, _module_version(plugin))

    def distribution(self, name: str) -> tuple[str, str]:
        """The distribution and version of the plugin registered as ``name``."""
        return self._distribution(name, self.pm.get_plugin(name))

    def decided_by(self, impl: pluggy.HookImpl) -> DecidedBy:
        """Provenance for an implementation: plugin (distribution) name and version (looked up once per plugin)."""
        name = impl.plugin_name
        found = self._decided.get(name)
        if found is None:
            dist, version = self._distribution(name, impl.plugin)
            found = self._decided[name] = DecidedBy(plugin=dist, version=version)
        return found

    def plugins(self) -> list[PluginInfo]:
        """Every plugin registered, the core's defaults as one (first), then the others by name."""
        rows: dict[str, PluginInfo] = {}
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:  # blocked
                continue
            key = CORE if name.startswith(CORE) else name
            dist, version = self._distribution(name, plugin)
            provided = tuple(t for t, _d in self.registered.get(name, []))
            previous = rows.get(key)
            rows[key] = PluginInfo(name=key, distribution=dist, version=version, core=key == CORE,
                                   territories=(previous.territories if previous else ()) + provided)
        return sorted(rows.values(), key=lambda p: (not p.core, p.name))

    def _ordered(self, hook: str, lineage: Sequence[str]) -> list[tuple[int, pluggy.HookImpl]]:
        impls = list(reversed(getattr(self.pm.hook, hook).get_hookimpls()))  # pluggy call order
        key = (hook, tuple(lineage), tuple(id(i) for i in impls))
        cached = self._order_cache.get(key)
        if cached is None:
            cached = self._order_cache[key] = self._rank(hook, impls, lineage)
        return cached

    def _rank(
        self, hook: str, impls: list[pluggy.HookImpl], lineage: Sequence[str]
    ) -> list[tuple[int, pluggy.HookImpl]]:
        """
        The implementations asked for a case of ``lineage``, in precedence order: a plugin
        that registered territories is asked only when one of them is in the lineage, so
        its hooks never see another territory's cases (no ``within`` guard to repeat).
        """
        ranks = {self.owners[t]: i for i, t in reversed(list(enumerate(lineage))) if t in self.owners}
        owned = set(self.owners.values())

        def rank(impl: pluggy.HookImpl) -> int | None:
            name = impl.plugin_name
            if name.startswith(CORE):
                return len(lineage) + 1
            if name in ranks:
                return ranks[name]
            if name in owned:  # its territories are all outside this lineage: not asked
                return None
            return len(lineage)

        for impl in impls:
            if impl.hookwrapper or impl.wrapper:
                problem = Message("hookwrappers are not supported on inclusione_ hooks")
                raise PluginError(impl.plugin_name, hook, problem)
        ranked = ((rank(i), i) for i in impls)
        return sorted(((r, i) for r, i in ranked if r is not None), key=lambda p: p[0])

    def _call(self, impl: pluggy.HookImpl, hook: str, kwargs: dict[str, Any]) -> Any:
        args = [kwargs[name] for name in impl.argnames]
        try:
            result = impl.function(*args)
        except Exception as exc:
            head = Message("exception {kind}", kind=type(exc).__name__)
            raise PluginError(  # the exception's text may quote a whole value: shortened
                impl.plugin_name, hook, Message(DETAILED, head=head, detail=shorten(str(exc)))
            ) from exc
        if self.trace:
            print(f"[inclusione] {hook} <- {impl.plugin_name}: {type(result).__name__}", file=sys.stderr)
        return result

    @staticmethod
    def _check(impl: pluggy.HookImpl, hook: str, value: Any, kind: type, many: bool) -> None:
        ok = (
            isinstance(value, list | tuple) and all(isinstance(v, kind) for v in value)
            if many
            else isinstance(value, kind)
        )
        if not ok:
            expected = Message("a sequence of {kind}", kind=kind.__name__) if many else kind.__name__
            head = Message("wrong return type")
            raise PluginError(impl.plugin_name, hook, Message(DETAILED, head=head, detail=Message(
                "expected {expected}, received {value}", expected=expected, value=repr(value)[:120])))

    def first(
        self, hook: str, kind: type[T], lineage: Sequence[str], *, many: bool = False, **kwargs: Any
    ) -> Answer[Any]:
        """
        Call a firstresult hook in precedence order; collisions at one precedence are errors.

        :raises RuleCollisionError: two plugins of the same precedence both answered.
        :raises PluginError: an implementation raised or answered with a wrong type.
        """
        found: tuple[int, pluggy.HookImpl, Any] | None = None
        for rank, impl in self._ordered(hook, lineage):
            if found is not None and rank != found[0]:
                break
            value = self._call(impl, hook, kwargs)
            if value is None:
                continue
            self._check(impl, hook, value, kind, many)
            if found is not None:
                raise RuleCollisionError(
                    f"hook {hook}",
                    [found[1].plugin_name, impl.plugin_name],
                    Message("Two plugins of the same precedence answer for the same territory: one of them must"
                            " register the territory or return None."),
                )
            found = (rank, impl, value)
        if found is None:
            raise PluginError(Message("(none)"), hook, Message("no plugin answered, not even the core's default"))
        return Answer(found[2], self.decided_by(found[1]))

    def collect(self, hook: str, kind: type[T], lineage: Sequence[str], **kwargs: Any) -> list[T]:
        """Call a contribution hook on every implementation and concatenate the answers."""
        out: list[T] = []
        for _rank, impl in self._ordered(hook, lineage):
            value = self._call(impl, hook, kwargs)
            if value is None:
                continue
            self._check(impl, hook, value, kind, True)
            by = self.decided_by(impl)  # each contribution names the plugin that made it
            out.extend(attrs.evolve(v, decided_by=by) if hasattr(v, "decided_by") else v for v in value)
        return out

    # ------------------------------------------------------------------ the pipeline's hooks, typed

    def assess_profile(self, lineage: Sequence[str], *, case: Case, territory: Territory,
                       as_of: dt.date) -> Answer[ProfileDecision]:
        """Stage 1: the profile, from the most specific plugin that answers (see :mod:`.hookspecs`)."""
        answer: Answer[ProfileDecision] = self.first("inclusione_assess_profile", ProfileDecision, lineage,
                                                     case=case, territory=territory, as_of=as_of)
        return answer

    def route(self, lineage: Sequence[str], *, case: Case, territory: Territory, as_of: dt.date,
              profile: Profile) -> Answer[Routing]:
        """Stage 2: where the case goes."""
        answer: Answer[Routing] = self.first("inclusione_route", Routing, lineage, case=case, territory=territory,
                                             as_of=as_of, profile=profile)
        return answer

    def coordinate(self, lineage: Sequence[str], *, case: Case, territory: Territory, as_of: dt.date,
                   profile: Profile, routing: Routing) -> Answer[Routing]:
        """Stage 2b: complementarity, a routing turned into coordination where programmes overlap."""
        answer: Answer[Routing] = self.first("inclusione_coordinate", Routing, lineage, case=case,
                                             territory=territory, as_of=as_of, profile=profile, routing=routing)
        return answer

    def compose_equipe(self, lineage: Sequence[str], *, case: Case, territory: Territory, as_of: dt.date,
                       profile: Profile, routing: Routing) -> Answer[Equipe]:
        """Stage 3: the equipe and why each member is there."""
        answer: Answer[Equipe] = self.first("inclusione_compose_equipe", Equipe, lineage, case=case,
                                            territory=territory, as_of=as_of, profile=profile, routing=routing)
        return answer

    def recommend_interventions(self, lineage: Sequence[str], *, case: Case, territory: Territory, as_of: dt.date,
                                profile: Profile) -> Answer[Sequence[Recommendation]]:
        """Stage 4: the interventions, prerequisites first."""
        answer: Answer[Sequence[Recommendation]] = self.first(
            "inclusione_recommend_interventions", Recommendation, lineage, many=True, case=case, territory=territory,
            as_of=as_of, profile=profile)
        return answer

    def validate_project(self, lineage: Sequence[str], *, case: Case, project: Project, equipe: Equipe,
                         territory: Territory, as_of: dt.date) -> list[Problem]:
        """Stage 5: every plugin's problems with the project, each attributed."""
        return self.collect("inclusione_validate_project", Problem, lineage, case=case, project=project,
                            equipe=equipe, territory=territory, as_of=as_of)

    def compute_deadlines(self, lineage: Sequence[str], *, case: Case, territory: Territory,
                          as_of: dt.date) -> list[Deadline]:
        """Stage 6: every plugin's deadlines, each attributed."""
        return self.collect("inclusione_compute_deadlines", Deadline, lineage, case=case, territory=territory,
                            as_of=as_of)

    def check_eligibility(self, lineage: Sequence[str], *, measure: str, case: Case, territory: Territory,
                          as_of: dt.date) -> Answer[Eligibility]:
        """Stage 7: whether a measure is in force and applies."""
        answer: Answer[Eligibility] = self.first("inclusione_check_eligibility", Eligibility, lineage,
                                                 measure=measure, case=case, territory=territory, as_of=as_of)
        return answer

    # ------------------------------------------------------------------ configuration-time hooks

    def register_territories(self, on_each: Callable[[str, Path, str], None]) -> None:
        """Ask every plugin for its territories; ``on_each(id, directory, plugin_name)``."""
        hook = "inclusione_register_territories"
        for impl in reversed(self.pm.hook.inclusione_register_territories.get_hookimpls()):
            name = impl.plugin_name
            asked: list[tuple[str, Path]] = []

            def register(territory: str, directory: Path, _asked: list[tuple[str, Path]] = asked) -> None:
                _asked.append((territory, Path(directory)))

            self._call(impl, hook, {"register": register})
            # Applied after the plugin's call, so that a collision between two plugins is a
            # RuleCollisionError, not a PluginError blaming whichever registered second.
            for territory, directory in asked:
                on_each(territory, directory, name)
                self.owners.setdefault(territory, name)
                self.registered.setdefault(name, []).append((territory, directory))

    def register_renderers(self) -> dict[str, Any]:
        """Every renderer the plugins register, by name: a plugin's before the core's of the same name."""
        from ._errors import RuleCollisionError  # noqa: PLC0415
        from ._renderers import RendererInfo  # noqa: PLC0415

        hook = "inclusione_register_renderers"
        found: dict[str, RendererInfo] = {}
        for impl in reversed(self.pm.hook.inclusione_register_renderers.get_hookimpls()):
            asked: list[tuple[str, Any, str, str]] = []

            def register(name: str, factory: Any, *, description: str = "", media_type: str = "text/plain",
                         _asked: list[tuple[str, Any, str, str]] = asked) -> None:
                _asked.append((name, factory, description, media_type))

            self._call(impl, hook, {"register": register})
            core = impl.plugin_name.startswith(CORE)
            for name, factory, description, media_type in asked:
                previous = found.get(name)
                if previous is not None and not core and not previous.plugin.startswith(CORE):
                    raise RuleCollisionError(f"renderer {name!r}", [previous.plugin, impl.plugin_name],
                                             Message("Two plugins register the same format: rename one."))
                if previous is None or not core:
                    found[name] = RendererInfo(name=name, description=description, media_type=media_type,
                                               factory=factory, plugin=impl.plugin_name)
        return dict(sorted(found.items()))

    def register_sections(self, core: Collection[str]) -> dict[str, ConfigSection]:
        """
        Every configuration section the plugins declare, by name.

        :param core: the top-level keys the core's own schema uses: no plugin may take one.
        :raises PluginError: a plugin declares a name the core uses.
        :raises RuleCollisionError: two plugins declare the same name.
        """
        hook = "inclusione_register_sections"
        found: dict[str, ConfigSection] = {}
        for impl in reversed(self.pm.hook.inclusione_register_sections.get_hookimpls()):
            asked: list[tuple[str, Path, SectionCheck | None]] = []

            def register(name: str, schema: Path, check: SectionCheck | None = None,
                         _asked: list[tuple[str, Path, SectionCheck | None]] = asked) -> None:
                _asked.append((name, Path(schema), check))

            self._call(impl, hook, {"register": register})
            for name, schema, check in asked:
                if name in core or name.startswith(("_", "$")):
                    raise PluginError(impl.plugin_name, hook, Message(
                        "the section name {name!r} is the core's: choose another", name=name))
                previous = found.get(name)
                if previous is not None:
                    raise RuleCollisionError(Message("configuration section {name!r}", name=name),
                                             [previous.plugin, impl.plugin_name],
                                             Message("Two plugins declare the same section: rename one."))
                found[name] = ConfigSection(name=name, schema=schema, plugin=impl.plugin_name,
                                            check=_attributed(check, impl.plugin_name) if check else None)
        return found

    def register_journal_stores(self) -> dict[str, tuple[Callable[[str], Any], str]]:
        """
        Every journal store the plugins register, by address scheme: ``(open, plugin)``, a
        plugin's before the core's of the same scheme.

        :raises RuleCollisionError: two plugins register the same scheme.
        """
        from ._errors import RuleCollisionError  # noqa: PLC0415

        hook = "inclusione_register_journal_stores"
        found: dict[str, tuple[Callable[[str], Any], str]] = {}
        for impl in reversed(self.pm.hook.inclusione_register_journal_stores.get_hookimpls()):
            asked: list[tuple[str, Callable[[str], Any]]] = []

            def register(scheme: str, opener: Callable[[str], Any],
                         _asked: list[tuple[str, Callable[[str], Any]]] = asked) -> None:
                _asked.append((scheme, opener))

            self._call(impl, hook, {"register": register})
            core = impl.plugin_name.startswith(CORE)
            for scheme, opener in asked:
                previous = found.get(scheme)
                if previous is not None and not core and not previous[1].startswith(CORE):
                    raise RuleCollisionError(Message("journal store {scheme!r}", scheme=scheme),
                                             [previous[1], impl.plugin_name],
                                             Message("Two plugins register the same store: rename one's scheme."))
                if previous is None or not core:
                    found[scheme] = (opener, impl.plugin_name)
        return found

    def configure_converter(self, converter: Any) -> None:
        """Let every plugin register its converter hooks."""
        hook = "inclusione_configure_converter"
        for impl in reversed(self.pm.hook.inclusione_configure_converter.get_hookimpls()):
            self._call(impl, hook, {"converter": converter})


def _module_version(plugin: object) -> str:
    """
    A plugin registered without its entry point (by hand, or under another name): its
    ``__version__``, else the version of the distribution whose ``inclusione_core`` entry
    points, or installed files, name its top-level package, else ``0+unknown``.
    """
    version = getattr(plugin, "__version__", None)
    if version:
        return str(version)
    top = str(getattr(plugin, "__name__", "")).partition(".")[0]
    return _package_versions().get(top, "0+unknown") if top else "0+unknown"


@functools.cache
def _package_versions() -> Mapping[str, str]:
    """Top-level package -> version of the distribution providing it."""
    found: dict[str, str] = {}
    for top, dists in metadata.packages_distributions().items():
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[top] = metadata.version(dists[0])
    for ep in metadata.entry_points(group=PROJECT):  # editable installs list no package files
        if ep.dist is not None:
            found[ep.module.partition(".")[0]] = ep.dist.version
    return found
