"""
The gettext catalogues of the core and of the reference plugins: extract, update, compile, check.

    python tools/messages.py update   # pybabel extract -> pybabel update (it, en) -> fill en -> pybabel compile
    python tools/messages.py check    # exit 1, naming each problem, when a catalogue is stale

``update`` runs Babel's ``pybabel`` for each domain: ``extract`` the msgids marked in the
sources (and, for the core, argparse's own from the running Python's ``argparse.py``) into
a template, ``update`` (or ``init``) the ``it`` and ``en`` catalogues from it, copy each new
msgid into the ``en`` catalogue as its English text (the msgids *are* English; edit the
``en`` msgstr to change the English wording without touching the code), and ``compile``
the ``.mo`` files that ship in the wheels. New Italian entries are left empty, and entries
``pybabel update`` guessed from a similar msgid are left fuzzy: translate them in the
``it`` ``.po`` file, then run ``update`` again (or ``pybabel compile``).

``check`` (also run by ``tests/test_messages.py``) fails when a msgid of the sources is
missing from a catalogue or a catalogue has one the sources no longer mark, when a msgstr
is empty or fuzzy, when a translation's placeholders differ from its msgid's, or when a
``.mo`` is not the compilation of its ``.po``. Babel is a development tool
(``requirements-dev.txt``); at run time the standard library's :mod:`gettext` reads the
``.mo`` files.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.frontend import parse_keywords
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("it", "en")
KEYWORDS = (
    "Message",  # inclusione_core.i18n.Message: an error or a reason made before its language is known
    "translate",  # i18n.translate / Catalog.translate: a text now, in a language
    "translate_in:1c,2",  # with a gettext context (one English msgid, two Italian texts)
    "ntranslate:1,2",
    "nmessage:1,2",
    "message",  # a plugin's own Catalog.message
    "N_",  # marked only, translated later (tables of codes)
    "help",  # the CLI's Commands.help(msgid)
    "command:2",  # the CLI's Commands.command(name, msgid)
    "date_option:2",  # the CLI's Commands.date_option(parser, msgid)
    "_",  # argparse's own, and the reports' self._(msgid)
    "ngettext:1,2",  # argparse's own
)
METHOD = f"{__name__}:extract_ast" if __name__ != "__main__" else "__main__:extract_ast"
PLACEHOLDER = re.compile(r"\{([^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}|%\((\w+)\)[sdr]|%[sdr]")


@dataclass(frozen=True)
class Domain:
    """One gettext domain: its sources and where its catalogues live."""

    name: str
    sources: tuple[Path, ...]
    localedir: Path
    extra: tuple[Path, ...] = field(default=())

    def po(self, lang: str) -> Path:
        return self.localedir / lang / "LC_MESSAGES" / f"{self.name}.po"

    def mo(self, lang: str) -> Path:
        return self.po(lang).with_suffix(".mo")

    def inputs(self) -> list[Path]:
        return [*self.sources, *self.extra]


def _argparse_source() -> Path:
    return Path(argparse.__file__)


DOMAINS = (
    Domain("inclusione", (ROOT / "src" / "inclusione_core",), ROOT / "src" / "inclusione_core" / "locale",
           extra=(_argparse_source(),)),
    Domain("inclusione_prato", (ROOT / "plugins" / "inclusione-prato" / "src" / "inclusione_prato",),
           ROOT / "plugins" / "inclusione-prato" / "src" / "inclusione_prato" / "locale"),
    Domain("inclusione_sil", (ROOT / "plugins" / "inclusione-sil" / "src" / "inclusione_sil",),
           ROOT / "plugins" / "inclusione-sil" / "src" / "inclusione_sil" / "locale"),
)


# --------------------------------------------------------------------------- extraction


def extract_ast(fileobj: IO[bytes], keywords: Mapping[str, object], comment_tags: object,
                options: object) -> Iterator[tuple[int, str, tuple[str | None, ...], list[str]]]:
    """
    A Babel extraction method reading Python through :mod:`ast`: it finds the marked calls
    inside f-strings too (``f"{translate('Rule', lang)}: {rule}"``), which Babel's own
    tokenizing ``python`` method skips before Python 3.12.
    """
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name is None or name not in keywords or not node.args:
            continue
        args = tuple(a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args)
        if any(a is not None for a in args):
            yield node.lineno, name, args, []


MAPPING = """\
[extractors]
inclusione = messages:extract_ast

[inclusione: **.py]
"""
"""The pybabel mapping: every Python file through :func:`extract_ast`."""


# --------------------------------------------------------------------------- update (pybabel)


def _pybabel(*args: str | Path) -> None:
    exe = shutil.which("pybabel") or str(Path(sys.executable).with_name("pybabel"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([exe, *map(str, args)], capture_output=True, text=True, check=False, env=env)
    noise = ("Empty msgid", "extracting messages from", "writing PO template", "updating catalog",
             "compiling catalog", "creating catalog", "based on")
    for line in (done.stdout + done.stderr).splitlines():
        if line.strip() and not any(n in line for n in noise):
            print(line, file=sys.stderr)
    if done.returncode:
        raise SystemExit(f"pybabel {args[0]} failed ({done.returncode})")


def update(domain: Domain) -> None:
    """pybabel extract -> update (init for a new language) -> fill en -> compile."""

    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / f"{domain.name}.pot"
        mapping = Path(tmp) / "babel.cfg"
        mapping.write_text(MAPPING, encoding="utf-8")
        keywords = [arg for k in KEYWORDS for arg in ("-k", k)]
        _pybabel("extract", "-F", mapping, "--ignore-dirs", ".* __pycache__", "--no-default-keywords", *keywords,
                 "--no-location", "--sort-output", "--project=inclusione_core", "--no-wrap", "-o", pot,
                 *domain.inputs())
        for lang in LANGS:
            if domain.po(lang).exists():
                _pybabel("update", "-i", pot, "-d", domain.localedir, "-D", domain.name, "-l", lang,
                         "--ignore-obsolete", "--no-wrap")
            else:
                _pybabel("init", "-i", pot, "-d", domain.localedir, "-D", domain.name, "-l", lang, "--no-wrap")
    for lang in LANGS:
        _tidy(domain, lang)
    _pybabel("compile", "-d", domain.localedir, "-D", domain.name, "--statistics")


HEADER = """\
{language} messages of {domain} (inclusione_core), generated and kept by tools/messages.py.
Copyright (C) the inclusione_core developers.
This file is distributed under the same license as inclusione_core (EUPL-1.2)."""


def _tidy(domain: Domain, lang: str) -> None:
    """
    The project's header, and for ``en`` every new or fuzzy entry given its msgid (the
    msgids are English: edit an ``en`` msgstr to change the English wording).
    """
    po = domain.po(lang)
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    catalog.header_comment = "\n".join(
        f"# {line}" for line in HEADER.format(language={"it": "Italian", "en": "English"}[lang],
                                                domain=domain.name).splitlines())
    catalog.copyright_holder = "the inclusione_core developers"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "the inclusione_core developers"
    catalog.language_team = f"{lang} <inclusione_core developers>"
    catalog.version = ""
    if lang == "en":
        for message in catalog:
            if not message.id:
                continue
            if isinstance(message.id, tuple):
                current = tuple(message.string or ())
                if message.fuzzy or not all(current):
                    forms = [str(message.id[0]), str(message.id[1])]
                    message.string = tuple(forms + [forms[-1]] * (len(current) - 2))
            elif message.fuzzy or not message.string:
                message.string = message.id
            message.flags.discard("fuzzy")
    catalog.fuzzy = False
    with po.open("wb") as fp:
        write_po(fp, catalog, width=0, include_previous=False)


# --------------------------------------------------------------------------- check (Babel's API)


def extracted(domain: Domain) -> dict[tuple[str, str | None], str | None]:
    """The msgids the sources mark: ``(msgid, context) -> plural msgid or None``."""
    keywords = parse_keywords(list(KEYWORDS))
    found: dict[tuple[str, str | None], str | None] = {}

    def take(items: Iterable[tuple[int, str | tuple[str, ...], list[str], str | None]]) -> None:
        for _lineno, message, _comments, context in items:
            if isinstance(message, tuple):
                if not message[0]:
                    continue
                found[message[0], context] = message[1] if len(message) > 1 else None
            elif message:
                found[message, context] = None

    for source in domain.sources:
        take((lineno, msg, comments, ctx) for _file, lineno, msg, comments, ctx in
             extract_from_dir(source, [("**.py", METHOD)], keywords=keywords, comment_tags=(),
                              strip_comment_tags=True, directory_filter=_searched))
    for extra in domain.extra:
        take(extract_from_file(METHOD, extra, keywords=keywords))
    return found


def _searched(directory: str) -> bool:
    """Every package directory is searched (``_pipeline`` too: Babel skips ``_*`` by default)."""
    name = os.path.basename(directory)
    return not name.startswith(".") and name != "__pycache__"


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(1) if m.group(1) is not None else (m.group(2) or "%") for m in PLACEHOLDER.finditer(text))


def problems(domains: Iterable[Domain] = DOMAINS) -> Iterator[str]:
    """Every reason a catalogue is stale, incomplete or wrong (nothing when all is well)."""
    for domain in domains:
        wanted = extracted(domain)
        for lang in LANGS:
            po = domain.po(lang)
            if not po.exists():
                yield f"{po}: missing (run: python tools/messages.py update)"
                continue
            with po.open("rb") as fp:
                catalog = read_po(fp, locale=lang)
            have: dict[tuple[str, str | None], object] = {}
            for message in catalog:
                if not message.id:
                    continue
                ids = tuple(map(str, message.id)) if isinstance(message.id, tuple | list) else (str(message.id),)
                key = (ids[0], message.context)
                have[key] = message
                if message.fuzzy:
                    yield f"{po}: fuzzy entry, check its translation: {key[0]!r}"
                raw = message.string
                strings = tuple(map(str, raw)) if isinstance(raw, tuple | list) else (str(raw or ""),)
                if not all(strings):
                    yield f"{po}: no translation for {key[0]!r}"
                    continue
                for text in strings:
                    if _placeholders(text) != _placeholders(ids[-1]) and _placeholders(text) != _placeholders(ids[0]):
                        yield f"{po}: the placeholders of the translation differ from the msgid's: {key[0]!r}"
            for key in wanted.keys() - have.keys():
                yield f"{po}: msgid missing (run: python tools/messages.py update): {key[0]!r}"
            for key in have.keys() - wanted.keys():
                yield f"{po}: msgid no longer in the sources (run: python tools/messages.py update): {key[0]!r}"
            mo = domain.mo(lang)
            compiled = io.BytesIO()
            write_mo(compiled, catalog)
            if not mo.exists() or mo.read_bytes() != compiled.getvalue():
                yield f"{mo}: not the compilation of {po.name} (run: python tools/messages.py update)"


def main(argv: list[str] | None = None) -> int:
    """``update`` or ``check`` every domain (or those named with ``--domain``)."""
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("action", choices=("update", "check"))
    parser.add_argument("--domain", action="append", help="only this domain (repeatable)")
    parser.add_argument("--force", action="store_true", help="update even the domains that are up to date")
    args = parser.parse_args(argv)
    domains = [d for d in DOMAINS if not args.domain or d.name in args.domain]
    if args.action == "update":
        for domain in domains:
            if args.force or any(problems([domain])):  # an up-to-date domain is left alone: no churn of dates
                update(domain)
    found = list(problems(domains))
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
