"""
The SIL profile: the core's profile, with the occupability grade of the SIL grid (§2.b).

For a territory within ``sil`` this hook answers instead of the core default:

* **occupability** comes from the SIL grid (:mod:`._occupability`), with its whole
  computation in the reason, the configurable parameters in a second reason, and the
  objectives and macro-activities of the §2.b table for the grade in a third. When the
  assessment records no item of the grid, the grade falls back to the territory's
  ``profile.occupability`` (the core's rule) and a reason says the grid is missing;
* **complexity, activability, flags and pathway** are the core's, computed on a view of
  the territory without the grid's items: they are sub-dimensions of the work situation,
  and counting them as nine more dimensions of need would inflate the complexity of the
  six dimensions of D.Lgs. 147/2017;
* the target groups of §1 are profile flags of the configuration. The list is "a titolo
  esemplificativo": when no target flag is set a reason says the case is not excluded;
  the L. 68/1999 flag gets a reason citing the law's threshold;
* the flag ``sil_dimissioni`` marks a path near or past its maximum duration (§5).

This module reuses private pieces of ``inclusione_core`` (``_profile.complexity``,
``_profile.activability``, ``_profile.occupability``, ``_predicates.Facts``/``evaluate``,
``_reasons.from_entry``/``core_reason``): the core has no public API to evaluate the
configured flags and pathways with a different occupability grade.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from inclusione_core import Case, Grade, Profile, ProfileDecision, Reason, Territory, hookimpl
from inclusione_core._predicates import Facts, evaluate
from inclusione_core._profile import NOT_ASSESSED, activability, complexity
from inclusione_core._profile import occupability as core_occupability
from inclusione_core._reasons import core_reason, from_entry

from ._duration import DISCHARGE_FLAG, discharge_reason, discharge_window
from ._occupability import levels_of, occupability_reasons, plan_reason, score_levels
from ._tables import Tables, tables_for
from ._territory import TERRITORY


def core_view(territory: Territory, tables: Tables) -> Territory:
    """The territory without the grid's items among its dimensions (for the core's grades)."""
    items = set(tables.items())
    dims = {k: v for k, v in territory.section("dimensions").items() if k not in items}
    return attrs.evolve(territory, data={**territory.data, "dimensions": dims})


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
    return Reason(
        rule="sil.target.l68.soglia",
        territory=tables.layer,
        message_it=f"Soglia del collocamento mirato: invalidità civile superiore al {shown}% (L. 68/1999, art. 1)."
                   f" Le linee guida SIL scrivono «oltre il 46%, ai sensi della L. 68»: poiché rinviano alla legge,"
                   f" si leggono «dal 46%», che per percentuali intere coincide con «oltre il {shown}%» (primo"
                   f" valore: {first}%). Si applica la soglia di legge.",
        message_en=f"Targeted placement threshold: civil invalidity above {shown}% (Law 68/1999, art. 1). The SIL"
                   f" guidelines write \"over 46%, under Law 68\": since they refer to the law they read \"from"
                   f" 46%\", which for whole percentages is the same as \"above {shown}%\" (first value: {first}%)."
                   f" The legal threshold applies.",
        source=tables.l68_source,
        inputs={"soglia_oltre": above, "invalidita_certificate": percents},
        defined_in=tables.rel,
        categories=("health",),
    )


def _not_listed_reason(tables: Tables) -> Reason:
    return Reason(
        rule="sil.target.fuori_elenco",
        territory=tables.layer,
        message_it="Nessuno dei gruppi dell'elenco esemplificativo del SIL: il caso non è escluso per questo;"
                   " decide la valutazione dell'occupabilità, caso per caso.",
        message_en="None of the SIL's illustrative target groups: the case is not excluded for that; the"
                   " occupability assessment decides, case by case.",
        source=tables.target_source,
        inputs={"gruppi_elenco": list(tables.target_flags)},
        defined_in=tables.rel,
    )


def _occupability(case: Case, territory: Territory, view: Territory, tables: Tables
                  ) -> tuple[Grade | None, list[Reason]]:
    score = score_levels(levels_of(case), tables) if case.assessment is not None else None
    if score is not None:
        return score.grade, [*occupability_reasons(score, tables, territory),
                             plan_reason(score.grade, tables, "griglia_sil")]
    grade, reason = core_occupability(case, view)
    reasons = [] if reason is None else [reason]
    if case.assessment is not None:
        phase4 = tables.phase("colloquio_persona")
        reasons.append(Reason(
            rule="sil.occupabilita.griglia_non_compilata",
            territory=tables.layer,
            message_it="Griglia di occupabilità del SIL non compilata (nessuna voce rilevata): il grado viene dalla"
                       " regola del territorio; compilare la griglia per colloquio (fase 4).",
            message_en="SIL occupability grid not filled in (no item recorded): the grade comes from the"
                       " territory's rule; fill in the interview grid (phase 4).",
            source=phase4.source,
            inputs={"voci": list(tables.items())},
            defined_in=tables.rel,
        ))
    if grade is not None:
        reasons.append(plan_reason(grade, tables, "profilo_territorio"))
    return grade, reasons


def assess(case: Case, territory: Territory, as_of: dt.date) -> ProfileDecision:
    """The SIL profile of a case, with a reason for each part."""
    tables = tables_for(territory)
    view = core_view(territory, tables)
    occ, reasons = _occupability(case, territory, view, tables)
    cpx, r_cpx = complexity(case, view)
    act, r_act = activability(case, view, as_of, cpx)
    reasons += [r for r in (r_cpx, r_act) if r is not None]
    partial = Profile(occupability=occ, complexity=cpx, activability=act, pathway=NOT_ASSESSED)
    facts = Facts(case=case, territory=view, as_of=as_of, profile=partial)
    flags: list[str] = []
    for code, flag in territory.section("profile", "flags").items():
        hit, inputs = evaluate(flag["when"], facts)
        if hit:
            flags.append(code)
            reasons.append(from_entry(territory, flag, f"profilo.flag.{code}", flag["label"], inputs))
    if tables.l68_flag in flags:
        reasons.append(_l68_reason(case, territory, tables))
    if not set(flags) & set(tables.target_flags):
        reasons.append(_not_listed_reason(tables))
    window = discharge_window(case, tables, as_of)
    discharge = None if window is None else discharge_reason(window, tables)
    if discharge is not None:
        flags.append(DISCHARGE_FLAG)
        reasons.append(discharge)
    partial = attrs.evolve(partial, flags=tuple(flags))
    facts = Facts(case=case, territory=view, as_of=as_of, profile=partial)
    pathway = NOT_ASSESSED
    if case.assessment is None:
        reasons.append(core_reason(
            territory, "profilo.non_valutato",
            "Caso non ancora valutato: servono i colloqui di valutazione (fasi 2-4).",
            "Case not assessed yet: the assessment interviews are needed (phases 2-4).",
        ))
    else:
        for rule in territory.rules("profile", "pathways"):
            hit, inputs = evaluate(rule["when"], facts)
            if hit:
                pathway = rule["pathway"]
                reasons.append(from_entry(territory, rule, f"percorso.{rule['id']}", inputs=inputs))
                break
    return ProfileDecision(profile=attrs.evolve(partial, pathway=pathway), reasons=tuple(reasons))


@hookimpl
def inclusione_assess_profile(case: Case, territory: Territory, as_of: dt.date) -> ProfileDecision | None:
    """SIL: occupability from the SIL grid, the §2.b objectives, target and *dimissioni* flags."""
    if not territory.within(TERRITORY):
        return None
    return assess(case, territory, as_of)
