"""
The documents registry: what every ``source`` of a configuration names, and the quote check.

A territory's ``documents:`` section (keyed by id, inherited along ``extends``) lists the
documents its rules rest on: acts, resolutions, guidelines, protocols and the articles that
describe them, each with what an operator needs to recognise it and, when quotes were
checked against its text, the SHA-256 of that text. A ``source`` block names one of them
(``document``), possibly through the article that describes it (``via``), or says that the
value is a project default (``kind: default``, with a ``note``, never a quote).

:func:`source_errors` checks the sources of a merged configuration against its registry;
:func:`check_quotes` checks every quote against the texts found in a folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import ErrorDetail, InclusioneError
from ._models import DEFAULT, Citation, SourceDocument
from .i18n import Message

if TYPE_CHECKING:
    from ._config import Territory

__all__ = ["check_quotes", "find_texts", "normalise_text", "registry", "resolve", "source_blocks", "source_errors",
           "tree_errors"]

DOCUMENTS = "documents"


def is_source_key(key: object) -> bool:
    """Whether a key holds a citation: ``source``, ``*_source``, ``legal_basis``, an instrument's ``x-source``."""
    return isinstance(key, str) and (key in ("source", "legal_basis", "x-source") or key.endswith("_source"))


def _child(path: str, key: str) -> str:
    return f"{path}.{key}"


def source_blocks(node: Any, path: str = "$", *, skip: tuple[str, ...] = ()) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """
    Every citation block of a configuration, tables or instrument tree, with its JSON path:
    the mappings under ``source``, ``*_source``, ``legal_basis`` and ``x-source``.

    :param skip: keys not to descend into (e.g. ``legal_basis``).
    """
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in skip:
                continue
            if is_source_key(key) and isinstance(value, Mapping):
                yield _child(path, str(key)), value
            else:
                yield from source_blocks(value, _child(path, str(key)), skip=skip)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from source_blocks(value, f"{path}[{i}]", skip=skip)


def registry(cfg: Mapping[str, Any]) -> dict[str, SourceDocument]:
    """The documents of a (merged) configuration, by id."""
    out = {}
    for code, entry in (cfg.get(DOCUMENTS) or {}).items():
        out[code] = SourceDocument(
            id=code, kind=entry["kind"], issuer=entry.get("issuer", ""), number=entry.get("number", ""),
            date=dt.date.fromisoformat(entry["date"]) if entry.get("date") else None, title=entry.get("title", ""),
            url=entry.get("url", ""), sha256=entry.get("sha256", ""), describes=tuple(entry.get("describes", ())))
    return out


def resolve(source: Mapping[str, Any], documents: Mapping[str, SourceDocument]) -> Citation:
    """
    The :class:`Citation` of a ``source`` block, with the registry's description of its documents.

    :raises KeyError: the block names a document the registry does not list (checked when
        the configuration loads, so only a plugin's own citations can get here).
    """
    kind = source.get("kind")
    doc = documents[source["document"]] if source.get("document") else None
    via = documents[source["via"]] if source.get("via") else None
    if kind == DEFAULT or doc is None:
        return Citation.default(source.get("note", ""), document=doc, section=source.get("section", ""), via=via)
    return Citation.of(doc, section=source.get("section", ""), quote=source.get("quote", ""),
                       note=source.get("note", ""), via=via)


def _unknown(path: str, value: Any, documents: Mapping[str, Any]) -> ErrorDetail:
    if not documents:
        return ErrorDetail(path, Message("unknown document: the registry (documents:) lists none; add it there"),
                           value, "ref:documents")
    return ErrorDetail(path, Message("unknown document; known documents: {known}", known=", ".join(sorted(documents))),
                       value, "ref:documents")


def block_errors(path: str, src: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]]) -> list[ErrorDetail]:
    """What is wrong with one citation block against a registry (raw ``documents:`` entries)."""
    errors = []
    doc_id, via_id = src.get("document"), src.get("via")
    if doc_id is not None and doc_id not in documents:
        errors.append(_unknown(f"{path}.document", doc_id, documents))
    if via_id is not None:
        via = documents.get(via_id)
        if via is None:
            errors.append(_unknown(f"{path}.via", via_id, documents))
        elif doc_id is not None and doc_id not in via.get("describes", ()):
            errors.append(ErrorDetail(
                f"{path}.via", Message("{via} is not an article describing {document}: add {document} to its"
                                       " `describes`, or cite the article itself", via=via_id, document=doc_id),
                via_id, "ref:documents.describes"))
    quoted = via_id if via_id is not None else doc_id
    if src.get("quote") and quoted is not None and quoted in documents and not documents[quoted].get("sha256"):
        errors.append(ErrorDetail(
            f"{path}.quote", Message("verbatim quote of {document}, whose registry entry does not say which text it"
                                     " was checked against: add its sha256, or drop the quote and give the section",
                                     document=quoted), quoted, "documents.sha256"))
    return errors


def tree_errors(tree: Any, territory: Territory) -> list[ErrorDetail]:
    """
    Every citation of a plugin's own tables (or any tree) checked against a territory's
    registry, by JSON path: the documents it names exist, an article it is read through
    describes the act, a quote has a text to be checked against.
    """
    documents = territory.data.get(DOCUMENTS) or {}
    return [e for path, src in source_blocks(tree) for e in block_errors(path, src, documents)]


def source_errors(cfg: Mapping[str, Any]) -> list[ErrorDetail]:
    """
    Every citation of a merged configuration checked against its registry: the documents it
    names exist, an article it is read through describes the act, a quote has a text.
    """
    documents = cfg.get(DOCUMENTS) or {}
    errors: list[ErrorDetail] = []
    for code, entry in documents.items():
        for i, act in enumerate(entry.get("describes", ())):
            if act not in documents:
                errors.append(_unknown(f"$.documents.{code}.describes[{i}]", act, documents))
    tree = {k: v for k, v in cfg.items() if k != DOCUMENTS}
    for path, src in source_blocks(tree):
        errors += block_errors(path, src, documents)
    return errors


# --------------------------------------------------------------------------- quotes against texts


def normalise_text(text: str) -> str:
    """Whitespace collapsed and markdown emphasis dropped, to compare a quote with its text."""
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


def _hash_files(texts: Path | Iterable[Path]) -> dict[str, Path]:
    folders = [texts] if isinstance(texts, Path | str) else list(texts)
    found: dict[str, Path] = {}
    for folder in folders:
        base = Path(folder)
        if not base.is_dir():
            continue
        for file in sorted(base.rglob("*")):
            if file.is_file():
                found.setdefault(hashlib.sha256(file.read_bytes()).hexdigest(), file)
    return found


def find_texts(territory: Territory, texts: Path | Iterable[Path]) -> dict[str, Path]:
    """
    The texts of the territory's registry documents found in a folder (or folders), by
    document id: a file matches a document when its SHA-256 is the registry's ``sha256``.
    """
    by_hash = _hash_files(texts)
    return {code: by_hash[doc.sha256] for code, doc in sorted(territory.documents.items())
            if doc.sha256 and doc.sha256 in by_hash}


def _files(territory: Territory, extra: Iterable[Path]) -> list[tuple[str, Path]]:
    """The files whose citations are checked: the chain's layers, their instruments, and ``extra``."""
    out: list[tuple[str, Path]] = []
    for layer in territory.layers:
        folder = territory.layer_dirs.get(layer.territory)
        if folder is None:
            continue
        out.append((layer.file, folder / "territory.yaml"))
    for code, entry in sorted(territory.section("instruments").items()):
        if "schema" in entry:
            try:
                path = territory.instrument_path(code)
            except InclusioneError:
                continue
            out.append((f"{path.parent.parent.name}/{path.parent.name}/{path.name}", path))
    out += [(f"{Path(p).parent.name}/{Path(p).name}", Path(p)) for p in extra]
    return out


def _read(path: Path) -> Any:
    from ._reader import read_json, read_yaml  # noqa: PLC0415

    return read_json(path, case=False) if path.suffix == ".json" else read_yaml(path).data


def check_quotes(territory: Territory, texts: Path | Iterable[Path], *, files: Iterable[Path] = ()
                 ) -> dict[str, list[ErrorDetail]]:
    """
    Check every quote of a territory against the texts of its registry documents.

    For each document whose text is found in ``texts`` (a folder, or folders, searched
    recursively; a file is a document's text when its SHA-256 is the registry's), every
    quote citing it (or read through it, ``via``) must occur in the text verbatim, whitespace
    and markdown emphasis aside. The citations checked are those of every layer of the chain,
    of the instruments' schemas (``x-source``) and of ``files`` (a plugin's own tables).
    Documents whose text is not found are not checked: :func:`find_texts` tells which are.

    :return: the problems by file (as the layer names it: ``prato/territory.yaml``), each
        with the JSON path of the quote; empty when every quote is found.
    """
    by_id = find_texts(territory, texts)
    normalised = {code: normalise_text(path.read_text(encoding="utf-8")) for code, path in by_id.items()}
    documents = territory.data.get(DOCUMENTS) or {}
    problems: dict[str, list[ErrorDetail]] = {}
    for name, path in _files(territory, files):
        found: list[ErrorDetail] = []
        for where, src in source_blocks(_read(path)):
            errors = block_errors(where, src, documents)
            found += errors
            quoted = src.get("via") or src.get("document")
            if errors or not src.get("quote") or quoted not in normalised:
                continue
            if normalise_text(str(src["quote"])) not in normalised[quoted]:
                found.append(ErrorDetail(f"{where}.quote", Message("quote not found in the text of {document}",
                                                                   document=quoted), src["quote"], "quote"))
        if found:
            problems[name] = found
    return problems
