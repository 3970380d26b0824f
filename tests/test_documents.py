"""The documents registry: what every citation names, how it reads, and the quote check."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from inclusione_core import ConfigurationError, Engine, Territory, get_plugin_manager
from inclusione_core.cli import main
from inclusione_core.rules import check_quotes, find_texts
from inclusione_core.testing import quote_problems, source_blocks

ROOT = Path(__file__).resolve().parents[1]
TERRITORIES = ROOT / "territories"
TEXTS = ROOT.parent / "shared" / "seeds"
"""Where the project's source texts are, beside the repository (they are not part of the product)."""
FILE_NAME = re.compile(r"[0-9]{3}_[0-9a-f]{16}\.txt|DOMAIN\.md")
"""What a citation must never print: where a text sits here, or the project's own notes."""

Writer = Callable[[str, str], Path]

HEAD = """
id: zona
label: {it: Zona, en: Zone}
level: zona
extends: italia
version: "1"
"""
TEXT = "Le equipe multiprofessionali trattano tutti i casi.\n\nIl *servizio* accoglie chi arriva.\n"


def engine_for(root: Path) -> Engine:
    return Engine(config_dirs=[root], plugin_manager=get_plugin_manager(load_entrypoints=False))


def zone(write_layer: Writer, body: str) -> Territory:
    return engine_for(write_layer("zona", HEAD + body)).territory("zona")


def details(write_layer: Writer, body: str) -> list[tuple[str, str, object]]:
    with pytest.raises(ConfigurationError) as info:
        zone(write_layer, body)
    return [(d.path, d.rule, d.value) for d in info.value.details]


# --------------------------------------------------------------------------- the registry when a layer loads


def test_a_source_naming_an_unknown_document_lists_the_known_ones(write_layer: Writer) -> None:
    """A `document` (or `via`) that the registry does not list is an error at its path, with the known ids."""
    body = ("needs:\n  sfratto: {label: {it: S, en: E}, dimension: abitare,"
            " source: {document: dgrt_1, section: x}}\n")
    with pytest.raises(ConfigurationError) as info:
        zone(write_layer, body)
    (detail,) = info.value.details
    assert (detail.path, detail.rule, detail.value) == ("$.needs.sfratto.source.document", "ref:documents", "dgrt_1")
    assert detail.message.startswith("documento sconosciuto; documenti noti: accordo_tirocini_inclusione_2015")
    assert detail.message.text("en").startswith("unknown document; known documents: accordo_tirocini")


def test_an_act_is_read_only_through_an_article_that_describes_it(write_layer: Writer) -> None:
    """`via` names an article whose `describes` lists the act; a quote needs the text it was checked against."""
    registry = ("documents:\n"
                "  atto: {kind: delibera, issuer: Regione, number: \"DGR n. 1/2024\"}\n"
                "  articolo: {kind: articolo_descrittivo, title: Articolo, describes: [atto]}\n")
    cited = "needs:\n  sfratto: {label: {it: S, en: E}, dimension: abitare, source: %s}\n"
    found = details(write_layer, registry.replace(", describes: [atto]", "")
                    + cited % "{document: atto, via: articolo, section: x}")
    assert found == [("$.needs.sfratto.source.via", "ref:documents.describes", "articolo")]
    found = details(write_layer, registry + cited % "{document: atto, via: articolo, quote: parole}")
    assert found == [("$.needs.sfratto.source.quote", "documents.sha256", "articolo")]
    territory = zone(write_layer, registry + cited % "{document: atto, via: articolo, section: Le equipe}")
    source = territory.citation(territory.section("needs")["sfratto"]["source"])
    assert (source.document, source.binding, source.via and source.via.id) == ("atto", True, "articolo")
    assert str(source) == ('Regione, DGR n. 1/2024, nella descrizione di "Articolo" (articolo descrittivo di atti,'
                           ' non vincolante), § Le equipe')


def test_the_old_citations_are_refused(write_layer: Writer) -> None:
    """`kind: seed` or `law`, and a default with a quote, are no longer citations: the schema says where."""
    for source in ("{kind: seed, document: 002_x.txt, quote: parole}", "{kind: law, document: \"L. 1/2000\"}",
                   "{kind: default, note: n, quote: parole}"):
        body = f"needs:\n  sfratto: {{label: {{it: S, en: E}}, dimension: abitare, source: {source}}}\n"
        found = details(write_layer, body)
        assert found and all(path.startswith("$.needs.sfratto.source") for path, _rule, _value in found), source


def test_a_child_layer_adds_documents_and_cites_its_parents(write_layer: Writer) -> None:
    """The registry is inherited along extends: a zone cites the national acts and adds its own documents."""
    territory = zone(write_layer,
                     "documents:\n  delibera_zona: {kind: delibera, issuer: Zona, number: \"n. 3/2025\"}\n")
    assert {"dlgs_147_2017", "delibera_zona"} <= set(territory.documents)
    assert territory.documents["delibera_zona"].binding
    assert not territory.documents["accordo_tirocini_inclusione_2015"].binding


# --------------------------------------------------------------------------- the quote check


def test_quotes_are_checked_against_the_text_found_by_its_sha256(write_layer: Writer, tmp_path: Path) -> None:
    """A quote must occur in its document's text (whitespace and emphasis aside); a text found by sha256, any name."""
    texts = tmp_path / "testi"
    texts.mkdir()
    (texts / "qualunque_nome.txt").write_text(TEXT, encoding="utf-8")
    (texts / "altro.txt").write_text("altro testo", encoding="utf-8")
    digest = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    body = (f"documents:\n  linee: {{kind: linee_guida, issuer: Zona, title: Linee, sha256: {digest}}}\n"
            "needs:\n"
            "  a: {label: {it: A, en: A}, dimension: abitare,"
            " source: {document: linee, quote: \"Il servizio   accoglie\"}}\n"
            "  b: {label: {it: B, en: B}, dimension: abitare, source: {document: linee, quote: \"non c'è\"}}\n")
    territory = zone(write_layer, body)
    assert find_texts(territory, texts) == {"linee": texts / "qualunque_nome.txt"}
    problems = check_quotes(territory, texts)
    assert list(problems) == ["zona/territory.yaml"]
    ((path, value, rule),) = [(d.path, d.value, d.rule) for d in problems["zona/territory.yaml"]]
    assert (path, value, rule) == ("$.needs.b.source.quote", "non c'è", "quote")
    assert quote_problems(territory, texts, expect=["linee"]) == [
        "zona/territory.yaml: $.needs.b.source.quote: citazione non trovata nel testo di linee (\"non c'è\")"]
    # where the text is not present nothing is checked, and an expected text that is missing is a problem
    assert check_quotes(territory, tmp_path / "altrove") == {}
    assert quote_problems(territory, tmp_path / "altrove", expect=["linee"]) == [
        "linee: text not found (no file with its sha256)"]


@pytest.fixture(scope="module")
def reference() -> dict[str, Territory]:
    engine = Engine()
    return {t.id: engine.territory(t.id) for t in engine.territories()}


def test_every_citation_of_the_reference_territories_names_a_registry_document(
        reference: dict[str, Territory]) -> None:
    """Layers (the SIL's section included) and instruments' x-source: every citation resolves in the registry."""
    for code, territory in reference.items():
        assert check_quotes(territory, []) == {}, code
    for path in sorted(TERRITORIES.rglob("*")):  # layers, instruments, examples, scenarios
        if path.is_file():
            assert not FILE_NAME.search(path.read_text(encoding="utf-8")), path


def test_no_citation_is_a_file_name_or_a_default_in_quotes(reference: dict[str, Territory]) -> None:
    """What a citation prints names documents as an operator recognises them; a default is never inside «»."""
    for territory in reference.values():
        for _path, src in source_blocks(territory.data):
            cite = territory.citation(src)
            for text in (cite.text_it, cite.text_en):
                assert not FILE_NAME.search(text), text
                if cite.is_default:
                    assert "«" not in text and not cite.quote, text
                    assert text.startswith(("impostazione predefinita, modificabile", "default setting, can be"))


@pytest.mark.skipif(not os.environ.get("CI") and not TEXTS.is_dir(),
                    reason="source texts not beside the repository (in CI they are, and the test runs)")
def test_every_quote_of_the_reference_territories_is_verbatim(reference: dict[str, Territory]) -> None:
    """Wherever the texts are, every quote of every reference territory occurs in its document's text."""
    for territory in reference.values():
        quoted = {s.get("via") or s.get("document") for _p, s in source_blocks(territory.data) if s.get("quote")}
        assert quote_problems(territory, TEXTS, expect=sorted(quoted)) == []


# --------------------------------------------------------------------------- what an operator reads


@pytest.mark.parametrize("args", [("demo",), ("--json", "--explain", "full", "demo"), ("--json", "demo"),
                                  ("--lang", "en", "demo")])
def test_demo_names_no_file(args: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    """No reason of `inclusione demo`, as text or JSON (full or compact), cites a file name or DOMAIN.md."""
    assert main(list(args)) == 0
    out, _err = capsys.readouterr()
    assert FILE_NAME.findall(out) == []
    if "--json" in args and "full" not in args:  # compact: the citations' own parts, no rendered text
        sources = [r["source"] for line in out.splitlines() for r in _reasons(json.loads(line)["result"])]
        assert sources and all("text_it" not in s and s["kind"] for s in sources)
        assert any(s.get("document") == "dgrt_544_2023" for s in sources)
    elif "--json" in args:
        sources = [r["source"] for line in out.splitlines() for r in _reasons(json.loads(line)["result"])]
        assert sources and all(s["text_it"] and s["text_en"] for s in sources)
        assert any(s["text_it"].startswith("Regione Toscana, DGRT n. 544/2023") for s in sources)
        assert any(s["kind"] == "default" and s["text_it"].startswith("impostazione predefinita, modificabile")
                   for s in sources)
    elif "en" in args:
        assert "default setting, can be changed" in out and "article describing a practice, not binding" in out
    else:
        assert "Fonte: Regione Toscana, DGRT n. 544/2023, nella descrizione di" in out
        assert "articolo descrittivo di una prassi, non vincolante" in out
        assert "linee guida, non vincolanti" in out


def _reasons(node: object) -> list[dict[str, object]]:
    if isinstance(node, dict):
        found = [node] if "source" in node and "rule" in node else []
        return found + [r for value in node.values() for r in _reasons(value)]
    if isinstance(node, list):
        return [r for value in node for r in _reasons(value)]
    return []
