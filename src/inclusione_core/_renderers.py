"""
Output renderers: how the views that leave the core are written, one format each.

A renderer is opened on an output stream and written to a view at a time, so that a batch
of a million cases streams through it; the failures of a batch go through it too (one
error line in a machine format). The built-in ones are registered like any plugin's,
through ``inclusione_register_renderers``:

* ``text``: the explained result (or the case view) for an operator's terminal;
* ``markdown``: the same report as Markdown;
* ``json``: one JSON document, the list of every view's JSON (``view.schema.json``);
* ``jsonl``: one JSON line per view or failure (what ``--json`` prints);

  both write the compact form of the views by default (their ``explain`` attribute,
  ``--explain full`` for every citation in full: :meth:`View.to_json`);
* ``csv``: one row per result, Italian (or English) headers, ``;``-separated for Italian
  spreadsheets, with a byte order mark so that they read it as UTF-8.

Every renderer reads only a :class:`~inclusione_core.View` (and its filtered result),
never a raw result or case.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TextIO

import attrs
import orjson

from ._batch import dump_line
from ._messages import code_text
from ._report import require_view
from .hookspecs import hookimpl
from .i18n import N_, Message, translate

if TYPE_CHECKING:
    from ._config import Territory
    from ._errors import InclusioneError
    from ._privacy import View

__all__ = ["Renderer", "RendererInfo"]


class Renderer(Protocol):
    """
    Writes views in one format to the stream it was opened on.

    Made by the factory a plugin registers: ``factory(out, lang) -> Renderer``.
    """

    def view(self, view: View, territory: Territory | None, *, heading: str | None = None) -> None:
        """Write one view (``heading``: a title above it, e.g. the example's, where the format has room)."""

    def failure(self, source: str, error: InclusioneError) -> None:
        """Write one case's failure in a batch (formats for people leave it to the error stream)."""

    def close(self) -> None:
        """Finish the output (close a JSON list...)."""


# A renderer of views as JSON may also have an ``explain`` attribute (``compact`` or ``full``):
# Engine.renderer sets it to what the caller asked (``--explain``); one of JSON Lines a
# ``line(bytes)`` method, to which ``inclusione assess`` gives the views its stream encoded.


RendererFactory = Callable[[TextIO, str], Renderer]


@attrs.frozen
class RendererInfo:
    """A registered renderer: its name, what it writes, and who provides it."""

    name: str
    description: str
    media_type: str
    factory: RendererFactory
    plugin: str = ""


def _dumps(data: Any, *, pretty: bool = False) -> str:
    if not pretty:
        return dump_line(data).decode()
    return orjson.dumps(data, default=str, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_INDENT_2).decode()


class TextRenderer:
    """The explained result or the case view, as text, views separated by a rule."""

    def __init__(self, out: TextIO, lang: str) -> None:
        self.out, self.lang, self.count = out, lang, 0

    def view(self, view: View, territory: Territory | None, *, heading: str | None = None) -> None:
        from ._render import result_text, view_text  # noqa: PLC0415

        view = require_view(view, "text")
        if self.count:
            self.out.write("\n" + ("" if heading else "-" * 100 + "\n"))
        self.count += 1
        if heading:
            self.out.write(heading + "\n\n")
        text = result_text(view, territory, self.lang) if view.result is not None else \
            view_text(view, territory, self.lang)
        self.out.write(text + "\n")
        self.out.flush()

    def failure(self, source: str, error: InclusioneError) -> None:
        """Left to the error stream (the CLI prints the error report there)."""

    def close(self) -> None:
        self.out.flush()


class MarkdownRenderer(TextRenderer):
    """The same reports as Markdown, separated by a horizontal rule."""

    def view(self, view: View, territory: Territory | None, *, heading: str | None = None) -> None:
        from ._render import report_markdown  # noqa: PLC0415
        from ._report import view_report  # noqa: PLC0415

        if self.count:
            self.out.write("\n---\n\n")
        self.count += 1
        if heading:  # its first line a title, the others as they are
            first, *rest = heading.splitlines()
            self.out.write("\n".join([f"## {first.lstrip('# ')}", *(line.strip() for line in rest)]) + "\n\n")
        self.out.write(report_markdown(view_report(view, territory, self.lang), self.lang))
        self.out.flush()


class JsonLinesRenderer:
    """
    One JSON line per view (its JSON, as ``view.schema.json`` says) or per failure
    (``{source, error}``, the error's messages in the output's language).
    """

    def __init__(self, out: TextIO, lang: str) -> None:
        self.out, self.lang, self.explain = out, lang, "compact"

    def view(self, view: View, territory: Territory | None, *, heading: str | None = None) -> None:
        view = require_view(view, "jsonl")
        self.out.write(_dumps(view.to_json(self.explain)) + "\n")
        self.out.flush()

    def line(self, line: bytes) -> None:
        """Write a view already encoded as one line (:attr:`Outcome.line`, made in the stream's form)."""
        self.out.write(line.decode() + "\n")
        self.out.flush()

    def failure(self, source: str, error: InclusioneError) -> None:
        self.out.write(_dumps({"source": source, "error": error.to_json(self.lang)}) + "\n")
        self.out.flush()

    def close(self) -> None:
        self.out.flush()


class JsonRenderer:
    """One JSON document: the list of the views' JSON and of the failures, in order, written as they come."""

    def __init__(self, out: TextIO, lang: str) -> None:
        self.out, self.lang, self.count, self.explain = out, lang, 0, "compact"

    def _item(self, data: Any) -> None:
        self.out.write(("[\n" if not self.count else ",\n") + _dumps(data, pretty=True))
        self.count += 1

    def view(self, view: View, territory: Territory | None, *, heading: str | None = None) -> None:
        view = require_view(view, "json")
        self._item(view.to_json(self.explain))

    def failure(self, source: str, error: InclusioneError) -> None:
        self._item({"source": source, "error": error.to_json(self.lang)})

    def close(self) -> None:
        self.out.write("[]\n" if not self.count else "\n]\n")
        self.out.flush()


CSV_COLUMNS = (
    N_("case"), N_("territory"), N_("as-of date"), N_("recipient"), N_("purpose"), N_("occupability"),
    N_("complexity"), N_("activability"), N_("pathway"), N_("destination service"), N_("channel"), N_("by"),
    N_("reason for refusal"), N_("team"), N_("team members"), N_("interventions"), N_("deadlines needing attention"),
    N_("deadlines met late"), N_("measures in force"), N_("categories not disclosed"),
)
"""The column headers (English msgids: the catalogue gives them in the output's language)."""


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading ``'``
    (OWASP, CSV injection), so a hostile case id is never run when the file is opened."""
    return "'" + value if value.startswith(_FORMULA) else value


class CsvRenderer:
    """
    One row per result view, for a spreadsheet: headers in the output's language,
    ``;``-separated (the comma is the decimal separator in Italy), UTF-8 with a byte order
    mark. Masked values read ``non comunicato``; a case view has no row (write results).
    """

    def __init__(self, out: TextIO, lang: str) -> None:
        self.out, self.lang = out, lang
        self.writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        self.out.write("\ufeff")
        self.writer.writerow([translate(c, lang) for c in CSV_COLUMNS])

    def view(self, view: View, territory: Territory | None, *, heading: str | None = None) -> None:
        from ._report import deadline_standing, deadline_title, label, name, names  # noqa: PLC0415

        r = require_view(view, "csv").result
        if r is None:
            from ._errors import ErrorDetail, InputError  # noqa: PLC0415

            raise InputError("--format csv", [ErrorDetail(
                "$", Message("the csv format has one row per result: use it with assess or demo"), None, "format")])
        masked = set(view.masked)
        hidden = translate("not disclosed", self.lang)
        p = r.profile.profile

        def grade(value: Any, prefix: str, name: str) -> str:
            if f"$.profile.profile.{name}" in masked:
                return hidden
            return "" if value is None else code_text(prefix, value.value, self.lang)

        routing_masked = "$.routing" in masked
        equipe_masked = "$.equipe" in masked
        self.writer.writerow([_cell(c) for c in (
            r.case_id, r.territory, r.as_of.isoformat(), name(territory, "recipient", view.recipient.kind, self.lang),
            code_text("purpose", view.purpose.value, self.lang),
            grade(p.occupability, "grade", "occupability"), grade(p.complexity, "grade", "complexity"),
            grade(p.activability, "act", "activability"),
            hidden if "$.profile.profile.pathway" in masked else name(territory, "pathway", p.pathway, self.lang),
            hidden if routing_masked else name(territory, "service", r.routing.service, self.lang),
            hidden if routing_masked else name(territory, "channel", r.routing.channel, self.lang),
            "" if routing_masked or r.routing.deadline is None else r.routing.deadline.isoformat(),
            "" if routing_masked or r.routing.refusal_code is None else label(
                territory, ("services", r.routing.service or "", "refusal_codes"), r.routing.refusal_code, self.lang),
            hidden if equipe_masked else name(territory, "format", r.equipe.format, self.lang)
            if r.equipe.members else "",
            "" if equipe_masked else ", ".join(
                name(territory, "party", m.role, self.lang) if m.role == m.service
                else name(territory, "role", m.role, self.lang) for m in r.equipe.members),
            ", ".join(name(territory, "intervention", i.code, self.lang) for i in r.interventions),
            ", ".join(f"{deadline_title(territory, d, self.lang)} ({deadline_standing(d, self.lang)})"
                      for d in r.deadlines if d.status.value in ("due", "overdue")),
            ", ".join(f"{deadline_title(territory, d, self.lang)} ({deadline_standing(d, self.lang)})"
                      for d in r.deadlines if d.status.value == "met_late"),
            ", ".join(name(territory, "measure", m.measure, self.lang) for m in r.measures if m.in_force),
            names(territory, "data", (w.category for w in view.not_disclosed), self.lang).strip("—"),
        )])
        self.out.flush()

    def failure(self, source: str, error: InclusioneError) -> None:
        """Left to the error stream: a spreadsheet row per case assessed."""

    def close(self) -> None:
        self.out.flush()


BUILT_IN = (
    ("text", "testo spiegato per l'operatore / explained text for the operator", "text/plain", TextRenderer),
    ("markdown", "lo stesso in Markdown / the same as Markdown", "text/markdown", MarkdownRenderer),
    ("json", "un documento JSON: la lista delle viste / one JSON document: the list of views", "application/json",
     JsonRenderer),
    ("jsonl", "una riga JSON per vista o errore / one JSON line per view or error", "application/x-ndjson",
     JsonLinesRenderer),
    ("csv", "una riga per risultato, per fogli di calcolo / one row per result, for spreadsheets", "text/csv",
     CsvRenderer),
)


@hookimpl(trylast=True)
def inclusione_register_renderers(register: Callable[..., None]) -> None:
    """The core's renderers: text, markdown, json, jsonl, csv."""
    for name, description, media_type, factory in BUILT_IN:
        register(name, factory, description=description, media_type=media_type)
