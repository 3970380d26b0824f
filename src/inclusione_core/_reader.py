"""
The one reader: JSON, JSON Lines and YAML, strict and bounded, every refusal a clean error.

Cases, territory configurations, scenario files, the case files they name, instrument
schemas and plugin tables (the SIL's) are all read here, so that every input meets the
same rules:

* **UTF-8** is required; the first bad byte is named by line and column.
* **JSON** is parsed by orjson (no ``NaN``/``Infinity``, fast); what orjson lacks is added:
  integers longer than ``max_int_digits`` are refused (orjson would turn them into floats,
  losing digits), and so are keys repeated in one object (orjson keeps the last), each
  with its JSON path. These two checks cost a byte count and a regular expression on the
  normal path; only a suspect document is parsed again, by the standard library, to find
  the path.
* **JSON Lines** are read line by line: every line is parsed on its own, so a bad line
  is one error (``file:line``) and the lines after it are still read; a line longer than
  ``max_case_bytes`` is skipped without being held in memory.
* **YAML** goes through one safe loader (libyaml's when installed, with the same
  results): dates stay strings, a repeated key or a key that is not plain text is refused
  with its line, aliases are bounded in number and in how much they expand the document,
  and nesting is bounded. :meth:`YamlDocument.locate` maps a JSON path (of a schema
  error) back to its line and column.
* **Limits** (:class:`Limits`) bound every value read, and every value handed to the
  public API (:func:`check_value`): nesting depth, length of texts and lists, digits of
  integers, finite numbers, text keys, total size.

Every refusal is an :class:`~inclusione_core.InputError` (or the subclass the caller
names) listing each problem by JSON path, line and column where known, and rule
(``limit:max_depth``, ``utf-8``, ``json``, ``yaml``, ``duplicate_key``...).

orjson and PyYAML are imported inside the functions that use them: the ``inclusione``
command must answer ``--help`` without loading them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import attrs

from ._errors import ConfigurationError, ErrorDetail, InputError
from .i18n import N_, Message

__all__ = [
    "DEFAULT_LIMITS",
    "JsonLine",
    "Limits",
    "YamlDocument",
    "check_value",
    "inside",
    "parse_json",
    "read_json",
    "read_json_lines",
    "read_yaml",
]

_MAX_LISTED = 50  # problems listed for one input; the rest are counted in one more detail


@attrs.frozen(kw_only=True)
class Limits:
    """
    Bounds on everything read (files, lines) and every value given to the public API.

    The defaults are safe for the case exchange format and the reference configurations;
    an integrator changes them with ``Engine(limits=Limits(...))`` or, on the command
    line, ``--limit NAME=VALUE`` (see ``docs/configuration.md#limits``).

    :ivar max_case_bytes: bytes of one case: a ``.json`` case file, one JSON Lines line, or
        the JSON size of a value given to :meth:`Engine.load_case`.
    :ivar max_file_bytes: bytes of a configuration, scenario, tables or schema file.
    :ivar max_depth: nesting of lists and objects (a case needs about 6 levels).
    :ivar max_string: characters of one text (or key).
    :ivar max_items: items of one list, or members of one object.
    :ivar max_int_digits: digits of an integer.
    :ivar min_date: the earliest date accepted anywhere in a case (and as as-of date).
    :ivar max_date: the latest date accepted.
    :ivar max_yaml_aliases: YAML aliases (``*name``) in one file.
    :ivar max_yaml_nodes: YAML nodes of one file once aliases are expanded.
    """

    max_case_bytes: int = 1_000_000
    max_file_bytes: int = 10_000_000
    max_depth: int = 64
    max_string: int = 100_000
    max_items: int = 10_000
    max_int_digits: int = 18
    min_date: dt.date = dt.date(1900, 1, 1)
    max_date: dt.date = dt.date(2199, 12, 31)
    max_yaml_aliases: int = 1_000
    max_yaml_nodes: int = 200_000

    def __attrs_post_init__(self) -> None:
        for a in attrs.fields(type(self)):
            value = getattr(self, a.name)
            if a.type in ("int", int) and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(Message("limit {name}: expected a positive integer, found {value!r}", name=a.name,
                                         value=value))
        if not (isinstance(self.min_date, dt.date) and isinstance(self.max_date, dt.date)):
            raise ValueError(Message("limits min_date and max_date: two dates expected"))
        if not dt.date(1, 1, 1) < self.min_date <= self.max_date < dt.date(9000, 1, 1):
            raise ValueError(Message("limits min_date and max_date: min_date <= max_date, within the years 2-8999"))

    @classmethod
    def parse(cls, settings: Iterable[str], base: Limits | None = None) -> Limits:
        """
        Limits from ``NAME=VALUE`` strings (the CLI's ``--limit``), over ``base``.

        :raises ValueError: an unknown name or a value of the wrong kind.
        """
        names = {a.name: a for a in attrs.fields(cls)}
        changes: dict[str, Any] = {}
        for setting in settings:
            name, sep, text = setting.partition("=")
            name = name.strip().replace("-", "_")
            if not sep or name not in names:
                raise ValueError(Message("unknown limit: {setting!r}; limits: {names}", setting=setting,
                                         names=", ".join(names)))
            try:
                changes[name] = dt.date.fromisoformat(text.strip()) if name.endswith("_date") else int(text)
            except ValueError:
                raise ValueError(Message("invalid value for the limit {name}: {text!r}", name=name,
                                         text=text)) from None
        return attrs.evolve(base or DEFAULT_LIMITS, **changes)

    @property
    def int_bound(self) -> int:
        """The smallest integer too large in absolute value (``10 ** max_int_digits``)."""
        return _int_bound(self.max_int_digits)


DEFAULT_LIMITS = Limits()

_BOUNDS: dict[int, int] = {}


def _int_bound(digits: int) -> int:
    bound = _BOUNDS.get(digits)
    if bound is None:
        bound = _BOUNDS[digits] = 10**digits
    return bound


class Refused(Exception):
    """Raised inside the reader with the problems found; callers turn it into an InputError."""

    def __init__(self, details: list[ErrorDetail]) -> None:
        super().__init__(details)
        self.details = details


_READER: dict[str, str] = {  # the reader's problems: key -> English msgid (N_: extracted, translated later)
    "too_big": N_("too large: {size} bytes, the limit is {limit}"),
    "no_file": N_("file not found"),
    "unreadable": N_("cannot read the file: {problem}"),
    "not_utf8": N_("byte not valid in UTF-8 (0x{byte:02x}): the file must be UTF-8 (save it as UTF-8)"),
    "surrogate": N_("invalid character: a lone UTF-16 surrogate (\\ud800-\\udfff) is not a character"),
    "json": N_("invalid JSON: {problem}"),
    "json_truncated": N_("truncated JSON: the text ends before objects, lists or strings are closed"),
    "json_empty": N_("no JSON document: the text is empty"),
    "json_trailing": N_("extra text after the end of the JSON document"),
    "json_nan": N_("NaN and Infinity are not JSON numbers"),
    "depth": N_("nested too deep: more than {limit} levels of lists and objects"),
    "items": N_("too many items: {n}, the limit is {limit}"),
    "string": N_("text too long: {n} characters, the limit is {limit}"),
    "int": N_("integer too large: more than {limit} digits"),
    "finite": N_("number not finite (NaN or infinity)"),
    "key": N_("key that is not a text ({kind}): object keys are texts"),
    "duplicate": N_("key repeated in one object: {key}"),
    "type": N_("value not allowed in JSON ({kind})"),
    "size": N_("data too large: over {limit} bytes as JSON"),
    "more": N_("and {n} more problems not listed"),
    "yaml": N_("invalid YAML: {problem}"),
    "yaml_aliases": N_("too many YAML aliases: more than {limit}"),
    "yaml_nodes": N_("YAML aliases expand the document beyond {limit} nodes"),
    "yaml_recursive": N_("recursive YAML alias: a node contains itself"),
    "yaml_key": N_("key not allowed ({kind}): keys are texts (put it in quotes)"),
    "yaml_duplicate": N_("repeated key: {key} (YAML would keep only the last one)"),
    "outside": N_("path outside the folder {root}: the files named here must be inside its folder"),
}


def _msg(lang: str, message: str, **kw: Any) -> Message:
    """A problem of the reader, rendered in the output's language (``lang`` is not needed any more)."""
    return Message(_READER[message], **kw)


def _limit(lang: str, message: str, path: str, name: str, limits: Limits, value: Any = None, **kw: Any) -> ErrorDetail:
    return ErrorDetail(path, _msg(lang, message, limit=getattr(limits, name), **kw), value, f"limit:{name}")


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{key!r}]"


# --------------------------------------------------------------------------- values


_INF = math.inf


def _quick(value: Any, limits: Limits) -> int:
    """
    Members of every object in ``value`` (JSON as orjson returns it), or -1 at the first problem.

    The fast path for parsed JSON: exact types only (what a JSON parser returns), no paths.
    :func:`_problems` walks again, with paths, when this says -1.
    """
    max_depth = limits.max_depth
    max_items = limits.max_items
    max_string = limits.max_string
    bound = _int_bound(limits.max_int_digits)
    members = 0
    t = type(value)
    if t is not dict and t is not list:
        if t is str:
            return 0 if len(value) <= max_string else -1
        if t is int:
            return 0 if -bound < value < bound else -1
        if t is float:
            return 0 if -_INF < value < _INF else -1
        return 0 if value is None or t is bool else -1
    stack: list[tuple[Any, int]] = [(value, 1)]
    pop = stack.pop
    push = stack.append
    while stack:
        node, depth = pop()
        if depth > max_depth or len(node) > max_items:
            return -1
        if type(node) is dict:
            members += len(node)
            items: Iterable[Any] = node.values()
            for k in node:
                if type(k) is not str or len(k) > max_string:
                    return -1
        else:
            items = node
        for x in items:
            tx = type(x)
            if tx is str:
                if len(x) > max_string:
                    return -1
            elif tx is dict or tx is list:
                push((x, depth + 1))
            elif tx is int:
                if not -bound < x < bound:
                    return -1
            elif tx is float:
                if not -_INF < x < _INF:  # NaN compares false: refused too
                    return -1
            elif not (x is None or tx is bool):
                return -1
    return members


class _TooLong:
    """An integer with too many digits, kept as its size (never converted: int() would refuse it)."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


class _NotFinite:
    """A number that is not finite (``NaN``, ``Infinity``, ``1e400``)."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Duplicates(dict[str, Any]):
    """An object in which some keys were repeated (the standard library parser keeps the last)."""

    repeated: list[str]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _problems(  # noqa: PLR0915 - one iterative walk, kept whole
    value: Any, limits: Limits, lang: str, root: str = "$", *, json_only: bool = True, text_check: bool = False,
    budget_name: str = "max_case_bytes",
) -> list[ErrorDetail]:
    """
    Every problem of ``value`` against ``limits``, by JSON path (empty: none).

    :param json_only: refuse anything that JSON cannot hold (tuples, dates...); off for
        values given to the Python API, where the converter checks those types.
    :param text_check: also refuse lone surrogates in texts (a value that did not come
        through orjson, which refuses them itself).
    :param budget_name: the limit on the total size (items plus characters of texts).
    """
    out: list[ErrorDetail] = []
    more = 0
    bound = _int_bound(limits.max_int_digits)
    budget = getattr(limits, budget_name)
    size = 0

    def add(detail: ErrorDetail) -> None:
        nonlocal more
        if len(out) < _MAX_LISTED:
            out.append(detail)
        else:
            more += 1

    def text(s: str, path: str) -> None:
        nonlocal size
        size += len(s)
        if len(s) > limits.max_string:
            add(_limit(lang, "string", path, "max_string", limits, s, n=len(s)))
        elif text_check and _SURROGATE.search(s):
            add(ErrorDetail(path, _msg(lang, "surrogate"), None, "utf-8"))

    stack: list[tuple[Any, str, int]] = [(value, root, 1)]
    while stack:
        node, path, depth = stack.pop()
        size += 1
        if size > budget:
            add(_limit(lang, "size", root, budget_name, limits))
            break
        if isinstance(node, str):
            text(node, path)
        elif isinstance(node, bool) or node is None:
            pass
        elif isinstance(node, int):
            if not -bound < node < bound:
                add(_limit(lang, "int", path, "max_int_digits", limits, node))
        elif isinstance(node, float):
            if not math.isfinite(node):
                add(ErrorDetail(path, _msg(lang, "finite"), node, "finite"))
        elif isinstance(node, _TooLong):
            add(_limit(lang, "int", path, "max_int_digits", limits, f"<intero di {node.digits} cifre>"))
        elif isinstance(node, _NotFinite):
            add(ErrorDetail(path, _msg(lang, "finite"), node.text, "finite"))
        elif isinstance(node, Mapping | list | tuple):
            if depth > limits.max_depth:
                add(_limit(lang, "depth", path, "max_depth", limits))
                continue
            if len(node) > limits.max_items:
                add(_limit(lang, "items", path, "max_items", limits, n=len(node)))
                continue
            if isinstance(node, Mapping):
                for k in getattr(node, "repeated", ()):
                    add(ErrorDetail(_child(path, k), _msg(lang, "duplicate", key=k), None, "duplicate_key"))
                children: list[tuple[Any, str, int]] = []
                for k, x in node.items():
                    if not isinstance(k, str):
                        kind = type(k).__name__
                        add(ErrorDetail(path, _msg(lang, "key", kind=kind), k, "key"))
                        continue
                    text(k, path)
                    children.append((x, _child(path, k), depth + 1))
                stack.extend(reversed(children))
            else:
                if json_only and not isinstance(node, list):
                    add(ErrorDetail(path, _msg(lang, "type", kind=type(node).__name__), None, "type"))
                    continue
                stack.extend((x, f"{path}[{i}]", depth + 1) for i, x in reversed(list(enumerate(node))))
        elif json_only:
            add(ErrorDetail(path, _msg(lang, "type", kind=type(node).__name__), None, "type"))
        elif isinstance(node, dt.date):
            pass  # the converter bounds dates
    if more:
        out.append(ErrorDetail(root, _msg(lang, "more", n=more), None, "limit"))
    return out


def check_value(data: Any, *, limits: Limits | None = None, root: str = "$", lang: str = "it") -> list[ErrorDetail]:
    """
    Every way ``data`` (a value given to the Python API) exceeds the limits, by JSON path.

    Checks what the converter cannot, before it runs: nesting depth (also a value that
    contains itself), texts, lists, integer digits, finite numbers, text keys and total size.
    Tuples, dates and other Python values are left to the converter.

    :return: the problems (empty: none).
    """
    limits = limits or DEFAULT_LIMITS
    if _quick(data, limits) >= 0:
        return []
    return _problems(data, limits, lang, root, json_only=False, text_check=True)


# --------------------------------------------------------------------------- JSON


def _position(raw: bytes, pos: int) -> tuple[int, int]:
    """Line and column (1-based, in characters) of byte offset ``pos``."""
    line = raw.count(b"\n", 0, pos) + 1
    start = raw.rfind(b"\n", 0, pos) + 1
    return line, len(raw[start:pos].decode("utf-8", "replace")) + 1


def _utf8_problem(raw: bytes, lang: str) -> ErrorDetail | None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        return ErrorDetail("$", _msg(lang, "not_utf8", byte=raw[exc.start]), None, "utf-8", line, column)
    return None


_ORJSON_PROBLEMS = (
    ("unexpected end of data", "json_truncated"),
    ("zero-length", "json_empty"),
    ("input data is empty", "json_empty"),
    ("unexpected content after document", "json_trailing"),
    ("surrogate", "surrogate"),
)


def _syntax_error(raw: bytes, exc: Any, lang: str, limits: Limits) -> list[ErrorDetail]:
    """The problem an orjson parse error stands for, with its line and column."""
    problem = str(exc.msg)
    bad = _utf8_problem(raw, lang) if "UTF-8" in problem else None
    if bad is not None:
        return [bad]
    line, column = int(exc.lineno), int(exc.colno)
    if "depth limit" in problem or "recursion" in problem.lower():
        return [attrs.evolve(_limit(lang, "depth", "$", "max_depth", limits), line=line, column=column)]
    doc = exc.doc if isinstance(exc.doc, str) else ""
    if doc[exc.pos:exc.pos + 8].startswith(("NaN", "Infinity")):
        return [ErrorDetail("$", _msg(lang, "json_nan"), None, "json", line, column)]
    for needle, key in _ORJSON_PROBLEMS:
        if needle in problem:
            return [ErrorDetail("$", _msg(lang, key), None, "json", line, column)]
    return [ErrorDetail("$", _msg(lang, "json", problem=problem), None, "json", line, column)]


_DIGITS = bytes(ord("0") if chr(b).isdigit() and b < 128 else ord(".") for b in range(256))


def _long_digits(raw: bytes, limits: Limits) -> bool:
    """
    Whether ``raw`` holds a run of more digits than orjson keeps exactly (19), or than the limit.

    orjson turns an integer beyond 64 bits into a float, losing digits: such a text goes to
    the exact parser. (Digits mapped to ``0``, everything else to ``.``, then one substring
    search: ten times faster than a regular expression.)
    """
    return b"0" * (min(limits.max_int_digits, 18) + 1) in raw.translate(_DIGITS)


def _exact(raw: bytes, limits: Limits, lang: str) -> Any:
    """The standard library's parse, marking long integers, non-finite numbers and repeated keys."""
    max_digits = limits.max_int_digits

    def parse_int(s: str) -> Any:
        digits = len(s) - (s[0] == "-")
        return _TooLong(digits) if digits > max_digits else int(s)

    def parse_float(s: str) -> Any:
        value = float(s)
        return value if math.isfinite(value) else _NotFinite(s)

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) == len(items):
            return out
        seen: set[str] = set()
        repeated: set[str] = set()
        for k, _v in items:
            (repeated if k in seen else seen).add(k)
        marked = _Duplicates(out)
        marked.repeated = sorted(repeated)
        return marked

    bad = _utf8_problem(raw, lang)
    if bad is not None:
        raise Refused([bad])
    try:
        return json.loads(raw.decode("utf-8"), parse_int=parse_int, parse_float=parse_float,
                          parse_constant=_NotFinite, object_pairs_hook=pairs)
    except RecursionError:
        raise Refused([_limit(lang, "depth", "$", "max_depth", limits)]) from None
    except json.JSONDecodeError as exc:
        raise Refused([ErrorDetail("$", _msg(lang, "json", problem=exc.msg), None, "json", exc.lineno,
                                   exc.colno)]) from None


def parse_json(raw: bytes, *, limits: Limits | None = None, lang: str = "it") -> Any:
    """
    Parse one JSON document strictly (UTF-8, no NaN, no repeated key) within ``limits``.

    The size limit (``max_case_bytes`` or ``max_file_bytes``) is the caller's: it knows
    which applies.

    :raises Refused: with every problem found (JSON path, line and column where known).
    """
    import orjson  # noqa: PLC0415 - not on the CLI's start-up path

    limits = limits or DEFAULT_LIMITS
    if raw.startswith(b"\xef\xbb\xbf"):  # a byte order mark (Windows editors): not part of the JSON
        raw = raw[3:]
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "infinity" in exc.msg:  # a number orjson cannot hold: find its path with the exact parser
            exact = _exact(raw, limits, lang)
            raise Refused(_problems(exact, limits, lang, text_check=True) or _syntax_error(raw, exc, lang, limits)) \
                from None
        raise Refused(_syntax_error(raw, exc, lang, limits)) from None
    # orjson returns no NaN and only text keys; what else a limit bounds can be ruled out on
    # the bytes, cheaply: a text longer than the line, a list with more items than half its
    # bytes, more levels than brackets. Only a long or bracket-heavy line is walked.
    size = len(raw)
    if (size > limits.max_string or size >= 2 * limits.max_items
            or raw.count(b"[") + raw.count(b"{") > limits.max_depth) and _quick(data, limits) < 0:
        raise Refused(_problems(data, limits, lang))
    # Integers: a run of more digits than orjson keeps exactly (or than the limit). Repeated
    # keys: every ":" outside texts separates a member, and orjson writes the texts' own ":"
    # back as they were; so fewer ":" in orjson's output than in the input means a member
    # was dropped, i.e. a key repeated (unless the input escapes ":" as \u003a).
    suspect = (
        _long_digits(raw, limits)
        or raw.count(b":") != orjson.dumps(data).count(b":")
        or b"\\u003" in raw
    )
    if suspect:
        exact = _exact(raw, limits, lang)
        problems = _problems(exact, limits, lang, text_check=True)
        if problems:
            raise Refused(problems)
        return exact
    return data


def _read_bounded(path: Path, limit: int, name: str, limits: Limits, lang: str) -> bytes:
    with path.open("rb") as f:
        raw = f.read(limit + 1)
    if len(raw) > limit:
        size = path.stat().st_size
        raise Refused([_limit(lang, "too_big", "$", name, limits, size=size)])
    return raw


def _unreadable(path: Path, exc: OSError, lang: str) -> Refused:
    if isinstance(exc, FileNotFoundError):
        return Refused([ErrorDetail("$", _msg(lang, "no_file"), None, "file")])
    problem = exc.strerror or type(exc).__name__
    return Refused([ErrorDetail("$", _msg(lang, "unreadable", problem=problem), None, "file")])


def read_json(
    path: Path | str, *, limits: Limits | None = None, case: bool = True, error: type[InputError] = InputError,
    lang: str = "it",
) -> Any:
    """
    Read one JSON document from a file: UTF-8, strict, within the limits.

    :param case: the file is one case (bounded by ``max_case_bytes``); otherwise a
        configuration file such as an instrument schema (``max_file_bytes``).
    :param error: the :class:`InputError` subclass to raise.
    :raises InputError: (or ``error``) naming the file and every problem.
    """
    limits = limits or DEFAULT_LIMITS
    path = Path(path)
    name = "max_case_bytes" if case else "max_file_bytes"
    try:
        raw = _read_bounded(path, getattr(limits, name), name, limits, lang)
        return parse_json(raw, limits=limits, lang=lang)
    except OSError as exc:
        raise error(str(path), _unreadable(path, exc, lang).details) from None
    except Refused as exc:
        raise error(str(path), exc.details) from None


@attrs.frozen
class JsonLine:
    """
    One line of a JSON Lines input: its data, or why it could not be read.

    :ivar source: ``file:line``, the name of this input in every message.
    :ivar number: the line number (1-based).
    :ivar data: the parsed value (``None`` when ``error`` is set).
    :ivar error: the problems of this line, or ``None``.
    """

    source: str
    number: int
    data: Any
    error: InputError | None


def _raw_lines(stream: IO[Any], limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """``(number, bytes, size)`` per line; ``bytes`` is None for a line over ``limit`` (then skipped)."""
    n = 0
    while True:
        chunk = stream.readline(limit + 2)  # room for "\r\n"
        if not chunk:
            return
        n += 1
        line = chunk.encode("utf-8", "surrogatepass") if isinstance(chunk, str) else chunk
        ended = line.endswith(b"\n")
        if ended or len(chunk) < limit + 2:
            line = line.rstrip(b"\r\n")
            if len(line) <= limit:
                yield n, line, len(line)
                continue
        size = len(line)
        while not ended:  # skip the rest of an over-long line without keeping it
            chunk = stream.readline(1 << 16)
            if not chunk:
                break
            size += len(chunk)
            ended = chunk.endswith("\n" if isinstance(chunk, str) else b"\n")
        yield n, None, size


def _json_lines(
    lines: Iterable[tuple[int, bytes | None, int]], name: str, limits: Limits, lang: str, error: type[InputError],
) -> Iterator[JsonLine]:
    for number, raw, size in lines:
        source = f"{name}:{number}"
        if raw is None:
            problem = error(source, [_limit(lang, "too_big", "$", "max_case_bytes", limits, size=size)])
            yield JsonLine(source, number, None, problem)
            continue
        if not raw.strip():
            continue
        try:  # (parse_json drops a byte order mark)
            yield JsonLine(source, number, parse_json(raw, limits=limits, lang=lang), None)
        except Refused as exc:  # the line is in the source: keep only the column
            yield JsonLine(source, number, None, error(source, [attrs.evolve(d, line=None) for d in exc.details]))


def read_json_lines(
    stream: IO[Any], name: str, *, limits: Limits | None = None, lang: str = "it",
    error: type[InputError] = InputError,
) -> Iterator[JsonLine]:
    """
    JSON Lines, one value per line, each parsed on its own: a bad line never stops the others.

    Blank lines are skipped. Each line is bounded by ``max_case_bytes`` (a longer one is
    skipped without being kept in memory, and reported); the stream may be binary or text.

    :param name: the input's name (file name, ``<stdin>``): lines are ``name:line``.
    :param error: the :class:`InputError` subclass of each line's error (``InvalidCaseError``
        for cases: then no detail shows a value of a special category of data).
    """
    limits = limits or DEFAULT_LIMITS
    yield from _json_lines(_raw_lines(stream, limits.max_case_bytes), name, limits, lang, error)


JSONL_SUFFIXES = (".jsonl", ".ndjson")


def read_cases(
    source: str | Path, *, limits: Limits | None = None, lang: str = "it", stdin: IO[Any] | None = None,
) -> Iterator[JsonLine]:
    """
    The cases of one input, one :class:`JsonLine` each, in order (the one strict reader).

    ``.jsonl``/``.ndjson`` files are read line by line (``file:line`` in every error); a
    ``.json`` file holds one case; ``-`` (standard input) and files of other names are JSON
    Lines when their first line is a whole JSON object, one JSON document otherwise. Each
    line's error is an :class:`InvalidCaseError` (no value of a special category in it).

    :raises InputError: the file cannot be opened.
    """
    from ._errors import InvalidCaseError  # noqa: PLC0415

    if str(source) == "-":
        stream: Any = stdin if stdin is not None else getattr(sys.stdin, "buffer", sys.stdin)
        yield from cases_in(stream, "<stdin>", "sniff", limits=limits, lang=lang, error=InvalidCaseError)
        return
    path = Path(source)
    suffix = path.suffix.lower()
    mode = "lines" if suffix in JSONL_SUFFIXES else "document" if suffix == ".json" else "sniff"
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise InputError(str(path), [_unreadable(path, exc, lang).details[0]]) from None
    yield from cases_in(stream, str(path), mode, limits=limits, lang=lang, error=InvalidCaseError)


def cases_in(
    stream: IO[Any], name: str, mode: str, *, limits: Limits | None = None, lang: str = "it",
    error: type[InputError] = InputError,
) -> Iterator[JsonLine]:
    """
    The cases of one input, one :class:`JsonLine` each, in order; closes the stream.

    :param mode: ``lines`` (JSON Lines), ``document`` (one JSON document, one case) or
        ``sniff``: JSON Lines when the first non-blank line is a whole JSON object on its
        own line, one document otherwise (stdin, files of other names).
    """
    limits = limits or DEFAULT_LIMITS
    with stream:
        lines = _raw_lines(stream, limits.max_case_bytes)
        if mode == "lines":
            yield from _json_lines(lines, name, limits, lang, error)
            return
        head: list[bytes] = []
        if mode == "sniff":
            for n, raw, size in lines:
                if raw is None or (raw.strip() and _looks_like_a_line(raw)):
                    yield from _json_lines(itertools.chain([(n, raw, size)], lines), name, limits, lang, error)
                    return
                head.append(raw + b"\n")
                if raw.strip():
                    break
        size = sum(map(len, head))
        rest = stream.read(max(0, limits.max_case_bytes + 1 - size))
        raw = b"".join(head) + (rest.encode("utf-8", "surrogatepass") if isinstance(rest, str) else rest)
        try:
            if len(raw) > limits.max_case_bytes:
                raise Refused([_limit(lang, "too_big", "$", "max_case_bytes", limits, size=f"{len(raw)}+")])
            yield JsonLine(name, 1, parse_json(raw, limits=limits, lang=lang), None)
        except Refused as exc:
            yield JsonLine(name, 1, None, error(name, exc.details))


def _looks_like_a_line(raw: bytes) -> bool:
    text = raw.strip()
    return text.startswith(b"{") and text.endswith(b"}")


# --------------------------------------------------------------------------- YAML


def _yaml_module() -> Any:
    import yaml  # noqa: PLC0415 - not on the CLI's start-up path

    return yaml


_LOADERS: dict[str, Any] = {}


def _loader(booleans: str, pure: bool = False) -> Any:
    """
    The safe loader class: libyaml's parser when available (``pure``: PyYAML's own, for tests).

    Both build the same values: dates stay strings (the schemas check them), keys must be
    plain texts and appear once per mapping, integers are bounded before conversion.
    ``booleans="strict"`` reads only ``true``/``false`` as booleans (scenario files, where
    ``on:`` is a key); ``"yaml11"`` keeps YAML 1.1's ``yes``/``no``/``on``/``off`` too.
    """
    key = f"{booleans}:{pure}"
    if key in _LOADERS:
        return _LOADERS[key]
    yaml = _yaml_module()
    base = yaml.SafeLoader if pure or not hasattr(yaml, "CSafeLoader") else yaml.CSafeLoader

    class Loader(base):  # type: ignore[misc, valid-type]
        lang = "it"
        max_int_digits = DEFAULT_LIMITS.max_int_digits

        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen: set[str] = set()
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, str):
                    raise yaml.constructor.ConstructorError(
                        None, None, _msg(self.lang, "yaml_key", kind=type(key).__name__), key_node.start_mark)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, _msg(self.lang, "yaml_duplicate", key=repr(_short_key(key))), key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

        def construct_yaml_int(self, node: Any) -> Any:
            try:
                return super().construct_yaml_int(node)
            except ValueError:  # int() refuses more than 4,300 digits
                raise yaml.constructor.ConstructorError(
                    None, None, _msg(self.lang, "int", limit=self.max_int_digits), node.start_mark) from None

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"
            and (booleans == "yaml11" or tag != "tag:yaml.org,2002:bool")]
        for k, v in base.yaml_implicit_resolvers.items()
    }
    Loader.yaml_implicit_resolvers = resolvers
    if booleans == "strict":
        Loader.add_implicit_resolver(
            "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    _LOADERS[key] = Loader
    return Loader


def _short_key(key: str) -> str:
    return key if len(key) <= 40 else key[:39] + "…"


def _check_nodes(root: Any, limits: Limits, lang: str) -> None:
    """Depth, aliases and expanded size of a composed YAML document, before anything is built."""
    yaml = _yaml_module()
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    state: dict[int, int] = {}  # 1: being visited, 2: done
    aliases = 0

    def refuse(key: str, name: str, node: Any) -> Refused:
        mark = node.start_mark
        detail = _limit(lang, key, "$", name, limits)
        return Refused([attrs.evolve(detail, line=mark.line + 1, column=mark.column + 1)])

    def children(node: Any) -> list[Any]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        if isinstance(node, yaml.MappingNode):
            return [n for pair in node.value for n in pair]
        return []

    stack: list[tuple[Any, bool]] = [(root, False)]
    state[id(root)] = 1
    while stack:
        node, done = stack.pop()
        kids = children(node)
        if done:  # a long text weighs as much as the nodes it could have been: aliases of it cost
            own = 1 + len(node.value) // 80 if isinstance(node, yaml.ScalarNode) else 1
            total = own + sum(size.get(id(k), 1) for k in kids)
            deep = (1 + max((depth.get(id(k), 0) for k in kids), default=0)) if not isinstance(
                node, yaml.ScalarNode) else 0
            size[id(node)], depth[id(node)], state[id(node)] = total, deep, 2
            if deep > limits.max_depth:
                raise refuse("depth", "max_depth", node)
            if total > limits.max_yaml_nodes:
                raise refuse("yaml_nodes", "max_yaml_nodes", node)
            continue
        stack.append((node, True))
        for kid in reversed(kids):
            seen = state.get(id(kid))
            if seen == 1 and kid is not node and _is_ancestor_state(kid, stack):
                mark = kid.start_mark
                raise Refused([ErrorDetail("$", _msg(lang, "yaml_recursive"), None, "yaml", mark.line + 1,
                                           mark.column + 1)])
            if seen is not None:
                aliases += 1
                if aliases > limits.max_yaml_aliases:
                    raise refuse("yaml_aliases", "max_yaml_aliases", kid)
                continue
            state[id(kid)] = 1
            stack.append((kid, False))


def _is_ancestor_state(node: Any, stack: list[tuple[Any, bool]]) -> bool:
    """Whether ``node`` is an ancestor still being visited (its 'done' entry is on the stack)."""
    return any(done and n is node for n, done in stack)


@attrs.frozen(eq=False)
class YamlDocument:
    """
    A YAML file read by :func:`read_yaml`: its data, its bytes, and where each path is.

    :ivar path: the file.
    :ivar data: the values (plain JSON-like data: mappings with text keys, lists, texts,
        numbers, booleans, null).
    :ivar raw: the file's bytes (for its digest).
    """

    path: Path
    data: Any
    raw: bytes
    _node: Any = None

    def locate(self, path: str) -> tuple[int, int] | None:
        """
        The line and column (1-based) of a JSON path in the file: the key of a mapping entry,
        the item of a list; the nearest existing parent when the path goes further.
        """
        yaml = _yaml_module()
        node = self._node
        if node is None or not path.startswith("$"):
            return None
        mark = node.start_mark
        rest = path[1:]
        while rest:
            if isinstance(node, yaml.MappingNode):
                best: tuple[int, Any, Any] | None = None
                for key, value in node.value:
                    if not isinstance(key, yaml.ScalarNode):
                        continue
                    name = str(key.value)
                    for form in (f".{name}", f"[{name!r}]", f".{_short_key(name)}"):
                        if rest.startswith(form) and (len(rest) == len(form) or rest[len(form)] in ".[") \
                                and (best is None or len(form) > best[0]):
                            best = (len(form), key, value)
                if best is None:
                    break
                rest = rest[best[0]:]
                mark, node = best[1].start_mark, best[2]
            elif isinstance(node, yaml.SequenceNode):
                m = re.match(r"\[(\d+)\]", rest)
                if m is None or int(m.group(1)) >= len(node.value):
                    break
                rest = rest[m.end():]
                node = node.value[int(m.group(1))]
                mark = node.start_mark
            else:
                break
        return mark.line + 1, mark.column + 1

    def located(self, details: Iterable[ErrorDetail]) -> list[ErrorDetail]:
        """The details, each with the line and column of its path when it has none."""
        out = []
        for d in details:
            where = self.locate(d.path) if d.line is None else None
            out.append(attrs.evolve(d, line=where[0], column=where[1]) if where else d)
        return out


def _yaml_problem(exc: Any, lang: str) -> ErrorDetail:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is None and hasattr(exc, "position"):  # a ReaderError: a character YAML does not accept
        return ErrorDetail("$", _msg(lang, "yaml", problem=problem), None, "yaml")
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return ErrorDetail("$", _msg(lang, "yaml", problem=problem), None, "yaml", line, column)


def parse_yaml(
    raw: bytes, path: Path, *, limits: Limits | None = None, booleans: str = "yaml11", lang: str = "it",
    pure: bool = False,
) -> YamlDocument:
    """
    Parse YAML bytes with the one safe loader, within the limits.

    :raises Refused: every problem found, with its line and column.
    """
    limits = limits or DEFAULT_LIMITS
    yaml = _yaml_module()
    bad = _utf8_problem(raw, lang)
    if bad is not None:
        raise Refused([bad])
    text = raw.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    loader = _loader(booleans, pure)(text)
    loader.lang = lang
    loader.max_int_digits = limits.max_int_digits
    try:
        node = loader.get_single_node()
        data = None
        if node is not None:
            _check_nodes(node, limits, lang)
            data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise Refused([_yaml_problem(exc, lang)]) from None
    except RecursionError:  # PyYAML's own composer, on nesting too deep for Python
        raise Refused([_limit(lang, "depth", "$", "max_depth", limits)]) from None
    finally:
        loader.dispose()
    doc = YamlDocument(path, data, raw, node)
    if _quick(data, limits) < 0:
        problems = _problems(data, limits, lang, text_check=True, budget_name="max_file_bytes")
        if problems:
            raise Refused(doc.located(problems))
    return doc


def read_yaml(
    path: Path | str, *, limits: Limits | None = None, error: type[InputError] = ConfigurationError,
    booleans: str = "yaml11", lang: str = "it",
) -> YamlDocument:
    """
    Read a YAML file (configuration, scenarios, plugin tables) with the one safe loader.

    :param error: the :class:`InputError` subclass to raise (default: ConfigurationError).
    :param booleans: ``"yaml11"`` (``yes``/``no``/``on``/``off`` are booleans, as in
        YAML 1.1) or ``"strict"`` (only ``true``/``false``).
    :raises InputError: (or ``error``) naming the file and every problem with its line.
    """
    limits = limits or DEFAULT_LIMITS
    path = Path(path)
    try:
        raw = _read_bounded(path, limits.max_file_bytes, "max_file_bytes", limits, lang)
        return parse_yaml(raw, path, limits=limits, booleans=booleans, lang=lang)
    except OSError as exc:
        raise error(str(path), _unreadable(path, exc, lang).details) from None
    except Refused as exc:
        raise error(str(path), exc.details) from None


# --------------------------------------------------------------------------- paths


def inside(root: Path, relative: str | Path) -> Path | None:
    """
    ``root / relative`` with symlinks resolved, or ``None`` when it leaves ``root``.

    Paths named in a configuration (examples, scenarios, instruments, the case files of a
    scenario) must stay inside their folder: ``../../etc/shadow`` is refused, never read.
    """
    base = Path(root).resolve()
    try:
        target = (base / relative).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        return None
    return target if target.is_relative_to(base) else None
