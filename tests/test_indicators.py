"""Monitoring indicators per ambito (issue 15, item 6): counts, shares, suppression, rejections, the CLI."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import Assessed, Case, Engine, IndicatorReport, InputError, Result, indicators
from inclusione_core._schema import validate_instance
from inclusione_core.cli import main
from inclusione_core.render import indicators_text
from inclusione_core.testing import minimal_case_json

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "territories" / "piemonte" / "examples"
DAY = dt.date(2025, 3, 20)
TORINO, CUNEO = "001272", "004078"


def example(name: str) -> dict[str, Any]:
    """A Piemonte example case (JSON)."""
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def variant(name: str, case_id: str, municipality: str | None) -> dict[str, Any]:
    """An example case under another id, in another municipality (None: no municipality code)."""
    data = copy.deepcopy(example(name))
    data["id"] = case_id
    data["household"]["id"] = f"H-{case_id}"
    if municipality is None:
        data["household"].pop("municipality_code", None)
    else:
        data["household"]["municipality_code"] = municipality
    return data


@pytest.fixture(scope="module")
def engine() -> Engine:
    """One engine for the module (the configurations compiled once)."""
    return Engine()


def assess(engine: Engine, cases: list[dict[str, Any]]) -> list[Assessed]:
    """Each case assessed as of DAY with Piemonte's rules."""
    return list(engine.assess_each(cases, as_of=DAY, territory="piemonte"))


def batch(torino: int, cuneo: int, elsewhere: int = 0) -> list[dict[str, Any]]:
    """Torino cases (the CSM mother: AdI, extended equipe), Cuneo cases (the long-term unemployed: SFL), others."""
    cases = [variant("senza_condizioni_lavoro", f"to-{i}", TORINO) for i in range(torino)]
    cases += [variant("occupabilita_bassa", f"cn-{i}", CUNEO) for i in range(cuneo)]
    cases += [variant("occupabilita_bassa", f"xx-{i}", "999999" if i % 2 else None) for i in range(elsewhere)]
    return cases


def counts(report: IndicatorReport, code: str) -> list[int | float | None]:
    """The values of an indicator per group (Torino, Cuneo, not given), then the territory's."""
    indicator = report.get(code)
    return [c.value for c in indicator.cells] + [indicator.total.value]


# --------------------------------------------------------------------------- counts and shares


def test_two_ambiti_counts_and_shares(engine: Engine) -> None:
    """Torino and Cuneo cases fall in their ambiti: households, measures, equipe, needs, shares, pp differences."""
    report = indicators(assess(engine, batch(torino=3, cuneo=1)), engine.territory("piemonte"), min_cell=1)
    assert [g.ambito for g in report.groups] == ["esempio_torino", "esempio_cuneo", None]
    assert [g.label_it for g in report.groups] == ["Ambito di esempio: Torino", "Ambito di esempio: Cuneo",
                                                   "ambito non indicato"]
    assert counts(report, "nuclei") == [3, 1, 0, 4]
    assert counts(report, "misure.almeno_una") == [3, 1, 0, 4]
    assert counts(report, "misure.adi") == [3, 0, 0, 3]
    assert counts(report, "misure.sfl") == [0, 1, 0, 1]
    assert "misure.sia" not in {i.code for i in report.indicators}  # out of force in 2025: no row
    assert counts(report, "equipe.convocata") == [3, 1, 0, 4]
    assert counts(report, "equipe.allargata") == [3, 0, 0, 3]  # the CSM joins the EM di base in Torino
    assert counts(report, "equipe.componenti_medi") == [3.0, 2.0, None, 2.75]
    assert counts(report, "bisogni.salute_mentale") == [3, 0, 0, 3]
    assert counts(report, "interventi.percorso_terapeutico") == [3, 0, 0, 3]
    adi = report.get("misure.adi")
    assert [c.rate for c in adi.cells] == [1.0, 0.0, None]  # no household without an ambito: no share
    assert adi.total.rate == 0.75
    assert [c.difference_pp for c in adi.cells] == [25.0, -75.0, None]
    assert report.assessed == 4 and report.rejected == () and report.as_of == DAY
    assert report.network_example is True


def test_each_family_serves_the_objective_the_layer_quotes(engine: Engine) -> None:
    """Piemonte's objectives cite the article verbatim and say it is practice; each family serves one."""
    report = indicators(assess(engine, batch(1, 1)), engine.territory("piemonte"), min_cell=1)
    by_code = {o.code: o for o in report.objectives}
    assert list(by_code) == ["accesso_misure", "presa_in_carico_multidisciplinare", "riequilibrio_territoriale",
                             "fabbisogni_interventi"]
    assert by_code["riequilibrio_territoriale"].source.quote.startswith("riequilibrare le disparità sul territorio")
    assert "articolo descrittivo di una prassi, non vincolante" in by_code["accesso_misure"].source.text_it
    assert {i.family: i.objective for i in report.indicators} == {
        "nuclei": "accesso_misure", "misure": "accesso_misure", "equipe": "presa_in_carico_multidisciplinare",
        "bisogni": "fabbisogni_interventi", "dimensioni": "fabbisogni_interventi",
        "interventi": "fabbisogni_interventi"}
    layer = indicators([], engine.territory("piemonte"))
    assert layer.min_cell == 5 and layer.min_cell_source.is_default  # the layer's own default, said as such
    assert "un conteggio sotto 5 nuclei" in layer.min_cell_source.text_it
    assert indicators([], engine.territory("italia")).min_cell_source.text_it.startswith(
        "impostazione predefinita, modificabile: nessuna fonte fissa il numero minimo")


def test_households_without_an_ambito_are_a_group_of_their_own(engine: Engine) -> None:
    """A municipality the network does not list, or none given: the group "ambito non indicato"."""
    report = indicators(assess(engine, batch(torino=1, cuneo=0, elsewhere=2)), engine.territory("piemonte"),
                        min_cell=1)
    assert counts(report, "nuclei") == [1, 0, 2, 3]
    assert report.cell("misure.sfl", None).value == 2
    assert report.cell("misure.sfl", None).rate == 1.0


def test_a_territory_without_a_network_is_one_group(engine: Engine) -> None:
    """Without `network:` the households form one group, the whole territory, and the report still comes."""
    cases = [minimal_case_json(id=f"c-{i}") for i in range(2)]
    report = indicators(engine.assess_each(cases, as_of=DAY), engine.territory("italia"), min_cell=1)
    (group,) = report.groups
    assert group.ambito is None and group.label_it.startswith("intero territorio")
    assert counts(report, "nuclei") == [2, 2]
    assert report.network_source is None and report.objectives == ()
    assert {i.objective for i in report.indicators} == {None}
    assert "Indicatori non collegati a un obiettivo del territorio" in indicators_text(report)


# --------------------------------------------------------------------------- suppression


def test_small_counts_are_suppressed_with_a_complementary_cell(engine: Engine) -> None:
    """Below 5 households a cell is suppressed, and so is the next smallest: the total less those shown hides both."""
    report = indicators(assess(engine, batch(torino=6, cuneo=7, elsewhere=2)), engine.territory("piemonte"))
    households = report.get("nuclei")
    assert [c.suppressed for c in households.cells] == [True, False, True]  # 2 < 5, and Torino's 6 with it
    assert [c.value for c in households.cells] == [None, 7, None]
    assert households.total.value == 15
    sfl = report.get("misure.sfl")  # Cuneo 7, the others 2: Torino's 0 is shown, the 2 pinned by nothing
    assert [c.value for c in sfl.cells] == [0, None, None] and sfl.total.value == 9
    assert [c.rate for c in sfl.cells] == [None, None, None]  # Torino's households are hidden: no share
    text = indicators_text(report)
    assert "soppresso" in text and "sotto 5 nuclei" in text
    data = report.to_json()
    cell = data["indicators"][0]["cells"][2]
    assert cell == {"ambito": None, "value": None, "suppressed": True, "rate": None, "difference_pp": None}


def test_no_hidden_cell_is_the_total_less_those_shown(engine: Engine) -> None:
    """Every row whose total is shown hides no cell alone, nor fewer than the minimum households together."""
    report = indicators(assess(engine, batch(torino=6, cuneo=9, elsewhere=3)), engine.territory("piemonte"))
    for indicator in report.indicators:
        if indicator.kind != "count" or indicator.total.suppressed:
            continue
        hidden = [c for c in indicator.cells if c.suppressed]
        shown = sum(int(c.value or 0) for c in indicator.cells if not c.suppressed)
        assert len(hidden) != 1, indicator.code
        if hidden:
            assert int(indicator.total.value or 0) - shown >= report.min_cell, indicator.code


def test_a_count_close_to_the_whole_group_is_suppressed(engine: Engine) -> None:
    """All but a few of a group (9 of 10 households with a need) is suppressed: the few would be singled out."""
    cases = batch(torino=0, cuneo=10)
    cases[0]["assessment"]["needs"] = [n for n in cases[0]["assessment"]["needs"] if n["code"] != "formazione"]
    cases += batch(torino=0, cuneo=0, elsewhere=10)
    for c in cases[10:]:
        c["id"] = c["id"].replace("xx", "yy")
    report = indicators(assess(engine, cases), engine.territory("piemonte"))
    assert report.cell("bisogni.formazione", "esempio_cuneo").suppressed
    assert report.cell("bisogni.lavoro", "esempio_cuneo").value == 10  # the whole group: shown


@st.composite
def draws(draw: st.DrawFn) -> list[tuple[str, str | None]]:
    """Households: an example and a municipality each (Torino, Cuneo, unlisted, none)."""
    return draw(st.lists(st.tuples(st.sampled_from(["senza_condizioni_lavoro", "occupabilita_bassa"]),
                                   st.sampled_from([TORINO, CUNEO, "999999", None])), max_size=14))


@pytest.fixture(scope="module")
def pool(engine: Engine) -> Callable[[str, str | None], tuple[Case, Result]]:
    """Each example in each municipality, assessed once (a drawn household reuses it under a new id)."""
    made: dict[tuple[str, str | None], tuple[Case, Result]] = {}

    def get(name: str, municipality: str | None) -> tuple[Case, Result]:
        if (name, municipality) not in made:
            case = engine.load_case(variant(name, f"{name}-{municipality}", municipality))
            made[name, municipality] = (case, engine.assess(case, as_of=DAY, territory="piemonte"))
        return made[name, municipality]

    return get


@settings(max_examples=40, deadline=None)
@given(households=draws(), k=st.sampled_from([1, 2, 5]))
def test_totals_are_the_sum_over_the_groups_and_no_case_id_leaves(
        households: list[tuple[str, str | None]], k: int, pool: Callable[[str, str | None], tuple[Case, Result]],
        engine: Engine) -> None:
    """Nothing suppressed: each count's total is the sum of its groups; never a case or household id in the output."""
    pairs = []
    for i, (name, municipality) in enumerate(households):
        case, result = pool(name, municipality)
        case_id = f"CASO-SEGRETO-{i:03d}"
        case = attrs.evolve(case, id=case_id, household=attrs.evolve(case.household, id=f"NUCLEO-SEGRETO-{i:03d}"))
        pairs.append((case, attrs.evolve(result, case_id=case_id)))
    report = indicators(pairs, engine.territory("piemonte"), min_cell=k)
    for indicator in report.indicators:
        if indicator.kind != "count":
            continue
        cells = [indicator.total, *indicator.cells]
        if not any(c.suppressed for c in cells):
            assert indicator.total.value == sum(int(c.value or 0) for c in indicator.cells), indicator.code
    if k == 1:
        assert not any(c.suppressed for i in report.indicators for c in (i.total, *i.cells))
    out = json.dumps(report.to_json(), ensure_ascii=False) + indicators_text(report, "it") + \
        indicators_text(report, "en")
    assert "SEGRETO" not in out and "m1" not in json.dumps(report.to_json())
    assert validate_instance("report", report.to_json()) == []


# --------------------------------------------------------------------------- errors and rejections


def test_a_bad_case_is_counted_as_rejected(engine: Engine) -> None:
    """A case that cannot be read is not counted, and is named among the rejected (never silently dropped)."""
    cases: list[Any] = [*batch(1, 1), {"id": "rotto", "territory": "piemonte", "opened_on": "2025-02-30"}]
    report = indicators(assess(engine, cases), engine.territory("piemonte"), min_cell=1)
    assert report.assessed == 2 and report.rejected == ("<case 2>",)
    assert report.to_json()["cases"] == {"assessed": 2, "rejected": 1, "rejected_sources": ["<case 2>"]}


def test_a_case_twice_or_of_another_territory_is_an_input_error(engine: Engine) -> None:
    """The same case twice, or a result of another territory: an InputError listing each, with its path."""
    (one,) = [(a.case, a.result) for a in assess(engine, batch(1, 0))]
    italia = engine.load_case(minimal_case_json())
    other = (italia, engine.assess(italia, as_of=DAY))
    with pytest.raises(InputError) as caught:
        indicators([one, one, other], engine.territory("piemonte"))  # type: ignore[list-item]
    assert [(d.path, d.rule) for d in caught.value.details] == [("$[1].case_id", "unique"),
                                                                 ("$[2].territory", "territory")]
    with pytest.raises(InputError):
        indicators([], engine.territory("piemonte"), min_cell=0)


# --------------------------------------------------------------------------- the command line


def run(*args: str | Path, stdin: str | None = None) -> tuple[int, str, str]:
    """``inclusione ARGS...`` in-process: (exit status, stdout, stderr)."""
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


def write_jsonl(path: Path, cases: list[Any], bad: str | None = None, at: int = 1) -> Path:
    lines = [json.dumps(c) for c in cases]
    if bad is not None:
        lines.insert(at, bad)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_report_in_italian_and_english(tmp_path: Path) -> None:
    """`inclusione report` prints the objectives, their sources and the counts per ambito, in Italian or English."""
    file = write_jsonl(tmp_path / "casi.jsonl", batch(torino=5, cuneo=6))
    code, out, err = run("report", "--territory", "piemonte", file, "--as-of", "2025-03-20")
    assert code == 0, err
    assert out.startswith("Indicatori di monitoraggio — piemonte")
    for text in ("Obiettivo: Accesso dei destinatari alle misure di inclusione attiva",
                 "«favorire",
                 "articolo descrittivo di una prassi, non vincolante", "Ambito di esempio: Torino",
                 "nuclei con i requisiti di: Assegno di Inclusione (AdI)", "casi contati: 11; scartati: 0"):
        assert text in out, text
    assert "to-0" not in out and "H-to" not in out
    code, out, _ = run("--lang", "en", "report", "--territory", "piemonte", file, "--as-of", "2025-03-20")
    assert code == 0
    assert "Monitoring indicators — piemonte" in out and "Objective: Access of the recipients" in out
    assert "ambito not given" in out and "cases counted: 11; rejected: 0" in out


def test_cli_report_json_is_valid_and_counts_a_bad_line(tmp_path: Path) -> None:
    """A bad line: its typed error on stderr (line, path, value, rule), rejected in the report, exit 2; valid JSON."""
    file = write_jsonl(tmp_path / "casi.jsonl", batch(torino=2, cuneo=1),
                       bad='{"id": "x", "territory": "piemonte", "opened_on": "2025-02-30", "household": '
                           '{"id": "h", "members": [{"id": "m1"}]}}', at=1)
    code, out, err = run("--json", "report", "--territory", "piemonte", file, "--as-of", "2025-03-20")
    assert code == 2
    assert f"{file}:2" in err and "$.opened_on" in err and "2025-02-30" in err and "[regola: format]" in err
    assert "casi letti: 4; contati: 3; scartati: 1" in err
    data = json.loads(out)
    assert validate_instance("report", data) == []
    assert data["cases"] == {"assessed": 3, "rejected": 1, "rejected_sources": [f"{file}:2"]}
    assert data["territory"] == "piemonte" and data["as_of"] == "2025-03-20"
    assert "to-0" not in out


def test_cli_report_rejects_a_case_given_twice_and_unreadable_lines(tmp_path: Path) -> None:
    """A case given twice is rejected the second time (typed error), a line that is not JSON too; the rest counted."""
    cases = batch(torino=1, cuneo=1)
    file = write_jsonl(tmp_path / "casi.jsonl", [*cases, cases[0]], bad="{non json", at=0)
    code, out, err = run("--json", "report", "--territory", "piemonte", file, "--as-of", "2025-03-20")
    assert code == 2
    assert "caso contato due volte" in err and f"{file}:2" in err and "[regola: unique]" in err
    assert f"{file}:1" in err
    assert json.loads(out)["cases"]["rejected_sources"] == [f"{file}:1", f"{file}:4"]


def test_cli_report_needs_a_known_territory(tmp_path: Path) -> None:
    """An unknown territory: exit 2 with the error, no report and no traceback."""
    file = write_jsonl(tmp_path / "casi.jsonl", batch(1, 0))
    code, out, err = run("report", "--territory", "lombardia", file)
    assert code == 2 and out == "" and "lombardia" in err
