"""
Privacy that holds against inference (issue 10): the findings of the adversarial review,
each a regression test, and the checks that keep a configuration from widening disclosure.

The differential property test (``test_privacy_differential``) generalises the first group:
what a recipient receives is the same whatever data it may not receive.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inclusione_core import ConfigurationError, Engine, InvalidCaseError, View
from inclusione_core._render import result_text
from inclusione_core.testing import FixedClock

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC)


def example(territory: str, name: str) -> dict[str, Any]:
    """An example case of a reference territory, as JSON."""
    path = ROOT / "territories" / territory / "examples" / name
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The installed territories, disclosing on 2 June 2025."""
    engine = Engine(clock=FixedClock(NOW))
    if "prato" not in engine.index.ids() or "sil" not in engine.index.ids():
        pytest.skip("the Prato and SIL plugins are not installed")
    return engine


def cpi_view(engine: Engine, data: dict[str, Any], as_of: dt.date, purpose: str = "referral") -> tuple[str, str]:
    """The CPI's view of the result (JSON) and its text."""
    case = engine.load_case(data)
    view = engine.disclose_result(engine.assess(case, as_of=as_of), case, recipient="cpi", purpose=purpose)
    text = result_text(view, engine.territory(case.territory))
    return json.dumps(_out(engine, view), sort_keys=True), text


def _out(engine: Engine, view: View) -> dict[str, Any]:
    return {"data": view.data, "disclosed": engine.to_json(list(view.disclosed)),
            "not_disclosed": engine.to_json(list(view.not_disclosed)), "masked": list(view.masked)}


def with_need(data: dict[str, Any], code: str, member: str | None = "m1") -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    data["assessment"]["needs"].append({"code": code, "member": member, "severity": 2})
    return data


# --------------------------------------------------------------------------- the review's findings

SOLO = "solo_lavoro.json"
SOLO_AS_OF = dt.date(2025, 3, 3)


@pytest.mark.parametrize("change", [
    lambda d: with_need(d, "dipendenze"),
    lambda d: with_need(d, "disabilita"),
    lambda d: with_need(d, "salute_mentale", None),
    lambda d: {**d, "household": {**d["household"], "members": [
        {**d["household"]["members"][0], "in_socio_sanitary_care": True}, *d["household"]["members"][1:]]}},
], ids=["dipendenze", "disabilita", "salute_mentale", "in_socio_sanitary_care"])
def test_the_cpi_cannot_read_a_special_category_off_the_mask(engine: Engine,
                                                             change: Callable[[dict[str, Any]], Any]) -> None:
    """solo_lavoro for the CPI (referral) is the same, masks included, with an addiction, disability,
    mental-health need or a member in socio-sanitary care."""
    base = example("prato", SOLO)
    plain, plain_text = cpi_view(engine, base, SOLO_AS_OF)
    other, other_text = cpi_view(engine, change(base), SOLO_AS_OF)
    assert plain == other
    assert plain_text == other_text
    masked = json.loads(plain)["masked"]
    assert {"$.profile.profile.complexity", "$.profile.profile.activability", "$.routing", "$.equipe"} <= set(masked)


def test_masked_equipe_members_say_nothing_of_the_format(engine: Engine) -> None:
    """Where the format is not communicated, no member (nor its reason naming "allargata") is shown."""
    data = example("prato", "dipendenze_e_lavoro.json")
    data["consents"] = []
    shown, text = cpi_view(engine, data, dt.date(2025, 4, 15), "equipe")
    equipe = json.loads(shown)["data"]["equipe"]
    assert (equipe["format"], equipe["members"], equipe["household_takes_part"]) == ("non_comunicato", [], None)
    assert "allargata" not in shown.lower() and "allargata" not in text.lower()
    assert "serd" not in shown.lower()


@pytest.mark.parametrize("sender", [None, "serd", "csm", "sociosanitario"])
def test_a_sender_the_cpi_may_not_know_is_null_like_no_sender(engine: Engine, sender: str | None) -> None:
    """access.from_service is null (never dropped) both with no sender and with a health service as sender."""
    data = example("prato", SOLO)
    data["access"] = {**data["access"], "channel": "invio", "from_service": sender}
    case = engine.load_case(data)
    view = engine.disclose_case(case, recipient="cpi", purpose="referral", as_of=SOLO_AS_OF)
    assert "from_service" in view.data["access"] and view.data["access"]["from_service"] is None


def test_a_hidden_intervention_does_not_remove_the_no_supports_problem(engine: Engine) -> None:
    """'No supports in the project' reads every intervention: masked for the CPI with or without a hidden one."""
    data = example("prato", "progetto_in_corso.json")
    data["project"]["interventions"] = []
    empty, _ = cpi_view(engine, data, dt.date(2025, 3, 20))
    case = engine.load_case(data)
    ssp = engine.disclose_result(engine.assess(case, as_of=dt.date(2025, 3, 20)), case, recipient="ssp",
                                 purpose="assessment")
    assert "progetto.sostegni" in [p["reason"]["rule"] for p in ssp.data["project_problems"]]  # the holder sees it
    data["project"]["interventions"] = [{"code": "inserimento_socio_terapeutico", "start": "2024-10-07"}]
    hidden, _ = cpi_view(engine, data, dt.date(2025, 3, 20))
    assert empty == hidden
    assert "progetto.sostegni" not in [p["reason"]["rule"] for p in json.loads(empty)["data"]["project_problems"]]


@pytest.mark.parametrize("recipient", ["cpi", "casa"])
def test_a_prerequisite_with_a_withheld_provider_does_not_show_through_its_problem(engine: Engine,
                                                                                  recipient: str) -> None:
    """
    "Requires orientamento first" reads the other interventions: an orientamento provided by the
    socio-sanitary service (health data, withheld) must not show by the problem's absence.
    """
    def view(interventions: list[dict[str, Any]]) -> str:
        data = example("prato", "progetto_in_corso.json")
        data["project"]["interventions"] = interventions
        case = engine.load_case(data)
        result = engine.disclose_result(engine.assess(case, as_of=dt.date(2025, 3, 20)), case,
                                        recipient=recipient, purpose="equipe")
        return json.dumps(_out(engine, result), sort_keys=True)

    tirocinio = {"code": "tirocinio_formativo", "provider": "cpi", "start": "2025-01-13", "end": "2025-07-11"}
    hidden = {"code": "orientamento", "provider": "sociosanitario", "start": "2024-10-07", "end": "2024-11-29"}
    assert view([tirocinio]) == view([hidden, tirocinio])
    case = engine.load_case({**example("prato", "progetto_in_corso.json"),
                             "project": {**example("prato", "progetto_in_corso.json")["project"],
                                         "interventions": [tirocinio]}})
    holder = engine.disclose_result(engine.assess(case, as_of=dt.date(2025, 3, 20)), case, recipient="ssp",
                                    purpose="assessment")
    rules = [p["reason"]["rule"] for p in holder.data["project_problems"]]
    assert "interventi.tirocinio_formativo.propedeuticita" in rules  # the case holder sees it


def test_the_sil_grid_reason_does_not_name_a_mental_health_item_to_the_cpi(engine: Engine) -> None:
    """Whether the subjective well-being item is recorded is mental-health data: the CPI sees the same either way."""
    data = example("sil", "l68_invalidita_50.json")
    levels = data["assessment"]["levels"]
    without = {**data, "assessment": {**data["assessment"], "levels": [
        lv for lv in levels if lv["dimension"] != "sil_benessere_soggettivo"]}}
    a, _ = cpi_view(engine, data, dt.date(2025, 3, 10), "equipe")
    b, _ = cpi_view(engine, without, dt.date(2025, 3, 10), "equipe")
    assert a == b
    assert "sil_benessere_soggettivo" not in b and "voci_non_rilevate" not in b


def test_the_elenco_names_no_specialist_recipient_in_what_it_withholds(engine: Engine) -> None:
    """The elenco's 'dati non trasmessi' names no SerD or CSM, which its recipients leave out."""
    from inclusione_prato import build_elenco_nominativo

    cases = [example("prato", n) for n in ("dipendenze_e_lavoro.json", "segnalazione_siil_terzo_settore.json",
                                           "cpi_reinvio_ssp.json")]
    elenco = build_elenco_nominativo(cases, meeting_date=dt.date(2025, 6, 5), engine=engine)
    text = json.dumps([e.get("dati_non_trasmessi") for e in elenco["voci"]], ensure_ascii=False)
    assert "serd" not in text and "csm" not in text and "sociosanitario" not in text
    assert not {"serd", "csm", "sociosanitario"} & set(elenco["destinatari"])


# --------------------------------------------------------------------------- consent bound to its subject


def test_a_childs_consent_does_not_open_a_parents_data(engine: Engine) -> None:
    """In dipendenze_e_lavoro the addiction need is m1's: a consent of m3 (born 2012) opens nothing of it."""
    data = example("prato", "dipendenze_e_lavoro.json")
    data["consents"] = [{"id": "K3", "member": "m3", "categories": ["addiction"], "recipients": ["cpi"],
                         "purposes": ["equipe"], "given_on": "2025-04-02"}]
    with pytest.raises(InvalidCaseError) as info:  # a minor cannot consent by themselves
        engine.check(engine.load_case(data))
    assert [(d.path, d.rule) for d in info.value.details] == [("$.consents[0].representative", "consent_subject")]
    with pytest.raises(InvalidCaseError):
        engine.assess(engine.load_case(data), as_of=dt.date(2025, 4, 15))
    # with the parent as representative the consent is valid, and still only the child's
    data["consents"][0]["representative"] = {"role": "genitore", "name": "Anna Bruni", "member": "m2"}
    case = engine.load_case(data)
    view = engine.disclose_case(case, recipient="cpi", purpose="equipe", as_of=dt.date(2025, 4, 15))
    assert "dipendenze" not in [n["code"] for n in view.data["assessment"]["needs"]]
    (k,) = [d for d in view.disclosed if d.category == "addiction"]
    assert (k.members, k.whole) == (("m3",), False)


def test_a_consent_covers_the_households_data_only_with_every_adult(engine: Engine) -> None:
    """A need of the household as a whole goes out on consent only when every adult member consented."""
    data = example("prato", "dipendenze_e_lavoro.json")
    data["assessment"]["needs"] = [{"code": "dipendenze", "severity": 2}]  # the household's, not m1's

    def shown(*members: str) -> bool:
        data["consents"] = [{"id": f"K{m}", "member": m, "categories": ["addiction"], "recipients": ["cpi"],
                             "purposes": ["equipe"], "given_on": "2025-04-02"} for m in members]
        view = engine.disclose_case(engine.load_case(data), recipient="cpi", purpose="equipe",
                                    as_of=dt.date(2025, 4, 15))
        return "dipendenze" in [n["code"] for n in view.data["assessment"]["needs"]]

    assert not shown("m1")
    assert shown("m1", "m2")  # m3 is a minor: the adults decide for the household's data


@pytest.mark.parametrize("command", ["validate", "assess", "privacy view"])
def test_a_consent_of_a_non_member_is_refused_everywhere(command: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """validate, assess and privacy view refuse alike a consent given by someone not in the household."""
    from inclusione_core.cli import main

    data = example("prato", "dipendenze_e_lavoro.json")
    data["consents"][0]["member"] = "m9"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    args = {"validate": ["validate", str(path)],
            "assess": ["assess", str(path), "--as-of", "2025-04-15"],
            "privacy view": ["privacy", "view", str(path), "--recipient", "cpi", "--purpose", "equipe"]}[command]
    code = main(["--json", *args])
    out = capsys.readouterr().out
    assert code == 2
    assert "$.consents[0].member" in out
    assert ("m9" in out) is (command != "privacy view")  # errors meant for a recipient carry no values


def test_consents_are_judged_when_the_data_leave_not_at_the_rules_date(engine: Engine) -> None:
    """A view as of a past date, asked after the withdrawal, discloses nothing it covers; the audit keeps both dates."""
    data = example("prato", "segnalazione_siil_terzo_settore.json")  # mental-health consent withdrawn 1 April 2025
    case = engine.load_case(data)
    before = Engine(clock=FixedClock(dt.date(2025, 3, 31)))
    view = before.disclose_case(case, recipient="terzo_settore", purpose="equipe", as_of=dt.date(2025, 3, 31))
    assert "salute_mentale" in [n["code"] for n in view.data["assessment"]["needs"]]
    view = engine.disclose_case(case, recipient="terzo_settore", purpose="equipe", as_of=dt.date(2025, 3, 31))
    assert "salute_mentale" not in [n["code"] for n in view.data["assessment"]["needs"]]
    record = engine.disclosure_history(case.id)[-1]
    assert (record.as_of, record.at) == ("2025-03-31", "2025-06-02T10:00:00+00:00")


# --------------------------------------------------------------------------- configuration that widens disclosure

LAYER = """
id: zona
label: {it: Zona, en: Zone}
level: zona
extends: toscana
version: "1"
documents:
  legge_prova: {kind: norma, number: "L. n. 1/2099"}
  linee_prova: {kind: linee_guida, title: "Linee guida di prova"}
"""
SRC = "{kind: default, note: test}"


def _engine(write_layer: Callable[[str, str], Path], text: str) -> Engine:
    return Engine(config_dirs=[write_layer("zona", LAYER + text)])


def test_a_new_flow_of_special_data_by_law_is_refused_unless_acknowledged(
    write_layer: Callable[[str, str], Path],
) -> None:
    """A flow giving health data by law to the CPI needs override: true and a cited act; then it is marked."""
    flow = f"""
privacy:
  flows:
    cpi_salute:
      recipient: cpi
      purpose: referral
      categories: [health]
      basis: law
      legal_basis: {{document: legge_prova, section: "art. 1"}}
      source: {SRC}
"""
    with pytest.raises(ConfigurationError) as info:
        _engine(write_layer, flow).territory("zona")
    (detail,) = info.value.details
    assert (detail.path, detail.rule) == ("$.privacy.flows.cpi_salute", "privacy.widening")
    acknowledged = flow.replace("      recipient: cpi", "      override: true\n      recipient: cpi")
    from inclusione_core import Policy

    rows = {r["flow"]: r for r in Policy(_engine(write_layer, acknowledged).territory("zona")).table()}
    assert rows["cpi_salute"]["special_by_law"] == ["health"]
    # a default naming the act, or guidelines, are not the act that allows it
    for not_an_act in (acknowledged.replace("{document: legge_prova, section:", "{kind: default, note: n, document:"
                                                                                " legge_prova, section:"),
                       acknowledged.replace("document: legge_prova", "document: linee_prova")):
        assert not_an_act != acknowledged
        with pytest.raises(ConfigurationError, match=r"privacy\.widening"):
            _engine(write_layer, not_an_act).territory("zona")


def test_turning_a_consent_flow_into_a_law_flow_is_a_widening(write_layer: Callable[[str, str], Path]) -> None:
    """Overriding the CPI's consent flow to basis law needs the act in legal_basis."""
    with pytest.raises(ConfigurationError, match=r"privacy\.widening"):
        _engine(write_layer, "privacy:\n  flows:\n    cpi_invio_consenso: {override: true, basis: law}\n").territory(
            "zona")
    ok = ('privacy:\n  flows:\n    cpi_invio_consenso: {override: true, basis: law,\n'
          '      legal_basis: {document: legge_prova, section: "art. 1"}}\n')
    flows = _engine(write_layer, ok).territory("zona").section("privacy", "flows")
    assert flows["cpi_invio_consenso"]["basis"] == "law"


def test_reclassifying_a_special_need_is_refused_without_an_act(write_layer: Callable[[str, str], Path]) -> None:
    """Making the addiction need 'social' would let it out by law: refused unless the entry cites an act."""
    with pytest.raises(ConfigurationError) as info:
        _engine(write_layer, "needs:\n  dipendenze: {override: true, data_category: social}\n").territory("zona")
    (detail,) = info.value.details
    assert (detail.path, detail.rule, detail.value) == ("$.needs.dipendenze", "privacy.widening", "dipendenze")
    ok = ("needs:\n  dipendenze: {override: true, data_category: social,\n"
          "    legal_basis: {document: legge_prova, section: \"art. 1\"}}\n")
    assert _engine(write_layer, ok).territory("zona").data_category("needs", "dipendenze") == "social"
    # moving it between special categories does not widen
    assert _engine(write_layer, "needs:\n  dipendenze: {override: true, data_category: health}\n").territory(
        "zona").data_category("needs", "dipendenze") == "health"
