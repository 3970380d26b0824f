"""``inclusione config show ID [SECTION]``: a territory's merged configuration, each entry with where it came from."""

# ruff: noqa: PLC0415 - the library is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from inclusione_core.i18n import Message, translate

from ._common import EXIT_INVALID, EXIT_OK, emit_json, engine, out

if TYPE_CHECKING:
    from ._main import Commands

FROM = "_from"


def add(commands: Commands) -> None:
    """The command's parser and its subcommand's."""
    p = commands.command("config", "territory configurations: the merged configuration of a territory, each entry "
                                   "with the layer and file it came from")
    p.set_defaults(func=usage, config_parser=p)
    within = p.add_subparsers(dest="config_command", title=commands.help("subcommands"),
                              metavar=commands.help("SUBCOMMAND"))
    q = commands.command("show", "print the merged configuration of a territory (all its extends chain), each entry "
                                 "with the layer and file that defined it: YAML with comments, or JSON with --json",
                         within=within)
    q.add_argument("territory", metavar="ID", help=commands.help("territory"))
    q.add_argument("section", metavar="SECTION", nargs="?",
                   help=commands.help("only this part, as a dotted path (equipe.formats, services.cpi...)"))
    q.set_defaults(func=show)


def usage(args: argparse.Namespace) -> int:
    """``inclusione config`` without a subcommand: its help on stderr, exit 2."""
    args.config_parser.print_help(sys.stderr)
    return EXIT_INVALID


def _part(data: Mapping[str, Any], section: str | None) -> Any:
    """The part of the configuration a dotted path names; an input error naming the keys there otherwise."""
    from inclusione_core import ErrorDetail, InputError

    node: Any = data
    for i, step in enumerate((section or "").split(".") if section else []):
        if not isinstance(node, Mapping) or step not in node:
            known = sorted(k for k in node if k != FROM) if isinstance(node, Mapping) else []
            where = ".".join(section.split(".")[:i]) if section and i else "$"
            raise InputError("SECTION", [ErrorDetail(
                "$", Message("no {step!r} in {where}; there: {known}", step=step, where=where,
                             known=", ".join(known) or Message("(none)")), section, "section")])
        node = node[step]
    return node


def show(args: argparse.Namespace) -> int:
    """The merged configuration: YAML with a comment naming the layers of each entry, or JSON (``_from``)."""
    lang = args.lang
    terr = engine(args).territory(args.territory)
    annotated = terr.annotated()
    part = _part(annotated, args.section)
    layers = [{"territory": la.territory, "file": la.file, "path": str(terr.layer_dirs.get(la.territory, terr.root)
                                                                         / "territory.yaml"), "sha256": la.sha256}
              for la in terr.layers]
    if args.json:
        emit_json({"territory": terr.id, "lineage": list(terr.lineage), "digest": terr.digest, "layers": layers,
                   "section": args.section, "configuration": part})
        return EXIT_OK
    title = translate("territory {id}: the merged configuration of {chain}", lang, id=terr.id,
                      chain=" -> ".join(terr.lineage))
    out(f"# {title}")
    out(f"# {translate('digest', lang)}: {terr.digest}")
    out(f"# {translate('layers (each entry names those that defined it, parent first):', lang)}")
    for la in layers:
        out(f"#   {la['file']}: {la['path']}")
    if args.section:
        out(f"# {translate('section', lang)}: {args.section}")
    key = args.section.rsplit(".", 1)[-1] if args.section else None
    for line in _yaml(part if key is None else {key: part}, 0):
        out(line)
    return EXIT_OK


def _dump(value: Any) -> list[str]:
    """A value as YAML lines (block style, no aliases, keys in their order)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    text: str = yaml.dump(value, Dumper=Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                          width=100)
    return text.rstrip("\n").splitlines()


def _origin(node: Mapping[str, Any]) -> str:
    return "# " + " + ".join(str(o["file"]) for o in node[FROM])


def _yaml(node: Any, indent: int) -> Iterator[str]:
    """YAML of the annotated configuration: each entry (a mapping with ``_from``) under a comment naming its files."""
    pad = " " * indent
    if not isinstance(node, Mapping):
        yield from (pad + line for line in _dump(node))
        return
    for key, value in node.items():
        if key == FROM:
            continue
        head = _dump({key: None})[0].removesuffix(" null")
        if isinstance(value, Mapping) and value:
            if FROM in value:
                yield pad + _origin(value)
            yield pad + head
            yield from _yaml(value, indent + 2)
        elif isinstance(value, list) and value and any(isinstance(v, Mapping) and FROM in v for v in value):
            yield pad + head
            for item in value:
                if isinstance(item, Mapping) and FROM in item:
                    yield pad + "  " + _origin(item)
                lines = list(_yaml(item, 0))
                yield pad + "  - " + lines[0]
                yield from (pad + "    " + line for line in lines[1:])
        else:
            yield from (pad + line for line in _dump({key: value}))
