"""
Measures as of a date: whether a measure (SIA, ReI, RdC, AdI, SFL, GOL...) is in force and applies.

The core default reads ``measures`` in the configuration: the measure's period, and its
``eligible_when`` predicate with the dated ``parameters`` in force on the as-of date.
"""

from __future__ import annotations

import datetime as dt

from .._config import Territory
from .._models import Case, Eligibility
from .._predicates import Facts, evaluate
from .._reasons import core_reason, from_entry
from ..hookspecs import hookimpl
from ..i18n import Message


def in_force(measure: dict[str, object], as_of: dt.date) -> bool:
    """Whether a configured measure is in force on a date."""
    start = dt.date.fromisoformat(str(measure["valid_from"]))
    end = dt.date.fromisoformat(str(measure["valid_to"])) if measure.get("valid_to") else None
    return start <= as_of and (end is None or as_of <= end)


def eligibility(code: str, case: Case, territory: Territory, as_of: dt.date) -> Eligibility:
    """In force and eligible, with the reasons and the parameters then in force."""
    measure = territory.section("measures").get(code)
    if measure is None:
        return Eligibility(measure=code, in_force=False, eligible=None, reasons=(core_reason(
            territory, "misura.sconosciuta",
            Message("Measure {code!r} is not configured for the territory.", code=code),
            inputs={"misura": code}),))
    period = {"dal": measure["valid_from"], "al": measure.get("valid_to")}
    label = measure["label"]
    if not in_force(measure, as_of):
        msg = Message("{label} is not in force on {day}.", label=label, day=as_of.isoformat())
        return Eligibility(measure=code, in_force=False, eligible=False,
                           reasons=(from_entry(territory, measure, f"misura.{code}.vigenza", msg, period,
                                               categories=["economic"]),))
    reasons = [from_entry(territory, measure, f"misura.{code}.vigenza",
                          Message("{label} in force on {day}.", label=label, day=as_of.isoformat()), period,
                          categories=["economic"])]
    if "eligible_when" not in measure:
        return Eligibility(measure=code, in_force=True, eligible=None, reasons=tuple(reasons))
    facts = Facts(case=case, territory=territory, as_of=as_of, parameters=measure.get("parameters", {}))
    ok, inputs = evaluate(measure["eligible_when"], facts)
    if measure.get("unconfirmed"):
        msg = Message("{label}: requirements met. {unconfirmed}", label=label,
                      unconfirmed=Message("Not confirmed: {what}", what=measure["unconfirmed"])) if ok else \
            Message("{label}: requirements not met. {unconfirmed}", label=label,
                    unconfirmed=Message("Not confirmed: {what}", what=measure["unconfirmed"]))
    else:
        msg = Message("{label}: requirements met.", label=label) if ok else \
            Message("{label}: requirements not met.", label=label)
    reasons.append(from_entry(territory, measure, f"misura.{code}.requisiti", msg, inputs, categories=["economic"]))
    return Eligibility(measure=code, in_force=True, eligible=ok, reasons=tuple(reasons))


@hookimpl(trylast=True)
def inclusione_check_eligibility(measure: str, case: Case, territory: Territory, as_of: dt.date) -> Eligibility:
    """Core default: the configured period and requirements of the measure on the as-of date."""
    return eligibility(measure, case, territory, as_of)
