"""
Monitoring and deadlines: the core default, read from ``deadlines``, ``monitoring`` and ``calendar``.

A configured deadline runs from an event of the case (access, first assessment, referral
sent, project start, measure start, or the day another deadline was met) for a dated
number of days: calendar days, or working days of the territory's ``calendar`` (Monday to
Friday, less public holidays and the patron saint's day). A recurring deadline (``repeat``)
starts a new period each time it is met.

Only what happened by the as-of date counts: a clock whose starting event is later has not
started, and an event dated after the as-of date meets nothing. A deadline is **met** by its
first event on or after the start (after it, for a clock started by an event that could
itself meet it) and on or before the due date; an event after the due date meets it **late**
(``days_late``); with no event by the as-of date it is **overdue** after the due date
(``days_overdue``), else due or upcoming. The project's review rhythm (its own, or the
territory default) yields the next review, due or overdue on the as-of date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from .._calendar import WorkCalendar, calendar_of
from .._config import Territory, dated_value
from .._models import (
    Case,
    Deadline,
    DeadlineStatus,
    IntervalUnit,
    MeasureEnrolment,
    MonitoringRhythm,
    Reason,
    Referral,
    ReferralStatus,
)
from .._predicates import Facts, Inputs, evaluate
from .._reasons import from_entry
from ..hookspecs import hookimpl
from ..i18n import Message

__all__ = ["Standing", "add_days", "compute", "dated_deadline", "first_event", "next_review", "standing"]

ASSESSMENT_EVENT = "valutazione"
"""The kind of a history event recording an assessment (``case.history[].kind``)."""
EQUIPE_EVENT = "equipe"
"""The kind of a history event recording an equipe meeting."""


def add_days(start: dt.date, days: int, *, working: bool, calendar: WorkCalendar | None = None) -> dt.date:
    """``start`` plus ``days`` calendar days, or working days of ``calendar`` (default: Italy's public holidays)."""
    if not working:
        return start + dt.timedelta(days=days)
    return (calendar or WorkCalendar()).add_working_days(start, days)


@attrs.frozen
class Standing:
    """Where a deadline stands on the as-of date: its status and the days late or overdue."""

    status: DeadlineStatus
    met_on: dt.date | None = None
    days_late: int | None = None
    days_overdue: int | None = None


def standing(due: dt.date, as_of: dt.date, met_on: dt.date | None, soon: int) -> Standing:
    """
    Where a deadline due on ``due`` stands on ``as_of``, given the date of the event that met it.

    An event after ``as_of`` is ignored (not yet happened); one on or before ``due`` meets it,
    a later one meets it late; unmet, it is overdue after ``due``, due within ``soon`` days of it.
    """
    if met_on is not None and met_on <= as_of:
        if met_on <= due:
            return Standing(DeadlineStatus.MET, met_on, 0)
        return Standing(DeadlineStatus.MET_LATE, met_on, (met_on - due).days)
    if due < as_of:
        return Standing(DeadlineStatus.OVERDUE, days_overdue=(as_of - due).days)
    if (due - as_of).days <= soon:
        return Standing(DeadlineStatus.DUE)
    return Standing(DeadlineStatus.UPCOMING)


def dated_deadline(*, code: str, label: str, due: dt.date, as_of: dt.date, met_on: dt.date | None,
                   reason: Reason, due_soon_days: int = 0) -> Deadline:
    """A :class:`Deadline` standing on ``as_of`` as :func:`standing` says: for plugins computing their own."""
    s = standing(due, as_of, met_on, due_soon_days)
    return Deadline(code=code, label=label, due=due, status=s.status, reason=reason, met_on=s.met_on,
                    days_late=s.days_late, days_overdue=s.days_overdue)


def first_event(dates: Iterable[dt.date], start: dt.date, as_of: dt.date, *, strict: bool = False) -> dt.date | None:
    """The first of ``dates`` on or after ``start`` (after it, ``strict``) and not after ``as_of``."""
    return min((d for d in dates if (d > start if strict else d >= start) and d <= as_of), default=None)


@attrs.frozen
class _Clock:
    """One occurrence of a deadline's starting event."""

    suffix: str
    start: dt.date
    events: tuple[dt.date, ...]  # every dated event that meets it, whenever it happened
    categories: frozenset[str]
    strict: bool = False  # started by an event that could itself meet it: only a later one does


@attrs.frozen
class _Computed:
    deadlines: list[Deadline]
    met_on: dt.date | None = None  # the first occurrence's, for a deadline that follows this one
    categories: frozenset[str] = frozenset()  # what its reason read: a deadline that follows it reveals as much


def _assessment_dates(case: Case) -> list[dt.date]:
    """The dates of the assessments: the case's latest and those recorded in its history."""
    dates = [e.on for e in case.history if e.kind == ASSESSMENT_EVENT]
    if case.assessment is not None:
        dates.append(case.assessment.date)
    return dates


def _events(case: Case, cfg: Mapping[str, Any]) -> list[dt.date]:
    """The dates of every event that meets a deadline (``met_by`` and ``events``), whenever it happened."""
    met_by = cfg.get("met_by")
    dates: list[dt.date] = []
    if met_by == "project_signed" and case.project is not None:
        dates += [s.signed_on for s in case.project.signatures]
    elif met_by == "assessment_done":
        dates += _assessment_dates(case)
    elif met_by == "equipe_held":
        dates += [e.on for e in case.history if e.kind == EQUIPE_EVENT]
    kinds = set(cfg.get("events", ()))
    if kinds:
        dates += [e.on for e in case.history if e.kind in kinds]
    return dates


def _answered_on(referral: Referral) -> dt.date | None:
    """When a referral left ``sent``: its answer's date, else its closing date; None while sent or undated."""
    if referral.status is ReferralStatus.SENT:
        return None
    if referral.response is not None:
        return referral.response.on
    return referral.closed_on


def _enrolment(case: Case, measure: str, as_of: dt.date) -> MeasureEnrolment | None:
    """The household's enrolment in a measure in force on ``as_of`` (the latest started), or None."""
    active = [m for m in case.measures if m.code == measure and m.active_on(as_of)]
    return max(active, key=lambda m: m.valid_from, default=None)


def _clocks(case: Case, territory: Territory, cfg: Mapping[str, Any], as_of: dt.date,
            after: _Computed | None) -> Iterator[_Clock]:
    """Each occurrence of the starting event, started by ``as_of`` (and, with a measure, since its enrolment)."""
    origin = cfg["from"]
    measure = cfg.get("measure")
    enrolment = _enrolment(case, measure, as_of) if measure else None
    if measure and enrolment is None:
        return  # applies only while the household receives the measure
    floor = enrolment.valid_from if enrolment is not None else dt.date.min
    events = tuple(_events(case, cfg))
    cats = frozenset({"economic"} if measure else ())
    start: dt.date | None = None
    strict = False
    if origin == "access" and case.access is not None:
        start = max(case.access.date, floor)
    elif origin == "assessment":
        start = first_event(_assessment_dates(case), floor, as_of)
    elif origin == "project_start" and case.project is not None:
        start = max(case.project.start, floor)
    elif origin == "measure_start" and enrolment is not None:
        start = enrolment.valid_from
    elif origin == "deadline_met" and after is not None and after.met_on is not None:
        start, strict = max(after.met_on, floor), True
    elif origin == "referral_sent":
        for r in case.referrals:
            if r.status is ReferralStatus.WITHDRAWN or r.sent_on > as_of:
                continue
            answered = _answered_on(r)
            # one deadline per referral: it is there only with the referral, whose receiving
            # service gives its category (a referral to the SerD is addiction data)
            yield _Clock(f".{r.id}", max(r.sent_on, floor), (*events, *([answered] if answered else [])),
                         cats | {territory.data_category("services", r.to_service)})
        return
    if start is not None and start <= as_of:
        yield _Clock("", start, events, cats, strict)


def _met_reads(territory: Territory, case: Case, met_by: str | None) -> set[str]:
    """What telling whether a deadline is met may read: a project's signatures name services (a SerD...)."""
    if met_by == "project_signed" and case.project is not None:  # no project: no signature (case-process data)
        return territory.service_categories()
    return set()


class _Deadlines:
    """The configured deadlines of one case on one date, each computed once (a deadline may follow another)."""

    def __init__(self, case: Case, territory: Territory, as_of: dt.date) -> None:
        self.case, self.territory, self.as_of = case, territory, as_of
        self.config = territory.section("deadlines")
        monitoring = territory.setting("monitoring")
        self.soon = int(monitoring["due_soon_days"]) if monitoring else 0
        self._calendar: WorkCalendar | None = None
        self.done: dict[str, _Computed] = {}

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = calendar_of(self.territory.setting("calendar"))
        return self._calendar

    def all(self) -> list[Deadline]:
        out: list[Deadline] = []
        for code in self.config:
            out += self.get(code, ()).deadlines
        return out

    def get(self, code: str, visiting: tuple[str, ...]) -> _Computed:
        found = self.done.get(code)
        if found is None:
            found = self.done[code] = self._compute(code, (*visiting, code))
        return found

    def _compute(self, code: str, visiting: tuple[str, ...]) -> _Computed:
        cfg = self.config[code]
        after = None
        if cfg["from"] == "deadline_met":
            other = cfg.get("deadline")
            if other not in self.config or other in visiting:  # the configuration checks refuse both
                return _Computed([])
            after = self.get(other, visiting)
        inputs = Inputs()
        if "when" in cfg:
            holds, inputs = evaluate(cfg["when"], Facts(case=self.case, territory=self.territory, as_of=self.as_of))
            if not holds:
                return _Computed([])
        if after is not None:
            inputs.uses(*after.categories)
        out: list[Deadline] = []
        for clock in _clocks(self.case, self.territory, cfg, self.as_of, after):
            out += self._periods(code, cfg, clock, inputs)
        if not out:
            return _Computed([])
        first = out[0]
        return _Computed(out, first.met_on, frozenset(first.reason.categories))

    def _periods(self, code: str, cfg: Mapping[str, Any], clock: _Clock, when: Inputs) -> list[Deadline]:
        """The deadline of one clock; for a recurring one, the periods met late and the current period."""
        repeat = bool(cfg.get("repeat"))
        out: list[Deadline] = []
        start, strict, period, on_time, late = clock.start, clock.strict, 1, 0, 0
        while True:
            entry = dated_value(cfg["days"], start)  # the term in force when this period's clock started
            if entry is None:
                return out
            days = int(entry["value"])
            working = bool(cfg.get("working_days"))
            due = add_days(start, days, working=working, calendar=self.calendar)
            met_on = first_event(clock.events, start, self.as_of, strict=strict)
            s = standing(due, self.as_of, met_on, self.soon)
            last = not repeat or met_on is None
            if last or s.status is DeadlineStatus.MET_LATE:
                suffix = f"{clock.suffix}.{period}" if repeat else clock.suffix
                counts = {"periodo": period, "periodi_rispettati": on_time, "periodi_in_ritardo": late} \
                    if repeat and last else {"periodo": period} if repeat else {}
                reason = self._reason(code, cfg, entry, clock, start, days, due, met_on, period if repeat else None,
                                      {**counts, **when}, when.categories)
                out.append(Deadline(code=f"{code}{suffix}", label=cfg["label"]["it"], due=due, status=s.status,
                                    reason=reason, met_on=s.met_on, days_late=s.days_late,
                                    days_overdue=s.days_overdue))
            if last or met_on is None:
                return out
            on_time += s.status is DeadlineStatus.MET
            late += s.status is DeadlineStatus.MET_LATE
            start, strict, period = met_on, True, period + 1  # the next period runs from this event

    def _reason(self, code: str, cfg: Mapping[str, Any], entry: Mapping[str, Any], clock: _Clock, start: dt.date,
                days: int, due: dt.date, met_on: dt.date | None, period: int | None, extra: Mapping[str, Any],
                extra_categories: Iterable[str]) -> Reason:
        working = bool(cfg.get("working_days"))
        label, start_text = cfg["label"], start.isoformat()
        if period is not None:
            msg = Message("{label} (period {period}): within {days} working days of {start}.", label=label,
                          period=period, days=days, start=start_text) if working else \
                Message("{label} (period {period}): within {days} days of {start}.", label=label, period=period,
                        days=days, start=start_text)
        elif working:
            msg = Message("{label}: within {days} working days of {start}.", label=label, days=days, start=start_text)
        else:
            msg = Message("{label}: within {days} days of {start}.", label=label, days=days, start=start_text)
        inputs: dict[str, Any] = {"dal": start_text, "giorni": days, "scadenza": due.isoformat()}
        if working:
            inputs["calendario"] = self.calendar.describe()
            skipped = self.calendar.holidays_between(start, due)
            if skipped:
                inputs["festivi_esclusi"] = [d.isoformat() for d in skipped]
        if met_on is not None and met_on <= self.as_of:
            inputs["rispettata_il"] = met_on.isoformat()
        inputs.update(extra)
        cats = {"process", *clock.categories, *_met_reads(self.territory, self.case, cfg.get("met_by")),
                *extra_categories}
        return from_entry(self.territory, {**cfg, "source": entry["source"]}, f"scadenze.{code}", msg, inputs,
                          categories=cats)


def compute(case: Case, territory: Territory, as_of: dt.date) -> list[Deadline]:
    """Configured deadlines and the next project review, with where each stands on ``as_of``."""
    out = _Deadlines(case, territory, as_of).all()
    review = next_review(case, territory, as_of)
    if review is not None:
        out.append(review)
    return out


def next_review(case: Case, territory: Territory, as_of: dt.date) -> Deadline | None:
    """The next progress review (*stato di avanzamento*) of the project, if a project is under way on ``as_of``."""
    project = case.project
    monitoring = territory.setting("monitoring")
    if project is None or (project.monitoring is None and monitoring is None):
        return None
    if project.start > as_of or (project.end is not None and project.end < as_of):
        return None
    if project.monitoring is not None:
        rhythm = project.monitoring
        origin = "progetto"
    else:
        assert monitoring is not None
        rhythm = MonitoringRhythm(every=monitoring["every"], unit=IntervalUnit(monitoring["unit"]))
        origin = "territorio"
    soon = int(monitoring["due_soon_days"]) if monitoring else 0
    done = [d for d in project.reviews_done if d <= as_of]
    last = max(done, default=project.start)
    due = last + dt.timedelta(days=rhythm.days())
    entry: dict[str, Any] = dict(monitoring) if monitoring else {}
    if project.monitoring is not None or not monitoring:
        entry = {"source": {"kind": "default",
                            "note": Message("review rhythm set by the personalised project (project.monitoring)")}}
    if origin == "progetto":
        msg = Message("Progress review every {days} days (project rhythm); last on {last}.", days=rhythm.days(),
                      last=last.isoformat())
    else:
        msg = Message("Progress review every {days} days (territory rhythm); last on {last}.", days=rhythm.days(),
                      last=last.isoformat())
    reason = from_entry(territory, entry, "monitoraggio.verifica", msg,
                        {"ultima_verifica": last.isoformat(), "ogni_giorni": rhythm.days(),
                         "verifiche_svolte": len(done)})
    return dated_deadline(code="verifica_progetto", label="Verifica stato di avanzamento", due=due, as_of=as_of,
                          met_on=None, reason=reason, due_soon_days=soon)


@hookimpl(trylast=True)
def inclusione_compute_deadlines(case: Case, territory: Territory, as_of: dt.date) -> list[Deadline]:
    """Core default: configured deadlines plus the next project review."""
    return compute(case, territory, as_of)
