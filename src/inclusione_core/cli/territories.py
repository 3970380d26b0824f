"""``inclusione territories``: the plugins and territories installed, each chain and digest."""

# ruff: noqa: PLC0415 - the engine is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._common import EXIT_INVALID, EXIT_OK, emit_json, engine, out
from ._texts import message

if TYPE_CHECKING:
    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    commands.command("territories").set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List plugins and territories; a territory whose configuration is invalid is listed with its errors."""
    from inclusione_core import InclusioneError
    from inclusione_core.render import error_text

    lang = args.lang
    eng = engine(args)
    plugins: list[dict[str, Any]] = [
        {"name": p.name, "distribution": p.distribution, "version": p.version, "core": p.core,
         "territories": list(p.territories)} for p in eng.plugins()]
    rows: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    failed = False
    for info in eng.territories():
        row: dict[str, Any] = {"id": info.id, "provided_by": info.provided_by, "directory": str(info.directory)}
        rows.append(row)
        try:
            terr = eng.territory(info.id)
        except InclusioneError as exc:
            failed = True
            row["error"] = exc.to_json()
            texts[info.id] = error_text(exc, lang)
            continue
        row.update(
            label=terr.data.get("label", {}), level=terr.data.get("level"), extends=list(terr.lineage[1:]),
            lineage=list(terr.lineage), digest=terr.digest,
            layers=[{"territory": la.territory, "file": la.file, "sha256": la.sha256} for la in terr.layers],
            examples=len(terr.examples()), scenarios=len(terr.scenario_files()),
        )
    if args.json:
        emit_json({"plugins": plugins, "territories": rows})
        return EXIT_INVALID if failed else EXIT_OK
    out(f"{message(lang, 'plugins')}:")
    for p in plugins:
        kind = f" ({message(lang, 'core')})" if p["core"] else ""
        provides = ", ".join(p["territories"]) or "—"
        out(f"  {p['distribution']} {p['version']}{kind} — {message(lang, 'provides')}: {provides}")
    out()
    out(f"{message(lang, 'territories')}:")
    for row in rows:
        if "error" in row:
            out(f"  {row['id']} — {message(lang, 'invalid')}")
            for line in texts[row["id"]].splitlines():
                out(f"      {line}")
            out(f"      {message(lang, 'by')}: {row['provided_by']} · {message(lang, 'dir')}: {row['directory']}")
            continue
        label = row["label"].get(lang) or row["label"].get("it") or row["id"]
        out(f"  {row['id']} — {label} [{row['level']}]")
        out(f"      {message(lang, 'chain')}: {' -> '.join(row['lineage'])}")
        out(f"      {message(lang, 'by')}: {row['provided_by']}")
        out(f"      {message(lang, 'dir')}: {row['directory']}")
        out(f"      {message(lang, 'digest')}: {row['digest']}")
        out(f"      {message(lang, 'counts', examples=row['examples'], scenarios=row['scenarios'])}")
    return EXIT_INVALID if failed else EXIT_OK
