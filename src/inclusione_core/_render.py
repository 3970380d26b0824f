"""
Text rendering for operators: explained results, error reports, privacy views, data flows, disclosure history.

Italian first (``lang="it"``), English with ``lang="en"``. Labels of services, roles,
formats, interventions, deadlines and measures come from the territory configuration
(``label: {it, en}``); codes are shown next to them so that an operator and an
integrator read the same thing. Every decision is printed with its reason, its source
citation and its provenance (plugin@version, configuration file, configuration digest,
as-of date). A result or a case is rendered from a recipient's view: what was withheld
is listed with its path, category and reason.
"""

from __future__ import annotations

import functools
import json
import reprlib
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._audit import AuditRecord
    from ._config import Territory
    from ._errors import ErrorDetail, InclusioneError, InputError
    from ._models import DecidedBy, Reason, Result
    from ._privacy import View

__all__ = [
    "detail_line",
    "error_report",
    "flows_text",
    "history_text",
    "input_title",
    "result_text",
    "tr",
    "view_text",
]

WIDTH = 100

_TEXT: dict[str, dict[str, str]] = {
    "it": {
        "case": "Caso",
        "territory": "territorio",
        "as_of": "alla data",
        "as_of_label": "Data di riferimento",
        "unattributed": "plugin non indicato",
        "summary": "In sintesi",
        "no_equipe": "nessuna equipe",
        "interventions_short": "Interventi",
        "late": "Scadenze da curare",
        "profile": "PROFILO",
        "occupability": "Occupabilità",
        "complexity": "Complessità",
        "activability": "Attivabilità",
        "pathway": "Percorso",
        "flags": "Segnalazioni",
        "routing": "INSTRADAMENTO",
        "service": "Servizio",
        "channel": "Canale",
        "deadline": "Entro il",
        "refused": "RIFIUTATO",
        "alternatives": "Alternative",
        "equipe": "EQUIPE",
        "format": "Formato",
        "modes": "Modalità",
        "household": "Partecipazione del nucleo",
        "members": "Componenti",
        "interventions": "INTERVENTI RACCOMANDATI (in ordine)",
        "category": "categoria",
        "providers": "erogatori",
        "prerequisites": "propedeutici",
        "deadlines": "SCADENZE",
        "measures": "MISURE",
        "problems": "PROBLEMI DEL PROGETTO",
        "provenance": "PROVENIENZA",
        "none": "nessuno",
        "none_f": "nessuna",
        "yes": "sì",
        "no": "no",
        "rule": "Regola",
        "source": "Fonte",
        "from": "Provenienza",
        "inputs": "Dati usati",
        "config": "config",
        "digest": "Digest della configurazione",
        "layers": "Livelli di configurazione",
        "plugins": "Plugin",
        "core": "Versione del core",
        "in_force": "in vigore",
        "not_in_force": "non in vigore",
        "eligible": "requisiti soddisfatti",
        "not_eligible": "requisiti non soddisfatti",
        "eligible_unknown": "requisiti non valutati",
        "errors": "errori",
        "error": "errore",
        "value": "valore",
        "rule_short": "regola",
        "kind.seed": "documento di riferimento",
        "kind.law": "norma",
        "kind.default": "valore predefinito, configurabile",
        "status.upcoming": "da rispettare",
        "status.due": "in scadenza",
        "status.overdue": "scaduta",
        "status.met": "rispettata",
        "grade.bassa": "bassa",
        "grade.media": "media",
        "grade.alta": "alta",
        "act.attivabile": "attivabile",
        "act.parzialmente_attivabile": "parzialmente attivabile",
        "act.non_attivabile": "non attivabile",
        "not_assessed": "non valutata",
        "not_disclosed_grade": "non comunicata",
        "input.InputError": "input non valido",
        "input.InvalidCaseError": "caso non valido",
        "input.ConfigurationError": "configurazione non valida",
        "input.ScenarioFileError": "file di scenari non valido",
        "recipient": "Destinatario",
        "purpose_label": "Finalità",
        "purpose.assessment": "valutazione",
        "purpose.equipe": "equipe",
        "purpose.referral": "invio",
        "purpose.monitoring": "monitoraggio",
        "purpose.statistics": "statistica",
        "withheld": "DATI NON COMUNICATI AL DESTINATARIO",
        "withheld_none": "nessuno: il destinatario può ricevere tutti i dati usati",
        "disclosed": "CATEGORIE COMUNICATE E BASE",
        "data": "DATI COMUNICATI",
        "basis.law": "per legge",
        "basis.consent": "con consenso",
        "flow": "flusso",
        "flows": "Flussi di dati",
        "special_by_law": "categorie particolari per legge, senza consenso",
        "categories": "categorie",
        "legal_basis": "base giuridica",
        "no_flows": "nessun flusso configurato: nessun dato esce verso alcun destinatario",
        "history": "Comunicazioni registrate del caso",
        "history_none": "nessuna comunicazione registrata",
        "channel_label": "canale",
        "pseudonymised": "pseudonimizzati",
        "withheld_short": "non comunicati",
        "disclosed_short": "comunicati",
        "view": "Vista del caso",
        "reader.too_big": "troppo grande: {size} byte, il limite è {limit}",
        "reader.no_file": "file non trovato",
        "reader.unreadable": "impossibile leggere il file: {problem}",
        "reader.not_utf8": "byte non valido in UTF-8 (0x{byte:02x}): il file deve essere in UTF-8 (salvalo come UTF-8)",
        "reader.surrogate": "carattere non valido: un surrogato UTF-16 isolato (\\ud800-\\udfff) non è un carattere",
        "reader.json": "JSON non valido: {problem}",
        "reader.json_truncated": "JSON troncato: il testo finisce prima che oggetti, liste o testi siano chiusi",
        "reader.json_empty": "nessun documento JSON: il testo è vuoto",
        "reader.json_trailing": "testo in più dopo la fine del documento JSON",
        "reader.json_nan": "NaN e Infinity non sono numeri JSON",
        "reader.depth": "annidamento troppo profondo: più di {limit} livelli di liste e oggetti",
        "reader.items": "troppi elementi: {n}, il limite è {limit}",
        "reader.string": "testo troppo lungo: {n} caratteri, il limite è {limit}",
        "reader.int": "intero troppo grande: più di {limit} cifre",
        "reader.finite": "numero non finito (NaN o infinito)",
        "reader.key": "chiave non testuale ({kind}): le chiavi degli oggetti sono testi",
        "reader.duplicate": "chiave ripetuta nello stesso oggetto: {key}",
        "reader.type": "valore non ammesso in JSON ({kind})",
        "reader.size": "dati troppo grandi: oltre {limit} byte in JSON",
        "reader.more": "e altri {n} problemi non elencati",
        "reader.yaml": "YAML non valido: {problem}",
        "reader.yaml_aliases": "troppi alias YAML: più di {limit}",
        "reader.yaml_nodes": "gli alias YAML espandono il documento oltre {limit} nodi",
        "reader.yaml_recursive": "alias YAML ricorsivo: un nodo contiene se stesso",
        "reader.yaml_key": "chiave non ammessa ({kind}): le chiavi sono testi (scrivila tra virgolette)",
        "reader.yaml_duplicate": "chiave ripetuta: {key} (YAML terrebbe solo l'ultima)",
        "reader.outside": "percorso fuori dalla cartella {root}: i file nominati qui devono stare nella sua cartella",
        "position": "riga {line}, colonna {column}",
        "position.line": "riga {line}",
        "position.column": "colonna {column}",
    },
    "en": {
        "case": "Case",
        "territory": "territory",
        "as_of": "as of",
        "as_of_label": "As-of date",
        "unattributed": "plugin not recorded",
        "summary": "In short",
        "no_equipe": "no team",
        "interventions_short": "Interventions",
        "late": "Deadlines needing attention",
        "profile": "PROFILE",
        "occupability": "Occupability",
        "complexity": "Complexity",
        "activability": "Activability",
        "pathway": "Pathway",
        "flags": "Flags",
        "routing": "ROUTING",
        "service": "Service",
        "channel": "Channel",
        "deadline": "By",
        "refused": "REFUSED",
        "alternatives": "Alternatives",
        "equipe": "TEAM (EQUIPE)",
        "format": "Format",
        "modes": "Modes",
        "household": "Household takes part",
        "members": "Members",
        "interventions": "RECOMMENDED INTERVENTIONS (in order)",
        "category": "category",
        "providers": "providers",
        "prerequisites": "prerequisites",
        "deadlines": "DEADLINES",
        "measures": "MEASURES",
        "problems": "PROJECT PROBLEMS",
        "provenance": "PROVENANCE",
        "none": "none",
        "none_f": "none",
        "yes": "yes",
        "no": "no",
        "rule": "Rule",
        "source": "Source",
        "from": "Provenance",
        "inputs": "Inputs used",
        "config": "config",
        "digest": "Configuration digest",
        "layers": "Configuration layers",
        "plugins": "Plugins",
        "core": "Core version",
        "in_force": "in force",
        "not_in_force": "not in force",
        "eligible": "requirements met",
        "not_eligible": "requirements not met",
        "eligible_unknown": "requirements not assessed",
        "errors": "errors",
        "error": "error",
        "value": "value",
        "rule_short": "rule",
        "kind.seed": "reference document",
        "kind.law": "law",
        "kind.default": "default, configurable",
        "status.upcoming": "upcoming",
        "status.due": "due",
        "status.overdue": "overdue",
        "status.met": "met",
        "grade.bassa": "low",
        "grade.media": "medium",
        "grade.alta": "high",
        "act.attivabile": "activable",
        "act.parzialmente_attivabile": "partly activable",
        "act.non_attivabile": "not activable",
        "not_assessed": "not assessed",
        "not_disclosed_grade": "not disclosed",
        "input.InputError": "invalid input",
        "input.InvalidCaseError": "invalid case",
        "input.ConfigurationError": "invalid configuration",
        "input.ScenarioFileError": "invalid scenario file",
        "recipient": "Recipient",
        "purpose_label": "Purpose",
        "purpose.assessment": "assessment",
        "purpose.equipe": "equipe",
        "purpose.referral": "referral",
        "purpose.monitoring": "monitoring",
        "purpose.statistics": "statistics",
        "withheld": "DATA WITHHELD FROM THE RECIPIENT",
        "withheld_none": "none: the recipient may receive all the data used",
        "disclosed": "CATEGORIES DISCLOSED AND BASIS",
        "data": "DATA DISCLOSED",
        "basis.law": "by law",
        "basis.consent": "with consent",
        "flow": "flow",
        "flows": "Data flows",
        "special_by_law": "special categories by law, without consent",
        "categories": "categories",
        "legal_basis": "legal basis",
        "no_flows": "no flow configured: no data goes out to any recipient",
        "history": "Recorded disclosures of case",
        "history_none": "no disclosure recorded",
        "channel_label": "channel",
        "pseudonymised": "pseudonymised",
        "withheld_short": "withheld",
        "disclosed_short": "disclosed",
        "view": "View of case",
        "reader.too_big": "too large: {size} bytes, the limit is {limit}",
        "reader.no_file": "file not found",
        "reader.unreadable": "cannot read the file: {problem}",
        "reader.not_utf8": "byte not valid in UTF-8 (0x{byte:02x}): the file must be UTF-8 (save it as UTF-8)",
        "reader.surrogate": "invalid character: a lone UTF-16 surrogate (\\ud800-\\udfff) is not a character",
        "reader.json": "invalid JSON: {problem}",
        "reader.json_truncated": "truncated JSON: the text ends before objects, lists or strings are closed",
        "reader.json_empty": "no JSON document: the text is empty",
        "reader.json_trailing": "extra text after the end of the JSON document",
        "reader.json_nan": "NaN and Infinity are not JSON numbers",
        "reader.depth": "nested too deep: more than {limit} levels of lists and objects",
        "reader.items": "too many items: {n}, the limit is {limit}",
        "reader.string": "text too long: {n} characters, the limit is {limit}",
        "reader.int": "integer too large: more than {limit} digits",
        "reader.finite": "number not finite (NaN or infinity)",
        "reader.key": "key that is not a text ({kind}): object keys are texts",
        "reader.duplicate": "key repeated in one object: {key}",
        "reader.type": "value not allowed in JSON ({kind})",
        "reader.size": "data too large: over {limit} bytes as JSON",
        "reader.more": "and {n} more problems not listed",
        "reader.yaml": "invalid YAML: {problem}",
        "reader.yaml_aliases": "too many YAML aliases: more than {limit}",
        "reader.yaml_nodes": "YAML aliases expand the document beyond {limit} nodes",
        "reader.yaml_recursive": "recursive YAML alias: a node contains itself",
        "reader.yaml_key": "key not allowed ({kind}): keys are texts (put it in quotes)",
        "reader.yaml_duplicate": "repeated key: {key} (YAML would keep only the last one)",
        "reader.outside": "path outside the folder {root}: the files named here must be inside its folder",
        "position": "line {line}, column {column}",
        "position.line": "line {line}",
        "position.column": "column {column}",
    },
}

_short = reprlib.Repr()
_short.maxstring = 90  # values are already shortened to 80 characters (ErrorDetail): room for quotes
_short.maxother = 90


def tr(key: str, lang: str) -> str:
    """A fixed text in a language (Italian when the language is unknown)."""
    table = _TEXT.get(lang, _TEXT["it"])
    return table.get(key, _TEXT["it"].get(key, key))


# --------------------------------------------------------------------------- errors


def detail_line(detail: ErrorDetail, lang: str = "it") -> str:
    """``message @ $.path (valore: ...) [regola: ...]``: one error, the same shape everywhere."""
    # a missing property's "value" is the whole enclosing object: the message names the property
    hide = detail.value is None or detail.rule == "required"
    shown = "" if hide else f" ({tr('value', lang)}: {_short.repr(detail.value)})"
    rule = f" [{tr('rule_short', lang)}: {detail.rule}]" if detail.rule else ""
    where = ""
    if detail.line is not None and detail.column is not None:
        where = " (" + tr("position", lang).format(line=detail.line, column=detail.column) + ")"
    elif detail.line is not None or detail.column is not None:
        key = "position.line" if detail.line is not None else "position.column"
        where = " (" + tr(key, lang).format(line=detail.line, column=detail.column) + ")"
    return f"{detail.message} @ {detail.path}{where}{shown}{rule}"


def input_title(exc: InputError, lang: str = "it") -> str:
    """What kind of input was invalid ("caso non valido"...), by the most specific error class."""
    for cls in type(exc).__mro__:
        key = f"input.{cls.__name__}"
        if key in _TEXT["it"]:
            return tr(key, lang)
    return str(getattr(exc, "title", tr("input.InputError", lang)))


def error_report(exc: InclusioneError, lang: str = "it") -> str:
    """A library error for an operator: input errors list every problem with its path."""
    from ._errors import InputError  # noqa: PLC0415 - only when something went wrong

    if isinstance(exc, InputError):
        n = len(exc.details)
        head = f"{input_title(exc, lang)}: {exc.source} ({n} {tr('errors' if n != 1 else 'error', lang)})"
        return "\n".join([head, *(f"  - {detail_line(d, lang)}" for d in exc.details)])
    return str(exc)


# --------------------------------------------------------------------------- results


def _label(territory: Territory | None, path: Sequence[str], code: str | None, lang: str) -> str:
    """``Label (code)`` from the configuration, or the bare code."""
    if code is None:
        return "—"
    if territory is None:
        return code
    entry = territory.section(*path).get(code)
    label = entry.get("label") if isinstance(entry, Mapping) else None
    if isinstance(label, Mapping):
        text = label.get(lang) or label.get("it")
        if text and text != code:
            return f"{text} ({code})"
    return code


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    head = first if first is not None else indent
    if len(head) + len(text) <= WIDTH and "\n" not in text and "\t" not in text and text.strip() == text and \
            "  " not in text:  # fits on one line as it is: what textwrap would return, without its cost
        return [head + text] if text else [head]
    return list(_wrapped(text, indent, head))


@functools.lru_cache(maxsize=4096)
def _wrapped(text: str, indent: str, head: str) -> tuple[str, ...]:
    """textwrap, remembered: the same reasons and citations come back case after case."""
    return tuple(textwrap.wrap(
        text, WIDTH, initial_indent=head, subsequent_indent=indent,
        break_long_words=False, break_on_hyphens=False,
    ) or [head])


class _Writer:
    def __init__(self, result: Result, territory: Territory | None, lang: str, view: View | None = None) -> None:
        self.r = result
        self.t = territory
        self.lang = lang
        self.view = view
        self.lines: list[str] = []

    def _(self, key: str) -> str:
        return tr(key, self.lang)

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def heading(self, key: str) -> None:
        self.add()
        self.add(self._(key))

    def reason(self, reason: Reason, by: DecidedBy | None, indent: str, bullet: str = "• ") -> None:
        """A reason: message, rule, source citation, inputs, provenance."""
        sub = indent + " " * len(bullet)
        self.lines += _wrap(reason.message(self.lang), sub, indent + bullet)
        self.add(f"{sub}{self._('rule')}: {reason.rule} ({self._('territory')} {reason.territory})")
        src = reason.source
        cite = src.document
        if src.section:
            cite += f", {src.section}" if src.section.startswith("§") else f", § {src.section}"
        if src.quote:
            cite += f', «{src.quote}»'
        cite += f" [{self._('kind.' + src.kind)}]"
        self.lines += _wrap(cite, sub + "  ", f"{sub}{self._('source')}: ")
        if reason.inputs:
            shown = json.dumps(reason.inputs, ensure_ascii=False, default=str)
            if len(shown) > 300:
                shown = shown[:297] + "..."
            self.lines += _wrap(shown, sub + "  ", f"{sub}{self._('inputs')}: ")
        plugin = f"{by.plugin}@{by.version}" if by is not None else self._("unattributed")
        parts = [plugin]
        if reason.defined_in:
            parts.append(reason.defined_in)
        prov = self.r.provenance
        parts += [f"{self._('config')} {prov.config_digest[:12]}", f"{self._('as_of')} {prov.as_of.isoformat()}"]
        self.add(f"{sub}{self._('from')}: {' · '.join(parts)}")

    def reasons(self, reasons: Iterable[Reason], by: DecidedBy | None, indent: str = "  ") -> None:
        for reason in reasons:
            self.reason(reason, by, indent)

    # ------------------------------------------------------------ sections

    def header(self) -> None:
        r = self.r
        terr = r.territory
        if self.t is not None:
            terr = f"{self.t.data.get('label', {}).get(self.lang) or self.t.label} [{r.territory}]"
        title = f"{self._('case')} {r.case_id} — {terr} — {self._('as_of')} {r.as_of.isoformat()}"
        self.add(title)
        self.add("=" * min(len(title), WIDTH))
        if self.view is not None:
            self.lines += _wrap(_recipient_line(self.view, self.t, self.lang), "  ")

    def summary(self) -> None:
        """Four lines an operator reads first; the sections below explain each of them."""
        r = self.r
        p = r.profile.profile
        ro = r.routing
        service = _label(self.t, ("services",), ro.service, self.lang)
        if ro.outcome.value == "refused":
            alts = ", ".join(ro.alternatives) or "—"
            routing = f"{self._('refused').lower()} ({service}); {self._('alternatives').lower()}: {alts}"
        else:
            routing = f"{service}, {self._('channel').lower()} {ro.channel}"
            if ro.deadline:
                routing += f", {self._('deadline').lower()} {ro.deadline.isoformat()}"
        eq = r.equipe
        equipe = f"{eq.format}: " + ", ".join(m.role for m in eq.members) if eq.members else self._("no_equipe")
        self.add(f"{self._('summary')}:")
        self.add(f"  {self._('pathway')}: {p.pathway} · {self._('routing').capitalize()}: {routing}")
        self.add(f"  {self._('equipe').capitalize()}: {equipe}")
        codes = ", ".join(i.code for i in r.interventions) or "—"
        self.lines += _wrap(codes, "    ", f"  {self._('interventions_short')}: ")
        late = [d.code for d in r.deadlines if d.status.value in ("due", "overdue")]
        if late:
            self.add(f"  {self._('late')}: {', '.join(late)}")
        if r.project_problems:
            self.add(f"  {self._('problems').capitalize()}: {len(r.project_problems)}")

    def profile(self) -> None:
        decision = self.r.profile
        p = decision.profile
        self.heading("profile")

        masked = set(self.view.masked) if self.view is not None else set()

        def grade(value: Any, prefix: str, name: str) -> str:
            if value is None:
                hidden = f"$.profile.profile.{name}" in masked
                return self._("not_disclosed_grade") if hidden else self._("not_assessed")
            return self._(f"{prefix}.{value.value}")

        self.add(
            f"  {self._('occupability')}: {grade(p.occupability, 'grade', 'occupability')} · "
            f"{self._('complexity')}: {grade(p.complexity, 'grade', 'complexity')} · "
            f"{self._('activability')}: {grade(p.activability, 'act', 'activability')}"
        )
        self.add(f"  {self._('pathway')}: {p.pathway}")
        flags = ", ".join(_label(self.t, ("profile", "flags"), f, self.lang) for f in p.flags)
        self.add(f"  {self._('flags')}: {flags or self._('none_f')}")
        self.reasons(decision.reasons, decision.decided_by)

    def routing(self) -> None:
        ro = self.r.routing
        self.heading("routing")
        service = _label(self.t, ("services",), ro.service, self.lang)
        deadline = ro.deadline.isoformat() if ro.deadline else "—"
        if ro.outcome.value == "refused":
            self.add(f"  {self._('refused')}: {service} · {self._('channel')}: {ro.channel}")
            alts = ", ".join(_label(self.t, ("services",), a, self.lang) for a in ro.alternatives)
            self.add(f"  {self._('alternatives')}: {alts or self._('none_f')}")
        else:
            self.add(f"  {self._('service')}: {service} · {self._('channel')}: {ro.channel} · "
                     f"{self._('deadline')}: {deadline}")
        self.reasons(ro.reasons, ro.decided_by)

    def equipe(self) -> None:
        eq = self.r.equipe
        self.heading("equipe")
        fmt = _label(self.t, ("equipe", "formats"), eq.format, self.lang) if eq.members else self._("no_equipe")
        modes = ", ".join(m.replace("_", " ") for m in eq.modes) or "—"
        self.add(f"  {self._('format')}: {fmt} · {self._('modes')}: {modes} · "
                 f"{self._('household')}: {self._('yes' if eq.household_takes_part else 'no')}")
        self.reasons(eq.reasons, eq.decided_by)
        if eq.members:
            self.add(f"  {self._('members')}:")
            for m in eq.members:
                role = _label(self.t, ("roles",), m.role, self.lang)
                service = _label(self.t, ("services",), m.service, self.lang)
                self.add(f"    - {role}" if m.service == m.role else f"    - {role} — {service}")
                self.reason(m.reason, eq.decided_by, "      ", "")

    def interventions(self) -> None:
        self.heading("interventions")
        if not self.r.interventions:
            self.add(f"  ({self._('none')})")
        for i, rec in enumerate(self.r.interventions, 1):
            name = _label(self.t, ("interventions",), rec.code, self.lang)
            pre = ", ".join(rec.prerequisites) or "—"
            self.add(f"  {i}. {name}")
            self.add(f"     {self._('category')}: {rec.category} · {self._('providers')}: "
                     f"{', '.join(rec.provider_kinds) or '—'} · {self._('prerequisites')}: {pre}")
            self.reason(rec.reason, rec.decided_by, "     ")

    def deadlines(self) -> None:
        self.heading("deadlines")
        if not self.r.deadlines:
            self.add(f"  ({self._('none_f')})")
        for d in self.r.deadlines:
            name = _label(self.t, ("deadlines",), d.code, self.lang)
            if name == d.code and d.label and d.label != d.code:
                name = f"{d.label} ({d.code})"
            self.add(f"  {d.due.isoformat()}  {name} — {self._('status.' + d.status.value)}")
            self.reason(d.reason, d.decided_by, "    ")

    def measures(self) -> None:
        self.heading("measures")
        if not self.r.measures:
            self.add(f"  ({self._('none_f')})")
        for m in self.r.measures:
            name = _label(self.t, ("measures",), m.measure, self.lang)
            force = self._("in_force" if m.in_force else "not_in_force")
            elig = self._({True: "eligible", False: "not_eligible", None: "eligible_unknown"}[m.eligible])
            self.add(f"  {name}: {force}; {elig}")
            self.reasons(m.reasons, m.decided_by, "    ")

    def problems(self) -> None:
        if not self.r.project_problems:
            return
        self.heading("problems")
        for p in self.r.project_problems:
            self.add(f"  @ {p.path}")
            self.reason(p.reason, p.decided_by, "    ")

    def provenance(self) -> None:
        prov = self.r.provenance
        self.heading("provenance")
        self.add(f"  {self._('as_of_label')}: {prov.as_of.isoformat()} · {self._('core')}: {prov.core_version}")
        self.add(f"  {self._('digest')}: {prov.config_digest}")
        self.add(f"  {self._('layers')}:")
        for layer in prov.layers:
            self.add(f"    - {layer.file} (sha256 {layer.sha256[:16]})")
        plugins = ", ".join(f"{p.plugin}@{p.version}" for p in prov.plugins) or "—"
        self.add(f"  {self._('plugins')}: {plugins}")

    def withheld(self) -> None:
        if self.view is None:
            return
        self.heading("withheld")
        self.lines += _withheld_lines(self.view, self.lang)


def result_text(result: Result, territory: Territory | None = None, lang: str = "it", *,
                view: View | None = None) -> str:
    """
    An explained result as text: profile, routing, equipe, interventions, deadlines,
    measures, project problems, provenance; each decision with reason, source and provenance.

    :param territory: the compiled territory, for labels (codes only when ``None``).
    :param view: the recipient view the result was taken from (``Engine.disclose_result``):
        the recipient and purpose are named under the title, and what was withheld is
        listed at the end.
    """
    w = _Writer(result, territory, lang, view)
    w.header()
    w.summary()
    w.profile()
    w.routing()
    w.equipe()
    w.interventions()
    w.deadlines()
    w.measures()
    w.problems()
    w.provenance()
    w.withheld()
    return "\n".join(w.lines)


# --------------------------------------------------------------------------- privacy


def _purpose(purpose: str, lang: str) -> str:
    return f"{tr('purpose.' + purpose, lang)} ({purpose})" if lang == "it" else purpose


def _recipient_line(view: View, territory: Territory | None, lang: str) -> str:
    who = _label(territory, ("privacy", "recipients"), view.recipient.kind, lang)
    if view.recipient.service and view.recipient.service != view.recipient.kind:
        who += f", {view.recipient.service}"
    if view.recipient.name:
        who += f", {view.recipient.name}"
    return (f"{tr('recipient', lang)}: {who} · {tr('purpose_label', lang)}: {_purpose(view.purpose.value, lang)}"
            f" · {tr('as_of', lang)} {view.as_of.isoformat()}")


def _withheld_lines(view: View, lang: str) -> list[str]:
    """The categories the recipient may not receive (not where they were in this case: that would reveal them)."""
    if not view.not_disclosed:
        return [f"  ({tr('withheld_none', lang)})"]
    lines: list[str] = []
    for w in view.not_disclosed:
        lines += _wrap(w.reason_en if lang == "en" else w.reason_it, "      ", "  - ")
    return lines


def _disclosed_lines(view: View, lang: str) -> list[str]:
    """The categories disclosed, grouped by basis: flow, legal basis or consent."""
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for d in view.disclosed:
        groups.setdefault((d.basis, d.flow, str(d.legal_basis), _consents(d, lang)), []).append(d.category)
    lines: list[str] = []
    for (basis, flow, legal, consent), cats in groups.items():
        how = tr(f"basis.{basis}", lang) + (f" {consent}" if consent else "")
        lines += _wrap(", ".join(cats), "      ", f"  - {how} ({tr('flow', lang)} {flow}): ")
        lines += _wrap(legal, "      ", f"      {tr('legal_basis', lang)}: ")
    return lines or [f"  ({tr('none_f', lang)})"]


def _consents(d: Any, lang: str) -> str:
    """The consents a disclosure relies on, and whose data they open."""
    if not d.consents:
        return ""
    pairs = ", ".join(f"{c} ({m})" for c, m in zip(d.consents, d.members, strict=True))
    if d.whole:
        return pairs
    return pairs + (" — solo i dati di questi componenti" if lang == "it" else " — only these members' data")


def _flatten(value: Any, path: str) -> Iterable[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value and any(isinstance(v, Mapping | list) for v in value):
        for i, item in enumerate(value):
            yield from _flatten(item, f"{path}[{i}]")
    elif value not in (None, "", [], {}):
        yield path, value


def view_text(view: View, territory: Territory | None = None, lang: str = "it") -> str:
    """
    The view of a case for a recipient: the data disclosed (one ``path: value`` per line,
    empty values left out), the categories disclosed with their basis, and what was withheld.
    """
    title = f"{tr('view', lang)} {view.case_id} — {view.territory}"
    lines = [title, "=" * min(len(title), WIDTH), *_wrap(_recipient_line(view, territory, lang), "  "), "",
             tr("data", lang)]
    for path, value in _flatten(view.data, ""):
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        lines += _wrap(shown, "      ", f"  {path}: ")
    lines += ["", tr("disclosed", lang), *_disclosed_lines(view, lang)]
    lines += ["", tr("withheld", lang), *_withheld_lines(view, lang)]
    return "\n".join(lines)


def flows_text(rows: Sequence[Mapping[str, Any]], territory: Territory, lang: str = "it") -> str:
    """The data-flow table of a territory (from :meth:`Policy.table`), one block per flow."""
    label = territory.data.get("label", {}).get(lang) or territory.label
    title = f"{tr('flows', lang)} — {label} [{territory.id}]"
    lines = [title, "=" * min(len(title), WIDTH)]
    if not rows:
        lines.append(f"  ({tr('no_flows', lang)})")
    for row in rows:
        who = row["recipient_label"] or row["recipient"]
        lines.append("")
        lines.append(f"{row['recipient']} — {who} · {_purpose(row['purpose'], lang)} · "
                     f"{tr('basis.' + row['basis'], lang)}")
        lines += _wrap(", ".join(row["categories"]), "      ", f"    {tr('categories', lang)}: ")
        if row.get("special_by_law"):
            lines += _wrap(", ".join(row["special_by_law"]), "      ", f"    ⚠ {tr('special_by_law', lang)}: ")
        lines += _wrap(row["legal_basis"], "      ", f"    {tr('legal_basis', lang)}: ")
        lines += _wrap(row["source"], "      ", f"    {tr('source', lang)}: ")
        lines.append(f"    {tr('flow', lang)}: {row['flow']} ({row['defined_in']})")
    return "\n".join(lines)


def history_text(records: Sequence[AuditRecord], case_id: str, audit: str, lang: str = "it") -> str:
    """A case's disclosure history (the data subject's right of access): who, when, what, on which basis."""
    title = f"{tr('history', lang)} {case_id} ({audit})"
    lines = [title, "=" * min(len(title), WIDTH)]
    if not records:
        lines.append(f"  ({tr('history_none', lang)})")
    for r in records:
        who = r.recipient + (f", {r.recipient_service}" if r.recipient_service else "") + \
            (f", {r.recipient_name}" if r.recipient_name else "")
        extra = f" · {tr('pseudonymised', lang)}" if r.pseudonymised else ""
        lines.append("")
        lines.append(f"{r.at} — {tr('recipient', lang)}: {who} · {_purpose(r.purpose, lang)} · "
                     f"{tr('channel_label', lang)} {r.channel} · {tr('as_of', lang)} {r.as_of}{extra}")
        groups: dict[tuple[str, str, str], list[str]] = {}
        for d in r.disclosed:
            groups.setdefault((d["basis"], d["flow"], d.get("consent") or ""), []).append(d["category"])
        for (basis, flow, consent), cats in groups.items():
            how = tr(f"basis.{basis}", lang) + (f" {consent}" if consent else "")
            lines += _wrap(", ".join(cats), "      ", f"    {tr('disclosed_short', lang)} {how} ({flow}): ")
        if not r.disclosed:
            lines.append(f"    {tr('disclosed_short', lang)}: —")
        if r.not_disclosed:  # the categories the recipient may not receive, whatever the case held
            lines += _wrap(", ".join(r.not_disclosed), "      ", f"    {tr('withheld_short', lang)}: ")
        lines.append(f"    {tr('config', lang)} {r.config_digest[:12]} · {r.territory}")
    return "\n".join(lines)
