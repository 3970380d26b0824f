"""
What ``inclusione --json`` prints about the example cases of Prato and the SIL: the lines of
``assess`` (results and errors) and the objects of ``privacy view``, for ``ssp`` and ``cpi``;
and the list of every JSON Schema the project publishes.

Shared by the tests of the view schema (``test_schema.py``) and of the agreement between
jsonschema and ajv (``test_schema_ajv.py``); each run is made once per test session.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from inclusione_core.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "territories" / "prato" / "examples").glob("*.json")) + sorted(
    (ROOT / "territories" / "sil" / "examples").glob("*.json")
)
RECIPIENTS = ("ssp", "cpi")
AS_OF = "2025-03-01"
BAD_LINES = ('{"id": "senza-territorio"}', "non è JSON")
"""Two lines of the stream that fail: a case missing required fields, a line that is not JSON."""


def published_schemas() -> list[Path]:
    """Every JSON Schema the project publishes: the core's, the territories' instruments, the plugins' own."""
    return sorted([
        *(ROOT / "src" / "inclusione_core" / "schemas").glob("*.schema.json"),
        *ROOT.glob("territories/*/instruments/*.schema.json"),
        *ROOT.glob("plugins/*/src/*/schemas/*.schema.json"),
    ])


def run_cli(*args: str | Path) -> tuple[int, str, str]:
    """Run ``inclusione ARGS...`` in-process; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@functools.cache
def assess_lines(recipient: str) -> tuple[dict[str, Any], ...]:
    """The lines of ``inclusione --json assess`` over every example case, streamed, plus two bad lines."""
    with tempfile.TemporaryDirectory() as tmp:
        stream = Path(tmp) / "cases.jsonl"
        lines = [json.dumps(json.loads(p.read_text(encoding="utf-8")), ensure_ascii=False) for p in EXAMPLES]
        stream.write_text("\n".join([*lines, *BAD_LINES]) + "\n", encoding="utf-8")
        code, out, err = run_cli("--json", "assess", "--recipient", recipient, "--as-of", AS_OF, stream)
    assert code == 2, err  # the two bad lines
    return tuple(json.loads(line) for line in out.splitlines())


@functools.cache
def privacy_views() -> tuple[dict[str, Any], ...]:
    """The objects of ``inclusione --json privacy view``: a Prato case for the CPI, a SIL case for the ssp."""
    views = []
    for case, recipient, purpose in ((EXAMPLES[0], "cpi", "assessment"), (EXAMPLES[-1], "ssp", "referral")):
        code, out, err = run_cli("--json", "privacy", "view", case, "--recipient", recipient,
                                 "--purpose", purpose, "--as-of", AS_OF)
        assert code == 0, err
        views.append(json.loads(out))
    return tuple(views)


@functools.cache
def error_outputs() -> tuple[dict[str, Any], ...]:
    """
    Errors as printed: the line of a case whose territory is not installed (with its source,
    no details), and the object printed when a command stops (here: a missing ``--config-dir``).
    """
    code, out, _err = run_cli("--json", "assess", "--territory", "non_installato", EXAMPLES[0])
    assert code == 2
    case_error = json.loads(out)
    code, out, _err = run_cli("--json", "--config-dir", ROOT / "non-esiste", "assess", EXAMPLES[0])
    assert code == 2
    return case_error, json.loads(out)
