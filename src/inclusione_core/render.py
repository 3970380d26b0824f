"""
Text for people: the layouts a face (the CLI, a web page, a PDF) writes.

What leaves the core towards a recipient is a :class:`~inclusione_core.View`, and these
functions lay out only views:

* :func:`result_text` -- an explained result (a view from ``Engine.disclose_result``);
* :func:`view_text` -- a case view (``Engine.disclose_case``) or a document view;
* :func:`view_report`, :func:`report_text`, :func:`report_markdown` -- what a view says,
  section by section (:class:`Report`), and two layouts of it: a new face lays out the
  same report its own way.

The other outputs are for the person who holds the data, not for a recipient, and are
typed as such:

* :func:`error_text` -- an error, with every problem and its path (the input's owner);
* :func:`flows_text` -- a territory's data flows (``Policy.table()``: configuration);
* :func:`history_text` -- a case's disclosure history, from the audit (the controller,
  and the data subject exercising the right of access);
* :func:`indicators_text` -- the monitoring indicators of a set of cases
  (:func:`~inclusione_core.indicators`: counts per ambito, small ones suppressed).

Renderers for ``--format`` (text, Markdown, JSON, JSON Lines, CSV, and any a plugin
registers) are found with :meth:`~inclusione_core.Engine.renderer`.
"""

from __future__ import annotations

from ._indicators import indicators_text
from ._render import error_report as error_text
from ._render import flows_text, history_text, report_markdown, report_text, result_text, view_text
from ._report import Explanation, Item, Report, Section, view_report

__all__ = [
    "Explanation",
    "Item",
    "Report",
    "Section",
    "error_text",
    "flows_text",
    "history_text",
    "indicators_text",
    "report_markdown",
    "report_text",
    "result_text",
    "view_report",
    "view_text",
]
