"""
Enterprises as data: the open positions of the territory's enterprises (``enterprises:``)
that fit the members an assessment names ready for a work path, inclusive enterprises first.

:func:`match_positions` is pure: the case, the territory and the as-of date decide it, and
it reads only what may go to an enterprise (who the member is, work and education): the
members the assessment names ready for a work path (``Assessment.work_ready_members``, the
operators' judgement), their work history, skills, education level and driving licences.
It never reads the age-and-condition candidates of the profile's activability (their
exemptions read socio-sanitary care), the needs, the routing or the recommended
interventions, all of which may rest on special categories: a placement's reason carries
``identity``, ``work`` and ``education`` whatever the case holds, so an enterprise sees the
same placements whatever special-category data the case holds.

Which service proposes the person is not decided here either (the routing may read special
categories): each placement lists the channels its position is open to (``open_to``), and
a caller that knows the channel passes ``channels`` to keep only those positions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from .._config import FILES_KEY, Territory, in_period
from .._messages import code_message
from .._models import Case, EducationLevel, Member, Placement, Reason
from .._reasons import from_entry
from ..i18n import Message

RULE = "imprese.posizione"
"""The rule of a placement's reason: ``imprese.posizione.<enterprise>.<position>``."""
MEMBERSHIP_RULE = "imprese.registro"
"""The rule of a registry membership's reason: ``imprese.registro.<enterprise>.<registry>``."""
CATEGORIES = ("education", "identity", "work")
"""What a placement reads, whatever the case holds: who the member is, work, education."""

_EDUCATION = tuple(EducationLevel)


def normalise(text: str) -> str:
    """A text as matched: lower case, accents and punctuation as written, spaces collapsed, ``_`` as a space."""
    return " ".join(re.split(r"[\s_]+", text.casefold().strip()))


def _contains(text: str, words: str) -> bool:
    """Whether ``words`` occur in ``text`` as whole words (``cameriere`` in ``cameriere di sala``)."""
    needle = normalise(words)
    return bool(needle) and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", normalise(text)) is not None


def sector_terms(code: str, sector: Mapping[str, Any]) -> frozenset[str]:
    """The words that recognise a job of a sector: its code, its labels, its aliases and ATECO codes."""
    label = sector.get("label") or {}
    terms = [code, *label.values(), *sector.get("aliases", ()), *sector.get("ateco", ())]
    return frozenset(normalise(str(t)) for t in terms)


def registries_on(territory: Territory, enterprise: str, day: dt.date) -> tuple[str, ...]:
    """The registries (``enterprises.registries``) an enterprise belongs to on a day, sorted."""
    firm = territory.section("enterprises", "entries").get(enterprise) or {}
    return tuple(sorted(r for r, m in (firm.get("registries") or {}).items() if in_period(m, day)))


def _sectors_of(member: Member, sectors: Mapping[str, Any]) -> set[str]:
    """The configured sectors of the member's jobs (a job's sector written as one of a sector's terms)."""
    written = {normalise(job.sector) for job in member.work_history if job.sector}
    return {code for code, sector in sectors.items() if written & sector_terms(code, sector)}


def _requirements(member: Member, requirements: Mapping[str, Any]) -> tuple[bool, tuple[str, ...]]:
    """Whether the member meets the position's requirements, and those the case does not record."""
    to_check = []
    level = requirements.get("education_at_least")
    if level is not None:
        if member.education is None:
            to_check.append("education")
        elif _EDUCATION.index(member.education) < _EDUCATION.index(EducationLevel(level)):
            return False, ()
    licences = requirements.get("driving_licences")
    if licences:
        if member.driving_licences is None:
            to_check.append("driving_licences")
        elif not {str(x) for x in member.driving_licences} & set(licences):
            return False, ()
    return True, tuple(to_check)


def _entry(firm: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    """A position or membership as a configuration entry: the files of the enterprise that defined it."""
    return {**item, FILES_KEY: firm.get(FILES_KEY, [])}


def _labels(section: Mapping[str, Any], codes: Iterable[str]) -> dict[str, str]:
    """Configured labels of codes, comma-separated, as a label ``{it, en}``."""
    shown = [(section.get(c) or {}).get("label") or {"it": c, "en": c} for c in codes]
    return {lang: ", ".join(x.get(lang) or x["it"] for x in shown) for lang in ("it", "en")}


def _fit_message(first: Message, matched: Mapping[str, tuple[str, ...]], sectors: Mapping[str, Any]) -> Message:
    if not any(matched.values()):
        return Message("{first} No sector, occupation or skill of the position matches the member's work profile:"
                       " it does not ask for experience.", first=first)
    parts = []
    if matched.get("settori"):
        parts.append(Message("sectors {sectors}", sectors=_labels(sectors, matched["settori"])))
    if matched.get("mansioni"):
        parts.append(Message("occupations {words}", words=", ".join(matched["mansioni"])))
    if matched.get("competenze"):
        parts.append(Message("skills {words}", words=", ".join(matched["competenze"])))
    joined = parts[0]
    for part in parts[1:]:
        joined = Message("{first}, {then}", first=joined, then=part)
    return Message("{first} Fits the member's work profile: {matched}.", first=first, matched=joined)


def _reasons(territory: Territory, firm_id: str, firm: Mapping[str, Any], pos_id: str,
             position: Mapping[str, Any], placement: dict[str, Any], day: dt.date) -> tuple[Reason, ...]:
    section = territory.section("enterprises")
    member, matched, regs = placement["member"], placement["matched"], placement["registries"]
    msg = Message("{member}: {position} at {enterprise} ({kind}), open to {channels}.", member=member,
                  position=position["label"], enterprise=firm["label"],
                  kind=code_message("placement", position["kind"]),
                  channels=_labels(section.get("channels") or {}, position["open_to"]))
    msg = _fit_message(msg, matched, section.get("sectors") or {})
    if placement["to_check"]:
        msg = Message("{first} To check, not recorded in the case: {items}.", first=msg,
                      items=", ".join(placement["to_check"]))
    if firm.get("example"):
        msg = Message("{first} Example enterprise, neither real nor official.", first=msg)
    inputs: dict[str, Any] = {
        "componente": member, "impresa": firm_id, "posizione": pos_id, "tipo": position["kind"],
        **{k: list(v) for k, v in matched.items()}, "affinita": placement["fit"], "registri": list(regs),
        "aperta_a": list(position["open_to"]), "da_verificare": list(placement["to_check"]),
        "impresa_di_esempio": bool(firm.get("example")),
    }
    reasons = [from_entry(territory, _entry(firm, position), f"{RULE}.{firm_id}.{pos_id}", msg, inputs,
                          categories=CATEGORIES)]
    registries = section.get("registries") or {}
    for reg in regs:
        membership, registry = firm["registries"][reg], registries[reg]
        text = Message("{enterprise} is in the {registry} since {since}.", enterprise=firm["label"],
                       registry=registry["label"], since=membership["valid_from"])
        if registry.get("mark"):
            text = Message("{first} Mark: {mark}.", first=text, mark=registry["mark"])
        if registry.get("inclusive"):
            text = Message("{first} An inclusive enterprise: proposed first.", first=text)
        # the registry's source says what the registry (and its mark) is; the membership's, where it is recorded
        entry = {**_entry(firm, registry), "valid_from": membership["valid_from"],
                 "valid_to": membership.get("valid_to")}
        inputs = {"impresa": firm_id, "registro": reg, "alla_data": day.isoformat(),
                  "inclusiva": bool(registry.get("inclusive")),
                  "iscrizione": territory.citation(membership["source"]).text_it}
        reasons.append(from_entry(territory, entry, f"{MEMBERSHIP_RULE}.{firm_id}.{reg}", text, inputs,
                                  categories=CATEGORIES))
    return tuple(reasons)


def _placement(member: Member, member_sectors: set[str], position: Mapping[str, Any]) -> dict[str, Any] | None:
    """What of a member's profile fits one position, or None when the position is not for the member."""
    jobs = member.work_history
    matched = {
        "settori": tuple(sorted(set(position.get("sectors", ())) & member_sectors)),
        "mansioni": tuple(sorted(w for w in position.get("occupations", ())
                                 if any(_contains(job.occupation, w) for job in jobs))),
        "competenze": tuple(sorted(w for w in position.get("skills", ())
                                   if any(_contains(skill, w) for skill in member.skills))),
    }
    if position.get("requires_experience") and not (matched["settori"] or matched["mansioni"]):
        return None
    ok, to_check = _requirements(member, position.get("requirements") or {})
    if not ok:
        return None
    return {"member": member.id, "matched": matched, "to_check": to_check,
            "fit": sum(len(v) for v in matched.values())}


def match_positions(case: Case, territory: Territory, as_of: dt.date, *,
                    channels: Collection[str] | None = None,
                    kinds: Collection[str] | None = None) -> tuple[Placement, ...]:
    """
    The open positions of the territory's enterprises that fit the case's work-ready members,
    best first for each member.

    For each member the assessment names ready for a work path (in the order it names them),
    every position open on ``as_of`` (its ``valid_from``/``valid_to``) whose requirements the
    member meets (a requirement the case does not record is listed in ``to_check``), and
    that asks for experience (``requires_experience``) only if the member's work history
    matches one of its sectors or occupations. They are ordered: enterprises in an inclusive
    registry on ``as_of`` first (``registries.*.inclusive``), then by fit (matched sectors,
    occupations and skills), then fewer requirements to check, then by enterprise and
    position id: a stable order.

    :param channels: keep only positions open to one of these channels (``open_to``); all
        when None.
    :param kinds: keep only positions of these kinds (``tirocinio``, ``lavoro``); all when None.
    :returns: the placements; empty when the territory configures no enterprises or the case
        names no work-ready member.
    """
    section = territory.section("enterprises")
    firms = section.get("entries") or {}
    if not firms or case.assessment is None:
        return ()
    registries = section.get("registries") or {}
    sectors = section.get("sectors") or {}
    members = {m.id: m for m in case.household.members}
    out: list[Placement] = []
    for member_id in dict.fromkeys(case.assessment.work_ready_members):
        member = members.get(member_id)
        if member is None:
            continue
        member_sectors = _sectors_of(member, sectors)
        found = []
        for firm_id, firm in sorted(firms.items()):
            regs = registries_on(territory, firm_id, as_of)
            inclusive = any((registries.get(r) or {}).get("inclusive") for r in regs)
            for pos_id, position in sorted((firm.get("positions") or {}).items()):
                if not in_period(position, as_of):
                    continue
                if channels is not None and not set(position["open_to"]) & set(channels):
                    continue
                if kinds is not None and position["kind"] not in kinds:
                    continue
                placement = _placement(member, member_sectors, position)
                if placement is None:
                    continue
                placement["registries"] = regs
                found.append(Placement(
                    member=member_id, enterprise=firm_id, position=pos_id, kind=position["kind"],
                    inclusive=inclusive, registries=regs,
                    marks=tuple(registries[r]["mark"]["it"] for r in regs if registries[r].get("mark")),
                    fit=placement["fit"], matched={k: v for k, v in placement["matched"].items() if v},
                    to_check=placement["to_check"], open_to=tuple(position["open_to"]),
                    example=bool(firm.get("example")),
                    reasons=_reasons(territory, firm_id, firm, pos_id, position, placement, as_of),
                ))
        found.sort(key=lambda p: (not p.inclusive, -p.fit, len(p.to_check), p.enterprise, p.position))
        out += found
    return tuple(out)
