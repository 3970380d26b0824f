"""
SIL distretto (Servizio Inserimento Lavorativo) for inclusione_core.

The guidelines of 4 May 2007 of a district's job placement service. Rules that are data
live in ``territories/sil/territory.yaml``: target groups as profile flags, the SIL's
occupability items as assessment dimensions, the SIL service and staff equipe, the
intervention catalogue of §6, routing, instruments, and the plugin's own section ``sil:``
(:func:`inclusione_register_sections`, schema ``schemas/sil.schema.json``: weights and
thresholds of the occupability grade, the §2.b grade -> objectives table, the 8 phases of
§3, the maximum duration of §5, the §7 evaluation items), which the core validates, merges
along ``extends`` and digests with the rest of the configuration (:func:`tables_for`
compiles it). The rules that need code live here, each citing the guidelines
(:data:`DOCUMENT`, through the territory's documents registry):

* :func:`inclusione_assess_profile`: the occupability grade from the three dimensions of
  §2.b, with its computation and the objectives and macro-activities of the grade;
* :mod:`inclusione_sil.workflow`: the 8 phases as a state machine; a negative decision
  at phase 5 notifies the sending service (:class:`Notification`; what leaves the SIL is
  :meth:`Notification.send`, the recipient view of the core, audited);
* :func:`inclusione_validate_project` and :func:`inclusione_compute_deadlines`: at most
  two years (§5), then the *dimissioni*;
* :func:`inclusione_route`, :func:`inclusione_compose_equipe` and
  :func:`inclusione_recommend_interventions`: a case not accepted goes back to its sender,
  with no equipe and nothing recommended;
* :func:`evaluate_paths`: the §7 evaluation over a set of cases (paths and outcomes,
  network quality, cost per hour of direct intervention), aggregates with no case id.

Privacy (the ``privacy`` section of ``territory.yaml``): the SIL receives common data by
law and special categories only with the consent of the *scheda privacy* (phase 5).
"""

from __future__ import annotations

from . import workflow
from ._duration import (
    DEADLINE,
    DISCHARGE_FLAG,
    add_months,
    discharge_window,
    duration_problems,
    inclusione_compute_deadlines,
    inclusione_validate_project,
)
from ._evaluation import Evaluation, Indicator, PathRecord, evaluate_paths, outcomes, record_from_piano
from ._instruments import (
    check_instrument,
    consent_from_scheda_privacy,
    instrument_errors,
    instrument_path,
    levels_from_griglia,
)
from ._occupability import OccupabilityScore, grade_of, levels_of, objectives_for, score_levels
from ._phases import InterviewType, Phase
from ._profile import assess as assess_profile
from ._profile import inclusione_assess_profile
from ._routing import inclusione_compose_equipe, inclusione_recommend_interventions, inclusione_route
from ._tables import GradePlan, PhaseSpec, Tables, default_tables, tables_for
from ._territory import (
    DOCUMENT,
    SECTION,
    TERRITORY,
    inclusione_register_sections,
    inclusione_register_territories,
    sil_dir,
)
from .workflow import Notification, Workflow

__all__ = [
    "DEADLINE",
    "DISCHARGE_FLAG",
    "DOCUMENT",
    "SECTION",
    "TERRITORY",
    "Evaluation",
    "GradePlan",
    "Indicator",
    "InterviewType",
    "Notification",
    "OccupabilityScore",
    "PathRecord",
    "Phase",
    "PhaseSpec",
    "Tables",
    "Workflow",
    "add_months",
    "assess_profile",
    "check_instrument",
    "consent_from_scheda_privacy",
    "default_tables",
    "discharge_window",
    "duration_problems",
    "evaluate_paths",
    "grade_of",
    "inclusione_assess_profile",
    "inclusione_compose_equipe",
    "inclusione_compute_deadlines",
    "inclusione_recommend_interventions",
    "inclusione_register_sections",
    "inclusione_register_territories",
    "inclusione_route",
    "inclusione_validate_project",
    "instrument_errors",
    "instrument_path",
    "levels_from_griglia",
    "levels_of",
    "objectives_for",
    "outcomes",
    "record_from_piano",
    "score_levels",
    "sil_dir",
    "tables_for",
    "workflow",
]
