"""
The SIL profile: the core's profile, with the occupability grade of the SIL grid (§2.b).

For a territory within ``sil`` this hook answers instead of the core default, through
:func:`inclusione_core.rules.assess_profile` with the SIL's occupability rule and flags:

* **occupability** comes from the SIL grid (:mod:`._occupability`), with its whole
  computation in the reason, the configurable parameters in a second reason, and the
  objectives and macro-activities of the §2.b table for the grade in a third. When the
  assessment records no item of the grid, the grade falls back to the territory's
  ``profile.occupability`` (the core's rule,
  :func:`~inclusione_core.rules.configured_occupability`) and a reason says the grid is
  missing;
* **complexity, activability, configured flags and pathway** are the core's. The grid's
  items ``refine`` the dimension ``lavoro`` in the configuration: they are sub-dimensions
  of the work situation, and the core does not count them among the six dimensions of
  need of D.Lgs. 147/2017;
* the target groups of §1 are profile flags of the configuration. The list is "a titolo
  esemplificativo": when no target flag is set a reason says the case is not excluded
  (with the data categories of every group: its absence would otherwise reveal that a
  withheld group is there);
  the L. 68/1999 flag gets a reason citing the law's threshold;
* the flag ``sil_dimissioni`` marks a path near or past its maximum duration (§5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from inclusione_core import Case, Grade, ProfileDecision, Reason, Territory, hookimpl
from inclusione_core.i18n import N_
from inclusione_core.rules import Facts, assess_profile, configured_occupability, evaluate

from ._current import current_phase, gate_reason, phase_reason
from ._duration import DISCHARGE_FLAG, discharge_reason, discharge_window
from ._i18n import message
from ._occupability import grid_categories, levels_of, occupability_reasons, plan_reason, score_levels
from ._tables import Tables, tables_for

NOT_ASSESSED = N_("Case not assessed yet: the assessment interviews are needed (phases 2-4).")


def _threshold(predicate: Mapping[str, Any]) -> int | None:
    """The ``disability_above`` value inside a flag's predicate, if any."""
    for key, value in predicate.items():
        if key == "member" and "disability_above" in value:
            return int(value["disability_above"])
        if key in ("all", "any"):
            for sub in value:
                found = _threshold(sub)
                if found is not None:
                    return found
        if key == "not":
            return _threshold(value)
    return None


def _l68_reason(case: Case, territory: Territory, tables: Tables) -> Reason:
    flag = territory.section("profile", "flags")[tables.l68_flag]
    above = _threshold(flag["when"])
    shown = "?" if above is None else str(above)
    first = "?" if above is None else str(above + 1)
    percents = [m.disability_percent for m in case.household.members if m.disability_percent is not None]
    text = message('Targeted placement threshold: civil invalidity above {above}% (Law 68/1999, art. 1). The SIL'
                   ' guidelines write "over 46%, under Law 68": since they refer to the law they read "from 46%",'
                   ' which for whole percentages is the same as "above {above}%" (first value: {first}%). The legal'
                   ' threshold applies.', above=shown, first=first)
    return Reason(
        rule="sil.target.l68.soglia",
        territory=tables.layer,
        message_it=text.text("it"),
        message_en=text.text("en"),
        source=tables.l68_source,
        inputs={"soglia_oltre": above, "invalidita_certificate": percents},
        defined_in=tables.defined_in,
        categories=("health",),
    )


def _target_categories(case: Case, territory: Territory, as_of: dt.date, tables: Tables) -> tuple[str, ...]:
    """The data categories the target flags' conditions look at (their needs, the invalidity)."""
    flags = territory.section("profile", "flags")
    facts = Facts(case=case, territory=territory, as_of=as_of)
    used: set[str] = set()
    for code in tables.target_flags:
        if code in flags:
            used |= evaluate(flags[code]["when"], facts)[1].categories
    return tuple(sorted(used | {"process"}))


def _not_listed_reason(tables: Tables, categories: tuple[str, ...]) -> Reason:
    # Saying that the person is in none of the groups says that they are no former addict
    # or detainee, have no psychological distress...: the reason carries the categories
    # of every group, so a recipient that may not see one of them sees neither the flag
    # nor its absence.
    text = message("None of the SIL's illustrative target groups: the case is not excluded for that; the occupability"
                   " assessment decides, case by case.")
    return Reason(
        rule="sil.target.fuori_elenco",
        territory=tables.layer,
        message_it=text.text("it"),
        message_en=text.text("en"),
        source=tables.target_source,
        inputs={"gruppi_elenco": list(tables.target_flags)},
        defined_in=tables.defined_in,
        categories=categories,
    )


def occupability(case: Case, territory: Territory) -> tuple[Grade | None, list[Reason]]:
    """The SIL occupability rule: the grid's grade, else the territory's configured bands."""
    tables = tables_for(territory)
    grid = grid_categories(territory, tables)
    score = score_levels(levels_of(case), tables) if case.assessment is not None else None
    if score is not None:
        return score.grade, [*occupability_reasons(score, tables, territory),
                             plan_reason(score.grade, tables, "griglia_sil", grid)]
    grade, reasons = configured_occupability(case, territory)
    # the fallback is taken because no item of the grid is recorded: that too is read from the grid
    reasons = [attrs.evolve(r, categories=tuple(sorted({*r.categories, *grid}))) for r in reasons]
    if case.assessment is not None:
        phase4 = tables.phase("colloquio_persona")
        text = message("SIL occupability grid not filled in (no item recorded): the grade comes from the territory's"
                       " rule; fill in the interview grid (phase 4).")
        reasons.append(Reason(
            rule="sil.occupabilita.griglia_non_compilata",
            territory=tables.layer,
            message_it=text.text("it"),
            message_en=text.text("en"),
            source=phase4.source,
            inputs={"voci": list(tables.items())},
            defined_in=tables.defined_in,
            categories=grid,
        ))
    if grade is not None:
        reasons.append(plan_reason(grade, tables, "profilo_territorio",
                                   {c for r in reasons for c in r.categories}))
    return grade, reasons


def extra_flags(case: Case, territory: Territory, as_of: dt.date,
                configured: tuple[str, ...]) -> tuple[list[str], list[Reason]]:
    """
    The SIL's flags and reasons beyond the configured ones: the L. 68/1999 threshold, the
    target list being illustrative, and ``sil_dimissioni`` (§5).
    """
    tables = tables_for(territory)
    reasons: list[Reason] = []
    if tables.l68_flag in configured:
        reasons.append(_l68_reason(case, territory, tables))
    if not set(configured) & set(tables.target_flags):
        reasons.append(_not_listed_reason(tables, _target_categories(case, territory, as_of, tables)))
    current = current_phase(case, as_of)
    if current is not None:  # the path's phase, and what it does not allow yet (or any more)
        gate = gate_reason(current, tables)
        reasons += [phase_reason(current, tables), *([gate] if gate is not None else [])]
    window = discharge_window(case, tables, as_of)
    discharge = None if window is None else discharge_reason(window, tables)
    if discharge is None:
        return [], reasons
    return [DISCHARGE_FLAG], [*reasons, discharge]


def assess(case: Case, territory: Territory, as_of: dt.date) -> ProfileDecision:
    """The SIL profile of a case, with a reason for each part."""
    profile, reasons = assess_profile(case, territory, as_of, occupability_rule=occupability, extra_flags=extra_flags,
                                      not_assessed=message(NOT_ASSESSED))
    return ProfileDecision(profile=profile, reasons=tuple(reasons))


@hookimpl
def inclusione_assess_profile(case: Case, territory: Territory, as_of: dt.date) -> ProfileDecision | None:
    """SIL: occupability from the SIL grid, the §2.b objectives, target and *dimissioni* flags."""
    return assess(case, territory, as_of)
