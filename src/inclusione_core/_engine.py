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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import attrs
import pluggy

from ._audit import AuditLog, AuditRecord, MemoryAuditLog
from ._batch import BATCH, Assessed, Outcome, assess_each, assess_stream
from ._checks import check_case
from ._config import CONFIG_DIR_ENV, Territory, TerritoryIndex, core_keys, env_config_dirs
from ._convert import make_converter, structure_case
from ._errors import ErrorDetail, InputError, InvalidCaseError
from ._models import (
    Case,
    ConfigLayer,
    Deadline,
    DeadlineStatus,
    DecidedBy,
    Eligibility,
    Equipe,
    Problem,
    ProfileDecision,
    Provenance,
    Purpose,
    Reason,
    Result,
    Routing,
    RoutingOutcome,
)
from ._pipeline.coordination import reads as coordination_reads
from ._pipeline.enterprises import match_positions
from ._pipeline.network import assign as assign_network
from ._pipeline.stage7_measures import in_force, partners, resolve_incompatibilities
from ._plugins import Answer, Hooks, PluginInfo, core_version, get_plugin_manager
from ._privacy import (
    Grants,
    Policy,
    Recipient,
    View,
    disclosure_day,
    pseudonymise,
    view_case,
    view_document,
    view_result,
)
from ._reader import DEFAULT_LIMITS, JsonLine, Limits
from ._reasons import core_reason
from ._renderers import Renderer, RendererInfo
from ._scenarios import ScenarioFileRun, run_scenario_files, scenario_files
from ._scores import scores as scores_of
from ._validation import FileReport, territory_warnings, validate
from .i18n import Message

if TYPE_CHECKING:
    from ._scaffold import Scaffold

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
        take precedence over the reference configurations that plugins provide, and over
        the folders of ``INCLUSIONE_CONFIG_DIR`` (folders separated by ``os.pathsep``),
        which every engine reads first.
    :param audit: where disclosure records go (default: in memory; use
        :class:`JsonlAuditLog` to keep them).
    :param clock: the moment of each disclosure (default: now; a naive datetime is taken
        as UTC): consents are judged on its day in Italy, and it is stamped on the audit
        record in UTC. Inject one in tests; a disclosure never takes its time from the caller.
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
        self._clock = clock or _utcnow
        self._installed_plugins = plugin_manager is None
        self.hooks = Hooks(plugin_manager or get_plugin_manager())
        sections = self.hooks.register_sections(core_keys())
        self.index = TerritoryIndex(self.limits, provider=self.hooks.distribution,
                                    sections={name: s.schema for name, s in sections.items()},
                                    checks={name: s.check for name, s in sections.items() if s.check})
        self.hooks.register_territories(self.index.add)
        self._given_dirs = tuple(Path(d) for d in config_dirs)
        self.config_dirs = (*env_config_dirs(), *self._given_dirs)
        """Every configuration folder read, in precedence order (the last wins)."""
        missing = [d for d in self.config_dirs if not d.is_dir()]
        if missing:
            raise InputError(str(missing[0]), [
                ErrorDetail("$", Message("configuration directory does not exist"), str(d),
                            "config-dir" if d in self._given_dirs else CONFIG_DIR_ENV) for d in missing])
        for directory in self.config_dirs:
            self.index.add_search_dir(directory)
        self.converter = make_converter(self.limits)
        self._renderers: dict[str, RendererInfo] | None = None
        # cases this engine's converter built: their dates are within the limits already
        self._loaded: weakref.WeakValueDictionary[int, Case] = weakref.WeakValueDictionary()
        self.hooks.configure_converter(self.converter)

    # ------------------------------------------------------------------ territories

    def territories(self) -> list[TerritoryInfo]:
        """Every available territory, sorted by id."""
        return [TerritoryInfo(t, self.index.owner(t), self.index.directory(t)) for t in self.index.ids()]

    def with_config_dir(self, directory: Path | str) -> Engine:
        """
        An engine like this one (plugins, audit, clock, limits) that also reads the
        configurations of ``directory``, which take precedence (to check an edited copy).
        """
        return Engine(plugin_manager=self.hooks.pm, config_dirs=[*self._given_dirs, Path(directory)],
                      audit=self.audit, clock=self._clock, limits=self.limits)

    def validate(self, paths: Iterable[Path | str], *, lang: str = "it") -> list[FileReport]:
        """
        Validate files an integrator edits: territory configurations (with their examples and
        scenario files), cases (``.json``, every line of a ``.jsonl``) and scenario files.

        :return: one report per input, every error listed by path; never raises on bad input.
        """
        return validate(self, paths, lang)

    def new_territory(self, territory_id: str, *, extends: str, directory: Path | str = ".", plugin: bool = False,
                      label: str | None = None, level: str | None = None) -> Scaffold:
        """
        Write a new territory extending ``extends`` in ``directory``: a territory folder
        (``territory.yaml``, an example case, a scenario file whose one scenario passes, a
        README) that validates and passes its tests at once; with ``plugin``, inside a plugin
        distribution ``inclusione-<id>`` (entry point, registration, an example hook, tests).

        :raises InputError: the id is invalid or already a territory, the parent is unknown
            (the closest id named), the target folder exists (nothing is written).
        """
        from ._scaffold import new_territory  # noqa: PLC0415 - only this command writes files

        return new_territory(self, territory_id, extends, directory, plugin=plugin, label=label, level=level)

    def territory_warnings(self, territory_id: str) -> list[Message]:
        """
        What is valid in a territory's configuration but probably not meant: scenario files
        of its ``scenarios/`` folder that ``scenarios:`` does not list (``inclusione test``
        would not run them), and kinds of service of its roles and services that are no
        privacy recipient, or that no flow gives data to (``assess --recipient`` would be
        refused, or give nothing).

        :raises InclusioneError: the territory is unknown or its configuration invalid.
        """
        return territory_warnings(self.territory(territory_id))

    def scenario_files(self, specs: Sequence[str | Path] = (), *, lang: str = "it") -> list[Path]:
        """The scenario files of some files, folders or territory ids (default: of every territory)."""
        return scenario_files(self, specs, lang)

    def run_scenarios(self, files: Iterable[Path], *, lang: str = "it",
                      select: Sequence[str] = ()) -> Iterator[ScenarioFileRun]:
        """
        Run the scenarios of each file: the outcome of each, or the error of a file or scenario.

        :param select: only the scenarios whose name contains one of these (case-insensitive).
        """
        return run_scenario_files(self, files, lang=lang, select=select)

    def renderers(self) -> dict[str, RendererInfo]:
        """The output formats registered (the core's and the plugins'), by name."""
        if self._renderers is None:
            self._renderers = self.hooks.register_renderers()
        return self._renderers

    def renderer(self, name: str, out: TextIO, *, lang: str = "it", explain: str = "compact") -> Renderer:
        """
        A renderer of the format ``name`` writing to ``out``.

        :param explain: for a format of views as JSON (``json``, ``jsonl``: those with an
            ``explain`` attribute), ``compact`` or ``full`` (:meth:`View.to_json`).
        :raises InputError: no plugin registers that format (the known ones are listed).
        """
        info = self.renderers().get(name)
        if info is None:
            raise InputError("--format", [ErrorDetail(
                "$", Message("unknown format; available: {known}", known=", ".join(self.renderers())), name, "format")])
        renderer: Renderer = info.factory(out, lang)
        if hasattr(renderer, "explain"):
            renderer.explain = explain
        return renderer

    def plugins(self) -> list[PluginInfo]:
        """The plugins this engine uses: the core's defaults first, then each with its version and territories."""
        return self.hooks.plugins()

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
            raise InvalidCaseError(source or Message("case {id}", id=case.id), errors)

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
                "as_of", Message("expected a date between {low} and {high}", low=low.isoformat(),
                                 high=high.isoformat()),
                repr(as_of), "limit:dates")])
        if not isinstance(case, Case):
            case = self.load_case(case, source or "<case>")
        whole = self.territory(territory or case.territory)
        self.check(case, whole, as_of=as_of, source=source)  # codes out of force on as_of are still codes
        terr = whole.in_force(as_of)  # only what was in force on as_of (docs/configuration.md, "Periods in force")
        lineage, hooks = terr.lineage, self.hooks
        kw: dict[str, Any] = {"case": case, "territory": terr, "as_of": as_of}

        profile: ProfileDecision = _stamp(hooks.assess_profile(lineage, **kw))
        routing: Routing = _stamp(hooks.route(lineage, profile=profile.profile, **kw))
        coordinated = hooks.coordinate(lineage, profile=profile.profile, routing=routing, **kw)
        if coordinated.value is not routing:  # a plugin, or the territory's rules, looked for an overlap
            by = coordinated.by if coordinated.value.outcome is RoutingOutcome.COORDINATION else routing.decided_by
            routing = attrs.evolve(coordinated.value, decided_by=by)
        equipe: Equipe = _stamp(hooks.compose_equipe(lineage, profile=profile.profile, routing=routing, **kw))
        read = coordination_reads(case, terr, as_of, profile.profile, routing)
        if read:  # the equipe follows a routing the coordination check could change: it read what the check read
            equipe = attrs.evolve(equipe, reasons=tuple(
                attrs.evolve(r, categories=tuple(sorted({*r.categories, *read}))) for r in equipe.reasons))
        recs_a = hooks.recommend_interventions(lineage, profile=profile.profile, **kw)
        stamped = [attrs.evolve(r, decided_by=recs_a.by) for r in recs_a.value]
        recommendations = tuple(r for r in stamped if r.proposed)
        not_proposed = tuple(r for r in stamped if not r.proposed)
        problems: tuple[Problem, ...] = ()
        if case.project is not None:
            problems = tuple(hooks.validate_project(lineage, project=case.project, equipe=equipe, **kw))
        deadlines = tuple(sorted((_days_counted(d, as_of) for d in hooks.compute_deadlines(lineage, **kw)),
                                 key=lambda d: (d.due, d.code)))
        measures = tuple(self._eligibility(case, terr, as_of))
        network = assign_network(case, terr)
        scored = scores_of(case, terr, as_of)
        placements = match_positions(case, terr, as_of)
        note = no_territorial_rule(terr, as_of)
        if note is not None:  # the territory's own rules were not in force yet (or no longer): the national ones apply
            routing = attrs.evolve(routing, reasons=(*routing.reasons, note))
            equipe = attrs.evolve(equipe, reasons=(*equipe.reasons, note))
        decided: list[DecidedBy | None] = [profile.decided_by, routing.decided_by, equipe.decided_by, recs_a.by]
        decided += [p.decided_by for p in problems]
        decided += [d.decided_by for d in deadlines]
        decided += [m.decided_by for m in measures]
        return Result(
            case_id=case.id, territory=terr.id, as_of=as_of, profile=profile, routing=routing,
            equipe=equipe, interventions=recommendations, deadlines=deadlines, measures=measures,
            project_problems=problems, not_proposed=not_proposed, network=network, scores=scored,
            placements=placements,
            provenance=Provenance(
                as_of=as_of, territory=terr.id, core_version=core_version(), config_digest=terr.digest,
                layers=tuple(layers_as_of(terr.layers, as_of)),
                plugins=tuple(sorted({d for d in decided if d is not None}, key=lambda d: d.plugin)),
            ),
        )

    def assess_stream(
        self, cases: Iterable[JsonLine | Case | Mapping[str, Any]], *, as_of: dt.date, recipient: Recipient | str,
        purpose: Purpose | str, territory: str | None = None, channel: str = "api", redact: bool = False,
        jobs: int = 1, batch: int = BATCH, encode: str | None = None,
    ) -> Iterator[Outcome]:
        """
        Assess many cases, each on its own, and disclose each result to one recipient:
        exactly one :class:`Outcome` per case, in order, the view or the error, whatever
        fails for one case (its line, its territory's configuration, a plugin, a defect).

        Cases go by batches: a batch's audit records are appended at once (one write, one
        fsync) before its outcomes are yielded, so nothing is output that is not audited; a
        crash loses at most the batch under way, outcomes and records together.

        :param cases: the lines of :func:`read_cases` (each may carry its reading error),
            cases, or their JSON-ready forms.
        :param redact: leave every value of the input out of the errors (output meant for a
            named recipient).
        :param jobs: worker processes (each with its own engine, built once, with the
            installed plugins); with more than one, started only if the input is longer than
            a batch. The outcomes are the same, in the same order.
        :param batch: cases per batch (and per task of a worker).
        :param encode: ``compact`` or ``full``: each outcome carries its view already encoded
            as a JSON line in that form (:attr:`Outcome.line`, the bytes the ``jsonl`` renderer
            writes) instead of the view, made where the case is assessed: with worker
            processes, only those bytes travel back.
        """
        return assess_stream(self, cases, as_of=as_of, recipient=recipient, purpose=purpose, territory=territory,
                             channel=channel, redact=redact, jobs=jobs, batch=batch, encode=encode)

    def assess_each(
        self, cases: Iterable[JsonLine | Case | Mapping[str, Any]], *, as_of: dt.date, territory: str | None = None,
    ) -> Iterator[Assessed]:
        """
        Assess many cases, each on its own, for the embedding program: exactly one
        :class:`Assessed` per case, in order, the case with its result or the error, whatever
        fails for one case. Nothing is disclosed nor audited: for aggregates
        (:func:`inclusione_core.indicators`); a result goes to a recipient only through
        :meth:`disclose_result` (or :meth:`assess_stream`).
        """
        return assess_each(self, cases, as_of=as_of, territory=territory)

    def eligibility(self, measure: str, case: Case, *, as_of: dt.date, territory: str | None = None) -> Eligibility:
        """
        Whether a measure is in force and applies to the case on ``as_of``, its
        incompatibilities with other measures applied (``incompatible_with``).
        """
        terr = self.territory(territory or case.territory).in_force(as_of)
        codes = [measure, *sorted(partners(terr, measure) & self._assessed_codes(case, terr, as_of))]
        (result,) = [e for e in self._resolved(codes, case, terr, as_of) if e.measure == measure]
        return result

    def _one_eligibility(self, measure: str, case: Case, terr: Territory, as_of: dt.date) -> Eligibility:
        answer = self.hooks.check_eligibility(terr.lineage, measure=measure, case=case, territory=terr, as_of=as_of)
        result: Eligibility = _stamp(answer)
        return result

    def _resolved(self, codes: Iterable[str], case: Case, terr: Territory, as_of: dt.date) -> list[Eligibility]:
        base = [self._one_eligibility(code, case, terr, as_of) for code in codes]
        return resolve_incompatibilities(base, case, terr, as_of)

    @staticmethod
    def _assessed_codes(case: Case, terr: Territory, as_of: dt.date) -> set[str]:
        """The measures a result lists: those in force on the date and those the household is enrolled in."""
        codes = {c for c, m in terr.section("measures").items() if in_force(m, as_of)}
        return codes | {m.code for m in case.measures if m.active_on(as_of)}

    def _eligibility(self, case: Case, terr: Territory, as_of: dt.date) -> Iterable[Eligibility]:
        return self._resolved(sorted(self._assessed_codes(case, terr, as_of)), case, terr, as_of)

    # ------------------------------------------------------------------ disclosure

    def disclose_case(
        self, case: Case, *, recipient: Recipient | str, purpose: Purpose | str, as_of: dt.date,
        channel: str = "api", territory: str | None = None,
    ) -> View:
        """
        The view of a case for a recipient and purpose; appends an audit record.

        Everything that leaves the core towards a recipient goes through this method,
        :meth:`disclose_result`, :meth:`disclose_document` or :meth:`export_statistics`.
        The case is checked first (:meth:`check`). Consents are judged at the moment of the
        disclosure (the engine's clock), never at ``as_of``.

        :param as_of: the date whose rules apply (the territory configuration in force).
        :param channel: what carries the data out (``api``, ``cli``, ``scheda_invio``...),
            recorded in the audit.
        """
        view = self._case_view(case, recipient, purpose, as_of, territory)
        self._audit(view, self.territory(view.territory), channel)
        return view

    def preview_case(
        self, case: Case, *, recipient: Recipient | str, purpose: Purpose | str, as_of: dt.date,
        territory: str | None = None,
    ) -> View:
        """
        What :meth:`disclose_case` would return, **not audited**: the view a plugin builds a
        document from, when the document then leaves through :meth:`disclose_document` (which
        audits what actually leaves). Never send a preview itself.
        """
        return attrs.evolve(self._case_view(case, recipient, purpose, as_of, territory), preview=True)

    def _case_view(self, case: Case, recipient: Recipient | str, purpose: Purpose | str, as_of: dt.date,
                   territory: str | None) -> View:
        terr = self.territory(territory or case.territory)
        self.check(case, terr)  # a consent of a non-member or of a minor never opens anything
        who, why = _addressee(terr, recipient, purpose)
        return view_case(case, terr, who, why, as_of, self.converter, at=self._now())

    def grants(self, case: Case, *, recipient: Recipient | str, purpose: Purpose | str,
               territory: str | None = None) -> Grants:
        """
        What a recipient may receive of a case for a purpose **now** (the engine's clock):
        for a plugin that must decide before it builds a document. Nothing is disclosed
        nor audited; the case is checked first.
        """
        terr = self.territory(territory or case.territory)
        self.check(case, terr)
        who, why = _addressee(terr, recipient, purpose)
        day = disclosure_day(self._now())
        return Policy.on(terr, day).grants(case, who.kind, why, day)

    def disclose_result(
        self, result: Result, case: Case, *, recipient: Recipient | str, purpose: Purpose | str,
        channel: str = "api",
    ) -> View:
        """The view of a pipeline result for a recipient (reasons filtered by category); audited."""
        view = self._result_view(result, case, recipient, purpose)
        self._audit(view, self.territory(view.territory), channel)
        return view

    def preview_result(
        self, result: Result, case: Case, *, recipient: Recipient | str, purpose: Purpose | str,
    ) -> View:
        """What :meth:`disclose_result` would return, **not audited** (see :meth:`preview_case`)."""
        return attrs.evolve(self._result_view(result, case, recipient, purpose), preview=True)

    def _result_view(self, result: Result, case: Case, recipient: Recipient | str, purpose: Purpose | str) -> View:
        if result.case_id != case.id:  # the consents and the audit record must be the result's own case
            raise ValueError(Message("the result is about case {result!r}, not {case!r}", result=result.case_id,
                                     case=case.id))
        terr = self.territory(result.territory)
        self.check(case, terr)
        who, why = _addressee(terr, recipient, purpose)
        return view_result(result, case, terr, who, why, self.converter, at=self._now())

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
            raise ValueError(Message("fields of the document without a data category: {fields}",
                                     fields=", ".join(missing)))
        terr = self.territory(case.territory)
        self.check(case, terr)
        who, why = _addressee(terr, recipient, purpose)
        view = view_document(case, document, categories, terr, who, why, as_of, self.converter, at=self._now())
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
            raise ValueError(Message("the pseudonymisation key must have at least 16 bytes"))
        out = []
        for case in cases:
            terr = self.territory(case.territory)
            self.check(case, terr)
            who, why = _addressee(terr, recipient, Purpose.STATISTICS)
            view = view_case(case, terr, who, why, as_of, self.converter, at=self._now())
            view = attrs.evolve(view, data=pseudonymise(view.data, Case, key), pseudonymised=True)
            self._audit(view, terr, channel)
            out.append(view.data)
        return out

    def _now(self) -> dt.datetime:
        """The moment of a disclosure, from the engine's clock, as an aware datetime (naive: UTC)."""
        now = self._clock()
        return now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now

    def disclosure_history(self, case_id: str) -> list[AuditRecord]:
        """Who received what about a case, and when (the data subject's right of access)."""
        return self.audit.records(case_id)

    def _audit(self, view: View, terr: Territory, channel: str) -> None:
        self.audit.append(self._record(view, terr, channel))

    def _record(self, view: View, terr: Territory, channel: str) -> AuditRecord:
        """The audit record of a disclosure (the log sets seq, prev and hash when it is appended)."""
        at = view.at or self._now()
        return AuditRecord(
            at=at.astimezone(dt.UTC).isoformat(timespec="seconds"),
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
                 "consents": list(d.consents), "members": list(d.members)}
                for d in view.disclosed
            ),
            # the categories the recipient may not receive, not what this case held (counts would reveal it)
            not_disclosed=tuple(sorted({w.category for w in view.not_disclosed})),
            pseudonymised=view.pseudonymised,
            config_digest=terr.digest,
        )

    def _disclosure(self, result: Result, case: Case, recipient: Recipient | str, purpose: Purpose | str,
                    channel: str) -> tuple[View, AuditRecord]:
        """The view of a result and its audit record, not yet appended (a stream appends a batch at once)."""
        view = self._result_view(result, case, recipient, purpose)
        return view, self._record(view, self.territory(view.territory), channel)

    def _worker_spec(self) -> dict[str, Any]:
        """What a worker process needs to build an engine like this one (its plugins: the installed ones)."""
        if not self._installed_plugins:
            raise ValueError("jobs > 1 needs an engine with the installed plugins (no plugin_manager given)")
        return {"config_dirs": self._given_dirs, "limits": self.limits, "clock": self._clock}

    def assess_many(self, cases: Sequence[Case], *, as_of: dt.date) -> list[Result]:
        """Assess several cases with the same compiled configurations."""
        return [self.assess(c, as_of=as_of) for c in cases]


def _utcnow() -> dt.datetime:
    """The real time, in UTC: the default clock of an engine."""
    return dt.datetime.now(dt.UTC)


def _addressee(territory: Territory, recipient: Recipient | str, purpose: Purpose | str) -> tuple[Recipient, Purpose]:
    """
    The recipient and purpose of a disclosure, checked against the territory's privacy
    configuration before anything is disclosed or audited.

    :raises InputError: a recipient kind the territory does not provide for (a typo such
        as ``cpl`` would otherwise receive nothing, and be audited), or an unknown purpose.
    """
    who = recipient if isinstance(recipient, Recipient) else Recipient(kind=recipient)
    known = Policy.of(territory).recipients
    errors = []
    if who.kind not in known:
        # the kind is the caller's own argument, not case data: named in the message too
        listed = ", ".join(sorted(known)) or "—"
        text = Message("recipient {kind!r} not provided for by the privacy configuration of territory {territory}"
                       " (provided for: {known})", kind=who.kind[:40], territory=territory.id, known=listed)
        errors.append(ErrorDetail("$.recipient", text, who.kind, "recipient"))
    try:
        why = Purpose(purpose)
    except ValueError:
        errors.append(ErrorDetail("$.purpose", Message("unknown purpose (allowed: {known})",
                                                       known=", ".join(p.value for p in Purpose)),
                                  str(purpose), "purpose"))
    if errors:
        raise InputError(Message("recipient"), errors)
    return who, why


def layers_as_of(layers: Iterable[ConfigLayer], as_of: dt.date) -> Iterator[ConfigLayer]:
    """The layers of a result: each with whether its declared period contains the as-of date."""
    for layer in layers:
        if layer.valid_from is None and layer.valid_to is None:
            yield layer
        else:
            inside = (layer.valid_from is None or layer.valid_from <= as_of) and (
                layer.valid_to is None or as_of <= layer.valid_to)
            yield attrs.evolve(layer, in_force=inside)


def no_territorial_rule(territory: Territory, as_of: dt.date) -> Reason | None:
    """
    The reason saying that no rule of the territory's own layers was in force on the as-of
    date, so the national ones applied (None when some was, or the territory is the root).
    """
    if territory.territorial_in_force():
        return None
    layers = [la for la in territory.layers if la.territory != territory.lineage[-1]]
    starts = sorted({la.valid_from.isoformat() for la in layers if la.valid_from is not None})
    return core_reason(territory, "territorio.nessuna_regola_in_vigore", Message(
        "No territorial rule in force on {day} ({layers}): the national rules ({root}) apply.",
        day=as_of.isoformat(), layers=", ".join(la.territory for la in layers), root=territory.lineage[-1]),
        inputs={"data": as_of.isoformat(), "livelli": [la.territory for la in layers],
                "in_vigore_dal": starts})


def _days_counted(deadline: Deadline, as_of: dt.date) -> Deadline:
    """
    A plugin's deadline with the days late or overdue its status implies, when the plugin gave
    only the status: every deadline of a result carries them alike.
    """
    if deadline.status is DeadlineStatus.OVERDUE and deadline.days_overdue is None and deadline.due < as_of:
        return attrs.evolve(deadline, days_overdue=(as_of - deadline.due).days)
    if deadline.status is DeadlineStatus.MET_LATE and deadline.days_late is None and deadline.met_on is not None:
        return attrs.evolve(deadline, days_late=(deadline.met_on - deadline.due).days)
    if deadline.status is DeadlineStatus.MET and deadline.days_late is None and deadline.met_on is not None:
        return attrs.evolve(deadline, days_late=0)
    return deadline


def _stamp(answer: Answer[Any]) -> Any:
    """Set the answering plugin on a decision (plugins do not stamp their own provenance)."""
    value = answer.value
    by: DecidedBy = answer.by
    if isinstance(value, list | tuple):
        return type(value)(attrs.evolve(v, decided_by=by) for v in value)
    return attrs.evolve(value, decided_by=by)
