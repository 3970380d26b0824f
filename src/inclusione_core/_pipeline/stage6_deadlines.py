"""
Monitoring and deadlines: the core default, read from ``deadlines`` and ``monitoring``.

Configured deadlines run from an event of the case (access, assessment, referral sent,
project start, measure start) for a dated number of days: calendar days, or working days
of the territory's ``calendar`` (Monday to Friday, less public holidays and the patron
saint's day). The
project's review rhythm (its own, or the territory default) yields the next review,
due or overdue on the as-of date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from .._calendar import WorkCalendar, calendar_of
from .._config import Territory, dated_value
from .._models import Case, Deadline, DeadlineStatus, IntervalUnit, MonitoringRhythm, ReferralStatus
from .._reasons import from_entry
from ..hookspecs import hookimpl
from ..i18n import Message


def add_days(start: dt.date, days: int, *, working: bool, calendar: WorkCalendar | None = None) -> dt.date:
    """``start`` plus ``days`` calendar days, or working days of ``calendar`` (default: Italy's public holidays)."""
    if not working:
        return start + dt.timedelta(days=days)
    return (calendar or WorkCalendar()).add_working_days(start, days)


def status_of(due: dt.date, as_of: dt.date, met: bool, soon: int) -> DeadlineStatus:
    """Where a deadline stands on ``as_of``."""
    if met:
        return DeadlineStatus.MET
    if due < as_of:
        return DeadlineStatus.OVERDUE
    if (due - as_of).days <= soon:
        return DeadlineStatus.DUE
    return DeadlineStatus.UPCOMING


def _starts(case: Case, territory: Territory, cfg: Mapping[str, Any]) -> Iterator[tuple[str, dt.date, bool, set[str]]]:
    """(suffix, start date, met, categories of the occurrence) for each occurrence of the starting event."""
    met_by = cfg.get("met_by")
    origin = cfg["from"]
    if origin == "access" and case.access is not None:
        yield "", case.access.date, _met(case, met_by), set()
    elif origin == "assessment" and case.assessment is not None:
        yield "", case.assessment.date, _met(case, met_by), set()
    elif origin == "project_start" and case.project is not None:
        yield "", case.project.start, _met(case, met_by), set()
    elif origin == "measure_start":
        for m in case.measures:
            if m.code == cfg.get("measure"):
                yield "", m.valid_from, _met(case, met_by), {"economic"}
    elif origin == "referral_sent":
        for r in case.referrals:
            if r.status is ReferralStatus.WITHDRAWN:
                continue
            # one deadline per referral: it is there only with the referral, whose receiving
            # service gives its category (a referral to the SerD is addiction data)
            yield f".{r.id}", r.sent_on, r.status is not ReferralStatus.SENT, {
                territory.data_category("services", r.to_service)}


def _met_reads(territory: Territory, case: Case, met_by: str | None) -> set[str]:
    """What telling whether a deadline is met may read: a project's signatures name services (a SerD...)."""
    if met_by == "project_signed" and case.project is not None:  # no project: no signature (case-process data)
        return territory.service_categories()
    return set()


def _met(case: Case, met_by: str | None) -> bool:
    if met_by == "project_signed":
        return case.project is not None and bool(case.project.signatures)
    if met_by == "assessment_done":
        return case.assessment is not None
    if met_by == "equipe_held":
        return any(e.kind == "equipe" for e in case.history)
    return False


def compute(case: Case, territory: Territory, as_of: dt.date) -> list[Deadline]:
    """Configured deadlines and the next project review, with statuses on ``as_of``."""
    monitoring = territory.setting("monitoring")
    soon = int(monitoring["due_soon_days"]) if monitoring else 0
    out: list[Deadline] = []
    calendar: WorkCalendar | None = None
    for code, cfg in territory.section("deadlines").items():
        if cfg.get("measure") and cfg["from"] != "measure_start" and cfg["measure"] not in case.measures_on(as_of):
            continue
        for suffix, start, met, occurrence in _starts(case, territory, cfg):
            entry = dated_value(cfg["days"], start)
            if entry is None:
                continue
            days = int(entry["value"])
            working = bool(cfg.get("working_days"))
            if working and calendar is None:
                calendar = calendar_of(territory.setting("calendar"))
            due = add_days(start, days, working=working, calendar=calendar)
            if cfg.get("working_days"):
                msg = Message("{label}: within {days} working days of {start}.", label=cfg["label"], days=days,
                              start=start.isoformat())
            else:
                msg = Message("{label}: within {days} days of {start}.", label=cfg["label"], days=days,
                              start=start.isoformat())
            cats = {"process", *occurrence, *_met_reads(territory, case, cfg.get("met_by"))}
            if cfg.get("measure"):
                cats.add("economic")
            inputs: dict[str, Any] = {"dal": start.isoformat(), "giorni": days, "scadenza": due.isoformat()}
            if calendar is not None and working:
                inputs["calendario"] = calendar.describe()
                skipped = calendar.holidays_between(start, due)
                if skipped:
                    inputs["festivi_esclusi"] = [d.isoformat() for d in skipped]
            reason = from_entry(territory, cfg | {"source": entry["source"]}, f"scadenze.{code}", msg, inputs,
                                categories=cats)
            out.append(Deadline(code=f"{code}{suffix}", label=cfg["label"]["it"], due=due,
                                status=status_of(due, as_of, met, soon), reason=reason))
    review = next_review(case, territory, as_of)
    if review is not None:
        out.append(review)
    return out


def next_review(case: Case, territory: Territory, as_of: dt.date) -> Deadline | None:
    """The next progress review (*stato di avanzamento*) of the project, if there is a project."""
    project = case.project
    monitoring = territory.setting("monitoring")
    if project is None or (project.monitoring is None and monitoring is None):
        return None
    if project.end is not None and project.end < as_of:
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
    status = status_of(due, as_of, False, soon)
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
    return Deadline(code="verifica_progetto", label="Verifica stato di avanzamento", due=due, status=status,
                    reason=reason)


@hookimpl(trylast=True)
def inclusione_compute_deadlines(case: Case, territory: Territory, as_of: dt.date) -> list[Deadline]:
    """Core default: configured deadlines plus the next project review."""
    return compute(case, territory, as_of)
