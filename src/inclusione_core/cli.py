"""
The ``inclusione`` command: territories, validate, assess, schema, test, demo, privacy.

Output is in Italian by default (``--lang en`` for English), ``--json`` prints machine
output on stdout. Exit status: 0 all good, 1 some scenario failed (``test``), 2 invalid
input (every error listed with its file and ``$.path``), 3 internal error (a defect: set
``INCLUSIONE_DEBUG=1`` to see the traceback). No traceback is ever printed otherwise.

Case data leave the command only through the core's recipient views
(``Engine.disclose_result`` / ``disclose_case``): ``assess`` and ``demo`` show what the
chosen recipient (default: ``ssp``, the social service holding the case, for the
assessment) may receive, and list what was withheld; each view is recorded in the
disclosure audit, a JSON Lines file with ``--audit FILE`` (or ``INCLUSIONE_AUDIT``), chained
and keyed with the HMAC key in the file named by ``INCLUSIONE_AUDIT_KEY_FILE``, if set;
``privacy verify FILE`` checks it.

Only the standard library is imported at module level, so that ``inclusione --help``
answers at once; the engine, attrs, cattrs and jsonschema are imported by the commands.
"""

# Imports inside functions are the point of this module: they keep start-up fast.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator, Sequence

    from ._audit import AuditLog, AuditProblem, AuditRecord
    from ._engine import Engine
    from ._errors import ErrorDetail, InclusioneError
    from ._privacy import View

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as the shell reports a command killed by it
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3
SCHEMA_NAMES = ("case", "territory", "scenario", "result", "view")  # _schema.SCHEMA_NAMES, without importing it
PURPOSES = ("assessment", "equipe", "referral", "monitoring", "statistics")  # Purpose, without importing it
DEFAULT_RECIPIENT = "ssp"  # the social service holding the case...
DEFAULT_PURPOSE = "assessment"  # ...for the multidimensional assessment
AUDIT_ENV = "INCLUSIONE_AUDIT"
AUDIT_KEY_ENV = "INCLUSIONE_AUDIT_KEY_FILE"  # names a file holding the audit's HMAC key, never the key itself
MIN_AUDIT_KEY_BYTES = 32
JSONL_SUFFIXES = (".jsonl", ".ndjson")
YAML_SUFFIXES = (".yaml", ".yml")

_HELP: dict[str, dict[str, str]] = {
    "it": {
        "description": "Servizi sociali e Centri per l'Impiego sullo stesso caso: valuta, instrada, "
        "compone l'equipe e spiega ogni decisione con la sua fonte.",
        "epilog": "Stato di uscita: 0 ok, 1 scenari falliti, 2 input non valido, 3 errore interno "
        "(INCLUSIONE_DEBUG=1 mostra i dettagli). La lingua predefinita si imposta anche con "
        "INCLUSIONE_LANG=en.",
        "help": "mostra questo aiuto ed esce",
        "version": "mostra la versione ed esce",
        "lang": "lingua dei messaggi: it (predefinita) o en",
        "json": "output per programmi (JSON su stdout)",
        "config_dir": "cartella con configurazioni <id>/territory.yaml aggiuntive; prevalgono su "
        "quelle dei plugin (ripetibile)",
        "commands": "comandi",
        "territories": "elenca plugin e territori installati (catena extends, digest)",
        "validate": "valida configurazioni di territorio, casi (JSON o JSON Lines) e file di scenari",
        "validate.files": "file da validare: territory.yaml, caso .json, .jsonl, scenari .yaml",
        "assess": "valuta un caso (o molti, JSON Lines) e spiega il risultato",
        "assess.case": "file del caso: .json (un caso), .jsonl (un caso per riga, in streaming), "
        "oppure - per stdin (JSON Lines o un solo caso)",
        "assess.territory": "territorio le cui regole si applicano (predefinito: quello del caso)",
        "assess.as_of": "data di riferimento AAAA-MM-GG (predefinita: oggi)",
        "schema": "stampa uno JSON Schema su stdout (--name) o li scrive tutti in una cartella (--out): caso, "
        "configurazione di territorio, scenari, risultato, vista (l'output --json di assess e privacy view)",
        "schema.out": "cartella in cui scrivere tutti gli schemi (o solo quello di --name)",
        "schema.name": "lo schema da stampare su stdout (o da scrivere, con --out)",
        "test": "esegue i file di scenari YAML e confronta i risultati attesi",
        "test.paths": "file di scenari, cartelle o id di territorio (predefinito: gli scenari di "
        "ogni territorio installato)",
        "demo": "valuta gli esempi di ogni territorio installato e mostra i risultati spiegati",
        "demo.as_of": "data di riferimento per tutti gli esempi (predefinita: quella di ciascun esempio)",
        "bad_date": "data non valida: {value!r} (atteso AAAA-MM-GG)",
        "audit": "file JSON Lines in cui registrare ogni comunicazione di dati (audit); predefinito: "
        "la variabile INCLUSIONE_AUDIT, altrimenti solo in memoria",
        "recipient": "tipo di destinatario (ssp, cpi, serd, terzo_settore...): si vedono solo i dati che può "
        "ricevere (predefinito: ssp, il servizio sociale titolare del caso)",
        "purpose": "finalità della comunicazione: assessment (predefinita), equipe, referral, monitoring, "
        "statistics",
        "privacy": "privacy: flussi di dati di un territorio, vista di un caso per un destinatario, storico "
        "delle comunicazioni di un caso, verifica dell'audit",
        "privacy.commands": "sottocomandi",
        "privacy.flows": "tabella dei flussi di dati: chi riceve quali categorie, per quale finalità, su quale "
        "base giuridica (dalla configurazione)",
        "privacy.flows.territory": "territorio",
        "privacy.view": "i dati di un caso che un destinatario può ricevere per una finalità a una data, con "
        "quelli non comunicati (registrata nell'audit)",
        "privacy.view.case": "file del caso (.json)",
        "privacy.view.as_of": "data di riferimento AAAA-MM-GG (predefinita: oggi): sceglie le regole in vigore; i "
        "consensi contano quando i dati escono, non a questa data",
        "privacy.history": "chi ha ricevuto quali dati di un caso, quando e su quale base (dal file di audit: "
        "diritto di accesso dell'interessato)",
        "privacy.history.case_id": "identificativo del caso",
        "privacy.verify": "verifica che il file di audit sia integro (catena di hash, file di testa) e indica il "
        "primo record alterato o mancante con la sua riga; stato di uscita 0 integro, 2 alterato. La chiave HMAC, "
        "se l'audit ne ha una, si legge dal file indicato da INCLUSIONE_AUDIT_KEY_FILE",
        "privacy.verify.file": "file di audit (JSON Lines) da verificare",
    },
    "en": {
        "description": "Social services and employment centres working one case together: assess, "
        "route, compose the team and explain every decision with its source.",
        "epilog": "Exit status: 0 ok, 1 scenarios failed, 2 invalid input, 3 internal error "
        "(INCLUSIONE_DEBUG=1 shows details). The default language can also be set with "
        "INCLUSIONE_LANG=en.",
        "help": "show this help and exit",
        "version": "show the version and exit",
        "lang": "message language: it (default) or en",
        "json": "machine output (JSON on stdout)",
        "config_dir": "directory with extra <id>/territory.yaml configurations; they take "
        "precedence over the plugins' ones (repeatable)",
        "commands": "commands",
        "territories": "list installed plugins and territories (extends chain, digest)",
        "validate": "validate territory configurations, cases (JSON or JSON Lines) and scenario files",
        "validate.files": "files to validate: territory.yaml, case .json, .jsonl, scenario .yaml",
        "assess": "assess one case (or many, JSON Lines) and explain the result",
        "assess.case": "case file: .json (one case), .jsonl (one case per line, streamed), "
        "or - for stdin (JSON Lines or a single case)",
        "assess.territory": "territory whose rules apply (default: the case's own)",
        "assess.as_of": "as-of date YYYY-MM-DD (default: today)",
        "schema": "print one JSON Schema on stdout (--name) or write them all to a directory (--out): case, "
        "territory configuration, scenario file, result, view (the --json output of assess and privacy view)",
        "schema.out": "directory to write every schema to (or only the one named by --name)",
        "schema.name": "the schema to print on stdout (or to write, with --out)",
        "test": "run YAML scenario files and compare the expected results",
        "test.paths": "scenario files, directories or territory ids (default: the scenarios of "
        "every installed territory)",
        "demo": "assess the examples of every installed territory and show the explained results",
        "demo.as_of": "as-of date for every example (default: each example's own)",
        "bad_date": "invalid date: {value!r} (expected YYYY-MM-DD)",
        "audit": "JSON Lines file where every disclosure of data is recorded (audit); default: the "
        "INCLUSIONE_AUDIT variable, otherwise in memory only",
        "recipient": "kind of recipient (ssp, cpi, serd, terzo_settore...): only the data it may receive "
        "are shown (default: ssp, the social service holding the case)",
        "purpose": "purpose of the disclosure: assessment (default), equipe, referral, monitoring, statistics",
        "privacy": "privacy: a territory's data flows, the view of a case for a recipient, a case's "
        "disclosure history, audit verification",
        "privacy.commands": "subcommands",
        "privacy.flows": "data-flow table: who receives which categories, for which purpose, on which legal "
        "basis (from the configuration)",
        "privacy.flows.territory": "territory",
        "privacy.view": "the data of a case that a recipient may receive for a purpose on a date, with what is "
        "withheld (recorded in the audit)",
        "privacy.view.case": "case file (.json)",
        "privacy.view.as_of": "as-of date YYYY-MM-DD (default: today): it chooses the rules in force; consents "
        "count when the data leave, not on this date",
        "privacy.history": "who received which data about a case, when and on which basis (from the audit "
        "file: the data subject's right of access)",
        "privacy.history.case_id": "case identifier",
        "privacy.verify": "check that the audit file is intact (hash chain, head file) and name the first edited "
        "or missing record with its line; exit status 0 intact, 2 broken. The HMAC key, if the audit has one, is "
        "read from the file named by INCLUSIONE_AUDIT_KEY_FILE",
        "privacy.verify.file": "audit file (JSON Lines) to check",
    },
}

_MSG: dict[str, dict[str, str]] = {
    "it": {
        "ok": "OK",
        "invalid": "NON VALIDO",
        "warning": "avviso",
        "internal": "errore interno di inclusione_core ({kind}: {exc}). È un difetto del programma, non "
        "del tuo input: segnalalo allegando il comando e il file usati. INCLUSIONE_DEBUG=1 mostra i "
        "dettagli.",
        "io": "errore di file: {exc}",
        "interrupted": "interrotto",
        "no_file": "file non trovato",
        "unknown_kind": "tipo di file non riconosciuto: attesi un territory.yaml, un caso .json, un "
        ".jsonl di casi o un file di scenari .yaml (con la chiave scenarios:)",
        "unknown_territory": "il territorio {territory!r} del caso non è installato: il caso è valido "
        "ma non può essere valutato qui",
        "no_config_dir": "cartella di configurazione inesistente",
        "layer_only": "solo il file è stato validato: la catena extends si verifica quando il file si "
        "chiama territory.yaml in una cartella <id>/",
        "json_bad": "JSON non valido (riga {line}, colonna {col}): {msg}",
        "json_bad_col": "JSON non valido (colonna {col}): {msg}",
        "kind.territory": "configurazione",
        "kind.case": "caso",
        "kind.cases": "casi JSON Lines",
        "kind.scenario": "scenari",
        "kind.unknown": "sconosciuto",
        "kind.example": "esempio",
        "summary": "{n} file: {ok} validi, {bad} non validi",
        "plugins": "Plugin installati",
        "territories": "Territori",
        "core": "core",
        "provides": "territori",
        "chain": "catena",
        "by": "fornito da",
        "dir": "cartella",
        "digest": "digest",
        "counts": "esempi: {examples}, file di scenari: {scenarios}",
        "written": "scritto: {path}",
        "schema_usage": "indica uno schema con --name ({names}) per stamparlo su stdout, oppure --out CARTELLA "
        "per scriverli tutti",
        "no_scenarios": "nessun file di scenari trovato",
        "no_scenarios_in": "nessun file di scenari in {path}",
        "not_a_path": "{path!r} non è un file, una cartella né un territorio installato ({known})",
        "test_summary": "{n} scenari: {passed} superati, {failed} falliti, {errors} con errori di input",
        "invalid_files": "{invalid} file di scenari non validi",
        "no_examples": "nessun territorio installato ha esempi",
        "example": "Esempio",
        "some_failed": "{n} casi non valutati su {total}",
        "no_audit": "avviso: le comunicazioni di dati sono registrate solo in memoria e andranno perse alla "
        "fine del comando; usa --audit FILE (o INCLUSIONE_AUDIT) per conservarle",
        "history_needs_audit": "lo storico delle comunicazioni si legge dal file di audit: indica --audit FILE "
        "o la variabile INCLUSIONE_AUDIT",
        "bad_audit": "file di audit non leggibile ({exc}): attesi record JSON Lines scritti da inclusione",
        "unknown_recipient": "destinatario non previsto dalla configurazione privacy del territorio {territory} "
        "(previsti: {known})",
        "key_unreadable": "file della chiave dell'audit ({env}) non leggibile: {exc}",
        "key_short": "la chiave dell'audit nel file indicato da {env} ha {n} byte: ne servono almeno {min}; "
        "generane una casuale, ad esempio con `head -c 32 /dev/urandom > chiave` (permessi 600)",
        "bad_lines": "righe dell'audit non leggibili, saltate: {n} (controlla con `inclusione privacy verify {audit}`)",
        "line": "riga {line}",
        "head": "file di testa",
        "verify_title": "Verifica dell'audit {path}",
        "verify_counts": "righe: {lines} · record: {records} · ultimo record: {last} · testa: {head}",
        "verify_keyed": "hash: HMAC-SHA256 con la chiave di {env}",
        "verify_unkeyed": "hash: SHA-256 senza chiave (rileva modifiche accidentali o ingenue, non chi ricalcola "
        "gli hash; per questo serve una chiave HMAC)",
        "verify_ok": "esito: INTEGRO",
        "verify_broken": "esito: ALTERATO, primo problema: {where}",
        "verify_problems": "problemi ({n}):",
        "verify_warnings": "avvisi ({n}):",
        "expected_found": "atteso {expected}, trovato {found}",
        "kind.torn": "riga troncata da una scrittura interrotta (la catena prosegue oltre)",
        "kind.bad_json": "riga non JSON",
        "kind.not_a_record": "non è un record di audit di questo formato",
        "kind.edited": "record modificato: l'hash non corrisponde al contenuto",
        "kind.unkeyed": "record senza l'HMAC della chiave (hash ricalcolato senza chiave?)",
        "kind.key_required": "l'audit è protetto da una chiave HMAC: indica il file della chiave con {env}",
        "kind.missing": "record mancanti o spostati prima di questo",
        "kind.reordered": "record fuori ordine o ripetuto",
        "kind.broken_chain": "catena interrotta: prev non è l'hash del record precedente",
        "kind.truncated": "record mancanti dopo la fine del file: la testa ne indica di più",
        "kind.head_missing": "manca il file di testa (FILE.head): non si può escludere che dei record siano stati "
        "tolti in fondo",
        "kind.head_invalid": "file di testa non valido",
        "kind.head_mismatch": "la testa non corrisponde al record con il suo numero (file o testa sostituiti)",
        "kind.unanchored": "record scritti dopo l'ultima testa (interruzione tra le due scritture)",
    },
    "en": {
        "ok": "OK",
        "invalid": "INVALID",
        "warning": "warning",
        "internal": "inclusione_core internal error ({kind}: {exc}). This is a defect of the program, "
        "not of your input: please report it with the command and the files used. INCLUSIONE_DEBUG=1 "
        "shows the details.",
        "io": "file error: {exc}",
        "interrupted": "interrupted",
        "no_file": "file not found",
        "unknown_kind": "unrecognised file type: expected a territory.yaml, a case .json, a .jsonl of "
        "cases or a scenario .yaml file (with a scenarios: key)",
        "unknown_territory": "the case's territory {territory!r} is not installed: the case is valid "
        "but cannot be assessed here",
        "no_config_dir": "configuration directory does not exist",
        "layer_only": "only the file was validated: the extends chain is checked when the file is "
        "named territory.yaml inside an <id>/ directory",
        "json_bad": "invalid JSON (line {line}, column {col}): {msg}",
        "json_bad_col": "invalid JSON (column {col}): {msg}",
        "kind.territory": "configuration",
        "kind.case": "case",
        "kind.cases": "JSON Lines cases",
        "kind.scenario": "scenarios",
        "kind.unknown": "unknown",
        "kind.example": "example",
        "summary": "{n} files: {ok} valid, {bad} invalid",
        "plugins": "Installed plugins",
        "territories": "Territories",
        "core": "core",
        "provides": "territories",
        "chain": "chain",
        "by": "provided by",
        "dir": "directory",
        "digest": "digest",
        "counts": "examples: {examples}, scenario files: {scenarios}",
        "written": "written: {path}",
        "schema_usage": "name a schema with --name ({names}) to print it on stdout, or --out DIR to write them all",
        "no_scenarios": "no scenario file found",
        "no_scenarios_in": "no scenario file in {path}",
        "not_a_path": "{path!r} is neither a file, a directory nor an installed territory ({known})",
        "test_summary": "{n} scenarios: {passed} passed, {failed} failed, {errors} with input errors",
        "invalid_files": "{invalid} invalid scenario files",
        "no_examples": "no installed territory has examples",
        "example": "Example",
        "some_failed": "{n} of {total} cases not assessed",
        "no_audit": "warning: disclosures of data are recorded in memory only and will be lost when the "
        "command ends; use --audit FILE (or INCLUSIONE_AUDIT) to keep them",
        "history_needs_audit": "the disclosure history is read from the audit file: give --audit FILE or the "
        "INCLUSIONE_AUDIT variable",
        "bad_audit": "unreadable audit file ({exc}): expected JSON Lines records written by inclusione",
        "unknown_recipient": "recipient not provided for by the privacy configuration of territory "
        "{territory} (provided for: {known})",
        "key_unreadable": "audit key file ({env}) cannot be read: {exc}",
        "key_short": "the audit key in the file named by {env} has {n} bytes: at least {min} are needed; "
        "generate a random one, e.g. with `head -c 32 /dev/urandom > key` (mode 600)",
        "bad_lines": "lines of the audit that cannot be read, skipped: {n} (check with "
        "`inclusione privacy verify {audit}`)",
        "line": "line {line}",
        "head": "head file",
        "verify_title": "Verification of the audit {path}",
        "verify_counts": "lines: {lines} · records: {records} · last record: {last} · head: {head}",
        "verify_keyed": "hashes: HMAC-SHA256 with the key of {env}",
        "verify_unkeyed": "hashes: SHA-256 without a key (detects accidental or naive edits, not someone who "
        "recomputes the hashes; that needs an HMAC key)",
        "verify_ok": "result: INTACT",
        "verify_broken": "result: BROKEN, first problem: {where}",
        "verify_problems": "problems ({n}):",
        "verify_warnings": "warnings ({n}):",
        "expected_found": "expected {expected}, found {found}",
        "kind.torn": "line cut by an interrupted write (the chain goes on past it)",
        "kind.bad_json": "not a JSON line",
        "kind.not_a_record": "not an audit record of this format",
        "kind.edited": "record edited: its hash does not match its content",
        "kind.unkeyed": "record without the key's HMAC (hash recomputed without the key?)",
        "kind.key_required": "the audit is protected by an HMAC key: name the key file with {env}",
        "kind.missing": "records missing or moved before this one",
        "kind.reordered": "record out of order or repeated",
        "kind.broken_chain": "broken chain: prev is not the hash of the record before",
        "kind.truncated": "records missing after the end of the file: the head names more",
        "kind.head_missing": "the head file (FILE.head) is missing: records deleted at the end cannot be ruled out",
        "kind.head_invalid": "invalid head file",
        "kind.head_mismatch": "the head does not match the record with its number (file or head replaced)",
        "kind.unanchored": "records written after the last head (interrupted between the two writes)",
    },
}


def _h(lang: str, key: str) -> str:
    return _HELP.get(lang, _HELP["it"])[key]


def _m(lang: str, key: str, **kw: Any) -> str:
    text = _MSG.get(lang, _MSG["it"])[key]
    return text.format(**kw) if kw else text


# --------------------------------------------------------------------------- parser


def _default_lang() -> str:
    lang = os.environ.get("INCLUSIONE_LANG", "it")
    return lang if lang in ("it", "en") else "it"


def _prescan_lang(argv: Sequence[str]) -> str:
    """The language asked on the command line, so that even ``--help`` speaks it."""
    lang = _default_lang()
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    return lang if lang in ("it", "en") else "it"


def _date_type(lang: str) -> Any:
    def parse(value: str) -> dt.date:
        import datetime as dt
        import re

        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise argparse.ArgumentTypeError(_h(lang, "bad_date").format(value=value))

    return parse


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kw: Any) -> None:
        from ._plugins import core_version

        print(f"inclusione_core {core_version()}")
        parser.exit()


def _common(lang: str, *, top: bool) -> argparse.ArgumentParser:
    """
    The global options, accepted before and after the command (``inclusione assess --json``).

    On the commands they default to ``SUPPRESS`` so as not to overwrite what was given
    before the command; ``--config-dir`` after the command goes to ``config_dir_after``
    and is appended by :func:`main`.
    """
    p = argparse.ArgumentParser(add_help=False)
    lang_default: Any = _default_lang() if top else argparse.SUPPRESS
    json_default: Any = False if top else argparse.SUPPRESS
    dirs_default: Any = [] if top else argparse.SUPPRESS
    audit_default: Any = (Path(os.environ[AUDIT_ENV]) if os.environ.get(AUDIT_ENV) else None) if top \
        else argparse.SUPPRESS
    p.add_argument("--lang", choices=("it", "en"), default=lang_default, help=_h(lang, "lang"))
    p.add_argument("--json", action="store_true", default=json_default, help=_h(lang, "json"))
    p.add_argument("--config-dir", action="append", type=Path, metavar="DIR", default=dirs_default,
                   dest="config_dir" if top else "config_dir_after", help=_h(lang, "config_dir"))
    p.add_argument("--audit", type=Path, metavar="FILE", default=audit_default, help=_h(lang, "audit"))
    return p


def build_parser(lang: str = "it") -> argparse.ArgumentParser:
    """The argument parser, with help texts in ``lang``."""
    parser = argparse.ArgumentParser(
        prog="inclusione", description=_h(lang, "description"), epilog=_h(lang, "epilog"),
        parents=[_common(lang, top=True)], add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help=_h(lang, "help"))
    parser.add_argument("--version", action=_VersionAction, help=_h(lang, "version"))
    sub = parser.add_subparsers(
        dest="command", title=_h(lang, "commands"), metavar="COMANDO" if lang == "it" else "COMMAND"
    )
    after = _common(lang, top=False)

    def command(name: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=_h(lang, name), description=_h(lang, name), parents=[after], add_help=False)
        p.add_argument("-h", "--help", action="help", help=_h(lang, "help"))
        return p

    command("territories").set_defaults(func=_cmd_territories)

    p = command("validate")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=_h(lang, "validate.files"))
    p.set_defaults(func=_cmd_validate)

    p = command("assess")
    p.add_argument("case", metavar="CASE", help=_h(lang, "assess.case"))
    p.add_argument("--territory", metavar="ID", help=_h(lang, "assess.territory"))
    p.add_argument("--as-of", type=_date_type(lang), metavar="DATE", help=_h(lang, "assess.as_of"))
    p.add_argument("--recipient", metavar="KIND", default=DEFAULT_RECIPIENT, help=_h(lang, "recipient"))
    p.add_argument("--purpose", choices=PURPOSES, default=DEFAULT_PURPOSE, help=_h(lang, "purpose"))
    p.set_defaults(func=_cmd_assess)

    p = command("schema")
    p.add_argument("--out", type=Path, metavar="DIR", help=_h(lang, "schema.out"))
    p.add_argument("--name", choices=SCHEMA_NAMES, help=_h(lang, "schema.name"))
    p.set_defaults(func=_cmd_schema, schema_parser=p)

    p = command("test")
    p.add_argument("paths", nargs="*", metavar="PATH", help=_h(lang, "test.paths"))
    p.set_defaults(func=_cmd_test)

    p = command("demo")
    p.add_argument("--as-of", type=_date_type(lang), metavar="DATE", help=_h(lang, "demo.as_of"))
    p.set_defaults(func=_cmd_demo)

    p = command("privacy")
    p.set_defaults(func=_cmd_privacy_usage, privacy_parser=p)
    privacy = p.add_subparsers(dest="privacy_command", title=_h(lang, "privacy.commands"),
                               metavar="SOTTOCOMANDO" if lang == "it" else "SUBCOMMAND")

    def subcommand(name: str, func: Any) -> argparse.ArgumentParser:
        key = f"privacy.{name}"
        q = privacy.add_parser(name, help=_h(lang, key), description=_h(lang, key), parents=[after], add_help=False)
        q.add_argument("-h", "--help", action="help", help=_h(lang, "help"))
        q.set_defaults(func=func)
        return q

    q = subcommand("flows", _cmd_privacy_flows)
    q.add_argument("--territory", metavar="ID", required=True, help=_h(lang, "privacy.flows.territory"))
    q = subcommand("view", _cmd_privacy_view)
    q.add_argument("case", metavar="CASE", type=Path, help=_h(lang, "privacy.view.case"))
    q.add_argument("--territory", metavar="ID", help=_h(lang, "assess.territory"))
    q.add_argument("--recipient", metavar="KIND", required=True, help=_h(lang, "recipient"))
    q.add_argument("--purpose", choices=PURPOSES, required=True, help=_h(lang, "purpose"))
    q.add_argument("--as-of", type=_date_type(lang), metavar="DATE", help=_h(lang, "privacy.view.as_of"))
    q = subcommand("history", _cmd_privacy_history)
    q.add_argument("case_id", metavar="CASE_ID", help=_h(lang, "privacy.history.case_id"))
    q = subcommand("verify", _cmd_privacy_verify)
    q.add_argument("file", metavar="FILE", type=Path, help=_h(lang, "privacy.verify.file"))
    return parser


# --------------------------------------------------------------------------- helpers


def _out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _emit_json(data: Any, *, pretty: bool = True) -> None:
    if pretty:
        _out(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        _out(json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str))
    sys.stdout.flush()


class _NoticeAudit:
    """An in-memory audit that says once, on stderr, that its records will not be kept."""

    def __init__(self, inner: AuditLog, lang: str) -> None:
        self.inner = inner
        self.lang = lang
        self.told = False

    def append(self, record: AuditRecord) -> None:
        if not self.told:
            self.told = True
            _err(_m(self.lang, "no_audit"))
        self.inner.append(record)

    def records(self, case_id: str | None = None) -> list[AuditRecord]:
        return self.inner.records(case_id)


def _engine(args: argparse.Namespace, extra: Sequence[Path] = (), *, notice: bool = True) -> Engine:
    """
    The engine for a command: configuration directories, and the audit of ``--audit``
    (a JSON Lines file) or an in-memory one that warns, at the first disclosure, that its
    records are lost (``notice=False``: the demo, which discloses only example cases).
    """
    from ._audit import JsonlAuditLog, MemoryAuditLog
    from ._engine import Engine
    from ._errors import ErrorDetail, InputError

    dirs = [*args.config_dir, *extra]
    for d in args.config_dir:
        if not d.is_dir():
            raise InputError(str(d), [ErrorDetail("$", _m(args.lang, "no_config_dir"), str(d), "config-dir")])
    path = getattr(args, "audit", None)
    audit: AuditLog
    if path is not None:
        audit = JsonlAuditLog(path, key=_audit_key(args.lang))
    else:
        audit = _NoticeAudit(MemoryAuditLog(), args.lang) if notice else MemoryAuditLog()
    return Engine(config_dirs=dirs, audit=audit)


def _audit_key(lang: str) -> bytes | None:
    """
    The audit's HMAC key, from the file named by ``INCLUSIONE_AUDIT_KEY_FILE`` (its bytes,
    without a final line ending); ``None`` when the variable is not set.
    """
    from ._errors import ErrorDetail, InputError

    name = os.environ.get(AUDIT_KEY_ENV, "")
    if not name:
        return None
    try:
        key = Path(name).read_bytes().rstrip(b"\r\n")
    except OSError as exc:
        problem = _m(lang, "key_unreadable", env=AUDIT_KEY_ENV, exc=exc.strerror or exc)
        raise InputError(name, [ErrorDetail("$", problem, rule="audit-key")]) from None
    if len(key) < MIN_AUDIT_KEY_BYTES:
        problem = _m(lang, "key_short", env=AUDIT_KEY_ENV, n=len(key), min=MIN_AUDIT_KEY_BYTES)
        raise InputError(name, [ErrorDetail("$", problem, rule="audit-key")])
    return key


def _check_recipient(engine: Engine, territory: str, kind: str, lang: str) -> None:
    """A recipient kind the territory's privacy configuration does not know is an input error."""
    from ._errors import ErrorDetail, InputError

    known = engine.territory(territory).section("privacy", "recipients")
    if kind not in known:
        message = _m(lang, "unknown_recipient", territory=territory, known=", ".join(sorted(known)) or "—")
        raise InputError("--recipient", [ErrorDetail("$", message, kind, "recipient")])


def _view_json(view: View) -> dict[str, Any]:
    """
    The parts of a view that go out with it: recipient, purpose, date, what was disclosed,
    and the categories not disclosed (whatever the case holds: the paths withheld would
    themselves reveal the data, so they stay in the audit).
    """
    return {
        "case_id": view.case_id,
        "territory": view.territory,
        "recipient": view.recipient.kind,
        "purpose": view.purpose.value,
        "as_of": view.as_of.isoformat(),
        "at": None if view.at is None else view.at.isoformat(timespec="seconds"),
        "disclosed": [
            {"category": d.category, "basis": d.basis, "flow": d.flow, "legal_basis": str(d.legal_basis),
             "consents": list(d.consents), "members": list(d.members), "whole": d.whole}
            for d in view.disclosed
        ],
        "not_disclosed": [
            {"category": w.category, "reason_it": w.reason_it, "reason_en": w.reason_en}
            for w in view.not_disclosed
        ],
        "masked": list(view.masked),
    }


def _detail_json(d: ErrorDetail) -> dict[str, Any]:
    value = None if d.rule == "required" else d.value
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        value = repr(value)
    return {"path": d.path, "message": d.message, "value": value, "rule": d.rule}


def _error_json(exc: InclusioneError) -> dict[str, Any]:
    from ._errors import InputError
    from ._render import input_title

    out: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, InputError):
        out.update(source=exc.source, title=input_title(exc, "it"), details=[_detail_json(d) for d in exc.details])
    return out


def _json_error_detail(exc: json.JSONDecodeError, lang: str, *, one_line: bool = False) -> ErrorDetail:
    from ._errors import ErrorDetail

    if one_line:  # the source already names the line (``file:n``)
        return ErrorDetail("$", _m(lang, "json_bad_col", col=exc.colno, msg=exc.msg), rule="json")
    return ErrorDetail("$", _m(lang, "json_bad", line=exc.lineno, col=exc.colno, msg=exc.msg), rule="json")


def _read_json_file(path: Path, lang: str) -> Any:
    """A JSON document from a file; a missing file or bad JSON is an InputError naming it."""
    from ._errors import ErrorDetail, InputError

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), [ErrorDetail("$", _m(lang, "no_file"), rule="file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), [ErrorDetail("$", _m(lang, "io", exc=exc), rule="file")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), [_json_error_detail(exc, lang)]) from None


# --------------------------------------------------------------------------- territories


def _plugin_rows(engine: Engine) -> list[dict[str, Any]]:
    from ._plugins import _VERSIONS, CORE, _module_version, core_version

    rows: dict[str, dict[str, Any]] = {}
    for name, plugin in engine.hooks.pm.list_name_plugin():
        if plugin is None:
            continue
        if name.startswith(CORE):
            dist, version, key = CORE, core_version(), CORE
        else:
            dist, version = _VERSIONS.get(name, (name, _module_version(plugin)))
            key = name
        row = rows.setdefault(key, {"name": key, "distribution": dist, "version": version,
                                    "core": key == CORE, "territories": []})
        row["territories"] += [t for t, _d in engine.hooks.registered.get(name, [])]
    return sorted(rows.values(), key=lambda r: (not r["core"], r["name"]))


def _cmd_territories(args: argparse.Namespace) -> int:
    from ._errors import InclusioneError
    from ._render import error_report

    lang = args.lang
    engine = _engine(args)
    plugins = _plugin_rows(engine)
    rows: list[dict[str, Any]] = []
    failed = False
    for info in engine.territories():
        row: dict[str, Any] = {"id": info.id, "provided_by": info.provided_by, "directory": str(info.directory)}
        try:
            terr = engine.territory(info.id)
        except InclusioneError as exc:
            failed = True
            row["error"] = _error_json(exc)
            row["error_text"] = error_report(exc, lang)
            rows.append(row)
            continue
        label = terr.data.get("label", {})
        row.update(
            label=label, level=terr.data.get("level"), extends=list(terr.lineage[1:]),
            lineage=list(terr.lineage), digest=terr.digest,
            layers=[{"territory": la.territory, "file": la.file, "sha256": la.sha256} for la in terr.layers],
            examples=len(terr.examples()), scenarios=len(terr.scenario_files()),
        )
        rows.append(row)
    if args.json:
        for row in rows:
            row.pop("error_text", None)
        _emit_json({"plugins": plugins, "territories": rows})
        return EXIT_INVALID if failed else EXIT_OK

    _out(f"{_m(lang, 'plugins')}:")
    for p in plugins:
        kind = f" ({_m(lang, 'core')})" if p["core"] else ""
        provides = ", ".join(p["territories"]) or "—"
        _out(f"  {p['distribution']} {p['version']}{kind} — {_m(lang, 'provides')}: {provides}")
    _out()
    _out(f"{_m(lang, 'territories')}:")
    for row in rows:
        if "error" in row:
            _out(f"  {row['id']} — {_m(lang, 'invalid')}")
            for line in row["error_text"].splitlines():
                _out(f"      {line}")
            _out(f"      {_m(lang, 'by')}: {row['provided_by']} · {_m(lang, 'dir')}: {row['directory']}")
            continue
        label = row["label"].get(lang) or row["label"].get("it") or row["id"]
        _out(f"  {row['id']} — {label} [{row['level']}]")
        _out(f"      {_m(lang, 'chain')}: {' -> '.join(row['lineage'])}")
        _out(f"      {_m(lang, 'by')}: {row['provided_by']}")
        _out(f"      {_m(lang, 'dir')}: {row['directory']}")
        _out(f"      {_m(lang, 'digest')}: {row['digest']}")
        _out(f"      {_m(lang, 'counts', examples=row['examples'], scenarios=row['scenarios'])}")
    return EXIT_INVALID if failed else EXIT_OK


# --------------------------------------------------------------------------- validate


class _Report:
    """The validation report of one input (a file, a line, an example...)."""

    def __init__(self, source: str, kind: str, lang: str) -> None:
        self.source = source
        self.kind = kind
        self.lang = lang
        self.errors: list[InclusioneError] = []
        self.warnings: list[str] = []

    @property
    def valid(self) -> bool:
        return not self.errors


def _yaml_kind(path: Path) -> str:
    if path.name == "territory.yaml":
        return "territory"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return "unknown"
    if any(line.startswith("scenarios:") for line in lines):
        return "scenario"
    if any(line.startswith(("level:", "extends:")) for line in lines):
        return "territory"
    return "unknown"


def _file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "cases"
    if suffix == ".json":
        return "case"
    if suffix in YAML_SUFFIXES:
        return _yaml_kind(path)
    return "unknown"


def _check_case(engine: Engine, data: Any, source: str, report: _Report) -> None:
    from ._errors import InclusioneError

    try:
        case = engine.load_case(data, source)
        if case.territory in engine.index.ids():
            engine.check(case)  # codes, members and dates against the territory's configuration
    except InclusioneError as exc:
        report.errors.append(exc)
        return
    if case.territory not in engine.index.ids():
        report.warnings.append(_m(report.lang, "unknown_territory", territory=case.territory))


def _validate_path(engine: Engine, args: argparse.Namespace, path: Path) -> list[_Report]:
    from ._errors import ErrorDetail, InclusioneError, InputError

    lang = args.lang
    kind = _file_kind(path)
    report = _Report(str(path), kind, lang)
    reports = [report]
    if not path.exists():
        report.errors.append(InputError(str(path), [ErrorDetail("$", _m(lang, "no_file"), rule="file")]))
        return reports
    if kind == "unknown":
        report.errors.append(InputError(str(path), [ErrorDetail("$", _m(lang, "unknown_kind"), path.suffix, "kind")]))
        return reports
    try:
        if kind == "case":
            _check_case(engine, _read_json_file(path, lang), str(path), report)
        elif kind == "cases":
            for source, data, error in _iter_lines(path.open(encoding="utf-8"), str(path), lang):
                if error is not None:
                    report.errors.append(error)
                else:
                    _check_case(engine, data, source, report)
        elif kind == "scenario":
            reports += _validate_scenarios(engine, path, report)
        else:
            reports += _validate_territory(args, path, report)
    except InclusioneError as exc:
        report.errors.append(exc)
    except (OSError, UnicodeDecodeError) as exc:
        report.errors.append(InputError(str(path), [ErrorDetail("$", _m(lang, "io", exc=exc), rule="file")]))
    return reports


def _validate_scenarios(engine: Engine, path: Path, report: _Report) -> list[_Report]:
    from ._errors import InclusioneError
    from ._scenarios import load_scenarios

    for scenario in load_scenarios(path):  # ScenarioFileError: caught by the caller
        try:
            engine.load_case(scenario.case, scenario.case_source)
        except InclusioneError as exc:
            report.errors.append(exc)
    return []


def _validate_territory(args: argparse.Namespace, path: Path, report: _Report) -> list[_Report]:
    from ._config import read_layer

    lang = args.lang
    if path.name != "territory.yaml":
        read_layer(path)
        report.warnings.append(_m(lang, "layer_only"))
        return []
    engine = _engine(args, extra=[path.resolve().parent.parent])
    terr = engine.territory(path.resolve().parent.name)
    extra: list[_Report] = []
    for file in dict.fromkeys(file for file, _as_of, _title in terr.examples()):  # a file may serve twice
        sub = _Report(str(file), "example", lang)
        extra.append(sub)
        try:
            _check_case(engine, _read_json_file(file, lang), str(file), sub)
        except Exception as exc:
            _append_error(sub, exc)
    for file in terr.scenario_files():
        sub = _Report(str(file), "scenario", lang)
        extra.append(sub)
        try:
            _validate_scenarios(engine, file, sub)
        except Exception as exc:
            _append_error(sub, exc)
    return extra


def _append_error(report: _Report, exc: Exception) -> None:
    from ._errors import InclusioneError

    if not isinstance(exc, InclusioneError):
        raise exc
    report.errors.append(exc)


def _cmd_validate(args: argparse.Namespace) -> int:
    from ._render import error_report

    lang = args.lang
    engine = _engine(args)
    reports: list[_Report] = []
    for path in args.files:
        reports += _validate_path(engine, args, path)
    bad = [r for r in reports if not r.valid]
    if args.json:
        _emit_json({
            "valid": not bad,
            "files": [
                {"file": r.source, "kind": r.kind, "valid": r.valid, "warnings": r.warnings,
                 "errors": [_error_json(e) for e in r.errors]}
                for r in reports
            ],
        })
    else:
        for r in reports:
            kind = _m(lang, f"kind.{r.kind}")
            if r.valid:
                _out(f"{_m(lang, 'ok')}  {r.source} ({kind})")
            else:
                _out(f"{_m(lang, 'invalid')}  {r.source} ({kind})")
                for exc in r.errors:
                    for line in error_report(exc, lang).splitlines():
                        _out(f"    {line}")
            for w in r.warnings:
                _out(f"    {_m(lang, 'warning')}: {w}")
        if len(reports) > 1:
            _out(_m(lang, "summary", n=len(reports), ok=len(reports) - len(bad), bad=len(bad)))
    return EXIT_INVALID if bad else EXIT_OK


# --------------------------------------------------------------------------- assess


def _iter_lines(
    stream: Any, name: str, lang: str, first: tuple[int, str] | None = None
) -> Iterator[tuple[str, Any, InclusioneError | None]]:
    """JSON Lines, one case per line: ``(source, data, error)``; blank lines are skipped."""
    from ._errors import InputError

    def parse(n: int, line: str) -> tuple[str, Any, InclusioneError | None]:
        source = f"{name}:{n}"
        try:
            return source, json.loads(line), None
        except json.JSONDecodeError as exc:
            return source, None, InputError(source, [_json_error_detail(exc, lang, one_line=True)])

    with stream:
        if first is not None:
            yield parse(*first)
        start = first[0] + 1 if first is not None else 1
        for n, line in enumerate(stream, start):
            if line.strip():
                yield parse(n, line)


def _iter_cases(spec: str, lang: str) -> Iterator[tuple[str, Any, InclusioneError | None]]:
    """
    The cases named on the command line: ``(source, data, error)`` one at a time.

    ``.jsonl``/``.ndjson`` files are read line by line; a ``.json`` file holds one case;
    stdin (``-``) and other files are JSON Lines when their first line is a whole JSON
    object, one JSON document (one case) otherwise.
    """
    from ._errors import ErrorDetail, InputError

    if spec == "-":
        name, stream = "<stdin>", sys.stdin
        mode = "sniff"
    else:
        path = Path(spec)
        name = str(path)
        suffix = path.suffix.lower()
        mode = "lines" if suffix in JSONL_SUFFIXES else "document" if suffix == ".json" else "sniff"
        try:
            stream = path.open(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(name, [ErrorDetail("$", _m(lang, "no_file"), rule="file")]) from None
        except OSError as exc:
            raise InputError(name, [ErrorDetail("$", _m(lang, "io", exc=exc), rule="file")]) from None

    if mode == "lines":
        yield from _iter_lines(stream, name, lang)
        return
    first: tuple[int, str] | None = None
    head: list[str] = []
    if mode == "sniff":
        for n, line in enumerate(stream, 1):
            head.append(line)
            if line.strip():
                first = (n, line)
                break
        if first is not None:
            try:
                looks_like_line = isinstance(json.loads(first[1]), dict)
            except json.JSONDecodeError:
                looks_like_line = False
            if looks_like_line:
                yield from _iter_lines(stream, name, lang, first)
                return
    with stream:
        text = "".join(head) + stream.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield name, None, InputError(name, [_json_error_detail(exc, lang)])
        return
    yield name, data, None


def _cmd_assess(args: argparse.Namespace) -> int:
    import datetime as dt

    from ._errors import ConfigurationError, InclusioneError
    from ._models import Result
    from ._render import error_report, result_text

    lang = args.lang
    engine = _engine(args)
    as_of = args.as_of or dt.date.today()
    total = failed = 0
    streaming = args.case == "-" or Path(args.case).suffix.lower() != ".json"
    for source, data, error in _iter_cases(args.case, lang):
        total += 1
        try:
            if error is not None:
                raise error
            case = engine.load_case(data, source)
            result = engine.assess(case, as_of=as_of, territory=args.territory)
            _check_recipient(engine, result.territory, args.recipient, lang)
            # the only way out: the view of the result for the recipient (audited)
            view = engine.disclose_result(result, case, recipient=args.recipient, purpose=args.purpose, channel="cli")
        except ConfigurationError:
            raise  # the configuration, not this case: stop here
        except InclusioneError as exc:
            failed += 1
            _err(error_report(exc, lang))
            if args.json:
                _emit_json({"source": source, "error": _error_json(exc)}, pretty=False)
            continue
        if args.json:
            _emit_json({"result": view.data, **_view_json(view)}, pretty=not streaming)
        else:
            if total > 1:
                _out()
                _out("-" * 100)
            shown = engine.converter.structure(view.data, Result)
            _out(result_text(shown, engine.territory(result.territory), lang, view=view))
            sys.stdout.flush()
    if failed:
        if total > 1:
            _err(_m(lang, "some_failed", n=failed, total=total))
        return EXIT_INVALID
    return EXIT_OK


# --------------------------------------------------------------------------- schema


def _schema_text(name: str) -> str:
    """A schema's text: the generated ones (case, result, view) from the models now, the others as shipped."""
    from ._schema import GENERATED, generate_schema, schema_text

    if name in GENERATED:
        return json.dumps(generate_schema(name), ensure_ascii=False, indent=2) + "\n"
    return schema_text(name)


def _cmd_schema(args: argparse.Namespace) -> int:
    """
    ``--name NAME``: that schema on stdout; ``--out DIR``: every schema (or only NAME) written
    to DIR as ``NAME.schema.json``; neither: the usage and the names on stderr, exit 2.
    """
    from ._errors import ErrorDetail, InputError

    lang = args.lang
    if args.out is None:
        if args.name is None:
            args.schema_parser.print_usage(sys.stderr)
            _err(_m(lang, "schema_usage", names=", ".join(SCHEMA_NAMES)))
            return EXIT_INVALID
        sys.stdout.write(_schema_text(args.name))
        return EXIT_OK
    names = [args.name] if args.name else list(SCHEMA_NAMES)
    out: Path = args.out
    written: list[str] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            target = out / f"{name}.schema.json"
            target.write_text(_schema_text(name), encoding="utf-8")
            written.append(str(target))
    except OSError as exc:
        problem = _m(lang, "io", exc=exc.strerror or exc)
        raise InputError(str(out), [ErrorDetail("$", problem, str(out), "file")]) from None
    if args.json:
        _emit_json({"written": written})
    else:
        for w in written:
            _out(_m(lang, "written", path=w))
    return EXIT_OK


# --------------------------------------------------------------------------- test


def _scenario_files(engine: Engine, args: argparse.Namespace) -> list[Path]:
    from ._errors import ErrorDetail, InputError
    from ._scenarios import looks_like_scenario_file

    lang = args.lang
    files: list[Path] = []
    if not args.paths:
        for info in engine.territories():
            files += engine.territory(info.id).scenario_files()
    for spec in args.paths:
        path = Path(spec)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and looks_like_scenario_file(f))
            if not found:
                raise InputError(spec, [ErrorDetail("$", _m(lang, "no_scenarios_in", path=spec), spec, "scenarios")])
            files += found
        elif spec in engine.index.ids():
            files += engine.territory(spec).scenario_files()
        else:
            known = ", ".join(engine.index.ids())
            raise InputError(spec, [ErrorDetail("$", _m(lang, "not_a_path", path=spec, known=known), spec, "path")])
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _cmd_test(args: argparse.Namespace) -> int:
    from ._errors import InclusioneError
    from ._render import error_report
    from ._scenarios import load_scenarios, run_scenario

    lang = args.lang
    engine = _engine(args)
    files = _scenario_files(engine, args)
    passed = failed = errors = 0
    invalid_files = 0
    report: list[dict[str, Any]] = []
    for file in files:
        entry: dict[str, Any] = {"file": str(file), "error": None, "scenarios": []}
        report.append(entry)
        if not args.json:
            _out(str(file))
        try:
            scenarios = load_scenarios(file)
        except InclusioneError as exc:
            invalid_files += 1
            entry["error"] = _error_json(exc)
            if not args.json:
                for line in error_report(exc, lang).splitlines():
                    _out(f"  {line}")
            continue
        for scenario in scenarios:
            try:
                outcome = run_scenario(engine, scenario, lang=lang)
            except InclusioneError as exc:
                errors += 1
                entry["scenarios"].append({"name": scenario.name, "passed": False, "mismatches": [],
                                           "error": _error_json(exc)})
                if not args.json:
                    _out(f"  ! {scenario.name}")
                    for line in error_report(exc, lang).splitlines():
                        _out(f"      {line}")
                continue
            entry["scenarios"].append({"name": outcome.name, "passed": outcome.passed,
                                       "mismatches": outcome.mismatches, "error": None})
            if outcome.passed:
                passed += 1
            else:
                failed += 1
            if not args.json:
                _out(f"  {'✓' if outcome.passed else '✗'} {outcome.name}")
                for m in outcome.mismatches:
                    _out(f"      - {m}")
    summary = {"passed": passed, "failed": failed, "errors": errors, "invalid_files": invalid_files}
    if args.json:
        _emit_json({"files": report, **summary})
    elif not files:
        _out(_m(lang, "no_scenarios"))
    else:
        _out()
        line = _m(lang, "test_summary", n=passed + failed + errors, passed=passed, failed=failed, errors=errors)
        if invalid_files:
            line += "; " + _m(lang, "invalid_files", invalid=invalid_files)
        _out(line)
    if errors or invalid_files:
        return EXIT_INVALID
    return EXIT_FAILED if failed else EXIT_OK


# --------------------------------------------------------------------------- demo


def _cmd_demo(args: argparse.Namespace) -> int:
    from ._errors import InclusioneError
    from ._models import Result
    from ._render import error_report, result_text

    lang = args.lang
    engine = _engine(args, notice=False)
    shown = 0
    bad = False
    for info in engine.territories():
        try:
            terr = engine.territory(info.id)
        except InclusioneError as exc:
            bad = True
            _err(error_report(exc, lang))
            continue
        for file, as_of, title in terr.examples():
            when = args.as_of or as_of
            try:
                case = engine.load_case(_read_json_file(file, lang), str(file))
                result = engine.assess(case, as_of=when, territory=info.id)
            except InclusioneError as exc:
                bad = True
                _err(error_report(exc, lang))
                continue
            view = engine.disclose_result(result, case, recipient=DEFAULT_RECIPIENT, purpose=DEFAULT_PURPOSE,
                                          channel="demo")
            shown += 1
            if args.json:
                _emit_json({"territory": info.id, "example": title, "file": str(file),
                            "result": view.data, **_view_json(view)}, pretty=False)
                continue
            if shown > 1:
                _out()
            heading = f"### {_m(lang, 'example')} — {terr.label if lang == 'it' else info.id}: {title or file.name}"
            _out(heading)
            _out(f"    ({file})")
            _out()
            _out(result_text(engine.converter.structure(view.data, Result), terr, lang, view=view))
            sys.stdout.flush()
    if not shown and not bad and not args.json:
        _out(_m(lang, "no_examples"))
    return EXIT_INVALID if bad else EXIT_OK


# --------------------------------------------------------------------------- privacy


def _cmd_privacy_usage(args: argparse.Namespace) -> int:
    """``inclusione privacy`` without a subcommand: its help on stderr, exit 2."""
    args.privacy_parser.print_help(sys.stderr)
    return EXIT_INVALID


def _cmd_privacy_flows(args: argparse.Namespace) -> int:
    from ._privacy import Policy
    from ._render import flows_text

    engine = _engine(args)
    terr = engine.territory(args.territory)
    rows = Policy(terr).table()
    if args.json:
        _emit_json({"territory": terr.id, "config_digest": terr.digest, "flows": rows})
    else:
        _out(flows_text(rows, terr, args.lang))
    return EXIT_OK


def _cmd_privacy_view(args: argparse.Namespace) -> int:
    import datetime as dt

    from ._render import view_text

    lang = args.lang
    engine = _engine(args)
    case = engine.load_case(_read_json_file(args.case, lang), str(args.case))
    territory = args.territory or case.territory
    _check_recipient(engine, territory, args.recipient, lang)
    view = engine.disclose_case(case, recipient=args.recipient, purpose=args.purpose,
                                as_of=args.as_of or dt.date.today(), channel="cli", territory=territory)
    if args.json:
        _emit_json({**_view_json(view), "data": view.data})
    else:
        _out(view_text(view, engine.territory(territory), lang))
    return EXIT_OK


def _audit_file(path: Path | None, lang: str) -> Path:
    """An audit file named on the command line; it must exist (a mistyped path must not answer "nobody saw")."""
    from ._errors import ErrorDetail, InputError

    if path is None:
        raise InputError("--audit", [ErrorDetail("$", _m(lang, "history_needs_audit"), rule="audit")])
    if not path.is_file():
        raise InputError(str(path), [ErrorDetail("$", _m(lang, "no_file"), str(path), "file")])
    return path


def _problem_text(p: AuditProblem, lang: str, *, where: bool = True) -> str:
    """One problem of an audit file, in words: where, what, expected and found."""
    text = _m(lang, f"kind.{p.kind}", env=AUDIT_KEY_ENV)
    if p.expected is not None or p.found is not None:
        text += f" ({_m(lang, 'expected_found', expected=_short_hash(p.expected), found=_short_hash(p.found))})"
    if p.detail and p.kind in ("bad_json", "not_a_record", "torn", "head_invalid"):
        text += f": {p.detail}"
    if not where:
        return text
    return f"{_m(lang, 'line', line=p.line) if p.line is not None else _m(lang, 'head')}: {text}"


def _short_hash(value: str | None) -> str:
    if value is None:
        return "—"
    return value[:16] + "…" if len(value) == 64 else value


def _cmd_privacy_history(args: argparse.Namespace) -> int:
    import attrs

    from ._audit import JsonlAuditLog
    from ._errors import ErrorDetail, InputError
    from ._render import history_text

    lang = args.lang
    if args.audit is None:
        _err(_m(lang, "history_needs_audit"))
        return EXIT_INVALID
    audit = _audit_file(args.audit, lang)
    log = JsonlAuditLog(audit)
    records, bad = log.read(args.case_id)  # every good line; the bad ones named, not fatal
    if bad and not records and not log.read()[0]:  # not one line is an audit record: not an audit file
        problem = _m(lang, "bad_audit", exc="; ".join(_problem_text(p, lang) for p in bad[:3]))
        raise InputError(str(audit), [ErrorDetail("$", problem, rule="audit")])
    if bad:
        _err(f"{_m(lang, 'warning')}: {_m(lang, 'bad_lines', n=len(bad), audit=audit)}")
        for p in bad:
            _err(f"  {_problem_text(p, lang)}")
    if args.json:
        _emit_json({"case_id": args.case_id, "audit": str(audit),
                    "records": [attrs.asdict(r) for r in records],
                    "bad_lines": [attrs.asdict(p) for p in bad]})
    else:
        _out(history_text(records, args.case_id, str(audit), lang))
    return EXIT_OK


def _cmd_privacy_verify(args: argparse.Namespace) -> int:
    import attrs

    from ._audit import verify_audit

    lang = args.lang
    report = verify_audit(_audit_file(args.file, lang), _audit_key(lang))
    if args.json:
        _emit_json({**attrs.asdict(report), "ok": report.ok, "bad_lines": list(report.bad_lines),
                    "first_problem": attrs.asdict(report.first_problem) if report.first_problem else None})
        return EXIT_OK if report.ok else EXIT_INVALID
    title = _m(lang, "verify_title", path=args.file)
    lines = [title, "=" * min(len(title), 100),
             "  " + _m(lang, "verify_counts", lines=report.lines, records=report.records,
                       last="—" if report.last_seq is None else report.last_seq,
                       head="—" if report.head_seq is None else report.head_seq),
             "  " + _m(lang, "verify_keyed" if report.keyed else "verify_unkeyed", env=AUDIT_KEY_ENV)]
    first = report.first_problem
    lines.append("  " + (_m(lang, "verify_ok") if first is None else
                         _m(lang, "verify_broken", where=_problem_text(first, lang))))
    for key, items in (("verify_problems", report.problems), ("verify_warnings", report.warnings)):
        if items:
            lines.append("  " + _m(lang, key, n=len(items)))
            lines += [f"    {_problem_text(p, lang)}" for p in items]
    _out("\n".join(lines))
    return EXIT_OK if report.ok else EXIT_INVALID


# --------------------------------------------------------------------------- main


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return EXIT_OK
    return code if isinstance(code, int) else EXIT_INVALID


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the ``inclusione`` command; return the exit status (never raises on bad input).

    :param argv: the arguments (default: ``sys.argv[1:]``).
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    lang = _prescan_lang(args_list)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # exotic streams: leave them be
                reconfigure(errors="replace")
    parser = build_parser(lang)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:
        return _exit_code(exc)
    lang = args.lang = getattr(args, "lang", lang)
    args.config_dir = [*args.config_dir, *getattr(args, "config_dir_after", [])]
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_INVALID
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warning_printer(lang)
            code: int = args.func(args)
    except KeyboardInterrupt:
        _err(_m(lang, "interrupted"))
        return 130
    except BrokenPipeError:  # e.g. `inclusione assess many.jsonl | head`: the run did not finish
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        return _report_exception(exc, args)
    return code


def _warning_printer(lang: str) -> Any:
    """Show the audit's warnings as the command's own (``avviso: ...``), others as Python does."""
    default = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None,
             line: str | None = None) -> None:
        if category.__name__ == "AuditWarning":
            _err(f"{_m(lang, 'warning')}: {message}")
        else:
            default(message, category, filename, lineno, file, line)

    return show


def _report_exception(exc: Exception, args: argparse.Namespace) -> int:
    from ._errors import InclusioneError
    from ._render import error_report

    lang = args.lang
    if isinstance(exc, InclusioneError):
        _err(error_report(exc, lang))
        if args.json:
            _emit_json({"error": _error_json(exc)})
        return EXIT_INVALID
    if isinstance(exc, OSError):
        _err(_m(lang, "io", exc=exc))
        return EXIT_INVALID
    if os.environ.get("INCLUSIONE_DEBUG", "") not in ("", "0"):
        raise exc
    _err(_m(lang, "internal", kind=type(exc).__name__, exc=exc))
    return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
