"""
The wording operators read: no raw code and no untranslated English in the Italian texts,
no Italian leftovers in the English ones (issue 14, item 8).

The texts are those of ``inclusione demo`` and of ``inclusione assess`` on every example
under ``territories/*/examples`` (text, Markdown and CSV), and of ``inclusione privacy view``.
A code is any snake_case code of the installed territories' configurations (the ids of
their entries, their pathways, channels and categories) or of the core's vocabulary (enums,
masked and pending values). What a person reads as a record rather than as a sentence is
left out of the scan: a reason's inputs (``Dati usati``, the data record of the decision,
JSON), its rule id, its provenance (files and digests), the file of an example, the data of
a case view (``path: value``), and a code in parentheses right after its label
(``Equipe allargata (allargata)``: the code next to its label, for integrators).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from inclusione_core import (
    AccessChannel,
    Activability,
    AssessmentStage,
    CaseStatus,
    DataCategory,
    DeadlineStatus,
    Engine,
    Grade,
    Purpose,
    RoutingOutcome,
)
from inclusione_core.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(ROOT.glob("territories/*/examples/*.json"))
DISCLOSED_AT = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)

# Lines (and their wrapped continuations) that hold a record, not a sentence: a reason's
# inputs, rule, provenance; an example's file; a CSV has none of these.
RECORD_HEADS = (*(f"{prefix}{head}" for prefix in ("", "- ") for head in (
    "Dati usati:", "Inputs used:", "Regola:", "Rule:", "Provenienza:", "Provenance:", "Plugin:", "Plugins:")), "(/")
DATA_SECTIONS = ("DATI COMUNICATI", "DATA DISCLOSED")

ENGLISH_WORDS = (
    # words that betray an untranslated text in Italian output; not "due" (Italian: two),
    # "format" (Italian uses it: "format di equipe"), "online", "stage" (Italian labels)
    "none", "true", "false", "met", "overdue", "upcoming", "health", "addiction", "referral", "referrals",
    "household", "pathway", "deadline", "deadlines", "flags", "team", "requirements", "assessed",
    "disclosed", "withheld", "recipient", "purpose", "consent", "the", "and", "of", "with", "not",
    "social", "work", "mental_health", "justice", "economic", "housing", "identity", "records",
    "occupability", "complexity", "activability", "routing", "outcome",
)
ITALIAN_WORDS = (
    # the core's own Italian phrases, that betray an untranslated text in English output (a case's
    # free text, e.g. the reason of a SIL decision, and the Italian sources stay as they are)
    "nessuna equipe", "nessun format", "non comunicato", "non comunicata", "scaduta da", "rispettata il",
    "requisiti soddisfatti", "requisiti non", "da valutare", "da definire", "segnalazioni", "dimensioni con",
    "elementi di attenzione", "in sintesi",
)
SOURCE_HEADS = ("Fonte:", "Source:", "- Fonte:", "- Source:", "###", "## ")
"""Source citations (Italian documents, quoted in either language) and the examples' titles (Italian only)."""
LOANWORDS = ("on the job",)
"""English words Italian labels use as they are (``Formazione on the job``)."""


def core_codes() -> set[str]:
    """The codes of the core's vocabulary that reach a text."""
    codes: set[str] = {"non_comunicato", "da_valutare", "da_definire", "nucleo"}
    for enum in (AccessChannel, Activability, AssessmentStage, CaseStatus, DataCategory, DeadlineStatus, Grade,
                 Purpose, RoutingOutcome):
        codes |= {str(member.value) for member in enum}
    return codes


def _walk_codes(node: Any) -> Iterator[str]:
    """The codes of a configuration: keys of keyed sections, and pathway/channel/category/format values."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if isinstance(key, str) and not key.startswith("_"):
                yield key
            if key in ("pathway", "channel", "category", "format", "service", "id") and isinstance(value, str):
                yield value
            yield from _walk_codes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_codes(item)


def config_codes(engine: Engine) -> set[str]:
    """Every code of the installed territories' configurations (section keys, entry ids and values)."""
    codes: set[str] = set()
    for info in engine.territories():
        data = engine.territory(info.id).data
        for section in ("dimensions", "needs", "services", "roles", "interventions", "measures", "deadlines",
                        "equipe", "profile", "routing", "privacy", "vocabulary", "monitoring"):
            codes |= set(_walk_codes(data.get(section) or {}))
    return codes


def snake_codes(engine: Engine) -> set[str]:
    """The snake_case codes a text must never show bare (configuration keys that are words of the schema aside)."""
    schema_words = {"data_category", "suitable_when", "suitable_source", "max_duration_months", "household_takes_part",
                    "household_source", "add_roles", "escalate_needs", "working_age", "up_to", "deadline_days",
                    "booking_at", "legal_basis", "redirect_to", "accepts_referrals_from", "eligible_when"}
    return {c for c in core_codes() | config_codes(engine) if "_" in c and c not in schema_words}


def readable(text: str) -> Iterator[str]:
    """The lines of a text a person reads as sentences (records, case data and ``(code)`` after a label left out)."""
    skip_indent: int | None = None
    in_data = False
    for line in text.replace("\\_", "_").splitlines():  # Markdown escapes the underscores
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped in DATA_SECTIONS:
            in_data = True
            continue
        if in_data:
            if stripped and indent == 0:
                in_data = False
            else:
                continue
        if skip_indent is not None:
            if stripped and indent > skip_indent:
                continue
            skip_indent = None
        if stripped.startswith(RECORD_HEADS):
            skip_indent = indent
            continue
        yield re.sub(r"\([a-z0-9_.]+\)", "", line)


def sources_out(lines: Iterator[str]) -> Iterator[str]:
    """Lines without the source citations (Italian documents, quoted in Italian in either language)."""
    skip_indent: int | None = None
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if skip_indent is not None:
            if stripped and indent > skip_indent:
                continue
            skip_indent = None
        if stripped.startswith(SOURCE_HEADS):
            skip_indent = indent
            continue
        kept = line
        for loan in LOANWORDS:
            kept = kept.replace(loan, "")
        yield re.sub(r"«[^»]*»|\"[^\"]*\"", "", kept)


def raw_codes(text: str, codes: set[str]) -> list[tuple[str, str]]:
    """(code, line) for each code shown bare."""
    found = []
    for line in readable(text):
        for word in re.findall(r"(?<![\w.@/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])", line):
            if word in codes:
                found.append((word, line.strip()))
    return found


def words(text: str, vocabulary: tuple[str, ...]) -> list[tuple[str, str]]:
    """(word, line) for each word of ``vocabulary`` in the readable lines (sources and quotes left out)."""
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in vocabulary)
    pattern = re.compile(r"(?<![\w'’])(" + alternatives + r")(?![\w'’])", re.IGNORECASE)
    return [(m.group(1), line.strip()) for line in sources_out(readable(text)) for m in pattern.finditer(line)]


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The installed territories, for their codes."""
    return Engine()


def _run(*args: str | Path) -> str:
    """``inclusione ARGS...`` in-process, disclosures at DISCLOSED_AT; its standard output."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        mp.setattr("inclusione_core._engine._utcnow", lambda: DISCLOSED_AT)
        main([str(a) for a in args])
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return out.getvalue()


@pytest.fixture(scope="module")
def texts() -> dict[str, list[tuple[str, str]]]:
    """The texts of both languages, made once for the module's tests."""
    return {lang: list(outputs(_run, lang)) for lang in ("it", "en")}


def outputs(run: Callable[..., str], lang: str) -> Iterator[tuple[str, str]]:
    """(what, text) of the demo, of assess on every example (text, Markdown, CSV) and of a few privacy views."""
    yield "demo", run("--lang", lang, "demo")
    for example in EXAMPLES:
        for fmt in ("text", "markdown", "csv"):
            yield f"assess {example.name} --format {fmt}", run("--lang", lang, "assess", "--format", fmt, example)
    for example in EXAMPLES[:3]:
        for recipient, purpose in (("cpi", "equipe"), ("terzo_settore", "referral")):
            yield (f"privacy view {example.name} {recipient}",
                   run("--lang", lang, "privacy", "view", "--recipient", recipient, "--purpose", purpose, example))


def _report(found: list[tuple[str, str, str]]) -> str:
    seen: dict[tuple[str, str], str] = {}
    for what, word, line in found:
        seen.setdefault((word, line), what)
    return "\n".join(f"{word!r} in {what}: {line}" for (word, line), what in list(seen.items())[:40])


def test_italian_texts_show_no_raw_code(texts: dict[str, list[tuple[str, str]]], engine: Engine) -> None:
    """The Italian texts show a label for every configuration or core code, never the bare snake_case code."""
    codes = snake_codes(engine)
    found = [(what, code, line) for what, text in texts["it"] for code, line in raw_codes(text, codes)]
    assert not found, _report(found)


def test_italian_texts_have_no_english_words(texts: dict[str, list[tuple[str, str]]]) -> None:
    """The Italian texts carry no English word that betrays an untranslated text."""
    found = [(what, word, line) for what, text in texts["it"] for word, line in words(text, ENGLISH_WORDS)]
    assert not found, _report(found)


def test_english_texts_show_no_raw_code_nor_italian_leftover(texts: dict[str, list[tuple[str, str]]],
                                                             engine: Engine) -> None:
    """Under ``--lang en`` the texts show labels too, and no Italian phrase of the core left untranslated."""
    codes = snake_codes(engine)
    found: list[tuple[str, str, str]] = []
    for what, text in texts["en"]:
        found += [(what, code, line) for code, line in raw_codes(text, codes)]
        found += [(what, word, line) for word, line in words(text, ITALIAN_WORDS)]
    assert not found, _report(found)


def _flat(text: str) -> str:
    """A text with its wrapped lines joined: one space for each line break and indentation."""
    return re.sub(r"\s*\n\s*", " ", text)


def test_italian_sentences_of_an_explained_result() -> None:
    """An explained result reads in Italian: labels in the summary, one dimension singular, the flags' heading."""
    text = _flat(_run("assess", "--as-of", "2025-03-03", ROOT / "territories/prato/examples/solo_lavoro.json"))
    assert "Percorso: Patto per il lavoro · Instradamento: Centro per l'Impiego di Prato, canale: invio" in text
    assert "Equipe: nessuna equipe" in text  # work needs only: the CPI alone (issue 14, item 4)
    assert "Scadenze da curare: Primo appuntamento ai servizi (AdI) (scaduta da 307 giorni)" in text
    assert "• Complessità bassa: 1 dimensione con bisogno >= 2." in text
    assert "Elementi di attenzione: Richiede integrazione socio-lavorativa" in text
    assert "Segnalazioni:" not in text
    other = _flat(_run("assess", "--as-of", "2025-04-15", ROOT / "territories/prato/examples/dipendenze_e_lavoro.json"))
    assert ("Equipe: Equipe allargata (EM partecipata): Operatore del Centro per l'Impiego, Assistente sociale"
            " titolare del caso, Operatore del SerD, il nucleo familiare") in other
    assert "Modalità: in presenza, online" in other


def test_sil_negative_decision_names_the_sending_service_in_a_whole_sentence() -> None:
    """The SIL's negative decision names the sending service by its label, in a whole sentence."""
    text = _flat(_run("assess", ROOT / "territories/sil/examples/decisione_negativa.json"))
    assert ("Esito segnalato all'ente inviante: Segretariato Sociale dei comuni del distretto (ente inviante).") in text
    assert "a l'ente" not in text


def test_withheld_categories_read_in_italian() -> None:
    """A category withheld from a recipient is named in Italian, and so are the recipient and the purpose."""
    text = _flat(_run("privacy", "view", "--recipient", "terzo_settore", "--purpose", "referral",
                      ROOT / "territories/prato/examples/dipendenze_e_lavoro.json"))
    assert ("salute (art. 9 GDPR): non comunicabile al destinatario (Enti del Terzo settore) per la finalità «invio»"
            " senza il consenso valido di ogni componente del nucleo") in text
