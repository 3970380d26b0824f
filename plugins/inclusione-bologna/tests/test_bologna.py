"""
Bologna (seed 003): Insieme per il lavoro reaches people the poverty measures do not, is
coordinated with the services' paths instead of duplicating them, screens fragility, and
proposes traineeships at inclusive enterprises, whose views carry no special category.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from inclusione_core import DataCategory, Engine, Purpose, Recipient, RoutingOutcome
from inclusione_core.testing import quote_problems

AS_OF = dt.date(2025, 5, 20)
DOCUMENT = "ctssm_bo_ipl_2019"
EXAMPLES = Path(__file__).resolve().parents[3] / "territories" / "bologna" / "examples"
SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"
SPECIAL = {c.value for c in DataCategory if c.special}


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def test_every_quote_is_verbatim_from_the_ctssm_document(engine: Engine) -> None:
    if not SEEDS.is_dir():
        pytest.skip("the source texts are not on this machine")
    assert quote_problems(engine.territory("bologna"), SEEDS, expect=[DOCUMENT]) == []


def test_a_person_who_lost_their_job_goes_to_insieme_per_il_lavoro_with_an_inclusive_traineeship(
        engine: Engine) -> None:
    result = engine.assess(example("perso_il_lavoro"), as_of=AS_OF)
    assert result.routing.outcome is RoutingOutcome.ROUTED and result.routing.service == "insieme_per_il_lavoro"
    assert result.routing.reasons[0].source.document == DOCUMENT
    first = result.placements[0]
    assert (first.enterprise, first.position) == ("trattoria_esempio", "tirocinio_sala")
    assert "albo_imprese_inclusive" in first.registries
    assert {"tirocinio_ipl", "avvicinamento_lavoro_ipl"} <= {i.code for i in result.interventions}


def test_the_enterprise_view_carries_no_special_category_whatever_the_case_holds(engine: Engine) -> None:
    """The restaurant sees the same case and result whether or not the person has health or addiction needs."""
    base = example("perso_il_lavoro")
    other = copy.deepcopy(base)
    other["assessment"]["needs"] += [{"code": "salute_mentale", "severity": 3}, {"code": "dipendenze", "severity": 2}]
    other["household"]["members"][0]["services"] = ["csm", "serd"]
    on_path = copy.deepcopy(base)  # on a L.R. 14/2015 path (health data): coordinated, not taken
    on_path["household"]["members"][0]["programmes"] = [{"code": "percorso_lr14", "since": "2024-09-16"}]
    seen = []
    for data in (base, other, on_path):
        case = engine.load_case(data)
        result = engine.assess(case, as_of=AS_OF)
        who = Recipient(kind="impresa", service="trattoria_esempio")
        views = (engine.preview_case(case, recipient=who, purpose=Purpose.REFERRAL, as_of=AS_OF),
                 engine.preview_result(result, case, recipient=who, purpose=Purpose.REFERRAL))
        for view in views:
            assert not {d.category for d in view.disclosed} & SPECIAL
        seen.append([json.dumps(v.data, sort_keys=True, default=str) for v in views])
    assert seen[0] == seen[1] == seen[2]


def test_a_person_on_adi_in_a_lr14_path_is_coordinated_not_duplicated(engine: Engine) -> None:
    result = engine.assess(example("gia_in_percorso_lr14"), as_of=AS_OF)
    routing = result.routing
    assert routing.outcome is RoutingOutcome.COORDINATION and routing.coordination is not None
    assert set(routing.coordination.inform) == {"sst", "cpi"}
    assert set(routing.coordination.programmes) == {"percorso_lr14", "percorso_adi"}
    assert result.equipe.members == ()
    assert routing.reasons[-1].source.document == DOCUMENT


def test_the_parties_informed_receive_no_special_category(engine: Engine) -> None:
    """The SST and the CPI receive the case for the purpose coordination: its common data, never the L.R. 14 path."""
    case = engine.load_case(example("gia_in_percorso_lr14"))
    for kind in ("ssp", "cpi"):
        view = engine.preview_case(case, recipient=Recipient(kind=kind, service="sst" if kind == "ssp" else kind),
                                   purpose=Purpose.COORDINATION, as_of=AS_OF)
        assert view.disclosed and not {d.category for d in view.disclosed} & SPECIAL
        if kind == "ssp":  # the SST sees the AdI path; the L.R. 14 path is health data, withheld
            assert view.data["household"]["members"][0]["programmes"] == [
                {"code": "percorso_adi", "since": "2024-03-01", "until": None}]


@pytest.mark.parametrize(("answers", "band"), [
    ({"area_lavoro": 5, "area_sociale": 4, "area_salute": 2}, "secondo_colloquio"),
    ({"area_lavoro": 10, "area_sociale": 1, "area_salute": 0}, "secondo_colloquio"),
    ({"area_lavoro": 5, "area_sociale": 3, "area_salute": 2}, None),
])
def test_a_fragility_score_of_11_or_more_leads_to_the_in_depth_interview(
        engine: Engine, answers: dict[str, int], band: str | None) -> None:
    data = example("perso_il_lavoro")
    data["assessment"]["scores"] = [{"instrument": "profilo_fragilita", "answers": answers}]
    result = engine.assess(data, as_of=AS_OF)
    (score,) = result.scores
    assert score.total == sum(answers.values()) and score.band == band
    expected = "colloquio_secondo_livello" if band else "percorso_avvicinamento_lavoro"
    assert result.routing.channel == expected


def test_the_district_roles_are_data(engine: Engine) -> None:
    bologna = engine.territory("bologna")
    bodies = bologna.in_force(AS_OF).section("governance", "bodies")
    assert {"ctssm", "comitato_di_distretto", "ufficio_di_piano", "board_imprese"} <= set(bodies)
    assert bodies["comitato_di_distretto"]["level"] == "distretto"
    ambiti = bologna.section("network", "ambiti")
    assert all(set(a["bodies"]) == {"comitato_di_distretto", "ufficio_di_piano"} for a in ambiti.values())
    assert bologna.lineage[-3:] == ("italia", "emilia_romagna", "bologna") or \
        bologna.lineage[:3] == ("bologna", "emilia_romagna", "italia")
