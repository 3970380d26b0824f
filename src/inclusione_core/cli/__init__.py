"""
The ``inclusione`` command: territories, config, validate, assess, schema, test, demo, privacy, new-territory.

A face over the library: one module per command (``assess``, ``demo``, ``privacy``...),
each using only the public names of :mod:`inclusione_core`; no rule, merge or privacy
logic lives here. Output is in Italian by default (``--lang en`` for English);
``--json`` prints machine output on stdout, ``--format NAME`` chooses the renderer of the
views (``text``, ``markdown``, ``json``, ``jsonl``, ``csv``, or one a plugin registers).

Exit status: 0 all good, 1 some scenario failed (``test``), 2 invalid input (every error
listed with its file and ``$.path``), 3 internal error (a defect: set
``INCLUSIONE_DEBUG=1`` to see the traceback), 130 interrupted, 141 a closed stdout. No
traceback is ever printed otherwise.

Case data leave the command only through the core's recipient views
(``Engine.disclose_result`` / ``disclose_case``), each recorded in the disclosure audit
(``--audit FILE`` or ``INCLUSIONE_AUDIT``).

Only the standard library is imported when the parser is built, so that ``inclusione
--help`` answers at once; the engine, attrs, cattrs and jsonschema are imported by the
commands.
"""

from ._main import build_parser, main

__all__ = ["build_parser", "main"]
