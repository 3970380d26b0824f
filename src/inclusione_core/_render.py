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
import reprlib
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._messages import code_text
from ._report import Explanation, Report, names, purpose_label, require_view, view_report
from .i18n import ntranslate, text, translate

if TYPE_CHECKING:
    from ._audit import AuditRecord
    from ._config import Territory
    from ._errors import ErrorDetail, InclusioneError
    from ._privacy import View

__all__ = [
    "detail_line",
    "error_report",
    "flows_text",
    "history_text",
    "report_markdown",
    "report_text",
    "result_text",
    "view_text",
]

WIDTH = 100

_short = reprlib.Repr()
_short.maxstring = 90  # values are already shortened to 80 characters (ErrorDetail): room for quotes
_short.maxother = 90


# --------------------------------------------------------------------------- errors


def detail_line(detail: ErrorDetail, lang: str = "it") -> str:
    """``message @ $.path (valore: ...) [regola: ...]``: one error, the same shape everywhere, in ``lang``."""
    # a missing property's "value" is the whole enclosing object: the message names the property
    hide = detail.value is None or detail.rule == "required"
    shown = "" if hide else f" ({translate('value', lang)}: {_short.repr(detail.value)})"
    rule = f" [{translate('rule', lang)}: {detail.rule}]" if detail.rule else ""
    where = detail.where_text(lang)
    where = f" ({where})" if where else ""
    return f"{text(detail.message, lang)} @ {detail.path}{where}{shown}{rule}"


def error_report(exc: InclusioneError, lang: str = "it") -> str:
    """A library error for an operator, in ``lang``: input errors list every problem with its path."""
    from ._errors import InputError, input_title  # noqa: PLC0415 - only when something went wrong

    if isinstance(exc, InputError):
        errors = ntranslate("{n} error", "{n} errors", len(exc.details), lang)
        head = f"{input_title(exc, lang)}: {text(exc.source, lang)} ({errors})"
        return "\n".join([head, *(f"  - {detail_line(d, lang)}" for d in exc.details)])
    return exc.text(lang)


# --------------------------------------------------------------------------- results


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


# --------------------------------------------------------------------------- layouts of a report


def _explanation(e: Explanation, indent: str, lang: str, bullet: str = "• ") -> list[str]:
    sub = indent + " " * len(bullet)
    lines = _wrap(e.message, sub, indent + bullet)
    lines.append(f"{sub}{translate('Rule', lang)}: {e.rule} ({translate('territory', lang)} {e.territory})")
    lines += _wrap(e.source, sub + "  ", f"{sub}{translate('Source', lang)}: ")
    if e.inputs:
        lines += _wrap(e.inputs, sub + "  ", f"{sub}{translate('Inputs used', lang)}: ")
    lines.append(f"{sub}{translate('Provenance', lang)}: {e.provenance}")
    return lines


def report_text(report: Report, lang: str = "it") -> str:
    """A report laid out as text for a terminal or a file (100 columns)."""
    lines = [report.title, "=" * min(len(report.title), WIDTH), *_wrap(report.recipient, "  ")]
    for section in report.sections:
        if section.key == "summary":  # read first: right under the title, no heading of its own
            lines.append(f"{section.title}:")
        else:
            lines += ["", section.title]
        for field in section.fields:
            lines += _wrap(field, "    ", "  ")
        for e in section.reasons:
            lines += _explanation(e, "  ", lang)
        if section.items_title and section.items:
            lines.append(f"  {section.items_title}:")
        for item in section.items:
            lines += _wrap(item.title, "      ", "  ")
            for detail in item.details:
                lines += _wrap(detail, "      ", "    ")
            for e in item.reasons:
                lines += _explanation(e, "    ", lang)
        if section.empty and not section.items and not section.fields:
            lines.append(f"  ({section.empty})")
    return "\n".join(lines)


def report_markdown(report: Report, lang: str = "it") -> str:
    """A report laid out as Markdown (for a wiki, a ticket, or a PDF through pandoc)."""

    def esc(text: str) -> str:
        return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")

    def explanation(e: Explanation, indent: str) -> list[str]:
        out = [f"{indent}- {esc(e.message)}",
               f"{indent}  - {translate('Rule', lang)}: `{e.rule}` ({translate('territory', lang)} {e.territory})",
               f"{indent}  - {translate('Source', lang)}: {esc(e.source)}"]
        if e.inputs:
            out.append(f"{indent}  - {translate('Inputs used', lang)}: `{e.inputs}`")
        out.append(f"{indent}  - {translate('Provenance', lang)}: {esc(e.provenance)}")
        return out

    lines = [f"# {esc(report.title)}", "", f"*{esc(report.recipient)}*"]
    for section in report.sections:
        lines += ["", f"## {esc(section.title)}", ""]
        lines += [f"- {esc(field)}" for field in section.fields]
        for e in section.reasons:
            lines += explanation(e, "")
        if section.items_title and section.items:
            lines.append(f"**{esc(section.items_title)}**")
        for item in section.items:
            title = item.title.removeprefix("- ")
            lines.append(f"- {esc(title)}")
            lines += [f"  - {esc(d)}" for d in item.details]
            for e in item.reasons:
                lines += explanation(e, "  ")
        if section.empty and not section.items and not section.fields:
            lines.append(f"*({esc(section.empty)})*")
    return "\n".join(lines) + "\n"


def result_text(view: View, territory: Territory | None = None, lang: str = "it") -> str:
    """
    An explained result as text, from a result view (:meth:`Engine.disclose_result`): the
    recipient and purpose under the title, profile, routing, equipe, interventions,
    deadlines, measures, project problems, provenance, each decision with its reason,
    source and provenance, and the categories not disclosed at the end.

    :param territory: the compiled territory, for labels (codes only when ``None``).
    :raises TypeError: the view is not of a result.
    """
    return report_text(view_report(_result_view(view), territory, lang), lang)


def view_text(view: View, territory: Territory | None = None, lang: str = "it") -> str:
    """
    A case view (or a document's) as text: the data disclosed (one ``path: value`` per
    line, empty values left out), the categories disclosed with their basis, and those not
    disclosed.
    """
    return report_text(view_report(view, territory, lang), lang)


def _result_view(obj: object) -> View:
    view = require_view(obj, "result_text")
    if view.result is None:
        raise TypeError("result_text lays out a View of a result (Engine.disclose_result), not of a case")
    return view


def flows_text(rows: Sequence[Mapping[str, Any]], territory: Territory, lang: str = "it") -> str:
    """The data-flow table of a territory (from :meth:`Policy.table`), one block per flow."""
    label = territory.data.get("label", {}).get(lang) or territory.label
    title = f"{translate('Data flows', lang)} — {label} [{territory.id}]"
    lines = [title, "=" * min(len(title), WIDTH)]
    if not rows:
        lines.append(f"  ({translate('no flow configured: no data goes out to any recipient', lang)})")
    for row in rows:
        who = row["recipient_label"] or row["recipient"]
        lines.append("")
        lines.append(f"{row['recipient']} — {who} · {purpose_label(row['purpose'], lang)} · "
                     f"{code_text('basis', row['basis'], lang)}")
        lines += _wrap(names(None, "data", row["categories"], lang), "      ", f"    {translate('categories', lang)}: ")
        if row.get("special_by_law"):
            special = translate("special categories by law, without consent", lang)
            lines += _wrap(names(None, "data", row["special_by_law"], lang), "      ", f"    ⚠ {special}: ")
        lines += _wrap(row["legal_basis"], "      ", f"    {translate('legal basis', lang)}: ")
        lines += _wrap(row["source"], "      ", f"    {translate('Source', lang)}: ")
        lines.append(f"    {translate('flow', lang)}: {row['flow']} ({row['defined_in']})")
    return "\n".join(lines)


def history_text(records: Sequence[AuditRecord], case_id: str, audit: str, lang: str = "it") -> str:
    """A case's disclosure history (the data subject's right of access): who, when, what, on which basis."""
    title = f"{translate('Recorded disclosures of case', lang)} {case_id} ({audit})"
    lines = [title, "=" * min(len(title), WIDTH)]
    if not records:
        lines.append(f"  ({translate('no disclosure recorded', lang)})")
    for r in records:
        who = r.recipient + (f", {r.recipient_service}" if r.recipient_service else "") + \
            (f", {r.recipient_name}" if r.recipient_name else "")
        extra = f" · {translate('pseudonymised', lang)}" if r.pseudonymised else ""
        lines.append("")
        lines.append(f"{r.at} — {translate('Recipient', lang)}: {who} · {purpose_label(r.purpose, lang)} · "
                     f"{translate('channel', lang)} {r.channel} · {translate('as of', lang)} {r.as_of}{extra}")
        groups: dict[tuple[str, str, str], list[str]] = {}
        for d in r.disclosed:
            groups.setdefault((d["basis"], d["flow"], d.get("consent") or ""), []).append(d["category"])
        for (basis, flow, consent), cats in groups.items():
            how = code_text("basis", basis, lang) + (f" {consent}" if consent else "")
            head = f"    {translate('disclosed', lang)} {how} ({flow}): "
            lines += _wrap(names(None, "data", cats, lang), "      ", head)
        if not r.disclosed:
            lines.append(f"    {translate('disclosed', lang)}: —")
        if r.not_disclosed:  # the categories the recipient may not receive, whatever the case held
            lines += _wrap(names(None, "data", r.not_disclosed, lang), "      ", f"    {translate('withheld', lang)}: ")
        lines.append(f"    {translate('config', lang)} {r.config_digest[:12]} · {r.territory}")
    return "\n".join(lines)
