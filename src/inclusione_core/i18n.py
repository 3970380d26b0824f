"""
Messages in Italian and English: gettext catalogues read with the standard library.

Every text the library and the command line write for people (labels, errors, reasons
built in code, argparse's own messages) has an **English msgid** in the code, marked for
extraction, and a translation in the catalogues of the ``inclusione`` domain:
``inclusione_core/locale/<lang>/LC_MESSAGES/inclusione.po`` (the source, edited by hand or
with Babel's ``pybabel``) and the compiled ``.mo`` next to it (read at run time by
:mod:`gettext`; Babel is a development tool only). See ``docs/messages.md``.

* :func:`translate` -- a text now, in a language: ``translate("invalid case", "en")``;
* :class:`Message` -- a text for later: an error made before the output language is
  known. It *is* a ``str`` (its Italian text, so ``str(exc)``, logs and comparisons keep
  working) and renders in any language with :meth:`Message.text`; its placeholders (which
  may be messages themselves, or ``{it, en}`` labels of the configuration) are filled in
  the language it is rendered in;
* :class:`Catalog` -- a domain of messages: the core's is :data:`CORE`; a territory
  plugin ships its own (``Catalog("inclusione_sil", Path(__file__).parent / "locale")``).

Placeholders are ``str.format`` fields (``"unknown {what}: {value!r}"``), filled only when
parameters are given. Italian is the default language, and the fallback for any language
the catalogues do not have.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

__all__ = [
    "CORE",
    "DEFAULT_LANG",
    "LANGS",
    "N_",
    "Catalog",
    "Message",
    "message_of",
    "ntranslate",
    "text",
    "translate",
    "translate_in",
]

LANGS: Final = ("it", "en")
"""The languages of the catalogues; the first is the default."""
DEFAULT_LANG: Final = "it"
DOMAIN: Final = "inclusione"
"""The gettext domain of the core (and of the ``inclusione`` command)."""


def N_(msgid: str) -> str:
    """Mark a msgid for extraction without translating it (tables of codes -> texts)."""
    return msgid


class Catalog:
    """
    The messages of one gettext domain, in every language of :data:`LANGS`.

    The compiled catalogues (``<localedir>/<lang>/LC_MESSAGES/<domain>.mo``) are read once
    per language, on first use, and kept.

    :param domain: the gettext domain (the ``.mo`` file name without its suffix).
    :param localedir: the directory holding ``<lang>/LC_MESSAGES/``.
    """

    def __init__(self, domain: str, localedir: Path | str) -> None:
        self.domain = domain
        self.localedir = Path(localedir)
        self._loaded: dict[str, gettext.NullTranslations] = {}
        self._texts: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}  # msgid -> text, as looked up

    def __repr__(self) -> str:
        return f"Catalog({self.domain!r}, {str(self.localedir)!r})"

    def translations(self, lang: str) -> gettext.NullTranslations:
        """
        The compiled catalogue of a language (Italian for a language not in :data:`LANGS`);
        a catalogue that is not there gives the msgids themselves (English).
        """
        found = self._loaded.get(lang)
        if found is None:
            if lang not in LANGS:
                return self.translations(DEFAULT_LANG)
            path = self.localedir / lang / "LC_MESSAGES" / f"{self.domain}.mo"
            try:
                with path.open("rb") as fp:
                    found = gettext.GNUTranslations(fp)
            except OSError:
                found = gettext.NullTranslations()
            self._loaded[lang] = found
        return found

    def template(self, msgid: str, lang: str, context: str | None = None, plural: str | None = None,
                 n: int = 1) -> str:
        """A msgid's text in a language, placeholders not filled."""
        if context is None and plural is None:  # the common case, remembered: one dict lookup per text
            texts = self._texts.get(lang)
            if texts is None:  # a language without catalogues: Italian
                texts = self._texts[DEFAULT_LANG]
            found = texts.get(msgid)
            if found is None:
                found = texts[msgid] = self.translations(lang).gettext(msgid)
            return found
        t = self.translations(lang)
        if plural is not None:
            return t.npgettext(context, msgid, plural, n) if context is not None else t.ngettext(msgid, plural, n)
        return t.pgettext(context, msgid) if context is not None else t.gettext(msgid)

    def translate(self, msgid: str, lang: str, /, **params: Any) -> str:
        """A message in ``lang``, with its placeholders filled from ``params``."""
        return fill(self.template(msgid, lang), params, lang)

    def translate_in(self, context: str, msgid: str, lang: str, /, **params: Any) -> str:
        """:meth:`translate` with a gettext context (one English msgid, several Italian texts)."""
        return fill(self.template(msgid, lang, context), params, lang)

    def ntranslate(self, singular: str, plural: str, n: int, lang: str, /, **params: Any) -> str:
        """The singular or plural form for ``n`` in ``lang`` (``n`` is also a placeholder)."""
        return fill(self.template(singular, lang, None, plural, n), {"n": n, **params}, lang)

    def message(self, msgid: str, /, **params: Any) -> Message:
        """A :class:`Message` of this domain, rendered when its language is known."""
        return Message._make(self, msgid, params, None, None)

    def nmessage(self, singular: str, plural: str, n: int, /, **params: Any) -> Message:
        """A :class:`Message` with a plural form chosen by ``n``."""
        return Message._make(self, singular, {"n": n, **params}, None, plural)


def fill(template: str, params: Mapping[str, Any], lang: str) -> str:
    """
    ``template.format(**params)`` in ``lang``: a :class:`Message` parameter is rendered in
    ``lang``, and so is a dict of languages to texts (a configuration label ``{it, en}``).
    Without parameters the template is returned as it is.
    """
    if not params:
        return template
    values: dict[str, Any] | None = None
    for key, value in params.items():
        kind = type(value)
        if kind in _PLAIN:  # texts and numbers go as they are (the common case: no copy, no call)
            continue
        if values is None:
            values = dict(params)
        if kind is dict:
            values[key] = (value.get(lang) or value[DEFAULT_LANG]) if DEFAULT_LANG in value else value
        else:
            values[key] = _value(value, lang)
    return template.format_map(params if values is None else values)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _value(value: Any, lang: str) -> Any:
    if type(value) is dict:
        return value.get(lang) or value[DEFAULT_LANG] if DEFAULT_LANG in value else value
    if isinstance(value, Message):
        return value.text(lang)
    return value


class Message(str):
    """
    A message rendered in the language of the output, whenever that is known.

    It is a ``str`` whose value is the Italian text (the default language), so it can go
    wherever a text goes (``ErrorDetail.message``, an exception's argument, a log line)
    and compares equal to its Italian text; :meth:`text` gives it in any language.

    ``Message("unknown field")`` is a message of the core's catalogue (:data:`CORE`);
    a plugin makes those of its own domain with :meth:`Catalog.message`. Concatenating a
    message with another text gives a plain ``str`` (Italian): put the pieces in
    placeholders instead (``Message("{what}: {problem}", what=..., problem=other)``).

    :param msgid: the English text, marked for extraction, with ``str.format`` placeholders.
    :param params: the placeholders' values: any value, a :class:`Message`, or a mapping
        ``{it, en}`` (a configuration label), rendered in the message's language.
    """

    __slots__ = ("_english", "catalog", "msgid", "params")
    msgid: str
    params: Mapping[str, Any]
    catalog: Catalog
    _english: str | None  # the English text, once rendered
    context: str | None = None  # set on the few messages with a gettext context or a plural form
    plural: str | None = None

    def __new__(cls, msgid: str, /, **params: Any) -> Message:
        # The common case, kept short: the pipeline makes its reasons case after case, mostly
        # the same ones (the same labels, the same as-of date): a message made of texts,
        # numbers and configuration labels is made once and shared (messages are immutable).
        key = _memo_key(msgid, params)
        if key is not None:
            found = _MEMO.get(key)
            if found is not None:
                return found
        template = _CORE_ITALIAN.get(msgid)
        if template is None:
            template = CORE.template(msgid, DEFAULT_LANG)
        self = str.__new__(cls, fill(template, params, DEFAULT_LANG) if params else template)
        self.msgid, self.params, self.catalog, self._english = msgid, params, CORE, None
        if key is not None:
            if len(_MEMO) >= _MEMO_MAX:  # values that change case by case (dates, ids): start again
                _MEMO.clear()
            _MEMO[key] = self
        return self

    @classmethod
    def _make(cls, catalog: Catalog, msgid: str, params: Mapping[str, Any], context: str | None,
              plural: str | None) -> Message:
        key = None
        if plural is None and context is None:
            key = _memo_key(msgid, params)
            if key is not None:
                key = (catalog, *key)
                found = _MEMO.get(key)
                if found is not None:
                    return found
            self = str.__new__(cls, fill(catalog.template(msgid, DEFAULT_LANG), params, DEFAULT_LANG))
        else:
            template = catalog.template(msgid, DEFAULT_LANG, context, plural, int(params["n"]) if plural else 1)
            self = str.__new__(_Special, fill(template, params, DEFAULT_LANG))
            self.context, self.plural = context, plural
        self.msgid, self.params, self.catalog, self._english = msgid, params, catalog, None
        if key is not None:
            if len(_MEMO) >= _MEMO_MAX:
                _MEMO.clear()
            _MEMO[key] = self
        return self

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """The message in ``lang`` (Italian for a language the catalogues do not have)."""
        if lang == DEFAULT_LANG or lang not in LANGS:
            return str.__str__(self)
        if lang == "en" and self._english is not None:
            return self._english
        if self.plural is None and self.context is None:
            template = self.catalog._texts[lang].get(self.msgid) or self.catalog.template(self.msgid, lang)
        else:
            n = int(self.params["n"]) if self.plural is not None else 1
            template = self.catalog.template(self.msgid, lang, self.context, self.plural, n)
        rendered = fill(template, self.params, lang) if self.params else template
        if lang == "en":
            self._english = rendered
        return rendered

    def __repr__(self) -> str:  # the Italian text, as a str shows it: reprs of errors stay as they were
        return str.__repr__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.catalog.domain, str(self.catalog.localedir), self.msgid, dict(self.params),
                           self.context, self.plural))


_MEMO: dict[tuple[Any, ...], Message] = {}
"""The core's messages made so far, by msgid and values (see :meth:`Message.__new__`)."""
_MEMO_MAX = 4096


def _memo_key(msgid: str, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """A key for a message whose values are texts, numbers or labels ``{it, en}``; ``None`` otherwise."""
    if not params:
        return (msgid,)
    key: list[Any] = [msgid]
    for name, value in params.items():
        kind = type(value)
        if kind is dict:
            try:
                key.append((name, *value.items()))
            except TypeError:
                return None
        elif kind in _PLAIN:
            key.append((name, kind, value))  # the kind too: 1, 1.0 and True are equal keys, not equal texts
        else:  # a message (equal to any message with its Italian), a list...: not shared
            return None
    found = tuple(key)
    try:
        hash(found)
    except TypeError:  # a label holding something unhashable
        return None
    return found


class _Special(Message):
    """A message with a gettext context or a plural form (rare: kept off the common message's slots)."""

    __slots__ = ("context", "plural")  # shadow the class defaults of Message
    context: str | None
    plural: str | None


def _rebuild(domain: str, localedir: str, msgid: str, params: dict[str, Any], context: str | None,
             plural: str | None) -> Message:
    catalog = CORE if domain == DOMAIN else Catalog(domain, localedir)
    return Message._make(catalog, msgid, params, context, plural)


CORE: Final = Catalog(DOMAIN, Path(__file__).parent / "locale")
"""The core's catalogue: the library's and the ``inclusione`` command's messages, argparse's too."""
_CORE_ITALIAN: Final = CORE._texts[DEFAULT_LANG]  # the Italian texts looked up so far: Message's fast path


def translate(msgid: str, lang: str, /, **params: Any) -> str:
    """A message of the core's catalogue in ``lang``, with its placeholders filled from ``params``."""
    return CORE.translate(msgid, lang, **params)


def translate_in(context: str, msgid: str, lang: str, /, **params: Any) -> str:
    """:func:`translate` with a gettext context: one English msgid, several Italian texts."""
    return CORE.translate_in(context, msgid, lang, **params)


def ntranslate(singular: str, plural: str, n: int, lang: str, /, **params: Any) -> str:
    """The form of a message of the core's catalogue for ``n`` (``{n}`` is a placeholder too)."""
    return CORE.ntranslate(singular, plural, n, lang, **params)


def text(value: str, lang: str) -> str:
    """A text in ``lang``: a :class:`Message` rendered in it, any other ``str`` as it is."""
    return value.text(lang) if isinstance(value, Message) else value


def message_of(exc: BaseException) -> str:
    """An exception's message: its :class:`Message` when it was raised with one, else ``str(exc)``."""
    args = exc.args
    return args[0] if len(args) == 1 and isinstance(args[0], Message) else str(exc)
