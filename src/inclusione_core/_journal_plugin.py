"""
The case journal's part of the core plugin: its stores, registered through
``inclusione_register_journal_stores`` (``sqlite:PATH``, the embedded default, and
``postgresql://...`` / ``postgres://...``), and its configuration section ``journal:``
(retention), registered through ``inclusione_register_sections``.

The stores are imported when one is opened, not when the plugin manager is built.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .hookspecs import hookimpl

SECTION = "journal"
SCHEMA = Path(__file__).parent / "journal" / "journal.schema.json"


def open_sqlite(address: str) -> Any:
    """``sqlite:PATH`` (or ``sqlite://PATH``): the SQLite store in that file."""
    from .journal._sqlite import SqliteJournal  # noqa: PLC0415

    return SqliteJournal(address.removeprefix("sqlite:").removeprefix("//"))


def open_postgresql(address: str) -> Any:
    """``postgresql://...``: the PostgreSQL store (the ``postgresql`` extra)."""
    from .journal._postgresql import PostgresJournal  # noqa: PLC0415

    return PostgresJournal(address)


@hookimpl(trylast=True)
def inclusione_register_journal_stores(register: Callable[..., None]) -> None:
    """The core's stores: sqlite, postgresql (and its alias postgres)."""
    register("sqlite", open_sqlite)
    register("postgresql", open_postgresql)
    register("postgres", open_postgresql)


@hookimpl(trylast=True)
def inclusione_register_sections(register: Callable[..., None]) -> None:
    """The section ``journal:`` (how long a closed case is kept), with its schema."""
    register(SECTION, SCHEMA)
