"""Prato's privacy configuration (italia -> toscana -> prato): who receives what, on which basis, consent at work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from inclusione_core import DataCategory, Engine, Policy, Territory
from inclusione_core.testing import FixedClock

ARTICLE = "buone_pratiche_prato_2021"
DGRT = "dgrt_544_2023"
SPECIAL = {c.value for c in DataCategory if c.special}


def test_special_categories_flow_by_law_only_to_the_social_service_holding_the_case(prato: Territory) -> None:
    """Health, addiction, mental-health, judicial data and records go by law only to ssp; to anyone else by consent."""
    for row in Policy(prato).table():
        special = SPECIAL & set(row["categories"])
        if special and row["basis"] == "law":
            assert row["recipient"] == "ssp", row["flow"]
            assert row["purpose"] in ("assessment", "equipe", "monitoring"), row["flow"]


def test_every_flow_names_a_known_recipient_an_act_and_a_source(prato: Territory) -> None:
    """Each flow's recipient is configured, its legal basis is an act of the registry and its source is cited."""
    flows = prato.section("privacy", "flows")
    recipients = prato.section("privacy", "recipients")
    assert {"ssp", "cpi", "serd", "csm", "terzo_settore", "impresa", "udp", "siil"} <= set(recipients)
    for code, flow in flows.items():
        assert flow["recipient"] in recipients, code
        act = prato.documents[flow["legal_basis"]["document"]]
        assert act.kind == "norma" and act.binding, code
        assert flow["legal_basis"].get("section"), code
        assert flow["source"].get("document") or flow["source"]["kind"] == "default", code
        if flow["basis"] == "consent":
            assert act.id == "reg_ue_2016_679" and "9.2.a" in flow["legal_basis"]["section"], code


def test_statistics_get_no_contact_and_no_special_data(prato: Territory) -> None:
    """The Ufficio di Piano receives, for statistics only, neither contact data nor special categories."""
    rows = [r for r in Policy(prato).table() if r["recipient"] == "udp"]
    assert [r["purpose"] for r in rows] == ["statistics"]
    assert not ({"contact"} | SPECIAL) & set(rows[0]["categories"])


def test_enterprises_get_only_who_work_and_education_for_a_placement(prato: Territory) -> None:
    """An enterprise receives identity, work, education and case-process data, only for a referral (the article)."""
    (row,) = [r for r in Policy(prato).table() if r["recipient"] == "impresa"]
    assert (row["purpose"], sorted(row["categories"])) == ("referral", ["education", "identity", "process", "work"])
    assert row["source"].startswith('F. Di Maria, N. Imprescia, "Inclusione e lavoro')


def test_the_scheda_di_invio_flow_cites_the_article(prato: Territory) -> None:
    """The CPI referral flow keeps the national basis and cites the scheda di invio of the Prato article."""
    flow = prato.section("privacy", "flows")["cpi_invio"]
    assert flow["source"]["document"] == ARTICLE
    assert "esperienza lavorativa pregressa" in flow["source"]["quote"]
    assert flow["legal_basis"]["document"] == "dlgs_147_2017"
    assert not SPECIAL & set(flow["categories"])


@pytest.mark.parametrize("service", ["serd", "csm"])
def test_the_equipe_allargata_flows_cite_the_dgrt(prato: Territory, service: str) -> None:
    """The SerD and CSM equipe flows cite the equipe allargata (law) and the privacy passage (consent) of the DGRT."""
    flows = prato.section("privacy", "flows")
    assert flows[f"{service}_equipe"]["source"]["document"] == DGRT
    assert "Equipe allargata" in flows[f"{service}_equipe"]["source"]["quote"]
    assert "problemi di privacy" in flows[f"{service}_equipe_consenso"]["source"]["quote"]


def test_the_equipe_allargata_shares_addiction_data_only_under_the_consent(
    engine: Engine, example: Callable[[str], dict[str, Any]], clock: FixedClock
) -> None:
    """In the addiction example SerD and CPI see the need under the consent; the CSM and the housing office do not."""
    case = engine.load_case(example("dipendenze_e_lavoro.json"))
    day = dt.date(2025, 4, 15)

    def needs(recipient: str, purpose: str = "equipe") -> list[str]:
        view = engine.disclose_case(case, recipient=recipient, purpose=purpose, as_of=day)
        return [n["code"] for n in view.data["assessment"]["needs"]]

    assert needs("serd") == needs("cpi") == ["lavoro", "dipendenze", "economico"]
    assert needs("csm") == needs("casa") == ["lavoro", "economico"]
    assert needs("cpi", "referral") == ["lavoro", "economico"]  # the consent covers the equipe, not referrals
    assert needs("ssp", "assessment") == ["lavoro", "dipendenze", "economico"]  # by law
    clock.set(dt.date(2025, 4, 1))  # the day before the consents were given
    before = engine.disclose_case(case, recipient="serd", purpose="equipe", as_of=day)
    assert [n["code"] for n in before.data["assessment"]["needs"]] == ["lavoro", "economico"]  # not yet given


def test_the_equipe_allargata_shows_to_the_cpi_with_every_members_consent(
    engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """
    The equipe allargata with the SerD (a decision that may read anybody's addiction data)
    reaches the CPI only with the consent of every member: the child's through the parent.
    """
    data = example("dipendenze_e_lavoro.json")
    case = engine.load_case(data)
    result = engine.assess(case, as_of=dt.date(2025, 4, 15))
    equipe = engine.disclose_result(result, case, recipient="cpi", purpose="equipe").data["equipe"]
    assert equipe["format"] == "allargata"
    assert any(m["role"] == "operatore_serd" and m["service"] == "serd" for m in equipe["members"])
    data["consents"] = data["consents"][:2]  # without the child's consent
    case = engine.load_case(data)
    masked = engine.disclose_result(engine.assess(case, as_of=dt.date(2025, 4, 15)), case, recipient="cpi",
                                    purpose="equipe")
    assert masked.data["equipe"]["format"] == "non_comunicato" and masked.data["equipe"]["members"] == []
    assert "$.equipe" in masked.masked
    # the father's need is his own data: his consent still lets it through
    needs = engine.disclose_case(case, recipient="cpi", purpose="equipe", as_of=dt.date(2025, 4, 15))
    assert [n["code"] for n in needs.data["assessment"]["needs"]] == ["lavoro", "dipendenze", "economico"]


def test_a_withdrawn_consent_stops_on_its_date(
    engine: Engine, example: Callable[[str], dict[str, Any]], clock: FixedClock
) -> None:
    """The Third Sector saw the mental-health need until 31 March 2025; from the withdrawal on 1 April it does not."""
    case = engine.load_case(example("segnalazione_siil_terzo_settore.json"))

    def needs(day: dt.date) -> list[str]:
        clock.set(day)
        view = engine.disclose_case(case, recipient="terzo_settore", purpose="equipe", as_of=dt.date(2025, 3, 31))
        return [n["code"] for n in view.data["assessment"]["needs"]]

    assert "salute_mentale" in needs(dt.date(2025, 3, 31))
    assert "salute_mentale" not in needs(dt.date(2025, 4, 1))
    assert "salute_mentale" not in needs(dt.date(2025, 4, 2))  # the example's as-of date
