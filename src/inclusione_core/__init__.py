"""
inclusione_core: social services and employment centres working one case together.

The shared vocabulary (households, assessments, profiles, referrals, interventions,
equipe formats, projects, cases, dated measures), the explained pipeline
(:class:`Engine`), the hook contract for territory plugins (:data:`hookimpl`, see
:mod:`inclusione_core.hookspecs`) and validated territory configurations.
"""

from __future__ import annotations

from typing import Any

from ._config import Territory
from ._convert import configure_converter, make_converter
from ._engine import Engine, TerritoryInfo
from ._errors import (
    ConfigurationError,
    ErrorDetail,
    InclusioneError,
    InputError,
    InvalidCaseError,
    PluginError,
    RuleCollisionError,
    ScenarioFileError,
    TerritoryNotFoundError,
    TransitionError,
)
from ._models import (
    Access,
    AccessChannel,
    Activability,
    Assessment,
    AssessmentStage,
    Case,
    CaseEvent,
    CaseStatus,
    Citation,
    Commitment,
    ConfigLayer,
    Deadline,
    DeadlineStatus,
    DecidedBy,
    DimensionLevel,
    EducationLevel,
    Eligibility,
    EmploymentStatus,
    Equipe,
    EquipeMember,
    Grade,
    Household,
    IntervalUnit,
    MeasureEnrolment,
    Member,
    MonitoringRhythm,
    Need,
    Objective,
    ObjectiveTerm,
    Problem,
    Profile,
    ProfileDecision,
    Project,
    Provenance,
    Reason,
    Recommendation,
    Referral,
    ReferralResponse,
    ReferralStatus,
    Result,
    Routing,
    RoutingOutcome,
    ScheduledIntervention,
    Signature,
)
from ._plugins import get_plugin_manager
from .hookspecs import PROJECT, hookimpl

__all__ = [
    "PROJECT",
    "Access",
    "AccessChannel",
    "Activability",
    "Assessment",
    "AssessmentStage",
    "Case",
    "CaseEvent",
    "CaseStatus",
    "Citation",
    "Commitment",
    "ConfigLayer",
    "ConfigurationError",
    "Deadline",
    "DeadlineStatus",
    "DecidedBy",
    "DimensionLevel",
    "EducationLevel",
    "Eligibility",
    "EmploymentStatus",
    "Engine",
    "Equipe",
    "EquipeMember",
    "ErrorDetail",
    "Grade",
    "Household",
    "InclusioneError",
    "InputError",
    "IntervalUnit",
    "InvalidCaseError",
    "MeasureEnrolment",
    "Member",
    "MonitoringRhythm",
    "Need",
    "Objective",
    "ObjectiveTerm",
    "PluginError",
    "Problem",
    "Profile",
    "ProfileDecision",
    "Project",
    "Provenance",
    "Reason",
    "Recommendation",
    "Referral",
    "ReferralResponse",
    "ReferralStatus",
    "Result",
    "Routing",
    "RoutingOutcome",
    "RuleCollisionError",
    "ScenarioFileError",
    "ScheduledIntervention",
    "Signature",
    "Territory",
    "TerritoryInfo",
    "TerritoryNotFoundError",
    "TransitionError",
    "configure_converter",
    "get_plugin_manager",
    "hookimpl",
    "make_converter",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from ._plugins import core_version  # noqa: PLC0415

        return core_version()
    raise AttributeError(f"module 'inclusione_core' has no attribute {name!r}")
