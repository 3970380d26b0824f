"""
The maximum duration of a SIL path (SIL guidelines, §5): "max due anni", then *dimissioni*.

* A project must state its times (phase 6: "Predisposizione del progetto, obiettivi e
  tempi") and may not last beyond the maximum (``durata.mesi_massimi``, 24 months): the
  project's end, and every intervention's end, must fall on or before the same calendar
  day ``mesi_massimi`` months after the project's start. Otherwise
  :func:`inclusione_validate_project` reports a problem citing §5.
* The path is temporary (§1): approaching the maximum (``durata.preavviso_giorni``, a
  configurable default) the case is flagged for the *dimissioni* "verso percorsi formativi
  o lavorativi consolidati oppure verso servizi con caratteristiche educative o di
  supporto" (flag ``sil_dimissioni`` in the profile), and
  :func:`inclusione_compute_deadlines` gives the deadline ``sil_durata_massima``, met once
  the workflow reaches the final evaluation (phase 8) or the *dimissioni*.
"""

from __future__ import annotations

import calendar
import datetime as dt

import attrs

from inclusione_core import Case, Deadline, DeadlineStatus, Problem, Project, Reason, Territory, hookimpl
from inclusione_core.i18n import Message

from ._i18n import message
from ._phases import Phase
from ._tables import Tables, tables_for
from .workflow import workflow_of

DISCHARGE_FLAG = "sil_dimissioni"
DEADLINE = "sil_durata_massima"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same calendar day ``months`` later (the month's last day when it has fewer days)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: dt.date, end: dt.date) -> float:
    """Length of a period in months, to one decimal (calendar months plus days / 30)."""
    months = (end.year - start.year) * 12 + (end.month - start.month) + (end.day - start.day) / 30.0
    return round(months, 1)


def path_start(case: Case, as_of: dt.date | None = None) -> dt.date | None:
    """
    When the SIL path started: the first acceptance (phase 6, the first project) that the
    history records, or the project's start when it records none or the project started
    earlier. A re-design (phase 8 back to phase 6, a new project) does not restart the two
    years: "La durata massima del percorso" is the path's (§5), not each project's.
    """
    starts = [] if case.project is None else [case.project.start]
    wf = workflow_of(case, as_of=as_of)
    if wf is not None:
        starts += [s.on for s in wf.steps if s.phase is Phase.ACCETTAZIONE][:1]
    return min(starts, default=None)


def limit_of(project: Project, tables: Tables, start: dt.date | None = None) -> dt.date:
    """The last day the project may last: the path's start (default: the project's) plus the maximum duration."""
    return add_months(start or project.start, tables.max_months)


@attrs.frozen(kw_only=True)
class DischargeWindow:
    """Where a project stands against the maximum duration on a date."""

    start: dt.date
    limit: dt.date
    days_left: int
    warning_days: int
    closed: bool

    @property
    def status(self) -> DeadlineStatus:
        """``met`` once closed; ``overdue`` past the limit; ``due`` within the warning window."""
        if self.closed:
            return DeadlineStatus.MET
        if self.days_left < 0:
            return DeadlineStatus.OVERDUE
        if self.days_left <= self.warning_days:
            return DeadlineStatus.DUE
        return DeadlineStatus.UPCOMING


def discharge_window(case: Case, tables: Tables, as_of: dt.date) -> DischargeWindow | None:
    """The project's window towards the maximum duration, or ``None`` without a project."""
    if case.project is None:
        return None
    wf = workflow_of(case, as_of=as_of)
    closed = wf is not None and wf.phase in (Phase.VALUTAZIONE_FINALE, Phase.DIMISSIONI)
    start = path_start(case, as_of) or case.project.start
    limit = limit_of(case.project, tables, start)
    return DischargeWindow(start=start, limit=limit, days_left=(limit - as_of).days,
                           warning_days=tables.warning_days, closed=closed)


def _destinations(tables: Tables) -> str | dict[str, str]:
    """Where a path is discharged to: ``A, B or C``, in the language of the message showing it."""
    labels = list(tables.destinations.values())
    if len(labels) == 1:
        return dict(labels[0])
    head = {lang: ", ".join(str(label[lang]) for label in labels[:-1]) for lang in ("it", "en")}
    return message("{first} or {second}", first=head, second=dict(labels[-1]))


def discharge_reason(window: DischargeWindow, tables: Tables) -> Reason | None:
    """The reason for the ``sil_dimissioni`` flag, when the path is near or past its maximum."""
    if window.status not in (DeadlineStatus.DUE, DeadlineStatus.OVERDUE):
        return None
    if window.days_left >= 0:
        when = message("ends on {limit} (in {days} days; notice {notice})", limit=window.limit.isoformat(),
                       days=window.days_left, notice=window.warning_days)
    else:
        when = message("ended on {limit} ({days} days ago)", limit=window.limit.isoformat(), days=-window.days_left)
    text = message("Path started on {start}: the maximum duration of {months} months {when}. Prepare the discharge"
                   " towards a {destinations}.", start=window.start.isoformat(), months=tables.max_months, when=when,
                   destinations=_destinations(tables))
    return Reason(
        rule=f"sil.durata.{DISCHARGE_FLAG}",  # named after its flag: the flag carries this reason's categories
        territory=tables.layer,
        message_it=text.text("it"),
        message_en=text.text("en"),
        source=tables.discharge_source,
        inputs={"inizio": window.start.isoformat(), "limite": window.limit.isoformat(),
                "giorni_mancanti": window.days_left, "preavviso_giorni": window.warning_days,
                "mesi_massimi": tables.max_months, "dimissioni_verso": list(tables.destinations)},
        defined_in=tables.defined_in,
    )


def _problem(path: str, rule: str, text: Message, tables: Tables, inputs: dict[str, object],
             times: bool = False, categories: tuple[str, ...] = ("process",)) -> Problem:
    return Problem(path=path, reason=Reason(
        rule=rule, territory=tables.layer, message_it=text.text("it"), message_en=text.text("en"),
        source=tables.times_source if times else tables.duration_source,
        inputs=inputs, defined_in=tables.defined_in, categories=categories))


def _intervention(territory: Territory | None, code: str) -> dict[str, str] | str:
    """An intervention's label ``{it, en}`` when the territory configures it, else its code."""
    entry = territory.section("interventions").get(code) if territory is not None else None
    label = entry.get("label") if isinstance(entry, dict) else None
    return dict(label) if isinstance(label, dict) else code


def duration_problems(project: Project, tables: Tables, territory: Territory | None = None,
                      start: dt.date | None = None) -> list[Problem]:
    """
    Every problem of a project against the maximum duration of the SIL path.

    :param start: when the path started (:func:`path_start`: the first project, before any
        re-design); default the project's start.
    """
    limit = limit_of(project, tables, start)
    top = tables.max_months
    redesigned = start is not None and start < project.start
    if project.end is None:
        return [_problem(
            "$.project.end", "sil.durata.fine_mancante",
            message("The project states no end date: it must be set up with objectives and times and lasts at most"
                    " {months} months (by {limit}).", months=top, limit=limit.isoformat()),
            tables, {"inizio": project.start.isoformat(), "limite": limit.isoformat(), "mesi_massimi": top},
            times=True)]
    out = []
    if project.end > limit and redesigned:
        assert start is not None  # redesigned
        months = months_between(start, project.end)
        out.append(_problem(
            "$.project.end", "sil.durata_massima",
            message("Project {start} - {end} of a path started on {first}: {months} months in all, beyond the maximum"
                    " SIL path duration of {top} months, counted from the first project across re-designs; it must"
                    " end by {limit}.", start=project.start.isoformat(), end=project.end.isoformat(),
                    first=start.isoformat(), months=f"{months:g}", top=top, limit=limit.isoformat()),
            tables, {"inizio": project.start.isoformat(), "fine": project.end.isoformat(), "mesi": months,
                     "inizio_percorso": start.isoformat(), "mesi_massimi": top, "limite": limit.isoformat()}))
    elif project.end > limit:
        months = months_between(project.start, project.end)
        out.append(_problem(
            "$.project.end", "sil.durata_massima",
            message("Project of {months} months ({start} - {end}): beyond the maximum SIL path duration of {top}"
                    " months (two years at most); it must end by {limit}.", months=f"{months:g}",
                    start=project.start.isoformat(), end=project.end.isoformat(), top=top, limit=limit.isoformat()),
            tables, {"inizio": project.start.isoformat(), "fine": project.end.isoformat(), "mesi": months,
                     "mesi_massimi": top, "limite": limit.isoformat()}))
    for i, item in enumerate(project.interventions):
        if item.end is not None and item.end > limit:
            out.append(_problem(
                f"$.project.interventions[{i}].end", "sil.durata_massima.intervento",
                message("Intervention {code}: ends on {end}, beyond the maximum SIL path duration ({top} months from"
                        " the start of the path, the first project before any re-design, by {limit}).",
                        code=_intervention(territory, item.code), end=item.end.isoformat(), top=top,
                        limit=limit.isoformat())
                if redesigned else
                message("Intervention {code}: ends on {end}, beyond the maximum SIL path duration ({top} months from"
                        " the project's start, by {limit}).", code=_intervention(territory, item.code),
                        end=item.end.isoformat(), top=top, limit=limit.isoformat()),
                tables, {"intervento": item.code, "fine": item.end.isoformat(), "limite": limit.isoformat(),
                         "mesi_massimi": top},
                # it names the intervention: a socio-therapeutic placement is health data
                categories=("process", "records") if territory is None else tuple(sorted(
                    {"process", territory.data_category("interventions", item.code)}))))
    return out


@hookimpl
def inclusione_validate_project(case: Case, project: Project, territory: Territory, as_of: dt.date) -> list[Problem]:
    """SIL: the project states its end; the path lasts at most the maximum duration (§5, two years) from its start."""
    return duration_problems(project, tables_for(territory), territory, path_start(case, as_of))


@hookimpl
def inclusione_compute_deadlines(case: Case, territory: Territory, as_of: dt.date) -> list[Deadline]:
    """SIL: the end of the maximum duration, when the *dimissioni* must be formalised."""
    tables = tables_for(territory)
    window = discharge_window(case, tables, as_of)
    if window is None:
        return []
    text = message("Maximum path duration: {months} months from {start}, by {limit}; then discharge towards a"
                   " {destinations} (warning {notice} days before).", months=tables.max_months,
                   start=window.start.isoformat(), limit=window.limit.isoformat(),
                   destinations=_destinations(tables), notice=window.warning_days)
    reason = Reason(
        rule="sil.durata.scadenza",
        territory=tables.layer,
        message_it=text.text("it"),
        message_en=text.text("en"),
        source=tables.duration_source,
        inputs={"inizio": window.start.isoformat(), "limite": window.limit.isoformat(),
                "mesi_massimi": tables.max_months, "preavviso_giorni": window.warning_days,
                "chiuso": window.closed},
        defined_in=tables.defined_in,
    )
    label = f"Dimissioni entro la durata massima del percorso SIL ({tables.max_months} mesi)"
    return [Deadline(code=DEADLINE, label=label, due=window.limit, status=window.status, reason=reason)]
