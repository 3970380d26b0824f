"""The SIL's privacy: its flows, the views of SIL cases, the notice of a negative decision and the evaluation."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import inclusione_sil
from inclusione_core import (
    Case,
    DataCategory,
    Engine,
    InputError,
    MemoryAuditLog,
    Policy,
    Territory,
    cli,
    get_plugin_manager,
)
from inclusione_core.rules import find_texts
from inclusione_core.testing import FixedClock
from inclusione_sil import PathRecord, evaluate_paths
from inclusione_sil import workflow as wf

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "territories" / "sil" / "territory.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"
GUIDELINES_TEXT = ('Gruppo di coprogettazione del SIL (Consorzio San Donato e partner), "Progetto di inserimento'
                   ' lavorativo')
"""How the SIL guidelines read in a citation."""
SPECIAL = {c.value for c in DataCategory if c.special}
COMMON = {c.value for c in DataCategory if not c.special}
SCHEDA_PRIVACY = "Documenti Scheda personale Scheda Privacy Piano di valutazione e strumenti ad esso connessi"
PLUGINS = [("sil", inclusione_sil)]


def fresh_engine(day: dt.date = dt.date(2025, 4, 1)) -> Engine:
    """An engine with its own audit log (the shared one would mix other tests' disclosures), disclosing on ``day``."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=PLUGINS), audit=MemoryAuditLog(),
                  clock=FixedClock(day))


def consent(categories: list[str], recipients: list[str], purposes: list[str], given_on: str = "2025-03-01",
            **dates: str) -> dict[str, Any]:
    """A consent record of the case format, given by the applicant."""
    return {"id": "CONS-SIL-1", "member": "m1", "categories": categories, "recipients": recipients,
            "purposes": purposes, "given_on": given_on, "evidence": "scheda privacy PRIV-SIL-1", **dates}


def rows(sil: Territory, recipient: str) -> list[dict[str, Any]]:
    return [r for r in Policy(sil).table() if r["recipient"] == recipient]


# --------------------------------------------------------------------------- the flows


def test_the_sil_receives_common_data_by_law_for_each_purpose(sil: Territory) -> None:
    """For each of its four purposes the SIL gets the common categories on GDPR art. 6.1.e, citing the guidelines."""
    law = {r["purpose"]: r for r in rows(sil, "sil") if r["basis"] == "law"}
    assert set(law) == {"referral", "assessment", "equipe", "monitoring"}
    for row in law.values():
        assert set(row["categories"]) == COMMON
        assert row["legal_basis"].startswith("Reg. (UE) 2016/679 (GDPR), art. 6.1.e")
        # honest citation: the 2007 guidelines name no act; the sector law is for the DPO to confirm
        assert "precedono il D.Lgs. 147/2017" in row["legal_basis"]
        assert "da verificare con il DPO" in row["legal_basis"]
        assert row["source"].startswith(GUIDELINES_TEXT)
        assert row["defined_in"] == "sil/territory.yaml"


def test_the_sil_receives_special_categories_only_with_the_consent_of_the_scheda_privacy(sil: Territory) -> None:
    """Health, addiction, mental-health, judicial data and records reach the SIL only by consent (art. 9.2.a)."""
    for row in rows(sil, "sil"):
        special = SPECIAL & set(row["categories"])
        if row["basis"] == "law":
            assert not special, row["flow"]
            continue
        assert set(row["categories"]) == SPECIAL
        assert row["legal_basis"].startswith("Reg. (UE) 2016/679 (GDPR), art. 9.2.a — nota: consenso esplicito")
        assert "fase 5" in row["source"]
        assert SCHEDA_PRIVACY in row["source"]
    assert {r["purpose"] for r in rows(sil, "sil") if r["basis"] == "consent"} == {
        "referral", "assessment", "equipe", "monitoring"}


@pytest.mark.skipif(
    not os.environ.get("CI") and not SEEDS.is_dir(),
    reason="source texts not beside the repository (in CI they are, and the test runs)",
)
def test_the_scheda_privacy_quote_is_verbatim_phase_5_of_the_guidelines(sil: Territory) -> None:
    """The consent flows quote the phase 5 row of the §3 table word for word."""
    text = find_texts(sil, SEEDS)[inclusione_sil.DOCUMENT].read_text(encoding="utf-8")
    seed = re.sub(r"\s+", " ", text)
    lines = text.splitlines()
    row = next(line for line in lines if line.startswith("5. decisione"))
    assert SCHEDA_PRIVACY in row
    assert SCHEDA_PRIVACY in seed


def test_special_categories_by_law_go_only_to_the_social_service_or_to_the_person(sil: Territory) -> None:
    """No flow of the SIL territory gives a special category by law except italia's ssp and the person herself."""
    for row in Policy(sil).table():
        if SPECIAL & set(row["categories"]) and row["basis"] == "law":
            assert row["recipient"] in ("ssp", "interessato"), row["flow"]


def test_every_role_of_the_sil_staff_has_an_equipe_flow(sil: Territory) -> None:
    """Each role the SIL staff may convene belongs to a service kind with a law basis for the equipe."""
    fmt = sil.section("equipe", "formats")["staff_sil"]
    roles = set(fmt["roles"]) | {r for t in fmt["triggers"] for r in t["add_roles"]}
    assert {"coordinatore_sil", "referente_esterno", "operatore_cpi"} <= roles
    equipe_law = {r["recipient"] for r in Policy(sil).table() if r["purpose"] == "equipe" and r["basis"] == "law"}
    for role in roles:
        kind = sil.service_kind(sil.section("roles")[role]["service"])
        assert kind in equipe_law, role


def test_the_privacy_flows_command_prints_the_sil_table(capsys: pytest.CaptureFixture[str]) -> None:
    """`inclusione privacy flows --territory sil` lists the SIL's flows, in Italian and as JSON."""
    config = ["--config-dir", str(ROOT / "territories")]
    assert cli.main([*config, "privacy", "flows", "--territory", "sil"]) == 0
    text = capsys.readouterr().out
    assert "Servizio Inserimento Lavorativo (SIL) del distretto" in text
    assert "sil_valutazione_consenso" in text
    assert cli.main([*config, "--json", "privacy", "flows", "--territory", "sil"]) == 0
    data = json.loads(capsys.readouterr().out)
    flows = {r["flow"] for r in data["flows"]}
    assert {"sil_invio", "sil_valutazione", "sil_equipe", "sil_monitoraggio", "segretariato_equipe",
            "interessato_esito"} <= flows


def test_privacy_sources_in_the_yaml_are_the_guidelines() -> None:
    """Every recipient and flow the SIL layer adds cites the SIL guidelines as its source."""
    privacy = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["privacy"]
    for section in ("recipients", "flows"):
        for code, entry in privacy[section].items():
            assert entry["source"]["document"] == inclusione_sil.DOCUMENT, code
            assert entry["source"]["quote"], code


# --------------------------------------------------------------------------- data categories of the SIL codes


@pytest.mark.parametrize(("by", "code", "category"), [
    ("needs", "disagio_psichico_temporaneo", "mental_health"),
    ("needs", "ex_dipendenza", "addiction"),
    ("needs", "ex_detenzione", "justice"),
    ("needs", "uscita_comunita", "records"),
    ("needs", "migrante", "social"),
    ("needs", "nuove_poverta", "economic"),
    ("needs", "disagio_economico_temporaneo", "economic"),
    ("needs", "mobbing", "work"),
    ("needs", "professionalita_non_spendibile", "work"),
    ("dimensions", "sil_benessere_soggettivo", "mental_health"),
    ("dimensions", "sil_equilibrio_emotivo", "work"),
    ("interventions", "consulenza_disagio_imprese", "records"),
    ("interventions", "inserimento_lavorativo_mirato", "work"),
])
def test_sil_codes_have_their_data_category(sil: Territory, by: str, code: str, category: str) -> None:
    """Having a SIL need, grid item or intervention is data of the configured category."""
    assert sil.data_category(by, code) == category


# --------------------------------------------------------------------------- views of SIL cases


def justice_case(example: Callable[[str], dict[str, Any]], *consents: dict[str, Any]) -> dict[str, Any]:
    data = example("fuori_elenco.json")
    data["assessment"]["needs"].append({"code": "ex_detenzione", "member": "m1", "severity": 2})
    data["consents"] = list(consents)
    return data


def need_codes(view_data: dict[str, Any]) -> list[str]:
    return [n["code"] for n in view_data["assessment"]["needs"]]


def test_a_justice_need_is_withheld_from_the_sil_without_consent(example: Callable[[str], dict[str, Any]]) -> None:
    """Without a consent the SIL's assessment view leaves out the ex-detainee need and says so."""
    engine = fresh_engine()
    case = engine.load_case(justice_case(example))
    view = engine.disclose_case(case, recipient="sil", purpose="assessment", as_of=dt.date(2025, 4, 1))
    assert need_codes(view.data) == ["lavoro"]
    (withheld,) = [w for w in view.withheld if w.path.startswith("$.assessment.needs") and w.category != "records"]
    assert (withheld.path, withheld.category) == ("$.assessment.needs[1]", "justice")
    assert "senza un consenso valido" in withheld.reason_it
    assert "ex_detenzione" not in json.dumps(view.data)


def test_a_justice_need_reaches_the_sil_with_a_valid_consent(example: Callable[[str], dict[str, Any]]) -> None:
    """A consent covering judicial data, the SIL and the assessment on the date shows the need, citing the consent."""
    engine = fresh_engine()
    case = engine.load_case(justice_case(example, consent(["justice"], ["sil"], ["assessment"])))
    view = engine.disclose_case(case, recipient="sil", purpose="assessment", as_of=dt.date(2025, 4, 1))
    assert need_codes(view.data) == ["lavoro", "ex_detenzione"]
    basis = {d.category: d for d in view.disclosed}["justice"]
    assert (basis.basis, basis.flow, basis.consents) == ("consent", "sil_valutazione_consenso", ("CONS-SIL-1",))
    assert not [w for w in view.withheld if w.category == "justice"]


def test_a_withdrawn_or_other_purpose_consent_does_not_show_the_justice_need(
        example: Callable[[str], dict[str, Any]]) -> None:
    """A consent withdrawn before the date, or given for another purpose, leaves the need out."""
    engine = fresh_engine()
    for c in (consent(["justice"], ["sil"], ["assessment"], withdrawn_on="2025-03-15"),
              consent(["justice"], ["sil"], ["monitoring"])):
        case = engine.load_case(justice_case(example, c))
        view = engine.disclose_case(case, recipient="sil", purpose="assessment", as_of=dt.date(2025, 4, 1))
        assert need_codes(view.data) == ["lavoro"]


def test_the_scheda_privacy_gives_the_consent_that_opens_the_flow(
        example: Callable[[str], dict[str, Any]], sil: Territory) -> None:
    """The consent of a filled scheda privacy (phase 5) is the one the SIL's consent flows need."""
    scheda = {"id": "PRIV-SIL-9", "case_id": "SIL-2025-0031", "data": "2025-03-20",
              "interessato": {"componente": "m1"}, "titolare_trattamento": "Comune capofila del distretto - SIL",
              "informativa_consegnata": True,
              "consenso": {"prestato": True, "data": "2025-03-20", "categorie": ["justice"],
                           "destinatari": ["sil"], "finalita": ["equipe"]}}
    recorded = inclusione_sil.consent_from_scheda_privacy(scheda, sil)
    assert recorded is not None
    engine = fresh_engine()
    case = engine.load_case(justice_case(example))
    case = engine.load_case({**engine.to_json(case), "consents": [engine.to_json(recorded)]})
    before = fresh_engine(dt.date(2025, 3, 19)).disclose_case(case, recipient="sil", purpose="equipe",
                                                              as_of=dt.date(2025, 3, 19))
    after = fresh_engine(dt.date(2025, 3, 20)).disclose_case(case, recipient="sil", purpose="equipe",
                                                             as_of=dt.date(2025, 3, 20))
    assert need_codes(before.data) == ["lavoro"]
    assert need_codes(after.data) == ["lavoro", "ex_detenzione"]


def test_the_subjective_well_being_item_is_mental_health(example: Callable[[str], dict[str, Any]]) -> None:
    """Without a consent the CPI in the SIL staff sees the grid but not the well-being item, nor the reason using it."""
    engine = fresh_engine()
    case = engine.load_case(example("l68_invalidita_50.json"))
    view = engine.disclose_case(case, recipient="cpi", purpose="equipe", as_of=dt.date(2025, 3, 10))
    shown = [lv["dimension"] for lv in view.data["assessment"]["levels"]]
    assert "sil_impegno" in shown
    assert "sil_benessere_soggettivo" not in shown
    result = engine.assess(case, as_of=dt.date(2025, 3, 10))
    rview = engine.disclose_result(result, case, recipient="cpi", purpose="equipe")
    assert "sil.occupabilita.grado" not in [r["rule"] for r in rview.data["profile"]["reasons"]]
    sview = engine.disclose_result(result, case, recipient="ssp", purpose="equipe")
    assert "sil.occupabilita.grado" in [r["rule"] for r in sview.data["profile"]["reasons"]]


def visible_target_info(engine: Engine, case: Case, as_of: dt.date) -> tuple[list[str], list[str]]:
    """The target flags and target reasons a CPI sees in the equipe view of a SIL case."""
    view = engine.disclose_result(engine.assess(case, as_of=as_of), case, recipient="cpi", purpose="equipe")
    flags = [f for f in view.data["profile"]["profile"]["flags"] if f.startswith("target_")]
    rules = [r["rule"] for r in view.data["profile"]["reasons"]
             if r["rule"].startswith(("sil.target", "profilo.flag.target"))]
    return flags, rules


def test_being_in_no_target_group_reveals_nothing_either(example: Callable[[str], dict[str, Any]]) -> None:
    """A CPI without consent sees the same target information for a case in no group and for an ex-detainee."""
    engine = fresh_engine()
    as_of = dt.date(2025, 5, 12)
    none = engine.load_case(example("fuori_elenco.json"))
    detainee = engine.load_case(justice_case(example))
    assert visible_target_info(engine, none, as_of) == visible_target_info(engine, detainee, as_of) == ([], [])
    ssp_view = engine.disclose_result(engine.assess(none, as_of=as_of), none, recipient="ssp", purpose="equipe")
    assert "sil.target.fuori_elenco" in [r["rule"] for r in ssp_view.data["profile"]["reasons"]]


def test_the_refusal_reason_in_a_result_is_shown_only_where_records_may_flow(
        example: Callable[[str], dict[str, Any]]) -> None:
    """The routing reason quoting the motivazione is withheld from the CPI and kept for the social service."""
    engine = fresh_engine()
    case = engine.load_case(example("decisione_negativa.json"))
    result = engine.assess(case, as_of=dt.date(2025, 3, 28))
    # it quotes the motivazione (records) and names the sender, who may be any service
    assert {"process", "records"} <= set(result.routing.reasons[0].categories)
    cpi = engine.disclose_result(result, case, recipient="cpi", purpose="referral")
    assert cpi.data["routing"]["reasons"] == []
    # withheld whole, under the first special category it may carry (any sender: a SerD too)
    assert "$.routing.reasons[0]" in [w.path for w in cpi.withheld]
    assert "Nessuna postazione" not in json.dumps(cpi.data)  # the motivazione ("impostazione" is no leak)
    ssp = engine.disclose_result(result, case, recipient="ssp", purpose="assessment")
    assert ssp.data["routing"]["reasons"][0]["rule"] == "sil.fase5.esito_negativo"


# --------------------------------------------------------------------------- the notice of a negative decision


def refused(example: Callable[[str], dict[str, Any]], *consents: dict[str, Any], direct: bool = False,
            engine: Engine | None = None) -> tuple[Engine, Case, wf.Notification]:
    engine = engine or fresh_engine()
    data = example("decisione_negativa.json")
    data["consents"] = list(consents)
    if direct:
        data["access"] = {"date": data["access"]["date"], "point": "sil", "channel": "diretto"}
    case = engine.load_case(data)
    flow = wf.workflow_of(case)
    assert flow is not None
    notice = wf.notification_of(flow)
    assert notice is not None
    return engine, case, notice


def test_the_notice_to_the_sender_withholds_the_motivazione_without_a_basis(
        example: Callable[[str], dict[str, Any]], sil: Territory) -> None:
    """
    Without consent the Segretariato gets outcome, date, phase and the code of the reason
    with its label (issue 14: it used to get no reason at all); the notice lists the free-text
    motivazione as withheld.
    """
    engine, case, notice = refused(example)
    view = notice.send(engine, case)
    assert "motivazione" not in view.data
    assert (view.data["esito"], view.data["data"], view.data["fase"]) == ("negativo", "2025-03-24", 5)
    assert view.data["destinatario"] == {"tipo": "ente_inviante", "servizio": "segretariato"}
    (left,) = view.data["dati_non_trasmessi"]
    assert (left["campo"], left["categoria"]) == ("motivazione", "records")
    assert "consenso valido" in left["motivo"]
    assert [(w.path, w.category) for w in view.withheld] == [("$.motivazione", "records")]
    assert inclusione_sil.instrument_errors(sil, "notifica_esito_negativo", view.data) == []
    assert (view.data["codice_motivo"], view.data["motivo"]) == (
        "postazioni_non_disponibili", "Nessuna postazione lavorativa disponibile e compatibile")
    assert notice.reason_text not in json.dumps(view.data)
    assert "sei mesi" not in json.dumps(view.data)
    # the unfiltered notice the SIL files internally still has it
    assert notice.to_document()["motivazione"].startswith("Nessuna postazione")


def test_the_notice_is_audited(example: Callable[[str], dict[str, Any]]) -> None:
    """Sending the notice appends one audit record: sender, referral, channel, what went, what may not go."""
    engine, case, notice = refused(example)
    assert engine.disclosure_history(case.id) == []
    notice.send(engine, case, as_of=dt.date(2025, 3, 25))
    (rec,) = engine.disclosure_history(case.id)
    assert (rec.recipient, rec.recipient_service, rec.purpose, rec.channel, rec.as_of) == (
        "segretariato", "segretariato", "referral", "notifica_esito_negativo", "2025-03-25")
    assert "records" in rec.not_disclosed and list(rec.not_disclosed) == sorted(set(rec.not_disclosed))
    assert [(d["category"], d["basis"]) for d in rec.disclosed] == [("process", "law")]


def test_the_notice_carries_the_motivazione_with_a_consent(example: Callable[[str], dict[str, Any]],
                                                          sil: Territory) -> None:
    """A consent covering records, the Segretariato and the referral lets the motivazione go, citing the consent."""
    engine, case, notice = refused(example, consent(["records"], ["segretariato"], ["referral"]))
    view = notice.send(engine, case)
    assert view.data["motivazione"] == notice.reason_text
    assert "dati_non_trasmessi" not in view.data
    assert view.withheld == ()
    (rec,) = engine.disclosure_history(case.id)
    records = next(d for d in rec.disclosed if d["category"] == "records")
    assert (records["basis"], records["flow"], records["consents"]) == (
        "consent", "segretariato_invio_documenti_consenso", ["CONS-SIL-1"])
    assert inclusione_sil.instrument_errors(sil, "notifica_esito_negativo", view.data) == []


def test_the_person_who_signalled_themselves_gets_the_whole_notice(example: Callable[[str], dict[str, Any]]) -> None:
    """After a direct signalling the notice goes to the person (kind interessato), motivazione included."""
    engine, case, notice = refused(example, direct=True)
    assert notice.to_service == "utente"
    view = notice.send(engine, case)
    assert view.recipient.kind == "interessato"
    assert view.data["destinatario"] == {"tipo": "utente"}
    assert view.data["motivazione"] == notice.reason_text
    assert engine.disclosure_history(case.id)[0].recipient == "interessato"


def test_a_notice_to_an_unknown_service_or_for_another_case_is_refused_unaudited(
        example: Callable[[str], dict[str, Any]]) -> None:
    """An unknown sending service or a case other than the notice's is refused before anything is disclosed."""
    engine, case, notice = refused(example)
    stray = wf.Notification(case_id=case.id, to_service="serd_distretto", from_service="sil", on=notice.on,
                            reason_text=notice.reason_text)
    with pytest.raises(InputError) as err:
        stray.send(engine, case)
    assert err.value.details[0].rule == "ref:services"
    other = engine.load_case({**engine.to_json(case), "id": "SIL-ALTRO"})
    with pytest.raises(InputError) as err:
        notice.send(engine, other)
    assert err.value.details[0].path == "$.case_id"
    assert engine.disclosure_history(case.id) == engine.disclosure_history("SIL-ALTRO") == []


def test_a_health_service_sender_needs_a_consent_for_the_outcome(
        example: Callable[[str], dict[str, Any]], tmp_path: Path) -> None:
    """A SerD that signalled the case gets no notice without consent (nothing audited) and the outcome with one."""
    terr = tmp_path / "sil_serd"
    terr.mkdir()
    (terr / "territory.yaml").write_text(yaml.safe_dump({
        "id": "sil_serd", "extends": "sil", "level": "distretto", "version": "test",
        "label": {"it": "SIL con SerD", "en": "SIL with SerD"},
        "services": {"serd_distretto": {"kind": "serd", "label": {"it": "SerD", "en": "SerD"}, "level": "secondo",
                                        "access": ["invio"],
                                        "source": {"kind": "default", "note": "test"}}},
    }, allow_unicode=True), encoding="utf-8")
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=PLUGINS),
                    config_dirs=[tmp_path], audit=MemoryAuditLog())
    data = example("decisione_negativa.json")
    data["territory"] = "sil_serd"
    data["access"]["from_service"] = "serd_distretto"
    case = engine.load_case(data)
    flow = wf.workflow_of(case)
    assert flow is not None and flow.sender == "serd_distretto"
    notice = wf.notification_of(flow)
    assert notice is not None
    with pytest.raises(InputError) as err:
        notice.send(engine, case)
    assert err.value.details[0].rule == "privacy.flows"
    assert engine.disclosure_history(case.id) == []
    data["consents"] = [consent(["process", "identity"], ["serd"], ["referral"])]
    case = engine.load_case(data)
    view = notice.send(engine, case)
    assert view.recipient.kind == "serd"
    assert view.data["esito"] == "negativo"
    assert "motivazione" not in view.data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    categories=st.sets(st.sampled_from(sorted(COMMON | SPECIAL)), min_size=1),
    recipients=st.sets(st.sampled_from(["segretariato", "ssp", "cpi", "sil"]), min_size=1),
    purposes=st.sets(st.sampled_from(["referral", "equipe", "assessment"]), min_size=1),
    given_day=st.integers(0, 60),
    withdrawn_after=st.one_of(st.none(), st.integers(0, 60)),
    sent_day=st.integers(0, 60),
)
def test_the_motivazione_goes_exactly_when_a_valid_consent_covers_it(
        example: Callable[[str], dict[str, Any]], sil: Territory, engine: Engine, clock: FixedClock,
        categories: set[str], recipients: set[str], purposes: set[str], given_day: int, withdrawn_after: int | None,
        sent_day: int) -> None:
    """For any consent and date the motivazione goes iff a valid consent covers it, and is listed otherwise."""
    start = dt.date(2025, 3, 1)
    extra = {} if withdrawn_after is None else {
        "withdrawn_on": (start + dt.timedelta(days=given_day + withdrawn_after)).isoformat()}
    c = consent(sorted(categories), sorted(recipients), sorted(purposes),
                given_on=(start + dt.timedelta(days=given_day)).isoformat(), **extra)
    _engine, case, notice = refused(example, c, engine=engine)
    sent = start + dt.timedelta(days=sent_day)
    clock.set(sent)  # the notice leaves that day: consents are judged then
    before = len(engine.disclosure_history(case.id))
    view = notice.send(engine, case, as_of=sent)
    valid = (given_day <= sent_day and (withdrawn_after is None or sent_day < given_day + withdrawn_after))
    expected = valid and "records" in categories and "segretariato" in recipients and "referral" in purposes
    assert ("motivazione" in view.data) is expected
    listed = [d["campo"] for d in view.data.get("dati_non_trasmessi", [])]
    assert listed == ([] if expected else ["motivazione"])
    assert inclusione_sil.instrument_errors(sil, "notifica_esito_negativo", view.data) == []
    assert set(view.data) <= {*wf.NOTICE_CATEGORIES, "dati_non_trasmessi"}
    assert len(engine.disclosure_history(case.id)) == before + 1


def test_every_field_of_the_notice_has_a_category(example: Callable[[str], dict[str, Any]]) -> None:
    """The full notice has no field without a data category (disclose_document would refuse it)."""
    _engine, _case, notice = refused(example)
    assert set(notice.to_document()) <= set(wf.NOTICE_CATEGORIES)
    assert wf.NOTICE_CATEGORIES["motivazione"] == "records"


def test_the_motivazione_in_the_history_is_not_in_the_senders_case_view(
        example: Callable[[str], dict[str, Any]]) -> None:
    """The case view for the sender does not carry the motivazione through the history note of the decision."""
    engine, case, _notice = refused(example)
    view = engine.disclose_case(case, recipient="segretariato", purpose="referral", as_of=dt.date(2025, 3, 24))
    assert "Nessuna postazione" not in json.dumps(view.data)
    assert "$.history[5].note" in [w.path for w in view.withheld]


# --------------------------------------------------------------------------- the evaluation for the Ufficio di Piano


def test_the_evaluation_holds_no_case_id() -> None:
    """The §7 indicators for the Ufficio di Piano are aggregates: no case id in values or reasons."""
    records = [PathRecord(case_id="SIL-2025-0099", esito="non_accolto", ore_intervento_diretto=4, costo=120),
               PathRecord(case_id="SIL-2025-0100", esito="in_corso", ore_intervento_diretto=10, costo=300)]
    ev = evaluate_paths(records, giudizi={"sostenibilita": 3})
    text = repr(ev)
    assert "SIL-2025-0099" not in text and "SIL-2025-0100" not in text
    assert ev.get("percorsi").value["segnalazioni"] == 2
