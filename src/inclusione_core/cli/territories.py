"""``inclusione territories``: the plugins and territories installed, each chain and digest."""

# ruff: noqa: PLC0415 - the engine is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from inclusione_core.i18n import translate

from ._common import EXIT_INVALID, EXIT_OK, emit_json, engine, out

if TYPE_CHECKING:
    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("territories", "list installed plugins and territories (extends chain, digest)")
    p.set_defaults(func=run)


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
            row["error"] = exc.to_json(lang)
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
    out(f"{translate('Installed plugins', lang)}:")
    for p in plugins:
        kind = f" ({translate('core', lang)})" if p["core"] else ""
        provides = ", ".join(p["territories"]) or "—"
        out(f"  {p['distribution']} {p['version']}{kind} — {translate('territories', lang)}: {provides}")
    out()
    out(f"{translate('Territories', lang)}:")
    for row in rows:
        if "error" in row:
            out(f"  {row['id']} — {translate('INVALID', lang)}")
            for line in texts[row["id"]].splitlines():
                out(f"      {line}")
            by, folder = translate("provided by", lang), translate("directory", lang)
            out(f"      {by}: {row['provided_by']} · {folder}: {row['directory']}")
            continue
        label = row["label"].get(lang) or row["label"].get("it") or row["id"]
        out(f"  {row['id']} — {label} [{row['level']}]")
        out(f"      {translate('chain', lang)}: {' -> '.join(row['lineage'])}")
        out(f"      {translate('provided by', lang)}: {row['provided_by']}")
        out(f"      {translate('directory', lang)}: {row['directory']}")
        out(f"      {translate('digest', lang)}: {row['digest']}")
        counts = translate("examples: {examples}, scenario files: {scenarios}", lang, examples=row["examples"],
                           scenarios=row["scenarios"])
        out(f"      {counts}")
    return EXIT_INVALID if failed else EXIT_OK
