"""Pipeline stage 1, assess: the core default profile, read from ``profile`` in the configuration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from .._categories import DataCategory
from .._config import Territory
from .._messages import code_message
from .._models import (
    Activability,
    Case,
    EmploymentStatus,
    Grade,
    Member,
    Profile,
    ProfileDecision,
    Reason,
)
from .._predicates import Facts, evaluate
from .._reasons import core_reason, from_entry
from ..hookspecs import hookimpl
from ..i18n import CORE, N_, Message

NOT_ASSESSED = "da_valutare"
_NOT_ACTIVE = {EmploymentStatus.OCCUPATO, EmploymentStatus.STUDENTE, EmploymentStatus.PENSIONATO,
               EmploymentStatus.INABILE}


def _band(bands: list[Mapping[str, Any]], value: int) -> Grade:
    for band in bands:
        if value <= band["up_to"]:
            return Grade(band["grade"])
    return Grade(bands[-1]["grade"])


def _label(territory: Territory, section: str, code: str) -> dict[str, str] | str:
    """A configured entry's label ``{it, en}`` (filled in the output's language), else its code."""
    label = territory.section(section).get(code, {}).get("label")
    return dict(label) if isinstance(label, Mapping) else code


def _labels(territory: Territory, section: str, codes: Iterable[str]) -> dict[str, str]:
    """Configured labels of codes, comma-separated, as a label ``{it, en}``."""
    shown = [_label(territory, section, c) for c in codes]
    return {lang: ", ".join(x if isinstance(x, str) else x.get(lang) or x["it"] for x in shown).lower()
            for lang in ("it", "en")}


def occupability(case: Case, territory: Territory) -> tuple[Grade | None, Reason | None]:
    """Occupability grade from the configured dimension's need level."""
    cfg = territory.setting("profile", "occupability")
    if cfg is None or case.assessment is None:
        return None, None
    level = case.assessment.level(cfg["dimension"])
    grade = _band(cfg["bands"], level)
    inputs = {f"livello.{cfg['dimension']}": level, "grado": grade.value}
    msg = Message("Occupability {grade}: need level {level} in the dimension “{dimension}” (configured bands).",
                  grade=code_message("grade", grade.value), level=level,
                  dimension=_label(territory, "dimensions", cfg["dimension"]))
    cats = [territory.data_category("dimensions", cfg["dimension"])]
    return grade, from_entry(territory, cfg, "profilo.occupabilita", msg, inputs, categories=cats)


def complexity(case: Case, territory: Territory) -> tuple[Grade | None, Reason | None]:
    """Complexity from how many dimensions reach the configured level; some needs escalate."""
    cfg = territory.setting("profile", "complexity")
    if cfg is None or case.assessment is None:
        return None, None
    a = case.assessment
    hit = sorted(d for d in territory.need_dimensions() if a.level(d) >= cfg["level"])
    grade = _band(cfg["bands"], len(hit))
    escalating = sorted(a.need_codes() & set(cfg.get("escalate_needs", [])))
    if escalating:
        grade = Grade.ALTA
    inputs = {f"dimensioni_con_livello_>={cfg['level']}": hit, "bisogni_specialistici": escalating}
    if escalating:
        msg = CORE.nmessage("Complexity {grade}: {n} dimension with need >= {level}; specialist needs: {needs}.",
                            "Complexity {grade}: {n} dimensions with need >= {level}; specialist needs: {needs}.",
                            len(hit), grade=code_message("grade", grade.value), level=cfg["level"],
                            needs=_labels(territory, "needs", escalating))
    else:
        msg = CORE.nmessage("Complexity {grade}: {n} dimension with need >= {level}.",
                            "Complexity {grade}: {n} dimensions with need >= {level}.", len(hit),
                            grade=code_message("grade", grade.value), level=cfg["level"])
    # What the rule may read, whatever the case holds: every dimension of need and every
    # escalating need (an addiction need makes it "alta" whether or not this case has one).
    cats = [territory.data_category("dimensions", d) for d in territory.need_dimensions()]
    cats += [territory.data_category("needs", n) for n in cfg.get("escalate_needs", [])]
    return grade, from_entry(territory, cfg, "profilo.complessita", msg, inputs, categories=cats)


def activability(
    case: Case, territory: Territory, as_of: dt.date, complexity_grade: Grade | None
) -> tuple[Activability | None, Reason | None]:
    """Whether members can take up a work path: the assessment's word, else age and condition."""
    cfg = territory.setting("profile", "activability")
    if cfg is None or case.assessment is None:
        return None, None
    ready = case.assessment.work_ready_members
    if ready:
        value = Activability.ATTIVABILE
        inputs: dict[str, Any] = {"componenti_attivabili": list(ready)}
        msg = Message("Activable: the assessment names members ready for a work path ({members}).",
                      members=", ".join(ready))
    else:
        lo, hi = cfg.get("working_age", [18, 64])
        of_age = [m for m in case.household.members
                  if (age := m.age(as_of)) is not None and lo <= age <= hi and m.employment not in _NOT_ACTIVE]
        exempt = {m.id: grounds for m in of_age if (grounds := exemption(m))}
        volunteers = [i for i in exempt if _member(case, i).asks_activation]
        candidates = [m.id for m in of_age if m.id not in exempt or m.id in volunteers]
        inputs = {"eta_lavorativa": [lo, hi], "componenti_candidati": candidates,
                  "componenti_esonerati": {i: list(g) for i, g in exempt.items()},
                  "adesione_volontaria": volunteers,
                  "complessita": None if complexity_grade is None else complexity_grade.value}
        if not candidates:
            value = Activability.NON_ATTIVABILE
            if exempt:
                msg = Message("Not activable: no member aged {low}-{high} obliged to activate; exempt from the"
                              " activation duties: {exempt}. An exempt member may still ask to take up a path"
                              " (asks_activation).", low=lo, high=hi, exempt=_exempt_text(exempt))
            else:
                msg = Message("Not activable: no member aged {low}-{high} free of work, study, care loads or"
                              " treatment.", low=lo, high=hi)
        elif complexity_grade is Grade.ALTA:
            value = Activability.PARZIALMENTE_ATTIVABILE
            msg = Message("Partly activable: candidate members ({members}) but high complexity.",
                          members=", ".join(candidates))
        else:
            value = Activability.ATTIVABILE
            msg = Message("Activable: candidate members ({members}).", members=", ".join(candidates))
        if volunteers:
            msg = Message("{decision} Exempt from the activation duties but asking to take up a path (voluntary"
                          " adhesion): {members}.", decision=msg, members=_exempt_text(
                              {i: exempt[i] for i in volunteers}))
    # ages, conditions towards work, care loads and socio-sanitary care (health), always read
    cats = ["work", "identity", "household", "health"]
    return value, from_entry(territory, cfg, "profilo.attivabilita", msg, inputs, categories=cats)


_EXEMPTION_LABELS = {
    "programma_di_cura": N_("in a socio-sanitary care programme"),
    "carico_di_cura": N_("care load"),
}


def exemption(member: Member) -> tuple[str, ...]:
    """
    Why a member of working age is exempt from the activation duties (*esonero*; empty:
    not exempt): in a socio-sanitary care programme, or with a care load, on the model of
    the AdI duties (D.L. n. 48/2023, as reported). Exempt is not unable: the member may ask
    to take up a path (``asks_activation``) and then counts as activable.
    """
    grounds = []
    if member.in_socio_sanitary_care:
        grounds.append("programma_di_cura")
    if member.care_load:
        grounds.append("carico_di_cura")
    return tuple(grounds)


def _member(case: Case, member_id: str) -> Member:
    return next(m for m in case.household.members if m.id == member_id)


def _joined(items: Iterable[Message]) -> Message:
    """A list of messages, comma-separated, in the language of the output."""
    out: Message | None = None
    for item in items:
        out = item if out is None else Message("{first}, {then}", first=out, then=item)
    return out if out is not None else Message("none")


def _exempt_text(exempt: Mapping[str, tuple[str, ...]]) -> Message:
    return _joined(Message("{member} ({grounds})", member=i, grounds=_joined(
        Message(_EXEMPTION_LABELS[g]) for g in grounds)) for i, grounds in exempt.items())


OccupabilityRule = Callable[[Case, Territory], tuple[Grade | None, list[Reason]]]
"""``(case, territory) -> (grade, reasons)``: how a territory grades occupability."""
ExtraFlags = Callable[[Case, Territory, dt.date, tuple[str, ...]], tuple[list[str], list[Reason]]]
"""``(case, territory, as_of, flags so far) -> (flags to add, their reasons)``."""


ALL_SPECIAL: tuple[str, ...] = tuple(sorted({"process", *(c.value for c in DataCategory if c.special)}))
"""The categories of a plugin flag whose reason the core cannot tell: every special one."""


def _cats(reasons: Iterable[Reason | None]) -> tuple[str, ...]:
    """The union of the data categories of some reasons (``process`` when there are none)."""
    found = {c for r in reasons if r is not None for c in r.categories}
    return tuple(sorted(found)) or ("process",)


def _core_occupability(case: Case, territory: Territory) -> tuple[Grade | None, list[Reason]]:
    grade, reason = occupability(case, territory)
    return grade, [] if reason is None else [reason]


def assess(
    case: Case,
    territory: Territory,
    as_of: dt.date,
    *,
    occupability_rule: OccupabilityRule | None = None,
    extra_flags: ExtraFlags | None = None,
    not_assessed: tuple[str, str] | str | None = None,
) -> tuple[Profile, list[Reason]]:
    """
    Compute the profile from the configuration, with a reason for each part.

    A territory plugin can replace the occupability rule (e.g. a grid of items) and add
    flags computed in code, and keep the rest: complexity, activability, configured flags
    and pathways.

    :param not_assessed: the reason given when the case has no assessment: a
        :class:`~inclusione_core.i18n.Message`, or ``(Italian, English)`` texts (default:
        the core's "Case not assessed yet: the preliminary analysis is needed.").
    """
    occ, reasons = (occupability_rule or _core_occupability)(case, territory)
    derived: dict[str, tuple[str, ...]] = {"occupability": _cats(reasons)}
    cpx, r2 = complexity(case, territory)
    derived["complexity"] = _cats([r2])
    act, r3 = activability(case, territory, as_of, cpx)
    if r3 is not None:  # activability looks at the complexity grade: it carries its categories
        r3 = attrs.evolve(r3, categories=tuple(sorted({*r3.categories, *derived["complexity"]})))
    derived["activability"] = _cats([r3])
    reasons += [r for r in (r2, r3) if r is not None]
    partial = Profile(occupability=occ, complexity=cpx, activability=act, pathway=NOT_ASSESSED,
                      derived_from=dict(derived))
    facts = Facts(case=case, territory=territory, as_of=as_of, profile=partial)
    flags = []
    for code, flag in territory.section("profile", "flags").items():
        hit, inputs = evaluate(flag["when"], facts)
        reason = from_entry(territory, flag, f"profilo.flag.{code}", flag["label"], inputs)
        # what the flag was decided from, whether it holds or not: a rule that reads a flag
        # left unset by a severe addiction need reads addiction data too
        derived[f"flag.{code}"] = reason.categories
        if hit:
            flags.append(code)
            reasons.append(reason)
    if extra_flags is not None:
        more, more_reasons = extra_flags(case, territory, as_of, tuple(flags))
        for code in more:
            if code not in flags:
                flags.append(code)
                # what the plugin says the flag was decided from: the reason named after it; a flag
                # without one reveals, as far as the core can tell, anything (whatever the case holds:
                # the other reasons of the plugin vary with the data)
                own = [r for r in more_reasons if r.rule.endswith(code)]
                derived[f"flag.{code}"] = _cats(own) if own else ALL_SPECIAL
        reasons += more_reasons
    partial = attrs.evolve(partial, flags=tuple(flags), derived_from=dict(derived))
    facts = Facts(case=case, territory=territory, as_of=as_of, profile=partial)
    pathway = NOT_ASSESSED
    if case.assessment is None:
        why = not_assessed if not_assessed is not None else Message(
            "Case not assessed yet: the preliminary analysis is needed.")
        reasons.append(core_reason(territory, "profilo.non_valutato", *why) if isinstance(why, tuple)
                       else core_reason(territory, "profilo.non_valutato", why))
    else:
        read: set[str] = set()  # first match: every rule checked before the one that fired counts
        for rule in territory.rules("profile", "pathways"):
            hit, inputs = evaluate(rule["when"], facts)
            read |= inputs.categories
            if hit:
                pathway = rule["pathway"]
                reason = from_entry(territory, rule, f"percorso.{rule['id']}", inputs=inputs, categories=read)
                reasons.append(reason)
                derived["pathway"] = reason.categories
                break
        else:
            derived["pathway"] = tuple(sorted(read)) or ("process",)
    partial = attrs.evolve(partial, derived_from=derived)
    return attrs.evolve(partial, pathway=pathway), reasons


@hookimpl(trylast=True)
def inclusione_assess_profile(case: Case, territory: Territory, as_of: dt.date) -> ProfileDecision:
    """Core default: the configuration's occupability, complexity, activability, flags, pathways."""
    profile, reasons = assess(case, territory, as_of)
    return ProfileDecision(profile=profile, reasons=tuple(reasons))
