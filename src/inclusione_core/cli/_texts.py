"""
The command line's own texts (help, messages), in Italian and English.

Italian is the default; a key missing in a language falls back to Italian. A test checks
that every key exists in both.
"""

from __future__ import annotations

from typing import Any

_HELP: dict[str, dict[str, str]] = {
    "it": {
        "format": "formato dei risultati: text (predefinito), markdown, json, jsonl (come --json), csv, o uno "
        "registrato da un plugin",
        "description": "Servizi sociali e Centri per l'Impiego sullo stesso caso: valuta, instrada, "
        "compone l'equipe e spiega ogni decisione con la sua fonte.",
        "epilog": "Stato di uscita: 0 ok, 1 scenari falliti, 2 input non valido, 3 errore interno "
        "(INCLUSIONE_DEBUG=1 mostra i dettagli), 141 output interrotto (pipe chiusa). La lingua "
        "predefinita si imposta anche con INCLUSIONE_LANG=en.",
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
        "ricevere (predefinito: ssp, il servizio sociale titolare del caso); se indicato, gli errori non "
        "riportano alcun valore del caso",
        "limit": "limite sull'input, NOME=VALORE (ripetibile): max_case_bytes, max_file_bytes, max_depth, "
        "max_string, max_items, max_int_digits, min_date, max_date, max_yaml_aliases, max_yaml_nodes",
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
        "format": "output format of the results: text (default), markdown, json, jsonl (as --json), csv, or one "
        "a plugin registers",
        "description": "Social services and employment centres working one case together: assess, "
        "route, compose the team and explain every decision with its source.",
        "epilog": "Exit status: 0 ok, 1 scenarios failed, 2 invalid input, 3 internal error "
        "(INCLUSIONE_DEBUG=1 shows details), 141 output cut short (closed pipe). The default "
        "language can also be set with INCLUSIONE_LANG=en.",
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
        "are shown (default: ssp, the social service holding the case); when given, errors carry no value "
        "of the case",
        "limit": "limit on input, NAME=VALUE (repeatable): max_case_bytes, max_file_bytes, max_depth, "
        "max_string, max_items, max_int_digits, min_date, max_date, max_yaml_aliases, max_yaml_nodes",
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
        "unknown_schema": "schema sconosciuto; pubblicati: {known}",
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
        "batch_summary": "casi letti: {total}; valutati: {ok}; non valutati: {failed}",
        "bad_limit": "limite non valido: {problem}",
        "internal_line": "errore interno di inclusione_core ({kind}) su questo caso: gli altri casi sono valutati; "
        "segnalalo allegando il comando e il file. INCLUSIONE_DEBUG=1 mostra i dettagli.",
        "no_audit": "avviso: le comunicazioni di dati sono registrate solo in memoria e andranno perse alla "
        "fine del comando; usa --audit FILE (o INCLUSIONE_AUDIT) per conservarle",
        "history_needs_audit": "lo storico delle comunicazioni si legge dal file di audit: indica --audit FILE "
        "o la variabile INCLUSIONE_AUDIT",
        "bad_audit": "file di audit non leggibile ({exc}): attesi record JSON Lines scritti da inclusione",
        "unknown_recipient": "destinatario {kind} non previsto dalla configurazione privacy del territorio "
        "{territory} (previsti: {known})",
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
        "unknown_schema": "unknown schema; published: {known}",
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
        "batch_summary": "cases read: {total}; assessed: {ok}; not assessed: {failed}",
        "bad_limit": "invalid limit: {problem}",
        "internal_line": "inclusione_core internal error ({kind}) on this case: the other cases are assessed; please "
        "report it with the command and the file. INCLUSIONE_DEBUG=1 shows the details.",
        "no_audit": "warning: disclosures of data are recorded in memory only and will be lost when the "
        "command ends; use --audit FILE (or INCLUSIONE_AUDIT) to keep them",
        "history_needs_audit": "the disclosure history is read from the audit file: give --audit FILE or the "
        "INCLUSIONE_AUDIT variable",
        "bad_audit": "unreadable audit file ({exc}): expected JSON Lines records written by inclusione",
        "unknown_recipient": "recipient {kind} not provided for by the privacy configuration of territory "
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


def help_text(lang: str, key: str) -> str:
    """A help text of the parser."""
    return _HELP.get(lang, _HELP["it"]).get(key) or _HELP["it"][key]


def message(lang: str, key: str, **kw: Any) -> str:
    """A message of the command line, with its placeholders filled."""
    text = _MSG.get(lang, _MSG["it"]).get(key) or _MSG["it"][key]
    return text.format(**kw) if kw else text
