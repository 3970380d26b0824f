"""
Messages in Italian and English: the gettext catalogues, the deferred messages, and the
errors, reasons and argparse texts in each language.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gettext
import importlib.util
import json
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from samples import italia_case

from inclusione_core import ErrorDetail, InputError, PluginError, TerritoryNotFoundError
from inclusione_core.cli import main
from inclusione_core.i18n import CORE, LANGS, N_, Catalog, Message, message_of, text, translate, translate_in
from inclusione_core.render import error_text

ROOT = Path(__file__).resolve().parent.parent
Run = Callable[..., tuple[int, str, str]]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("messages", ROOT / "tools" / "messages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("messages", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``inclusione ARGS...`` in-process; return (exit status, stdout, stderr)."""

    def _run(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return _run


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the catalogues


def test_catalogues_are_complete_current_and_compiled() -> None:
    """Every marked msgid has a non-fuzzy translation in it and en, with its placeholders, and each .mo is its .po."""
    problems = list(_tool().problems())
    assert problems == [], "\n".join(problems)


def test_every_msgid_reads_in_both_languages_at_run_time() -> None:
    """The compiled catalogues the library reads give a non-empty text for every msgid of the Italian .po."""
    tool = _tool()
    for domain in tool.DOMAINS:
        with domain.po("it").open("rb") as fp:
            ids = [m.id for m in tool.read_po(fp) if m.id]
        assert ids
        for lang in LANGS:
            with domain.mo(lang).open("rb") as fp:
                compiled = gettext.GNUTranslations(fp)
            for msgid in ids:
                single = msgid[0] if isinstance(msgid, tuple) else msgid
                assert compiled.gettext(single) or compiled.ngettext(single, msgid[1], 2), (lang, msgid)


def test_italian_differs_from_english_where_a_text_says_something() -> None:
    """The Italian catalogue is a translation, not a copy: a sample of texts differs from its msgid."""
    for msgid in ("invalid case", "unknown field", "missing required field", "The household takes part in the equipe."):
        assert translate(msgid, "it") != msgid
        assert translate(msgid, "en") == msgid


def test_a_marked_msgid_inside_an_fstring_is_extracted(tmp_path: Path) -> None:
    """The extractor reads calls inside f-strings too (Babel's tokenizer skips them before Python 3.12)."""
    source = tmp_path / "m.py"
    source.write_text('x = f"{translate(\'Rule\', lang)}: {rule}"\ny = Message("a {b}", b=1)\n', encoding="utf-8")
    tool = _tool()
    domain = tool.Domain("probe", (tmp_path,), tmp_path / "locale")
    assert set(tool.extracted(domain)) == {("Rule", None), ("a {b}", None)}


# --------------------------------------------------------------------------- Message


def test_message_is_its_italian_text_and_renders_in_english() -> None:
    """A Message is a str equal to its Italian text; text("en") renders it in English, nested placeholders too."""
    inner = Message("unknown field")
    msg = Message("{head}: {detail}", head=Message("exception {kind}", kind="ValueError"), detail=inner)
    assert msg == "eccezione ValueError: campo sconosciuto"
    assert str(msg) == "eccezione ValueError: campo sconosciuto"
    assert msg.text("en") == "exception ValueError: unknown field"
    assert msg.text("xx") == msg  # a language without a catalogue: Italian
    assert text(msg, "en") == "exception ValueError: unknown field"
    assert text("plain", "en") == "plain"


def test_message_placeholders_take_configuration_labels() -> None:
    """A placeholder given a configuration label {it, en} shows the label of the message's language."""
    msg = Message("{label}: suits the case's profile.", label={"it": "Tirocinio", "en": "Traineeship"})
    assert msg == "Tirocinio: adatto al profilo del caso."
    assert msg.text("en") == "Traineeship: suits the case's profile."


def test_message_survives_pickling_and_exceptions() -> None:
    """A Message pickles as itself, and an exception raised with one gives it back (message_of)."""
    msg = Message("cannot be empty")
    again = pickle.loads(pickle.dumps(msg))
    assert isinstance(again, Message)
    assert again.text("en") == "cannot be empty"
    assert message_of(ValueError(msg)) is msg
    assert message_of(ValueError("plain")) == "plain"


def test_context_and_plural_forms() -> None:
    """One English msgid may have two Italian texts (a context), and counts choose their form."""
    assert translate("none", "it") == "nessuno"
    assert translate_in("feminine", "none", "it") == "nessuna"
    assert CORE.ntranslate("{n} error", "{n} errors", 1, "it") == "1 errore"
    assert CORE.ntranslate("{n} error", "{n} errors", 3, "it") == "3 errori"
    assert CORE.ntranslate("{n} error", "{n} errors", 3, "en") == "3 errors"
    assert N_("unknown field") == "unknown field"


def test_catalogues_are_read_once_per_language() -> None:
    """The compiled catalogue of a language is loaded once and kept (the batch path asks for it per case)."""
    assert CORE.translations("it") is CORE.translations("it")
    assert CORE.translations("de") is CORE.translations("it")


def test_a_plugin_catalogue_of_its_own_domain(tmp_path: Path) -> None:
    """A plugin's Catalog reads its own domain; without a compiled catalogue its msgids are the text."""
    catalog = Catalog("nowhere", tmp_path)
    msg = catalog.message("hello {who}", who="you")
    assert msg == "hello you"
    assert msg.text("en") == "hello you"
    from inclusione_sil._i18n import message

    assert message("case counted twice") == "caso contato due volte"
    assert message("case counted twice").text("en") == "case counted twice"


# --------------------------------------------------------------------------- errors in each language


def test_error_details_render_in_each_language() -> None:
    """An input error keeps its Italian str() and renders, with its heading and details, in English."""
    exc = InputError("caso.json", [ErrorDetail("$.x", Message("unknown field"), "x", "additionalProperties",
                                               line=3, column=7)])
    assert "campo sconosciuto" in str(exc)
    assert "input non valido: caso.json (1 errore)" in str(exc)
    english = error_text(exc, "en")
    assert english.startswith("invalid input: caso.json (1 error)")
    assert "unknown field @ $.x (line 3, column 7) (value: 'x') [rule: additionalProperties]" in english
    assert exc.to_json("en")["details"][0]["message"] == "unknown field"
    assert exc.to_json()["details"][0]["message"] == "campo sconosciuto"


def test_plugin_and_territory_errors_render_in_english() -> None:
    """A plugin's failure and an unknown territory read in English under en, in Italian by default."""
    exc = PluginError("p", "inclusione_route", Message("no plugin answered, not even the core's default"))
    assert "nessun plugin ha risposto" in error_text(exc)
    assert error_text(exc, "en") == "plugin 'p', hook inclusione_route: no plugin answered, not even the core's default"
    unknown = TerritoryNotFoundError("atlantide", ["italia"])
    assert str(unknown).startswith("territorio sconosciuto: 'atlantide'")
    assert error_text(unknown, "en").startswith("unknown territory: 'atlantide'; available: italia.")


def test_without_values_keeps_the_head_of_a_plugin_error_in_both_languages() -> None:
    """A plugin's exception text is dropped for a recipient, and what is left still translates."""
    head = Message("exception {kind}", kind="KeyError")
    exc = PluginError("p", "h", Message("{head}: {detail}", head=head, detail="'segreto'"))
    bare = exc.without_values()
    assert "segreto" not in str(bare)
    assert error_text(bare, "en") == "plugin 'p', hook h: exception KeyError"


def test_unknown_code_in_english_and_italian(run: Run, tmp_path: Path) -> None:
    """A case with a need code the territory does not know: Italian by default, English with --lang en."""
    case = italia_case()
    case["assessment"]["needs"] = [{"code": "dipendenza"}]
    path = write_json(tmp_path / "c.json", case)
    code, _, err = run("assess", path, "--as-of", "2025-03-01")
    assert code == 2
    assert "bisogno sconosciuto nel territorio italia" in err
    code, _, err = run("--lang", "en", "assess", path, "--as-of", "2025-03-01")
    assert code == 2
    assert "unknown need in territory italia" in err
    assert "invalid case" in err


def test_missing_field_and_json_output_in_english(run: Run, tmp_path: Path) -> None:
    """A missing required field, with --json: the error's messages are in the output's language."""
    case = italia_case()
    del case["household"]
    path = write_json(tmp_path / "c.json", case)
    code, out, err = run("--lang", "en", "--json", "assess", path, "--as-of", "2025-03-01")
    assert code == 2
    assert "missing required field" in err
    line = json.loads(out.strip().splitlines()[-1])
    assert line["error"]["title"] == "invalid case"
    assert any(d["message"] == "missing required field" for d in line["error"]["details"])
    code, out, err = run("--json", "assess", path, "--as-of", "2025-03-01")
    assert "campo obbligatorio mancante" in err
    assert json.loads(out.strip().splitlines()[-1])["error"]["title"] == "caso non valido"


def test_limits_in_english(run: Run, tmp_path: Path) -> None:
    """An input over a limit, and a bad --limit, are explained in English under --lang en."""
    path = write_json(tmp_path / "c.json", italia_case())
    code, _, err = run("--lang", "en", "--limit", "max_case_bytes=10", "assess", path)
    assert code == 2
    assert "too large:" in err and "the limit is 10" in err
    code, _, err = run("--lang", "en", "--limit", "nonsense=1", "assess", path)
    assert code == 2
    assert "invalid limit: unknown limit: 'nonsense=1'" in err
    code, _, err = run("--limit", "nonsense=1", "assess", path)
    assert "limite non valido: limite sconosciuto: 'nonsense=1'" in err


def test_configuration_error_in_english(run: Run, tmp_path: Path) -> None:
    """A broken territory configuration is reported in English under --lang en, in Italian by default."""
    layer = tmp_path / "cfg" / "borgo"
    layer.mkdir(parents=True)
    (layer / "territory.yaml").write_text(
        'id: borgo\nlabel: {it: "Borgo", en: "Village"}\nlevel: ambito\nextends: atlantide\nversion: "0.1"\n',
        encoding="utf-8")
    code, out, _ = run("--lang", "en", "--config-dir", tmp_path / "cfg", "validate", layer / "territory.yaml")
    assert code == 2
    assert "invalid configuration" in out and "unknown parent territory; known:" in out
    code, out, _ = run("--config-dir", tmp_path / "cfg", "validate", layer / "territory.yaml")
    assert "configurazione non valida" in out and "territorio genitore sconosciuto; noti:" in out


def test_unknown_territory_in_english(run: Run, tmp_path: Path) -> None:
    """Assessing under a territory nobody installed says so in English under --lang en."""
    path = write_json(tmp_path / "c.json", italia_case())
    code, _, err = run("--lang", "en", "assess", path, "--territory", "atlantide", "--as-of", "2025-03-01")
    assert code == 2
    assert "unknown territory: 'atlantide'" in err
    code, _, err = run("assess", path, "--territory", "atlantide", "--as-of", "2025-03-01")
    assert "territorio sconosciuto: 'atlantide'" in err


# --------------------------------------------------------------------------- argparse's own messages


def test_argparse_speaks_italian_by_default(run: Run) -> None:
    """An unknown command: argparse's usage and error are Italian by default."""
    code, _, err = run("nonesiste")
    assert code == 2
    assert err.startswith("uso: inclusione")
    assert "inclusione: errore: argomento COMANDO: scelta non valida: 'nonesiste'" in err


def test_argparse_speaks_english_with_lang_en(run: Run) -> None:
    """The same error under --lang en, and a missing argument in both languages."""
    code, _, err = run("--lang", "en", "nonesiste")
    assert code == 2
    assert err.startswith("usage: inclusione")
    assert "inclusione: error: argument COMMAND: invalid choice: 'nonesiste'" in err
    _, _, err = run("privacy", "flows")
    assert "servono i seguenti argomenti: --territory" in err
    _, _, err = run("--lang", "en", "privacy", "flows")
    assert "the following arguments are required: --territory" in err


def test_help_sections_in_the_chosen_language(run: Run) -> None:
    """argparse's section titles follow the language: opzioni / options."""
    _, out, _ = run("--help")
    assert "\nopzioni:\n" in out
    _, out, _ = run("--lang", "en", "--help")
    assert "\noptions:\n" in out


def test_argparse_is_left_as_it_was(run: Run) -> None:
    """After the command, argparse's own translation functions are the standard library's again."""
    before = vars(argparse)["_"]
    run("nonesiste")
    assert vars(argparse)["_"] is before


# --------------------------------------------------------------------------- reasons


def test_reasons_built_in_code_come_from_the_catalogue() -> None:
    """A reason written in code has its Italian and English texts from the catalogue."""
    from inclusione_core import Engine

    case = italia_case()
    del case["assessment"]
    result = Engine().assess(case, as_of=dt.date(2025, 3, 1))
    reason = result.profile.reasons[-1]
    assert reason.message_it == translate("Case not assessed yet: the preliminary analysis is needed.", "it")
    assert reason.message_en == "Case not assessed yet: the preliminary analysis is needed."


def test_repeated_messages_are_made_once() -> None:
    """A message of texts, numbers and labels is shared when made again; one holding a message is not."""
    label = {"it": "Tirocinio", "en": "Traineeship"}
    first = Message("{label}: suits the case's profile.", label=label)
    assert Message("{label}: suits the case's profile.", label=dict(label)) is first
    assert first.text("en") == first.text("en") == "Traineeship: suits the case's profile."
    other = Message("{label}: suits the case's profile.", label={"it": "Borsa lavoro", "en": "Work grant"})
    assert other.text("en") == "Work grant: suits the case's profile."
    nested = Message("{head}: {detail}", head=Message("unknown field"), detail="x")
    assert Message("{head}: {detail}", head=Message("unknown field"), detail="x") is not nested
    listed = Message("value not allowed; allowed values: {allowed}", allowed=["a"])
    assert listed == "valore non ammesso; valori ammessi: ['a']"


def test_shared_messages_tell_equal_numbers_of_other_kinds_apart() -> None:
    """1, 1.0 and True are equal in Python but read differently: each gets its own message."""
    assert Message("the representative was {age} on {on}: a minor cannot represent", age=1, on="x") != Message(
        "the representative was {age} on {on}: a minor cannot represent", age=True, on="x")
    assert "1.0" in Message("outside the range [{lo}, {hi}]", lo=1.0, hi=2)


def test_json_error_of_a_command_in_the_chosen_language(run: Run) -> None:
    """A command's input error with --json: its JSON line on stdout speaks the language of --lang."""
    code, out, err = run("--lang", "en", "--json", "schema", "--name", "nope")
    assert code == 2
    assert "unknown schema; published: case, territory, scenario, result, view" in err
    error = json.loads(out.strip().splitlines()[-1])["error"]
    assert error["title"] == "invalid input"
    assert error["details"][0]["message"] == ("unknown schema; published: case, territory, scenario, result, view,"
                                              " report")
    _, out, _ = run("--json", "schema", "--name", "nope")
    assert json.loads(out.strip().splitlines()[-1])["error"]["title"] == "input non valido"


def test_a_scenario_case_path_with_a_nul_byte_is_an_error(tmp_path: Path) -> None:
    """A scenario file outside any territory naming a case path with a NUL byte: a listed error, not a crash."""
    from inclusione_core import ScenarioFileError
    from inclusione_core._scenarios import load_scenarios

    path = tmp_path / "s.yaml"
    path.write_text('scenarios:\n  - {name: "0", case: "a\\0b", as_of: "2025-03-01", expected: {}}\n', encoding="utf-8")
    with pytest.raises(ScenarioFileError) as info:
        load_scenarios(path)
    assert "percorso non valido" in str(info.value)
    assert "invalid path" in error_text(info.value, "en")
