"""
What an explained result or a case view says, section by section, before any layout.

:func:`view_report` decides the content of what leaves the core for a recipient: the
title, the recipient line, and for a result the summary, profile, routing, equipe,
interventions, deadlines, measures, project problems, provenance and the categories not
disclosed; every decision with its reason (message, rule, source citation, inputs,
provenance). It reads **only a** :class:`~inclusione_core.View`: never a raw result or
case. The layouts (:mod:`._render`: text and Markdown; any renderer a plugin registers)
lay the same :class:`Report` out, so a PDF or HTML face reuses it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ._messages import code_text, has_code_text
from ._models import DecidedBy
from .i18n import N_, ntranslate, translate, translate_in

if TYPE_CHECKING:
    import datetime as dt

    from ._config import Territory
    from ._models import ConfigLayer, Deadline, Reason, Result
    from ._privacy import View

__all__ = [
    "Explanation", "Item", "Report", "Section", "deadline_name", "deadline_standing", "deadline_title", "label", "name",
    "names", "term", "view_report",
]

_FUNDING = {"fse": N_("European Social Fund (FSE)"), "nazionale": N_("national funds"),
            "regionale": N_("regional funds"), "privato": N_("private funds")}
_ELIGIBLE = {True: N_("requirements met"), False: N_("requirements not met"), None: N_("requirements not assessed")}
_OUTCOME = {
    "requisiti_soddisfatti": N_("requirements met"), "requisiti_non_soddisfatti": N_("requirements not met"),
    "non_valutabile": N_("not assessable: data missing"), "requisiti_non_codificati": N_("requirements not coded"),
    "incompatibile": N_("incompatible with a measure that prevails"), "non_in_vigore": N_("requirements not assessed"),
}
"""A measure's outcome (``Eligibility.outcome``) in words; without one (an answer of a plugin), from ``eligible``."""
_STATUS = {"svolto": N_("done"), "in_corso": N_("under way"), "proposto": N_("proposed")}
MAX_INPUTS = 300
"""Characters of a reason's inputs shown (the JSON view has them whole)."""


@attrs.frozen
class Explanation:
    """A reason, ready to lay out: message, rule, source, inputs and provenance as text."""

    message: str
    rule: str
    territory: str
    source: str
    inputs: str | None
    provenance: str


@attrs.frozen
class Item:
    """One thing in a section (an intervention, a member, a deadline...): title, detail lines, reasons."""

    title: str
    details: tuple[str, ...] = ()
    reasons: tuple[Explanation, ...] = ()


@attrs.frozen
class Section:
    """
    A section of a report.

    :ivar key: what it is (``summary``, ``profile``, ``routing``... ``withheld``), for layouts
        that style sections differently.
    :ivar fields: lines of facts (``Percorso: patto_lavoro``...).
    :ivar reasons: the reasons of the section's decision.
    :ivar items_title: the title of the list of items, when the section has one besides its fields.
    :ivar empty: what to say when the section has no items.
    """

    key: str
    title: str
    fields: tuple[str, ...] = ()
    reasons: tuple[Explanation, ...] = ()
    items_title: str | None = None
    items: tuple[Item, ...] = ()
    empty: str | None = None


@attrs.frozen
class Report:
    """What a recipient's view says: a title, who it is for, and its sections."""

    title: str
    recipient: str
    sections: tuple[Section, ...]


VOCABULARY: dict[str, tuple[tuple[str, ...], str | None]] = {
    "pathway": (("vocabulary", "pathways"), "pathway"),
    "channel": (("vocabulary", "channels"), "channel"),
    "category": (("vocabulary", "categories"), None),
    "service": (("services",), None),
    "role": (("roles",), None),
    "intervention": (("interventions",), None),
    "format": (("equipe", "formats"), None),
    "flag": (("profile", "flags"), None),
    "kind": (("privacy", "recipients"), None),
    "need": (("needs",), None),
    "measure": (("measures",), None),
    "deadline": (("deadlines",), None),
    "recipient": (("privacy", "recipients"), None),
    "mode": ((), "mode"),
    "party": ((), "party"),
    "data": ((), "category"),
    "placement": ((), "placement"),
    "proposer": (("enterprises", "channels"), None),
}
"""
What a code shown to a person is, and where its label comes from: the configuration's
section (``label: {it, en}``), else the catalogue's core vocabulary (:func:`code_text`).
"""


def _configured(territory: Territory | None, path: Sequence[str], code: str, lang: str) -> str | None:
    if territory is None or not path:
        return None
    entry = territory.section(*path).get(code)
    text = entry.get("label") if isinstance(entry, Mapping) else None
    if isinstance(text, Mapping):
        shown = text.get(lang) or text.get("it")
        if shown and shown != code:
            return str(shown)
    return None


def _named(territory: Territory | None, path: Sequence[str], code: str, lang: str) -> str | None:
    """The label of a code at ``path`` of the configuration, else of the core vocabulary of that kind."""
    shown = _configured(territory, path, code, lang)
    if shown is None:
        kind = next((k for p, k in VOCABULARY.values() if tuple(p) == tuple(path) and k), None)
        if kind is not None and has_code_text(kind, code):
            shown = code_text(kind, code, lang)
    return shown


def name(territory: Territory | None, kind: str, code: str | None, lang: str) -> str:
    """
    What a person reads for a code of a kind (:data:`VOCABULARY`): its label from the
    configuration, else from the catalogue (core vocabulary), else the code; ``—`` for nothing.
    """
    if code is None:
        return "—"
    path, core = VOCABULARY[kind]
    shown = _configured(territory, path, code, lang) or _configured(territory, ("vocabulary", f"{kind}s"), code, lang)
    if shown is None and core is not None and has_code_text(core, code):
        shown = code_text(core, code, lang)
    return code if shown is None else shown


def names(territory: Territory | None, kind: str, codes: Iterable[str], lang: str) -> str:
    """The labels of codes of a kind, comma-separated; ``—`` for none."""
    return ", ".join(name(territory, kind, c, lang) for c in codes) or "—"


def label(territory: Territory | None, path: Sequence[str], code: str | None, lang: str) -> str:
    """
    ``Label (code)`` from the configuration (or the core vocabulary of that section), or the
    bare code; ``—`` for nothing.
    """
    if code is None:
        return "—"
    shown = _named(territory, path, code, lang)
    return code if shown is None else f"{shown} ({code})"


def term(territory: Territory | None, kind: str, code: str | None, lang: str) -> str:
    """``Label (code)`` of a code of a kind (:data:`VOCABULARY`), or the bare code when it has no label."""
    if code is None:
        return "—"
    shown = name(territory, kind, code, lang)
    return code if shown == code else f"{shown} ({code})"


def deadline_standing(d: Deadline, lang: str) -> str:
    """
    Where a deadline stands, in words: ``rispettata il 2024-09-10``, ``rispettata in ritardo
    di 73 giorni, il 2024-09-10``, ``scaduta da 18 giorni``, ``in scadenza``, ``da rispettare``.
    """
    status = d.status.value
    if status == "met_late" and d.days_late is not None and d.met_on is not None:
        return ntranslate("met {n} day late, on {date}", "met {n} days late, on {date}", d.days_late, lang,
                          date=d.met_on.isoformat())
    if status == "met" and d.met_on is not None:
        return translate("met on {date}", lang, date=d.met_on.isoformat())
    if status == "overdue" and d.days_overdue is not None:
        return ntranslate("overdue by {n} day", "overdue by {n} days", d.days_overdue, lang)
    return code_text("status", status, lang)


def deadline_title(territory: Territory | None, d: Deadline, lang: str) -> str:
    """
    A deadline as a person reads it: its configuration's label (else the label it carries);
    one of several (``adi_presentazione.2``) with its period.
    """
    base, _, period = d.code.partition(".")
    shown = _configured(territory, ("deadlines",), base, lang)
    if shown is None:
        shown = d.label if d.label and d.label not in (d.code, base) else d.code
    if period.isdigit() and shown != d.code:
        return translate("{deadline} (period {n})", lang, deadline=shown, n=int(period))
    return shown


def deadline_name(territory: Territory | None, d: Deadline, lang: str) -> str:
    """``Label (code)`` of a deadline; one of several (``adi_presentazione.2``) takes its configuration's label."""
    shown = deadline_title(territory, d, lang)
    return shown if shown == d.code else f"{shown} ({d.code})"


def purpose_label(purpose: str, lang: str) -> str:
    """The purpose of a disclosure, in Italian with its code."""
    return f"{code_text('purpose', purpose, lang)} ({purpose})" if lang == "it" else purpose


def recipient_line(view: View, territory: Territory | None, lang: str) -> str:
    """Who the view is for, for what, with the rules of which date."""
    who = label(territory, ("privacy", "recipients"), view.recipient.kind, lang)
    if view.recipient.service and view.recipient.service != view.recipient.kind:
        who += f", {view.recipient.service}"
    if view.recipient.name:
        who += f", {view.recipient.name}"
    purpose = purpose_label(view.purpose.value, lang)
    return (f"{translate('Recipient', lang)}: {who} · {translate('Purpose', lang)}: {purpose}"
            f" · {translate('as of', lang)} {view.as_of.isoformat()}")


def not_disclosed_items(view: View, lang: str) -> tuple[Item, ...]:
    """The categories the recipient may not receive (never where they were in this case: that would reveal them)."""
    return tuple(Item(title=w.reason_en if lang == "en" else w.reason_it) for w in view.not_disclosed)


class _Content:
    """The content of a result view's report, section by section."""

    def __init__(self, view: View, territory: Territory | None, lang: str) -> None:
        if view.result is None:
            raise TypeError("a result report needs a result view (Engine.disclose_result)")
        self.view = view
        self.r: Result = view.result
        self.t = territory
        self.lang = lang
        self.masked = set(view.masked)

    def _(self, msgid: str) -> str:
        return translate(msgid, self.lang)

    def _none_f(self) -> str:
        return translate_in("feminine", "none", self.lang)

    def explain(self, reason: Reason, by: DecidedBy | None) -> Explanation:
        cite = reason.source.text(self.lang)
        inputs = None
        if reason.inputs:
            inputs = json.dumps(reason.inputs, ensure_ascii=False, default=str)
            if len(inputs) > MAX_INPUTS:
                inputs = inputs[:MAX_INPUTS - 3] + "..."
        plugin = f"{by.plugin}@{by.version}" if by is not None else self._("plugin not recorded")
        parts = [plugin]
        if reason.defined_in:
            parts.append(reason.defined_in)
        if reason.valid_from is not None or reason.valid_to is not None:
            parts.append(self.period(reason.valid_from, reason.valid_to))
        prov = self.r.provenance
        parts += [f"{self._('config')} {prov.config_digest[:12]}", f"{self._('as of')} {prov.as_of.isoformat()}"]
        return Explanation(message=reason.message(self.lang), rule=reason.rule, territory=reason.territory,
                           source=cite, inputs=inputs, provenance=" · ".join(parts))

    def period(self, start: dt.date | None, end: dt.date | None) -> str:
        """The period of the version of an entry applied: "in vigore dal 2023-05-15 al 2025-12-31"."""
        if start is not None and end is not None:
            return self._("in force from {start} to {end}").format(start=start.isoformat(), end=end.isoformat())
        if start is not None:
            return self._("in force from {start}").format(start=start.isoformat())
        return self._("in force until {end}").format(end=end.isoformat() if end else "")

    def layer_line(self, layer: ConfigLayer) -> str:
        """A configuration layer of the provenance, with its period and whether it was in force on the as-of date."""
        line = f"- {layer.file} (sha256 {layer.sha256[:16]}, {_origin(layer)})"
        if layer.valid_from is not None or layer.valid_to is not None:
            line += f" · {self.period(layer.valid_from, layer.valid_to)}"
            if layer.in_force is False:
                line += f": {self._('not in force on the as-of date')}"
        return line

    def explain_all(self, reasons: Iterable[Reason], by: DecidedBy | None) -> tuple[Explanation, ...]:
        return tuple(self.explain(r, by) for r in reasons)

    def member_name(self, role: str) -> str:
        """A member of an equipe: a role's label, or a party's (the household)."""
        shown = name(self.t, "role", role, self.lang)
        return name(self.t, "party", role, self.lang) if shown == role else shown

    def equipe_masked(self) -> bool:
        return "$.equipe" in self.masked

    def summary(self) -> Section:
        """Four lines an operator reads first; the sections below explain each of them."""
        r, p, ro = self.r, self.r.profile.profile, self.r.routing
        service = label(self.t, ("services",), ro.service, self.lang)
        if "$.routing" in self.masked:
            routing = self._("not disclosed")
        elif ro.outcome.value == "refused":
            alts = names(self.t, "service", ro.alternatives, self.lang)
            service = name(self.t, "service", ro.service, self.lang)
            routing = f"{self._('REFUSED').lower()} ({service})"
            if ro.refusal_code is not None:
                routing += f", {self._('Reason for refusal').lower()}: {self.refusal_label()}"
            routing += f"; {self._('Alternatives').lower()}: {alts}"
        elif ro.coordination is not None:
            service = name(self.t, "service", ro.service, self.lang)
            routing = (f"{self._('COORDINATION').lower()} ({service}): "
                       f"{self._('already in')} {self.programmes(ro.coordination.programmes)}; "
                       f"{self._('inform')}: {names(self.t, 'service', ro.coordination.inform, self.lang)}")
        else:
            service = name(self.t, "service", ro.service, self.lang)
            routing = f"{service}, {self._('Channel').lower()}: {name(self.t, 'channel', ro.channel, self.lang)}"
            if ro.deadline:
                routing += f", {self._('By').lower()} {ro.deadline.isoformat()}"
        eq = r.equipe
        if self.equipe_masked():
            equipe = self._("not disclosed")
        else:
            equipe = (f"{name(self.t, 'format', eq.format, self.lang)}: "
                      + ", ".join(self.member_name(m.role) for m in eq.members)) if eq.members else self._("no team")
        fields = [
            f"{self._('Pathway')}: {name(self.t, 'pathway', p.pathway, self.lang)} · "
            f"{self._('ROUTING').capitalize()}: {routing}",
            f"{self._('TEAM (EQUIPE)').capitalize()}: {equipe}",
            f"{self._('Interventions')}: {names(self.t, 'intervention', (i.code for i in r.interventions), self.lang)}",
        ]
        late = [f"{deadline_title(self.t, d, self.lang)} ({deadline_standing(d, self.lang)})"
                for d in r.deadlines if d.status.value in ("due", "overdue")]
        if late:
            fields.append(f"{self._('Deadlines needing attention')}: {', '.join(late)}")
        if r.project_problems:
            fields.append(f"{self._('PROJECT PROBLEMS').capitalize()}: {len(r.project_problems)}")
        return Section(key="summary", title=self._("In short"), fields=tuple(fields))

    def profile(self) -> Section:
        decision = self.r.profile
        p = decision.profile

        def grade(value: Any, prefix: str, name: str) -> str:
            if value is None:
                hidden = f"$.profile.profile.{name}" in self.masked
                return self._("not disclosed") if hidden else self._("not assessed")
            return code_text(prefix, value.value, self.lang)

        flags = ", ".join(term(self.t, "flag", f, self.lang) for f in p.flags)
        return Section(key="profile", title=self._("PROFILE"), fields=(
            f"{self._('Occupability')}: {grade(p.occupability, 'grade', 'occupability')} · "
            f"{self._('Complexity')}: {grade(p.complexity, 'grade', 'complexity')} · "
            f"{self._('Activability')}: {grade(p.activability, 'act', 'activability')}",
            f"{self._('Pathway')}: {term(self.t, 'pathway', p.pathway, self.lang)}",
            f"{self._('Points of attention')}: {flags or self._('none')}",  # «nessuno»: elemento, masculine
        ), reasons=self.explain_all(decision.reasons, decision.decided_by))

    def refusal_label(self) -> str:
        """The routing's refusal code with its label from the refusing service's ``refusal_codes``."""
        ro = self.r.routing
        return label(self.t, ("services", ro.service or "", "refusal_codes"), ro.refusal_code, self.lang)

    def routing(self) -> Section:
        ro = self.r.routing
        service = label(self.t, ("services",), ro.service, self.lang)
        deadline = ro.deadline.isoformat() if ro.deadline else "—"
        if "$.routing" in self.masked:
            fields: tuple[str, ...] = (f"{self._('Service')}: {self._('not disclosed')}",)
        elif ro.outcome.value == "refused":
            alts = ", ".join(label(self.t, ("services",), a, self.lang) for a in ro.alternatives)
            channel = term(self.t, "channel", ro.channel, self.lang)
            fields = (f"{self._('REFUSED')}: {service} · {self._('Channel')}: {channel}",
                      *((f"{self._('Reason for refusal')}: {self.refusal_label()}",) if ro.refusal_code else ()),
                      f"{self._('Alternatives')}: {alts or self._none_f()}")
        elif ro.coordination is not None:
            inform = ", ".join(label(self.t, ("services",), s, self.lang) for s in ro.coordination.inform)
            fields = (f"{self._('COORDINATION')}: {service} · {self._('already in')}: "
                      f"{self.programmes(ro.coordination.programmes)}",
                      f"{self._('Services to inform (purpose: coordination)')}: {inform}")
        else:
            fields = (f"{self._('Service')}: {service} · {self._('Channel')}: "
                      f"{term(self.t, 'channel', ro.channel, self.lang)} · "
                      f"{self._('By')}: {deadline}",)
        return Section(key="routing", title=self._("ROUTING"), fields=fields,
                       reasons=self.explain_all(ro.reasons, ro.decided_by))

    def programmes(self, codes: Iterable[str]) -> str:
        """Programmes by their labels (``programmes:``), comma-separated."""
        return ", ".join(label(self.t, ("programmes",), c, self.lang) for c in codes) or "—"

    def network(self) -> Section | None:
        """The ambito territoriale of the case's municipality and its competent services (where configured)."""
        net = self.r.network
        if net is None:
            return None
        if net.ambito is None:
            ambito = self._("not in the configured network")
        else:
            ambito = label(self.t, ("network", "ambiti"), net.ambito, self.lang)
        services = " · ".join(f"{name(self.t, 'kind', kind, self.lang)}: {office}"
                              for kind, office in net.services.items())
        fields = [f"{self._('Municipality')}: {net.municipality} · {self._('Ambito territoriale')}: {ambito}"]
        if services:
            fields.append(f"{self._('Competent services')}: {services}")
        # the core assigns the ambito (no hook): its version is the result's
        core = DecidedBy(plugin="inclusione_core", version=self.r.provenance.core_version)
        return Section(key="network", title=self._("NETWORK"), fields=tuple(fields),
                       reasons=(self.explain(net.reason, core),))

    def placements(self) -> Section | None:
        """The open positions of the territory's enterprises that fit the work-ready members (where configured)."""
        if not self.r.placements:
            return None
        core = DecidedBy(plugin="inclusione_core", version=self.r.provenance.core_version)  # no hook: the core's
        firms = self.t.section("enterprises", "entries") if self.t is not None else {}
        items = []
        for i, p in enumerate(self.r.placements, 1):
            firm = firms.get(p.enterprise) or {}
            position = label(self.t, ("enterprises", "entries", p.enterprise, "positions"), p.position, self.lang)
            marks = f" — {', '.join(p.marks)}" if p.marks else ""
            kind = name(self.t, "placement", p.kind, self.lang)
            details = [f"{self._('member')}: {p.member} · {self._('kind')}: {kind} · {self._('fit')}: {p.fit} · "
                       f"{self._('proposed by')}: {names(self.t, 'proposer', p.open_to, self.lang)}"]
            if p.to_check:
                details.append(f"{self._('to check')}: {', '.join(p.to_check)}")
            items.append(Item(title=f"{i}. {position} — {firm.get('label', p.enterprise)} ({p.enterprise}){marks}",
                              details=tuple(details), reasons=tuple(self.explain(r, core) for r in p.reasons)))
        return Section(key="placements", title=self._("POSITIONS AT ENTERPRISES (inclusive first)"),
                       items=tuple(items))

    def equipe(self) -> Section:
        eq = self.r.equipe
        reasons = self.explain_all(eq.reasons, eq.decided_by)
        if self.equipe_masked():
            return Section(key="equipe", title=self._("TEAM (EQUIPE)"),
                           fields=(f"{self._('Format')}: {self._('not disclosed')}",), reasons=reasons)
        fmt = label(self.t, ("equipe", "formats"), eq.format, self.lang) if eq.members else self._("no team")
        modes = names(self.t, "mode", eq.modes, self.lang)
        field = (f"{self._('Format')}: {fmt} · {self._('Modes')}: {modes} · "
                 f"{self._('Household takes part')}: {self._('yes') if eq.household_takes_part else self._('no')}")
        members = []
        for m in eq.members:
            role = label(self.t, ("roles",), m.role, self.lang)
            service = label(self.t, ("services",), m.service, self.lang)
            if m.service == m.role:
                role = term(self.t, "party", m.role, self.lang) if role == m.role else role
            members.append(Item(title=f"- {role}" if m.service == m.role else f"- {role} — {service}",
                                reasons=(self.explain(m.reason, eq.decided_by),)))
        return Section(key="equipe", title=self._("TEAM (EQUIPE)"), fields=(field,), reasons=reasons,
                       items_title=self._("Members") if members else None, items=tuple(members))

    def interventions(self) -> Section:
        items = []
        for i, rec in enumerate(self.r.interventions, 1):
            pre = names(self.t, "intervention", rec.prerequisites, self.lang)
            funding = ", ".join(self._(_FUNDING[f]) if f in _FUNDING else f for f in rec.funding)
            items.append(Item(
                title=f"{i}. {label(self.t, ('interventions',), rec.code, self.lang)}",
                details=(f"{self._('category')}: {name(self.t, 'category', rec.category, self.lang)} · "
                         f"{self._('providers')}: {names(self.t, 'kind', rec.provider_kinds, self.lang)} · "
                         f"{self._('prerequisites')}: {pre}"
                         + (f" · {self._('funding')}: {funding}" if funding else ""),),
                reasons=(self.explain(rec.reason, rec.decided_by),)))
        return Section(key="interventions", title=self._("RECOMMENDED INTERVENTIONS (in order)"), items=tuple(items),
                       empty=self._("none"))

    def not_proposed(self) -> Section | None:
        if not self.r.not_proposed:
            return None
        items = []
        for rec in self.r.not_proposed:
            since = rec.since.isoformat() if rec.since is not None else "—"
            name = label(self.t, ('interventions',), rec.code, self.lang)
            items.append(Item(
                title=f"- {name} — {self._(_STATUS[rec.status.value])} ({since})",
                reasons=(self.explain(rec.reason, rec.decided_by),)))
        return Section(key="not_proposed", title=self._("INTERVENTIONS NOT PROPOSED AGAIN (done or under way)"),
                       items=tuple(items))

    def deadlines(self) -> Section:
        items = []
        for d in self.r.deadlines:
            name = deadline_name(self.t, d, self.lang)
            items.append(Item(title=f"{d.due.isoformat()}  {name} — {deadline_standing(d, self.lang)}",
                              reasons=(self.explain(d.reason, d.decided_by),)))
        return Section(key="deadlines", title=self._("DEADLINES"), items=tuple(items), empty=self._none_f())

    def measures(self) -> Section:
        items = []
        for m in self.r.measures:
            force = self._("in force") if m.in_force else self._("not in force")
            elig = self._(_OUTCOME[m.outcome.value] if m.outcome is not None else _ELIGIBLE[m.eligible])
            items.append(Item(title=f"{label(self.t, ('measures',), m.measure, self.lang)}: {force}; {elig}",
                              reasons=self.explain_all(m.reasons, m.decided_by)))
        return Section(key="measures", title=self._("MEASURES"), items=tuple(items), empty=self._none_f())

    def problems(self) -> Section | None:
        if not self.r.project_problems:
            return None
        return Section(key="problems", title=self._("PROJECT PROBLEMS"), items=tuple(
            Item(title=f"@ {p.path}", reasons=(self.explain(p.reason, p.decided_by),))
            for p in self.r.project_problems))

    def provenance(self) -> Section:
        prov = self.r.provenance
        plugins = ", ".join(f"{p.plugin}@{p.version}" for p in prov.plugins) or "—"
        return Section(key="provenance", title=self._("PROVENANCE"), fields=(
            f"{self._('As-of date')}: {prov.as_of.isoformat()} · {self._('Core version')}: {prov.core_version}",
            f"{self._('Configuration digest')}: {prov.config_digest}",
            f"{self._('Plugins')}: {plugins}",
        ), items_title=self._("Configuration layers"), items=tuple(
            Item(title=self.layer_line(layer)) for layer in prov.layers))

    def report(self) -> Report:
        r = self.r
        terr = r.territory
        if self.t is not None:
            terr = f"{self.t.data.get('label', {}).get(self.lang) or self.t.label} [{r.territory}]"
        title = f"{self._('Case')} {r.case_id} — {terr} — {self._('as of')} {r.as_of.isoformat()}"
        sections = [self.summary(), self.profile(), self.routing(), self.network(), self.equipe(), self.interventions(),
                    self.not_proposed(), self.placements(), self.deadlines(), self.measures(), self.problems(),
                    self.provenance(),
                    Section(key="withheld", title=self._("DATA WITHHELD FROM THE RECIPIENT"),
                            items=not_disclosed_items(self.view, self.lang),
                            empty=self._("none: the recipient may receive all the data used"))]
        return Report(title=title, recipient=recipient_line(self.view, self.t, self.lang),
                      sections=tuple(s for s in sections if s is not None))


def require_view(obj: object, face: str) -> View:
    """
    ``obj`` if it is a disclosed :class:`View`; else TypeError: a face lays out only what
    a disclosure returned (audited), never a raw result or case (Python does not check
    the types) nor a preview.
    """
    from ._privacy import View  # noqa: PLC0415 - _privacy imports this module's users

    if not isinstance(obj, View):
        raise TypeError(f"{face} lays out a View (from Engine.disclose_*), not {type(obj).__name__}")
    if obj.preview:
        raise TypeError(f"{face} lays out a disclosed View: a preview (Engine.preview_*) is not audited")
    return obj


def view_report(view: View, territory: Territory | None = None, lang: str = "it") -> Report:
    """
    The report of a view: for a result view, the explained result; for a case view (or a
    document), the data disclosed, the categories disclosed with their basis, and those
    not disclosed.

    :param territory: the compiled territory, for labels (codes only when ``None``).
    :raises TypeError: ``view`` is not a View.
    """
    view = require_view(view, "view_report")
    if view.result is not None:
        return _Content(view, territory, lang).report()
    return _data_report(view, territory, lang)


def _flatten(value: Any, path: str) -> Iterable[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value and any(isinstance(v, Mapping | list) for v in value):
        for i, item in enumerate(value):
            yield from _flatten(item, f"{path}[{i}]")
    elif value not in (None, "", [], {}):
        yield path, value


def _consents(d: Any, lang: str) -> str:
    """The consents a disclosure relies on, and whose data they open."""
    if not d.consents:
        return ""
    pairs = ", ".join(f"{c} ({m})" for c, m in zip(d.consents, d.members, strict=True))
    if d.whole:
        return pairs
    return translate("{consents} — only these members' data", lang, consents=pairs)


def disclosed_items(view: View, lang: str) -> tuple[Item, ...]:
    """The categories disclosed, grouped by basis: flow, legal basis or consent."""
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for d in view.disclosed:
        groups.setdefault((d.basis, d.flow, d.legal_basis.text(lang), _consents(d, lang)), []).append(d.category)
    items = []
    for (basis, flow, legal, consent), cats in groups.items():
        how = code_text("basis", basis, lang) + (f" {consent}" if consent else "")
        # the flow by its code, next to its basis: the reference a DPO looks up in the configuration
        items.append(Item(title=f"{how} ({flow}): {names(None, 'data', cats, lang)}",
                          details=(f"{translate('legal basis', lang)}: {legal}",)))
    return tuple(items)


def _data_report(view: View, territory: Territory | None, lang: str) -> Report:
    data = []
    for path, value in _flatten(view.data, ""):
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        data.append(f"{path}: {shown}")
    return Report(
        title=f"{translate('View of case', lang)} {view.case_id} — {view.territory}",
        recipient=recipient_line(view, territory, lang),
        sections=(
            Section(key="data", title=translate("DATA DISCLOSED", lang), fields=tuple(data)),
            Section(key="disclosed", title=translate("CATEGORIES DISCLOSED AND BASIS", lang),
                    items=disclosed_items(view, lang),
                    empty=translate_in("feminine", "none", lang)),
            Section(key="withheld", title=translate("DATA WITHHELD FROM THE RECIPIENT", lang),
                    items=not_disclosed_items(view, lang),
                    empty=translate("none: the recipient may receive all the data used", lang)),
        ),
    )


def _origin(layer: ConfigLayer) -> str:
    """Who provided a layer: the plugin and its version, or the configuration folder."""
    if layer.folder is not None:
        return layer.folder
    return " ".join(part for part in (layer.plugin, layer.version) if part) or "—"
