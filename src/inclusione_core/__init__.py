"""
inclusione_core: social services and employment centres working one case together.

The shared vocabulary (households, assessments, profiles, referrals, interventions,
equipe formats, projects, cases, dated measures), the explained pipeline
(:class:`Engine`), the hook contract for territory plugins (:data:`hookimpl`, see
:mod:`inclusione_core.hookspecs`) and validated territory configurations.

Names are imported lazily, on first access, from the private modules that define them:
``import inclusione_core`` stays cheap (the ``inclusione`` command answers ``--help`` without
loading attrs, cattrs, pluggy or jsonschema), and ``from inclusione_core import Engine``
works as usual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._audit import AuditLog, AuditRecord, JsonlAuditLog, MemoryAuditLog
    from ._categories import DataCategory
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
        Consent,
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
        Purpose,
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
    from ._privacy import Disclosure, Policy, Recipient, View, Withheld
    from ._reader import JsonLine, Limits, YamlDocument, read_json, read_json_lines, read_yaml
    from .hookspecs import PROJECT, hookimpl
    from .referrals import record, update_referral

__all__ = [
    "PROJECT",
    "Access",
    "AccessChannel",
    "Activability",
    "Assessment",
    "AssessmentStage",
    "AuditLog",
    "AuditRecord",
    "Case",
    "CaseEvent",
    "CaseStatus",
    "Citation",
    "Commitment",
    "ConfigLayer",
    "ConfigurationError",
    "Consent",
    "DataCategory",
    "Deadline",
    "DeadlineStatus",
    "DecidedBy",
    "DimensionLevel",
    "Disclosure",
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
    "JsonLine",
    "JsonlAuditLog",
    "Limits",
    "MeasureEnrolment",
    "Member",
    "MemoryAuditLog",
    "MonitoringRhythm",
    "Need",
    "Objective",
    "ObjectiveTerm",
    "PluginError",
    "Policy",
    "Problem",
    "Profile",
    "ProfileDecision",
    "Project",
    "Provenance",
    "Purpose",
    "Reason",
    "Recipient",
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
    "View",
    "Withheld",
    "YamlDocument",
    "configure_converter",
    "get_plugin_manager",
    "hookimpl",
    "make_converter",
    "read_json",
    "read_json_lines",
    "read_yaml",
    "record",
    "update_referral",
]

# Public name -> private module defining it (kept in step with ``__all__`` by a test).
_EXPORTS: dict[str, str] = {
    "Access": "._models",
    "AccessChannel": "._models",
    "Activability": "._models",
    "Assessment": "._models",
    "AssessmentStage": "._models",
    "AuditLog": "._audit",
    "AuditRecord": "._audit",
    "Case": "._models",
    "CaseEvent": "._models",
    "CaseStatus": "._models",
    "Citation": "._models",
    "Commitment": "._models",
    "ConfigLayer": "._models",
    "ConfigurationError": "._errors",
    "Consent": "._models",
    "DataCategory": "._categories",
    "Deadline": "._models",
    "DeadlineStatus": "._models",
    "DecidedBy": "._models",
    "DimensionLevel": "._models",
    "Disclosure": "._privacy",
    "EducationLevel": "._models",
    "Eligibility": "._models",
    "EmploymentStatus": "._models",
    "Engine": "._engine",
    "Equipe": "._models",
    "EquipeMember": "._models",
    "ErrorDetail": "._errors",
    "Grade": "._models",
    "Household": "._models",
    "InclusioneError": "._errors",
    "InputError": "._errors",
    "IntervalUnit": "._models",
    "InvalidCaseError": "._errors",
    "JsonLine": "._reader",
    "JsonlAuditLog": "._audit",
    "Limits": "._reader",
    "MeasureEnrolment": "._models",
    "Member": "._models",
    "MemoryAuditLog": "._audit",
    "MonitoringRhythm": "._models",
    "Need": "._models",
    "Objective": "._models",
    "ObjectiveTerm": "._models",
    "PROJECT": ".hookspecs",
    "PluginError": "._errors",
    "Policy": "._privacy",
    "Problem": "._models",
    "Profile": "._models",
    "ProfileDecision": "._models",
    "Project": "._models",
    "Provenance": "._models",
    "Purpose": "._models",
    "Reason": "._models",
    "Recipient": "._privacy",
    "Recommendation": "._models",
    "Referral": "._models",
    "ReferralResponse": "._models",
    "ReferralStatus": "._models",
    "Result": "._models",
    "Routing": "._models",
    "RoutingOutcome": "._models",
    "RuleCollisionError": "._errors",
    "ScenarioFileError": "._errors",
    "ScheduledIntervention": "._models",
    "Signature": "._models",
    "Territory": "._config",
    "TerritoryInfo": "._engine",
    "TerritoryNotFoundError": "._errors",
    "TransitionError": "._errors",
    "View": "._privacy",
    "Withheld": "._privacy",
    "YamlDocument": "._reader",
    "configure_converter": "._convert",
    "get_plugin_manager": "._plugins",
    "hookimpl": ".hookspecs",
    "make_converter": "._convert",
    "read_json": "._reader",
    "read_json_lines": "._reader",
    "read_yaml": "._reader",
    "record": ".referrals",
    "update_referral": ".referrals",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from ._plugins import core_version  # noqa: PLC0415

        return core_version()
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'inclusione_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
