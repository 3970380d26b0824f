"""
Validating the files an integrator edits: territory configurations, cases and scenario files.

:meth:`Engine.validate` tells a file's kind by its name (``territory.yaml``, ``.json``,
``.jsonl``, a YAML file with ``scenarios:``), checks it whole and returns one
:class:`FileReport` per input: a territory configuration also reports its examples and
scenario files, a JSON Lines file every line. Nothing is disclosed: the reports are about
the user's own files, for the user.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ._errors import ErrorDetail, InclusioneError, InputError, InvalidCaseError
from ._reader import JSONL_SUFFIXES, read_json, read_json_lines
from .i18n import Message, translate

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["FileReport"]

YAML_SUFFIXES = (".yaml", ".yml")
KINDS = ("territory", "case", "cases", "scenario", "example", "unknown")


@attrs.frozen
class FileReport:
    """
    The validation of one input: a file, or an example or scenario file a configuration names.

    :ivar kind: ``territory``, ``case``, ``cases`` (JSON Lines), ``scenario``, ``example`` or ``unknown``.
    :ivar errors: every error found (each with its paths), empty when valid.
    :ivar warnings: what is valid but worth knowing (a case of a territory not installed...).
    :ivar internal: a defect of the program stopped the check (not the file's fault).
    """

    source: str
    kind: str
    errors: tuple[InclusioneError, ...] = ()
    warnings: tuple[str, ...] = ()
    internal: bool = False

    @property
    def valid(self) -> bool:
        """No error."""
        return not self.errors

    def to_json(self, lang: str = "it") -> dict[str, Any]:
        """The report as JSON: file, kind, valid, warnings and every error (its messages in ``lang``)."""
        return {"file": self.source, "kind": self.kind, "valid": self.valid, "warnings": list(self.warnings),
                "errors": [e.to_json(lang) for e in self.errors]}


class _Found:
    """The report of one input being built."""

    def __init__(self, source: str, kind: str) -> None:
        self.source, self.kind = source, kind
        self.errors: list[InclusioneError] = []
        self.warnings: list[str] = []
        self.internal = False

    def fail(self, exc: BaseException, lang: str) -> None:
        """An error on this input: an input error is listed; a defect is listed as internal."""
        if isinstance(exc, InclusioneError):
            self.errors.append(exc)
            return
        if isinstance(exc, BrokenPipeError | KeyboardInterrupt) or os.environ.get("INCLUSIONE_DEBUG", "") not in (
                "", "0"):
            raise exc
        if isinstance(exc, OSError | UnicodeDecodeError):
            self.errors.append(InputError(self.source, [ErrorDetail(
                "$", Message("file error: {exc}", exc=exc), rule="file")]))
            return
        self.internal = True
        self.errors.append(InputError(self.source, [ErrorDetail(
            "$", Message("inclusione_core internal error ({kind}) on this input: the others are checked; please report"
                         " it with the command and the file. INCLUSIONE_DEBUG=1 shows the details.",
                         kind=type(exc).__name__), None, "internal")]))

    def report(self) -> FileReport:
        return FileReport(source=self.source, kind=self.kind, errors=tuple(self.errors),
                          warnings=tuple(self.warnings), internal=self.internal)


def file_kind(path: Path) -> str:
    """What a file is, by its name (and, for YAML, its top-level keys)."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "cases"
    if suffix == ".json":
        return "case"
    if suffix not in YAML_SUFFIXES:
        return "unknown"
    if path.name == "territory.yaml":
        return "territory"
    try:
        with path.open("rb") as f:
            lines = f.read(10_000_000).splitlines()  # the reader refuses larger files anyway
    except OSError:
        return "unknown"
    if any(line.startswith(b"scenarios:") for line in lines):
        return "scenario"
    if any(line.startswith((b"level:", b"extends:")) for line in lines):
        return "territory"
    return "unknown"


def validate(engine: Engine, paths: Iterable[Path | str], lang: str = "it") -> list[FileReport]:
    """See :meth:`Engine.validate`."""
    reports: list[FileReport] = []
    for spec in paths:
        reports += _validate_path(engine, Path(spec), lang)
    return reports


def _check_case(engine: Engine, data: Any, source: str, found: _Found, lang: str, *, checked: bool = True) -> None:
    try:
        case = engine.load_case(data, source, checked=checked)
        if case.territory in engine.index.ids():
            # codes, members and dates against the territory's configuration; nobody born after today
            engine.check(case, as_of=dt.date.today(), source=source)
    except InclusioneError as exc:
        found.errors.append(exc)
        return
    if case.territory not in engine.index.ids():
        found.warnings.append(translate("the case's territory {territory!r} is not installed: the case is valid but"
                                        " cannot be assessed here", lang, territory=case.territory))


def _validate_path(engine: Engine, path: Path, lang: str) -> list[FileReport]:
    found = _Found(str(path), file_kind(path))
    extra: list[FileReport] = []
    if not path.exists():
        found.errors.append(InputError(str(path), [ErrorDetail("$", Message("file not found"), rule="file")]))
        return [found.report()]
    if found.kind == "unknown":
        found.errors.append(InputError(str(path), [ErrorDetail("$", Message(
            "unrecognised file type: expected a territory.yaml, a case .json, a .jsonl of cases or a scenario .yaml"
            " file (with a scenarios: key)"), path.suffix, "kind")]))
        return [found.report()]
    try:
        if found.kind == "case":
            data = read_json(path, limits=engine.limits, lang=lang, error=InvalidCaseError)
            _check_case(engine, data, str(path), found, lang)
        elif found.kind == "cases":
            with path.open("rb") as stream:
                for line in read_json_lines(stream, str(path), limits=engine.limits, lang=lang,
                                            error=InvalidCaseError):
                    if line.error is not None:
                        found.errors.append(line.error)
                    else:
                        _check_case(engine, line.data, line.source, found, lang)
        elif found.kind == "scenario":
            _validate_scenarios(engine, path, found)
        else:
            extra = _validate_territory(engine, path, found, lang)
    except Exception as exc:
        found.fail(exc, lang)
    return [found.report(), *extra]


def _validate_scenarios(engine: Engine, path: Path, found: _Found) -> None:
    from ._scenarios import load_scenarios  # noqa: PLC0415

    for scenario in load_scenarios(path, limits=engine.limits):  # ScenarioFileError: the caller's
        try:
            engine.load_case(scenario.case, scenario.case_source)
        except InclusioneError as exc:
            found.errors.append(exc)


def _validate_territory(engine: Engine, path: Path, found: _Found, lang: str) -> list[FileReport]:
    from ._config import read_layer  # noqa: PLC0415

    if path.name != "territory.yaml":
        read_layer(path, limits=engine.limits)
        found.warnings.append(translate("only the file was validated: the extends chain is checked when the file is"
                                        " named territory.yaml inside an <id>/ directory", lang))
        return []
    local = engine.with_config_dir(path.resolve().parent.parent)
    terr = local.territory(path.resolve().parent.name)
    extra: list[FileReport] = []
    for file in dict.fromkeys(file for file, _as_of, _title in terr.examples()):  # a file may serve twice
        sub = _Found(str(file), "example")
        try:
            data = read_json(file, limits=local.limits, lang=lang, error=InvalidCaseError)
            _check_case(local, data, str(file), sub, lang)
        except Exception as exc:
            sub.fail(exc, lang)
        extra.append(sub.report())
    for file in terr.scenario_files():
        sub = _Found(str(file), "scenario")
        try:
            _validate_scenarios(local, file, sub)
        except Exception as exc:
            sub.fail(exc, lang)
        extra.append(sub.report())
    return extra
