"""
The pipeline: validate -> assess -> route -> compose the equipe -> recommend -> plan/monitor.

:class:`Engine` is built once (plugins loaded, converter built) and compiles each
territory configuration once, on first use; :meth:`Engine.assess` is then pure and
deterministic: the same case, territory configuration and as-of date always give the
same :class:`~inclusione_core.Result`, whose provenance says what produced it.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pluggy

from ._audit import AuditLog, AuditRecord, MemoryAuditLog
from ._checks import check_case
from ._config import Territory, TerritoryIndex
from ._convert import make_converter, structure_case
from ._errors import ErrorDetail, InputError, InvalidCaseError
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
    Purpose,
    Recommendation,
    Result,
    Routing,
)
from ._plugins import Answer, Hooks, core_version, get_plugin_manager
from ._privacy import Recipient, View, pseudonymise, view_case, view_document, view_result
from ._reader import DEFAULT_LIMITS, Limits

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
    :param audit: where disclosure records go (default: in memory; use
        :class:`JsonlAuditLog` to keep them).
    :param clock: the time stamped on audit records (default: now, UTC).
    :param limits: bounds on the cases given to :meth:`load_case` and :meth:`assess` (depth,
        sizes, integer digits, dates...; default: :class:`Limits`'s safe defaults).
    """

    def __init__(
        self,
        *,
        plugin_manager: pluggy.PluginManager | None = None,
        config_dirs: Iterable[Path] = (),
        audit: AuditLog | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.limits = limits or DEFAULT_LIMITS
        self.audit: AuditLog = audit if audit is not None else MemoryAuditLog()
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.hooks = Hooks(plugin_manager or get_plugin_manager())
        self.index = TerritoryIndex(self.limits)
        self.hooks.register_territories(self.index.add)
        for directory in config_dirs:
            self.index.add_search_dir(Path(directory))
        self.converter = make_converter(self.limits)
        # cases this engine's converter built: their dates are within the limits already
        self._loaded: weakref.WeakValueDictionary[int, Case] = weakref.WeakValueDictionary()
        self.hooks.configure_converter(self.converter)

    # ------------------------------------------------------------------ territories

    def territories(self) -> list[TerritoryInfo]:
        """Every available territory, sorted by id."""
        return [TerritoryInfo(t, self.index.owner(t), self.index.directory(t)) for t in self.index.ids()]

    def territory(self, territory_id: str) -> Territory:
        """The compiled configuration of a territory (loaded and validated once)."""
        return self.index.get(territory_id)

    # ------------------------------------------------------------------ cases

    def load_case(self, data: Any, source: str = "<case>", *, checked: bool = False) -> Case:
        """
        Structure a JSON-ready case; on failure list every error by JSON path.

        The value is first checked against the engine's limits (nesting, sizes, integer
        digits, finite numbers, text keys), so a hostile value is an error, not a crash.

        :param checked: ``data`` comes from the reader (``read_json``, ``read_json_lines``)
            with the same limits, which checked it already: skip that check.
        :raises InvalidCaseError: the case does not conform to ``case.schema.json`` or
            exceeds the limits.
        """
        case = structure_case(self.converter, data, source, self.limits, checked=checked)
        self._loaded[id(case)] = case
        return case

    def check(
        self, case: Case, territory: Territory | str | None = None, *, as_of: dt.date | None = None,
        source: str | None = None,
    ) -> None:
        """
        Check a well-formed case against the territory whose rules apply (unknown codes,
        missing members, periods ending before they start, dates outside the limits, and,
        with ``as_of``, members born after it).

        :param source: how to name the case in the error (default: ``caso <id>``).
        :raises InvalidCaseError: listing every problem by JSON path.
        """
        terr = territory if isinstance(territory, Territory) else self.territory(territory or case.territory)
        built_here = self._loaded.get(id(case)) is case
        errors = check_case(case, terr, as_of=as_of, limits=None if built_here else self.limits)
        if errors:
            raise InvalidCaseError(source or f"caso {case.id}", errors)

    def to_json(self, obj: Any) -> Any:
        """JSON-ready form of any model (case, result...)."""
        return self.converter.unstructure(obj)

    def assess(
        self, case: Case | Mapping[str, Any], *, as_of: dt.date, territory: str | None = None,
        source: str | None = None,
    ) -> Result:
        """
        Run the whole pipeline on one case, as of a date, and explain every decision.

        :param case: a :class:`Case` or its JSON-ready form.
        :param as_of: the date whose rules apply (dated measures, thresholds, deadlines),
            within the limits' dates.
        :param territory: territory whose rules apply (default: the case's own).
        :param source: how to name the case in errors (a file, ``file.jsonl:6``).
        :raises InputError: ``as_of`` is not a date within the limits.
        :raises InvalidCaseError: the case is invalid, or inconsistent with the territory.
        """
        low, high = self.limits.min_date, self.limits.max_date
        if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime) or not low <= as_of <= high:
            raise InputError("as_of", [ErrorDetail(
                "as_of", f"attesa una data tra {low.isoformat()} e {high.isoformat()}", repr(as_of), "limit:dates")])
        if not isinstance(case, Case):
            case = self.load_case(case, source or "<case>")
        terr = self.territory(territory or case.territory)
        self.check(case, terr, as_of=as_of, source=source)
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

    # ------------------------------------------------------------------ disclosure

    def disclose_case(
        self, case: Case, *, recipient: Recipient | str, purpose: Purpose | str, as_of: dt.date,
        channel: str = "api", territory: str | None = None,
    ) -> View:
        """
        The view of a case for a recipient and purpose on a date; appends an audit record.

        Everything that leaves the core towards a recipient goes through this method,
        :meth:`disclose_result` or :meth:`export_statistics`.

        :param channel: what carries the data out (``api``, ``cli``, ``scheda_invio``...),
            recorded in the audit.
        """
        terr = self.territory(territory or case.territory)
        view = view_case(case, terr, _recipient(recipient), Purpose(purpose), as_of, self.converter)
        self._audit(view, terr, channel)
        return view

    def disclose_result(
        self, result: Result, case: Case, *, recipient: Recipient | str, purpose: Purpose | str,
        channel: str = "api",
    ) -> View:
        """The view of a pipeline result for a recipient (reasons filtered by category); audited."""
        if result.case_id != case.id:  # the consents and the audit record must be the result's own case
            raise ValueError(f"il risultato riguarda il caso {result.case_id!r}, non {case.id!r}")
        terr = self.territory(result.territory)
        view = view_result(result, case, terr, _recipient(recipient), Purpose(purpose), self.converter)
        self._audit(view, terr, channel)
        return view

    def disclose_document(
        self, case: Case, document: Mapping[str, Any], *, categories: Mapping[str, str],
        recipient: Recipient | str, purpose: Purpose | str, as_of: dt.date, channel: str,
    ) -> View:
        """
        A document built by a plugin (a form, a notice) filtered for a recipient; audited.

        :param categories: the data category of each top-level key of the document; a key
            with no category is refused (every field must be classified).
        :raises ValueError: a key of the document has no category.
        """
        missing = sorted(set(document) - set(categories))
        if missing:
            raise ValueError(f"campi del documento senza categoria di dati: {', '.join(missing)}")
        terr = self.territory(case.territory)
        view = view_document(case, document, categories, terr, _recipient(recipient), Purpose(purpose), as_of,
                             self.converter)
        self._audit(view, terr, channel)
        return view

    def export_statistics(
        self, cases: Iterable[Case], *, key: bytes, as_of: dt.date, recipient: Recipient | str = "udp",
        channel: str = "export",
    ) -> list[dict[str, Any]]:
        """
        Pseudonymised statistical records, one per case: the statistics view of each case
        with identifiers hashed with ``key``, birth dates cut to the year, names and free
        text removed; each disclosure audited.
        """
        if len(key) < 16:
            raise ValueError("la chiave di pseudonimizzazione deve avere almeno 16 byte")
        out = []
        for case in cases:
            terr = self.territory(case.territory)
            view = view_case(case, terr, _recipient(recipient), Purpose.STATISTICS, as_of, self.converter)
            view = attrs.evolve(view, data=pseudonymise(view.data, Case, key), pseudonymised=True)
            self._audit(view, terr, channel)
            out.append(view.data)
        return out

    def disclosure_history(self, case_id: str) -> list[AuditRecord]:
        """Who received what about a case, and when (the data subject's right of access)."""
        return self.audit.records(case_id)

    def _audit(self, view: View, terr: Territory, channel: str) -> None:
        withheld: dict[str, int] = {}
        for w in view.withheld:
            withheld[w.category] = withheld.get(w.category, 0) + 1
        self.audit.append(AuditRecord(
            at=self._clock().isoformat(timespec="seconds"),
            case_id=view.case_id,
            territory=terr.id,
            recipient=view.recipient.kind,
            recipient_service=view.recipient.service,
            recipient_name=view.recipient.name,
            purpose=view.purpose.value,
            as_of=view.as_of.isoformat(),
            channel=channel,
            disclosed=tuple(
                {"category": d.category, "basis": d.basis, "flow": d.flow, "legal_basis": str(d.legal_basis),
                 "consent": d.consent}
                for d in view.disclosed
            ),
            withheld=tuple({"category": c, "items": n} for c, n in sorted(withheld.items())),
            pseudonymised=view.pseudonymised,
            config_digest=terr.digest,
        ))

    def assess_many(self, cases: Sequence[Case], *, as_of: dt.date) -> list[Result]:
        """Assess several cases with the same compiled configurations."""
        return [self.assess(c, as_of=as_of) for c in cases]


def _recipient(recipient: Recipient | str) -> Recipient:
    return recipient if isinstance(recipient, Recipient) else Recipient(kind=recipient)


def _stamp(answer: Answer[Any]) -> Any:
    """Set the answering plugin on a decision (plugins do not stamp their own provenance)."""
    value = answer.value
    by: DecidedBy = answer.by
    if isinstance(value, list | tuple):
        return type(value)(attrs.evolve(v, decided_by=by) for v in value)
    return attrs.evolve(value, decided_by=by)
