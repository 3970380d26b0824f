"""The parser of ``inclusione`` and its ``main``: one module per command does the rest."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from inclusione_core import i18n
from inclusione_core.i18n import LANGS, message_of, translate

from . import (
    assess,
    config,
    demo,
    journal,
    new_territory,
    privacy,
    report,
    scenarios,
    schema,
    serve,
    territories,
    validate,
)
from ._common import (
    AUDIT_ENV,
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    debugging,
    emit_json,
    err,
)

COMMANDS = (territories, config, validate, assess, report, schema, scenarios, demo, privacy, journal, new_territory,
            serve)
"""The command modules, in the order of the help."""


def default_lang() -> str:
    """``INCLUSIONE_LANG``, when it is a language the command speaks; else Italian."""
    lang = os.environ.get("INCLUSIONE_LANG", "it")
    return lang if lang in LANGS else "it"


def prescan_lang(argv: Sequence[str]) -> str:
    """The language asked on the command line, so that even ``--help`` speaks it."""
    lang = default_lang()
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    return lang if lang in LANGS else "it"


def date_type(lang: str) -> Any:
    """An argparse type for ``AAAA-MM-GG`` dates, with the message in ``lang``."""

    def parse(value: str) -> Any:
        import datetime as dt  # noqa: PLC0415

        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            with contextlib.suppress(ValueError):
                return dt.date.fromisoformat(value)
        raise argparse.ArgumentTypeError(translate("invalid date: {value!r} (expected YYYY-MM-DD)", lang, value=value))

    return parse


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kw: Any) -> None:
        import inclusione_core  # noqa: PLC0415

        print(f"inclusione_core {inclusione_core.__version__}")
        parser.exit()


class Parser(argparse.ArgumentParser):
    """argparse, except that help or usage written to a closed pipe is not silently lost (exit 141)."""

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            (file or sys.stderr).write(message)  # argparse would swallow the BrokenPipeError


def _common(lang: str, *, top: bool) -> Parser:
    """
    The global options, accepted before and after the command (``inclusione assess --json``).

    On the commands they default to ``SUPPRESS`` so as not to overwrite what was given
    before the command; ``--config-dir`` and ``--limit`` after the command go to
    ``*_after`` and are appended by :func:`main`.
    """
    p = Parser(add_help=False)
    suppress: Any = argparse.SUPPRESS
    audit_default: Any = (Path(os.environ[AUDIT_ENV]) if os.environ.get(AUDIT_ENV) else None) if top else suppress
    p.add_argument("--lang", choices=LANGS, default=default_lang() if top else suppress,
                   help=translate("message language: it (default) or en", lang))
    p.add_argument("--json", action="store_true", default=False if top else suppress,
                   help=translate("machine output (JSON on stdout)", lang))
    p.add_argument("--explain", choices=("compact", "full"), default="compact" if top else suppress,
                   help=translate("JSON of the results: compact (default: the static texts of citations and legal bases"
                                  " left out) or full", lang))
    p.add_argument("--config-dir", action="append", type=Path, metavar="DIR", default=[] if top else suppress,
                   dest="config_dir" if top else "config_dir_after",
                   help=translate("directory with extra <id>/territory.yaml configurations; they take precedence over"
                                  " the plugins' ones and over INCLUSIONE_CONFIG_DIR's (repeatable)", lang))
    p.add_argument("--audit", type=Path, metavar="FILE", default=audit_default,
                   help=translate("JSON Lines file where every disclosure of data is recorded (audit); default: the"
                                  " INCLUSIONE_AUDIT variable, otherwise in memory only", lang))
    p.add_argument("--limit", action="append", metavar="NAME=VALUE", default=[] if top else suppress,
                   dest="limit" if top else "limit_after",
                   help=translate("limit on input, NAME=VALUE (repeatable): max_case_bytes, max_file_bytes, max_depth,"
                                  " max_string, max_items, max_int_digits, min_date, max_date, max_yaml_aliases,"
                                  " max_yaml_nodes", lang))
    return p


class Commands:
    """Adds the commands' parsers: ``command(name)`` makes one with the global options and its help."""

    def __init__(self, parser: Parser, lang: str) -> None:
        self.lang = lang
        self.after = _common(lang, top=False)
        self.sub = parser.add_subparsers(dest="command", title=translate("commands", lang),
                                         metavar=translate("COMMAND", lang))

    def command(self, name: str, help: str, *, within: Any = None) -> argparse.ArgumentParser:
        """
        A command's parser (``within``: the subparsers of a command with subcommands).

        :param help: the command's help, an English msgid (translated here: extracted as ``command:2``).
        """
        text = translate(help, self.lang)
        p = (within or self.sub).add_parser(name, help=text, description=text, parents=[self.after], add_help=False)
        p.add_argument("-h", "--help", action="help", help=translate("show this help and exit", self.lang))
        return p

    def help(self, msgid: str) -> str:
        """A help text (an English msgid, extracted as ``help``) in the parser's language."""
        return translate(msgid, self.lang)

    def format_option(self, p: argparse.ArgumentParser) -> None:
        """``--format NAME``: the renderer of the views the command prints (checked when it runs)."""
        p.add_argument("--format", metavar="NAME",
                       help=translate("output format of the results: text (default), markdown, json, "
                                      "jsonl (as --json), csv, or one a plugin registers", self.lang))

    def disclosure_options(self, p: argparse.ArgumentParser, *, required: bool) -> None:
        """
        ``--territory``, ``--recipient`` and ``--purpose``: to whom and why a command's views
        go (``required``: both must be given, no default).
        """
        from ._common import DEFAULT_PURPOSE, PURPOSES  # noqa: PLC0415 - _common imports this module

        p.add_argument("--territory", metavar="ID",
                       help=translate("territory whose rules apply (default: the case's own)", self.lang))
        recipient = translate("kind of recipient (ssp, cpi, serd, terzo_settore...): only the data it may receive are"
                              " shown", self.lang)
        purpose = translate("purpose of the disclosure", self.lang)
        if required:
            p.add_argument("--recipient", metavar="KIND", required=True, help=recipient)
            p.add_argument("--purpose", choices=PURPOSES, required=True,
                           help=f"{purpose}: {', '.join(PURPOSES)}")
            return
        p.add_argument("--recipient", metavar="KIND", default=None, help=translate(
            "{recipient} (default: ssp, the social service holding the case); when given, errors carry no value of"
            " the case", self.lang, recipient=recipient))
        p.add_argument("--purpose", choices=PURPOSES, default=DEFAULT_PURPOSE, help=translate(
            "{purpose}: {choices} (default: {default})", self.lang, purpose=purpose, choices=", ".join(PURPOSES),
            default=DEFAULT_PURPOSE))

    def date_option(self, p: argparse.ArgumentParser, help: str) -> None:
        """``--as-of DATE`` (``help``: an English msgid, extracted as ``date_option:2``)."""
        p.add_argument("--as-of", type=date_type(self.lang), metavar="DATE", help=translate(help, self.lang))


@contextlib.contextmanager
def argparse_speaking(lang: str) -> Iterator[None]:
    """
    argparse's own messages ("usage:", "the following arguments are required: %s"...) in
    ``lang`` while the block runs, then as they were.

    argparse looks up ``_`` and ``ngettext`` among its module's globals each time it writes
    one, so pointing them at the core's catalogue translates them (their msgids are
    extracted from argparse's source into it: ``tools/messages.py``).
    """
    catalogue = i18n.CORE.translations(lang)
    names = vars(argparse)
    saved = names["_"], names["ngettext"]
    names["_"], names["ngettext"] = catalogue.gettext, catalogue.ngettext
    try:
        yield
    finally:
        names["_"], names["ngettext"] = saved


def build_parser(lang: str = "it") -> argparse.ArgumentParser:
    """The argument parser, with help texts in ``lang`` (argparse's own group titles too)."""
    with argparse_speaking(lang):
        return _build_parser(lang)


def _build_parser(lang: str) -> argparse.ArgumentParser:
    description = translate("Social services and employment centres working one case together: assess, route, compose"
                            " the team and explain every decision with its source.", lang)
    epilog = translate("Exit status: 0 ok, 1 scenarios failed, 2 invalid input, 3 internal error (INCLUSIONE_DEBUG=1"
                       " shows details), 141 output cut short (closed pipe). The default language can also be set"
                       " with INCLUSIONE_LANG=en.", lang)
    parser = Parser(prog="inclusione", description=description, epilog=epilog,
                    parents=[_common(lang, top=True)], add_help=False)
    parser.add_argument("-h", "--help", action="help", help=translate("show this help and exit", lang))
    parser.add_argument("--version", action=_VersionAction, help=translate("show the version and exit", lang))
    commands = Commands(parser, lang)
    for module in COMMANDS:
        module.add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the ``inclusione`` command; return the exit status (never raises on bad input).

    Exit status: 0 ok, 1 a scenario failed, 2 invalid input (every error listed), 3 an
    internal error (a defect: ``INCLUSIONE_DEBUG=1`` shows the traceback), 130
    interrupted, 141 a closed stdout (``inclusione ... | head``: the run did not finish).

    :param argv: the arguments (default: ``sys.argv[1:]``).
    """
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, so that a pipe closed under the last output is seen now
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush does not fail again."""
    with contextlib.suppress(OSError, ValueError):  # a stdout without a file descriptor (tests)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return EXIT_OK
    return code if isinstance(code, int) else EXIT_INVALID


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    lang = prescan_lang(args_list)
    with argparse_speaking(lang):
        return _run(args_list, lang)


def _run(args_list: list[str], lang: str) -> int:
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
        err(translate("interrupted", lang))
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `inclusione assess many.jsonl | head`: handled by main()
        raise
    except Exception as exc:
        return _report_exception(exc, args)
    return code


def _warning_printer(lang: str) -> Any:
    """Show the audit's warnings as the command's own (``avviso: ...``), others as Python does."""
    default = warnings.showwarning

    def show(text: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None,
             line: str | None = None) -> None:
        if category.__name__ == "AuditWarning":
            shown = message_of(text) if isinstance(text, Warning) else text
            err(f"{translate('warning', lang)}: {i18n.text(shown, lang)}")
        else:
            default(text, category, filename, lineno, file, line)

    return show


def _report_exception(exc: Exception, args: argparse.Namespace) -> int:
    from inclusione_core import InclusioneError  # noqa: PLC0415
    from inclusione_core.render import error_text  # noqa: PLC0415

    lang = args.lang
    if isinstance(exc, InclusioneError):
        if getattr(args, "recipient", None) is not None:  # output meant for a named recipient: no values
            exc = exc.without_values()
        err(error_text(exc, lang))
        if args.json:
            emit_json({"error": exc.to_json(lang)}, pretty=False)  # one line, also at the end of a stream
        return EXIT_INVALID
    if isinstance(exc, OSError):
        err(translate("file error: {exc}", lang, exc=exc))
        return EXIT_INVALID
    if debugging():
        raise exc
    text = str(exc)
    err(translate("inclusione_core internal error ({kind}: {exc}). This is a defect of the program, not of your"
                  " input: please report it with the command and the files used. INCLUSIONE_DEBUG=1 shows the"
                  " details.", lang, kind=type(exc).__name__, exc=text if len(text) <= 80 else text[:79] + "…"))
    return EXIT_INTERNAL
