"""
The pipeline: validate -> assess -> route -> compose the equipe -> recommend -> plan/monitor.

:class:`Engine` is built once (plugins loaded, converter built) and compiles each
territory configuration once, on first use; :meth:`Engine.assess` is then pure and
deterministic: the same case, territory configuration and as-of date always give the
same :class:`~inclusione_core.Result`, whose provenance says what produced it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pluggy

from ._config import Territory, TerritoryIndex
from ._convert import make_converter, structure_case
from ._measures import in_force
from ._models import (
    Case,
    Deadline,
    DecidedBy,
    Eligibility,
    Equipe,
    Problem,
    ProfileDecision,
    Provenance,
    Recommendation,
    Result,
    Routing,
)
from ._plugins import Answer, Hooks, core_version, get_plugin_manager

__all__ = ["Engine", "TerritoryInfo"]


@attrs.frozen
class TerritoryInfo:
    """An available territory: id, who provides it, and its configuration directory."""

    id: str
    provided_by: str
    directory: Path


class Engine:
    """
    The inclusione_core engine: plugins, converter and compiled territories, reused across cases.

    :param plugin_manager: a manager from :func:`get_plugin_manager` (default: a new one
        with the installed plugins).
    :param config_dirs: directories holding ``<id>/territory.yaml`` configurations; they
        take precedence over the reference configurations that plugins provide.
    """

    def __init__(
        self,
        *,
        plugin_manager: pluggy.PluginManager | None = None,
        config_dirs: Iterable[Path] = (),
    ) -> None:
        self.hooks = Hooks(plugin_manager or get_plugin_manager())
        self.index = TerritoryIndex()
        self.hooks.register_territories(self.index.add)
        for directory in config_dirs:
            self.index.add_search_dir(Path(directory))
        self.converter = make_converter()
        self.hooks.configure_converter(self.converter)

    # ------------------------------------------------------------------ territories

    def territories(self) -> list[TerritoryInfo]:
        """Every available territory, sorted by id."""
        return [TerritoryInfo(t, self.index.owner(t), self.index.directory(t)) for t in self.index.ids()]

    def territory(self, territory_id: str) -> Territory:
        """The compiled configuration of a territory (loaded and validated once)."""
        return self.index.get(territory_id)

    # ------------------------------------------------------------------ cases

    def load_case(self, data: Any, source: str = "<case>") -> Case:
        """
        Structure a JSON-ready case; on failure list every error by JSON path.

        :raises InvalidCaseError: the case does not conform to ``case.schema.json``.
        """
        return structure_case(self.converter, data, source)

    def to_json(self, obj: Any) -> Any:
        """JSON-ready form of any model (case, result...)."""
        return self.converter.unstructure(obj)

    def assess(self, case: Case | Mapping[str, Any], *, as_of: dt.date, territory: str | None = None) -> Result:
        """
        Run the whole pipeline on one case, as of a date, and explain every decision.

        :param case: a :class:`Case` or its JSON-ready form.
        :param as_of: the date whose rules apply (dated measures, thresholds, deadlines).
        :param territory: territory whose rules apply (default: the case's own).
        """
        if not isinstance(case, Case):
            case = self.load_case(case)
        terr = self.territory(territory or case.territory)
        lineage = terr.lineage
        kw: dict[str, Any] = {"case": case, "territory": terr, "as_of": as_of}

        profile_a = self.hooks.first("inclusione_assess_profile", ProfileDecision, lineage, **kw)
        profile = _stamp(profile_a)
        routing = _stamp(self.hooks.first("inclusione_route", Routing, lineage, profile=profile.profile, **kw))
        equipe = _stamp(self.hooks.first(
            "inclusione_compose_equipe", Equipe, lineage, profile=profile.profile, routing=routing, **kw))
        recs_a = self.hooks.first("inclusione_recommend_interventions", Recommendation, lineage, many=True,
                                  profile=profile.profile, **kw)
        recommendations = tuple(attrs.evolve(r, decided_by=recs_a.by) for r in recs_a.value)
        problems: tuple[Problem, ...] = ()
        if case.project is not None:
            problems = tuple(self.hooks.collect(
                "inclusione_validate_project", Problem, lineage, project=case.project, equipe=equipe, **kw))
        deadlines = tuple(sorted(
            self.hooks.collect("inclusione_compute_deadlines", Deadline, lineage, **kw),
            key=lambda d: (d.due, d.code)))
        measures = tuple(self._eligibility(case, terr, as_of))
        decided: list[DecidedBy | None] = [profile.decided_by, routing.decided_by, equipe.decided_by, recs_a.by]
        decided += [p.decided_by for p in problems]
        decided += [d.decided_by for d in deadlines]
        decided += [m.decided_by for m in measures]
        return Result(
            case_id=case.id, territory=terr.id, as_of=as_of, profile=profile, routing=routing,
            equipe=equipe, interventions=recommendations, deadlines=deadlines, measures=measures,
            project_problems=problems,
            provenance=Provenance(
                as_of=as_of, territory=terr.id, core_version=core_version(), config_digest=terr.digest,
                layers=terr.layers,
                plugins=tuple(sorted({d for d in decided if d is not None}, key=lambda d: d.plugin)),
            ),
        )

    def eligibility(self, measure: str, case: Case, *, as_of: dt.date, territory: str | None = None) -> Eligibility:
        """Whether a measure is in force and applies to the case on ``as_of``."""
        terr = self.territory(territory or case.territory)
        answer = self.hooks.first("inclusione_check_eligibility", Eligibility, terr.lineage,
                                  measure=measure, case=case, territory=terr, as_of=as_of)
        result: Eligibility = _stamp(answer)
        return result

    def _eligibility(self, case: Case, terr: Territory, as_of: dt.date) -> Iterable[Eligibility]:
        configured = terr.section("measures")
        codes = {c for c, m in configured.items() if in_force(m, as_of)}
        codes |= {m.code for m in case.measures if m.active_on(as_of)}
        for code in sorted(codes):
            yield self.eligibility(code, case, as_of=as_of, territory=terr.id)

    def assess_many(self, cases: Sequence[Case], *, as_of: dt.date) -> list[Result]:
        """Assess several cases with the same compiled configurations."""
        return [self.assess(c, as_of=as_of) for c in cases]


def _stamp(answer: Answer[Any]) -> Any:
    """Set the answering plugin on a decision (plugins do not stamp their own provenance)."""
    value = answer.value
    by: DecidedBy = answer.by
    if isinstance(value, list | tuple):
        return type(value)(attrs.evolve(v, decided_by=by) for v in value)
    return attrs.evolve(value, decided_by=by)
