"""
The SIL path's current phase, computed from the case, shown and used to gate the proposals.

The phase is the one the case's history records (events ``sil_fase_<phase>``, replayed by
:func:`~inclusione_sil.workflow.workflow_of`) up to the as-of date, unless the case shows
that the path went further than the events say, as the §3 table of the guidelines reads:

* a project started on or before the as-of date: the acceptance (phase 6, "Predisposizione
  del progetto, obiettivi e tempi") has happened;
* with no phase recorded at all: an assessment done means the interview with the person
  (phase 4, its "Griglia per colloquio"); an access, the referral (phase 1).

The further of the recorded and the inferred phase is the current one (a closing state is
never overtaken). Each re-design (phase 8 back to phase 6, "Eventuale riprogettazione")
starts a new cycle, so the position ``(cycle, rank)`` never goes back as the history grows
or the as-of date moves on. Everything it reads is case-process data (the phases, the
project's start, the dates of the assessment and of the access).

Where the configuration says so (``sil.proposte``), the phase gates what the SIL does: its
staff (equipe) and the interventions are proposed only in the states listed there.
"""

from __future__ import annotations

import datetime as dt
import itertools

import attrs

from inclusione_core import Case, Reason

from ._i18n import message
from ._phases import NUMBERED, Phase
from ._tables import Tables
from .workflow import Workflow, workflow_of

CLOSING_RANK = len(NUMBERED) + 1
"""The rank of a closing state: after every phase."""
CATEGORIES = ("process",)
"""What the phase is computed from: the recorded phases and the dates of the project, assessment and access."""


@attrs.frozen(kw_only=True)
class CurrentPhase:
    """
    Where a SIL path stands on a date.

    :ivar phase: the phase of §3, or a closing state.
    :ivar since: when the path entered it (or the date of what it is inferred from).
    :ivar cycle: 1, plus one for each re-design (phase 8 back to phase 6).
    :ivar inferred_from: ``""`` when recorded; else what it is inferred from: ``progetto``,
        ``valutazione`` or ``accesso``.
    """

    phase: Phase
    since: dt.date
    cycle: int = 1
    inferred_from: str = ""

    @property
    def number(self) -> int | None:
        """The number (1-8) of the phase, ``None`` for a closing state."""
        return NUMBERED.index(self.phase) + 1 if self.phase in NUMBERED else None

    @property
    def key(self) -> tuple[int, int]:
        """The position on the path: (cycle, rank); it never decreases as the path goes on."""
        return self.cycle, self.number or CLOSING_RANK


def _cycles(wf: Workflow) -> int:
    """1 plus the re-designs: entries into phase 6 after a final evaluation."""
    steps = wf.steps
    return 1 + sum(1 for a, b in itertools.pairwise(steps)
                   if a.phase is Phase.VALUTAZIONE_FINALE and b.phase is Phase.ACCETTAZIONE)


def current_phase(case: Case, as_of: dt.date) -> CurrentPhase | None:
    """
    The current phase of the SIL path on ``as_of``, or ``None`` when the case shows none
    (no phase recorded, no project, no assessment, no access by that date).

    :raises InputError: the recorded phases break the workflow (path ``$.history[n]``).
    """
    wf = workflow_of(case, as_of=as_of)
    candidates: list[CurrentPhase] = []
    cycle = 1
    if wf is not None:
        cycle = _cycles(wf)
        candidates.append(CurrentPhase(phase=wf.phase, since=wf.steps[-1].on, cycle=cycle))
    project = case.project
    if project is not None and project.start <= as_of:
        candidates.append(CurrentPhase(phase=Phase.ACCETTAZIONE, since=project.start, cycle=cycle,
                                       inferred_from="progetto"))
    if wf is None:
        if case.assessment is not None and case.assessment.date <= as_of:
            candidates.append(CurrentPhase(phase=Phase.COLLOQUIO_PERSONA, since=case.assessment.date,
                                           inferred_from="valutazione"))
        if case.access is not None and case.access.date <= as_of:
            candidates.append(CurrentPhase(phase=Phase.SEGNALAZIONE, since=case.access.date,
                                           inferred_from="accesso"))
    if not candidates:
        return None
    # the recorded phase first among equals: an inference never replaces what the history says
    return max(candidates, key=lambda c: (c.key, not c.inferred_from))


def state_label(phase: Phase, tables: Tables) -> dict[str, str]:
    """The label of a phase (the §3 table) or of a closing state, in both languages."""
    if phase in NUMBERED:
        return dict(tables.phase(phase.value).label)
    return dict(tables.outcomes[phase.value][0])


def phase_reason(current: CurrentPhase, tables: Tables) -> Reason:
    """The reason that shows the current phase, citing the §3 table (or the closing state's text)."""
    label = state_label(current.phase, tables)
    source = tables.phase(current.phase.value).source if current.phase in NUMBERED \
        else tables.outcomes[current.phase.value][1]
    if current.inferred_from:
        what = {"progetto": message("the project started on {date}", date=current.since.isoformat()),
                "valutazione": message("the assessment of {date}", date=current.since.isoformat()),
                "accesso": message("the access of {date}", date=current.since.isoformat())}[current.inferred_from]
        text = message("Current phase of the SIL path: {phase} (inferred from {what}: the history records no later"
                       " phase).", phase=label, what=what)
    else:
        text = message("Current phase of the SIL path: {phase}, since {date}.", phase=label,
                       date=current.since.isoformat())
    return Reason(
        rule="sil.fase",
        territory=tables.layer,
        message_it=text.text("it"),
        message_en=text.text("en"),
        source=source,
        inputs={"fase": current.phase.value, "numero": current.number, "dal": current.since.isoformat(),
                "ciclo": current.cycle, "dedotta_da": current.inferred_from or None},
        defined_in=tables.defined_in,
        categories=CATEGORIES,
    )


def gate_reason(current: CurrentPhase, tables: Tables) -> Reason | None:
    """
    Why the SIL composes no staff or proposes no intervention in the current phase (``None``
    when it does both, or the configuration sets no ``proposte``).
    """
    props = tables.proposals
    if props is None:
        return None
    staff, interventions = props.allows("equipe", current.phase.value), props.allows("interventi", current.phase.value)
    if staff and interventions:
        return None
    label = state_label(current.phase, tables)

    def names(what: str) -> dict[str, str]:
        states = [state_label(Phase(s), tables) for s in props.states(what)]
        return {lang: "; ".join(s[lang] for s in states) or "—" for lang in ("it", "en")}

    if not staff and not interventions and props.equipe == props.interventions:
        text = message("In «{phase}» the SIL composes no staff and proposes no intervention: it does both only in"
                       " the phases {states}.", phase=label, states=names("equipe"))
    elif not staff and not interventions:
        text = message("In «{phase}» the SIL composes no staff and proposes no intervention: the staff only in the"
                       " phases {staff}, the interventions only in the phases {interventions}.", phase=label,
                       staff=names("equipe"), interventions=names("interventi"))
    elif not staff:
        text = message("In «{phase}» the SIL composes no staff: it does only in the phases {staff}.", phase=label,
                       staff=names("equipe"))
    else:
        text = message("In «{phase}» the SIL proposes no intervention: it does only in the phases {interventions}.",
                       phase=label, interventions=names("interventi"))
    return Reason(
        rule="sil.fase.proposte",
        territory=tables.layer,
        message_it=text.text("it"),
        message_en=text.text("en"),
        source=props.source,
        inputs={"fase": current.phase.value, "equipe": staff, "interventi": interventions,
                "fasi_equipe": list(props.states("equipe")), "fasi_interventi": list(props.states("interventi"))},
        defined_in=tables.defined_in,
        categories=CATEGORIES,
    )


def allows(case: Case, tables: Tables, as_of: dt.date, what: str) -> tuple[bool, Reason | None]:
    """Whether the current phase allows ``what`` (``equipe``, ``interventi``), and the reason when it does not."""
    current = current_phase(case, as_of)
    if current is None or tables.proposals is None or tables.proposals.allows(what, current.phase.value):
        return True, None
    return False, gate_reason(current, tables)
