"""Emilia-Romagna (L.R. 14/2015): the territory conforms; the equipe: the CPI with the social and/or health service."""

from __future__ import annotations

import datetime as dt

import pytest

from inclusione_core import Engine
from inclusione_core.testing import conformance_problems


def test_the_territory_conforms(engine: Engine) -> None:
    assert conformance_problems(engine, "emilia_romagna") == []


@pytest.mark.parametrize(("needs", "roles"), [
    ([{"code": "lavoro", "severity": 3}], {"operatore_cpi", "assistente_sociale"}),
    ([{"code": "lavoro", "severity": 3}, {"code": "salute", "severity": 2}],
     {"operatore_cpi", "assistente_sociale", "operatore_sociosanitario"}),
])
def test_the_lr14_equipe_adds_the_health_service_for_a_health_need(
        engine: Engine, needs: list[dict[str, object]], roles: set[str]) -> None:
    data = {
        "id": "ER-1", "territory": "emilia_romagna", "opened_on": "2025-02-03",
        "household": {"id": "H", "members": [{"id": "m1", "birth_date": "1985-01-20", "employment": "disoccupato"}]},
        "access": {"date": "2025-02-03", "point": "ssp"},
        "assessment": {"date": "2025-02-10", "needs": needs,
                       "levels": [{"dimension": "lavoro", "level": 3}, {"dimension": "reti", "level": 2},
                                  {"dimension": "economica", "level": 2}]},
    }
    result = engine.assess(data, as_of=dt.date(2025, 3, 1))
    assert result.equipe.format == "equipe_lr14"
    assert {m.role for m in result.equipe.members} == roles
    assert all(m.reason.source.document == "lr_er_14_2015" for m in result.equipe.members)
