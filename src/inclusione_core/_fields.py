"""
Field helpers: one declaration gives both the attrs validator and the JSON Schema constraint.

The case exchange schema is generated from the models (see :mod:`._schema`), so a
constraint written here is enforced identically by the converter (through attrs
validators) and by the schema: the schema rejects what the converter rejects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs

from ._categories import BY_CODE, DataCategory, Export
from .i18n import N_, Message

# ``$(?!\n)``: Python's ``$`` (used by jsonschema's ``pattern``, a ``re.search``) also
# matches before a final newline, ECMA-262's does not; the lookahead makes the schema
# refuse ``"abc\n"`` in both dialects, as the converter's ``fullmatch`` does.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$(?!\n)"
CODE_PATTERN = r"^[a-z][a-z0-9_]*$(?!\n)"
_ID_RE = re.compile(ID_PATTERN)
_CODE_RE = re.compile(CODE_PATTERN)

# One rule for dates, the same in every published schema and in both dialects (Python's
# jsonschema, ECMA-262's ajv): ``YYYY-MM-DD``, ASCII digits, a real day of the Gregorian
# calendar between 0001-01-01 and 9999-12-31 (what ``datetime.date`` and the converter
# accept). The pattern says it all by itself, so a validator that treats ``format: date`` as
# an annotation agrees too; next to it, ``format: date`` (jsonschema's FormatChecker,
# ajv-formats' full mode) accepts the same strings except year 0000, which the pattern refuses.
_YEAR = "(?!0000)[0-9]{4}"
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
DATE_BODY = f"(?:{_YEAR}-{_MONTH_DAY}|(?!0000){_LEAP_YEAR}-02-29)"
DATE_PATTERN = f"^{DATE_BODY}$(?!\\n)"
# A moment as ``datetime.isoformat(timespec="seconds")`` writes an aware one: 2025-03-03T09:30:00+01:00.
TIMESTAMP_PATTERN = (
    f"^{DATE_BODY}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-](?:[01][0-9]|2[0-3]):[0-5][0-9]$(?!\\n)"
)

SCHEMA_KEY = "inclusione_schema"
DOC_KEY = "inclusione_doc"
CATEGORY_KEY = "inclusione_category"
EXPORT_KEY = "inclusione_export"
SUBJECT_KEY = "inclusione_subject"
FORMAT_1_KEY = "inclusione_format_1"

HOUSEHOLD_SUBJECT = "household"
"""``field(subject=...)``: the field is data about the household as a whole, not about the
member (or other item) that holds it: a consent opens it only when every adult member gave one."""


class FieldValueError(ValueError):
    """An attrs validator refused a value; carries the field name and the value."""

    def __init__(self, name: str, value: Any, message: str, rule: str) -> None:
        self.name = name
        self.value = value
        self.rule = rule
        super().__init__(message)


def _check_pattern(regex: re.Pattern[str], what: str) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            if v is not None and not regex.fullmatch(v):
                raise FieldValueError(
                    attribute.name, v,
                    Message("not a valid {what} ({pattern})", what=Message(what), pattern=regex.pattern),
                    "pattern",
                )

    return check


def _check_keys(check: Callable[[Any, attrs.Attribute[Any], Any], None]) -> Callable[[Any, attrs.Attribute[Any], Any],
                                                                                     None]:
    def check_keys(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        for key in value:
            check(inst, attribute, key)

    return check_keys


def _check_range(lo: float | None, hi: float | None) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise FieldValueError(
                attribute.name, value, Message("outside the range [{lo}, {hi}]", lo=lo, hi=hi), "minimum/maximum"
            )

    return check


def _check_nonempty(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if len(value) == 0:
        raise FieldValueError(attribute.name, value, Message("cannot be empty"), "minItems")


def field(
    *,
    doc: str,
    category: DataCategory | BY_CODE,
    export: Export = Export.KEEP,
    default: Any = attrs.NOTHING,
    factory: Callable[[], Any] | None = None,
    kind: str | None = None,
    ge: float | None = None,
    le: float | None = None,
    nonempty: bool = False,
    keys: str | None = None,
    extra: dict[str, Any] | None = None,
    subject: str | None = None,
    format_1: dict[str, Any] | None = None,
) -> Any:
    """
    Declare a model field with its documentation and constraints.

    :param doc: one-line description, exported as the schema ``description``.
    :param category: the data category (``x-category``), or where the configuration gives it
        by code (``BY_CODE.NEEDS``...).
    :param export: how a pseudonymised export treats the field (``x-export``).
    :param kind: ``"id"`` (identifier) or ``"code"`` (snake_case domain code): adds a pattern.
    :param ge: inclusive minimum. :param le: inclusive maximum.
    :param nonempty: the collection must have at least one item (``minItems: 1``).
    :param keys: ``"code"``: the keys of a map are codes (``propertyNames``), checked too.
    :param extra: further schema keywords for this field.
    :param subject: :data:`HOUSEHOLD_SUBJECT` when the field is data about the household as a
        whole rather than about the item holding it (``x-subject``).
    :param format_1: the schema of the form the field had in version 1 of the case format,
        still accepted (a deprecated ``anyOf`` branch) and migrated by the converter.
    """
    schema: dict[str, Any] = dict(extra or {})
    validators: list[Callable[[Any, attrs.Attribute[Any], Any], None]] = []
    if keys == "code":  # the schema's propertyNames, and the same check on the objects
        schema["propertyNames"] = {"pattern": CODE_PATTERN}
        validators.append(_check_keys(_check_pattern(_CODE_RE, N_("code"))))
    elif keys is not None:
        raise ValueError(f"keys: only 'code', not {keys!r}")
    if isinstance(category, BY_CODE):
        schema["x-category"] = {"from-configuration": category.value}
    else:
        schema["x-category"] = category.value
        if category.special:
            schema["x-special-category"] = True
    if export is not Export.KEEP:
        schema["x-export"] = export.value
    if subject is not None:
        if subject != HOUSEHOLD_SUBJECT:
            raise ValueError(f"subject: only {HOUSEHOLD_SUBJECT!r}")
        schema["x-subject"] = subject
    if kind == "id":
        schema["pattern"] = ID_PATTERN
        validators.append(_check_pattern(_ID_RE, N_("identifier")))
    elif kind == "code":
        schema["pattern"] = CODE_PATTERN
        validators.append(_check_pattern(_CODE_RE, N_("code")))
    if ge is not None:
        schema["minimum"] = ge
    if le is not None:
        schema["maximum"] = le
    if ge is not None or le is not None:
        validators.append(_check_range(ge, le))
    if nonempty:
        schema["minItems"] = 1
        validators.append(_check_nonempty)
    metadata = {SCHEMA_KEY: schema, DOC_KEY: doc, CATEGORY_KEY: category, EXPORT_KEY: export, SUBJECT_KEY: subject,
                FORMAT_1_KEY: format_1}
    if factory is not None:
        return attrs.field(factory=factory, validator=validators, metadata=metadata)
    return attrs.field(default=default, validator=validators, metadata=metadata)
