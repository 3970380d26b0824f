"""
The plugin's own messages: the gettext domain ``inclusione_sil``, in Italian and English.

Its catalogues are ``locale/<lang>/LC_MESSAGES/inclusione_sil.po`` (compiled to ``.mo``,
shipped in the wheel) next to this module; ``python tools/messages.py update`` keeps them
in step with the msgids marked here with :func:`message`. Errors and reasons made with
it render in the output's language, like the core's (see the core's ``docs/messages.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inclusione_core.i18n import Catalog, Message

CATALOG = Catalog("inclusione_sil", Path(__file__).parent / "locale")
"""The plugin's catalogue."""


def message(msgid: str, /, **params: Any) -> Message:
    """A message of the plugin's catalogue (an English msgid, extracted as ``message``)."""
    return CATALOG.message(msgid, **params)
