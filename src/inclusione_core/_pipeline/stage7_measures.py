"""
Measures as of a date: whether a measure (SIA, ReI, RdC, AdI, SFL, GOL...) is in force and applies.

The core default reads ``measures`` in the configuration: the measure's period, and its
``eligible_when`` predicate with the dated ``parameters`` in force on the as-of date,
evaluated in three values: a requirement that depends on a datum the case lacks (the
ISEE, a birth date, a threshold not configured for the date) makes the measure *non
valutabile*, naming each missing datum, never *requisiti non soddisfatti*. A measure with
no ``eligible_when`` says that its requirements are not coded.

Then :func:`resolve_incompatibilities` applies ``incompatible_with`` across the measures
assessed together: the household cannot have both, and the entry says which one it gets
(``prevale_altra``) or that the choice is the household's (``scelta_nucleo``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from .._config import Territory
from .._models import Case, Eligibility, EligibilityOutcome, Reason
from .._predicates import Facts, evaluate3
from .._reasons import core_reason, from_entry
from ..hookspecs import hookimpl
from ..i18n import Message

PREVALE_ALTRA = "prevale_altra"
"""``incompatible_with[].resolution``: the other measure prevails, the household gets it."""
SCELTA_NUCLEO = "scelta_nucleo"
"""``incompatible_with[].resolution``: the household chooses one of the two."""


def in_force(measure: Mapping[str, Any], as_of: dt.date) -> bool:
    """Whether a configured measure is in force on a date."""
    start = dt.date.fromisoformat(str(measure["valid_from"]))
    end = dt.date.fromisoformat(str(measure["valid_to"])) if measure.get("valid_to") else None
    return start <= as_of and (end is None or as_of <= end)


def _joined(items: Iterable[Message]) -> Message:
    out: Message | None = None
    for item in items:
        out = item if out is None else Message("{first}, {then}", first=out, then=item)
    return out if out is not None else Message("none")


def _unconfirmed(measure: Mapping[str, Any], msg: Message) -> Message:
    if not measure.get("unconfirmed"):
        return msg
    return Message("{decision} {unconfirmed}", decision=msg,
                   unconfirmed=Message("Not confirmed: {what}", what=measure["unconfirmed"]))


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
        return Eligibility(measure=code, in_force=False, eligible=False, outcome=EligibilityOutcome.NON_IN_VIGORE,
                           reasons=(from_entry(territory, measure, f"misura.{code}.vigenza", msg, period,
                                               categories=["economic"]),))
    reasons = [from_entry(territory, measure, f"misura.{code}.vigenza",
                          Message("{label} in force on {day}.", label=label, day=as_of.isoformat()), period,
                          categories=["economic"])]
    if "eligible_when" not in measure:
        msg = _unconfirmed(measure, Message(
            "{label}: requirements not coded: the sources of the project do not give them; check them on the"
            " measure's act.", label=label))
        reasons.append(from_entry(territory, measure, f"misura.{code}.requisiti", msg, {"requisiti": None},
                                  categories=["economic"]))
        return Eligibility(measure=code, in_force=True, eligible=None,
                           outcome=EligibilityOutcome.REQUISITI_NON_CODIFICATI, reasons=tuple(reasons))
    facts = Facts(case=case, territory=territory, as_of=as_of, parameters=measure.get("parameters", {}))
    ok, inputs, missing = evaluate3(measure["eligible_when"], facts)
    inputs["dati_mancanti"] = [u.code for u in missing]
    if ok is None:
        outcome = EligibilityOutcome.NON_VALUTABILE
        msg = Message("{label}: not assessable, data missing: {missing}.", label=label,
                      missing=_joined(u.label for u in missing))
    elif ok:
        outcome = EligibilityOutcome.REQUISITI_SODDISFATTI
        msg = Message("{label}: requirements met.", label=label)
    else:
        outcome = EligibilityOutcome.REQUISITI_NON_SODDISFATTI
        msg = Message("{label}: requirements not met.", label=label)
    reasons.append(from_entry(territory, measure, f"misura.{code}.requisiti", _unconfirmed(measure, msg), inputs,
                              source_key="eligible_source" if "eligible_source" in measure else "source",
                              categories=["economic"]))
    return Eligibility(measure=code, in_force=True, eligible=ok, outcome=outcome, reasons=tuple(reasons))


def incompatibilities(territory: Territory, code: str) -> list[Mapping[str, Any]]:
    """The ``incompatible_with`` entries of a measure (empty when none or not configured)."""
    measure = territory.section("measures").get(code) or {}
    return list(measure.get("incompatible_with", []))


def partners(territory: Territory, code: str) -> set[str]:
    """The measures a measure is declared incompatible with, in either direction."""
    out = {e["measure"] for e in incompatibilities(territory, code)}
    out |= {c for c in territory.section("measures") if any(e["measure"] == code for e in incompatibilities(
        territory, c))}
    return out - {code}


def _gets(e: Eligibility, case: Case, as_of: dt.date) -> bool | None:
    """Whether the household gets a measure: enrolled in it on the date, or its requirements met."""
    if any(m.code == e.measure and m.active_on(as_of) for m in case.measures):
        return True
    return e.eligible


def _categories(*eligibilities: Eligibility) -> set[str]:
    return {"economic", *(c for e in eligibilities for r in e.reasons for c in r.categories)}


def resolve_incompatibilities(
    results: Sequence[Eligibility], case: Case, territory: Territory, as_of: dt.date
) -> list[Eligibility]:
    """
    Apply the configured incompatibilities between the measures assessed together.

    For each ``incompatible_with`` entry of measure A naming measure B, both assessed: A
    and B each get a reason (always, whatever the outcome, so that the reasons of a
    measure do not vary with the data they read), which reads what the two measures'
    decisions read. With ``prevale_altra``, when the household gets B (enrolled on the
    date, or B's requirements met) A does not apply (``incompatibile``); when B is not
    assessable, neither is A if its own requirements are met. With ``scelta_nucleo`` both
    stay as they are and the reasons say the household chooses one.
    """
    by_code = {e.measure: e for e in results}
    base = dict(by_code)
    added: dict[str, list[Reason]] = {c: [] for c in by_code}
    measures = territory.section("measures")
    for code, mine in base.items():
        for entry in incompatibilities(territory, code):
            other_code = entry["measure"]
            other = base.get(other_code)
            if other is None:
                continue
            label, other_label = measures[code]["label"], measures[other_code]["label"]
            src = {**measures[code], "source": entry["source"]}
            cats = _categories(mine, other)
            gets_other = _gets(other, case, as_of)
            inputs = {"incompatibile_con": other_code, "risoluzione": entry["resolution"],
                      f"esito.{code}": None if mine.outcome is None else mine.outcome.value,
                      f"esito.{other_code}": None if other.outcome is None else other.outcome.value,
                      f"percepisce.{other_code}": gets_other}
            if entry["resolution"] == SCELTA_NUCLEO:
                msg = Message("{label} and {other} cannot both apply: the household chooses one.", label=label,
                              other=other_label)
                twin = msg
            else:
                current = by_code[code]
                twin = Message("{other} prevails over {label}: the household cannot have both.", label=label,
                               other=other_label)
                if mine.eligible and gets_other:
                    by_code[code] = attrs.evolve(current, eligible=False, outcome=EligibilityOutcome.INCOMPATIBILE)
                    msg = Message("{label}: requirements met, but incompatible with {other}, which the household"
                                  " gets: {other} prevails.", label=label, other=other_label)
                elif mine.eligible and gets_other is None:
                    by_code[code] = attrs.evolve(current, eligible=None, outcome=EligibilityOutcome.NON_VALUTABILE)
                    msg = Message("{label}: requirements met, but not assessable: it is incompatible with {other},"
                                  " which prevails and is not assessable.", label=label, other=other_label)
                elif mine.eligible:
                    msg = Message("{label}: requirements met, and the household does not get {other}, which would"
                                  " prevail: no conflict.", label=label, other=other_label)
                else:
                    msg = Message("{label} is incompatible with {other}, which prevails.", label=label,
                                  other=other_label)
            rule = f"misura.{code}.incompatibilita.{other_code}"
            added[code].append(from_entry(territory, src, rule, msg, inputs, categories=cats))
            added[other_code].append(from_entry(territory, src, rule, twin, inputs, categories=cats))
    return [attrs.evolve(by_code[e.measure], reasons=(*by_code[e.measure].reasons, *added[e.measure]))
            for e in results]


@hookimpl(trylast=True)
def inclusione_check_eligibility(measure: str, case: Case, territory: Territory, as_of: dt.date) -> Eligibility:
    """Core default: the configured period and requirements of the measure on the as-of date."""
    return eligibility(measure, case, territory, as_of)
